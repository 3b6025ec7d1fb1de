//! Parser tests: the model built from small sources, rule by rule.

use super::*;

fn parse(name: &str, src: &str) -> ParseOutcome {
    parse_photon(Path::new(name), Arc::from(src))
}

#[test]
fn smoke() {
    let out = parse(
        "t.photon.ts",
        "export default class T { async a(x: string) { return x; } }",
    );
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let p = out.photon.unwrap();
    assert_eq!(p.tools.len(), 1);
}
