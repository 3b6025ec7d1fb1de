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

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
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
    /// Write `deleted_classes` for classes that are gone instead of reporting an error.
    pub allow_delete_classes: bool,
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

const OWNED_ALIASES: &[(&str, &str)] = &[
    ("@portel/photon-core", "./src/photon-core/index.ts"),
    ("@portel/photon", "./src/photon-core/index.ts"),
];

/// Merge `plan` into `text` (an existing `wrangler.toml`, or the rendered skeleton).
///
/// `path` names the file in diagnostics. Errors: the file does not parse, or a deployed class
/// would disappear without `--allow-delete-classes`.
pub fn merge(
    text: &str,
    path: &Path,
    plan: &WranglerPlan,
    default_date: &str,
) -> Result<WranglerMerge, Diagnostics> {
    let file = SourceFile::new(path, Arc::from(text));
    let mut doc: DocumentMut = text.parse().map_err(|err: toml_edit::TomlError| {
        let span = err
            .span()
            .map(|r| Span::new(r.start, r.end.saturating_sub(r.start)))
            .unwrap_or_default();
        let message = err.message().trim().to_string();
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(
            Diagnostic::error(
                "photon-cf::invalid-wrangler-toml",
                format!(
                    "`{}` is not valid TOML",
                    crate::diagnostics::display_path(path)
                ),
            )
            .at(&file, span, message)
            .with_help("fix the file, or delete it to let photon-cf write a new one"),
        );
        diagnostics
    })?;

    set_if_absent(&mut doc, "name", &plan.worker_name);
    doc["main"] = value("src/worker.ts");
    match &plan.compatibility_date {
        Some(date) => doc["compatibility_date"] = value(date.as_str()),
        None => set_if_absent(&mut doc, "compatibility_date", default_date),
    }
    ensure_flag(&mut doc, "nodejs_compat");
    set_aliases(&mut doc);

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

fn set_aliases(doc: &mut DocumentMut) {
    if !doc.get("alias").is_some_and(Item::is_table_like) {
        doc["alias"] = Item::Table(Table::new());
    }
    let alias = doc["alias"].as_table_like_mut().expect("just ensured");
    for (key, target) in OWNED_ALIASES {
        if alias.get(key).and_then(Item::as_str) != Some(target) {
            alias.insert(key, value(*target));
        }
    }
}

/// The classes the earlier migrations leave deployed, in the order they were introduced.
fn live_classes(doc: &DocumentMut) -> (Vec<String>, Vec<String>) {
    let mut live: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let Some(migrations) = doc.get("migrations").and_then(Item::as_array_of_tables) else {
        return (live, tags);
    };
    for migration in migrations.iter() {
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
            match live.iter().position(|c| *c == from) {
                Some(i) => live[i] = to,
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
    let Some(item) = item else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut take = |t: &dyn toml_edit::TableLike| {
        if let (Some(x), Some(y)) = (
            t.get(a).and_then(Item::as_str),
            t.get(b).and_then(Item::as_str),
        ) {
            out.push((x.to_string(), y.to_string()));
        }
    };
    if let Some(array) = item.as_array() {
        for v in array.iter() {
            if let Some(t) = v.as_inline_table() {
                take(t);
            }
        }
    } else if let Some(tables) = item.as_array_of_tables() {
        for t in tables.iter() {
            take(t);
        }
    }
    out
}

/// `PHOTON` / `PHOTON_*` bindings to a class of this worker (no `script_name`) are ours.
fn is_our_binding(table: &Table) -> bool {
    let name = table.get("name").and_then(Item::as_str).unwrap_or("");
    (name == "PHOTON" || name.starts_with("PHOTON_")) && table.get("script_name").is_none()
}

fn existing_bindings(doc: &DocumentMut) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let bindings = doc
        .get("durable_objects")
        .and_then(|d| d.get("bindings"))
        .and_then(Item::as_array_of_tables);
    for table in bindings.into_iter().flat_map(ArrayOfTables::iter) {
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
            Diagnostic::error(
                "photon-cf::class-removed",
                format!(
                    "Durable Object class `{class}`{binding} was deployed by an earlier migration but is no longer generated"
                ),
            )
            .at(file, span, "declared here")
            .with_help(
                "restore the photon that defined it, or pass `--allow-delete-classes` to write a `deleted_classes` migration (its stored data is deleted on the next deploy)",
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
    let mut n = highest.max(tags.len() as u64) + 1;
    loop {
        let tag = format!("v{n}");
        if !used.contains(tag.as_str()) {
            return tag;
        }
        n += 1;
    }
}

fn append_migration(doc: &mut DocumentMut, migration: &Migration) {
    let mut table = Table::new();
    table["tag"] = value(migration.tag.as_str());
    if !migration.new_sqlite_classes.is_empty() {
        table["new_sqlite_classes"] = value(string_array(&migration.new_sqlite_classes));
    }
    if !migration.renamed_classes.is_empty() {
        let mut array = Array::new();
        for (from, to) in &migration.renamed_classes {
            let mut pair = InlineTable::new();
            pair.insert("from", from.as_str().into());
            pair.insert("to", to.as_str().into());
            array.push(pair);
        }
        table["renamed_classes"] = value(array);
    }
    if !migration.deleted_classes.is_empty() {
        table["deleted_classes"] = value(string_array(&migration.deleted_classes));
    }
    match doc
        .get_mut("migrations")
        .and_then(Item::as_array_of_tables_mut)
    {
        Some(migrations) => migrations.push(table),
        None => {
            let mut migrations = ArrayOfTables::new();
            migrations.push(table);
            doc["migrations"] = Item::ArrayOfTables(migrations);
        }
    }
}

fn string_array(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

/// Point our bindings at the wanted classes: update in place (keeping the user's comments on
/// them), drop ours that are gone, append new ones. The user's own bindings are untouched.
fn set_bindings(doc: &mut DocumentMut, wanted: &[(String, String)]) {
    if !doc.get("durable_objects").is_some_and(Item::is_table_like) {
        let mut table = Table::new();
        table.set_implicit(true);
        doc["durable_objects"] = Item::Table(table);
    }
    let durable_objects = doc["durable_objects"]
        .as_table_like_mut()
        .expect("just ensured");
    if durable_objects
        .get("bindings")
        .and_then(Item::as_array_of_tables)
        .is_none()
    {
        durable_objects.insert("bindings", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let bindings = durable_objects
        .get_mut("bindings")
        .and_then(Item::as_array_of_tables_mut)
        .expect("just ensured");
    bindings.retain(|t| {
        !is_our_binding(t)
            || t.get("name")
                .and_then(Item::as_str)
                .is_some_and(|n| wanted.iter().any(|(b, _)| b == n))
    });
    for (binding, class) in wanted {
        let existing = bindings
            .iter_mut()
            .find(|t| is_our_binding(t) && t.get("name").and_then(Item::as_str) == Some(binding));
        match existing {
            Some(table) => {
                if table.get("class_name").and_then(Item::as_str) != Some(class) {
                    table["class_name"] = value(class.as_str());
                }
            }
            None => {
                let mut table = Table::new();
                table["name"] = value(binding.as_str());
                table["class_name"] = value(class.as_str());
                bindings.push(table);
            }
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
            allow_delete_classes: false,
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
        assert_eq!(codes, ["photon-cf::class-removed"]);
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
        assert_eq!(diagnostic.code, "photon-cf::invalid-wrangler-toml");
        assert_eq!(diagnostic.line_col(), Some((1, 8)));
    }

    #[test]
    fn next_tag_skips_used_and_custom_tags() {
        assert_eq!(next_tag(&[]), "v1");
        assert_eq!(next_tag(&["v1".into(), "v2".into()]), "v3");
        assert_eq!(next_tag(&["initial".into()]), "v2");
        assert_eq!(next_tag(&["v7".into(), "x".into()]), "v8");
    }
}
