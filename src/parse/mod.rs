//! The only module that touches SWC: TypeScript source → `model::Photon`.
//!
//! One parse per file (TypeScript, decorators on, comments kept), then one pass over the module.
//! This file runs the parse and assembles the model; each concern has its own module:
//! `guard.rs` (the stack and the depth limits checked before SWC recurses), `class.rs` (which
//! class is the photon, what it extends), `docblock.rs` (the class's JSDoc tags), `tools.rs`
//! (a method → a tool), `params.rs` (parameters → the input schema), `constructor.rs`
//! (constructor parameters → env vars or injections), `jsdoc.rs` (JSDoc text, plain string
//! functions), `schema.rs` (TS types → JSON Schema) and `scan.rs` (imports, hazards and
//! capability use, from one walk). Every problem becomes a located diagnostic; nothing stops at
//! the first one.

mod assets;
mod class;
mod constructor;
mod docblock;
mod guard;
mod jsdoc;
mod params;
mod platform;
mod routes;
mod scan;
mod schema;
mod state;
mod tools;

use std::path::Path;
use std::sync::Arc;

use swc_common::comments::{Comment, Comments as _, SingleThreadedComments};
use swc_common::input::StringInput;
use swc_common::{BytePos, Spanned as _};
use swc_ecma_ast::{ClassMember, EsVersion, Module};
use swc_ecma_parser::{Parser, Syntax, TsSyntax, lexer::Lexer};

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, catalog};
use crate::model::{Companions, Finding, Lifecycle, Photon, PhotonClass, Span, Surface, Tool};
use crate::names;

use guard::{MAX_CHAIN, MAX_NESTING, nesting_overflow};
use schema::SchemaCx;

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

/// Parse one `*.photon.ts` file. `path` is used for the photon name and in diagnostics.
///
/// Runs on its own thread with a large stack (`guard.rs`), so hostile input (deep nesting, long
/// operator chains) gives a diagnostic instead of a stack overflow of the caller's thread.
/// The `{name}` variables of a resource URI template, in order (render reads them too).
pub use jsdoc::uri_variables;

pub fn parse_photon(path: &Path, source: Arc<str>) -> ParseOutcome {
    guard::on_parse_stack(|| parse_on_this_thread(path, source.clone()))
}

fn parse_on_this_thread(path: &Path, source: Arc<str>) -> ParseOutcome {
    let file = SourceFile::new(path, source.clone());
    let mut p = Ctx {
        file,
        diagnostics: Diagnostics::new(),
        warnings: Vec::new(),
        len: source.len(),
        routes: Vec::new(),
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

/// The state of one parse: the file diagnostics point into, and what was found so far.
struct Ctx {
    file: SourceFile,
    diagnostics: Diagnostics,
    warnings: Vec<Finding>,
    len: usize,
    /// HTTP route methods found so far (`routes.rs`).
    routes: Vec<crate::model::HttpRoute>,
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
        let decls = schema::type_decls(module);
        let cand = self.select_class(module)?;
        let class_span = self.span(cand.label);

        let all_blocks = docblock::all_jsdoc_blocks(comments);
        let doc = self.read_class_doc(module, comments, cand.doc_pos, &all_blocks);

        let (extends, extends_photon) = class::extends(module, cand.class);

        let mut cx = SchemaCx::new(&decls, comments, source, &all_blocks);
        let mut tools: Vec<Tool> = Vec::new();
        // The name span of each tool in `tools`, for `duplicate-tool`.
        let mut tool_keys: Vec<Span> = Vec::new();
        let mut lifecycle = Lifecycle::default();
        let mut constructor = Vec::new();
        let (mcp_names, photon_names) = constructor::injection_names(&all_blocks);
        let class_block = docblock::last_jsdoc(&comments.get_leading(cand.doc_pos));
        let mut settings = None;
        let mut shared_state = Vec::new();
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
                    if let Some(found) = self.settings(prop, class_block.as_ref()) {
                        settings = Some(found);
                    }
                    if let Some(key) = state::shared_state(prop, comments)
                        && !shared_state.contains(&key)
                    {
                        shared_state.push(key);
                    }
                }
                _ => {}
            }
        }

        // Prompts and resources share the method namespace with tools (one method, one name), so
        // they are split off only after the duplicate check; each list keeps declaration order.
        let mut prompts = Vec::new();
        let mut resources = Vec::new();
        let mut kept = Vec::new();
        for (tool, key) in tools.into_iter().zip(tool_keys) {
            match &tool.surface {
                Surface::Tool => kept.push(tool),
                Surface::Prompt => prompts.push(tool),
                Surface::Resource { uri, .. } => {
                    for var in jsdoc::uri_variables(uri) {
                        if !tool.params.iter().any(|p| p == var) {
                            self.error(
                                catalog::unknown_uri_variable(&tool.name, uri, var),
                                key,
                                "this resource method",
                            );
                        }
                    }
                    resources.push(tool);
                }
            }
        }
        let tools = kept;
        let assets = self.read_assets(path, &doc.asset_tags);

        self.check_routes(&tools);
        let routes = std::mem::take(&mut self.routes);
        let scanned = scan::scan(module, BASE);
        let platform = platform::platform(module, cand.class, BASE);
        for (problem, span) in &platform.problems {
            let d = match problem {
                platform::Problem::NotLiteral { kind } => {
                    catalog::cf_qualifier(kind.as_str(), None)
                }
                platform::Problem::BadQualifier { kind, qualifier } => {
                    catalog::cf_qualifier(kind.as_str(), Some(qualifier))
                }
            };
            self.error(d, *span, "not a literal binding qualifier");
        }
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
            prompts,
            resources,
            assets,
            constructor,
            imports: scanned.imports,
            hazards: scanned.hazards,
            uses: scanned.uses,
            lifecycle,
            shared_state,
            settings,
            asset_refs: scanned.asset_refs,
            platform: platform.uses,
            routes,
            warnings: Vec::new(),
            companions: Companions::default(),
        })
    }
}

#[cfg(test)]
mod tests;
