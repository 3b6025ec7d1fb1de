//! Everything photon-cf prints goes through here: human text and diagnostics on stderr, the one
//! JSON document on stdout. Commands never print directly.

use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};
use crate::diagnostics::{Diagnostic, Diagnostics, Named};

#[derive(Debug, Clone)]
pub struct Printer {
    pub format: OutputFormat,
    /// -2 silent-ish, -1 quiet, 0 normal, 1+ verbose.
    pub level: i8,
    pub color: bool,
    /// Read once at start-up: diagnostics wrap to the terminal, and not at all in a log.
    stderr_is_terminal: bool,
}

impl Printer {
    pub fn from_args(args: &GlobalArgs) -> Self {
        let format = if args.json {
            OutputFormat::Json
        } else {
            args.output_format
        };
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stderr_is_terminal
            }
        };
        let level = if args.quiet > 0 {
            -(args.quiet.min(2) as i8)
        } else {
            args.verbose.min(3) as i8
        };
        Self {
            format,
            level,
            color,
            stderr_is_terminal,
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    pub fn is_verbose(&self) -> bool {
        self.level > 0
    }

    /// A progress line (`Building counter ...`); hidden with `-q`.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.level >= 0 {
            let verb = if self.color {
                format!("\x1b[1;32m{verb:>12}\x1b[0m")
            } else {
                format!("{verb:>12}")
            };
            self.stderr_line(&format!("{verb} {message}"));
        }
    }

    /// A detail line shown only with `-v`.
    pub fn verbose(&self, message: impl std::fmt::Display) {
        if self.level > 0 {
            self.stderr_line(&format!("{message}"));
        }
    }

    /// A plain informational line; hidden with `-q`.
    pub fn info(&self, message: impl std::fmt::Display) {
        if self.level >= 0 {
            self.stderr_line(&format!("{message}"));
        }
    }

    /// photon-cf's own `error:` line. Never hidden: `-q` silences progress, not failures.
    pub fn error(&self, message: impl std::fmt::Display) {
        self.stderr_line(&format!("error: {message}"));
    }

    /// Render diagnostics on stderr (warnings hidden with `-qq`).
    pub fn diagnostics(&self, diagnostics: &Diagnostics) {
        for diagnostic in diagnostics.iter() {
            self.diagnostic(diagnostic);
        }
    }

    /// One diagnostic, as [`Printer::diagnostics`] prints each.
    pub fn diagnostic(&self, diagnostic: &Diagnostic) {
        if !diagnostic.is_error() && self.level < -1 {
            return;
        }
        self.stderr_line(&self.render_diagnostic(diagnostic));
    }

    /// The human rendering of one diagnostic: file:line:col, the source line, label and help.
    pub fn render_diagnostic(&self, diagnostic: &Diagnostic) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // No wrapping when stderr is not a terminal, so CI logs keep whole lines.
        let mut handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        if !self.stderr_is_terminal {
            handler = handler.with_width(usize::MAX / 4).with_wrap_lines(false);
        } else {
            handler = handler.with_width(100);
        }
        let mut out = String::new();
        let named = Named::new(diagnostic);
        if handler.render_report(&mut out, &named).is_err() {
            out = format!("{}: {}", diagnostic.code, diagnostic.message);
        }
        out.trim_end().to_string()
    }

    /// Write the command's one JSON document to stdout.
    pub fn json<T: Serialize>(&self, value: &T) {
        let mut stdout = std::io::stdout().lock();
        let text = serde_json::to_string_pretty(value).expect("output is serialisable");
        // A closed stdout (`| head`) is not our failure.
        let _ = writeln!(stdout, "{text}");
    }

    fn stderr_line(&self, line: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{line}");
    }
}
