//! Everything a run reads from its surroundings, resolved once before any work starts: the
//! current directory, `PATH`, `PHOTON_CF_NPM`, `PHOTON_CF_SKIP_START_CHECK`, whether anybody can answer a prompt, and the
//! build's inputs from the command line. Nothing below `commands` reads the environment itself.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{PhotonArgs, RenderArgs};
use crate::render::{DeployTarget, RenderOptions};

/// Environment variable that names the package manager used to install DIR's dependencies.
pub const NPM_ENV: &str = "PHOTON_CF_NPM";

/// What the process was started with.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The current directory, absolute; relative paths on the command line are taken from it.
    pub cwd: PathBuf,
    /// `PATH`, searched for wrangler and npm.
    pub path_var: Option<OsString>,
    /// `PHOTON_CF_NPM`: the package manager to install DIR's dependencies with.
    pub npm: Option<PathBuf>,
    /// Nobody can answer a prompt: stdin is not a terminal, or `CI` is set.
    pub non_interactive: bool,
    /// stderr is a terminal, so a child may draw its own progress on it.
    pub stderr_is_terminal: bool,
    /// `PHOTON_CF_SKIP_START_CHECK` is set: `deploy` does not bundle and start the Worker first.
    pub skip_start_check: bool,
}

impl Environment {
    /// Read the process's environment.
    pub fn from_process() -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("failed to read the current directory")?;
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        Ok(Self {
            cwd,
            path_var: std::env::var_os("PATH"),
            npm: std::env::var_os(NPM_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            non_interactive: ci || !std::io::stdin().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            skip_start_check: std::env::var_os(crate::wrangler::startup::SKIP_ENV)
                .is_some_and(|v| !v.is_empty()),
        })
    }

    /// `path` as an absolute path, relative ones taken from the current directory.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        absolute(&self.cwd, path)
    }
}

/// `path` made absolute against `cwd` (left alone when it already is).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// Where the photon and its siblings come from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The host photon as given; `None` means the single `*.photon.ts` in the current directory.
    pub photon: Option<PathBuf>,
    /// `--photons-dir` / `PHOTON_DIR`, searched for siblings after the host's own directory.
    pub photons_dirs: Vec<PathBuf>,
}

impl From<&PhotonArgs> for Source {
    fn from(args: &PhotonArgs) -> Self {
        Self {
            photon: args.photon.clone(),
            photons_dirs: args.photons_dirs.clone(),
        }
    }
}

/// Everything a build needs: the source, DIR and what changes the rendering.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    pub source: Source,
    /// DIR, as given on the command line (messages show it that way).
    pub out: PathBuf,
    pub render: RenderOptions,
}

impl BuildSettings {
    pub fn new(photon: &PhotonArgs, render: &RenderArgs) -> Self {
        Self {
            source: Source::from(photon),
            out: render.out.clone(),
            render: RenderOptions {
                compatibility_date: render.compatibility_date.clone(),
                auth: render.auth,
                allow_delete_classes: render.allow_delete_classes,
                target: match (&render.url, &render.domain, &render.route) {
                    (Some(url), _, _) => Some(DeployTarget::Url(url.clone())),
                    (_, Some(host), _) => Some(DeployTarget::Domain(host.clone())),
                    (_, _, Some(pattern)) => Some(DeployTarget::Route(pattern.clone())),
                    _ => None,
                },
                logs: render.logs,
            },
        }
    }
}
