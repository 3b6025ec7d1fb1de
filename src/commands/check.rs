//! `photon-cf check`: run the pipeline's validation (the photon, its siblings, Workers
//! compatibility, generated names) with nothing written, and print what it found. Exit 1 when an
//! error was found. With `--bundle` it then builds DIR as `build` does, installs it, and runs the
//! start-up check `deploy` runs first (`wrangler/startup.rs`): exit 1 when the Worker does not
//! start.

use crate::cli::CheckArgs;
use crate::commands::ExitStatus;
use crate::commands::build::print_report;
use crate::commands::build::tools;
use crate::commands::json::{CheckDocument, Failure};
use crate::diagnostics::display_path;
use crate::pipeline;
use crate::printer::Printer;
use crate::settings::{BuildSettings, Environment, Source};
use crate::wrangler::{self, startup};

pub fn run(args: &CheckArgs, env: &Environment, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let report = pipeline::check(&Source::from(&args.photon), &env.cwd)?;
    let success = report.success();
    if args.bundle && success {
        let settings = BuildSettings::new(&args.photon, &args.render);
        let outcome = pipeline::build(&settings, &env.cwd)?;
        let Some(built) = outcome.succeeded() else {
            // `check` passed, so only the output (wrangler.toml, classes) can fail here.
            print_report(printer, &outcome);
            if printer.is_json() {
                printer.json(&Failure::new(&outcome.diagnostics));
            }
            return Ok(ExitStatus::Failure);
        };
        let started =
            match wrangler::prepare(args.wrangler.wrangler.as_deref(), &built.out, env, printer)? {
                Ok((out_dir, located)) => startup::bundle_and_start(
                    &located.program,
                    &out_dir,
                    env.non_interactive,
                    printer,
                )?,
                Err(diagnostic) => Err(diagnostic),
            };
        if let Err(diagnostic) = started {
            let mut all = report.diagnostics.clone();
            all.push(diagnostic.clone());
            if printer.is_json() {
                printer.json(&Failure::new(&all));
            } else {
                printer.diagnostics(&report.diagnostics);
                printer.diagnostic(&diagnostic);
                printer.error("the Worker does not start; it would not be deployed");
            }
            return Ok(ExitStatus::Failure);
        }
        printer.status(
            "Started",
            format!(
                "the bundle in `{}` in the local Workers runtime",
                display_path(&built.out)
            ),
        );
    }
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
