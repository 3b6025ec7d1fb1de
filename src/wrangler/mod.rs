//! Everything about wrangler and npm, one concern per module: `locate` (where they are),
//! `npm` (installing DIR's dependencies), `process` (running them in a process group of their
//! own, signals, exit codes) and `output` (reading what wrangler prints).

pub mod locate;
pub mod npm;
pub mod output;
pub mod process;
pub mod startup;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::printer::Printer;
use crate::settings::Environment;

pub use locate::{Located, describe, locate_wrangler};
pub use npm::install_dependencies;
pub use process::Cmd;

/// What `dev` and `deploy` both do before running wrangler: install DIR's dependencies when
/// they are missing or stale (DIR's own wrangler comes with them), then find wrangler. Returns
/// DIR as an absolute path and where wrangler is, or the user-fixable problem.
pub fn prepare(
    explicit: Option<&Path>,
    out: &Path,
    env: &Environment,
    printer: &Printer,
) -> anyhow::Result<Result<(PathBuf, Located), Diagnostic>> {
    let out_dir = env.absolute(out);
    if let Err(diagnostic) = install_dependencies(&out_dir, env, printer)? {
        return Ok(Err(diagnostic));
    }
    let located = match locate_wrangler(explicit, out, &env.cwd, env.path_var.as_deref()) {
        Ok(located) => located,
        Err(diagnostic) => return Ok(Err(*diagnostic)),
    };
    printer.verbose(describe(&located));
    Ok(Ok((out_dir, located)))
}
