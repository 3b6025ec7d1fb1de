//! Method parameters → the tool's input schema: the simpleParams rule, `@param` docs and inline
//! constraints, and literal defaults.

use serde_json::{Map, Value, json};
use swc_common::Spanned as _;
use swc_common::comments::Comment;
use swc_ecma_ast::{ClassMethod, Expr, Lit, Pat, Prop, PropOrSpread, TsType, UnaryOp};

use super::scan::prop_name;
use super::schema::{self, SchemaCx};
use super::{Ctx, jsdoc};
use crate::diagnostics::catalog;
use crate::model::Tool;

impl Ctx {
    /// The simpleParams rule (photon-format §3.1).
    pub(super) fn input_schema(
        &mut self,
        tool: &mut Tool,
        m: &ClassMethod,
        cx: &mut SchemaCx<'_>,
        source: &str,
        docs: &[jsdoc::ParamDoc],
        doc_comment: Option<&Comment>,
    ) {
        let params = &m.function.params;
        let mut properties = Map::new();
        let mut required: Vec<String> = Vec::new();
        if params.is_empty() {
            self.apply_param_docs(&mut properties, docs, doc_comment);
            tool.input_schema = schema::object_schema(properties, required);
            return;
        }
        if params.len() == 1 {
            let (pat, _) = unwrap_assign(&params[0].pat);
            if let Some(ty) = pat_type(pat)
                && schema::has_inline_literal(ty)
            {
                if let Some((props, req)) = cx.inline_literal_parts(ty) {
                    properties = props;
                    required = req;
                }
                if let Pat::Ident(b) = pat {
                    tool.params.push(b.id.sym.to_string());
                }
                self.apply_param_docs(&mut properties, docs, doc_comment);
                tool.input_schema = schema::object_schema(properties, required);
                return;
            }
        }
        // Parameters reported as errors: their `@param`s are not "unknown" on top of that.
        let mut ignored: Vec<String> = Vec::new();
        for (i, param) in params.iter().enumerate() {
            let (pat, default) = unwrap_assign(&param.pat);
            let pspan = self.span(param.span);
            let b = match pat {
                Pat::Ident(b) => b,
                Pat::Rest(r) => {
                    let rest_name = match &*r.arg {
                        Pat::Ident(b) => b.id.sym.to_string(),
                        _ => "items".to_string(),
                    };
                    let ty = r
                        .type_ann
                        .as_ref()
                        .map(|t| self.span(t.type_ann.span()))
                        .and_then(|s| source.get(s.offset..s.offset + s.len))
                        .unwrap_or("unknown[]");
                    self.error(
                        catalog::rest_parameter(&tool.name, &rest_name, ty),
                        self.span(r.span),
                        "rest parameter",
                    );
                    ignored.push(rest_name);
                    continue;
                }
                _ => {
                    self.error(
                        catalog::unsupported_parameter(i + 1, &tool.name),
                        pspan,
                        "destructured parameter",
                    );
                    continue;
                }
            };
            let pname = b.id.sym.to_string();
            let default_value = default.and_then(|e| self.default_value(e, source, &pname));
            let mut prop = match &b.type_ann {
                Some(t) => cx.type_schema(&t.type_ann),
                None => match &default_value {
                    Some(v) => inferred_schema(v),
                    None => json!({"type": "string"}),
                },
            };
            if let (Some(v), Value::Object(m)) = (&default_value, &mut prop) {
                m.insert("default".into(), v.clone());
            }
            if !b.id.optional && default.is_none() {
                required.push(pname.clone());
            }
            tool.params.push(pname.clone());
            properties.insert(pname, prop);
        }
        // The local runtime's normalisation: a single parameter named `params` whose type is an
        // object (an interface or alias) takes the arguments object itself.
        let unwrap_params = params.len() == 1
            && tool.params.first().is_some_and(|n| n == "params")
            && properties
                .get("params")
                .and_then(schema::split_object)
                .is_some();
        if unwrap_params {
            let (props, req) = properties
                .get("params")
                .and_then(schema::split_object)
                .unwrap_or_default();
            properties = props;
            required = req;
            self.apply_param_docs(&mut properties, docs, doc_comment);
            tool.input_schema = schema::object_schema(properties, required);
            return;
        }
        tool.simple_params = true;
        let docs: Vec<jsdoc::ParamDoc> = docs
            .iter()
            .filter(|d| !ignored.contains(&d.name))
            .cloned()
            .collect();
        self.apply_param_docs(&mut properties, &docs, doc_comment);
        tool.input_schema = schema::object_schema(properties, required);
    }

    /// `@param` descriptions and inline constraints onto top-level properties.
    fn apply_param_docs(
        &mut self,
        properties: &mut Map<String, Value>,
        docs: &[jsdoc::ParamDoc],
        comment: Option<&Comment>,
    ) {
        let Some(comment) = comment else { return };
        let mut unmatched: Vec<&jsdoc::ParamDoc> = Vec::new();
        for d in docs {
            match properties.get_mut(&d.name) {
                Some(prop) => self.apply_one_doc(prop, d, None, comment),
                None => unmatched.push(d),
            }
        }
        // Upstream's fail-safe: one property and one unmatched `@param` belong together.
        if properties.len() == 1 && unmatched.len() == 1 && docs.len() == 1 {
            let d = unmatched[0];
            if let Some((_, prop)) = properties.iter_mut().next() {
                self.apply_one_doc(prop, d, Some(&d.name), comment);
            }
            return;
        }
        for d in unmatched {
            let span = self.comment_span(comment, d.offset, d.len);
            self.warn(catalog::unknown_param(&d.name), span, "no such parameter");
        }
    }

    fn apply_one_doc(
        &mut self,
        prop: &mut Value,
        d: &jsdoc::ParamDoc,
        prefix: Option<&str>,
        comment: &Comment,
    ) {
        let desc = match prefix {
            Some(p) if !d.description.is_empty() => format!("{p}: {}", d.description),
            _ => d.description.clone(),
        };
        if let Value::Object(m) = prop {
            m.insert("description".into(), Value::String(desc));
        }
        for issue in schema::apply_constraints(prop, &d.constraints) {
            let tag = &d.constraints[issue.tag_index];
            let span = self.comment_span(comment, d.text_offset + tag.offset, tag.len);
            self.warn(
                catalog::bad_constraint(issue.message, tag.name == "format"),
                span,
                "ignored",
            );
        }
    }

    /// A parameter initializer as a schema `default` (§3.1), with the fixes: a negative
    /// number is a number, a substitution-free template is its string, and an expression that
    /// is computed at call time gives no default (upstream pastes its source text).
    fn default_value(&mut self, e: &Expr, source: &str, name: &str) -> Option<Value> {
        if let Some(v) = literal_value(e) {
            return Some(v);
        }
        if matches!(e, Expr::Ident(i) if &*i.sym == "undefined") {
            return None;
        }
        let span = self.span(e.span());
        let text = source
            .get(span.offset..span.offset + span.len)
            .unwrap_or("");
        self.warn(
            catalog::computed_default(name, text),
            span,
            "computed at call time",
        );
        None
    }
}

/// The JSON value of a literal initializer, when it is one.
fn literal_value(e: &Expr) -> Option<Value> {
    match e {
        Expr::Lit(Lit::Str(s)) => Some(Value::String(s.value.to_string_lossy().into_owned())),
        Expr::Lit(Lit::Num(n)) => Some(schema::number(n.value)),
        Expr::Lit(Lit::Bool(b)) => Some(Value::Bool(b.value)),
        Expr::Lit(Lit::Null(_)) => Some(Value::Null),
        Expr::Unary(u) if matches!(u.op, UnaryOp::Minus | UnaryOp::Plus) => match &*u.arg {
            Expr::Lit(Lit::Num(n)) => Some(schema::number(if u.op == UnaryOp::Minus {
                -n.value
            } else {
                n.value
            })),
            _ => None,
        },
        Expr::Tpl(t) if t.exprs.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .map(|c| Value::String(c.to_string_lossy().into_owned())),
        Expr::Paren(p) => literal_value(&p.expr),
        Expr::TsAs(a) => literal_value(&a.expr),
        Expr::TsConstAssertion(a) => literal_value(&a.expr),
        Expr::Array(a) => {
            let mut out = Vec::new();
            for el in &a.elems {
                let el = el.as_ref()?;
                if el.spread.is_some() {
                    return None;
                }
                out.push(literal_value(&el.expr)?);
            }
            Some(Value::Array(out))
        }
        Expr::Object(o) => {
            let mut out = Map::new();
            for p in &o.props {
                let PropOrSpread::Prop(p) = p else {
                    return None;
                };
                let Prop::KeyValue(kv) = &**p else {
                    return None;
                };
                let key = prop_name(&kv.key)?;
                out.insert(key, literal_value(&kv.value)?);
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

/// The schema of an untyped parameter with a literal default: the default's type (upstream
/// says `string` whatever the default is).
fn inferred_schema(v: &Value) -> Value {
    match v {
        Value::String(_) => json!({"type": "string"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Array(_) => json!({"type": "array"}),
        Value::Object(_) => json!({"type": "object"}),
        Value::Null => json!({}),
    }
}

fn unwrap_assign(p: &Pat) -> (&Pat, Option<&Expr>) {
    match p {
        Pat::Assign(a) => (&a.left, Some(&a.right)),
        other => (other, None),
    }
}

fn pat_type(p: &Pat) -> Option<&TsType> {
    let ann = match p {
        Pat::Ident(b) => b.type_ann.as_ref(),
        Pat::Object(o) => o.type_ann.as_ref(),
        Pat::Array(a) => a.type_ann.as_ref(),
        _ => None,
    }?;
    Some(&ann.type_ann)
}
