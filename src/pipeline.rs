//! The build pipeline, in order: find the host → load it and resolve its siblings (with the
//! Workers checks) → render → write into DIR. It returns a typed report and prints nothing;
//! `build`, `check`, `dev` and `deploy` call it and print what it found through `printer`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::AuthMode;
use crate::diagnostics::Diagnostics;
use crate::diagnostics::catalog;
use crate::model::{EnvType, Injection};
use crate::render::wrangler_toml::Migration;
use crate::render::{self, ExistingToml, PhotonNames, RenderOptions};
use crate::resolve::{self, Project};
use crate::settings::{BuildSettings, Source};

/// What `load` found: the host it resolved (`None` when there was none to pick) and the
/// project, with every diagnostic from parsing, resolution and the Workers checks.
#[derive(Debug)]
pub struct Loaded {
    pub host: Option<PathBuf>,
    pub project: Option<Project>,
    pub diagnostics: Diagnostics,
}

/// What a build did. `built` is `None` when an error diagnostic stopped it (DIR untouched).
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The host photon file the build started from, when one was found.
    pub host: Option<PathBuf>,
    pub diagnostics: Diagnostics,
    pub built: Option<Built>,
}

#[derive(Debug, Clone)]
pub struct Built {
    /// The host photon's name.
    pub photon: String,
    /// The Worker's name in `wrangler.toml` (the user's, when they renamed it there).
    pub worker: String,
    /// DIR, as given on the command line.
    pub out: PathBuf,
    /// Every generated file, relative to DIR, sorted.
    pub files: Vec<PathBuf>,
    /// The files this build actually changed (the rest were already identical).
    pub written: Vec<PathBuf>,
    /// Stale generated files this build removed.
    pub removed: Vec<PathBuf>,
    pub photons: Vec<PhotonSummary>,
    pub config: Vec<ConfigEntry>,
    /// The `[[migrations]]` entry this build appended to `wrangler.toml`, if any.
    pub migration: Option<Migration>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhotonSummary {
    pub name: String,
    pub binding: String,
    pub class: String,
    pub tools: usize,
}

/// A Worker variable or secret the Worker reads: a constructor parameter (`param` is its name)
/// or an `--auth` secret (`param` is the flag, e.g. `--auth bearer`).
#[derive(Debug, Clone, Serialize)]
pub struct ConfigEntry {
    pub name: String,
    pub photon: String,
    pub param: String,
    #[serde(rename = "type")]
    pub ty: EnvType,
    pub required: bool,
    pub secret_command: String,
}

impl BuildReport {
    pub fn success(&self) -> bool {
        self.built.is_some() && !self.diagnostics.has_errors()
    }

    /// The build, when it succeeded.
    pub fn succeeded(&self) -> Option<&Built> {
        self.built.as_ref().filter(|_| self.success())
    }
}

/// What `check` found: the photons (when the project loaded) and every diagnostic.
#[derive(Debug)]
pub struct CheckReport {
    pub host: Option<PathBuf>,
    /// The host photon's name, when the project loaded.
    pub photon: Option<String>,
    pub photons: Vec<PhotonSummary>,
    pub diagnostics: Diagnostics,
}

impl CheckReport {
    pub fn success(&self) -> bool {
        self.photon.is_some() && !self.diagnostics.has_errors()
    }
}

/// Find the host (the given file, or the single `*.photon.ts` in `cwd`), load it with its
/// siblings, and run the Workers compatibility checks.
pub fn load(source: &Source, cwd: &Path) -> Loaded {
    let mut diagnostics = Diagnostics::new();
    let host = match &source.photon {
        Some(path) => path.clone(),
        None => match find_host(cwd, &mut diagnostics) {
            Some(path) => path,
            None => {
                return Loaded {
                    host: None,
                    project: None,
                    diagnostics,
                };
            }
        },
    };
    let (project, found) = resolve::resolve(&host, &source.photons_dirs);
    diagnostics.extend(found);
    Loaded {
        host: Some(host),
        project,
        diagnostics,
    }
}

/// Everything `build` validates (the photon, its siblings, Workers compatibility, generated
/// names), with nothing written.
pub fn check(source: &Source, cwd: &Path) -> anyhow::Result<CheckReport> {
    let Loaded {
        host,
        project,
        mut diagnostics,
    } = load(source, cwd);
    let mut photons = Vec::new();
    if let Some(project) = &project {
        // Rendering in memory catches what only generation sees (two photons sharing a binding).
        let rendered = render::render(project, &RenderOptions::default(), None)?;
        diagnostics.extend(rendered.diagnostics);
        photons = summaries(project, &rendered.names);
    }
    Ok(CheckReport {
        host,
        photon: project.map(|p| p.host.name),
        photons,
        diagnostics,
    })
}

/// Resolve, render and write. User-fixable problems are diagnostics in the report; `Err` is a
/// photon-cf failure (I/O, a template bug).
pub fn build(settings: &BuildSettings, cwd: &Path) -> anyhow::Result<BuildReport> {
    let Loaded {
        host,
        project,
        mut diagnostics,
    } = load(&settings.source, cwd);
    let Some(project) = project else {
        return Ok(BuildReport {
            host,
            diagnostics,
            built: None,
        });
    };
    let out = &settings.out;

    let wrangler_path = out.join("wrangler.toml");
    let existing = match std::fs::read_to_string(&wrangler_path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => {
            return Err(anyhow::Error::new(err)
                .context(format!("failed to read `{}`", wrangler_path.display())));
        }
    };
    let rendered = render::render(
        &project,
        &settings.render,
        existing.as_deref().map(|text| ExistingToml {
            path: &wrangler_path,
            text,
        }),
    )?;
    diagnostics.extend(rendered.diagnostics.clone());
    for shadow in ["wrangler.json", "wrangler.jsonc"] {
        // wrangler reads wrangler.json(c) before wrangler.toml, so ours would be ignored.
        let path = out.join(shadow);
        if path.is_file() {
            diagnostics.push(catalog::shadowed_wrangler_toml(
                &path,
                &wrangler_path,
                shadow,
            ));
        }
    }
    if diagnostics.has_errors() {
        return Ok(BuildReport {
            host,
            diagnostics,
            built: None,
        });
    }

    let report = crate::output::write_project(out, &rendered.files)?;
    let built = Built {
        photon: project.host.name.clone(),
        worker: rendered.worker_name.clone(),
        out: out.clone(),
        files: rendered.files.keys().cloned().collect(),
        written: report.written,
        removed: report.removed,
        photons: summaries(&project, &rendered.names),
        config: config(
            &project,
            crate::render::effective_auth(&project, settings.render.auth),
        ),
        migration: rendered.migration,
    };
    Ok(BuildReport {
        host,
        diagnostics,
        built: Some(built),
    })
}

fn summaries(project: &Project, names: &[PhotonNames]) -> Vec<PhotonSummary> {
    project
        .photons()
        .zip(names)
        .map(|(photon, names)| PhotonSummary {
            name: photon.name.clone(),
            binding: names.binding.clone(),
            class: names.do_class.clone(),
            tools: photon.tools.iter().filter(|t| !t.internal).count(),
        })
        .collect()
}

/// Constructor parameters read from the environment, then the secrets `--auth` needs (the names
/// `templates/cf-runtime/auth.ts` reads).
fn config(project: &Project, auth: AuthMode) -> Vec<ConfigEntry> {
    let mut out = Vec::new();
    for photon in project.photons() {
        for param in &photon.constructor {
            if let Injection::Env { var, ty } = &param.injection {
                out.push(ConfigEntry {
                    name: var.clone(),
                    photon: photon.name.clone(),
                    param: param.name.clone(),
                    ty: *ty,
                    required: !param.optional,
                    secret_command: format!("wrangler secret put {var}"),
                });
            }
        }
    }
    let auth_secrets: &[(&str, bool)] = match auth {
        AuthMode::None => &[],
        AuthMode::Bearer => &[("PHOTON_MCP_BEARER", true)],
        // One of PHOTON_MCP_JWKS (inline) and PHOTON_MCP_JWKS_URL is needed; neither alone is.
        AuthMode::Jwt => &[
            ("PHOTON_MCP_ISSUER", true),
            ("PHOTON_MCP_AUDIENCE", true),
            ("PHOTON_MCP_JWKS", false),
            ("PHOTON_MCP_JWKS_URL", false),
        ],
        AuthMode::Access => &[
            ("CF_ACCESS_TEAM_DOMAIN", true),
            ("CF_ACCESS_AUD", true),
            ("CF_ACCESS_JWKS_URL", false),
        ],
    };
    let flag = match auth {
        AuthMode::None => String::new(),
        mode => format!("--auth {}", crate::cli::value_name(mode)),
    };
    for (name, required) in auth_secrets {
        out.push(ConfigEntry {
            name: (*name).to_string(),
            photon: project.host.name.clone(),
            param: flag.to_string(),
            ty: EnvType::String,
            required: *required,
            secret_command: format!("wrangler secret put {name}"),
        });
    }
    out
}

/// The single `*.photon.ts` in `dir`, as a bare file name (the process runs in `dir`).
fn find_host(dir: &Path, diagnostics: &mut Diagnostics) -> Option<PathBuf> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(crate::names::PHOTON_SUFFIX))
        .collect();
    found.sort();
    match found.len() {
        1 => Some(PathBuf::from(found.remove(0))),
        0 => {
            diagnostics.push(catalog::no_photon());
            None
        }
        _ => {
            let list = found
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            diagnostics.push(catalog::several_photons(found.len(), &list));
            None
        }
    }
}
