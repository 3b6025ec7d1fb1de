//! Installing DIR's npm dependencies when `node_modules` is missing or `package.json` changed
//! since the last install.

use std::path::Path;

use anyhow::Context;

use crate::diagnostics::catalog;
use crate::diagnostics::{Diagnostic, display_path};
use crate::printer::Printer;
use crate::settings::Environment;
use crate::wrangler::locate::locate_npm;
use crate::wrangler::process::Cmd;

/// The stamp `install_dependencies` leaves behind: the `package.json` it installed, byte for byte.
const INSTALL_STAMP: &str = "node_modules/.photon-cf-install-stamp";

/// Make sure DIR's npm dependencies are installed for the `package.json` that was just
/// rendered: install when `node_modules` is missing or `package.json` changed since the last
/// install (we keep a copy of it in [`INSTALL_STAMP`]).
///
/// On a terminal the package manager draws its own progress; in CI (or with stderr not a
/// terminal) it runs quietly and its output is shown only if it fails or with `-v`.
pub fn install_dependencies(
    out_dir: &Path,
    env: &Environment,
    printer: &Printer,
) -> anyhow::Result<Result<(), Diagnostic>> {
    let out_dir = env.absolute(out_dir);
    let manifest_path = out_dir.join("package.json");
    let manifest = std::fs::read(&manifest_path)
        .with_context(|| format!("failed to read `{}`", display_path(&manifest_path)))?;
    let stamp_path = out_dir.join(INSTALL_STAMP);
    if std::fs::read(&stamp_path).is_ok_and(|stamp| stamp == manifest) {
        printer.verbose(format!(
            "dependencies of `{}` are up to date",
            display_path(&out_dir)
        ));
        return Ok(Ok(()));
    }
    let npm = match locate_npm(env.npm.as_deref(), &env.cwd, env.path_var.as_deref()) {
        Ok(npm) => npm,
        Err(diagnostic) => return Ok(Err(*diagnostic)),
    };
    let is_npm = npm
        .file_stem()
        .is_some_and(|stem| stem.eq_ignore_ascii_case("npm"));
    let interactive_terminal = env.stderr_is_terminal && !env.non_interactive && printer.level >= 0;
    let mut cmd = Cmd::new(&npm, "install the output project's dependencies")
        .arg("install")
        .current_dir(&out_dir);
    if is_npm {
        // Audit and funding lines are noise here and cost extra registry round trips.
        cmd = cmd.args(["--no-audit", "--no-fund"]);
        if !interactive_terminal {
            cmd = cmd.arg("--no-progress");
        }
    }
    printer.status(
        "Installing",
        format!("dependencies in `{}`", display_path(&out_dir)),
    );
    let started = std::time::Instant::now();
    let finished = if interactive_terminal || printer.is_verbose() {
        cmd.run_on_stderr(printer)
    } else {
        cmd.run_captured(printer)
    };
    let finished = match finished {
        Ok(finished) => finished,
        Err(err) => return err.into_diagnostic().map(Err),
    };
    if !finished.success() {
        let mut message = format!(
            "`{} install` failed in `{}` (exit code {})",
            npm.file_stem().unwrap_or_default().to_string_lossy(),
            display_path(&out_dir),
            finished.code
        );
        let tail = finished.output.trim_end();
        if !tail.is_empty() {
            message.push_str(":\n");
            message.push_str(tail);
        }
        return Ok(Err(catalog::install_failed(message, &out_dir)));
    }
    let node_modules = out_dir.join("node_modules");
    std::fs::create_dir_all(&node_modules)
        .with_context(|| format!("failed to create `{}`", display_path(&node_modules)))?;
    std::fs::write(&stamp_path, &manifest)
        .with_context(|| format!("failed to write `{}`", display_path(&stamp_path)))?;
    printer.verbose(format!(
        "installed dependencies in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(Ok(()))
}
