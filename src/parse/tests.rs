//! Parser tests: snapshots of the model for the fixture photons, and focused tests per rule.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;
use crate::model::{Annotations, AssetContent, EnvType, Injection};

fn parse(name: &str, src: &str) -> ParseOutcome {
    parse_photon(Path::new(name), Arc::from(src))
}

/// Parse a fixture under `fixtures/`; the path in the model stays repo-relative.
fn fixture(rel: &str) -> ParseOutcome {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&full).unwrap();
    parse_photon(Path::new(rel), Arc::from(text))
}

/// The outcome as JSON: the model and the diagnostics with their line and column.
fn outcome_json(out: &ParseOutcome) -> Value {
    let diagnostics: Vec<Value> = out
        .diagnostics
        .iter()
        .map(|d| serde_json::to_value(d.to_json()).unwrap())
        .collect();
    json!({ "photon": out.photon, "diagnostics": diagnostics })
}

fn codes(out: &ParseOutcome) -> Vec<&'static str> {
    out.diagnostics.iter().map(|d| d.code).collect()
}

fn tool<'a>(p: &'a Photon, name: &str) -> &'a Tool {
    p.tools
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no tool {name}"))
}

fn photon(src: &str) -> Photon {
    let out = parse("t.photon.ts", src);
    assert!(
        !out.diagnostics.has_errors(),
        "{:?}",
        out.diagnostics
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    out.photon.unwrap()
}

/// The input schema of the only tool of `export default class T { async m(<params>) {} }`.
fn input(params: &str) -> Value {
    input_with("", params)
}

fn input_with(prelude: &str, params: &str) -> Value {
    let p = photon(&format!(
        "{prelude}\nexport default class T {{ async m({params}) {{}} }}"
    ));
    p.tools[0].input_schema.clone()
}

/// The schema of parameter `a` (a second parameter keeps an object literal from being unwrapped).
fn prop(params: &str) -> Value {
    let schema = input(params);
    match schema["properties"].get("a") {
        Some(a) => a.clone(),
        None => input(&format!("{params}, zz?: number"))["properties"]["a"].clone(),
    }
}

macro_rules! snapshot_fixture {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            let out = fixture(concat!("fixtures/parse/", $file));
            insta::assert_json_snapshot!(stringify!($test), outcome_json(&out));
        }
    };
}

snapshot_fixture!(fixture_cf_counter, "cf-counter.photon.ts");
snapshot_fixture!(fixture_schemas, "schemas.photon.ts");
snapshot_fixture!(fixture_nango, "nango.photon.ts");
snapshot_fixture!(fixture_tags, "tags.photon.ts");
snapshot_fixture!(fixture_list, "list.photon.ts");
snapshot_fixture!(fixture_github_issues, "github-issues.photon.ts");
snapshot_fixture!(fixture_cf_base, "cf-base.photon.ts");

/// Every broken photon under `fixtures/invalid/` gives at least one located error, and the
/// expected one: the parser and the compatibility rules together, as `check` runs them.
#[test]
fn invalid_fixtures_each_give_their_located_error() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid");
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut report = Vec::new();
    for path in entries {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let rel = format!("fixtures/invalid/{file}");
        let out = fixture(&rel);
        let mut diags: Vec<_> = out.diagnostics.iter().cloned().collect();
        if let Some(p) = &out.photon {
            diags.extend(crate::compat::check(p));
            diags.extend(crate::assets::collect(p).1);
            diags.extend(crate::ui_views::collect(p).1);
        }
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        let located: Vec<String> = errors
            .iter()
            .filter_map(|d| {
                d.line_col()
                    .map(|(l, c)| format!("{}@{l}:{c}", catalog::short(d.code)))
            })
            .collect();
        assert!(!located.is_empty(), "{file}: no located error ({errors:?})");
        report.push(format!("{file}: {}", located.join(", ")));
        seen += 1;
    }
    assert!(seen >= 30, "only {seen} invalid fixtures");
    insta::assert_snapshot!("invalid_fixtures", report.join("\n"));
}

// ---- photon-format §3.1: the simpleParams rule -------------------------------------------

#[test]
fn no_parameters_is_an_empty_object_and_not_simple() {
    let p = photon("export default class T { async m() {} }");
    assert_eq!(
        p.tools[0].input_schema,
        json!({"type": "object", "properties": {}})
    );
    assert!(!p.tools[0].simple_params);
    assert!(p.tools[0].params.is_empty());
}

#[test]
fn single_inline_literal_is_unwrapped() {
    let p = photon("export default class T { async m(p: { a: string; b?: number }) {} }");
    let t = &p.tools[0];
    assert!(!t.simple_params);
    assert_eq!(
        t.input_schema,
        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "number"}}, "required": ["a"]})
    );
    // Destructured and defaulted forms are unwrapped the same way.
    assert_eq!(
        input("{ a, b }: { a: string; b?: number } = { a: '' }"),
        t.input_schema
    );
}

#[test]
fn union_with_a_literal_takes_the_first_literal() {
    assert_eq!(
        input("p: string | { x: number } | { y: string }"),
        json!({"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]})
    );
}

#[test]
fn single_interface_parameter_is_a_property_unless_named_params() {
    let prelude = "interface Opts { a: string }";
    assert_eq!(
        input_with(prelude, "opts: Opts"),
        json!({"type": "object", "properties": {"opts": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}, "required": ["opts"]})
    );
    let p = photon(&format!(
        "{prelude}\nexport default class T {{ async m(params: Opts) {{}} }}"
    ));
    assert!(!p.tools[0].simple_params);
    assert_eq!(
        p.tools[0].input_schema,
        json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})
    );
}

#[test]
fn positional_parameters_keep_declaration_order_and_requiredness() {
    let p = photon("export default class T { async m(z: string, b = 5, a?: boolean) {} }");
    let t = &p.tools[0];
    assert!(t.simple_params);
    assert_eq!(t.params, ["z", "b", "a"]);
    let keys: Vec<_> = t.input_schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["z", "b", "a"]);
    assert_eq!(t.input_schema["required"], json!(["z"]));
    assert_eq!(
        t.input_schema["properties"]["b"],
        json!({"type": "number", "default": 5})
    );
}

#[test]
fn union_with_literal_plus_more_parameters_is_positional() {
    let t = input("p: { a: string } | string, extra?: number");
    assert_eq!(
        t["properties"]["p"],
        json!({"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, {"type": "string"}]})
    );
    assert_eq!(t["properties"]["extra"], json!({"type": "number"}));
}

#[test]
fn untyped_parameters() {
    assert_eq!(prop("a"), json!({"type": "string"}));
    // Fix: the default's type, not `string`.
    assert_eq!(prop("a = 5"), json!({"type": "number", "default": 5}));
    assert_eq!(
        prop("a = true"),
        json!({"type": "boolean", "default": true})
    );
}

#[test]
fn defaults() {
    assert_eq!(prop("a: string = 'x'")["default"], json!("x"));
    // Fix: a negative number is a number (upstream: the string "-1").
    assert_eq!(prop("a: number = -1")["default"], json!(-1));
    assert_eq!(prop("a: number = 1.5")["default"], json!(1.5));
    assert_eq!(
        prop("a: string[] = ['x', 'y']")["default"],
        json!(["x", "y"])
    );
    assert_eq!(
        prop("a: object = { k: 1, s: 'v' }")["default"],
        json!({"k": 1, "s": "v"})
    );
    assert_eq!(prop("a: string = `tpl`")["default"], json!("tpl"));
    // Computed at call time: no default, a warning.
    let out = parse(
        "t.photon.ts",
        "export default class T { async m(a: string = process.cwd()) {} }",
    );
    assert_eq!(codes(&out), [catalog::COMPUTED_DEFAULT]);
    assert!(
        out.photon.unwrap().tools[0].input_schema["properties"]["a"]
            .get("default")
            .is_none()
    );
}

#[test]
fn rest_parameter_is_an_error_not_a_schema() {
    let out = parse(
        "t.photon.ts",
        "export default class T {\n  /** @param keys the keys */\n  async del(key: string, ...keys: string[]) {}\n}",
    );
    assert_eq!(codes(&out), [catalog::REST_PARAMETER]);
    let d = out.diagnostics.iter().next().unwrap();
    assert_eq!(d.line_col(), Some((3, 26)));
    assert!(d.help.as_deref().unwrap().contains("`keys: string[]`"));
    let p = out.photon.unwrap();
    assert_eq!(
        p.tools[0].input_schema,
        json!({"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]})
    );
}

#[test]
fn invalid_cron_is_an_error_at_the_expression() {
    let out = parse(
        "t.photon.ts",
        "export default class T {\n  /**\n   * @scheduled 0 0 * * 8\n   */\n  async tick() {}\n  /** @cron @daily */\n  async daily() {}\n  /** @cron 0 9 * * MON-FRI */\n  async weekdays() {}\n}",
    );
    assert_eq!(codes(&out), [catalog::INVALID_CRON]);
    let d = out.diagnostics.iter().next().unwrap();
    assert_eq!(d.line_col(), Some((3, 17)));
    assert_eq!(d.labels[0].0.len, "0 0 * * 8".len());
    assert!(d.message.contains("day of week field `8`"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("@hourly"));
}

#[test]
fn scheduled_method_with_required_parameters_is_an_error() {
    let out = parse(
        "t.photon.ts",
        "export default class T {\n  /** @scheduled @hourly */\n  async tick(a: string, b = 1, c?: number) {}\n  /** @scheduled @hourly */\n  async fine(b = 1, c?: number) {}\n  /** @cron @daily */\n  async opts(o: { x: string }) {}\n  async called(a: string) {}\n}",
    );
    assert_eq!(
        codes(&out),
        [
            catalog::SCHEDULED_NEEDS_ARGUMENTS,
            catalog::SCHEDULED_NEEDS_ARGUMENTS
        ]
    );
    let all: Vec<_> = out.diagnostics.iter().collect();
    assert_eq!(all[0].line_col(), Some((3, 9)));
    assert!(
        all[0].message.contains("requires `a`"),
        "{}",
        all[0].message
    );
    assert!(all[0].help.as_deref().unwrap().contains("optional"));
    assert_eq!(all[1].line_col(), Some((7, 9)));
    assert!(all[1].message.contains("`x`"), "{}", all[1].message);
}

#[test]
fn duplicate_methods_are_an_error_but_overloads_are_not() {
    let out = parse(
        "t.photon.ts",
        "export default class T {\n  async a() {}\n  static a() {}\n  async b(x: string): Promise<void>;\n  async b(x: number): Promise<void>;\n  async b(x: unknown) {}\n}",
    );
    assert_eq!(codes(&out), [catalog::DUPLICATE_TOOL]);
    let d = out.diagnostics.iter().next().unwrap();
    assert_eq!(d.line_col(), Some((3, 10)));
    assert_eq!(d.labels.len(), 2);
    assert_eq!(d.labels[1].1, "first defined here");
    assert_eq!(
        d.labels[1].0.offset,
        "export default class T {\n  async ".len()
    );
    let p = out.photon.unwrap();
    assert_eq!(
        p.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
}

// ---- photon-format §3.2: type nodes ------------------------------------------------------

#[test]
fn keywords() {
    assert_eq!(prop("a: string"), json!({"type": "string"}));
    assert_eq!(prop("a: number"), json!({"type": "number"}));
    assert_eq!(prop("a: boolean"), json!({"type": "boolean"}));
    assert_eq!(prop("a: any"), json!({}));
    assert_eq!(prop("a: unknown"), json!({}));
}

#[test]
fn literal_unions_are_enums() {
    assert_eq!(
        prop("a: 'x' | 'y'"),
        json!({"type": "string", "enum": ["x", "y"]})
    );
    assert_eq!(prop("a: 1 | 2"), json!({"type": "number", "enum": [1, 2]}));
    assert_eq!(
        prop("a: true | false"),
        json!({"type": "boolean", "enum": [true, false]})
    );
    assert_eq!(
        prop("a: 'only'"),
        json!({"type": "string", "enum": ["only"]})
    );
    assert_eq!(prop("a: true"), json!({"type": "boolean"}));
}

#[test]
fn mixed_unions_group_literals() {
    assert_eq!(
        prop("a: number | '+1' | '-1'"),
        json!({"anyOf": [{"type": "number"}, {"type": "string", "enum": ["+1", "-1"]}]})
    );
    assert_eq!(
        prop("a: string | number"),
        json!({"anyOf": [{"type": "string"}, {"type": "number"}]})
    );
    assert_eq!(
        prop("a: 'x' | 1"),
        json!({"anyOf": [{"type": "string", "enum": ["x"]}, {"type": "number", "enum": [1]}]})
    );
}

#[test]
fn null_makes_nullable_and_undefined_drops() {
    // Fix: upstream gives anyOf[string, {type: object}].
    assert_eq!(
        prop("a: string | null"),
        json!({"type": ["string", "null"]})
    );
    assert_eq!(
        prop("a: 'x' | 'y' | null"),
        json!({"type": ["string", "null"], "enum": ["x", "y", null]})
    );
    assert_eq!(
        prop("a: string | number | null"),
        json!({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]})
    );
    assert_eq!(prop("a: any | null"), json!({}));
    assert_eq!(prop("a?: string | undefined"), json!({"type": "string"}));
    assert_eq!(prop("a: null"), json!({"type": "null"}));
}

#[test]
fn intersections_arrays_tuples() {
    assert_eq!(
        prop("a: { x: number } & { y: number }"),
        json!({"allOf": [
            {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]},
            {"type": "object", "properties": {"y": {"type": "number"}}, "required": ["y"]}
        ]})
    );
    assert_eq!(
        prop("a: string[]"),
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        prop("a: Array<number>"),
        json!({"type": "array", "items": {"type": "number"}})
    );
    assert_eq!(
        prop("a: readonly string[]"),
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        prop("a: [string, number]"),
        json!({"type": "array", "items": [{"type": "string"}, {"type": "number"}]})
    );
}

#[test]
fn object_literals_members_docs_and_readonly() {
    assert_eq!(
        input(
            "a: { /** The id */ readonly id: string; n?: number; raw; m(): void; [k: string]: any }, z: number"
        )["properties"]["a"],
        json!({"type": "object", "properties": {
            "id": {"type": "string", "description": "The id", "readOnly": true},
            "n": {"type": "number"},
            "raw": {}
        }, "required": ["id", "raw"]})
    );
    // Fix: nested readonly is `readOnly`, never a leaked `_tsReadOnly`.
    assert_eq!(
        prop("a: { inner: { readonly x: string } }")["properties"]["inner"]["properties"]["x"],
        json!({"type": "string", "readOnly": true})
    );
}

#[test]
fn aliases_and_interfaces_resolve_with_extends() {
    let prelude = "type Id = string;\ninterface Base { id: Id; name?: string }\ninterface Child extends Base { name: string; extra: number }";
    assert_eq!(
        input_with(prelude, "a: Child")["properties"]["a"],
        json!({"type": "object", "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "extra": {"type": "number"}
        }, "required": ["id", "name", "extra"]})
    );
}

#[test]
fn recursive_alias_is_cut_and_no_tool_is_lost() {
    let src = "type J = string | J[] | { [k: string]: J };\ninterface Node { kids: Node[] }\ninterface A extends B { a: string }\ninterface B extends A { b: string }\nexport default class T {\n  async one(v: J) {}\n  async two(n: Node) {}\n  async three(x: A) {}\n  async four() {}\n}";
    let p = photon(src);
    let names: Vec<_> = p.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["one", "two", "three", "four"]);
    assert_eq!(
        tool(&p, "one").input_schema["properties"]["v"],
        json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {}}, {"type": "object", "properties": {}}]})
    );
    assert_eq!(
        tool(&p, "two").input_schema["properties"]["n"]["properties"]["kids"],
        json!({"type": "array", "items": {}})
    );
    assert_eq!(
        tool(&p, "three").input_schema["properties"]["x"]["required"],
        json!(["b", "a"])
    );
}

#[test]
fn upstream_object_fallbacks() {
    for t in [
        "Date",
        "Record<string, number>",
        "Map<string, string>",
        "Promise<string>",
        "bigint",
        "() => void",
        "Imported",
        "E",
    ] {
        assert_eq!(
            input_with("enum E { A }", &format!("a: {t}"))["properties"]["a"],
            json!({"type": "object"}),
            "{t}"
        );
    }
}

#[test]
fn output_schema_only_for_object_results() {
    let p = photon(
        "interface R { ok: boolean }\nexport default class T {\n  async a(): Promise<R> { return { ok: true }; }\n  async b(): Promise<string> { return ''; }\n  c(): { n: number } { return { n: 1 }; }\n  async d(): Promise<{}> { return {}; }\n  async *e(): AsyncGenerator<R> {}\n}",
    );
    assert_eq!(
        tool(&p, "a").output_schema,
        Some(
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]})
        )
    );
    assert_eq!(tool(&p, "b").output_schema, None);
    assert!(tool(&p, "c").output_schema.is_some());
    assert_eq!(tool(&p, "d").output_schema, None);
    assert_eq!(tool(&p, "e").output_schema, None);
}

// ---- photon-format §3.3: inline constraints ----------------------------------------------

fn constrained(ty: &str, tags: &str) -> (Value, Vec<&'static str>) {
    let src = format!(
        "export default class T {{\n  /**\n   * @param a Doc {tags}\n   */\n  async m(a: {ty}) {{}}\n}}"
    );
    let out = parse("t.photon.ts", &src);
    let codes = codes(&out);
    (
        out.photon.unwrap().tools[0].input_schema["properties"]["a"].clone(),
        codes,
    )
}

#[test]
fn min_max_by_type() {
    assert_eq!(
        constrained("number", "{@min 1} {@max 9}").0,
        json!({"type": "number", "description": "Doc", "minimum": 1, "maximum": 9})
    );
    assert_eq!(constrained("string", "{@min 2}").0["minLength"], json!(2));
    assert_eq!(constrained("string[]", "{@max 3}").0["maxItems"], json!(3));
    let (s, codes) = constrained("boolean", "{@min 1}");
    assert!(s.get("minimum").is_none());
    assert_eq!(codes, [catalog::BAD_CONSTRAINT]);
    // min > max drops max.
    let s = constrained("number", "{@min 9} {@max 1}").0;
    assert_eq!(
        (s.get("minimum"), s.get("maximum")),
        (Some(&json!(9)), None)
    );
}

#[test]
fn string_and_array_constraints() {
    assert_eq!(
        constrained("string", "{@pattern ^a+$}").0["pattern"],
        json!("^a+$")
    );
    // A pattern is ignored on an enum.
    assert!(
        constrained("'a' | 'b'", "{@pattern x}")
            .0
            .get("pattern")
            .is_none()
    );
    let s = constrained("number[]", "{@unique} {@minItems 1} {@maxItems 4}").0;
    assert_eq!(
        (&s["uniqueItems"], &s["minItems"], &s["maxItems"]),
        (&json!(true), &json!(1), &json!(4))
    );
    assert_eq!(
        constrained("number", "{@multipleOf 0.5}").0["multipleOf"],
        json!(0.5)
    );
}

#[test]
fn format_choice_default_examples() {
    assert_eq!(
        constrained("string", "{@format email}").0["format"],
        json!("email")
    );
    assert_eq!(
        constrained("string", "{@format code:typescript}").0["format"],
        json!("code:typescript")
    );
    let (s, codes) = constrained("string", "{@format bogus}");
    assert!(s.get("format").is_none());
    assert_eq!(codes, [catalog::BAD_CONSTRAINT]);
    // Applied even to enums.
    assert_eq!(
        constrained("'a' | 'b'", "{@format radio}").0["format"],
        json!("radio")
    );
    assert_eq!(
        constrained("string", "{@choice a, b ,c}").0["enum"],
        json!(["a", "b", "c"])
    );
    // Not when the type already has an enum; string enums even on numbers.
    assert_eq!(constrained("'x'", "{@choice a}").0["enum"], json!(["x"]));
    assert_eq!(
        constrained("number", "{@choice 1,2}").0["enum"],
        json!(["1", "2"])
    );
    assert_eq!(
        constrained("string", "{@default today}").0["default"],
        json!("today")
    );
    assert_eq!(constrained("number", "{@default 5}").0["default"], json!(5));
    assert_eq!(
        constrained("object", r#"{@default {"a": [1]}}"#).0["default"],
        json!({"a": [1]})
    );
    assert_eq!(
        constrained("string", "{@example x} {@example \"y\"}").0["examples"],
        json!(["x", "y"])
    );
}

#[test]
fn metadata_constraints() {
    let s = constrained(
        "string",
        "{@deprecated old} {@readOnly} {@writeOnly} {@label Name} {@choice-from list.id} {@placeholder p} {@hint h} {@hidden} {@accept .md}",
    )
    .0;
    assert_eq!(s["deprecated"], json!("old"));
    assert!(s.get("readOnly").is_none());
    assert_eq!(s["writeOnly"], json!(true));
    assert_eq!(s["title"], json!("Name"));
    assert_eq!(s["x-choiceFrom"], json!("list.id"));
    assert_eq!(
        (&s["placeholder"], &s["hint"], &s["hidden"], &s["accept"]),
        (&json!("p"), &json!("h"), &json!(true), &json!(".md"))
    );
    assert_eq!(
        constrained("string", "{@deprecated}").0["deprecated"],
        json!(true)
    );
    assert_eq!(
        constrained("number", "{@field integer}").0["type"],
        json!("integer")
    );
}

#[test]
fn constraints_on_any_of_members() {
    let s = constrained("string | string[]", "{@min 1} {@deprecated} {@example a}").0;
    assert_eq!(s["anyOf"][0]["minLength"], json!(1));
    assert_eq!(s["anyOf"][1]["minItems"], json!(1));
    assert_eq!(s["deprecated"], json!(true));
    assert_eq!(s["examples"], json!(["a"]));
}

#[test]
fn unknown_inline_tag_warns_at_the_tag() {
    let (_, codes) = constrained("string", "{@frobnicate 1}");
    assert_eq!(codes, [catalog::BAD_CONSTRAINT]);
    let src = "export default class T {\n  /**\n   * @param a Doc {@frobnicate 1}\n   */\n  async m(a: string) {}\n}";
    let out = parse("t.photon.ts", src);
    assert_eq!(
        out.diagnostics.iter().next().unwrap().line_col(),
        Some((3, 19))
    );
}

#[test]
fn param_docs_fallback_and_unknown() {
    // One property and one unmatched @param: applied with a `name: ` prefix (upstream fail-safe).
    let src =
        "export default class T {\n  /** @param query What to find */\n  async m(q: string) {}\n}";
    let p = photon(src);
    assert_eq!(
        p.tools[0].input_schema["properties"]["q"]["description"],
        json!("query: What to find")
    );
    let src = "export default class T {\n  /**\n   * @param a A\n   * @param zzz nope\n   */\n  async m(a: string, b: string) {}\n}";
    let out = parse("t.photon.ts", src);
    assert_eq!(codes(&out), [catalog::UNKNOWN_PARAM]);
    assert_eq!(
        out.diagnostics.iter().next().unwrap().line_col(),
        Some((4, 6))
    );
}

// ---- §1 and §2: class, tools, tags, injection -------------------------------------------

#[test]
fn class_selection() {
    let p = photon("class Helper { async h() {} }\nexport class Only { async o() {} }");
    assert_eq!(p.class.name.as_deref(), Some("Only"));
    assert!(!p.class.default_export);
    assert_eq!(p.tools.len(), 1);
    let p = photon("export class A { a() {} }\nexport default class B { b() {} }");
    assert_eq!(p.class.name.as_deref(), Some("B"));
    assert!(p.class.default_export);
    let p = photon("class C { c() {} }\nexport default C;");
    assert_eq!(
        (p.class.name.as_deref(), p.class.default_export),
        (Some("C"), true)
    );
    let p = photon("class D { d() {} }\nexport { D };");
    assert_eq!(
        (p.class.name.as_deref(), p.class.default_export),
        (Some("D"), false)
    );
    let p = photon("export default class { anon() {} }");
    assert_eq!(p.class.name, None);
    let out = parse("t.photon.ts", "export class A {}\nexport class B {}");
    assert_eq!(codes(&out), [catalog::AMBIGUOUS_PHOTON_CLASS]);
    assert_eq!(out.diagnostics.iter().next().unwrap().labels.len(), 2);
}

#[test]
fn photon_name_from_file_name() {
    let out = parse("dir/my-photon_2.photon.ts", "export default class A {}");
    assert_eq!(out.photon.unwrap().name, "my-photon_2");
    for bad in [
        "-x.photon.ts",
        "a.b.photon.ts",
        "a b.photon.ts",
        "é.photon.ts",
    ] {
        let out = parse(bad, "export default class A {}");
        assert_eq!(codes(&out), [catalog::BAD_PHOTON_NAME], "{bad}");
    }
    let out = parse("thing.ts", "export default class A {}");
    assert_eq!(codes(&out), [catalog::BAD_FILE_NAME]);
}

#[test]
fn class_docblock_unions_header_and_class_blocks() {
    let src = "/**\n * Header text.\n * @dependencies zod@^3, @scope/pkg, opt?\n * @stateful\n */\nimport { z } from 'zod';\n\n/**\n * The class.\n *\n * Second paragraph.\n * @version 1.0.0\n * @author Someone\n * @runtime ^1.5.0\n * @scope a:read b:write\n * @photons one, two\n */\nexport default class X {}";
    let p = photon(src);
    let d = &p.doc;
    assert_eq!(
        d.description.as_deref(),
        Some("The class.\n\nSecond paragraph.")
    );
    assert_eq!(d.version.as_deref(), Some("1.0.0"));
    assert!(d.stateful);
    // `@author` is not `@auth`.
    assert_eq!(d.auth, None);
    assert_eq!(d.runtime.as_deref(), Some("^1.5.0"));
    assert_eq!(d.scopes, ["a:read", "b:write"]);
    let deps: Vec<_> = d
        .dependencies
        .iter()
        .map(|x| (x.name.as_str(), x.version.as_str(), x.optional))
        .collect();
    assert_eq!(
        deps,
        [
            ("zod", "^3", false),
            ("@scope/pkg", "*", false),
            ("opt", "*", true)
        ]
    );
    let names: Vec<_> = d.photons.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(names, ["one", "two"]);
    // Spans point at the names in the file.
    for s in &d.photons {
        assert_eq!(&src[s.span.offset..s.span.offset + s.span.len], s.value);
    }
    for dep in &d.dependencies {
        assert!(src[dep.span.offset..].starts_with(&dep.name));
    }
    let p = photon("/** Only a header. @auth */\nexport default class X {}");
    assert_eq!(p.doc.auth.as_deref(), Some("required"));
    assert_eq!(p.doc.description.as_deref(), Some("Only a header."));
}

#[test]
fn which_members_are_tools() {
    let src = "import { Photon } from '@portel/photon-core';\nexport default class X extends Photon {\n  constructor() { super(); }\n  async onInitialize() {}\n  async onShutdown() {}\n  async onError() {}\n  configure() {}\n  getConfig() {}\n  main() {}\n  static s() {}\n  private p() {}\n  protected q() {}\n  _u() {}\n  #h() {}\n  get g() { return 1; }\n  set g(v) {}\n  arrow = () => 1;\n  ['computed']() {}\n  async *gen() {}\n  /** @internal */ hidden() {}\n  /** @post /hook */ hook() {}\n  /** @prompt */ pr() {}\n  /** @resource */ res() {}\n  /** @Static */ st() {}\n  /** @template */ tpl() {}\n  testSomething() {}\n}";
    let out = parse("t.photon.ts", src);
    let p = out.photon.clone().unwrap();
    let names: Vec<_> = p.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["main", "s", "gen", "hidden", "testSomething"]);
    assert!(tool(&p, "s").is_static);
    assert!(tool(&p, "gen").is_generator && tool(&p, "gen").is_async);
    assert!(tool(&p, "hidden").internal);
    assert_eq!(
        p.lifecycle,
        Lifecycle {
            on_initialize: true,
            on_shutdown: true
        }
    );
    assert_eq!(p.class.extends.as_deref(), Some("Photon"));
    assert!(codes(&out).is_empty(), "{:?}", codes(&out));
    // Prompts and resources are not tools: they are served as what their tag says.
    let prompts: Vec<_> = p.prompts.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(prompts, ["pr", "tpl"]);
    let resources: Vec<_> = p.resources.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(resources, ["res", "st"]);
    // A route handler is an HTTP route, not a tool.
    assert_eq!(
        p.routes
            .iter()
            .map(|r| (r.method.as_str(), r.path.as_str(), r.handler.as_str()))
            .collect::<Vec<_>>(),
        [("POST", "/hook", "hook")]
    );
    // A plain class keeps configure/getConfig as tools.
    let p = photon("export default class X { configure() {} getConfig() {} }");
    assert_eq!(p.tools.len(), 2);
}

/// `extends Photon` is decided once, in the model: an alias of photon-core's base counts, a
/// class of the same shape from elsewhere does not.
#[test]
fn extends_photon_is_recorded_once() {
    let aliased = photon(
        "import { PhotonMCP as Base } from '@portel/photon-core';\nexport default class X extends Base { configure() {} }",
    );
    assert_eq!(aliased.class.extends.as_deref(), Some("Base"));
    assert!(aliased.class.extends_photon);
    assert!(aliased.tools.is_empty());
    let plain = photon("export default class X extends Photon {}");
    assert!(plain.class.extends_photon);
    let other = photon(
        "import { Base } from './base';\nexport default class X extends Base { configure() {} }",
    );
    assert!(!other.class.extends_photon);
    assert_eq!(other.tools.len(), 1);
}

#[test]
fn method_tags() {
    let src = "export default class X {\n  /**\n   * Does things.\n   *\n   * More detail.\n   * @title Do Things\n   * @readOnly\n   * @destructive false\n   * @idempotent\n   * @closedWorld\n   * @deprecated use other\n   * @scheduled 0 * * * *\n   * @locked\n   * @scope x:read, x:write\n   */\n  async run() {}\n}";
    let p = photon(src);
    let t = &p.tools[0];
    assert_eq!(t.description.as_deref(), Some("Does things. More detail."));
    assert_eq!(
        t.annotations,
        Annotations {
            title: Some("Do Things".into()),
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(false),
        }
    );
    assert_eq!(t.deprecated.as_deref(), Some("use other"));
    assert_eq!(t.scheduled.as_deref(), Some("0 * * * *"));
    assert_eq!(t.locked.as_deref(), Some("run"));
    assert_eq!(t.scopes, ["x:read", "x:write"]);
    assert!(!t.internal);
}

#[test]
fn constructor_injection() {
    let src = "/**\n * @stateful\n * @mcp github anthropics/github-mcp\n * @photon whatsapp ./whatsapp.photon.ts\n */\nexport default class X {\n  constructor(\n    private apiKey: string,\n    port: number = 8080,\n    debug?: boolean,\n    maybe: string | undefined,\n    raw,\n    github: any,\n    personalWhatsapp: any,\n    private items: string[] = [],\n    cfg: Config,\n  ) {}\n}";
    let out = parse("my-svc.photon.ts", src);
    let p = out.photon.clone().unwrap();
    let got: Vec<_> = p
        .constructor
        .iter()
        .map(|c| (c.name.as_str(), c.injection.clone(), c.optional))
        .collect();
    let env = |v: &str, ty| Injection::Env { var: v.into(), ty };
    let unsupported = |r: &str| Injection::Unsupported { reason: r.into() };
    assert_eq!(
        got,
        [
            ("apiKey", env("MY_SVC_API_KEY", EnvType::String), false),
            ("port", env("MY_SVC_PORT", EnvType::Number), true),
            ("debug", env("MY_SVC_DEBUG", EnvType::Boolean), true),
            ("maybe", env("MY_SVC_MAYBE", EnvType::String), false),
            ("raw", env("MY_SVC_RAW", EnvType::String), false),
            ("github", unsupported("mcp"), false),
            ("personalWhatsapp", unsupported("photon"), false),
            ("items", unsupported("state"), true),
            ("cfg", env("MY_SVC_CFG", EnvType::String), false),
        ]
    );
    assert_eq!(
        codes(&out),
        [
            catalog::UNSUPPORTED_INJECTION,
            catalog::UNSUPPORTED_INJECTION
        ]
    );
}

#[test]
fn capability_use_through_casts() {
    let p = photon(
        "export default class X {\n  async a() {\n    await (this as any).memory.get('k');\n    (<any>this).emit({});\n    this!.schedule;\n    ((this)).call('a.b');\n    const { sample, confirm: c } = this as any;\n    this?.elicit;\n  }\n}",
    );
    assert_eq!(
        p.uses,
        crate::model::CapabilityUse {
            memory: true,
            emit: true,
            schedule: true,
            call: true,
            sample: true,
            confirm: true,
            elicit: true,
            context: true,
        }
    );
}

#[test]
fn call_context_is_needed_only_where_the_code_can_reach_it() {
    let free = [
        "export default class X {\n  async a() {\n    const n = ((await this.memory.get('n')) ?? 0) + 1;\n    await (this as any).memory.set('n', n);\n    const { memory, schedule } = this;\n    return this.helper(n) + this['instanceName'];\n  }\n  private helper(n: number) { return n; }\n}",
        "function pure(x: number) { return x * 2; }\nexport default class X {\n  static twice(n: number) { return pure(n); }\n  async a() { return [1, 2].map((v) => this.count + v); }\n  count = 0;\n}",
    ];
    for src in free {
        assert!(!photon(src).uses.context, "{src}");
    }
    let needs = [
        "export default class X {\n  async a() { this.emit({ emit: 'status', message: 'x' }); }\n}",
        "export default class X {\n  async a() { (this as any).progress(0.5); }\n}",
        "export default class X {\n  async a() { return this.caller.id; }\n}",
        "export default class X {\n  async a() { return this.call('b.c', {}); }\n}",
        "export default class X {\n  async a() { this.notifyResourceUpdated('x://y'); }\n}",
        "export default class X {\n  async a() { const self = this; self.emit({}); }\n}",
        "export default class X {\n  async a() { return helper(this); }\n}\nfunction helper(p: any) { p.emit({}); }",
        "export default class X {\n  async a(k: string) { return (this as any)[k]({}); }\n}",
        "export default class X {\n  async a() { const { emit: e } = this; e({}); }\n}",
        "export default class X {\n  async a() { const { ...all } = this as any; all.emit({}); }\n}",
        "import { Photon } from '@portel/photon-core';\nexport default class X extends Photon {\n  async a() { return 1; }\n}",
    ];
    for src in needs {
        assert!(photon(src).uses.context, "{src}");
    }
}

#[test]
fn imports_are_classified() {
    let p = photon(
        "import type { A } from 'a';\nimport { type B, type C } from 'b';\nimport { D, type E } from 'd';\nimport 'side';\nexport * from 'e';\nexport { f } from 'f';\nimport g = require('g');\nexport default class X {\n  async m(n: string) {\n    await import('h');\n    await import(`i`);\n    await import(n);\n    require('j');\n  }\n}",
    );
    let got: Vec<_> = p
        .imports
        .iter()
        .map(|i| (i.specifier.as_deref(), i.kind, i.type_only))
        .collect();
    use crate::model::ImportKind::*;
    assert_eq!(
        got,
        [
            (Some("a"), Static, true),
            (Some("b"), Static, true),
            (Some("d"), Static, false),
            (Some("side"), Static, false),
            (Some("e"), ExportFrom, false),
            (Some("f"), ExportFrom, false),
            (Some("g"), Require, false),
            (Some("h"), Dynamic, false),
            (Some("i"), Dynamic, false),
            (None, Dynamic, false),
            (Some("j"), Require, false),
        ]
    );
}

#[test]
fn syntax_errors_are_located_with_multibyte_text() {
    // Columns count characters: the error sits after two 2-byte characters.
    let out = parse(
        "t.photon.ts",
        "// çé\nexport default class X {\n  a() { const x = ; }\n}",
    );
    assert_eq!(codes(&out), [catalog::SYNTAX_ERROR]);
    assert_eq!(
        out.diagnostics.iter().next().unwrap().line_col(),
        Some((3, 19))
    );
    assert!(out.photon.is_none());
    // Spans of a file with multi-byte text are byte offsets into it.
    let src = "/** Déjà vu — ünïcode */\nexport default class X {\n  /** ok */ async m() {}\n}";
    let p = photon(src);
    let s = p.tools[0].span;
    assert!(
        src[s.offset..s.offset + s.len].starts_with("/** ok */")
            || src[s.offset..].starts_with("async m")
    );
}

#[test]
fn empty_and_odd_inputs_do_not_panic() {
    for src in [
        "",
        "   ",
        "/**",
        "/** */",
        "export default class {",
        "\u{feff}export default class X {}",
        "class",
        "@",
        "export default class X { m(",
        "\0",
    ] {
        let _ = parse("t.photon.ts", src);
    }
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    let n = 5000;
    let src = format!(
        "export default class X {{ m() {{ return {}{}; }} }}",
        "[".repeat(n),
        "]".repeat(n)
    );
    let out = parse("t.photon.ts", &src);
    assert_eq!(codes(&out), [catalog::TOO_DEEPLY_NESTED]);
    let at = out.diagnostics.iter().next().unwrap().labels[0].0.offset;
    assert_eq!(&src[at..at + 1], "[");
    // Brackets in strings and comments do not count.
    let src = format!(
        "// {}\nexport default class X {{ m() {{ return '{}' + `{}`; }} }}",
        "(".repeat(400),
        "{".repeat(400),
        "[".repeat(400)
    );
    assert!(parse("t.photon.ts", &src).diagnostics.is_empty());
    assert_eq!(nesting_overflow("((()))", 2, 10), Some(2));
    assert_eq!(nesting_overflow("(()) (())", 2, 10), None);
}

#[test]
fn deep_types_are_cut_with_a_warning() {
    let src = format!(
        "export default class X {{ m(a: string{}, b: number) {{}} }}",
        "[]".repeat(3000)
    );
    let out = parse("t.photon.ts", &src);
    assert_eq!(codes(&out), [catalog::SCHEMA_TOO_DEEP]);
    let mut s = &out.photon.unwrap().tools[0].input_schema["properties"]["a"];
    let mut depth = 0;
    while let Some(items) = s.get("items") {
        s = items;
        depth += 1;
    }
    assert_eq!((depth, s), (schema::MAX_SCHEMA_DEPTH, &json!({})));
}

/// A tiny fixed-seed generator (xorshift), so the mutation test needs no new dependency and
/// runs the same cases every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Mutated fixture text (bytes deleted, duplicated, swapped, or syntax pieces inserted) never
/// panics the parser or the compatibility rules, and every diagnostic stays inside the file.
#[test]
fn mutated_fixtures_never_panic() {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "<",
        ">",
        "/**",
        "*/",
        "//",
        "`",
        "'",
        "\"",
        "@param ",
        "{@min ",
        "...",
        "?",
        ":",
        "|",
        "&",
        " null",
        "import(",
        "require(",
        "new Function(",
        "@",
        "\n",
        "é",
        "export default ",
        "class ",
        "extends ",
        "this.",
        " as any",
        "=>",
        "#",
        "\\",
        "\0",
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut texts = Vec::new();
    for sub in ["parse", "invalid"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            texts.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = std::time::Instant::now();
    let mut runs = 0;
    while runs < 1500 && started.elapsed() < std::time::Duration::from_secs(8) {
        let mut text = texts[rng.below(texts.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(4) {
                0 => {
                    let mut end = (at + 1 + rng.below(40)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                1 => {
                    let mut end = (at + rng.below(60)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    let copy = text[at..end].to_string();
                    text.insert_str(at, &copy);
                }
                _ => text.insert_str(at, PIECES[rng.below(PIECES.len())]),
            }
        }
        let out = parse("m.photon.ts", &text);
        let mut all: Vec<_> = out.diagnostics.iter().cloned().collect();
        if let Some(p) = &out.photon {
            all.extend(crate::compat::check(p));
        }
        for d in &all {
            for (span, _) in &d.labels {
                assert!(
                    span.offset + span.len <= text.len(),
                    "{}: span outside the file",
                    d.code
                );
            }
        }
        runs += 1;
    }
    assert!(runs >= 100, "only {runs} mutations ran");
}

#[test]
fn prose_dependencies_are_ignored_with_a_warning() {
    // A one-line block never declares packages mid-sentence.
    let p = photon(
        "export default class X {\n  /**\n   * Extract @dependencies from the header\n   */\n  private x() {}\n}",
    );
    assert!(p.doc.dependencies.is_empty());
    // At the start of a line, prose is reported, not turned into packages or errors.
    let out = parse(
        "t.photon.ts",
        "/**\n * @dependencies are listed below\n */\nexport default class X {}",
    );
    assert_eq!(codes(&out), [catalog::IGNORED_DEPENDENCIES]);
    // A spec list with a bad name is an error at that name.
    let out = parse(
        "t.photon.ts",
        "/**\n * @dependencies zod@^3, Bad@1\n */\nexport default class X {}",
    );
    assert_eq!(codes(&out), [catalog::BAD_DEPENDENCY]);
    assert_eq!(
        out.diagnostics.iter().next().unwrap().line_col(),
        Some((2, 26))
    );
    assert_eq!(out.photon.unwrap().doc.dependencies.len(), 1);
}

#[test]
fn bom_crlf_and_this_parameter() {
    let src = "\u{feff}/**\r\n * Windows file.\r\n * @version 1.0.0\r\n */\r\nexport default class X {\r\n  /**\r\n   * Hi.\r\n   * @param a The a\r\n   */\r\n  async m(this: X, a: string) {}\r\n}\r\n";
    let p = photon(src);
    assert_eq!(p.doc.description.as_deref(), Some("Windows file."));
    assert_eq!(p.doc.version.as_deref(), Some("1.0.0"));
    assert_eq!(p.tools[0].params, ["a"]);
    assert_eq!(
        p.tools[0].input_schema["properties"]["a"]["description"],
        json!("The a")
    );
    let s = p.class.span;
    assert_eq!(&src[s.offset..s.offset + s.len], "X");
}

#[test]
fn operator_chains_are_a_diagnostic_not_a_stack_overflow() {
    for (prefix, unit, suffix) in [
        ("return ", "!", "x;"),
        ("return ", "x => ", "1;"),
        ("return ", "a ? b : ", "c;"),
        ("return ", "a ? {} : ", "c;"),
        ("return x", ".a", ";"),
        ("return ", "a || ", "b;"),
        ("return ", "await ", "x;"),
        ("let x = 1; ", "x = ", "2;"),
        ("if (a) {} ", "else if (a) {} ", ""),
    ] {
        let src = format!(
            "export default class X {{ async m() {{ {prefix}{}{suffix} }} }}",
            unit.repeat(30_000)
        );
        let out = parse("t.photon.ts", &src);
        assert_eq!(codes(&out), [catalog::TOO_DEEPLY_NESTED], "{unit}");
    }
    // Long but flat code is fine: commas, semicolons and closed blocks end a chain.
    let flat = format!(
        "export default class X {{\n{}}}",
        "  m() { return a + b * c - d; }\n".repeat(2000)
    );
    assert!(nesting_overflow(&flat, MAX_NESTING, MAX_CHAIN).is_none());
}

#[test]
fn unexpected_end_points_at_the_last_character() {
    let src = "export default class X {\n  m() { return 1; }\n\n\n";
    let out = parse("t.photon.ts", src);
    assert_eq!(codes(&out), [catalog::SYNTAX_ERROR]);
    let d = out.diagnostics.iter().next().unwrap();
    assert_eq!(d.line_col(), Some((2, 19)));
    assert_eq!(d.labels[0].0.len, 1);
}

#[test]
fn unusual_tool_names_warn() {
    let out = parse(
        "t.photon.ts",
        "export default class X {\n  get$() {}\n  'two words'() {}\n  fine_name() {}\n}",
    );
    assert_eq!(
        codes(&out),
        [catalog::UNUSUAL_TOOL_NAME, catalog::UNUSUAL_TOOL_NAME]
    );
    assert_eq!(out.photon.unwrap().tools.len(), 3);
}

#[test]
fn prompt_and_resource_tags_choose_the_surface() {
    let p = photon(
        "export default class X {\n  /** @Template */ a() {}\n  /** Hi @prompt */ b() {}\n  /**\n   * Readme\n   * @Static docs://readme\n   * @mimeType text/markdown\n   */\n  c() {}\n  /** @resource item://{id} */ d(id: string) {}\n  /** @resource */ e() {}\n}",
    );
    assert!(p.tools.is_empty());
    assert_eq!(p.prompts.len(), 2);
    assert_eq!(p.prompts[1].description.as_deref(), Some("Hi"));
    let surfaces: Vec<_> = p.resources.iter().map(|t| t.surface.clone()).collect();
    assert_eq!(
        surfaces,
        [
            Surface::Resource {
                uri: "docs://readme".into(),
                mime_type: Some("text/markdown".into())
            },
            Surface::Resource {
                uri: "item://{id}".into(),
                mime_type: None
            },
            Surface::Resource {
                uri: "static://e".into(),
                mime_type: None
            },
        ]
    );
}

#[test]
fn a_uri_variable_must_name_a_parameter() {
    let out = parse(
        "t.photon.ts",
        "export default class X {\n  /** @resource item://{id}/{other} */ d(id: string) {}\n}",
    );
    assert_eq!(codes(&out), [catalog::UNKNOWN_URI_VARIABLE]);
}

#[test]
fn class_level_asset_files_are_read_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("guide.md"), "# Guide\n").unwrap();
    std::fs::write(dir.path().join("logo.png"), [0x89, b'P', b'N', b'G', 0xff]).unwrap();
    let path = dir.path().join("x.photon.ts");
    let src = "/**\n * X\n * @prompt guide ./guide.md\n * @resource logo ./logo.png\n * @resource gone ./missing.txt\n */\nexport default class X { a() {} }";
    let out = crate::parse::parse_photon(&path, src.into());
    assert_eq!(codes(&out), [catalog::SURFACE_FILE_NOT_FOUND]);
    let p = out.photon.unwrap();
    assert_eq!(p.assets.len(), 2);
    assert_eq!(p.assets[0].content, AssetContent::Text("# Guide\n".into()));
    assert_eq!(p.assets[1].mime_type, "image/png");
    assert_eq!(p.assets[1].content, AssetContent::Blob("iVBOR/8=".into()));
}

#[test]
fn cf_uses_through_this_casts_aliases_and_overrides() {
    let p = photon(
        r#"export default class T {
  protected cfBindings = { d1: { app: { name: "app-db", id: "0000" } }, queue: { default: "jobs" }, browser: true };
  async a() { await (this as any).cf.kv("cache").get("x"); }
  async b() { const cf = this.cf; await cf.r2("photos").get("x"); await cf.d1("app").prepare("x"); }
  async c() { const { cf: c } = this as any; await c.vectorize().query([]); return c.ai.run("m", {}); }
  async d() { return (this as any).cf.kv("cache"); }
}"#,
    );
    type Row = (String, Option<String>, Option<String>, Option<String>);
    let got: Vec<Row> = p
        .platform
        .bindings
        .iter()
        .map(|b| {
            (
                b.kind.as_str().to_string(),
                b.qualifier.clone(),
                b.resource.clone(),
                b.resource_id.clone(),
            )
        })
        .collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        got,
        [
            ("kv".into(), s("cache"), None, None),
            ("r2".into(), s("photos"), None, None),
            ("d1".into(), s("app"), s("app-db"), s("0000")),
            ("vectorize".into(), None, None, None),
            ("queue".into(), None, s("jobs"), None),
        ]
    );
    assert!(p.platform.ai && p.platform.browser && !p.platform.images);
}

#[test]
fn a_cf_qualifier_that_is_no_literal_is_a_located_error() {
    let out = parse(
        "t.photon.ts",
        "export default class T { async a(p: { n: string }) { return (this as any).cf.kv(p.n); }
 async b() { return this.cf.d1('a b'); } }",
    );
    assert_eq!(codes(&out), [catalog::CF_QUALIFIER, catalog::CF_QUALIFIER]);
    let json = outcome_json(&out);
    assert_eq!(json["diagnostics"][0]["line"], 1);
    assert_eq!(json["diagnostics"][1]["line"], 2);
}
