//! `photon-cf deploy`: build, install DIR's npm dependencies when they are missing or stale, run
//! `wrangler deploy` (or `--dry-run`) in DIR with wrangler's output on our stderr, and report
//! what wrangler says it deployed: URL, version id, bindings, bundle size. Before uploading
//! (and after a `--dry-run` bundle) the bundle is started in the local Workers runtime
//! (`wrangler/startup.rs`); one that does not start is not deployed.
//!
//! Wrangler never gets a terminal to prompt on (stdin is closed), and `CI=true` is set for it
//! when nobody could answer anyway, so a missing login fails fast instead of waiting.

use std::path::Path;

use crate::cli::DeployArgs;
use crate::commands::build::print_report;
use crate::commands::json::{BuildDocument, DeployDocument, Failure};
use crate::commands::{ExitStatus, user_error};
use crate::diagnostics::display_path;
use crate::pipeline::{self, Built};
use crate::printer::Printer;
use crate::settings::{BuildSettings, Environment};
use crate::wrangler::output::{WranglerReport, bundle_size, failure_hint, parse_wrangler_output};
use crate::wrangler::process::signals;
use crate::wrangler::startup::{self, BUNDLE_DIR as DRY_RUN_OUTDIR};
use crate::wrangler::{self, Cmd};

/// `photon-cf deploy`.
pub fn run(args: &DeployArgs, env: &Environment, printer: &Printer) -> anyhow::Result<ExitStatus> {
    // wrangler runs in a process group of its own; Ctrl-C reaches us, and we stop that group.
    signals::install();
    let settings = BuildSettings::new(&args.photon, &args.render);
    let outcome = pipeline::build(&settings, &env.cwd)?;
    print_report(printer, &outcome);
    let Some(built) = outcome.succeeded() else {
        if printer.is_json() {
            printer.json(&Failure::new(&outcome.diagnostics));
        }
        return Ok(ExitStatus::Failure);
    };
    let (out_dir, located) =
        match wrangler::prepare(args.wrangler.wrangler.as_deref(), &built.out, env, printer)? {
            Ok(prepared) => prepared,
            Err(diagnostic) => return Ok(user_error(printer, &outcome.diagnostics, diagnostic)),
        };
    // Ctrl-C during the build or the install: nothing was deployed, just stop.
    if let Some(signal) = signals::received() {
        return Ok(ExitStatus::External(128u8.saturating_add(signal)));
    }

    // A Worker that cannot start is never uploaded: bundle it and start it locally first (for
    // `--dry-run` the dry run below is that bundle, started once it is written).
    let start_check = !env.skip_start_check;
    if !start_check {
        printer.verbose(format!(
            "start-up check skipped ({} is set)",
            startup::SKIP_ENV
        ));
    }
    if start_check && !args.dry_run {
        if let Err(diagnostic) =
            startup::bundle_and_start(&located.program, &out_dir, env.non_interactive, printer)?
        {
            return Ok(user_error(printer, &outcome.diagnostics, diagnostic));
        }
        if let Some(signal) = signals::received() {
            return Ok(ExitStatus::External(128u8.saturating_add(signal)));
        }
    }

    let outdir = out_dir.join(DRY_RUN_OUTDIR);
    let mut cmd = Cmd::new(&located.program, "deploy the Worker")
        .arg("deploy")
        .current_dir(&out_dir);
    if args.dry_run {
        // A stale bundle from an earlier run must not be measured as this one.
        let _ = std::fs::remove_dir_all(&outdir);
        cmd = cmd.args(["--dry-run", "--outdir"]).arg(&outdir);
    }
    cmd = cmd.args(&args.wrangler_args);
    if env.non_interactive {
        cmd = cmd.env("CI", "true");
    }
    if printer.color {
        // wrangler sees a pipe, not our terminal; keep its colours when ours are on.
        cmd = cmd.env("FORCE_COLOR", "1");
    }
    // The name `wrangler.toml` gives the Worker: the user's, when they renamed it there.
    let worker = &built.worker;
    printer.status(
        if args.dry_run {
            "Bundling"
        } else {
            "Deploying"
        },
        format!(
            "`{worker}` with wrangler{}",
            if args.dry_run {
                " (dry run, nothing is uploaded)"
            } else {
                ""
            }
        ),
    );
    let finished = match cmd.run_streaming(printer) {
        Ok(finished) => finished,
        Err(err) => {
            let diagnostic = err.into_diagnostic()?;
            return Ok(user_error(printer, &outcome.diagnostics, diagnostic));
        }
    };
    let mut report = parse_wrangler_output(&finished.output);
    if args.dry_run && finished.success() {
        report.bundle_bytes = bundle_size(&outdir);
        if start_check && let Err(diagnostic) = startup::start(&out_dir, printer)? {
            return Ok(user_error(printer, &outcome.diagnostics, diagnostic));
        }
    }
    let worker = report.worker.as_deref().unwrap_or(worker);

    let status = if finished.success() {
        print_summary(printer, built, worker, &report, args.dry_run, &outdir);
        ExitStatus::Success
    } else {
        printer.error(format!(
            "`wrangler deploy` failed with exit code {}",
            finished.code
        ));
        if let Some(hint) = failure_hint(&finished.output) {
            printer.info(format!("\nhint: {hint}"));
        }
        ExitStatus::External(finished.code)
    };
    if printer.is_json() {
        printer.json(&DeployDocument::new(
            BuildDocument::new(built, &outcome.diagnostics),
            worker,
            &report,
            args.dry_run.then_some(outdir.as_path()),
            finished.code,
        ));
    }
    Ok(status)
}

fn print_summary(
    printer: &Printer,
    built: &Built,
    worker: &str,
    w: &WranglerReport,
    dry_run: bool,
    outdir: &Path,
) {
    if dry_run {
        let size = match (w.total_kib, w.gzip_kib) {
            (Some(total), Some(gzip)) => format!("{total} KiB, {gzip} KiB gzipped"),
            _ => match w.bundle_bytes {
                Some(bytes) => format!("{bytes} bytes"),
                None => "size unknown".to_string(),
            },
        };
        printer.status(
            "Bundled",
            format!(
                "`{worker}` into `{}` ({size}); nothing was uploaded",
                display_path(outdir)
            ),
        );
        return;
    }
    let mut line = format!("`{worker}`");
    if let Some(url) = w.url() {
        line.push_str(&format!(" to {url}"));
    }
    if let Some(version) = &w.version_id {
        line.push_str(&format!(" (version {version})"));
    }
    printer.status("Deployed", line);
    if let Some(url) = w.url() {
        printer.info(format!("MCP endpoint: {}/mcp", url.trim_end_matches('/')));
    }
    let required: Vec<_> = built.config.iter().filter(|c| c.required).collect();
    if !required.is_empty() {
        printer.info(format!(
            "the Worker reads {} required variable{}; set each once (in `{}`):",
            required.len(),
            if required.len() == 1 { "" } else { "s" },
            display_path(&built.out)
        ));
        for entry in required {
            printer.info(format!("  {}", entry.secret_command));
        }
    }
}
