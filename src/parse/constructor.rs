//! Constructor parameters: each becomes a Worker env var (`<PHOTON>_<PARAM>`, typed by its
//! annotation) or, when the local runtime would inject it (`@mcp`, `@photon`, state), `undefined`.

use swc_common::comments::Comment;
use swc_ecma_ast::{
    Constructor, ParamOrTsParamProp, Pat, TsKeywordTypeKind, TsParamPropParam, TsType,
};

use super::{Ctx, jsdoc};
use crate::diagnostics::catalog;
use crate::model::{ConstructorParam, EnvType, Injection};
use crate::names;

impl Ctx {
    pub(super) fn constructor(
        &mut self,
        c: &Constructor,
        photon: &str,
        stateful: bool,
        mcp_names: &[String],
        photon_names: &[String],
    ) -> Vec<ConstructorParam> {
        let mut out = Vec::new();
        for p in &c.params {
            let (pat_ident, default, span) = match p {
                ParamOrTsParamProp::Param(param) => match &param.pat {
                    Pat::Ident(b) => (Some(b), None, param.span),
                    Pat::Assign(a) => match &*a.left {
                        Pat::Ident(b) => (Some(b), Some(&a.right), param.span),
                        _ => (None, None, param.span),
                    },
                    _ => (None, None, param.span),
                },
                ParamOrTsParamProp::TsParamProp(tp) => match &tp.param {
                    TsParamPropParam::Ident(b) => (Some(b), None, tp.span),
                    TsParamPropParam::Assign(a) => match &*a.left {
                        Pat::Ident(b) => (Some(b), Some(&a.right), tp.span),
                        _ => (None, None, tp.span),
                    },
                },
            };
            let span = self.span(span);
            let Some(b) = pat_ident else {
                self.warn(
                    catalog::unsupported_constructor_param(),
                    span,
                    "passed as `undefined`",
                );
                continue;
            };
            let name = b.id.sym.to_string();
            let prim = b.type_ann.as_ref().and_then(|t| match &*t.type_ann {
                TsType::TsKeywordType(k) => match k.kind {
                    TsKeywordTypeKind::TsStringKeyword => Some(EnvType::String),
                    TsKeywordTypeKind::TsNumberKeyword => Some(EnvType::Number),
                    TsKeywordTypeKind::TsBooleanKeyword => Some(EnvType::Boolean),
                    _ => None,
                },
                _ => None,
            });
            let env = |ty| Injection::Env {
                var: names::env_var(photon, &name),
                ty,
            };
            let lower = name.to_ascii_lowercase();
            let injection = if let Some(ty) = prim {
                env(ty)
            } else if mcp_names.contains(&name) {
                Injection::Unsupported {
                    reason: "mcp".into(),
                }
            } else if photon_names
                .iter()
                .any(|n| *n == name || lower.ends_with(&n.to_ascii_lowercase()))
            {
                Injection::Unsupported {
                    reason: "photon".into(),
                }
            } else if default.is_some() && stateful {
                Injection::Unsupported {
                    reason: "state".into(),
                }
            } else {
                env(EnvType::String)
            };
            if let Injection::Unsupported { reason } = &injection
                && reason != "state"
            {
                self.warn(
                    catalog::unsupported_injection(&name, reason),
                    span,
                    "passed as `undefined`",
                );
            }
            out.push(ConstructorParam {
                name,
                injection,
                optional: b.id.optional || default.is_some(),
                span,
            });
        }
        out
    }
}

/// Constructor parameter names claimed by `@mcp <name> ...` and `@photon <name> ...`.
pub(super) fn injection_names(blocks: &[Comment]) -> (Vec<String>, Vec<String>) {
    let mut mcp = Vec::new();
    let mut photon = Vec::new();
    for c in blocks {
        for tag in jsdoc::tags(&jsdoc::lines(&c.text)) {
            let target = match tag.name {
                "mcp" => &mut mcp,
                "photon" => &mut photon,
                _ => continue,
            };
            if let Some(n) = jsdoc::first_word(tag.value) {
                target.push(n.to_string());
            }
        }
    }
    (mcp, photon)
}
