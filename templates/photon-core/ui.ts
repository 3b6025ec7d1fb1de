//! The UI data builders a tool returns (`Table`, `Field`, `Chart`, `Stats`, `Cards`, `Progress`): chained setters that serialise through `toJSON` into the `_photonType` shapes clients render.

import { defined } from "./io";

// biome-ignore lint/suspicious/noExplicitAny: rows are the photon's own objects; an interface type has no index signature, so only `any` accepts `Expense[]` as rows.
type Row = Record<string, any>;

/** What every builder shares: options set by chained calls, a title, and `toJSON`. */
abstract class UIType {
  abstract readonly _photonType: string;
  protected options: Record<string, unknown> = {};
  protected set(key: string, value: unknown): this {
    this.options[key] = value;
    return this;
  }
  title(title: string): this {
    return this.set("title", title);
  }
  abstract toJSON(): Record<string, unknown>;
}

function labelOf(key: string): string {
  const spaced = key
    .replace(/([A-Z])/g, " $1")
    .replace(/[_-]/g, " ")
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A typed column of the field-based Table API: `{type, source, options}`. */
export interface FieldDefinition {
  type: string;
  source: string;
  options: Record<string, unknown>;
  actions?: unknown[];
}

type FieldOptions = Record<string, unknown>;
const FIELD_TYPES = [
  "text",
  "email",
  "url",
  "phone",
  "number",
  "currency",
  "percent",
  "date",
  "datetime",
  "time",
  "boolean",
  "image",
  "avatar",
  "gallery",
  "file",
  "badge",
  "tags",
  "rating",
  "price",
  "stock",
  "quantity",
  "user",
  "reference",
] as const;
type FieldType = (typeof FIELD_TYPES)[number];

/** `Field.text('name')`, `Field.badge('status', {colors})`, ...: field definitions as data. */
export const Field = Object.fromEntries(
  FIELD_TYPES.map((type) => [
    type,
    (source: string, options?: FieldOptions): FieldDefinition => ({ type, source, options: options ?? {} }),
  ]),
) as unknown as Record<FieldType, (source: string, options?: FieldOptions) => FieldDefinition>;

export class Table extends UIType {
  readonly _photonType = "table" as const;
  private cols: Row[] = [];
  private fieldList: FieldDefinition[] = [];
  private data: Row[] = [];
  constructor(data?: Row[]) {
    super();
    if (Array.isArray(data)) this.rows(data);
  }
  column(key: string, label?: string, type = "string", options?: Row): this {
    this.cols.push({ key, label: label ?? labelOf(key), type, ...(options ?? {}) });
    return this;
  }
  columns(columns: unknown[]): this {
    for (const column of Array.isArray(columns) ? columns : []) {
      if (Array.isArray(column))
        this.column(String(column[0]), column[1] as string | undefined, column[2] as string | undefined);
      else if (column && typeof column === "object") this.cols.push(column as Row);
    }
    return this;
  }
  rows(data: Row[]): this {
    this.data = Array.isArray(data) ? data : [];
    return this;
  }
  row(data: Row): this {
    this.data.push(data);
    return this;
  }
  fields(definitions: FieldDefinition[]): this {
    this.fieldList = Array.isArray(definitions) ? [...definitions] : [];
    return this;
  }
  field(definition: FieldDefinition): this {
    this.fieldList.push(definition);
    return this;
  }
  private typed(type: FieldType, source: string, options?: FieldOptions): this {
    return this.field({ type, source, options: options ?? {} });
  }
  text(source: string, options?: FieldOptions): this {
    return this.typed("text", source, options);
  }
  email(source: string, options?: FieldOptions): this {
    return this.typed("email", source, options);
  }
  url(source: string, options?: FieldOptions): this {
    return this.typed("url", source, options);
  }
  phone(source: string, options?: FieldOptions): this {
    return this.typed("phone", source, options);
  }
  number(source: string, options?: FieldOptions): this {
    return this.typed("number", source, options);
  }
  currency(source: string, options?: FieldOptions): this {
    return this.typed("currency", source, options);
  }
  percent(source: string, options?: FieldOptions): this {
    return this.typed("percent", source, options);
  }
  date(source: string, options?: FieldOptions): this {
    return this.typed("date", source, options);
  }
  datetime(source: string, options?: FieldOptions): this {
    return this.typed("datetime", source, options);
  }
  boolean(source: string, options?: FieldOptions): this {
    return this.typed("boolean", source, options);
  }
  image(source: string, options?: FieldOptions): this {
    return this.typed("image", source, options);
  }
  avatar(source: string, options?: FieldOptions): this {
    return this.typed("avatar", source, options);
  }
  badge(source: string, options?: FieldOptions): this {
    return this.typed("badge", source, options);
  }
  tags(source: string, options?: FieldOptions): this {
    return this.typed("tags", source, options);
  }
  rating(source: string, options?: FieldOptions): this {
    return this.typed("rating", source, options);
  }
  price(source: string, options?: FieldOptions): this {
    return this.typed("price", source, options);
  }
  stock(source: string, options?: FieldOptions): this {
    return this.typed("stock", source, options);
  }
  user(source: string, options?: FieldOptions): this {
    return this.typed("user", source, options);
  }
  reference(source: string, options?: FieldOptions): this {
    return this.typed("reference", source, options);
  }
  actions(items: unknown[], options?: FieldOptions): this {
    return this.field({
      type: "actions",
      source: "",
      options: options ?? {},
      actions: Array.isArray(items) ? items : [],
    });
  }
  /** A render function cannot travel as JSON: the column is kept, the function is not. */
  custom(source: string, _render?: unknown, options?: FieldOptions): this {
    return this.field({ type: "custom", source, options: options ?? {} });
  }
  searchable(on = true): this {
    return this.set("searchable", on);
  }
  sortable(on = true): this {
    return this.set("sortable", on);
  }
  paginated(pageSize = 10): this {
    return this.set("paginated", true).set("pageSize", pageSize);
  }
  selectable(on = true): this {
    return this.set("selectable", on);
  }
  striped(on = true): this {
    return this.set("striped", on);
  }
  compact(on = true): this {
    return this.set("compact", on);
  }
  get length(): number {
    return this.data.length;
  }
  get isEmpty(): boolean {
    return this.data.length === 0;
  }
  toJSON(): Record<string, unknown> {
    // Columns come from the first row when none were given, as upstream infers them.
    const first = this.data[0];
    const columns =
      this.cols.length > 0 || this.fieldList.length > 0 || !first || typeof first !== "object"
        ? this.cols
        : Object.keys(first).map((key) => ({
            key,
            label: labelOf(key),
            type: typeof first[key] === "number" ? "number" : "string",
          }));
    return { _photonType: this._photonType, columns, fields: this.fieldList, rows: this.data, options: this.options };
  }
}

export class Chart extends UIType {
  readonly _photonType = "chart" as const;
  private labelList: string[] = [];
  private seriesList: Row[] = [];
  private points: Row[] = [];
  constructor(private readonly chartType: string = "line") {
    super();
  }
  subtitle(text: string): this {
    return this.set("subtitle", text);
  }
  labels(labels: string[]): this {
    this.labelList = Array.isArray(labels) ? labels : [];
    return this;
  }
  series(name: string, data: number[], color?: string): this {
    this.seriesList.push(defined({ name, data: Array.isArray(data) ? data : [], color }));
    return this;
  }
  data(points: Row[]): this {
    this.points = Array.isArray(points) ? points : [];
    return this;
  }
  legend(position: boolean | string = true): this {
    return this.set("legend", position);
  }
  stacked(on = true): this {
    return this.set("stacked", on);
  }
  grid(on = true): this {
    return this.set("showGrid", on);
  }
  showValues(on = true): this {
    return this.set("showValues", on);
  }
  animate(on = true): this {
    return this.set("animate", on);
  }
  height(pixels: number): this {
    return this.set("height", pixels);
  }
  colors(colors: string[]): this {
    return this.set("colors", colors);
  }
  xAxis(label: string): this {
    return this.set("xAxisLabel", label);
  }
  yAxis(label: string): this {
    return this.set("yAxisLabel", label);
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      chartType: this.chartType,
      labels: this.labelList,
      series: this.seriesList,
      data: this.points,
      options: this.options,
    };
  }
}

export class Stats extends UIType {
  readonly _photonType = "stats" as const;
  private items: Row[] = [];
  stat(label: string, value: number | string, options?: Row): this {
    this.items.push({ label, value, ...(options ?? {}) });
    return this;
  }
  currency(label: string, value: number, options: Row = {}): this {
    return this.stat(label, value, { format: "currency", prefix: "$", ...options });
  }
  percent(label: string, value: number, options: Row = {}): this {
    return this.stat(label, value, { format: "percent", suffix: "%", ...options });
  }
  count(label: string, value: number, options: Row = {}): this {
    return this.stat(label, value, { format: "compact", ...options });
  }
  columns(count: number): this {
    return this.set("columns", count);
  }
  compact(on = true): this {
    return this.set("compact", on);
  }
  bordered(on = true): this {
    return this.set("bordered", on);
  }
  animated(on = true): this {
    return this.set("animated", on);
  }
  get length(): number {
    return this.items.length;
  }
  toJSON(): Record<string, unknown> {
    return { _photonType: this._photonType, stats: this.items, options: this.options };
  }
}

export class Cards extends UIType {
  readonly _photonType = "cards" as const;
  private data: Row[] = [];
  private fields: Record<string, unknown> = {};
  constructor(items?: Row[]) {
    super();
    if (Array.isArray(items)) this.data = items;
  }
  private field(slot: string, name: string): this {
    this.fields[slot] = name;
    return this;
  }
  image(field: string): this {
    return this.field("image", field);
  }
  heading(field: string): this {
    return this.field("heading", field);
  }
  subtitle(field: string): this {
    return this.field("subtitle", field);
  }
  description(field: string): this {
    return this.field("description", field);
  }
  badge(field: string): this {
    return this.field("badge", field);
  }
  footer(field: string): this {
    return this.field("footer", field);
  }
  link(field: string): this {
    return this.field("link", field).set("clickable", true);
  }
  meta(...fields: string[]): this {
    this.fields.meta = fields;
    return this;
  }
  items(data: Row[]): this {
    this.data = Array.isArray(data) ? data : [];
    return this;
  }
  item(data: Row): this {
    this.data.push(data);
    return this;
  }
  columns(count: number): this {
    return this.set("columns", count);
  }
  compact(on = true): this {
    return this.set("compact", on);
  }
  clickable(on = true): this {
    return this.set("clickable", on);
  }
  hoverable(on = true): this {
    return this.set("hoverable", on);
  }
  bordered(on = true): this {
    return this.set("bordered", on);
  }
  aspectRatio(ratio: string): this {
    return this.set("aspectRatio", ratio);
  }
  get length(): number {
    return this.data.length;
  }
  toJSON(): Record<string, unknown> {
    return { _photonType: this._photonType, items: this.data, fields: this.fields, options: this.options };
  }
}

export class Progress extends UIType {
  readonly _photonType = "progress" as const;
  private current = 0;
  private max = 100;
  private bars: Row[] = [];
  private steps: Row[] = [];
  constructor(valueOrStyle?: number | string) {
    super();
    if (typeof valueOrStyle === "number") this.current = valueOrStyle;
    else if (typeof valueOrStyle === "string") this.set("style", valueOrStyle);
  }
  value(value: number, max?: number): this {
    this.current = value;
    if (max !== undefined) this.max = max;
    return this;
  }
  label(text: string): this {
    return this.set("title", text);
  }
  bar(label: string, value: number, options: Row = {}): this {
    this.bars.push({ label, value, max: 100, showValue: true, ...options });
    return this;
  }
  step(label: string, status = "pending", options: Row = {}): this {
    this.steps.push({ label, status, ...options });
    return this.set("style", "steps");
  }
  color(color: string): this {
    return this.set("color", color);
  }
  size(size: string): this {
    return this.set("size", size);
  }
  striped(on = true): this {
    return this.set("striped", on);
  }
  animated(on = true): this {
    return this.set("animated", on);
  }
  showValue(on = true): this {
    return this.set("showValue", on);
  }
  circle(): this {
    return this.set("style", "circle");
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      value: this.current,
      max: this.max,
      bars: this.bars,
      steps: this.steps,
      options: this.options,
    };
  }
}
