//! The `photon-cf` binary: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

use photon_cf::cli::Cli;
use photon_cf::commands::json::Failure;
use photon_cf::commands::{self, ExitStatus};
use photon_cf::diagnostics::Diagnostics;
use photon_cf::printer::Printer;
use photon_cf::settings::Environment;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version on stdout and usage errors on stderr; a bad flag is exit 1.
            let code = if err.use_stderr() { 1 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let printer = Printer::from_args(&cli.global);
    let result = Environment::from_process().and_then(|env| commands::run(cli, &env, &printer));
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            // A broken pipe on stdout/stderr is the reader's choice, not our failure.
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            if printer.is_json() {
                let diagnostics = Diagnostics::new();
                printer.json(&Failure {
                    error: Some(format!("{err:#}")),
                    ..Failure::new(&diagnostics)
                });
            }
            printer.error(format!("photon-cf failed: {err}"));
            for cause in err.chain().skip(1) {
                eprintln!("  cause: {cause}");
            }
            ExitStatus::Error.into()
        }
    }
}

/// A panic is a bug in photon-cf: say so briefly, with the version, and exit 2.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        eprintln!(
            "error: photon-cf {} hit a bug and stopped; please report it with the photon that caused it",
            env!("CARGO_PKG_VERSION")
        );
        default(info);
        // Exit 2 (photon-cf failed, contract §1) rather than the runtime's 101 for a panic.
        std::process::exit(2);
    }));
}
