//! The bundle start-up check that `check --bundle` and every `deploy` run before anything is
//! uploaded: bundle DIR with `wrangler deploy --dry-run --outdir`, load that bundle in the local
//! Workers runtime (Miniflare from DIR's pinned wrangler, through `start-bundle.cjs`) and make a
//! first request. A Worker whose modules throw when they load (the TypeScript compiler reading
//! `__filename`) fails here with the module and the runtime's message, not after an upload.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, catalog};
use crate::printer::Printer;
use crate::wrangler::Cmd;
use crate::wrangler::output::strip_ansi;

/// Where the check's bundle goes, inside DIR (`.wrangler/` is ignored by the generated
/// `.gitignore` and never touched by `build`); `deploy --dry-run` reports the same directory.
pub const BUNDLE_DIR: &str = ".wrangler/dry-run";

/// Set (non-empty) to skip the check: for the CLI tests whose wrangler is a fake that bundles
/// nothing. `-v` says it was skipped.
pub const SKIP_ENV: &str = "PHOTON_CF_SKIP_START_CHECK";

const START_SCRIPT: &str = include_str!("start-bundle.cjs");

/// Bundle DIR with wrangler (output kept, shown only when it fails), then start the bundle.
pub fn bundle_and_start(
    wrangler: &Path,
    out_dir: &Path,
    non_interactive: bool,
    printer: &Printer,
) -> anyhow::Result<Result<(), Diagnostic>> {
    let outdir = out_dir.join(BUNDLE_DIR);
    let _ = std::fs::remove_dir_all(&outdir);
    printer.status("Bundling", "the Worker to check that it starts");
    let mut cmd = Cmd::new(wrangler, "bundle the Worker")
        .arg("deploy")
        .args(["--dry-run", "--outdir"])
        .arg(&outdir)
        // Unminified, whatever wrangler.toml says: the same modules start the same way, and
        // esbuild's `// path` comments, which a minified bundle drops, name the module that failed.
        .arg("--minify=false")
        .current_dir(out_dir);
    if non_interactive {
        cmd = cmd.env("CI", "true");
    }
    let finished = match cmd.run_captured(printer) {
        Ok(finished) => finished,
        Err(err) => return Ok(Err(err.into_diagnostic()?)),
    };
    if !finished.success() {
        printer.info(strip_ansi(&finished.output));
        return Ok(Err(catalog::bundle_failed(&format!(
            "wrangler exited with code {}",
            finished.code
        ))));
    }
    start(out_dir, printer)
}

/// What `start-bundle.cjs` prints.
#[derive(Debug, Deserialize)]
struct StartReport {
    ok: bool,
    #[serde(default)]
    message: String,
    #[serde(default)]
    runtime: String,
    /// The check itself could not run (no wrangler in DIR), as opposed to the Worker failing.
    #[serde(default)]
    setup: bool,
}

/// Start the bundle in `DIR/.wrangler/dry-run` in the local Workers runtime.
pub fn start(out_dir: &Path, printer: &Printer) -> anyhow::Result<Result<(), Diagnostic>> {
    printer.status("Starting", "the bundle in the local Workers runtime");
    let cmd = Cmd::new("node", "start the bundle in the local Workers runtime")
        .args(["-e", START_SCRIPT])
        .arg(out_dir)
        .arg(BUNDLE_DIR)
        .current_dir(out_dir)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false");
    let finished = match cmd.run_captured(printer) {
        Ok(finished) => finished,
        Err(err) => return Ok(Err(err.into_diagnostic()?)),
    };
    let report = finished
        .output
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<StartReport>(line).ok());
    let Some(report) = report else {
        anyhow::bail!(
            "the start-up check printed no report (exit code {}):\n{}",
            finished.code,
            finished.output
        );
    };
    if report.ok {
        return Ok(Ok(()));
    }
    if report.setup {
        anyhow::bail!("the start-up check could not run: {}", report.message);
    }
    let (module, message) = explain(&report, &out_dir.join(BUNDLE_DIR));
    Ok(Err(catalog::startup_failed(module.as_deref(), &message)))
}

/// The runtime's own message (`Uncaught ReferenceError: ...`) and the source module of the
/// bundle line it names, from the `// path` comments esbuild puts before each module's code.
fn explain(report: &StartReport, bundle_dir: &Path) -> (Option<String>, String) {
    let runtime = strip_ansi(&report.runtime);
    let lines: Vec<&str> = runtime.lines().map(str::trim).collect();
    let Some(at) = lines.iter().position(|l| l.contains("Uncaught")) else {
        let last = lines.iter().rev().find(|l| !l.is_empty());
        return (None, last.map_or(report.message.clone(), |l| l.to_string()));
    };
    let message = lines[at]
        .split_once("Uncaught ")
        .map_or(lines[at], |(_, m)| m)
        .to_string();
    let module = lines[at + 1..]
        .iter()
        .find_map(|l| l.strip_prefix("at "))
        .and_then(|place| bundle_module(bundle_dir, place));
    (module, message)
}

/// `worker.js:2742:37` → the module esbuild bundled at that line.
fn bundle_module(bundle_dir: &Path, place: &str) -> Option<String> {
    let mut parts = place.rsplitn(3, ':');
    let _col = parts.next()?;
    let line: usize = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    let text = std::fs::read_to_string(bundle_dir.join(file)).ok()?;
    module_at(&text, line)
}

fn module_at(bundle: &str, line: usize) -> Option<String> {
    bundle
        .lines()
        .take(line)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|l| {
            let path = l.strip_prefix("// ")?;
            (!path.contains(' ') && path.contains('/') && path.contains('.')).then_some(path)
        })
        .map(|path| match path.rfind("node_modules/") {
            Some(i) => path[i..].to_string(),
            None => path.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_is_the_nearest_esbuild_comment_above_the_line() {
        let bundle = "// src/worker.ts\nvar a = 1;\n// ../../e2e/node_modules/typescript/lib/typescript.js\nvar b = __filename;\n// src/photons/x.photon.ts\n";
        assert_eq!(
            module_at(bundle, 4).as_deref(),
            Some("node_modules/typescript/lib/typescript.js")
        );
        assert_eq!(module_at(bundle, 2).as_deref(), Some("src/worker.ts"));
        assert_eq!(module_at("var a;", 1), None);
    }

    #[test]
    fn the_runtime_message_and_place_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("worker.js"),
            "// src/photons/boom.photon.ts\nvar here = __filename;\n",
        )
        .unwrap();
        let report = StartReport {
            ok: false,
            message: "The Workers runtime failed to start.".into(),
            runtime: "service core:user:: Uncaught ReferenceError: __filename is not defined\n  at worker.js:2:12\n".into(),
            setup: false,
        };
        let (module, message) = explain(&report, dir.path());
        assert_eq!(module.as_deref(), Some("src/photons/boom.photon.ts"));
        assert_eq!(message, "ReferenceError: __filename is not defined");
    }
}
