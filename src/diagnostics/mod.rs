//! Located diagnostics: one type for parse errors, validation errors and warnings, rendered by
//! miette for people and as JSON for pipelines.
//!
//! Every stage pushes into a `Diagnostics` list instead of returning at the first problem, so a
//! run reports everything it found at once. What each diagnostic says (code, severity, message,
//! help) is declared once, in `catalog.rs`; emission sites call its constructors and add where.

pub mod catalog;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use crate::model::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem, optionally located in a source file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable, documented code such as `photon-cf::missing-sibling` (one of `catalog::CODES`).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Option<SourceFile>,
    /// Primary label first; more labels may point at related places in the same file.
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
}

/// A file a diagnostic points into.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: Arc<str>) -> Self {
        Self {
            path: path.into(),
            text,
        }
    }
}

impl Diagnostic {
    /// The bare constructors `catalog.rs` builds on; elsewhere, call the catalog's function for
    /// the diagnostic so its code, severity, message and help stay declared in one place.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            file: None,
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Point the diagnostic at `span` in `file`, with a short label.
    pub fn at(mut self, file: &SourceFile, span: Span, label: impl Into<String>) -> Self {
        self.file = Some(file.clone());
        self.labels.push((span, label.into()));
        self
    }

    /// Add another label in the same file.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push((span, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column (in characters) of the primary label.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let file = self.file.as_ref()?;
        let (span, _) = self.labels.first()?;
        Some(line_col(&file.text, span.offset))
    }

    /// The machine-readable form used by `--output-format json`.
    pub fn to_json(&self) -> JsonDiagnostic {
        let (line, column) = match self.line_col() {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        JsonDiagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message.clone(),
            file: self.file.as_ref().map(|f| display_path(&f.path)),
            line,
            column,
            labels: self
                .labels
                .iter()
                .map(|(span, label)| {
                    let (line, column) = self
                        .file
                        .as_ref()
                        .map(|f| line_col(&f.text, span.offset))
                        .unwrap_or((0, 0));
                    JsonLabel {
                        message: label.clone(),
                        offset: span.offset,
                        length: span.len,
                        line,
                        column,
                    }
                })
                .collect(),
            help: self.help.clone(),
        }
    }
}

/// Paths in messages use `/` on every platform so output (and snapshots) are the same everywhere.
pub fn display_path(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct JsonLabel {
    pub message: String,
    pub offset: usize,
    pub length: usize,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.file
            .as_ref()
            .map(|f| &f.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.file.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, label))| {
                let span: SourceSpan = (*span).into();
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(label.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(label.clone()), span)
                }
            },
        )))
    }
}

/// A named view of a diagnostic, so miette prints the file name above the snippet.
pub struct Named<'a>(pub &'a Diagnostic, Option<NamedSource<Arc<str>>>);

impl<'a> Named<'a> {
    pub fn new(diagnostic: &'a Diagnostic) -> Self {
        let named = diagnostic.file.as_ref().map(|f| {
            NamedSource::new(display_path(&f.path), f.text.clone()).with_language("TypeScript")
        });
        Self(diagnostic, named)
    }
}

impl fmt::Debug for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for Named<'_> {}

impl miette::Diagnostic for Named<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::code(self.0)
    }
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.0)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::help(self.0)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.1.as_ref().map(|n| n as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        miette::Diagnostic::labels(self.0)
    }
}

/// All diagnostics of one run, in the order found.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\nçé x\n";
        // "x" sits after two 2-byte characters and a space on line 2.
        let offset = text.find('x').unwrap();
        assert_eq!(line_col(text, offset), (2, 4));
        assert_eq!(line_col(text, 0), (1, 1));
    }
}
