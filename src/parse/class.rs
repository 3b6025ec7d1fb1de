//! Class selection: which class of the module is the photon (the default export, else the
//! single exported class), and whether it extends photon-core's base.

use swc_common::BytePos;
use swc_common::Spanned as _;
use swc_ecma_ast::{
    Class, Decl, DefaultDecl, Expr, Module, ModuleDecl, ModuleExportName, ModuleItem, Stmt,
};

use super::Ctx;
use crate::diagnostics::catalog;
use crate::model::Span;

/// The candidate photon classes of a module.
pub(super) struct ClassCand<'a> {
    pub name: Option<String>,
    pub class: &'a Class,
    pub default_export: bool,
    exported: bool,
    /// Where its JSDoc is attached (the export statement when exported).
    pub doc_pos: BytePos,
    /// What a diagnostic points at: the class name, else the `class` keyword.
    pub label: swc_common::Span,
}

/// The `extends` expression when it is a plain identifier, and whether it names photon-core's
/// base (`Photon` / `PhotonMCP`, or a local alias of one). The model records both, once.
pub(super) fn extends(module: &Module, class: &Class) -> (Option<String>, bool) {
    let extends = class.super_class.as_deref().and_then(|e| match e {
        Expr::Ident(i) => Some(i.sym.to_string()),
        _ => None,
    });
    let photon_bases = photon_base_names(module);
    let extends_photon = extends
        .as_deref()
        .is_some_and(|e| photon_bases.iter().any(|b| b == e));
    (extends, extends_photon)
}

impl Ctx {
    /// The default-export class, else the single exported class (photon-format §1.1, narrowed:
    /// a choice between several exported classes is the user's to make).
    pub(super) fn select_class<'a>(&mut self, module: &'a Module) -> Option<ClassCand<'a>> {
        let mut cands: Vec<ClassCand<'a>> = Vec::new();
        let mut default_name: Option<String> = None;
        let mut exported_names: Vec<String> = Vec::new();
        let mut bad_default: Option<swc_common::Span> = None;
        for item in &module.body {
            match item {
                ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(ed)) => match &ed.decl {
                    DefaultDecl::Class(ce) => cands.push(ClassCand {
                        name: ce.ident.as_ref().map(|i| i.sym.to_string()),
                        class: &ce.class,
                        default_export: true,
                        exported: true,
                        doc_pos: ed.span.lo,
                        label: ce.ident.as_ref().map(|i| i.span).unwrap_or_else(|| {
                            swc_common::Span::new(ce.class.span.lo, ce.class.span.lo + BytePos(5))
                        }),
                    }),
                    _ => bad_default = Some(ed.span),
                },
                ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ed)) => {
                    if let Decl::Class(cd) = &ed.decl {
                        cands.push(ClassCand {
                            name: Some(cd.ident.sym.to_string()),
                            class: &cd.class,
                            default_export: false,
                            exported: true,
                            doc_pos: ed.span.lo,
                            label: cd.ident.span,
                        });
                    }
                }
                ModuleItem::Stmt(Stmt::Decl(Decl::Class(cd))) => cands.push(ClassCand {
                    name: Some(cd.ident.sym.to_string()),
                    class: &cd.class,
                    default_export: false,
                    exported: false,
                    doc_pos: cd.class.span.lo.min(item.span().lo),
                    label: cd.ident.span,
                }),
                ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(e)) => match &*e.expr {
                    Expr::Ident(i) => default_name = Some(i.sym.to_string()),
                    _ => bad_default = Some(e.span),
                },
                ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(n)) if n.src.is_none() => {
                    for s in &n.specifiers {
                        if let swc_ecma_ast::ExportSpecifier::Named(named) = s {
                            let orig = export_name(&named.orig);
                            let exported = named.exported.as_ref().map(export_name);
                            if exported.as_deref() == Some("default") {
                                default_name = Some(orig);
                            } else {
                                exported_names.push(orig);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // `class X {}` + `export default X` / `export { X }`.
        for c in cands.iter_mut().filter(|c| !c.exported) {
            if c.name.is_some() && c.name == default_name {
                c.default_export = true;
                c.exported = true;
            } else if c.name.as_ref().is_some_and(|n| exported_names.contains(n)) {
                c.exported = true;
            }
        }
        if let Some(i) = cands.iter().position(|c| c.default_export) {
            return Some(cands.swap_remove(i));
        }
        let exported: Vec<usize> = (0..cands.len()).filter(|&i| cands[i].exported).collect();
        match exported.len() {
            1 => Some(cands.swap_remove(exported[0])),
            0 => {
                if bad_default.is_none()
                    && let Some(c) = cands.first()
                {
                    let span = self.span(c.label);
                    let name = c.name.as_deref().unwrap_or("class");
                    self.error(catalog::class_not_exported(name), span, "not exported");
                    return None;
                }
                let (span, label) = match bad_default {
                    Some(s) => (self.span(s), "the default export is not a class"),
                    None => (Span::new(0, 0), "no exported class in this file"),
                };
                self.error(catalog::no_photon_class(), span, label);
                None
            }
            _ => {
                let first = self.span(cands[exported[0]].label);
                let mut d =
                    catalog::ambiguous_photon_class().at(&self.file, first, "exported class");
                for &i in &exported[1..] {
                    d = d.also(self.span(cands[i].label), "another exported class");
                }
                self.diagnostics.push(d);
                None
            }
        }
    }
}

fn export_name(n: &ModuleExportName) -> String {
    match n {
        ModuleExportName::Ident(i) => i.sym.to_string(),
        ModuleExportName::Str(s) => s.value.to_string_lossy().into_owned(),
    }
}

/// Local names bound to `Photon` / `PhotonMCP` from `@portel/photon-core` or `@portel/photon`
/// (the plain names always count, so a photon that declares its own base is still treated alike).
fn photon_base_names(module: &Module) -> Vec<String> {
    let mut out = vec!["Photon".to_string(), "PhotonMCP".to_string()];
    for item in &module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(i)) = item else {
            continue;
        };
        let src = i.src.value.to_string_lossy();
        if src != "@portel/photon-core" && src != "@portel/photon" {
            continue;
        }
        for s in &i.specifiers {
            if let swc_ecma_ast::ImportSpecifier::Named(n) = s {
                let imported = n
                    .imported
                    .as_ref()
                    .map(export_name)
                    .unwrap_or_else(|| n.local.sym.to_string());
                if imported == "Photon" || imported == "PhotonMCP" {
                    out.push(n.local.sym.to_string());
                }
            }
        }
    }
    out
}
