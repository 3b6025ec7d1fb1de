//! What a photon keeps per instance besides memory: `@sharedState` properties and the
//! `protected settings = { ... }` object that becomes the `settings` tool, read as the local
//! runtime reads them (photon-core's schema extractor and the daemon's state keys).

use swc_common::comments::{Comment, Comments, SingleThreadedComments};
use swc_ecma_ast::{
    Accessibility, ClassProp, Expr, Lit, Prop, PropName, PropOrSpread, TsKeywordTypeKind, TsType,
    TsUnionOrIntersectionType,
};

use super::scan::prop_name;
use super::{Ctx, docblock, jsdoc};
use crate::diagnostics::catalog;
use crate::model::SettingsProp;

/// `@sharedState` in the property's own JSDoc: the daemon persists it with the instance's state
/// whether or not the class is `@stateful`.
pub(super) fn shared_state(prop: &ClassProp, comments: &SingleThreadedComments) -> Option<String> {
    if prop.is_static {
        return None;
    }
    let doc = docblock::last_jsdoc(&comments.get_leading(prop.span.lo))?;
    // Anywhere in the block, as the daemon's `/@sharedState\b/i` finds it, not only at a line start.
    let lower = doc.text.to_ascii_lowercase();
    let tagged = lower.match_indices("@sharedstate").any(|(i, m)| {
        lower[i + m.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    });
    if tagged { prop_name(&prop.key) } else { None }
}

/// The settings property's value type and default, as photon-core's extractor infers them from
/// the initializer: literals give their type and default, `undefined` (or `undefined as T`)
/// makes the setting required, an array literal is an array defaulting to `[]`, anything else
/// is an optional string without default.
fn setting(name: String, init: &Expr, description: Option<String>) -> SettingsProp {
    let mut ty = "string";
    let mut default = None;
    let mut required = false;
    let literal = |e: &Expr| -> Option<(&'static str, serde_json::Value)> {
        match e {
            // `Number(text)` in JavaScript: 10 stays 10 (not 10.0) in the JSON.
            Expr::Lit(Lit::Num(n)) => Some((
                "number",
                if n.value.fract() == 0.0 && n.value.abs() < 9.0e15 {
                    serde_json::json!(n.value as i64)
                } else {
                    serde_json::json!(n.value)
                },
            )),
            Expr::Lit(Lit::Str(s)) => Some((
                "string",
                serde_json::json!(s.value.to_string_lossy().into_owned()),
            )),
            Expr::Lit(Lit::Bool(b)) => Some(("boolean", serde_json::json!(b.value))),
            _ => None,
        }
    };
    let is_undefined = |e: &Expr| matches!(e, Expr::Ident(i) if &*i.sym == "undefined");
    match init {
        Expr::TsAs(a) => {
            if is_undefined(&a.expr) {
                required = true;
            } else if let Some((t, d)) = literal(&a.expr) {
                ty = t;
                default = Some(d);
            }
            let keyword = |t: &TsType| match t {
                TsType::TsKeywordType(k) => match k.kind {
                    TsKeywordTypeKind::TsNumberKeyword => Some("number"),
                    TsKeywordTypeKind::TsBooleanKeyword => Some("boolean"),
                    TsKeywordTypeKind::TsStringKeyword => Some("string"),
                    _ => None,
                },
                _ => None,
            };
            // `undefined as string | undefined`: the type written, without `| undefined`.
            let written = match &*a.type_ann {
                TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
                    let rest: Vec<&TsType> = u
                        .types
                        .iter()
                        .map(|t| &**t)
                        .filter(|t| !matches!(t, TsType::TsKeywordType(k) if k.kind == TsKeywordTypeKind::TsUndefinedKeyword))
                        .collect();
                    if rest.len() == 1 {
                        keyword(rest[0])
                    } else {
                        None
                    }
                }
                t => keyword(t),
            };
            if let Some(t) = written {
                ty = t;
            }
        }
        Expr::Array(_) => {
            ty = "array";
            default = Some(serde_json::json!([]));
        }
        e if is_undefined(e) => required = true,
        e => {
            if let Some((t, d)) = literal(e) {
                ty = t;
                default = Some(d);
            }
        }
    }
    SettingsProp {
        name,
        ty: ty.to_string(),
        description,
        default,
        required,
    }
}

impl Ctx {
    /// `protected settings = { ... }`: its properties, each described by the class JSDoc's
    /// `@property <name> <text>`. `None` when the member is not the settings object; a
    /// `protected settings` that is not an object literal gives no tool, as locally, and a warning.
    pub(super) fn settings(
        &mut self,
        prop: &ClassProp,
        class_doc: Option<&Comment>,
    ) -> Option<Vec<SettingsProp>> {
        let is_settings = matches!(&prop.key, PropName::Ident(i) if &*i.sym == "settings");
        if !is_settings || prop.accessibility != Some(Accessibility::Protected) || prop.is_static {
            return None;
        }
        let Some(Expr::Object(object)) = prop.value.as_deref() else {
            let span = self.span(prop.span);
            self.warn(
                catalog::settings_not_supported(),
                span,
                "not an object literal: no `settings` tool",
            );
            return None;
        };
        let lines = class_doc.map(|c| jsdoc::lines(&c.text)).unwrap_or_default();
        let tags = jsdoc::tags(&lines);
        let described = |name: &str| {
            tags.iter()
                .filter(|t| t.name == "property")
                .find_map(|t| {
                    let (word, rest) = t.value.split_once(char::is_whitespace)?;
                    (word == name).then(|| rest.trim().to_string())
                })
                .filter(|d| !d.is_empty())
        };
        let mut out = Vec::new();
        for member in &object.props {
            let PropOrSpread::Prop(p) = member else {
                continue;
            };
            let Prop::KeyValue(kv) = &**p else { continue };
            let Some(name) = prop_name(&kv.key) else {
                continue;
            };
            let description = described(&name);
            out.push(setting(name, &kv.value, description));
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::json;

    use crate::diagnostics::catalog;
    use crate::model::{Injection, Photon};
    use crate::parse::{ParseOutcome, parse_photon};

    fn parse(src: &str) -> ParseOutcome {
        parse_photon(Path::new("t.photon.ts"), Arc::from(src))
    }

    fn photon(src: &str) -> Photon {
        parse(src).photon.unwrap()
    }

    #[test]
    fn settings_are_read_as_photon_core_reads_them() {
        let p = photon(
            "/**\n * S.\n * @property theme The colour theme\n * @property size\n */\nexport default class S {\n  protected settings = { theme: 'light', size: 10, ratio: 1.5, on: true, key: undefined, typed: undefined as number | undefined, cast: 5 as number, list: [1], other: [] as string[], expr: 1 + 1 };\n}",
        );
        let s = serde_json::to_value(p.settings.unwrap()).unwrap();
        assert_eq!(
            s,
            json!([
                {"name": "theme", "type": "string", "description": "The colour theme", "default": "light", "required": false},
                {"name": "size", "type": "number", "default": 10, "required": false},
                {"name": "ratio", "type": "number", "default": 1.5, "required": false},
                {"name": "on", "type": "boolean", "default": true, "required": false},
                {"name": "key", "type": "string", "required": true},
                {"name": "typed", "type": "number", "required": true},
                {"name": "cast", "type": "number", "default": 5, "required": false},
                {"name": "list", "type": "array", "default": [], "required": false},
                {"name": "other", "type": "string", "required": false},
                {"name": "expr", "type": "string", "required": false},
            ])
        );
    }

    #[test]
    fn only_a_protected_object_literal_is_the_settings_object() {
        assert!(
            photon("export default class S { settings = { a: 1 }; }")
                .settings
                .is_none()
        );
        assert!(
            photon("export default class S { private settings = { a: 1 }; }")
                .settings
                .is_none()
        );
        let out = parse("export default class S { protected settings = make(); }");
        assert!(out.photon.as_ref().unwrap().settings.is_none());
        let codes: Vec<_> = out.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [catalog::SETTINGS_NOT_SUPPORTED]);
        assert!(
            parse("export default class S { protected settings = { a: 1 }; }")
                .diagnostics
                .is_empty()
        );
    }

    #[test]
    fn shared_state_properties_and_state_parameters() {
        let p = photon(
            "/** @stateful */\nexport default class S {\n  /** Shared. @sharedState */\n  notes: string[] = [];\n  /**\n   * @sharedState\n   */\n  board = {};\n  /** @sharedStateful */\n  not = 1;\n  /** @sharedState */\n  static never = 1;\n  constructor(private items: string[] = [], n: number = 1, cfg?: object) {}\n}",
        );
        assert_eq!(p.shared_state, ["notes", "board"]);
        let state: Vec<_> = p
            .constructor
            .iter()
            .filter(
                |c| matches!(&c.injection, Injection::Unsupported { reason } if reason == "state"),
            )
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(state, ["items"]);
    }
}
