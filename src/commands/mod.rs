//! One module per subcommand, and the exit status they share.

pub mod build;
pub mod check;
pub mod deploy;
pub mod dev;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::printer::Printer;

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

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
            ExitStatus::External(code) => ExitCode::from(code),
        }
    }
}

/// Run the parsed command line.
pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Build(args) => build::run(&args.photon, &args.render, printer),
        Command::Check(args) => check::run(&args.photon, printer),
        Command::Dev(args) => dev::run(&args, printer),
        Command::Deploy(args) => deploy::run(&args, printer),
    }
}
