//! The only module that touches SWC: TypeScript source → `model::Photon`.
//!
//! One parse per file (TypeScript, decorators on, comments kept), then one pass over the module:
//! pick the photon class, read its docblock and its methods' JSDoc (`jsdoc.rs`), turn parameter
//! and return types into JSON Schemas (`schema.rs`) and walk everything once for imports,
//! hazards and capability use (`scan.rs`). Every problem becomes a located diagnostic; nothing
//! stops at the first one.

mod jsdoc;
mod scan;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use swc_common::comments::{Comment, CommentKind, Comments, SingleThreadedComments};
use swc_common::input::StringInput;
use swc_common::{BytePos, Spanned as _};
use swc_ecma_ast::{
    Accessibility, Class, ClassMember, ClassMethod, Constructor, Decl, DefaultDecl, EsVersion,
    Expr, Lit, MethodKind, Module, ModuleDecl, ModuleExportName, ModuleItem, ParamOrTsParamProp,
    Pat, Prop, PropName, PropOrSpread, Stmt, TsKeywordTypeKind, TsParamPropParam, TsType, UnaryOp,
};
use swc_ecma_parser::{Parser, Syntax, TsSyntax, lexer::Lexer};

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, catalog};
use crate::model::{
    Annotations, ClassDoc, ConstructorParam, Dependency, EnvType, Finding, Injection, Lifecycle,
    Photon, PhotonClass, Span, Spanned, Tool,
};
use crate::names;

use schema::{SchemaCx, TypeDecl};

/// What parsing one file produced: the model when the file is usable, and every finding.
///
/// Every warning in `Photon::warnings` is also in `diagnostics` already: callers report
/// `diagnostics` and must not convert `warnings` again.
#[derive(Debug, Default)]
pub struct ParseOutcome {
    pub photon: Option<Photon>,
    pub diagnostics: Diagnostics,
}

/// SWC positions start at 1 (0 is its "dummy" position); spans are made relative to this.
const BASE: u32 = 1;

/// Deepest bracket nesting accepted. Real photons stay far below it; deeper input would only
/// exhaust the stack of SWC's recursive-descent parser (and of every walk over its tree).
const MAX_NESTING: usize = 256;

/// Stack for the parsing thread: SWC's parser and the tree walks recurse once per nesting level,
/// and debug builds use large frames. Reserved lazily, so the size costs address space only.
const PARSE_STACK: usize = 32 << 20;

/// Parse one `*.photon.ts` file. `path` is used for the photon name and in diagnostics.
///
/// Runs on its own thread with a large stack, so hostile input (deep nesting, long operator
/// chains) gives a diagnostic instead of a stack overflow of the caller's thread.
pub fn parse_photon(path: &Path, source: Arc<str>) -> ParseOutcome {
    std::thread::scope(|scope| {
        let src = source.clone();
        let spawned = std::thread::Builder::new()
            .name("photon-parse".into())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, move || parse_on_this_thread(path, src));
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(outcome) => outcome,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No thread available (resource limits): parse here, with the caller's stack.
            Err(_) => parse_on_this_thread(path, source),
        }
    })
}

fn parse_on_this_thread(path: &Path, source: Arc<str>) -> ParseOutcome {
    let file = SourceFile::new(path, source.clone());
    let mut p = Ctx {
        file,
        diagnostics: Diagnostics::new(),
        warnings: Vec::new(),
        len: source.len(),
    };
    let name = p.photon_name(path);
    if let Some(at) = nesting_overflow(&source, MAX_NESTING, MAX_CHAIN) {
        p.error(
            catalog::too_deeply_nested(MAX_NESTING, MAX_CHAIN),
            Span::new(at, 1),
            "nesting limit reached here",
        );
        return p.finish(None);
    }

    let comments = SingleThreadedComments::default();
    let Ok(len) = u32::try_from(source.len()) else {
        p.error(catalog::file_too_large(), Span::new(0, 0), "this file");
        return p.finish(None);
    };
    let lexer = Lexer::new(
        Syntax::Typescript(TsSyntax {
            decorators: true,
            ..Default::default()
        }),
        EsVersion::latest(),
        StringInput::new(&source, BytePos(BASE), BytePos(BASE + len)),
        Some(&comments),
    );
    let mut parser = Parser::new_from(lexer);
    let result = parser.parse_typescript_module();
    let mut errors = parser.take_errors();
    let module = match result {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    errors.sort_by_key(|e| e.span().lo);
    let content_end = source.trim_end().len();
    for e in &errors {
        let mut span = p.span(e.span());
        let mut label = "the parser stopped here";
        let mut at_end = false;
        // An error at the very end has nothing to underline: point at the last character.
        if span.offset >= content_end && content_end > 0 {
            let last = source[..content_end]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
            span = Span::new(content_end - last, last);
            label = "the file ends here";
            at_end = true;
        }
        p.error(catalog::syntax_error(&e.kind().msg(), at_end), span, label);
    }
    let Some(module) = module else {
        return p.finish(None);
    };
    let photon = p.photon(name, path, &source, &module, &comments);
    p.finish(photon)
}

/// Operator characters (and prefix keywords such as `await`) allowed in one expression: between
/// two `,`/`;`/`}` of the same bracket level. SWC's parser, the tree walks and the tree's drop all
/// recurse once per chained operator (`!!!!x`, `a ? b : c ? ...`, `x => y => ...`, `a || b || ...`),
/// so more is refused like deep brackets. Hand-written code stays far below it.
const MAX_CHAIN: usize = 1000;

/// Where nesting first gets too deep for a recursive-descent parser: brackets (`(`, `[`, `{`)
/// nested more than `limit` levels, or more than `chain` operators in one expression, or as many
/// `else` in one block. Comments, string and template literals are
/// skipped. A lexical guard run before SWC; it never decides what the code means.
fn nesting_overflow(src: &str, limit: usize, chain: usize) -> Option<usize> {
    const CHAIN_WORDS: &[&str] = &[
        "await", "delete", "infer", "keyof", "new", "readonly", "typeof", "unique", "void", "yield",
    ];
    let b = src.as_bytes();
    // Per open bracket: chained operators since the last `,`/`;`, and `else`s in the block.
    let mut frames: Vec<(usize, usize)> = vec![(0, 0)];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let mut chained = false;
        match c {
            b'/' if next == Some(b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if next == Some(b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if q != b'`' && b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                frames.push((0, 0));
                if frames.len() > limit + 1 {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => {
                if frames.len() > 1 {
                    frames.pop();
                }
                // A closed block ends a member or statement of the enclosing one (class bodies
                // and ASI-style code have no `;` between members).
                // Not when an operator follows: `a ? {} : a ? {} : ...` is still one chain.
                if c == b'}' {
                    let rest = &b[i + 1..];
                    let at = rest.iter().position(|x| !x.is_ascii_whitespace());
                    let continues = at.is_some_and(|k| {
                        let op = b"?:+-*/%&|^!~<>=.".contains(&rest[k]);
                        let comment =
                            rest[k] == b'/' && matches!(rest.get(k + 1), Some(b'/' | b'*'));
                        op && !comment
                    });
                    if !continues {
                        frames.last_mut()?.0 = 0;
                    }
                }
            }
            b',' | b';' => frames.last_mut()?.0 = 0,
            // Every operator character counts: prefix chains (`!!x`, `----x`), right-nested
            // ones (`a ? b : c ? ...`, `x => y => ...`, `a = b = ...`) and long binary or member
            // chains all become one level of recursion per operator somewhere.
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'!' | b'~' | b'<' | b'>'
            | b'?' | b'=' | b'.' => chained = true,
            _ if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                let word = &src[start..i];
                if word == "else" {
                    let frame = frames.last_mut()?;
                    frame.1 += 1;
                    if frame.1 > chain {
                        return Some(start);
                    }
                } else if CHAIN_WORDS.contains(&word) {
                    let frame = frames.last_mut()?;
                    frame.0 += 1;
                    if frame.0 > chain {
                        return Some(start);
                    }
                }
                continue;
            }
            _ => {}
        }
        if chained {
            let frame = frames.last_mut()?;
            frame.0 += 1;
            if frame.0 > chain {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

struct Ctx {
    file: SourceFile,
    diagnostics: Diagnostics,
    warnings: Vec<Finding>,
    len: usize,
}

/// The JSDoc block a node carries: the last `/** */` among its leading comments.
fn last_jsdoc(comments: &Option<Vec<Comment>>) -> Option<Comment> {
    comments
        .as_ref()?
        .iter()
        .rev()
        .find(|c| c.kind == CommentKind::Block && jsdoc::is_jsdoc(&c.text))
        .cloned()
}

fn first_jsdoc(comments: &Option<Vec<Comment>>) -> Option<Comment> {
    comments
        .as_ref()?
        .iter()
        .find(|c| c.kind == CommentKind::Block && jsdoc::is_jsdoc(&c.text))
        .cloned()
}

/// The candidate photon classes of a module.
struct ClassCand<'a> {
    name: Option<String>,
    class: &'a Class,
    default_export: bool,
    exported: bool,
    /// Where its JSDoc is attached (the export statement when exported).
    doc_pos: BytePos,
    /// What a diagnostic points at: the class name, else the `class` keyword.
    label: swc_common::Span,
}

impl Ctx {
    fn finish(self, photon: Option<Photon>) -> ParseOutcome {
        let mut photon = photon;
        if let Some(p) = photon.as_mut() {
            p.warnings = self.warnings;
        }
        ParseOutcome {
            photon,
            diagnostics: self.diagnostics,
        }
    }

    fn span(&self, s: swc_common::Span) -> Span {
        let lo = (s.lo.0.saturating_sub(BASE) as usize).min(self.len);
        let hi = (s.hi.0.saturating_sub(BASE) as usize).clamp(lo, self.len);
        Span::new(lo, hi - lo)
    }

    /// A span inside a comment's text (offsets from `jsdoc`).
    fn comment_span(&self, c: &Comment, offset: usize, len: usize) -> Span {
        // The text starts after `/*` (block) or `//` (line): two bytes.
        let lo = (c.span.lo.0.saturating_sub(BASE) as usize + 2 + offset).min(self.len);
        Span::new(lo, len.min(self.len - lo))
    }

    /// Point `d` (a constructor of `catalog`) at `span` and report it.
    fn error(&mut self, d: Diagnostic, span: Span, label: &str) {
        let d = d.at(&self.file, span, label);
        self.diagnostics.push(d);
    }

    /// A warning: a located diagnostic, and a `Finding` in the model.
    fn warn(&mut self, d: Diagnostic, span: Span, label: &str) {
        self.warnings.push(Finding {
            code: catalog::short(d.code),
            message: d.message.clone(),
            span,
            help: d.help.clone(),
        });
        self.error(d, span, label);
    }

    fn photon_name(&mut self, path: &Path) -> String {
        let file_name = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match names::photon_name(&file_name) {
            names::FileName::Photon(n) => n,
            names::FileName::NotPhoton(stem) => {
                self.error(
                    catalog::bad_file_name(&file_name),
                    Span::new(0, 0),
                    "in this file",
                );
                return stem;
            }
        };
        if !names::is_valid_photon_name(&name) {
            self.error(
                catalog::bad_photon_name(&name),
                Span::new(0, 0),
                "in this file",
            );
        }
        name
    }

    fn photon(
        &mut self,
        name: String,
        path: &Path,
        source: &Arc<str>,
        module: &Module,
        comments: &SingleThreadedComments,
    ) -> Option<Photon> {
        let decls = type_decls(module);
        let cand = self.select_class(module)?;
        let class_span = self.span(cand.label);

        // Class docblock: the file's leading block and the class's own, unioned.
        let class_block = last_jsdoc(&comments.get_leading(cand.doc_pos));
        let header_block = module
            .body
            .first()
            .and_then(|item| first_jsdoc(&comments.get_leading(item.span().lo)))
            .filter(|h| class_block.as_ref().is_none_or(|c| c.span != h.span));
        let all_blocks = all_jsdoc_blocks(comments);
        let doc = self.class_doc(header_block.as_ref(), class_block.as_ref(), &all_blocks);

        let extends = cand.class.super_class.as_deref().and_then(|e| match e {
            Expr::Ident(i) => Some(i.sym.to_string()),
            _ => None,
        });
        let photon_bases = photon_base_names(module);
        let extends_photon = extends
            .as_deref()
            .is_some_and(|e| photon_bases.iter().any(|b| b == e));

        let mut cx = SchemaCx::new(&decls, comments, source, &all_blocks);
        let mut tools: Vec<Tool> = Vec::new();
        // The name span of each tool in `tools`, for `duplicate-tool`.
        let mut tool_keys: Vec<Span> = Vec::new();
        let mut lifecycle = Lifecycle::default();
        let mut constructor = Vec::new();
        let (mcp_names, photon_names) = injection_names(&all_blocks);
        for member in &cand.class.body {
            match member {
                ClassMember::Constructor(c) => {
                    constructor =
                        self.constructor(c, &name, doc.stateful, &mcp_names, &photon_names);
                }
                ClassMember::Method(m) => {
                    if let Some(tool) =
                        self.method(m, extends_photon, &mut lifecycle, &mut cx, source, comments)
                    {
                        // Overload signatures never get here (no body); two bodies with one
                        // name (or a static and an instance method) would leave one unreachable.
                        let key = self.span(m.key.span());
                        if let Some(i) = tools.iter().position(|t| t.name == tool.name) {
                            let first = tool_keys[i];
                            let d = catalog::duplicate_tool(&tool.name)
                                .at(&self.file, key, "defined again here")
                                .also(first, "first defined here");
                            self.diagnostics.push(d);
                            continue;
                        }
                        tool_keys.push(key);
                        tools.push(tool);
                    }
                }
                ClassMember::ClassProp(prop) => {
                    let is_settings =
                        matches!(&prop.key, PropName::Ident(i) if &*i.sym == "settings");
                    if is_settings
                        && prop.accessibility == Some(Accessibility::Protected)
                        && !prop.is_static
                    {
                        let span = self.span(prop.span);
                        self.warn(
                            catalog::settings_not_supported(),
                            span,
                            "no `settings` tool on Workers",
                        );
                    }
                }
                _ => {}
            }
        }

        let scanned = scan::scan(module, BASE);
        Some(Photon {
            name,
            path: path.to_path_buf(),
            source: source.clone(),
            class: PhotonClass {
                name: cand.name.clone(),
                default_export: cand.default_export,
                extends,
                extends_photon,
                span: class_span,
            },
            doc,
            tools,
            constructor,
            imports: scanned.imports,
            hazards: scanned.hazards,
            uses: scanned.uses,
            lifecycle,
            warnings: Vec::new(),
        })
    }

    /// The default-export class, else the single exported class (photon-format §1.1, narrowed:
    /// a choice between several exported classes is the user's to make).
    fn select_class<'a>(&mut self, module: &'a Module) -> Option<ClassCand<'a>> {
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

    fn class_doc(
        &mut self,
        header: Option<&Comment>,
        class: Option<&Comment>,
        all_blocks: &[Comment],
    ) -> ClassDoc {
        let mut doc = ClassDoc::default();
        let class_lines = class.map(|c| jsdoc::lines(&c.text));
        let header_lines = header.map(|c| jsdoc::lines(&c.text));
        doc.description = class_lines
            .as_deref()
            .and_then(jsdoc::class_description)
            .or_else(|| header_lines.as_deref().and_then(jsdoc::class_description));
        let blocks: Vec<(&Comment, Vec<jsdoc::Line<'_>>)> =
            [header.zip(header_lines), class.zip(class_lines)]
                .into_iter()
                .flatten()
                .collect();
        for (comment, lines) in &blocks {
            for tag in jsdoc::tags(lines) {
                match tag.name {
                    "version" => doc.version = jsdoc::first_word(tag.value).map(str::to_string),
                    "stateful" => doc.stateful = jsdoc::flag(tag.value),
                    "auth" => {
                        doc.auth = Some(
                            jsdoc::first_word(tag.value)
                                .unwrap_or("required")
                                .to_string(),
                        )
                    }
                    "runtime" => doc.runtime = jsdoc::first_word(tag.value).map(str::to_string),
                    "scope" => {
                        for s in tag.value.split([' ', ',', '\t']).filter(|s| !s.is_empty()) {
                            if !doc.scopes.iter().any(|x| x == s) {
                                doc.scopes.push(s.to_string());
                            }
                        }
                    }
                    "cli" => {
                        let span = self.comment_span(comment, tag.offset, tag.span_len());
                        self.error(catalog::cli_dependency(), span, "system CLI dependency");
                    }
                    _ => {}
                }
            }
        }
        // `@dependencies` and `@photons` count in any JSDoc block (upstream scans them all).
        for comment in all_blocks {
            let lines = jsdoc::lines(&comment.text);
            for tag in jsdoc::tags(&lines) {
                match tag.name {
                    "dependencies" => {
                        let specs = jsdoc::dependencies(tag.value);
                        // Prose such as "Extract @dependencies from the header": entries with
                        // blanks are no npm specs. Upstream drops them silently; say so instead.
                        if specs.iter().any(|s| s.entry.contains(char::is_whitespace)) {
                            let span = self.comment_span(comment, tag.offset, tag.span_len());
                            self.warn(catalog::ignored_dependencies(), span, "not a package list");
                            continue;
                        }
                        for spec in specs {
                            let span = self.comment_span(
                                comment,
                                tag.value_offset + spec.offset,
                                spec.entry.len(),
                            );
                            if !jsdoc::is_valid_package_name(spec.name) {
                                self.error(
                                    catalog::bad_dependency(spec.name),
                                    span,
                                    "not an npm package name",
                                );
                                continue;
                            }
                            if doc.dependencies.iter().any(|d| d.name == spec.name) {
                                continue;
                            }
                            doc.dependencies.push(Dependency {
                                name: spec.name.to_string(),
                                version: spec.version.unwrap_or("*").to_string(),
                                optional: spec.optional,
                                span,
                            });
                        }
                    }
                    "photons" => {
                        for (n, off) in jsdoc::name_list(tag.value) {
                            let span = self.comment_span(comment, tag.value_offset + off, n.len());
                            if !names::is_photon_name_ref(n) {
                                self.error(catalog::bad_sibling_name(n), span, "not a photon name");
                                continue;
                            }
                            if !doc.photons.iter().any(|p| p.value == n) {
                                doc.photons.push(Spanned {
                                    value: n.to_string(),
                                    span,
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        doc
    }

    fn constructor(
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

    #[allow(clippy::too_many_arguments)]
    fn method(
        &mut self,
        m: &ClassMethod,
        extends_photon: bool,
        lifecycle: &mut Lifecycle,
        cx: &mut SchemaCx<'_>,
        source: &str,
        comments: &SingleThreadedComments,
    ) -> Option<Tool> {
        if m.kind != MethodKind::Method || m.function.body.is_none() {
            // Getters/setters are not tools; a body-less method is an overload signature.
            return None;
        }
        if matches!(
            m.accessibility,
            Some(Accessibility::Private | Accessibility::Protected)
        ) {
            return None;
        }
        let name = match &m.key {
            PropName::Ident(i) => i.sym.to_string(),
            PropName::Str(s) => s.value.to_string_lossy().into_owned(),
            _ => return None,
        };
        if name.starts_with('_') {
            return None;
        }
        match name.as_str() {
            "onInitialize" if !m.is_static => {
                lifecycle.on_initialize = true;
                return None;
            }
            "onShutdown" if !m.is_static => {
                lifecycle.on_shutdown = true;
                return None;
            }
            "onInitialize" | "onShutdown" | "onError" => return None,
            "configure" | "getConfig" if extends_photon => return None,
            _ => {}
        }
        let span = self.span(m.span);
        let valid_name = name.len() <= 128
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid_name {
            self.warn(
                catalog::unusual_tool_name(&name),
                self.span(m.key.span()),
                "tool name",
            );
        }
        let doc = last_jsdoc(&comments.get_leading(m.span.lo));
        let lines = doc
            .as_ref()
            .map(|c| jsdoc::lines(&c.text))
            .unwrap_or_default();
        let tags = jsdoc::tags(&lines);

        for tag in &tags {
            let lower = tag.name.to_ascii_lowercase();
            let route = matches!(lower.as_str(), "get" | "post" | "put" | "patch" | "delete")
                && tag.value.starts_with('/');
            if route {
                self.warn(
                    catalog::route_not_supported(&name, tag.name, tag.value),
                    span,
                    "HTTP route, not deployed",
                );
                return None;
            }
            if lower == "template"
                || tag.name == "prompt"
                || tag.name == "Static"
                || tag.name == "resource"
            {
                self.warn(
                    catalog::prompt_not_supported(&name, tag.name),
                    span,
                    "prompt or resource, not deployed",
                );
                return None;
            }
        }

        let mut tool = Tool {
            name: name.clone(),
            description: jsdoc::method_description(&lines),
            input_schema: json!({"type": "object", "properties": {}}),
            output_schema: None,
            simple_params: false,
            params: Vec::new(),
            annotations: Annotations::default(),
            scopes: Vec::new(),
            is_static: m.is_static,
            is_async: m.function.is_async,
            is_generator: m.function.is_generator,
            internal: false,
            deprecated: None,
            scheduled: None,
            locked: None,
            span,
        };
        let mut param_docs = Vec::new();
        for tag in &tags {
            match tag.name {
                "param" => {
                    if let Some(d) = jsdoc::param_doc(tag) {
                        param_docs.push(d);
                    }
                }
                "title" if !tag.value.is_empty() => {
                    tool.annotations.title = Some(tag.value.to_string())
                }
                "readOnly" => tool.annotations.read_only_hint = Some(jsdoc::flag(tag.value)),
                "destructive" => tool.annotations.destructive_hint = Some(jsdoc::flag(tag.value)),
                "idempotent" => tool.annotations.idempotent_hint = Some(jsdoc::flag(tag.value)),
                "openWorld" => tool.annotations.open_world_hint = Some(jsdoc::flag(tag.value)),
                "closedWorld" => tool.annotations.open_world_hint = Some(!jsdoc::flag(tag.value)),
                "internal" => tool.internal = true,
                "deprecated" => tool.deprecated = Some(tag.value.to_string()),
                "scheduled" | "cron" if !tag.value.is_empty() => {
                    if let (Some(why), Some(comment)) = (jsdoc::cron_error(tag.value), &doc) {
                        let span = self.comment_span(comment, tag.value_offset, tag.value.len());
                        self.error(
                            catalog::invalid_cron(tag.name, tag.value, &name, &why),
                            span,
                            "invalid cron expression",
                        );
                    }
                    tool.scheduled = Some(tag.value.to_string())
                }
                "locked" => {
                    tool.locked = Some(jsdoc::first_word(tag.value).unwrap_or(&name).to_string())
                }
                "scope" => {
                    for s in tag.value.split([' ', ',', '\t']).filter(|s| !s.is_empty()) {
                        if !tool.scopes.iter().any(|x| x == s) {
                            tool.scopes.push(s.to_string());
                        }
                    }
                }
                _ => {}
            }
        }

        self.input_schema(&mut tool, m, cx, source, &param_docs, doc.as_ref());

        // The scheduler calls a `@scheduled` method with no arguments (params `{}`), so a
        // required parameter would always arrive as `undefined`.
        let required = tool
            .input_schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        if tool.scheduled.is_some() && !required.is_empty() {
            let list = required
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                catalog::scheduled_needs_arguments(&name, &list),
                self.span(m.key.span()),
                "scheduled method with required parameters",
            );
        }

        if !m.function.is_generator
            && let Some(ret) = &m.function.return_type
        {
            let ty = schema::unwrap_promise(&ret.type_ann);
            let out = cx.type_schema(ty);
            let has_props = out
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            if out.get("type").and_then(Value::as_str) == Some("object") && has_props {
                tool.output_schema = Some(out);
            }
        }
        if std::mem::take(&mut cx.too_deep) {
            self.warn(
                catalog::schema_too_deep(&name, schema::MAX_SCHEMA_DEPTH),
                span,
                "schema cut here",
            );
        }
        Some(tool)
    }

    /// The simpleParams rule (photon-format §3.1).
    fn input_schema(
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
                let key = match &kv.key {
                    PropName::Ident(i) => i.sym.to_string(),
                    PropName::Str(s) => s.value.to_string_lossy().into_owned(),
                    _ => return None,
                };
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

fn export_name(n: &ModuleExportName) -> String {
    match n {
        ModuleExportName::Ident(i) => i.sym.to_string(),
        ModuleExportName::Str(s) => s.value.to_string_lossy().into_owned(),
    }
}

/// Top-level type aliases, interfaces and enums by name (exported or not). The first
/// declaration of a name wins, as upstream's lookup does.
fn type_decls(module: &Module) -> HashMap<String, TypeDecl<'_>> {
    let mut out = HashMap::new();
    for item in &module.body {
        let decl = match item {
            ModuleItem::Stmt(Stmt::Decl(d)) => d,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => &e.decl,
            _ => continue,
        };
        let (name, td) = match decl {
            Decl::TsTypeAlias(a) => (a.id.sym.to_string(), TypeDecl::Alias(a)),
            Decl::TsInterface(i) => (i.id.sym.to_string(), TypeDecl::Interface(i)),
            Decl::TsEnum(e) => (e.id.sym.to_string(), TypeDecl::Enum),
            _ => continue,
        };
        out.entry(name).or_insert(td);
    }
    out
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

/// Every JSDoc block of the file, in source order.
fn all_jsdoc_blocks(comments: &SingleThreadedComments) -> Vec<Comment> {
    let (leading, trailing) = comments.borrow_all();
    let mut out: Vec<Comment> = leading
        .values()
        .chain(trailing.values())
        .flatten()
        .filter(|c| c.kind == CommentKind::Block && jsdoc::is_jsdoc(&c.text))
        .cloned()
        .collect();
    out.sort_by_key(|c| c.span.lo);
    out.dedup_by_key(|c| c.span.lo);
    out
}

/// Constructor parameter names claimed by `@mcp <name> ...` and `@photon <name> ...`.
fn injection_names(blocks: &[Comment]) -> (Vec<String>, Vec<String>) {
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

#[cfg(test)]
mod tests;
