//! One walk over the whole module for what the compatibility check and the runtime need:
//! imports (static, `export from`, dynamic, `require`), hazards (`new Function`, `eval`,
//! `process.cwd()`, `os.homedir()`, `setInterval`) and capability use (`this.memory`,
//! `(this as any).emit`, `const { schedule } = this`, ...), including whether the code may read
//! the per-call context (`CapabilityUse::context`).

use swc_ecma_ast::{
    Callee, Class, Expr, ImportSpecifier, Lit, MemberExpr, MemberProp, Module, ModuleDecl, NewExpr,
    ObjectPatProp, Pat, PropName, ThisExpr, TsModuleRef, TsType, VarDeclarator,
};
use swc_ecma_visit::{Visit, VisitWith};

use crate::model::{AssetRef, CapabilityUse, Hazard, HazardKind, Import, ImportKind, Span};

/// What the walk found.
#[derive(Debug, Default)]
pub struct Scan {
    pub imports: Vec<Import>,
    pub hazards: Vec<Hazard>,
    pub uses: CapabilityUse,
    pub asset_refs: Vec<AssetRef>,
}

/// Walk `module`. `base` is the `BytePos` of the file's first byte (spans are made relative).
pub fn scan(module: &Module, base: u32) -> Scan {
    let mut v = Scanner {
        base,
        out: Scan::default(),
    };
    module.visit_with(&mut v);
    v.out
}

struct Scanner {
    base: u32,
    out: Scan,
}

/// An SWC span as a span of the photon's source, whose first byte is at `base`.
pub(super) fn local_span(base: u32, s: swc_common::Span) -> Span {
    let lo = s.lo.0.saturating_sub(base) as usize;
    let hi = s.hi.0.saturating_sub(base) as usize;
    Span::new(lo, hi.saturating_sub(lo))
}

impl Scanner {
    fn span(&self, s: swc_common::Span) -> Span {
        local_span(self.base, s)
    }

    fn import(
        &mut self,
        specifier: Option<String>,
        kind: ImportKind,
        type_only: bool,
        span: swc_common::Span,
    ) {
        let span = self.span(span);
        self.out.imports.push(Import {
            specifier,
            kind,
            type_only,
            span,
        });
    }

    fn hazard(&mut self, kind: HazardKind, span: swc_common::Span) {
        let span = self.span(span);
        self.out.hazards.push(Hazard { kind, span });
    }

    fn capability(&mut self, name: &str) {
        let u = &mut self.out.uses;
        // `context`: what reads the call's context at run time, the call's stream (emits, asks,
        // resource notifications) or its caller (`this.caller`, and `this.call`, which passes it on).
        match name {
            "memory" => u.memory = true,
            // The emit helpers are thin wrappers over `emit` (photon-format §4.2).
            "emit" | "status" | "progress" | "toast" | "log" | "thinking" | "render" => {
                u.emit = true;
                u.context = true;
            }
            "schedule" => u.schedule = true,
            "call" => {
                u.call = true;
                u.context = true;
            }
            "sample" => {
                u.sample = true;
                u.context = true;
            }
            "confirm" => {
                u.confirm = true;
                u.context = true;
            }
            "elicit" => {
                u.elicit = true;
                u.context = true;
            }
            "caller" | "notifyResourceUpdated" => u.context = true,
            _ => {}
        }
    }
}

/// Strip parentheses, `as`, `<T>x`, `x!` and `satisfies` around an expression.
pub(super) fn unwrap_expr(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unwrap_expr(&p.expr),
        Expr::TsAs(a) => unwrap_expr(&a.expr),
        Expr::TsTypeAssertion(a) => unwrap_expr(&a.expr),
        Expr::TsNonNull(n) => unwrap_expr(&n.expr),
        Expr::TsSatisfies(s) => unwrap_expr(&s.expr),
        Expr::TsConstAssertion(c) => unwrap_expr(&c.expr),
        other => other,
    }
}

/// `this` (through any casts).
pub(super) fn is_this(e: &Expr) -> bool {
    matches!(unwrap_expr(e), Expr::This(_))
}

fn ident_is(e: &Expr, name: &str) -> bool {
    matches!(unwrap_expr(e), Expr::Ident(i) if &*i.sym == name)
}

/// The name of `x.name` or `x["name"]`.
pub(super) fn member_name(m: &MemberExpr) -> Option<String> {
    match &m.prop {
        MemberProp::Ident(i) => Some(i.sym.to_string()),
        MemberProp::Computed(c) => match &*c.expr {
            Expr::Lit(Lit::Str(s)) => Some(s.value.to_string_lossy().into_owned()),
            _ => None,
        },
        MemberProp::PrivateName(_) => None,
    }
}

/// A property key's name when it is an identifier or a string.
pub(super) fn prop_name(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(i) => Some(i.sym.to_string()),
        PropName::Str(s) => Some(s.value.to_string_lossy().into_owned()),
        _ => None,
    }
}

/// A string literal or a template without substitutions (through any casts): the specifier of
/// `import(x)` / `require(x)`, a binding's name.
pub(super) fn literal_string(e: &Expr) -> Option<String> {
    match unwrap_expr(e) {
        Expr::Lit(Lit::Str(s)) => Some(s.value.to_string_lossy().into_owned()),
        Expr::Tpl(t) if t.exprs.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .map(|c| c.to_string_lossy().into_owned()),
        _ => None,
    }
}

impl Visit for Scanner {
    // Types never run: skip them (faster, and `typeof import('x')` is type-only).
    fn visit_ts_type(&mut self, _: &TsType) {}

    fn visit_module_decl(&mut self, decl: &ModuleDecl) {
        match decl {
            ModuleDecl::Import(i) => {
                let all_type_only = !i.specifiers.is_empty()
                    && i.specifiers.iter().all(|s| match s {
                        ImportSpecifier::Named(n) => n.is_type_only,
                        _ => false,
                    });
                self.import(
                    Some(i.src.value.to_string_lossy().into_owned()),
                    ImportKind::Static,
                    i.type_only || all_type_only,
                    i.src.span,
                );
            }
            ModuleDecl::ExportAll(e) => self.import(
                Some(e.src.value.to_string_lossy().into_owned()),
                ImportKind::ExportFrom,
                e.type_only,
                e.src.span,
            ),
            ModuleDecl::ExportNamed(e) => {
                if let Some(src) = &e.src {
                    self.import(
                        Some(src.value.to_string_lossy().into_owned()),
                        ImportKind::ExportFrom,
                        e.type_only,
                        src.span,
                    );
                }
            }
            ModuleDecl::TsImportEquals(e) => {
                if let TsModuleRef::TsExternalModuleRef(r) = &e.module_ref {
                    self.import(
                        Some(r.expr.value.to_string_lossy().into_owned()),
                        ImportKind::Require,
                        e.is_type_only,
                        r.expr.span,
                    );
                }
            }
            _ => {}
        }
        decl.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
        match &call.callee {
            Callee::Import(_) => {
                let spec = call.args.first().and_then(|a| literal_string(&a.expr));
                self.import(spec, ImportKind::Dynamic, false, call.span);
            }
            Callee::Expr(callee) => {
                let callee = unwrap_expr(callee);
                match callee {
                    Expr::Ident(i) => match &*i.sym {
                        "require" => {
                            let spec = call.args.first().and_then(|a| literal_string(&a.expr));
                            self.import(spec, ImportKind::Require, false, call.span);
                        }
                        "eval" => self.hazard(HazardKind::Eval, call.span),
                        "Function" => self.hazard(HazardKind::NewFunction, call.span),
                        "setInterval" => self.hazard(HazardKind::SetInterval, call.span),
                        "homedir" => self.hazard(HazardKind::Homedir, call.span),
                        _ => {}
                    },
                    Expr::Member(m) => {
                        let prop = member_name(m);
                        match prop.as_deref() {
                            Some("cwd") if ident_is(&m.obj, "process") => {
                                self.hazard(HazardKind::ProcessCwd, call.span)
                            }
                            Some("homedir") => self.hazard(HazardKind::Homedir, call.span),
                            Some("assets") if is_this(&m.obj) => {
                                let path = call.args.first().and_then(|a| literal_string(&a.expr));
                                let span = self.span(call.span);
                                self.out.asset_refs.push(AssetRef { path, span });
                            }
                            Some("eval") if ident_is(&m.obj, "globalThis") => {
                                self.hazard(HazardKind::Eval, call.span)
                            }
                            Some("setInterval")
                                if ident_is(&m.obj, "globalThis") || ident_is(&m.obj, "window") =>
                            {
                                self.hazard(HazardKind::SetInterval, call.span)
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Callee::Super(_) => {}
        }
        call.visit_children_with(self);
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        if ident_is(&n.callee, "Function") {
            self.hazard(HazardKind::NewFunction, n.span);
        }
        n.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, m: &MemberExpr) {
        if is_this(&m.obj) {
            match member_name(m) {
                Some(name) => self.capability(&name),
                // `this[key]` may name any capability.
                None => self.out.uses.context = true,
            }
            // `this` itself is not visited: here it does not escape.
            m.prop.visit_with(self);
            return;
        }
        m.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        // `const { memory, emit } = this` reaches the capabilities without `this.x`.
        if let (Pat::Object(obj), Some(init)) = (&d.name, &d.init)
            && is_this(init)
        {
            for prop in &obj.props {
                let name = match prop {
                    ObjectPatProp::Assign(a) => Some(a.key.id.sym.to_string()),
                    ObjectPatProp::KeyValue(kv) => prop_name(&kv.key),
                    ObjectPatProp::Rest(_) => None,
                };
                match name {
                    Some(name) => self.capability(&name),
                    // `...rest` or a computed key: any capability.
                    None => self.out.uses.context = true,
                }
            }
            d.name.visit_with(self);
            return;
        }
        d.visit_children_with(self);
    }

    /// `this` anywhere but `this.name` or a destructuring of named members: it escapes
    /// (`const self = this`, `helper(this)`), so whatever receives it may read the call context.
    fn visit_this_expr(&mut self, _: &ThisExpr) {
        self.out.uses.context = true;
    }

    /// A base class's methods may read the call context (photon-core's emit helpers do).
    fn visit_class(&mut self, class: &Class) {
        if class.super_class.is_some() {
            self.out.uses.context = true;
        }
        class.visit_children_with(self);
    }
}
