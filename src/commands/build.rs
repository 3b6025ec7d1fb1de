//! `photon-cf build`: resolve the photon and its siblings, render the Workers project, write it
//! into DIR through a staging directory, and say what the Worker needs configured.
//!
//! `build()` is also the first step of `dev` and `deploy`: it prints the human status lines and
//! diagnostics itself, and returns a `BuildOutcome` the caller turns into its exit status and
//! JSON document.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::{AuthMode, PhotonArgs, RenderArgs};
use crate::commands::ExitStatus;
use crate::diagnostics::{Diagnostics, display_path};
use crate::model::{EnvType, Injection};
use crate::printer::Printer;
use crate::render::wrangler_toml::Migration;
use crate::render::{self, ExistingToml, PhotonNames, RenderOptions};
use crate::resolve::{self, Project};

/// What a build did. `built` is `None` when an error diagnostic stopped it (DIR untouched).
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub diagnostics: Diagnostics,
    pub built: Option<Built>,
}

#[derive(Debug, Clone)]
pub struct Built {
    /// The host photon's name.
    pub photon: String,
    /// The Worker's name in `wrangler.toml` (stays the same when the host file is renamed).
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

impl BuildOutcome {
    pub fn success(&self) -> bool {
        self.built.is_some() && !self.diagnostics.has_errors()
    }

    pub fn exit_status(&self) -> ExitStatus {
        if self.success() {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        }
    }

    /// The `build --output-format json` document.
    pub fn to_json(&self) -> Value {
        let diagnostics = diagnostics_json(&self.diagnostics);
        match (&self.built, self.success()) {
            (Some(built), true) => json!({
                "success": true,
                "photon": built.photon,
                "worker": built.worker,
                "out": display_path(&built.out),
                "files": built.files.iter().map(|f| display_path(f)).collect::<Vec<_>>(),
                "photons": built.photons,
                "config": built.config,
                "migration": built.migration.as_ref().map(migration_json),
                "diagnostics": diagnostics,
            }),
            _ => json!({ "success": false, "diagnostics": diagnostics }),
        }
    }
}

pub fn diagnostics_json(diagnostics: &Diagnostics) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|d| serde_json::to_value(d.to_json()).expect("diagnostics serialise"))
        .collect()
}

fn migration_json(migration: &Migration) -> Value {
    json!({
        "tag": migration.tag,
        "new_sqlite_classes": migration.new_sqlite_classes,
        "renamed_classes": migration
            .renamed_classes
            .iter()
            .map(|(from, to)| json!({ "from": from, "to": to }))
            .collect::<Vec<_>>(),
        "deleted_classes": migration.deleted_classes,
    })
}

/// `photon-cf build`.
pub fn run(
    photon: &PhotonArgs,
    render: &RenderArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let outcome = build(photon, render, printer)?;
    if printer.is_json() {
        printer.json(&outcome.to_json());
    }
    Ok(outcome.exit_status())
}

/// Resolve, render and write. User-fixable problems are diagnostics in the outcome; `Err` is a
/// photon-cf failure (I/O, a template bug).
pub fn build(
    photon: &PhotonArgs,
    render: &RenderArgs,
    printer: &Printer,
) -> anyhow::Result<BuildOutcome> {
    let (project, mut diagnostics) = load_project(photon, printer);
    let Some(project) = project else {
        return Ok(finish(printer, diagnostics, None));
    };

    let wrangler_path = render.out.join("wrangler.toml");
    let existing = match std::fs::read_to_string(&wrangler_path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => {
            return Err(anyhow::Error::new(err)
                .context(format!("failed to read `{}`", wrangler_path.display())));
        }
    };
    let options = RenderOptions {
        compatibility_date: render.compatibility_date.clone(),
        auth: render.auth,
        allow_delete_classes: render.allow_delete_classes,
    };
    let rendered = render::render(
        &project,
        &options,
        existing.as_deref().map(|text| ExistingToml {
            path: &wrangler_path,
            text,
        }),
    )?;
    diagnostics.extend(rendered.diagnostics.clone());
    for shadow in ["wrangler.json", "wrangler.jsonc"] {
        // wrangler reads wrangler.json(c) before wrangler.toml, so ours would be ignored.
        let path = render.out.join(shadow);
        if path.is_file() {
            diagnostics.push(crate::diagnostics::catalog::shadowed_wrangler_toml(
                &path,
                &wrangler_path,
                shadow,
            ));
        }
    }
    if diagnostics.has_errors() {
        return Ok(finish(printer, diagnostics, None));
    }

    let report = crate::output::write_project(&render.out, &rendered.files)?;
    for path in &report.written {
        printer.verbose(format!("wrote {}", display_path(&render.out.join(path))));
    }
    for path in &report.removed {
        printer.verbose(format!("removed {}", display_path(&render.out.join(path))));
    }
    let built = Built {
        photon: project.host.name.clone(),
        worker: rendered.worker_name.clone(),
        out: render.out.clone(),
        files: rendered.files.keys().cloned().collect(),
        written: report.written,
        removed: report.removed,
        photons: summaries(&project, &rendered.names),
        config: config(&project, render.auth),
        migration: rendered.migration,
    };
    Ok(finish(printer, diagnostics, Some(built)))
}

/// Print the human summary (nothing in JSON mode: the caller prints its document).
fn finish(printer: &Printer, diagnostics: Diagnostics, built: Option<Built>) -> BuildOutcome {
    let outcome = BuildOutcome { diagnostics, built };
    if printer.is_json() {
        return outcome;
    }
    printer.diagnostics(&outcome.diagnostics);
    match (&outcome.built, outcome.success()) {
        (Some(built), true) => {
            let photons = built
                .photons
                .iter()
                .map(|p| format!("{} ({})", p.name, tools(p.tools)))
                .collect::<Vec<_>>()
                .join(", ");
            printer.status(
                "Built",
                format!(
                    "{photons} into `{}` ({} files written, {} unchanged)",
                    display_path(&built.out),
                    built.written.len(),
                    built.files.len() - built.written.len()
                ),
            );
            if let Some(migration) = &built.migration {
                printer.status("Migration", describe_migration(migration));
            }
            for entry in &built.config {
                let need = if entry.required {
                    "required"
                } else {
                    "optional"
                };
                let ty = serde_json::to_value(entry.ty).unwrap_or_default();
                let source = if entry.param.starts_with("--") {
                    format!("for `{}`", entry.param)
                } else {
                    format!("`{}` of `{}`", entry.param, entry.photon)
                };
                printer.status(
                    "Configure",
                    format!(
                        "{} ({}, {need}, {source}): {}",
                        entry.name,
                        ty.as_str().unwrap_or("string"),
                        entry.secret_command
                    ),
                );
            }
        }
        _ => {
            let errors = outcome.diagnostics.error_count();
            printer.info(format!(
                "error: build failed with {errors} error{}; nothing was written",
                if errors == 1 { "" } else { "s" }
            ));
        }
    }
    outcome
}

/// `1 tool`, `3 tools`.
pub fn tools(count: usize) -> String {
    format!("{count} tool{}", if count == 1 { "" } else { "s" })
}

fn describe_migration(migration: &Migration) -> String {
    let mut parts = Vec::new();
    if !migration.new_sqlite_classes.is_empty() {
        parts.push(format!("new {}", migration.new_sqlite_classes.join(", ")));
    }
    for (from, to) in &migration.renamed_classes {
        parts.push(format!("rename {from} → {to}"));
    }
    if !migration.deleted_classes.is_empty() {
        parts.push(format!("delete {}", migration.deleted_classes.join(", ")));
    }
    format!("{}: {}", migration.tag, parts.join("; "))
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
    };
    let flag = match auth {
        AuthMode::None => "",
        AuthMode::Bearer => "--auth bearer",
        AuthMode::Jwt => "--auth jwt",
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

/// Find the host (the argument, or the single `*.photon.ts` in the current directory), load it
/// with its siblings, and run the Workers compatibility checks.
pub fn load_project(photon: &PhotonArgs, printer: &Printer) -> (Option<Project>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let host = match &photon.photon {
        Some(path) => path.clone(),
        None => match find_host(Path::new("."), &mut diagnostics) {
            Some(path) => path,
            None => return (None, diagnostics),
        },
    };
    if !printer.is_json() {
        printer.status("Resolving", display_path(&host));
    }
    let (project, found) = resolve::resolve(&host, &photon.photons_dirs);
    diagnostics.extend(found);
    (project, diagnostics)
}

/// The single `*.photon.ts` in `dir`.
fn find_host(dir: &Path, diagnostics: &mut Diagnostics) -> Option<PathBuf> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".photon.ts"))
        .collect();
    found.sort();
    match found.len() {
        1 => Some(PathBuf::from(found.remove(0))),
        0 => {
            diagnostics.push(crate::diagnostics::catalog::no_photon());
            None
        }
        _ => {
            let list = found
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            diagnostics.push(crate::diagnostics::catalog::several_photons(
                found.len(),
                &list,
            ));
            None
        }
    }
}
