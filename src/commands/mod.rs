//! One module per subcommand, the JSON documents they print, and the exit status they share.
//! Each command parses its arguments, calls the pipeline (and wrangler), and prints.

pub mod build;
pub mod check;
pub mod deploy;
pub mod dev;
pub mod instances;
pub mod json;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::commands::json::Failure;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::printer::Printer;
use crate::settings::Environment;

/// How a command ended (contract §1: 0 success, 1 user-fixable, 2 our failure, or wrangler's code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// A problem the user can fix: invalid photon, missing sibling, bad flag, `check` errors.
    Failure,
    /// photon-cf itself failed.
    Error,
    /// A child (wrangler) exited with this code; passed through unchanged.
    External(u8),
}

impl ExitStatus {
    /// `Success` or `Failure`.
    pub fn from_success(success: bool) -> Self {
        if success {
            Self::Success
        } else {
            Self::Failure
        }
    }

    /// The process exit code this status becomes.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Error => 2,
            Self::External(code) => code,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// Run the parsed command line in the environment read at start-up.
pub fn run(cli: Cli, env: &Environment, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Build(args) => build::run(&args, env, printer),
        Command::Check(args) => check::run(&args, env, printer),
        Command::Dev(args) => dev::run(&args, env, printer),
        Command::Deploy(args) => deploy::run(&args, env, printer),
        Command::Instances(args) => instances::run(&args, printer),
    }
}

/// A problem after the build that the user can fix (no npm, no wrangler, install failed): the
/// diagnostic on stderr (and in the JSON document, after the build's), exit 1.
pub fn user_error(printer: &Printer, build: &Diagnostics, diagnostic: Diagnostic) -> ExitStatus {
    if printer.is_json() {
        let mut all = build.clone();
        all.push(diagnostic);
        printer.json(&Failure::new(&all));
    } else {
        printer.diagnostic(&diagnostic);
    }
    ExitStatus::Failure
}
