//! The Cloudflare platform a photon uses: every `this.cf.<kind>(qualifier?)` call (also through
//! `const cf = this.cf`, `const { cf } = this` and casts such as `(this as any).cf`), every read
//! of `this.cf.ai` / `images` / `browser`, and the `protected cfBindings = { ... }` overrides.
//!
//! Why at build time: wrangler (and miniflare under `wrangler dev`) needs every binding declared
//! in `wrangler.toml` before the Worker boots, so a qualifier that is only known at run time cannot
//! be bound and is reported where it is written.

use swc_ecma_ast::{
    Accessibility, Callee, Class, ClassMember, Expr, Lit, MemberExpr, Module, ObjectLit,
    ObjectPatProp, Pat, Prop, PropOrSpread, TsType, VarDeclarator,
};
use swc_ecma_visit::{Visit, VisitWith};

use super::scan::{is_this, literal_string, local_span, member_name, prop_name, unwrap_expr};
use crate::model::{CfBinding, CfKind, PlatformUse, Span};

/// A use the build cannot bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `this.cf.kv(name)`: the qualifier is not a string literal.
    NotLiteral { kind: CfKind },
    /// `this.cf.kv('my cache')`: the qualifier cannot be part of a binding name.
    BadQualifier { kind: CfKind, qualifier: String },
}

#[derive(Debug, Default)]
pub struct Platform {
    pub uses: PlatformUse,
    pub problems: Vec<(Problem, Span)>,
}

/// Walk `module` for `this.cf` uses and `class` for its `cfBindings` overrides.
pub fn platform(module: &Module, class: &Class, base: u32) -> Platform {
    let mut aliases = Aliases::default();
    module.visit_with(&mut aliases);
    let mut v = Uses {
        base,
        aliases: aliases.names,
        out: Platform::default(),
    };
    module.visit_with(&mut v);
    let mut out = v.out;
    overrides(class, &mut out.uses);
    out
}

/// A qualifier a binding name can carry: letters, digits, `_` and `-` (`-` becomes `_`).
pub fn is_valid_qualifier(q: &str) -> bool {
    !q.is_empty()
        && q.len() <= 64
        && q.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `this.cf` (through any casts).
fn is_this_cf(e: &Expr) -> bool {
    match unwrap_expr(e) {
        Expr::Member(m) => is_this(&m.obj) && member_name(m).as_deref() == Some("cf"),
        _ => false,
    }
}

/// The local names bound to `this.cf`: `const cf = this.cf`, `const { cf } = this`,
/// `const { cf: c } = this`. Names are not scoped: a photon that reuses `cf` for something else
/// only gets a binding it does not read.
#[derive(Default)]
struct Aliases {
    names: Vec<String>,
}

impl Visit for Aliases {
    fn visit_ts_type(&mut self, _: &TsType) {}

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        if let Some(init) = &d.init {
            match &d.name {
                Pat::Ident(i) if is_this_cf(init) => self.names.push(i.id.sym.to_string()),
                Pat::Object(obj) if matches!(unwrap_expr(init), Expr::This(_)) => {
                    for prop in &obj.props {
                        match prop {
                            ObjectPatProp::Assign(a) if &*a.key.id.sym == "cf" => {
                                self.names.push("cf".into())
                            }
                            ObjectPatProp::KeyValue(kv)
                                if prop_name(&kv.key).as_deref() == Some("cf") =>
                            {
                                if let Pat::Ident(i) = &*kv.value {
                                    self.names.push(i.id.sym.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        d.visit_children_with(self);
    }
}

struct Uses {
    base: u32,
    aliases: Vec<String>,
    out: Platform,
}

impl Uses {
    fn span(&self, s: swc_common::Span) -> Span {
        local_span(self.base, s)
    }

    fn is_cf(&self, e: &Expr) -> bool {
        match unwrap_expr(e) {
            Expr::Ident(i) => self.aliases.iter().any(|a| *a == *i.sym),
            other => is_this_cf(other),
        }
    }
}

impl Visit for Uses {
    fn visit_ts_type(&mut self, _: &TsType) {}

    fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
        if let Callee::Expr(callee) = &call.callee
            && let Expr::Member(m) = unwrap_expr(callee)
            && self.is_cf(&m.obj)
            && let Some(kind) = member_name(m).as_deref().and_then(CfKind::from_name)
        {
            match call.args.first() {
                None => {
                    add(&mut self.out.uses, kind, None);
                }
                Some(arg) => match literal_string(&arg.expr) {
                    Some(q) if arg.spread.is_none() && is_valid_qualifier(&q) => {
                        add(&mut self.out.uses, kind, Some(q));
                    }
                    Some(q) if arg.spread.is_none() => {
                        let span = self.span(swc_common::Spanned::span(&*arg.expr));
                        self.out
                            .problems
                            .push((Problem::BadQualifier { kind, qualifier: q }, span));
                    }
                    _ => {
                        let span = self.span(swc_common::Spanned::span(&*arg.expr));
                        self.out.problems.push((Problem::NotLiteral { kind }, span));
                    }
                },
            }
        }
        call.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, m: &MemberExpr) {
        if self.is_cf(&m.obj) {
            match member_name(m).as_deref() {
                Some("ai") => self.out.uses.ai = true,
                Some("images") => self.out.uses.images = true,
                Some("browser") => self.out.uses.browser = true,
                _ => {}
            }
        }
        m.visit_children_with(self);
    }
}

fn add(uses: &mut PlatformUse, kind: CfKind, qualifier: Option<String>) -> usize {
    if let Some(i) = uses
        .bindings
        .iter()
        .position(|b| b.kind == kind && b.qualifier == qualifier)
    {
        return i;
    }
    uses.bindings.push(CfBinding {
        kind,
        qualifier,
        resource: None,
        resource_id: None,
    });
    uses.bindings.len() - 1
}

/// `protected cfBindings = { kv: { cache: 'cache' }, d1: { app: { name, id } }, ai: true }`:
/// each entry names the resource of a binding (and declares it, used in source or not); the
/// `default` key is the unqualified `this.cf.kv()`.
fn overrides(class: &Class, uses: &mut PlatformUse) {
    for member in &class.body {
        let ClassMember::ClassProp(prop) = member else {
            continue;
        };
        if prop.is_static
            || prop.accessibility == Some(Accessibility::Private)
            || prop_name(&prop.key).as_deref() != Some("cfBindings")
        {
            continue;
        }
        let Some(Expr::Object(obj)) = prop.value.as_deref().map(unwrap_expr) else {
            continue;
        };
        for (key, value) in entries(obj) {
            match key.as_str() {
                "ai" => uses.ai |= is_true(value),
                "images" => uses.images |= is_true(value),
                "browser" => uses.browser |= is_true(value),
                other => {
                    let Some(kind) = CfKind::from_name(other) else {
                        continue;
                    };
                    let Expr::Object(per) = unwrap_expr(value) else {
                        continue;
                    };
                    for (q, resource) in entries(per) {
                        let qualifier = (q != "default").then_some(q);
                        if qualifier.as_deref().is_some_and(|q| !is_valid_qualifier(q)) {
                            continue;
                        }
                        let (name, id) = match unwrap_expr(resource) {
                            Expr::Object(o) => {
                                let mut name = None;
                                let mut id = None;
                                for (k, v) in entries(o) {
                                    match k.as_str() {
                                        "name" => name = literal_string(v),
                                        "id" => id = literal_string(v),
                                        _ => {}
                                    }
                                }
                                (name, id)
                            }
                            other => (literal_string(other), None),
                        };
                        let i = add(uses, kind, qualifier);
                        uses.bindings[i].resource = name;
                        uses.bindings[i].resource_id = id;
                    }
                }
            }
        }
    }
}

fn entries(obj: &ObjectLit) -> Vec<(String, &Expr)> {
    obj.props
        .iter()
        .filter_map(|p| match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) => prop_name(&kv.key).map(|k| (k, &*kv.value)),
                _ => None,
            },
            PropOrSpread::Spread(_) => None,
        })
        .collect()
}

fn is_true(e: &Expr) -> bool {
    matches!(unwrap_expr(e), Expr::Lit(Lit::Bool(b)) if b.value)
}
