// The UI data builders a tool returns (`Table`, `Field`, `Chart`, `Stats`, `Cards`, `Progress`): chained setters that serialise through `toJSON` into the `_photonType` shapes clients render, exactly as `@portel/photon-core` 2.17.6 serialises them.
// A port of the npm package's ui-types (its JSON side; the text rendering for terminals is not
// needed on a Worker): the same defaults, the same inference of table columns and card fields,
// the same key order, so a client sees the same JSON as from the local runtime.

// biome-ignore-all lint/suspicious/noExplicitAny: rows, items and options are the photon's own objects of any shape, read by key as upstream reads them.

type Row = Record<string, any>;
type Options = Record<string, any>;

/** A typed column of the field-based Table API: `{type, source, options}`. */
export interface FieldDefinition {
  type: string;
  source: string;
  options: Options;
  actions?: unknown[];
  render?: (value: unknown, record: Row) => unknown;
}

/** `Field.text('name')`, `Field.badge('status', {colors})`, ...: field definitions with upstream's defaults. */
export const Field = {
  text: (source: string, options?: Options): FieldDefinition => ({ type: "text", source, options: options ?? {} }),
  email: (source: string, options?: Options): FieldDefinition => ({
    type: "email",
    source,
    options: { linked: true, ...options },
  }),
  url: (source: string, options?: Options): FieldDefinition => ({ type: "url", source, options: options ?? {} }),
  phone: (source: string, options?: Options): FieldDefinition => ({
    type: "phone",
    source,
    options: { linked: true, ...options },
  }),
  number: (source: string, options?: Options): FieldDefinition => ({ type: "number", source, options: options ?? {} }),
  currency: (source: string, options?: Options): FieldDefinition => ({
    type: "currency",
    source,
    options: { currency: "USD", showSymbol: true, ...options },
  }),
  percent: (source: string, options?: Options): FieldDefinition => ({
    type: "percent",
    source,
    options: { decimals: 1, ...options },
  }),
  date: (source: string, options?: Options): FieldDefinition => ({
    type: "date",
    source,
    options: { format: "medium", ...options },
  }),
  datetime: (source: string, options?: Options): FieldDefinition => ({
    type: "datetime",
    source,
    options: { format: "medium", showTime: true, ...options },
  }),
  time: (source: string, options?: Options): FieldDefinition => ({ type: "time", source, options: options ?? {} }),
  dateRange: (startSource: string, options?: Options): FieldDefinition => ({
    type: "dateRange",
    source: startSource,
    options: { separator: " → ", ...options },
  }),
  boolean: (source: string, options?: Options): FieldDefinition => ({
    type: "boolean",
    source,
    options: { trueIcon: "✓", falseIcon: "✗", ...options },
  }),
  image: (source: string, options?: Options): FieldDefinition => ({ type: "image", source, options: options ?? {} }),
  avatar: (source: string, options?: Options): FieldDefinition => ({
    type: "avatar",
    source,
    options: { size: 40, ...options },
  }),
  gallery: (source: string, options?: Options): FieldDefinition => ({
    type: "gallery",
    source,
    options: { maxVisible: 4, thumbnailSize: 60, ...options },
  }),
  file: (source: string, options?: Options): FieldDefinition => ({
    type: "file",
    source,
    options: { showIcon: true, ...options },
  }),
  badge: (source: string, options?: Options): FieldDefinition => ({
    type: "badge",
    source,
    options: { variant: "subtle", ...options },
  }),
  tags: (source: string, options?: Options): FieldDefinition => ({
    type: "tags",
    source,
    options: { max: 3, ...options },
  }),
  rating: (source: string, options?: Options): FieldDefinition => ({
    type: "rating",
    source,
    options: { max: 5, icon: "★", color: "#f59e0b", ...options },
  }),
  price: (source: string, options?: Options): FieldDefinition => ({
    type: "price",
    source,
    options: { currency: "USD", ...options },
  }),
  stock: (source: string, options?: Options): FieldDefinition => ({
    type: "stock",
    source,
    options: {
      inStockLabel: "In Stock",
      outOfStockLabel: "Out of Stock",
      lowStockThreshold: 5,
      lowStockLabel: "Low Stock",
      ...options,
    },
  }),
  quantity: (source: string, options?: Options): FieldDefinition => ({
    type: "quantity",
    source,
    options: { min: 1, max: 99, step: 1, ...options },
  }),
  user: (source: string, options?: Options): FieldDefinition => ({ type: "user", source, options: options ?? {} }),
  reference: (source: string, options?: Options): FieldDefinition => ({
    type: "reference",
    source,
    options: options ?? {},
  }),
  actions: (items: unknown[], options?: Options): FieldDefinition => ({
    type: "actions",
    source: "",
    options: options ?? {},
    actions: items,
  }),
  custom: (source: string, render: FieldDefinition["render"], options?: Options): FieldDefinition => ({
    type: "custom",
    source,
    options: options ?? {},
    render,
  }),
};

/** Upstream's base class: nothing but the marker `_photonType` the subclasses set. */
abstract class PhotonUIType {
  abstract readonly _photonType: string;
}

export class Table extends PhotonUIType {
  readonly _photonType = "table" as const;
  private _columns: Row[] = [];
  private _fields: FieldDefinition[] = [];
  private _rows: Row[] = [];
  private _options: Options = {};
  constructor(data?: Row[]) {
    super();
    if (data && data.length > 0) {
      this._rows = data;
      this._inferColumns(data[0]);
    }
  }
  column(key: string, label?: string, type = "string", options?: Options): this {
    this._columns.push({ key, label, type, sortable: this._options.sortable ?? true, ...options });
    return this;
  }
  columns(cols: unknown[]): this {
    for (const col of cols) {
      if (Array.isArray(col)) this.column(col[0], col[1], col[2] ?? "string");
      else this._columns.push(col as Row);
    }
    return this;
  }
  fields(fieldDefs: FieldDefinition[]): this {
    this._fields = fieldDefs;
    return this;
  }
  field(fieldDef: FieldDefinition): this {
    this._fields.push(fieldDef);
    return this;
  }
  text(source: string, options?: Options): this {
    return this.field(Field.text(source, options));
  }
  email(source: string, options?: Options): this {
    return this.field(Field.email(source, options));
  }
  url(source: string, options?: Options): this {
    return this.field(Field.url(source, options));
  }
  phone(source: string, options?: Options): this {
    return this.field(Field.phone(source, options));
  }
  number(source: string, options?: Options): this {
    return this.field(Field.number(source, options));
  }
  currency(source: string, options?: Options): this {
    return this.field(Field.currency(source, options));
  }
  percent(source: string, options?: Options): this {
    return this.field(Field.percent(source, options));
  }
  date(source: string, options?: Options): this {
    return this.field(Field.date(source, options));
  }
  datetime(source: string, options?: Options): this {
    return this.field(Field.datetime(source, options));
  }
  boolean(source: string, options?: Options): this {
    return this.field(Field.boolean(source, options));
  }
  image(source: string, options?: Options): this {
    return this.field(Field.image(source, options));
  }
  avatar(source: string, options?: Options): this {
    return this.field(Field.avatar(source, options));
  }
  badge(source: string, options?: Options): this {
    return this.field(Field.badge(source, options));
  }
  tags(source: string, options?: Options): this {
    return this.field(Field.tags(source, options));
  }
  rating(source: string, options?: Options): this {
    return this.field(Field.rating(source, options));
  }
  price(source: string, options?: Options): this {
    return this.field(Field.price(source, options));
  }
  stock(source: string, options?: Options): this {
    return this.field(Field.stock(source, options));
  }
  user(source: string, options?: Options): this {
    return this.field(Field.user(source, options));
  }
  reference(source: string, options?: Options): this {
    return this.field(Field.reference(source, options));
  }
  actions(items: unknown[], options?: Options): this {
    return this.field(Field.actions(items, options));
  }
  custom(source: string, render: FieldDefinition["render"], options?: Options): this {
    return this.field(Field.custom(source, render, options));
  }
  rows(data: Row[]): this {
    this._rows = data;
    if (this._columns.length === 0 && data.length > 0) this._inferColumns(data[0]);
    return this;
  }
  row(data: Row): this {
    this._rows.push(data);
    if (this._columns.length === 0) this._inferColumns(data);
    return this;
  }
  title(title: string): this {
    this._options.title = title;
    return this;
  }
  searchable(enabled = true): this {
    this._options.searchable = enabled;
    return this;
  }
  sortable(enabled = true): this {
    this._options.sortable = enabled;
    return this;
  }
  paginated(pageSize = 10): this {
    this._options.paginated = true;
    this._options.pageSize = pageSize;
    return this;
  }
  selectable(enabled = true): this {
    this._options.selectable = enabled;
    return this;
  }
  striped(enabled = true): this {
    this._options.striped = enabled;
    return this;
  }
  compact(enabled = true): this {
    this._options.compact = enabled;
    return this;
  }
  private _inferColumns(row: Row): void {
    for (const [key, value] of Object.entries(row)) {
      this._columns.push({ key, label: this._formatLabel(key), type: this._inferType(value), sortable: true });
    }
  }
  private _inferType(value: unknown): string {
    if (typeof value === "number") return "number";
    if (typeof value === "boolean") return "boolean";
    if (value instanceof Date) return "date";
    if (typeof value === "string") {
      if (/^\d{4}-\d{2}-\d{2}/.test(value)) return "date";
      if (/^https?:\/\//.test(value)) return "link";
      if (/\.(jpg|jpeg|png|gif|webp|svg)$/i.test(value)) return "image";
    }
    return "string";
  }
  private _formatLabel(key: string): string {
    return key
      .replace(/([A-Z])/g, " $1")
      .replace(/[_-]/g, " ")
      .replace(/^\w/, (c) => c.toUpperCase())
      .trim();
  }
  get length(): number {
    return this._rows.length;
  }
  get isEmpty(): boolean {
    return this._rows.length === 0;
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      columns: this._columns,
      fields: this._fields,
      rows: this._rows,
      options: this._options,
    };
  }
}

export class Chart extends PhotonUIType {
  readonly _photonType = "chart" as const;
  private _type: string;
  private _labels: unknown[] = [];
  private _series: Row[] = [];
  private _data: Row[] = [];
  private _options: Options = { legend: true, showGrid: true, animate: true };
  constructor(type = "line") {
    super();
    this._type = type;
  }
  title(title: string): this {
    this._options.title = title;
    return this;
  }
  subtitle(subtitle: string): this {
    this._options.subtitle = subtitle;
    return this;
  }
  labels(labels: unknown[]): this {
    this._labels = labels;
    return this;
  }
  series(name: string, data: unknown[], color?: string): this {
    this._series.push({ name, data, color });
    return this;
  }
  data(points: Row[]): this {
    this._data = points;
    return this;
  }
  legend(position: boolean | string = true): this {
    this._options.legend = position;
    return this;
  }
  stacked(enabled = true): this {
    this._options.stacked = enabled;
    return this;
  }
  grid(enabled = true): this {
    this._options.showGrid = enabled;
    return this;
  }
  showValues(enabled = true): this {
    this._options.showValues = enabled;
    return this;
  }
  animate(enabled = true): this {
    this._options.animate = enabled;
    return this;
  }
  height(pixels: number): this {
    this._options.height = pixels;
    return this;
  }
  colors(colors: string[]): this {
    this._options.colors = colors;
    return this;
  }
  xAxis(label: string): this {
    this._options.xAxisLabel = label;
    return this;
  }
  yAxis(label: string): this {
    this._options.yAxisLabel = label;
    return this;
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      chartType: this._type,
      labels: this._labels,
      series: this._series,
      data: this._data,
      options: this._options,
    };
  }
}

export class Stats extends PhotonUIType {
  readonly _photonType = "stats" as const;
  private _stats: Row[] = [];
  private _options: Options = { columns: 4, bordered: true, animated: true };
  stat(label: string, value: unknown, options?: Options): this {
    this._stats.push({ label, value, ...options });
    return this;
  }
  currency(label: string, value: unknown, options?: Options): this {
    return this.stat(label, value, {
      format: "currency",
      prefix: options?.prefix ?? "$",
      trend: options?.trend,
      trendUp: options?.trendUp,
    });
  }
  percent(label: string, value: unknown, options?: Options): this {
    return this.stat(label, value, { format: "percent", suffix: "%", ...options });
  }
  count(label: string, value: unknown, options?: Options): this {
    return this.stat(label, value, { format: "compact", ...options });
  }
  title(title: string): this {
    this._options.title = title;
    return this;
  }
  columns(count: number): this {
    this._options.columns = count;
    return this;
  }
  compact(enabled = true): this {
    this._options.compact = enabled;
    return this;
  }
  bordered(enabled = true): this {
    this._options.bordered = enabled;
    return this;
  }
  animated(enabled = true): this {
    this._options.animated = enabled;
    return this;
  }
  get length(): number {
    return this._stats.length;
  }
  toJSON(): Record<string, unknown> {
    return { _photonType: this._photonType, stats: this._stats, options: this._options };
  }
}

export class Cards extends PhotonUIType {
  readonly _photonType = "cards" as const;
  private _items: Row[] = [];
  private _fields: Options = {};
  private _options: Options = { columns: 3, hoverable: true, bordered: true, aspectRatio: "auto" };
  constructor(items?: Row[]) {
    super();
    if (items) {
      this._items = items;
      this._inferFields(items[0]);
    }
  }
  title(title: string): this {
    this._options.title = title;
    return this;
  }
  image(field: string): this {
    this._fields.image = field;
    return this;
  }
  heading(field: string): this {
    this._fields.heading = field;
    return this;
  }
  subtitle(field: string): this {
    this._fields.subtitle = field;
    return this;
  }
  description(field: string): this {
    this._fields.description = field;
    return this;
  }
  badge(field: string): this {
    this._fields.badge = field;
    return this;
  }
  footer(field: string): this {
    this._fields.footer = field;
    return this;
  }
  link(field: string): this {
    this._fields.link = field;
    this._options.clickable = true;
    return this;
  }
  meta(...fields: string[]): this {
    this._fields.meta = fields;
    return this;
  }
  items(data: Row[]): this {
    this._items = data;
    if (Object.keys(this._fields).length === 0 && data.length > 0) this._inferFields(data[0]);
    return this;
  }
  item(data: Row): this {
    this._items.push(data);
    return this;
  }
  columns(count: number): this {
    this._options.columns = count;
    return this;
  }
  compact(enabled = true): this {
    this._options.compact = enabled;
    return this;
  }
  clickable(enabled = true): this {
    this._options.clickable = enabled;
    return this;
  }
  hoverable(enabled = true): this {
    this._options.hoverable = enabled;
    return this;
  }
  bordered(enabled = true): this {
    this._options.bordered = enabled;
    return this;
  }
  aspectRatio(ratio: string): this {
    this._options.aspectRatio = ratio;
    return this;
  }
  private _inferFields(item: Row): void {
    // `new Cards([])` reads the first item of an empty list, as upstream does.
    const keys = Object.keys(item);
    const find = (patterns: string[]) => keys.find((k) => patterns.some((p) => k.toLowerCase().includes(p)));
    this._fields.image = find(["image", "img", "photo", "picture", "avatar", "thumbnail"]);
    this._fields.heading = find(["name", "title", "heading"]);
    this._fields.subtitle = find(["subtitle", "category", "type"]);
    this._fields.description = find(["description", "summary", "text", "body", "content"]);
    this._fields.badge = find(["status", "badge", "tag", "label"]);
    this._fields.link = find(["url", "link", "href"]);
  }
  get length(): number {
    return this._items.length;
  }
  toJSON(): Record<string, unknown> {
    return { _photonType: this._photonType, items: this._items, fields: this._fields, options: this._options };
  }
}

export class Progress extends PhotonUIType {
  readonly _photonType = "progress" as const;
  private _bars: Row[] = [];
  private _steps: Row[] = [];
  private _value = 0;
  private _max = 100;
  private _options: Options = { style: "bar", size: "md", showValue: true, animated: true };
  constructor(valueOrStyle?: number | string) {
    super();
    if (typeof valueOrStyle === "number") this._value = valueOrStyle;
    else if (valueOrStyle) this._options.style = valueOrStyle;
  }
  value(val: number, max?: number): this {
    this._value = val;
    if (max !== undefined) this._max = max;
    return this;
  }
  label(text: string): this {
    this._options.title = text;
    return this;
  }
  bar(label: string, value: number, options?: Options): this {
    this._bars.push({
      label,
      value,
      max: options?.max ?? 100,
      color: options?.color,
      showValue: options?.showValue ?? true,
    });
    return this;
  }
  step(label: string, status = "pending", options?: Options): this {
    this._options.style = "steps";
    this._steps.push({ label, status, ...options });
    return this;
  }
  color(color: string): this {
    this._options.color = color;
    return this;
  }
  size(size: string): this {
    this._options.size = size;
    return this;
  }
  striped(enabled = true): this {
    this._options.striped = enabled;
    return this;
  }
  animated(enabled = true): this {
    this._options.animated = enabled;
    return this;
  }
  showValue(enabled = true): this {
    this._options.showValue = enabled;
    return this;
  }
  circle(): this {
    this._options.style = "circle";
    return this;
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      value: this._value,
      max: this._max,
      bars: this._bars,
      steps: this._steps,
      options: this._options,
    };
  }
}
