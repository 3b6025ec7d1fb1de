//! `wrangler.toml`: the keys photon-cf owns, merged into the user's file with toml_edit, and the
//! append-only `[[migrations]]` that keep an already-deployed Worker valid.
//!
//! Design decision: a new file is the rendered skeleton (`templates/wrangler.toml.j2`) merged the
//! same way as an existing one, so there is one code path. Everything not listed in
//! [`WranglerPlan`] (vars, routes, other bindings, comments, ordering) is left as the user wrote
//! it. Migrations are never rewritten: Cloudflare rejects a deploy whose migration history differs
//! from what it applied, so a change of classes is always a new `[[migrations]]` entry with the
//! next `vN` tag.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use toml_edit::{
    Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value, value,
};

use crate::diagnostics::{Diagnostics, SourceFile, catalog};
use crate::model::Span;

/// What photon-cf wants the file to say.
#[derive(Debug, Clone)]
pub struct WranglerPlan {
    /// Worker name for a new file; an existing `name` is kept, since renaming would create a
    /// second Worker and orphan the deployed one with its Durable Object data.
    pub worker_name: String,
    /// `--compatibility-date`: wins over the file; otherwise the file's own, else the default.
    pub compatibility_date: Option<String>,
    /// `(binding, class_name)` for every Durable Object the worker exports, in order.
    pub bindings: Vec<(String, String)>,
    /// `(specifier, path)` entries photon-cf owns in `[alias]` (from the layout table).
    pub aliases: Vec<(String, String)>,
    /// Write `deleted_classes` for classes that are gone instead of reporting an error.
    pub allow_delete_classes: bool,
    /// `this.cf` bindings, the deploy target and `--logs` (`wrangler_platform.rs`).
    pub platform: super::wrangler_platform::PlatformPlan,
}

/// The merged file and what the merge decided.
#[derive(Debug, Clone)]
pub struct WranglerMerge {
    pub text: String,
    /// The Worker's `name` as the file now says (the user's, when they set one).
    pub worker_name: String,
    /// The migration appended by this build, if the classes changed.
    pub migration: Option<Migration>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migration {
    pub tag: String,
    pub new_sqlite_classes: Vec<String>,
    pub renamed_classes: Vec<(String, String)>,
    pub deleted_classes: Vec<String>,
}

/// Merge `plan` into `text` (an existing `wrangler.toml`, or the rendered skeleton).
///
/// `path` names the file in diagnostics. Errors: the file does not parse, a key photon-cf merges
/// into has a type it cannot merge into (`durable_objects = 3`, `migrations = "x"`), or a
/// deployed class would disappear without `--allow-delete-classes`. Inline tables and inline
/// arrays of tables (`durable_objects = { bindings = [...] }`, `migrations = [{ ... }]`,
/// `alias = { ... }`) are merged in the form the user wrote them.
pub fn merge(
    text: &str,
    path: &Path,
    plan: &WranglerPlan,
    default_date: &str,
) -> Result<WranglerMerge, Diagnostics> {
    let file = SourceFile::new(path, Arc::from(text));
    // Parse keeping spans, so a key of the wrong type can be pointed at; then drop them to edit.
    let parsed = toml_edit::Document::parse(text).map_err(|err: toml_edit::TomlError| {
        let span = err
            .span()
            .map(|r| Span::new(r.start, r.end.saturating_sub(r.start)))
            .unwrap_or_default();
        let message = err.message().trim().to_string();
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(
            crate::diagnostics::catalog::invalid_wrangler_toml(path).at(&file, span, message),
        );
        diagnostics
    })?;
    let shape = check_shape(parsed.as_table(), &file);
    if shape.has_errors() {
        return Err(shape);
    }
    let mut doc = parsed.into_mut();

    set_if_absent(&mut doc, "name", &plan.worker_name);
    doc["main"] = value("src/worker.ts");
    match &plan.compatibility_date {
        Some(date) => doc["compatibility_date"] = value(date.as_str()),
        None => set_if_absent(&mut doc, "compatibility_date", default_date),
    }
    ensure_flag(&mut doc, "nodejs_compat");
    set_aliases(&mut doc, &plan.aliases);
    super::wrangler_platform::apply(&mut doc, &plan.platform);

    let mut diagnostics = Diagnostics::new();
    let old_bindings = existing_bindings(&doc);
    set_bindings(&mut doc, &plan.bindings);
    let migration = migrate(&mut doc, plan, &old_bindings, &file, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let worker_name = doc
        .get("name")
        .and_then(Item::as_str)
        .unwrap_or(&plan.worker_name)
        .to_string();
    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(WranglerMerge {
        text,
        worker_name,
        migration,
    })
}

/// The TOML type a key must have for photon-cf to merge into it.
#[derive(Clone, Copy)]
enum Shape {
    String,
    /// An array (any elements: photon-cf only appends its own string).
    Array,
    StringArray,
    /// `[table]` or `{ inline = "table" }`.
    Table,
    /// `[[tables]]` or `[{ inline = "tables" }]`.
    Tables,
    /// Either of `Array` and `Tables` (`routes`: patterns or `{ pattern, ... }` tables).
    List,
}

impl Shape {
    fn describe(self) -> &'static str {
        match self {
            Shape::String => "a string",
            Shape::Array => "an array",
            Shape::StringArray => "an array of strings",
            Shape::Table => "a table",
            Shape::Tables => "an array of tables",
            Shape::List => "an array",
        }
    }

    fn accepts(self, item: &Item) -> bool {
        match self {
            Shape::String => item.is_str(),
            Shape::Array => item.is_array(),
            Shape::StringArray => item
                .as_array()
                .is_some_and(|a| a.iter().all(|v| v.as_str().is_some())),
            Shape::Table => item.is_table_like(),
            Shape::List => item.is_array() || item.is_array_of_tables(),
            Shape::Tables => {
                item.is_array_of_tables()
                    || item
                        .as_array()
                        .is_some_and(|a| a.iter().all(|v| v.as_inline_table().is_some()))
            }
        }
    }
}

/// The keys photon-cf reads or merges into, with the type each must have. Everything else in the
/// file is the user's and is never looked at.
const ROOT_SHAPES: &[(&str, Shape)] = &[
    ("name", Shape::String),
    ("compatibility_date", Shape::String),
    ("compatibility_flags", Shape::Array),
    ("alias", Shape::Table),
    ("durable_objects", Shape::Table),
    ("migrations", Shape::Tables),
    // Merged into by wrangler_platform.rs.
    ("kv_namespaces", Shape::Tables),
    ("r2_buckets", Shape::Tables),
    ("d1_databases", Shape::Tables),
    ("vectorize", Shape::Tables),
    ("queues", Shape::Table),
    ("routes", Shape::List),
    ("observability", Shape::Table),
];
const MIGRATION_SHAPES: &[(&str, Shape)] = &[
    ("tag", Shape::String),
    ("new_classes", Shape::StringArray),
    ("new_sqlite_classes", Shape::StringArray),
    ("deleted_classes", Shape::StringArray),
    ("renamed_classes", Shape::Tables),
    ("transferred_classes", Shape::Tables),
];
const RENAME_SHAPES: &[(&str, Shape)] = &[("from", Shape::String), ("to", Shape::String)];

/// A located error for every key photon-cf would have to merge into but cannot, so a wrong type
/// is refused with its line instead of being overwritten (or crashing the merge).
fn check_shape(root: &Table, file: &SourceFile) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    check_keys(root, ROOT_SHAPES, "", file, &mut diagnostics);
    // The nested arrays of tables photon-cf appends to.
    for (table, key) in [("queues", "producers"), ("durable_objects", "bindings")] {
        if let Some(nested) = root.get(table).and_then(Item::as_table_like) {
            let prefix = format!("{table}.");
            check_keys(
                nested,
                &[(key, Shape::Tables)],
                &prefix,
                file,
                &mut diagnostics,
            );
        }
    }
    for (i, migration) in table_list(root.get("migrations")).into_iter().enumerate() {
        let prefix = format!("migrations[{i}].");
        check_keys(migration, MIGRATION_SHAPES, &prefix, file, &mut diagnostics);
        for key in ["renamed_classes", "transferred_classes"] {
            for (j, pair) in table_list(migration.get(key)).into_iter().enumerate() {
                let prefix = format!("{prefix}{key}[{j}].");
                check_keys(pair, RENAME_SHAPES, &prefix, file, &mut diagnostics);
            }
        }
    }
    diagnostics
}

fn check_keys(
    table: &dyn TableLike,
    shapes: &[(&str, Shape)],
    prefix: &str,
    file: &SourceFile,
    diagnostics: &mut Diagnostics,
) {
    for (key, shape) in shapes {
        let Some(item) = table.get(key) else {
            continue;
        };
        if shape.accepts(item) {
            continue;
        }
        // Point at the value; a standard table or array of tables has no value span, so fall
        // back to the key (its header).
        let range = item
            .span()
            .or_else(|| table.get_key_value(key).and_then(|(k, _)| k.span()));
        let span = range
            .map(|r| Span::new(r.start, r.end.saturating_sub(r.start)))
            .unwrap_or_default();
        let (line, _) = crate::diagnostics::line_col(&file.text, span.offset);
        diagnostics.push(
            catalog::wrangler_toml_wrong_type(
                &file.path,
                line,
                &format!("{prefix}{key}"),
                shape.describe(),
                type_name(item),
            )
            .at(file, span, format!("expected {}", shape.describe())),
        );
    }
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(value) => match value {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(array) if array.iter().all(|v| v.is_inline_table()) => {
                "an array of inline tables"
            }
            Value::Array(_) => "an array holding other values",
            Value::InlineTable(_) => "an inline table",
        },
    }
}

/// The tables of a list written either way: `[[key]]` or `key = [{ ... }, ...]`. Anything else
/// is an empty list (`check_shape` has refused it before a merge starts).
pub(super) fn table_list(item: Option<&Item>) -> Vec<&dyn TableLike> {
    match item {
        Some(Item::ArrayOfTables(tables)) => tables.iter().map(|t| t as &dyn TableLike).collect(),
        Some(Item::Value(Value::Array(array))) => array
            .iter()
            .filter_map(Value::as_inline_table)
            .map(|t| t as &dyn TableLike)
            .collect(),
        _ => Vec::new(),
    }
}

/// A list of tables to edit, in whichever form the user wrote it.
pub(super) enum TableListMut<'a> {
    Standard(&'a mut ArrayOfTables),
    Inline(&'a mut Array),
}

impl<'a> TableListMut<'a> {
    pub(super) fn of(item: &'a mut Item) -> Option<Self> {
        match item {
            Item::ArrayOfTables(tables) => Some(Self::Standard(tables)),
            Item::Value(Value::Array(array)) => Some(Self::Inline(array)),
            _ => None,
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&dyn TableLike) -> bool) {
        match self {
            Self::Standard(tables) => tables.retain(|t| keep(t)),
            Self::Inline(array) => array.retain(|v| v.as_inline_table().is_none_or(|t| keep(t))),
        }
    }

    fn find_mut(
        &mut self,
        mut found: impl FnMut(&dyn TableLike) -> bool,
    ) -> Option<&mut dyn TableLike> {
        match self {
            Self::Standard(tables) => tables
                .iter_mut()
                .find(|t| found(&**t))
                .map(|t| t as &mut dyn TableLike),
            Self::Inline(array) => array
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .find(|t| found(&**t))
                .map(|t| t as &mut dyn TableLike),
        }
    }

    /// Append a table with `entries`, as `[[...]]` or as an inline table to match the list.
    pub(super) fn push(&mut self, entries: Vec<(&str, Value)>) {
        match self {
            Self::Standard(tables) => {
                let mut table = Table::new();
                for (key, entry) in entries {
                    table.insert(key, Item::Value(entry));
                }
                tables.push(table);
            }
            Self::Inline(array) => {
                let mut table = InlineTable::new();
                for (key, entry) in entries {
                    table.insert(key, entry);
                }
                array.push(table);
            }
        }
    }
}

fn set_if_absent(doc: &mut DocumentMut, key: &str, default: &str) {
    let present = doc.get(key).and_then(Item::as_str).is_some();
    if !present {
        doc[key] = value(default);
    }
}

fn ensure_flag(doc: &mut DocumentMut, flag: &str) {
    match doc
        .get_mut("compatibility_flags")
        .and_then(Item::as_array_mut)
    {
        Some(flags) => {
            if !flags.iter().any(|f| f.as_str() == Some(flag)) {
                flags.push(flag);
            }
        }
        None => {
            let mut flags = Array::new();
            flags.push(flag);
            doc["compatibility_flags"] = value(flags);
        }
    }
}

fn set_aliases(doc: &mut DocumentMut, aliases: &[(String, String)]) {
    if !doc.get("alias").is_some_and(Item::is_table_like) {
        doc["alias"] = Item::Table(Table::new());
    }
    let Some(alias) = doc.get_mut("alias").and_then(Item::as_table_like_mut) else {
        return;
    };
    for (key, target) in aliases {
        if alias.get(key).and_then(Item::as_str) != Some(target.as_str()) {
            alias.insert(key, value(target.as_str()));
        }
    }
}

/// The classes the earlier migrations leave deployed, in the order they were introduced.
fn live_classes(doc: &DocumentMut) -> (Vec<String>, Vec<String>) {
    let mut live: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    for migration in table_list(doc.get("migrations")) {
        if let Some(tag) = migration.get("tag").and_then(Item::as_str) {
            tags.push(tag.to_string());
        }
        for key in ["new_classes", "new_sqlite_classes"] {
            for class in strings(migration.get(key)) {
                if !live.contains(&class) {
                    live.push(class);
                }
            }
        }
        for (from, to) in pairs(migration.get("renamed_classes"), "from", "to") {
            match live.iter_mut().find(|c| **c == from) {
                Some(class) => *class = to,
                None => live.push(to),
            }
        }
        for (_, to) in pairs(migration.get("transferred_classes"), "from", "to") {
            if !live.contains(&to) {
                live.push(to);
            }
        }
        for class in strings(migration.get("deleted_classes")) {
            live.retain(|c| *c != class);
        }
    }
    (live, tags)
}

fn strings(item: Option<&Item>) -> Vec<String> {
    item.and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(item: Option<&Item>, a: &str, b: &str) -> Vec<(String, String)> {
    table_list(item)
        .into_iter()
        .filter_map(|t| {
            let x = t.get(a).and_then(Item::as_str)?;
            let y = t.get(b).and_then(Item::as_str)?;
            Some((x.to_string(), y.to_string()))
        })
        .collect()
}

/// `PHOTON` / `PHOTON_*` bindings to a class of this worker (no `script_name`) are ours.
fn is_our_binding(table: &dyn TableLike) -> bool {
    let name = table.get("name").and_then(Item::as_str).unwrap_or("");
    crate::names::is_photon_binding(name) && table.get("script_name").is_none()
}

fn binding_list(doc: &DocumentMut) -> Option<&Item> {
    doc.get("durable_objects")
        .and_then(Item::as_table_like)
        .and_then(|d| d.get("bindings"))
}

fn existing_bindings(doc: &DocumentMut) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for table in table_list(binding_list(doc)) {
        if is_our_binding(table)
            && let (Some(name), Some(class)) = (
                table.get("name").and_then(Item::as_str),
                table.get("class_name").and_then(Item::as_str),
            )
        {
            out.insert(name.to_string(), class.to_string());
        }
    }
    out
}

/// Compare the deployed classes with the wanted ones and append a migration for the difference.
fn migrate(
    doc: &mut DocumentMut,
    plan: &WranglerPlan,
    old_bindings: &BTreeMap<String, String>,
    file: &SourceFile,
    diagnostics: &mut Diagnostics,
) -> Option<Migration> {
    let (live, tags) = live_classes(doc);
    let wanted: Vec<&str> = plan.bindings.iter().map(|(_, c)| c.as_str()).collect();

    let mut added: Vec<String> = wanted
        .iter()
        .filter(|c| !live.iter().any(|l| l == *c))
        .map(|c| c.to_string())
        .collect();
    let mut gone: Vec<String> = live
        .iter()
        .filter(|l| !wanted.contains(&l.as_str()))
        .cloned()
        .collect();

    // A binding that now points at another class is the same photon under a new name (a renamed
    // file): rename the class so its stored data moves with it.
    let mut renamed = Vec::new();
    for (binding, class) in &plan.bindings {
        if !added.contains(class) {
            continue;
        }
        if let Some(old) = old_bindings.get(binding)
            && let Some(i) = gone.iter().position(|g| g == old)
        {
            renamed.push((gone.remove(i), class.clone()));
            added.retain(|a| a != class);
        }
    }

    let mut deleted = Vec::new();
    for class in gone {
        if plan.allow_delete_classes {
            deleted.push(class);
            continue;
        }
        let binding = old_bindings
            .iter()
            .find(|(_, c)| **c == class)
            .map(|(b, _)| format!(" (binding `{b}`)"))
            .unwrap_or_default();
        let quoted = format!("\"{class}\"");
        let span = file
            .text
            .find(&quoted)
            .map(|offset| Span::new(offset, quoted.len()))
            .unwrap_or_default();
        diagnostics.push(
            crate::diagnostics::catalog::class_removed(&class, &binding).at(
                file,
                span,
                "declared here",
            ),
        );
    }

    if added.is_empty() && renamed.is_empty() && deleted.is_empty() {
        return None;
    }
    let migration = Migration {
        tag: next_tag(&tags),
        new_sqlite_classes: added,
        renamed_classes: renamed,
        deleted_classes: deleted,
    };
    if !diagnostics.has_errors() {
        append_migration(doc, &migration);
    }
    Some(migration)
}

/// `v<N+1>` after the highest `vN` tag; never a tag already used.
fn next_tag(tags: &[String]) -> String {
    let used: BTreeSet<&str> = tags.iter().map(String::as_str).collect();
    let highest = tags
        .iter()
        .filter_map(|t| t.strip_prefix('v')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    // A user's tag can be as high as `v18446744073709551615`: count on from there without
    // overflowing, then wrap to the lowest free number (there are more numbers than tags).
    let start = highest.max(tags.len() as u64).saturating_add(1);
    (start..=u64::MAX)
        .chain(1..start)
        .map(|n| format!("v{n}"))
        .find(|tag| !used.contains(tag.as_str()))
        .unwrap_or_else(|| format!("v{}", tags.len() + 1))
}

fn append_migration(doc: &mut DocumentMut, migration: &Migration) {
    let mut entries: Vec<(&str, Value)> = vec![("tag", Value::from(migration.tag.as_str()))];
    if !migration.new_sqlite_classes.is_empty() {
        entries.push((
            "new_sqlite_classes",
            Value::Array(string_array(&migration.new_sqlite_classes)),
        ));
    }
    if !migration.renamed_classes.is_empty() {
        let mut array = Array::new();
        for (from, to) in &migration.renamed_classes {
            let mut pair = InlineTable::new();
            pair.insert("from", from.as_str().into());
            pair.insert("to", to.as_str().into());
            array.push(pair);
        }
        entries.push(("renamed_classes", Value::Array(array)));
    }
    if !migration.deleted_classes.is_empty() {
        entries.push((
            "deleted_classes",
            Value::Array(string_array(&migration.deleted_classes)),
        ));
    }
    // Appended in the form the user's list has (`[[migrations]]` or `migrations = [{...}]`).
    if let Some(mut migrations) = doc.get_mut("migrations").and_then(TableListMut::of) {
        migrations.push(entries);
        return;
    }
    let mut migrations = ArrayOfTables::new();
    TableListMut::Standard(&mut migrations).push(entries);
    doc["migrations"] = Item::ArrayOfTables(migrations);
}

fn string_array(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

/// Point our bindings at the wanted classes: update in place (keeping the user's comments on
/// them), drop ours that are gone, append new ones. The user's own bindings are untouched, and
/// so is the form they wrote (`[[durable_objects.bindings]]`, `durable_objects = { bindings =
/// [...] }`, or `[durable_objects]` with an inline `bindings = [...]`).
fn set_bindings(doc: &mut DocumentMut, wanted: &[(String, String)]) {
    if !doc.get("durable_objects").is_some_and(Item::is_table_like) {
        let mut table = Table::new();
        table.set_implicit(true);
        doc["durable_objects"] = Item::Table(table);
    }
    let Some(durable_objects) = doc.get_mut("durable_objects") else {
        return;
    };
    // `[[durable_objects.bindings]]` needs a standard, non-dotted parent; otherwise the list is
    // written inline like its parent.
    let standard_parent = durable_objects.as_table().is_some_and(|t| !t.is_dotted());
    let Some(durable_objects) = durable_objects.as_table_like_mut() else {
        return;
    };
    if durable_objects.get("bindings").is_none() {
        let empty = if standard_parent {
            Item::ArrayOfTables(ArrayOfTables::new())
        } else {
            Item::Value(Value::Array(Array::new()))
        };
        durable_objects.insert("bindings", empty);
    }
    let Some(mut bindings) = durable_objects
        .get_mut("bindings")
        .and_then(TableListMut::of)
    else {
        return;
    };
    bindings.retain(|t| {
        !is_our_binding(t)
            || t.get("name")
                .and_then(Item::as_str)
                .is_some_and(|n| wanted.iter().any(|(b, _)| b == n))
    });
    for (binding, class) in wanted {
        let existing = bindings.find_mut(|t| {
            is_our_binding(t) && t.get("name").and_then(Item::as_str) == Some(binding)
        });
        match existing {
            Some(table) => {
                if table.get("class_name").and_then(Item::as_str) != Some(class) {
                    match table.get_mut("class_name") {
                        Some(item) => *item = value(class.as_str()),
                        None => {
                            table.insert("class_name", value(class.as_str()));
                        }
                    }
                }
            }
            None => bindings.push(vec![
                ("name", Value::from(binding.as_str())),
                ("class_name", Value::from(class.as_str())),
            ]),
        }
    }
}

/// A JSON value as a TOML value (for the `|toml` template filter); `None` for null.
pub fn toml_value(json: &serde_json::Value) -> Option<Value> {
    Some(match json {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64()?),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(toml_value(item)?);
            }
            Value::Array(array)
        }
        serde_json::Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                table.insert(k, toml_value(v)?);
            }
            Value::InlineTable(table)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(bindings: &[(&str, &str)]) -> WranglerPlan {
        WranglerPlan {
            worker_name: "counter".into(),
            compatibility_date: None,
            bindings: bindings
                .iter()
                .map(|(b, c)| (b.to_string(), c.to_string()))
                .collect(),
            aliases: crate::render::layout::aliases(&Default::default())
                .into_iter()
                .map(|(specifier, path)| (specifier.to_string(), path))
                .collect(),
            allow_delete_classes: false,
            platform: Default::default(),
        }
    }

    fn run(text: &str, plan: &WranglerPlan) -> Result<WranglerMerge, Diagnostics> {
        merge(text, Path::new("wrangler.toml"), plan, "2026-04-01")
    }

    const BASE: &[(&str, &str)] = &[
        ("PHOTON", "CounterPhotonDO"),
        ("PHOTON_GLOBAL", "PhotonGlobalStore"),
    ];

    #[test]
    fn new_file_declares_classes_in_v1() {
        let merged = run("", &plan(BASE)).unwrap();
        insta::assert_snapshot!(merged.text, @r#"
        name = "counter"
        main = "src/worker.ts"
        compatibility_date = "2026-04-01"
        compatibility_flags = ["nodejs_compat"]

        [alias]
        "@portel/photon-core" = "./src/photon-core/index.ts"
        "@portel/photon" = "./src/photon-core/index.ts"

        [[durable_objects.bindings]]
        name = "PHOTON"
        class_name = "CounterPhotonDO"

        [[durable_objects.bindings]]
        name = "PHOTON_GLOBAL"
        class_name = "PhotonGlobalStore"

        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["CounterPhotonDO", "PhotonGlobalStore"]
        "#);
    }

    #[test]
    fn rebuild_keeps_user_keys_and_comments_and_is_stable() {
        let first = run("", &plan(BASE)).unwrap().text;
        let edited = format!(
            "# my worker\n{first}\n[vars]\nGREETING = \"hi\" # shown on /\n\nroutes = []\n"
        );
        let again = run(&edited, &plan(BASE)).unwrap();
        assert_eq!(
            again.text, edited,
            "nothing of ours changed, so nothing moves"
        );
        assert!(again.migration.is_none());
    }

    #[test]
    fn user_compatibility_date_and_name_survive_and_flag_overrides_date() {
        let text = "name = \"prod-counter\"\ncompatibility_date = \"2025-01-01\"\ncompatibility_flags = [\"url_standard\"]\n";
        let merged = run(text, &plan(BASE)).unwrap().text;
        assert!(merged.contains("name = \"prod-counter\""));
        assert!(merged.contains("compatibility_date = \"2025-01-01\""));
        assert!(merged.contains("compatibility_flags = [\"url_standard\", \"nodejs_compat\"]"));
        let mut with_flag = plan(BASE);
        with_flag.compatibility_date = Some("2026-02-02".into());
        let merged = run(text, &with_flag).unwrap().text;
        assert!(merged.contains("compatibility_date = \"2026-02-02\""));
    }

    #[test]
    fn redeploy_sequence_appends_migrations() {
        // 1. the host alone.
        let v1 = run("", &plan(BASE)).unwrap().text;
        // 2. a sibling is added: a new class in v2.
        let with_sibling = [
            ("PHOTON", "CounterPhotonDO"),
            ("PHOTON_FORMATTER", "FormatterPhotonDO"),
            ("PHOTON_GLOBAL", "PhotonGlobalStore"),
        ];
        let v2 = run(&v1, &plan(&with_sibling)).unwrap();
        assert_eq!(
            v2.migration,
            Some(Migration {
                tag: "v2".into(),
                new_sqlite_classes: vec!["FormatterPhotonDO".into()],
                ..Migration::default()
            })
        );
        // 3. the host file is renamed: same binding, new class → renamed_classes.
        let renamed = [
            ("PHOTON", "TallyPhotonDO"),
            ("PHOTON_FORMATTER", "FormatterPhotonDO"),
            ("PHOTON_GLOBAL", "PhotonGlobalStore"),
        ];
        let v3 = run(&v2.text, &plan(&renamed)).unwrap();
        assert_eq!(
            v3.migration.as_ref().unwrap().renamed_classes,
            vec![("CounterPhotonDO".to_string(), "TallyPhotonDO".to_string())]
        );
        // 4. the sibling is removed: an error unless deleting is allowed.
        let alone = [
            ("PHOTON", "TallyPhotonDO"),
            ("PHOTON_GLOBAL", "PhotonGlobalStore"),
        ];
        let refused = run(&v3.text, &plan(&alone)).unwrap_err();
        let codes: Vec<_> = refused.iter().map(|d| d.code).collect();
        assert_eq!(codes, [crate::diagnostics::catalog::CLASS_REMOVED]);
        let mut allowed = plan(&alone);
        allowed.allow_delete_classes = true;
        let v4 = run(&v3.text, &allowed).unwrap();
        insta::assert_snapshot!(v4.text, @r#"
        name = "counter"
        main = "src/worker.ts"
        compatibility_date = "2026-04-01"
        compatibility_flags = ["nodejs_compat"]

        [alias]
        "@portel/photon-core" = "./src/photon-core/index.ts"
        "@portel/photon" = "./src/photon-core/index.ts"

        [[durable_objects.bindings]]
        name = "PHOTON"
        class_name = "TallyPhotonDO"

        [[durable_objects.bindings]]
        name = "PHOTON_GLOBAL"
        class_name = "PhotonGlobalStore"

        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["CounterPhotonDO", "PhotonGlobalStore"]

        [[migrations]]
        tag = "v2"
        new_sqlite_classes = ["FormatterPhotonDO"]

        [[migrations]]
        tag = "v3"
        renamed_classes = [{ from = "CounterPhotonDO", to = "TallyPhotonDO" }]

        [[migrations]]
        tag = "v4"
        deleted_classes = ["FormatterPhotonDO"]
        "#);
        // 5. building again changes nothing.
        let v5 = run(&v4.text, &plan(&alone)).unwrap();
        assert_eq!(v5.text, v4.text);
        assert!(v5.migration.is_none());
    }

    #[test]
    fn user_bindings_to_other_workers_are_kept() {
        let text = "[[durable_objects.bindings]]\nname = \"PHOTON_EXTERNAL\"\nclass_name = \"Other\"\nscript_name = \"other-worker\"\n";
        let merged = run(text, &plan(BASE)).unwrap().text;
        assert!(merged.contains("script_name = \"other-worker\""));
        assert!(merged.contains("class_name = \"CounterPhotonDO\""));
    }

    #[test]
    fn invalid_toml_is_a_located_diagnostic() {
        let err = run("name = \n", &plan(BASE)).unwrap_err();
        let diagnostic = err.iter().next().unwrap();
        assert_eq!(
            diagnostic.code,
            crate::diagnostics::catalog::INVALID_WRANGLER_TOML
        );
        assert_eq!(diagnostic.line_col(), Some((1, 8)));
    }

    /// Merge, check that the merge keeps `kept` (the user's own text), and that merging the
    /// result again changes nothing.
    fn merged_and_stable(text: &str, kept: &[&str]) -> String {
        let merged = run(text, &plan(BASE))
            .unwrap_or_else(|e| panic!("{text:?} was refused: {:?}", e.iter().collect::<Vec<_>>()))
            .text;
        for kept in kept {
            assert!(merged.contains(kept), "lost {kept:?}:\n{merged}");
        }
        merged
            .parse::<DocumentMut>()
            .unwrap_or_else(|e| panic!("the merge wrote broken TOML ({e}):\n{merged}"));
        let again = run(&merged, &plan(BASE)).unwrap();
        assert_eq!(again.text, merged, "a second build changed the file");
        assert!(again.migration.is_none());
        merged
    }

    #[test]
    fn inline_durable_objects_with_empty_bindings_is_merged_inline() {
        let merged = merged_and_stable("durable_objects = { bindings = [] }\n", &[]);
        assert!(
            merged.contains(r#"durable_objects = { bindings = [{ name = "PHOTON", class_name = "CounterPhotonDO" }, { name = "PHOTON_GLOBAL", class_name = "PhotonGlobalStore" }] }"#),
            "{merged}"
        );
        assert!(!merged.contains("[[durable_objects.bindings]]"), "{merged}");
    }

    #[test]
    fn inline_bindings_and_migrations_keep_user_entries_and_append_inline() {
        let text = r#"name = "mine"
durable_objects = { bindings = [{ name = "PHOTON", class_name = "OldPhotonDO" }, { name = "OTHER", class_name = "Theirs", script_name = "them" }] }
migrations = [{ tag = "v1", new_sqlite_classes = ["OldPhotonDO"] }]
"#;
        let first = run(text, &plan(BASE)).unwrap();
        assert_eq!(
            first.migration,
            Some(Migration {
                tag: "v2".into(),
                new_sqlite_classes: vec!["PhotonGlobalStore".into()],
                renamed_classes: vec![("OldPhotonDO".into(), "CounterPhotonDO".into())],
                ..Migration::default()
            })
        );
        let merged = merged_and_stable(
            &first.text,
            &[
                r#"{ name = "OTHER", class_name = "Theirs", script_name = "them" }"#,
                r#"{ tag = "v1", new_sqlite_classes = ["OldPhotonDO"] }"#,
                r#"{ tag = "v2", new_sqlite_classes = ["PhotonGlobalStore"], renamed_classes = [{ from = "OldPhotonDO", to = "CounterPhotonDO" }] }"#,
                r#"{ name = "PHOTON", class_name = "CounterPhotonDO" }"#,
            ],
        );
        assert!(!merged.contains("[[migrations]]"), "{merged}");
        assert_eq!(first.worker_name, "mine");
    }

    #[test]
    fn inline_alias_and_vars_are_kept() {
        let text =
            "alias = { \"lodash\" = \"./src/lodash.ts\" }\nvars = { GREETING = \"hi\", N = 1 }\n";
        let merged = merged_and_stable(
            text,
            &[
                "vars = { GREETING = \"hi\", N = 1 }",
                "\"lodash\" = \"./src/lodash.ts\"",
            ],
        );
        assert!(
            merged.contains(r#""@portel/photon-core" = "./src/photon-core/index.ts""#),
            "{merged}"
        );
        assert!(
            !merged.contains("[alias]"),
            "the alias stays inline:\n{merged}"
        );
    }

    #[test]
    fn standard_and_dotted_parents_with_inline_bindings_are_merged() {
        let standard = merged_and_stable(
            "[durable_objects]\nbindings = [{ name = \"X\", class_name = \"Y\", script_name = \"z\" }]\n",
            &["{ name = \"X\", class_name = \"Y\", script_name = \"z\" }"],
        );
        assert!(
            standard.contains("class_name = \"CounterPhotonDO\""),
            "{standard}"
        );
        let dotted = merged_and_stable("durable_objects.bindings = []\n", &[]);
        assert!(
            dotted.contains("class_name = \"CounterPhotonDO\""),
            "{dotted}"
        );
        let implicit = merged_and_stable("[durable_objects]\n", &[]);
        assert!(
            implicit.contains("[[durable_objects.bindings]]"),
            "{implicit}"
        );
    }

    /// Each key of a type photon-cf cannot merge into is refused at its line, never overwritten.
    #[test]
    fn wrong_types_are_located_errors() {
        let cases: &[(&str, usize, &str)] = &[
            ("name = \"x\"\nmigrations = \"x\"\n", 2, "`migrations`"),
            ("durable_objects = 3\n", 1, "`durable_objects`"),
            (
                "[durable_objects]\nbindings = 3\n",
                2,
                "`durable_objects.bindings`",
            ),
            (
                "durable_objects = { bindings = [1] }\n",
                1,
                "`durable_objects.bindings`",
            ),
            (
                "[durable_objects.bindings]\nname = \"PHOTON\"\n",
                1,
                "`durable_objects.bindings`",
            ),
            ("\n\nalias = 1\n", 3, "`alias`"),
            (
                "compatibility_flags = \"nodejs_compat\"\n",
                1,
                "`compatibility_flags`",
            ),
            ("name = 5\n", 1, "`name`"),
            (
                "compatibility_date = 2026-01-01\n",
                1,
                "`compatibility_date`",
            ),
            ("[[migrations]]\ntag = 7\n", 2, "`migrations[0].tag`"),
            (
                "migrations = [{ tag = \"v1\", new_sqlite_classes = \"A\" }]\n",
                1,
                "`migrations[0].new_sqlite_classes`",
            ),
            (
                "[[migrations]]\ntag = \"v1\"\nrenamed_classes = [{ from = 1, to = \"B\" }]\n",
                3,
                "`migrations[0].renamed_classes[0].from`",
            ),
            ("[migrations]\ntag = \"v1\"\n", 1, "`migrations`"),
        ];
        for (text, line, key) in cases {
            let err = match run(text, &plan(BASE)) {
                Ok(merged) => panic!("{text:?} was merged:\n{}", merged.text),
                Err(err) => err,
            };
            let diagnostic = err.iter().next().unwrap();
            assert_eq!(diagnostic.code, catalog::INVALID_WRANGLER_TOML, "{text:?}");
            assert!(
                diagnostic.message.contains(key),
                "{text:?}: {}",
                diagnostic.message
            );
            assert!(
                diagnostic.message.contains(&format!("(line {line})")),
                "{text:?}: {}",
                diagnostic.message
            );
            assert_eq!(
                diagnostic.line_col().map(|(l, _)| l),
                Some(*line),
                "{text:?}"
            );
        }
    }

    #[test]
    fn next_tag_skips_used_and_custom_tags() {
        assert_eq!(next_tag(&[]), "v1");
        assert_eq!(next_tag(&["v1".into(), "v2".into()]), "v3");
        assert_eq!(next_tag(&["initial".into()]), "v2");
        assert_eq!(next_tag(&["v7".into(), "x".into()]), "v8");
        let max = format!("v{}", u64::MAX);
        assert_eq!(next_tag(std::slice::from_ref(&max)), "v1");
        assert_eq!(next_tag(&["v1".into(), max]), "v2");
    }
}
