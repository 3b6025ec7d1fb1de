//! Parser tests: snapshots of the model for the fixture photons, and focused tests per rule.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;

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

fn prop(params: &str) -> Value {
    input(params)["properties"]["a"].clone()
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
