//! Finding wrangler and npm. The lookup order is the contract's (§1): `--wrangler` /
//! `PHOTON_CF_WRANGLER`, the output project's `node_modules/.bin`, the current project's, then
//! `PATH`. On Windows npm installs `.cmd` shims, so those names are tried first there.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::diagnostics::catalog;
use crate::diagnostics::{Diagnostic, display_path};
use crate::settings::{NPM_ENV, absolute};

/// An executable we found, and where it came from (for `-v` and for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub program: PathBuf,
    pub found_in: FoundIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundIn {
    /// `--wrangler` or `PHOTON_CF_WRANGLER` (clap merges the two).
    Explicit,
    /// `DIR/node_modules/.bin`.
    OutDir,
    /// `./node_modules/.bin` of the current directory.
    CurrentDir,
    /// The `PATH` environment variable.
    Path,
}

impl FoundIn {
    fn describe(self) -> &'static str {
        match self {
            FoundIn::Explicit => "named by --wrangler / PHOTON_CF_WRANGLER",
            FoundIn::OutDir => "from the output project's node_modules",
            FoundIn::CurrentDir => "from the current project's node_modules",
            FoundIn::Path => "from PATH",
        }
    }
}

/// File names an npm-installed tool can have: the `.cmd` shim (and a real `.exe`) on Windows,
/// the plain name elsewhere. A parameter rather than `cfg!` so both paths are unit-tested.
fn executable_names(name: &str, windows: bool) -> Vec<String> {
    if windows {
        vec![
            format!("{name}.cmd"),
            format!("{name}.exe"),
            name.to_string(),
        ]
    } else {
        vec![name.to_string()]
    }
}

/// Find wrangler for a project rendered into `out_dir`, relative paths taken from `cwd`.
///
/// `path_var` is the value of `PATH` (passed in so tests need not touch the process env).
pub fn locate_wrangler(
    explicit: Option<&Path>,
    out_dir: &Path,
    cwd: &Path,
    path_var: Option<&OsStr>,
) -> Result<Located, Box<Diagnostic>> {
    locate_wrangler_for(explicit, out_dir, cwd, path_var, cfg!(windows))
}

fn locate_wrangler_for(
    explicit: Option<&Path>,
    out_dir: &Path,
    cwd: &Path,
    path_var: Option<&OsStr>,
    windows: bool,
) -> Result<Located, Box<Diagnostic>> {
    let names = executable_names("wrangler", windows);
    if let Some(explicit) = explicit {
        let program = locate_explicit(explicit, cwd, path_var, windows);
        return program
            .map(|program| Located {
                program,
                found_in: FoundIn::Explicit,
            })
            .ok_or_else(|| Box::new(catalog::wrangler_not_executable(explicit)));
    }
    let out_bin = absolute(cwd, out_dir).join("node_modules").join(".bin");
    let cwd_bin = cwd.join("node_modules").join(".bin");
    for (dir, found_in) in [(&out_bin, FoundIn::OutDir), (&cwd_bin, FoundIn::CurrentDir)] {
        if let Some(program) = first_executable(dir, &names) {
            return Ok(Located { program, found_in });
        }
    }
    if let Some(program) = search_path(path_var, &names) {
        return Ok(Located {
            program,
            found_in: FoundIn::Path,
        });
    }
    Err(Box::new(catalog::wrangler_not_found(out_dir)))
}

/// Find npm (or what `PHOTON_CF_NPM` names) to install DIR's dependencies with.
pub fn locate_npm(
    explicit: Option<&Path>,
    cwd: &Path,
    path_var: Option<&OsStr>,
) -> Result<PathBuf, Box<Diagnostic>> {
    let windows = cfg!(windows);
    let found = match explicit {
        Some(explicit) => locate_explicit(explicit, cwd, path_var, windows),
        None => search_path(path_var, &executable_names("npm", windows)),
    };
    found.ok_or_else(|| Box::new(catalog::npm_not_found(explicit, NPM_ENV)))
}

/// An explicit path is used as given (made absolute, since commands run inside DIR); a bare
/// name such as `wrangler` is looked up on PATH like a shell would.
fn locate_explicit(
    explicit: &Path,
    cwd: &Path,
    path_var: Option<&OsStr>,
    windows: bool,
) -> Option<PathBuf> {
    let bare = explicit.components().count() == 1 && !explicit.is_absolute();
    if bare {
        let name = explicit.to_string_lossy();
        let mut names = vec![name.to_string()];
        if windows && Path::new(&*name).extension().is_none() {
            names = executable_names(&name, true);
        }
        return search_path(path_var, &names);
    }
    let path = absolute(cwd, explicit);
    is_executable(&path).then_some(path)
}

fn search_path(path_var: Option<&OsStr>, names: &[String]) -> Option<PathBuf> {
    let path_var = path_var?;
    std::env::split_paths(path_var)
        .filter(|dir| !dir.as_os_str().is_empty())
        .find_map(|dir| first_executable(&dir, names))
}

fn first_executable(dir: &Path, names: &[String]) -> Option<PathBuf> {
    names
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    // `metadata` follows symlinks: node_modules/.bin entries are links into the package.
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Describe where wrangler came from, for `-v`.
pub fn describe(located: &Located) -> String {
    format!(
        "using wrangler `{}` ({})",
        display_path(&located.program),
        located.found_in.describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch_executable(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[test]
    fn windows_tries_the_cmd_shim_first() {
        assert_eq!(
            executable_names("wrangler", true),
            ["wrangler.cmd", "wrangler.exe", "wrangler"]
        );
        assert_eq!(executable_names("wrangler", false), ["wrangler"]);
    }

    #[test]
    fn lookup_order_is_out_dir_then_current_project_then_path() {
        let root = tempfile::tempdir().unwrap();
        let cwd = root.path();
        let path_dir = cwd.join("bin");
        touch_executable(&path_dir.join("wrangler"));
        let path_var = std::env::join_paths([&path_dir]).unwrap();
        let found = locate_wrangler_for(None, Path::new("dist"), cwd, Some(&path_var), false);
        assert_eq!(found.unwrap().found_in, FoundIn::Path);

        touch_executable(&cwd.join("node_modules/.bin/wrangler"));
        let found = locate_wrangler_for(None, Path::new("dist"), cwd, Some(&path_var), false);
        assert_eq!(found.unwrap().found_in, FoundIn::CurrentDir);

        touch_executable(&cwd.join("dist/node_modules/.bin/wrangler"));
        let found =
            locate_wrangler_for(None, Path::new("dist"), cwd, Some(&path_var), false).unwrap();
        assert_eq!(found.found_in, FoundIn::OutDir);
        assert_eq!(found.program, cwd.join("dist/node_modules/.bin/wrangler"));

        // An explicit choice wins over all of them, and is made absolute.
        touch_executable(&cwd.join("tools/my-wrangler"));
        let found = locate_wrangler_for(
            Some(Path::new("tools/my-wrangler")),
            Path::new("dist"),
            cwd,
            Some(&path_var),
            false,
        )
        .unwrap();
        assert_eq!(found.found_in, FoundIn::Explicit);
        assert_eq!(found.program, cwd.join("tools/my-wrangler"));
    }

    #[test]
    fn windows_finds_the_cmd_shim_in_node_modules() {
        let root = tempfile::tempdir().unwrap();
        touch_executable(&root.path().join("dist/node_modules/.bin/wrangler.cmd"));
        let found = locate_wrangler_for(None, Path::new("dist"), root.path(), None, true).unwrap();
        assert_eq!(
            found.program,
            root.path().join("dist/node_modules/.bin/wrangler.cmd")
        );
    }

    #[test]
    fn missing_wrangler_says_how_to_install_it() {
        let root = tempfile::tempdir().unwrap();
        let err =
            locate_wrangler_for(None, Path::new("dist"), root.path(), None, false).unwrap_err();
        assert_eq!(err.code, catalog::WRANGLER_NOT_FOUND);
        let help = err.help.unwrap();
        assert!(help.contains("npm install"), "{help}");
        assert!(help.contains("PHOTON_CF_WRANGLER"), "{help}");

        let err = locate_wrangler_for(
            Some(Path::new("nope/wrangler")),
            Path::new("dist"),
            root.path(),
            None,
            false,
        )
        .unwrap_err();
        assert!(err.message.contains("nope/wrangler"), "{}", err.message);
    }

    #[test]
    fn a_bare_explicit_name_is_looked_up_on_path() {
        let root = tempfile::tempdir().unwrap();
        touch_executable(&root.path().join("bin/wrangler4"));
        let path_var = std::env::join_paths([root.path().join("bin")]).unwrap();
        let found = locate_wrangler_for(
            Some(Path::new("wrangler4")),
            Path::new("dist"),
            root.path(),
            Some(&path_var),
            false,
        )
        .unwrap();
        assert_eq!(found.program, root.path().join("bin/wrangler4"));
    }
}
