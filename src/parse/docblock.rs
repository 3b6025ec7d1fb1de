//! The class docblock: finding JSDoc blocks among SWC's comments, and reading the class-level
//! tags (`@version`, `@stateful`, `@auth`, `@scope`, `@dependencies`, `@photons`, ...) into
//! `ClassDoc`. The tag text itself is parsed by `jsdoc.rs`.

use swc_common::comments::{Comment, CommentKind, Comments, SingleThreadedComments};
use swc_common::{BytePos, Spanned as _};
use swc_ecma_ast::Module;

use super::{Ctx, jsdoc};
use crate::diagnostics::catalog;
use crate::model::{AssetKind, AssetTag, ClassDoc, Dependency, Spanned};
use crate::names;

/// The JSDoc block a node carries: the last `/** */` among its leading comments.
pub(super) fn last_jsdoc(comments: &Option<Vec<Comment>>) -> Option<Comment> {
    comments
        .as_ref()?
        .iter()
        .rev()
        .find(|c| c.kind == CommentKind::Block && jsdoc::is_jsdoc(&c.text))
        .cloned()
}

pub(super) fn first_jsdoc(comments: &Option<Vec<Comment>>) -> Option<Comment> {
    comments
        .as_ref()?
        .iter()
        .find(|c| c.kind == CommentKind::Block && jsdoc::is_jsdoc(&c.text))
        .cloned()
}

/// Every JSDoc block of the file, in source order.
pub(super) fn all_jsdoc_blocks(comments: &SingleThreadedComments) -> Vec<Comment> {
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

impl Ctx {
    /// The class docblock: the file's leading block and the class's own (attached at
    /// `doc_pos`), unioned; `@dependencies` and `@photons` count in any of `all_blocks`.
    pub(super) fn read_class_doc(
        &mut self,
        module: &Module,
        comments: &SingleThreadedComments,
        doc_pos: BytePos,
        all_blocks: &[Comment],
    ) -> ClassDoc {
        let class_block = last_jsdoc(&comments.get_leading(doc_pos));
        let header_block = module
            .body
            .first()
            .and_then(|item| first_jsdoc(&comments.get_leading(item.span().lo)))
            .filter(|h| class_block.as_ref().is_none_or(|c| c.span != h.span));
        self.class_doc(header_block.as_ref(), class_block.as_ref(), all_blocks)
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
                    "prompt" | "resource" => {
                        // Only `<id> <./path or /path>` is a file declaration (the local
                        // extractor's rule); anything else on the class is prose.
                        let mut words = tag.value.split_whitespace();
                        let (Some(id), Some(path)) = (words.next(), words.next()) else {
                            continue;
                        };
                        let id_ok = id.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                            && id
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                        if !id_ok || !(path.starts_with("./") || path.starts_with('/')) {
                            continue;
                        }
                        let at = tag.value_offset + tag.value.find(path).unwrap_or(0);
                        let kind = if tag.name == "prompt" {
                            AssetKind::Prompt
                        } else {
                            AssetKind::Resource
                        };
                        if !doc.asset_tags.iter().any(|a| a.kind == kind && a.id == id) {
                            doc.asset_tags.push(AssetTag {
                                kind,
                                id: id.to_string(),
                                path: path.to_string(),
                                span: self.comment_span(comment, at, path.len()),
                            });
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
}
