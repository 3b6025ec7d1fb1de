//! The random-mutation engine behind `examples/fuzz_parse` (the long soak run) and
//! `tests/fuzz_parse.rs` (a short bounded run in CI): mutate the fixture photons, feed each
//! mutant to the parser, the compatibility rules, the diagnostics renderers and the project
//! renderer, merge user `wrangler.toml` files of every shape (inline and standard tables, arrays
//! of tables, wrong types), and count every panic as a crash.
//!
//! cargo-fuzz needs a nightly toolchain, which this project does not use, so the engine is a
//! plain seeded generator: a seed reproduces a run exactly, and every crashing input is saved.
//! Mutations are grammar-aware enough to get past the lexer: most insert TypeScript and JSDoc
//! tokens (tags, inline `{@...}` constraints, type syntax, quotes, comment delimiters) near
//! places where the parser does real work, rather than random bytes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use photon_cf::cli::{ColorChoice, GlobalArgs, OutputFormat};
use photon_cf::diagnostics::Diagnostics;
use photon_cf::printer::Printer;

/// A small, fast, seedable generator (SplitMix64): enough for choosing mutations, and it keeps
/// the runner free of a `rand` dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens that steer mutants into the parser's interesting paths.
const TOKENS: &[&str] = &[
    // JSDoc structure and tags.
    "/**",
    "*/",
    "/*",
    "//",
    "\n * ",
    "@param ",
    "@param {string} x ",
    "@returns ",
    "@photons ",
    "@photons a, b",
    "@photons ../x",
    "@dependencies ",
    "@dependencies x@^1, @s/y@2, z?",
    "@dependencies \"]\n[x]@1",
    "@version ",
    "@internal",
    "@scheduled ",
    "@scheduled * * * * *",
    "@cron 0 0 * * *",
    "@scope ",
    "@scope a:read b:write",
    "@title ",
    "@readOnly",
    "@destructive",
    "@idempotent",
    "@openWorld",
    "@closedWorld",
    "@locked",
    "@locked name",
    "@deprecated",
    "@stateful",
    "@stateful true",
    "@auth",
    "@author x",
    "@runtime ^1",
    "@format table",
    "@get /path",
    "@post /items/:id",
    "@template",
    "@prompt",
    "@resource",
    "@Static",
    "@ui view",
    "@mcp github anthropics/github",
    "@photon other",
    "{@min 1}",
    "{@max 10}",
    "{@pattern ^[a-z]+$}",
    "{@format email}",
    "{@choice a,b}",
    "{@",
    "{@min",
    "{@ }",
    "# Heading\n",
    // TypeScript structure.
    "class ",
    "export default class X ",
    "export class Y ",
    "export default ",
    "extends PhotonMCP ",
    "extends ",
    "async ",
    "async *",
    "static ",
    "private ",
    "protected ",
    "public ",
    "#priv",
    "get ",
    "set ",
    "constructor(",
    "constructor(private token: string, n = 1) {}",
    "onInitialize() {}",
    "_hidden() {}",
    "(",
    ")",
    "{",
    "}",
    "<",
    ">",
    "[",
    "]",
    ": ",
    "?",
    "?: ",
    "|",
    "&",
    "=",
    "=>",
    "...",
    "...rest: string[]",
    ",",
    ";",
    "'",
    "\"",
    "`",
    "${",
    "\\",
    "\\u{",
    "@dec ",
    "@dec() ",
    // Types and literals the schema converter has to handle.
    "string",
    "number",
    "boolean",
    "any",
    "unknown",
    "never",
    "null",
    "undefined",
    "void",
    "object",
    "Date",
    "bigint",
    "Record<string, number>",
    "Array<",
    "Promise<",
    "Partial<",
    "keyof ",
    "typeof ",
    "readonly ",
    "string[]",
    "[string, number]",
    "{ a: string; b?: number }",
    "{ [k: string]: unknown }",
    "'a' | 'b'",
    "1 | 2 | -3",
    "T",
    "T[]",
    "() => void",
    "-1",
    "1e309",
    "0x",
    "NaN",
    "Infinity",
    "-0",
    "interface I extends J { i: I; }",
    "interface J { j: J[] }",
    "type T = T | T[];",
    "type U = { u: U };",
    "type V = V;",
    "enum E { A, B = 'b' }",
    // Imports and hazards the compatibility rules look at.
    "import x from 'child_process';",
    "import type { X } from 'y';",
    "import * as fs from 'node:fs';",
    "import sqlite from 'better-sqlite3';",
    "import('x')",
    "import(name)",
    "require('x')",
    "require(n)",
    "eval('1')",
    "new Function('return 1')",
    "process.cwd()",
    "os.homedir()",
    "setInterval(() => {}, 1)",
    "this.memory",
    "(this as any).call('a.b', {})",
    "this.schedule.create({})",
    "this.sample({})",
    "this!.emit",
    "(<any>this).elicit",
];

/// Characters that have broken parsers before: line and paragraph separators, a BOM, NUL,
/// a lone CR, combining marks, wide and astral characters.
const CHARS: &[&str] = &[
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{0}",
    "\r",
    "\t",
    "\u{301}",
    "日",
    "😀",
    "\u{10ffff}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
];

/// Sources the mutants start from: every photon under `fixtures/`, read lossily (one fixture is
/// deliberately not UTF-8).
pub fn load_seeds(root: &Path) -> Vec<(PathBuf, String)> {
    let mut seeds: Vec<(PathBuf, String)> = walkdir::WalkDir::new(root.join("fixtures"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().to_string_lossy().ends_with(".photon.ts"))
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (
                e.path().to_path_buf(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    if seeds.is_empty() {
        // A checkout without fixtures still gets a meaningful run.
        seeds.push((
            root.join("seed.photon.ts"),
            "/**\n * A seed.\n * @version 1.0.0\n */\nexport default class Seed {\n  /**\n   * Add.\n   * @param a first {@min 0}\n   */\n  async add(a: number, b = 2) {\n    return a + b;\n  }\n}\n"
                .to_string(),
        ));
    }
    seeds
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A position in `s`, biased towards places where the parser does work (JSDoc tags, braces,
/// parameter lists), so mutants reach past the first token.
fn position(rng: &mut Rng, s: &str) -> usize {
    if s.is_empty() {
        return 0;
    }
    if rng.chance(40) {
        let anchors = ['@', '{', '(', ':', '<', '|', '*', '\n'];
        let anchor = *rng.pick(&anchors);
        let hits: Vec<usize> = s.match_indices(anchor).map(|(i, _)| i).collect();
        if !hits.is_empty() {
            let at = *rng.pick(&hits);
            return if rng.chance(50) {
                at
            } else {
                floor_boundary(s, at + 1)
            };
        }
    }
    floor_boundary(s, rng.below(s.len() + 1))
}

fn span(rng: &mut Rng, s: &str, max: usize) -> (usize, usize) {
    let start = position(rng, s);
    let end = floor_boundary(s, start + 1 + rng.below(max));
    (start, end.max(start))
}

/// One random edit of `text`; `others` supplies material for splices.
pub fn mutate_once(rng: &mut Rng, text: &mut String, others: &[(PathBuf, String)]) {
    match rng.below(11) {
        0 => {
            let (a, b) = span(rng, text, 40);
            text.replace_range(a..b, "");
        }
        1..=3 => {
            let at = position(rng, text);
            let token = *rng.pick(TOKENS);
            text.insert_str(at, token);
        }
        4 => {
            let (a, b) = span(rng, text, 24);
            let token = *rng.pick(TOKENS);
            text.replace_range(a..b, token);
        }
        5 => {
            let (a, b) = span(rng, text, 200);
            let chunk = text[a..b].to_string();
            let at = position(rng, text);
            text.insert_str(at, &chunk);
        }
        6 => {
            let (_, other) = rng.pick(others);
            let (a, b) = span(rng, other, 300);
            let chunk = other[a..b].to_string();
            let at = position(rng, text);
            text.insert_str(at, &chunk);
        }
        7 => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.len() > 1 {
                let i = rng.below(lines.len());
                let j = rng.below(lines.len());
                lines.swap(i, j);
                *text = lines.concat();
            }
        }
        8 => {
            let at = floor_boundary(text, rng.below(text.len() + 1));
            text.truncate(at);
        }
        9 => {
            let at = position(rng, text);
            let ch = *rng.pick(CHARS);
            text.insert_str(at, ch);
        }
        _ => {
            // Repetition: deep nesting and long runs. Bounded well below what a real photon
            // would ever nest, so a crash here is a bug rather than a resource limit.
            let token = *rng.pick(&[
                "(", "{", "[", "<", "Array<", "/**", "*", "|", "@param ", "'",
            ]);
            let count = 1 + rng.below(200);
            let at = position(rng, text);
            text.insert_str(at, &token.repeat(count));
        }
    }
}

/// Text that is hostile to generated code but harmless inside a comment: what a docblock,
/// `@version`, a parameter doc or a tag value may carry (never `*/`, which would end it).
const DOC_TEXT: &[&str] = &[
    "\"",
    "'",
    "`",
    "${x}",
    "${globalThis.pwned = 1}",
    "</script>",
    "<!--",
    "\\",
    "\\u0041",
    "\"]\n[x]",
    "\"] \\n[evil]",
    "[[durable_objects.bindings]]",
    "{{ x }}",
    "{% if x %}",
    "{#",
    "\u{2028}",
    "\u{2029}",
    "\n * @param a ",
    "\n * @version 1\"]",
    "\n * @dependencies a@1",
    "\n * @photons ",
    "\n * @scope a\"b",
    "\n * @title `t`",
    "\n * @scheduled ",
    "\n * @locked ${x}",
    "\n * @deprecated \"",
    "\n * # Heading",
    "\n",
    "{@min 1}",
    "{@max -1}",
    "{@pattern [\"]}",
    "{@format ${x}}",
    "@",
    "*",
    "/",
];

/// One edit inside a docblock (`/** ... */`), which keeps the file valid TypeScript and so
/// carries hostile text all the way to the renderer. Falls back to an ordinary edit when the
/// text has no docblock.
pub fn mutate_doc(rng: &mut Rng, text: &mut String, others: &[(PathBuf, String)]) {
    let blocks: Vec<(usize, usize)> = text
        .match_indices("/**")
        .filter_map(|(start, _)| {
            let body = start + 3;
            text[body..].find("*/").map(|end| (body, body + end))
        })
        .collect();
    if blocks.is_empty() {
        return mutate_once(rng, text, others);
    }
    let (start, end) = *rng.pick(&blocks);
    let at = floor_boundary(text, start + rng.below(end - start + 1));
    let token = *rng.pick(DOC_TEXT);
    // A lone `*` right before `/` would close the comment; keep the edit inside it.
    if token == "/" && text[..at].ends_with('*') || token == "*" && text[at..].starts_with('/') {
        return;
    }
    text.insert_str(at, token);
}

/// A file name for a mutant: usually the seed's, sometimes a hostile one (the photon name comes
/// from the file name and ends up in identifiers, bindings and TOML).
pub fn mutant_path(rng: &mut Rng, seed: &Path) -> PathBuf {
    if rng.chance(85) {
        return seed.to_path_buf();
    }
    let names = [
        "a",
        "9lives",
        "-dash",
        "bad name",
        "bad\"]name",
        "über",
        "x.y",
        "",
        "UPPER",
        "a--b__c",
        "con",
        "__proto__",
        "${x}",
        "a\nb",
    ];
    let dir = seed.parent().unwrap_or(Path::new("."));
    dir.join(format!("{}.photon.ts", rng.pick(&names)))
}

/// Everything a single input goes through. Panics propagate to the caller, which counts them;
/// a renderer error or generated output that does not parse back is turned into a panic too,
/// since both would be photon-cf bugs (exit 2) rather than diagnostics.
pub fn exercise(
    path: &Path,
    text: &str,
    existing_toml: Option<&str>,
    printer: &Printer,
) -> Exercised {
    let source: Arc<str> = Arc::from(text);
    let outcome = photon_cf::parse::parse_photon(path, source);
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(outcome.diagnostics.clone());
    let parsed = outcome.photon.is_some();
    let mut rendered = false;
    if let Some(photon) = outcome.photon {
        diagnostics.extend(photon_cf::compat::check(&photon));
        rendered = render_project(photon, existing_toml, &mut diagnostics);
    }
    // Both diagnostic renderers must cope with every span the stages produce.
    for diagnostic in diagnostics.iter() {
        let json = diagnostic.to_json();
        serde_json::to_string(&json).expect("diagnostic JSON serialises");
        let _ = diagnostic.line_col();
        let _ = printer.render_diagnostic(diagnostic);
    }
    Exercised {
        parsed,
        rendered,
        errors: diagnostics.error_count(),
    }
}

/// Render the whole Workers project in memory, as `build` would, for a photon with no siblings,
/// and check that what must be data stays data: the manifest's JSON, `package.json` and
/// `wrangler.toml` parse back, whatever text the photon carried. Returns whether files came out.
fn render_project(
    photon: photon_cf::model::Photon,
    existing_toml: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> bool {
    let project = photon_cf::resolve::Project {
        host: photon,
        siblings: Vec::new(),
    };
    render_checked(&project, existing_toml, diagnostics)
}

/// Render `project` and check that the manifest's JSON, `package.json` and `wrangler.toml` parse
/// back and that every photon's description survived as data.
fn render_checked(
    project: &photon_cf::resolve::Project,
    existing_toml: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> bool {
    let existing = existing_toml.map(|text| photon_cf::render::ExistingToml {
        path: Path::new("dist/wrangler.toml"),
        text,
    });
    let rendered = match photon_cf::render::render(
        project,
        &photon_cf::render::RenderOptions::default(),
        existing,
    ) {
        Ok(rendered) => rendered,
        Err(err) => panic!("render failed (a photon-cf bug): {err:#}"),
    };
    diagnostics.extend(rendered.diagnostics);
    for (file, bytes) in &rendered.files {
        let name = file.to_string_lossy();
        let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
        if name.ends_with("manifest.ts") {
            let json = text
                .split_once(" = ")
                .and_then(|(_, rest)| rest.trim_end().strip_suffix(';'))
                .unwrap_or_else(|| panic!("manifest.ts has an unexpected shape:\n{text}"));
            let value: serde_json::Value = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("manifest.ts holds broken JSON ({e}):\n{json}"));
            for photon in project.photons() {
                let description = &value["photons"][&photon.name]["description"];
                assert_eq!(
                    description.as_str(),
                    photon.doc.description.as_deref(),
                    "the manifest changed the description of {}",
                    photon.name
                );
            }
        } else if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{name} is broken JSON ({e}):\n{text}"));
        } else if name.ends_with(".toml") {
            text.parse::<toml_edit::DocumentMut>()
                .unwrap_or_else(|e| panic!("{name} is broken TOML ({e}):\n{text}"));
        }
    }
    !rendered.files.is_empty()
}

/// Existing `wrangler.toml` files a user might have in DIR, some broken, for the merge path.
const EXISTING_TOML: &[&str] = &[
    "name = \"kept\"\n[vars]\nKEEP = \"me\"\n",
    "# comment only\n",
    "[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"OldPhotonDO\"]\n",
    "[[durable_objects.bindings]]\nname = \"PHOTON\"\nclass_name = \"Other\"\n",
    "main = 5\ncompatibility_flags = \"x\"\n[alias]\n\"@portel/photon-core\" = 1\n",
    "name = \"unterminated\n",
    "[durable_objects]\nbindings = 3\nmigrations = {}\n",
    "compatibility_date = \"not-a-date\"\n[[migrations]]\ntag = 7\n",
];

/// Fragments of a user's `wrangler.toml` that sit at the root (before any table header): every
/// key photon-cf merges into written inline, as a standard or dotted table, and with the wrong
/// type, next to keys of the user's that must survive.
const TOML_ROOT: &[&str] = &[
    "name = \"kept\"",
    "name = 5",
    "name = { a = 1 }",
    "compatibility_date = \"2025-01-01\"",
    "compatibility_date = 2025-01-01",
    "compatibility_flags = [\"url_standard\"]",
    "compatibility_flags = \"nodejs_compat\"",
    "compatibility_flags = [1, \"nodejs_compat\"]",
    "main = 5",
    "alias = { \"lodash\" = \"./src/lodash.ts\" }",
    "alias = 1",
    "alias = []",
    "vars = { KEEP = \"me\", N = 1 }",
    "vars = 3",
    "routes = [{ pattern = \"x.example/*\", zone_name = \"example\" }]",
    "durable_objects = { bindings = [] }",
    "durable_objects = { bindings = [{ name = \"PHOTON\", class_name = \"OldPhotonDO\" }] }",
    "durable_objects = { bindings = [{ name = \"THEIRS\", class_name = \"T\", script_name = \"other\" }] }",
    "durable_objects = { bindings = 3 }",
    "durable_objects = { bindings = [1, \"x\"] }",
    "durable_objects = {}",
    "durable_objects = 3",
    "durable_objects = []",
    "durable_objects.bindings = [{ name = \"THEIRS\", class_name = \"T\", script_name = \"other\" }]",
    "migrations = [{ tag = \"v1\", new_sqlite_classes = [\"CfCounterPhotonDO\"] }]",
    "migrations = [{ tag = \"v1\", new_sqlite_classes = [\"OldPhotonDO\"] }, { tag = \"v2\", renamed_classes = [{ from = \"OldPhotonDO\", to = \"X\" }] }]",
    "migrations = [{ tag = \"v1\", deleted_classes = \"X\" }]",
    "migrations = []",
    "migrations = [1]",
    "migrations = \"x\"",
    "migrations = { tag = \"v1\" }",
];

/// Table fragments (after the root keys).
const TOML_TABLES: &[&str] = &[
    "[alias]\n\"lodash\" = \"./src/lodash.ts\"",
    "[vars]\nKEEP = \"me\" # a comment",
    "[durable_objects]\nbindings = []",
    "[durable_objects]",
    "[[durable_objects.bindings]]\nname = \"PHOTON\"\nclass_name = \"OldPhotonDO\"",
    "[[durable_objects.bindings]]\nname = \"THEIRS\"\nclass_name = \"T\"\nscript_name = \"other\"",
    "[[durable_objects.bindings]]\nname = \"PHOTON_GLOBAL\"\nclass_name = 5",
    "[durable_objects.bindings]\nname = \"X\"",
    "[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"CfCounterPhotonDO\", \"PhotonGlobalStore\"]",
    "[[migrations]]\ntag = \"v1\"\nnew_classes = [\"OldPhotonDO\"]",
    "[[migrations]]\ntag = 7",
    "[[migrations]]\ntag = \"v2\"\nrenamed_classes = [{ from = \"OldPhotonDO\", to = \"CfCounterPhotonDO\" }]",
    "[[migrations]]\ntag = \"v3\"\nrenamed_classes = [{ from = 1 }]",
    "[[migrations]]\ntag = \"v4\"\ntransferred_classes = [{ from = \"A\", from_script = \"s\", to = \"B\" }]",
    "[migrations]\ntag = \"v1\"",
    "[[migrations]]\ntag = \"v18446744073709551615\"\nnew_sqlite_classes = [\"CfCounterPhotonDO\"]",
    "[env.production]\nname = \"prod\"\n[[env.production.durable_objects.bindings]]\nname = \"PHOTON\"\nclass_name = \"P\"",
];

/// Tokens for damaging a `wrangler.toml` below the level of whole fragments.
const TOML_TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    "\"",
    "'",
    "\n",
    "#",
    ".",
    " = []",
    " = {}",
    " = 1",
    "bindings",
    "migrations",
    "durable_objects",
    "tag",
    "\"\"\"",
];

/// A random user `wrangler.toml` built from [`TOML_ROOT`] and [`TOML_TABLES`], sometimes damaged.
pub fn random_wrangler_toml(rng: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(5) {
        let fragment = *rng.pick(TOML_ROOT);
        text.push_str(fragment);
        text.push('\n');
    }
    for _ in 0..rng.below(4) {
        let fragment = *rng.pick(TOML_TABLES);
        text.push_str(fragment);
        text.push('\n');
    }
    if rng.chance(15) {
        let at = floor_boundary(&text, rng.below(text.len() + 1));
        let token = *rng.pick(TOML_TOKENS);
        text.insert_str(at, token);
    }
    text
}

/// The tables of a list written as `[[key]]` or as `key = [{ ... }]`.
fn toml_tables(item: Option<&toml_edit::Item>) -> Vec<&dyn toml_edit::TableLike> {
    match item {
        Some(toml_edit::Item::ArrayOfTables(tables)) => tables
            .iter()
            .map(|t| t as &dyn toml_edit::TableLike)
            .collect(),
        Some(toml_edit::Item::Value(toml_edit::Value::Array(array))) => array
            .iter()
            .filter_map(toml_edit::Value::as_inline_table)
            .map(|t| t as &dyn toml_edit::TableLike)
            .collect(),
        _ => Vec::new(),
    }
}

fn toml_tags(doc: &toml_edit::DocumentMut) -> Vec<String> {
    toml_tables(doc.get("migrations"))
        .iter()
        .map(|m| m.get("tag").map(|t| t.to_string()).unwrap_or_default())
        .collect()
}

fn foreign_bindings(doc: &toml_edit::DocumentMut) -> usize {
    let bindings = doc
        .get("durable_objects")
        .and_then(toml_edit::Item::as_table_like)
        .and_then(|d| d.get("bindings"));
    toml_tables(bindings)
        .iter()
        .filter(|b| b.get("script_name").is_some())
        .count()
}

/// Merge a user's `wrangler.toml` the way `build` does. It must never panic, and either merge
/// keeping what the user wrote (their root keys, the entries of their tables, their migrations
/// in order, their bindings to other Workers) or refuse with diagnostics that point at a line.
/// Returns whether it merged.
pub fn exercise_wrangler_toml(text: &str, allow_delete: bool, printer: &Printer) -> bool {
    use photon_cf::render::{layout, wrangler_toml};
    let plan = wrangler_toml::WranglerPlan {
        worker_name: "cf-counter".into(),
        compatibility_date: None,
        bindings: vec![
            ("PHOTON".into(), "CfCounterPhotonDO".into()),
            ("PHOTON_GLOBAL".into(), "PhotonGlobalStore".into()),
        ],
        aliases: layout::aliases(&layout::Features::default())
            .into_iter()
            .map(|(specifier, path)| (specifier.to_string(), path))
            .collect(),
        allow_delete_classes: allow_delete,
        // The platform merge too: a binding in a list and under `[queues]`, a shared table, a
        // route and `[observability]`, each of which a user's file may already hold.
        platform: photon_cf::render::wrangler_platform::PlatformPlan {
            scoped: vec![
                photon_cf::render::wrangler_platform::ScopedBinding {
                    kind: photon_cf::model::CfKind::Kv,
                    binding: "cf_counter_kv".into(),
                    fields: vec![],
                },
                photon_cf::render::wrangler_platform::ScopedBinding {
                    kind: photon_cf::model::CfKind::Queue,
                    binding: "cf_counter_queue".into(),
                    fields: vec![("queue", "cf-counter-queue".into())],
                },
            ],
            shared: vec![("ai", "AI")],
            route: Some(photon_cf::render::wrangler_platform::Route {
                pattern: "mcp.example.com".into(),
                custom_domain: true,
            }),
            logs: true,
        },
    };
    match wrangler_toml::merge(text, Path::new("dist/wrangler.toml"), &plan, "2026-04-01") {
        Ok(merged) => {
            let user: toml_edit::DocumentMut = text
                .parse()
                .unwrap_or_else(|e| panic!("merged a file that does not parse ({e}):\n{text}"));
            let out: toml_edit::DocumentMut = merged.text.parse().unwrap_or_else(|e| {
                panic!(
                    "the merge wrote broken TOML ({e}):\n{text}\n---\n{}",
                    merged.text
                )
            });
            let lost = |what: &str| -> ! {
                panic!("the merge lost {what}:\n{text}\n---\n{}", merged.text)
            };
            for (key, item) in user.iter() {
                let Some(kept) = out.get(key) else {
                    lost(&format!("`{key}`"));
                };
                if let (Some(mine), Some(kept)) = (item.as_table_like(), kept.as_table_like())
                    && key != "durable_objects"
                {
                    for (inner, _) in mine.iter() {
                        if kept.get(inner).is_none() {
                            lost(&format!("`{key}.{inner}`"));
                        }
                    }
                }
            }
            let (before, after) = (toml_tags(&user), toml_tags(&out));
            if !after.starts_with(&before) || after.len() > before.len() + 1 {
                lost("the migration history");
            }
            if foreign_bindings(&out) != foreign_bindings(&user) {
                lost("a binding to another Worker");
            }
            true
        }
        Err(diagnostics) => {
            assert!(
                diagnostics.has_errors(),
                "refused without an error:\n{text}"
            );
            for diagnostic in diagnostics.iter() {
                assert!(
                    diagnostic.line_col().is_some(),
                    "`{}` names no line:\n{text}",
                    diagnostic.message
                );
                let _ = printer.render_diagnostic(diagnostic);
                serde_json::to_string(&diagnostic.to_json()).expect("diagnostic JSON serialises");
            }
            false
        }
    }
}

/// A whole project: the host `p0` and siblings `p1`..: written into `dir`, resolved from disk
/// (siblings named in mutated `@photons` tags: chains, cycles, self references, missing and
/// malformed names), then rendered together.
pub fn exercise_project(
    dir: &Path,
    files: &[(String, String)],
    existing_toml: Option<&str>,
    printer: &Printer,
) -> Exercised {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("the fuzz work directory is writable");
    }
    let host = dir.join(&files[0].0);
    let (project, mut diagnostics) = photon_cf::resolve::resolve(&host, &[]);
    let parsed = project.is_some();
    let mut rendered = false;
    if let Some(project) = project {
        rendered = render_checked(&project, existing_toml, &mut diagnostics);
    }
    for diagnostic in diagnostics.iter() {
        serde_json::to_string(&diagnostic.to_json()).expect("diagnostic JSON serialises");
        let _ = printer.render_diagnostic(diagnostic);
    }
    Exercised {
        parsed,
        rendered,
        errors: diagnostics.error_count(),
    }
}

/// The files of a random project: 2 to 4 mutated seeds, each given a `@photons` tag that names
/// other members of the project, itself, a missing photon or a bad name.
pub fn random_project(rng: &mut Rng, seeds: &[(PathBuf, String)]) -> Vec<(String, String)> {
    let count = 2 + rng.below(3);
    let names: Vec<String> = (0..count).map(|i| format!("p{i}")).collect();
    let extra = ["missing-one", "Bad Name", "../p0", "p0", "", "p1,p1"];
    (0..count)
        .map(|i| {
            let mut siblings: Vec<String> = Vec::new();
            for _ in 0..rng.below(3) {
                if rng.chance(80) {
                    siblings.push(rng.pick(&names).clone());
                } else {
                    siblings.push(rng.pick(&extra).to_string());
                }
            }
            let (_, seed) = rng.pick(seeds);
            let mut text = seed.clone();
            if rng.chance(50) {
                mutate_once(rng, &mut text, seeds);
            }
            let header = if siblings.is_empty() {
                String::new()
            } else {
                format!("/**\n * @photons {}\n */\n", siblings.join(", "))
            };
            (format!("{}.photon.ts", names[i]), header + &text)
        })
        .collect()
}

pub struct Exercised {
    pub parsed: bool,
    pub rendered: bool,
    pub errors: usize,
}

/// A printer that renders diagnostics exactly as the CLI would without writing anything.
pub fn quiet_printer() -> Printer {
    Printer::from_args(&GlobalArgs {
        output_format: OutputFormat::Human,
        json: false,
        quiet: 2,
        verbose: 0,
        color: ColorChoice::Never,
    })
}

#[derive(Debug, Default)]
pub struct Stats {
    pub iterations: u64,
    /// Mutants the parser accepted as a photon (they went on to compat and render).
    pub parsed: u64,
    /// Mutants that came out as a whole rendered project.
    pub rendered: u64,
    /// Iterations that were multi-photon projects resolved from disk.
    pub projects: u64,
    /// Mutants with at least one error diagnostic.
    pub rejected: u64,
    /// User `wrangler.toml` shapes merged on their own, and how many of them merged (the rest
    /// were refused with located diagnostics).
    pub tomls: u64,
    pub tomls_merged: u64,
    pub crashes: Vec<Crash>,
    pub elapsed: Duration,
}

#[derive(Debug)]
pub struct Crash {
    pub iteration: u64,
    pub path: PathBuf,
    pub message: String,
    /// Where the input was saved, when a crash directory was given.
    pub saved: Option<PathBuf>,
}

pub struct Limits {
    pub seed: u64,
    pub duration: Duration,
    pub max_iterations: Option<u64>,
    /// Where crashing inputs are written (`<n>.photon.ts` plus `<n>.txt` with the message).
    pub crash_dir: Option<PathBuf>,
    /// Written before each input, so an abort that cannot be caught (a stack overflow) still
    /// leaves the input that caused it.
    pub current_file: Option<PathBuf>,
    /// Where multi-photon projects are written for `resolve` to read.
    pub work_dir: PathBuf,
}

/// Run mutants until the time or iteration budget is spent.
pub fn run(root: &Path, limits: &Limits) -> Stats {
    let seeds = load_seeds(root);
    let printer = quiet_printer();
    std::fs::create_dir_all(&limits.work_dir).expect("the fuzz work directory can be created");
    let mut rng = Rng::new(limits.seed);
    let mut stats = Stats::default();
    let started = Instant::now();
    let mut previous: Option<(PathBuf, String)> = None;

    // Panics are caught and counted; keep the default hook from printing each one, but record
    // its message for the report.
    let last_panic: Arc<std::sync::Mutex<String>> = Arc::default();
    let sink = last_panic.clone();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        *sink.lock().unwrap() = info.to_string();
    }));

    while started.elapsed() < limits.duration
        && limits
            .max_iterations
            .is_none_or(|max| stats.iterations < max)
    {
        // One run in six merges a user `wrangler.toml` of a random shape on its own.
        if rng.chance(16) {
            let toml = random_wrangler_toml(&mut rng);
            let allow_delete = rng.chance(30);
            stats.iterations += 1;
            stats.tomls += 1;
            match catch_unwind(AssertUnwindSafe(|| {
                exercise_wrangler_toml(&toml, allow_delete, &printer)
            })) {
                Ok(merged) => stats.tomls_merged += u64::from(merged),
                Err(_) => {
                    let message = std::mem::take(&mut *last_panic.lock().unwrap());
                    let saved = limits.crash_dir.as_ref().map(|dir| {
                        let _ = std::fs::create_dir_all(dir);
                        let file = dir.join(format!("crash-{}.wrangler.toml", stats.crashes.len()));
                        let _ = std::fs::write(&file, &toml);
                        let _ = std::fs::write(file.with_extension("txt"), &message);
                        file
                    });
                    stats.crashes.push(Crash {
                        iteration: stats.iterations,
                        path: PathBuf::from("wrangler.toml"),
                        message,
                        saved,
                    });
                }
            }
            continue;
        }
        // One run in ten is a whole project of siblings read from disk.
        if rng.chance(10) {
            let files = random_project(&mut rng, &seeds);
            stats.iterations += 1;
            stats.projects += 1;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                exercise_project(&limits.work_dir, &files, None, &printer)
            }));
            match outcome {
                Ok(done) => {
                    stats.parsed += u64::from(done.parsed);
                    stats.rendered += u64::from(done.rendered);
                    stats.rejected += u64::from(done.errors > 0);
                }
                Err(_) => {
                    let message = std::mem::take(&mut *last_panic.lock().unwrap());
                    let saved = limits.crash_dir.as_ref().map(|dir| {
                        let case = dir.join(format!("crash-{}", stats.crashes.len()));
                        let _ = std::fs::create_dir_all(&case);
                        for (name, text) in &files {
                            let _ = std::fs::write(case.join(name), text);
                        }
                        let _ = std::fs::write(case.join("panic.txt"), &message);
                        case
                    });
                    stats.crashes.push(Crash {
                        iteration: stats.iterations,
                        path: limits.work_dir.join(&files[0].0),
                        message,
                        saved,
                    });
                }
            }
            continue;
        }
        // Mostly start fresh from a seed; sometimes keep mutating the last mutant, so damage
        // accumulates the way a half-finished edit does.
        let (seed_path, mut text) = match previous.take() {
            Some(prev) if rng.chance(30) => prev,
            _ => rng.pick(&seeds).clone(),
        };
        // A third of the mutants only touch docblocks: still valid TypeScript, so hostile text
        // reaches the renderer and the generated files.
        let doc_only = rng.chance(35);
        for _ in 0..1 + rng.below(4) {
            if doc_only {
                mutate_doc(&mut rng, &mut text, &seeds);
            } else {
                mutate_once(&mut rng, &mut text, &seeds);
            }
        }
        let path = mutant_path(&mut rng, &seed_path);
        // A fifth of the runs merge into an existing wrangler.toml, sometimes a mutated one.
        let existing = rng.chance(20).then(|| {
            if rng.chance(50) {
                return random_wrangler_toml(&mut rng);
            }
            let mut toml = rng.pick(EXISTING_TOML).to_string();
            if rng.chance(50) {
                mutate_once(&mut rng, &mut toml, &seeds);
            }
            toml
        });
        if let Some(current) = &limits.current_file {
            let _ = std::fs::write(current, text.as_bytes());
        }
        stats.iterations += 1;
        match catch_unwind(AssertUnwindSafe(|| {
            exercise(&path, &text, existing.as_deref(), &printer)
        })) {
            Ok(done) => {
                stats.parsed += u64::from(done.parsed);
                stats.rendered += u64::from(done.rendered);
                stats.rejected += u64::from(done.errors > 0);
            }
            Err(_) => {
                let message = std::mem::take(&mut *last_panic.lock().unwrap());
                let saved = limits.crash_dir.as_ref().map(|dir| {
                    let _ = std::fs::create_dir_all(dir);
                    let file = dir.join(format!("crash-{}.photon.ts", stats.crashes.len()));
                    let _ = std::fs::write(&file, text.as_bytes());
                    if let Some(toml) = &existing {
                        let _ = std::fs::write(file.with_extension("wrangler.toml"), toml);
                    }
                    let _ = std::fs::write(
                        file.with_extension("txt"),
                        format!("path: {}\n{message}\n", path.display()),
                    );
                    file
                });
                stats.crashes.push(Crash {
                    iteration: stats.iterations,
                    path: path.clone(),
                    message,
                    saved,
                });
            }
        }
        previous = Some((seed_path, text));
    }
    std::panic::set_hook(default_hook);
    stats.elapsed = started.elapsed();
    stats
}
