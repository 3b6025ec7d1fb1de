//! `photon-cf deploy`: build, install DIR's npm dependencies when they are missing or stale, run
//! `wrangler deploy` (or `--dry-run`) in DIR with wrangler's output on our stderr, and report
//! what wrangler says it deployed: URL, version id, bindings, bundle size.
//!
//! Wrangler never gets a terminal to prompt on (stdin is closed), and `CI=true` is set for it
//! when nobody could answer anyway, so a missing login fails fast instead of waiting.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::DeployArgs;
use crate::commands::ExitStatus;
use crate::commands::build::{self, BuildOutcome, Built, ConfigEntry, diagnostics_json};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::names::worker_name;
use crate::printer::Printer;
use crate::wrangler::{self, Cmd};

/// Where `--dry-run` asks wrangler to write the bundle, inside DIR (`.wrangler/` is ignored by
/// the generated `.gitignore` and never touched by `build`).
pub const DRY_RUN_OUTDIR: &str = ".wrangler/dry-run";

/// `photon-cf deploy`.
pub fn run(args: &DeployArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let outcome = build::build(&args.photon, &args.render, printer)?;
    let built = match &outcome.built {
        Some(built) if outcome.success() => built,
        _ => {
            if printer.is_json() {
                printer.json(&outcome.to_json());
            }
            return Ok(outcome.exit_status());
        }
    };
    let (out_dir, located) =
        match wrangler::prepare(args.wrangler.wrangler.as_deref(), &built.out, printer)? {
            Ok(prepared) => prepared,
            Err(diagnostic) => return Ok(user_error(printer, &outcome, diagnostic)),
        };

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
    if wrangler::non_interactive() {
        cmd = cmd.env("CI", "true");
    }
    if printer.color {
        // wrangler sees a pipe, not our terminal; keep its colours when ours are on.
        cmd = cmd.env("FORCE_COLOR", "1");
    }
    let worker = worker_name(&built.photon);
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
            return Ok(user_error(printer, &outcome, diagnostic));
        }
    };
    let mut report = parse_wrangler_output(&finished.output);
    if args.dry_run && finished.success() {
        report.bundle_bytes = bundle_size(&outdir);
    }
    let report = DeployReport {
        worker: report.worker.clone().unwrap_or_else(|| worker.clone()),
        wrangler: report,
    };

    let status = if finished.success() {
        print_summary(printer, built, &report, args.dry_run, &outdir);
        ExitStatus::Success
    } else {
        printer.info(format!(
            "error: `wrangler deploy` failed with exit code {}",
            finished.code
        ));
        if let Some(hint) = failure_hint(&finished.output) {
            printer.info(format!("\nhint: {hint}"));
        }
        ExitStatus::External(finished.code)
    };
    if printer.is_json() {
        printer.json(&document(
            &outcome,
            built,
            args.dry_run,
            &report,
            &outdir,
            Some(finished.code),
        ));
    }
    Ok(status)
}

/// A problem after the build that the user can fix (no npm, no wrangler, install failed): the
/// diagnostic on stderr (and in the JSON document), exit 1.
fn user_error(printer: &Printer, outcome: &BuildOutcome, diagnostic: Diagnostic) -> ExitStatus {
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(diagnostic);
    if printer.is_json() {
        let mut all = outcome.diagnostics.clone();
        all.extend(diagnostics);
        printer.json(&json!({
            "success": false,
            "diagnostics": diagnostics_json(&all),
        }));
    } else {
        printer.diagnostics(&diagnostics);
    }
    ExitStatus::Failure
}

/// What wrangler deployed: its own lines, parsed, plus the worker name we expected.
#[derive(Debug)]
struct DeployReport {
    worker: String,
    wrangler: WranglerReport,
}

fn print_summary(
    printer: &Printer,
    built: &Built,
    report: &DeployReport,
    dry_run: bool,
    outdir: &Path,
) {
    let w = &report.wrangler;
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
                "`{}` into `{}` ({size}); nothing was uploaded",
                report.worker,
                display_path(outdir)
            ),
        );
        return;
    }
    let mut line = format!("`{}`", report.worker);
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
    let required: Vec<&ConfigEntry> = built.config.iter().filter(|c| c.required).collect();
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

/// The `deploy --output-format json` document: the build's fields, plus what wrangler reported.
fn document(
    outcome: &BuildOutcome,
    built: &Built,
    dry_run: bool,
    report: &DeployReport,
    outdir: &Path,
    exit_code: Option<u8>,
) -> Value {
    let w = &report.wrangler;
    let mut doc = outcome.to_json();
    let fields = json!({
        "success": exit_code == Some(0),
        "dry_run": dry_run,
        "worker": report.worker,
        "url": w.url(),
        "targets": w.targets,
        "version_id": w.version_id,
        "bindings": w.bindings,
        "bundle": dry_run.then(|| json!({
            "outdir": display_path(outdir),
            "total_kib": w.total_kib,
            "gzip_kib": w.gzip_kib,
            "bytes": w.bundle_bytes,
        })),
        "wrangler_exit_code": exit_code,
        "config": built.config,
        "diagnostics": diagnostics_json(&outcome.diagnostics),
    });
    if let (Some(doc), Value::Object(fields)) = (doc.as_object_mut(), fields) {
        doc.extend(fields);
    }
    doc
}

/// A next step for the failures people hit most: not logged in, no account chosen.
fn failure_hint(output: &str) -> Option<&'static str> {
    let lower = output.to_lowercase();
    if lower.contains("cloudflare_api_token")
        || lower.contains("not logged in")
        || lower.contains("authentication error")
        || lower.contains("wrangler login")
    {
        Some(
            "wrangler needs Cloudflare credentials: run `npx wrangler login` in DIR on your \
             machine, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) in CI",
        )
    } else if lower.contains("more than one account") || lower.contains("account_id") {
        Some("set CLOUDFLARE_ACCOUNT_ID to the account to deploy to")
    } else {
        None
    }
}

/// What we read from `wrangler deploy`'s output.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct WranglerReport {
    /// From `Uploaded <name> (1.2 sec)`.
    pub worker: Option<String>,
    /// The lines under `Deployed <name> triggers`: `https://….workers.dev`, routes, schedules.
    pub targets: Vec<String>,
    /// `Current Version ID: …`.
    pub version_id: Option<String>,
    /// The table under `Your Worker has access to the following bindings:`.
    pub bindings: Vec<BindingLine>,
    /// `Total Upload: X KiB / gzip: Y KiB`.
    pub total_kib: Option<f64>,
    pub gzip_kib: Option<f64>,
    /// The bundle's size on disk (`--dry-run`): every file in the outdir but source maps.
    pub bundle_bytes: Option<u64>,
}

/// One row of wrangler's bindings table: `env.PHOTON (CounterPhotonDO)   Durable Object`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BindingLine {
    pub name: String,
    /// The part in parentheses: the class, the variable's value, the bucket name...
    pub value: Option<String>,
    /// `Durable Object`, `Environment Variable`, ...
    pub resource: String,
}

impl WranglerReport {
    /// The Worker's public URL: the first `https://` target (workers.dev), else a custom domain
    /// (`example.com (custom domain)` → `https://example.com`), else the first route pattern.
    pub fn url(&self) -> Option<String> {
        if let Some(url) = self.targets.iter().find(|t| t.starts_with("https://")) {
            return Some(url.clone());
        }
        // Other targets read `schedule: …`, `workflow: …`, or `<route> (zone name: …)`.
        let routes = self.targets.iter().filter_map(|t| {
            let first = t.split_whitespace().next()?;
            (!first.ends_with(':')).then_some((first, t.contains("(custom domain")))
        });
        let routes: Vec<(&str, bool)> = routes.collect();
        if let Some((domain, _)) = routes.iter().find(|(_, custom)| *custom) {
            return Some(format!("https://{domain}"));
        }
        routes.first().map(|(route, _)| route.to_string())
    }
}

/// Read the lines of `wrangler deploy` (4.x) we report on. Unknown lines are ignored, so a
/// wrangler that prints more (or less) only means fewer fields are filled in.
pub fn parse_wrangler_output(output: &str) -> WranglerReport {
    let mut report = WranglerReport::default();
    let lines: Vec<String> = output.lines().map(wrangler::strip_ansi).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(rest) = line.strip_prefix("Total Upload:") {
            // "8.29 KiB / gzip: 2.81 KiB"
            let mut parts = rest.split("/ gzip:");
            report.total_kib = parts.next().and_then(parse_kib);
            report.gzip_kib = parts.next().and_then(parse_kib);
        } else if line.starts_with("Your Worker has access to the following bindings") {
            i += 1;
            while i < lines.len() {
                let row = lines[i].trim();
                if row.starts_with("Binding") && row.contains("Resource") {
                    i += 1;
                    continue;
                }
                match parse_binding(row) {
                    Some(binding) => report.bindings.push(binding),
                    None => break,
                }
                i += 1;
            }
            continue;
        } else if let Some(rest) = line.strip_prefix("Uploaded ") {
            // "Uploaded cf-counter (3.21 sec)"; not the "Uploaded 40% [...]" progress lines.
            if let Some((name, _)) = rest.split_once(" (")
                && !name.contains(' ')
                && !name.ends_with('%')
            {
                report.worker = Some(name.to_string());
            }
        } else if line.starts_with("Deployed ") && line.contains(" triggers") {
            i += 1;
            // Each target is printed indented on its own line.
            while i < lines.len() && lines[i].starts_with(' ') && !lines[i].trim().is_empty() {
                report.targets.push(lines[i].trim().to_string());
                i += 1;
            }
            continue;
        } else if let Some(rest) = line.strip_prefix("Current Version ID:") {
            report.version_id = Some(rest.trim().to_string());
        }
        i += 1;
    }
    report
}

fn parse_kib(text: &str) -> Option<f64> {
    text.trim().strip_suffix("KiB")?.trim().parse().ok()
}

fn parse_binding(row: &str) -> Option<BindingLine> {
    let rest = row.strip_prefix("env.")?;
    // The resource column is separated from the binding column by a run of spaces.
    let split = rest.find("  ")?;
    let (left, resource) = (rest[..split].trim(), rest[split..].trim());
    let (name, value) = match left.split_once(" (") {
        Some((name, value)) => (
            name.to_string(),
            Some(value.strip_suffix(')').unwrap_or(value).to_string()),
        ),
        None => (left.to_string(), None),
    };
    Some(BindingLine {
        name,
        value,
        resource: resource.to_string(),
    })
}

/// Bytes of the bundle wrangler wrote into `outdir` (source maps and its README excluded).
fn bundle_size(outdir: &Path) -> Option<u64> {
    let mut total = 0;
    let mut any = false;
    for entry in walkdir::WalkDir::new(outdir).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || name.ends_with(".map") || name == "README.md" {
            continue;
        }
        total += entry.metadata().map(|m| m.len()).unwrap_or(0);
        any = true;
    }
    any.then_some(total)
}

/// The bundle files of a dry run, for tests and `-v`.
pub fn bundle_files(outdir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(outdir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What wrangler 4.86 prints for a real deploy (shape taken from its source: the bindings
    /// table, `Uploaded`, `Deployed … triggers` with indented targets, the version id).
    const DEPLOY_OUTPUT: &str = "\
Total Upload: 112.40 KiB / gzip: 24.12 KiB
Worker Startup Time: 14 ms
Your Worker has access to the following bindings:
Binding                                    Resource
env.PHOTON (CfCounterPhotonDO)             Durable Object
env.PHOTON_GLOBAL (PhotonGlobalStore)      Durable Object
env.GREETING (\"hello\")                     Environment Variable

Uploaded cf-counter (3.21 sec)
Deployed cf-counter triggers (1.05 sec)
  https://cf-counter.example.workers.dev
  schedule: */5 * * * *
Current Version ID: 5e0f3c1a-1b2c-4d5e-8f90-0123456789ab
";

    #[test]
    fn reads_url_version_bindings_and_size_from_a_deploy() {
        let report = parse_wrangler_output(DEPLOY_OUTPUT);
        assert_eq!(report.worker.as_deref(), Some("cf-counter"));
        assert_eq!(
            report.url().as_deref(),
            Some("https://cf-counter.example.workers.dev")
        );
        assert_eq!(
            report.targets,
            [
                "https://cf-counter.example.workers.dev",
                "schedule: */5 * * * *"
            ]
        );
        assert_eq!(
            report.version_id.as_deref(),
            Some("5e0f3c1a-1b2c-4d5e-8f90-0123456789ab")
        );
        assert_eq!(report.total_kib, Some(112.40));
        assert_eq!(report.gzip_kib, Some(24.12));
        assert_eq!(
            report.bindings,
            [
                BindingLine {
                    name: "PHOTON".into(),
                    value: Some("CfCounterPhotonDO".into()),
                    resource: "Durable Object".into()
                },
                BindingLine {
                    name: "PHOTON_GLOBAL".into(),
                    value: Some("PhotonGlobalStore".into()),
                    resource: "Durable Object".into()
                },
                BindingLine {
                    name: "GREETING".into(),
                    value: Some("\"hello\"".into()),
                    resource: "Environment Variable".into()
                },
            ]
        );
    }

    #[test]
    fn reads_a_dry_run_and_ignores_colours() {
        // Recorded from wrangler 4.86.0 `deploy --dry-run` (padding kept), with colour codes.
        let output = "Total Upload: 0.65 KiB / gzip: 0.39 KiB\n\
            Your Worker has access to the following bindings:\n\
            Binding                           Resource                  \n\
            \x1b[2menv.PHOTON (CounterPhotonDO)\x1b[0m      Durable Object            \n\
            \n\
            --dry-run: exiting now.\n";
        let report = parse_wrangler_output(output);
        assert_eq!(report.total_kib, Some(0.65));
        assert_eq!(report.gzip_kib, Some(0.39));
        assert_eq!(report.bindings.len(), 1);
        assert_eq!(report.bindings[0].name, "PHOTON");
        assert_eq!(report.url(), None);
        assert_eq!(report.version_id, None);
    }

    #[test]
    fn a_route_is_the_url_when_there_is_no_workers_dev() {
        let report = parse_wrangler_output(
            "Uploaded api (1.00 sec)\nDeployed api triggers (0.30 sec)\n  api.example.com/* (zone name: example.com)\n",
        );
        assert_eq!(report.url().as_deref(), Some("api.example.com/*"));
        let report = parse_wrangler_output(
            "Deployed api triggers (0.30 sec)\n  api.example.com/* (zone name: example.com)\n  mcp.example.com (custom domain)\n",
        );
        assert_eq!(report.url().as_deref(), Some("https://mcp.example.com"));
    }

    #[test]
    fn credential_failures_get_a_hint() {
        assert!(
            failure_hint("In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.")
                .is_some()
        );
        assert!(failure_hint("✘ [ERROR] Build failed with 1 error").is_none());
    }
}
