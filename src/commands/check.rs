//! `photon-cf check`: run the pipeline's validation (the photon, its siblings, Workers
//! compatibility, generated names) with nothing written, and print what it found. Exit 1 when an
//! error was found.

use crate::cli::CheckArgs;
use crate::commands::ExitStatus;
use crate::commands::build::tools;
use crate::commands::json::CheckDocument;
use crate::diagnostics::display_path;
use crate::pipeline;
use crate::printer::Printer;
use crate::settings::{Environment, Source};

pub fn run(args: &CheckArgs, env: &Environment, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let report = pipeline::check(&Source::from(&args.photon), &env.cwd)?;
    let success = report.success();
    if printer.is_json() {
        printer.json(&CheckDocument::new(&report));
        return Ok(ExitStatus::from_success(success));
    }
    if let Some(host) = &report.host {
        printer.status("Resolving", display_path(host));
    }
    printer.diagnostics(&report.diagnostics);
    let (errors, warnings) = (
        report.diagnostics.error_count(),
        report.diagnostics.warning_count(),
    );
    if success {
        let names: Vec<String> = report
            .photons
            .iter()
            .map(|p| format!("{} ({})", p.name, tools(p.tools)))
            .collect();
        printer.status(
            "Checked",
            format!(
                "{}: no errors, {warnings} warning{}",
                names.join(", "),
                if warnings == 1 { "" } else { "s" }
            ),
        );
    } else {
        printer.error(format!(
            "check found {errors} error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    Ok(ExitStatus::from_success(success))
}
