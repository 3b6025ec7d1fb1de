//! Rendering a resolved `Project` into the files of a Workers project, in memory.
//!
//! No I/O happens here (the existing `wrangler.toml` is passed in), so rendering is pure and the
//! same input always gives the same bytes: every map is a `BTreeMap`, every list has a fixed
//! order, and there are no timestamps or machine paths. `output.rs` writes the result.

pub mod manifest;
pub mod templates;
pub mod wrangler_toml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use serde::Serialize;

use crate::cli::AuthMode;
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use crate::resolve::Project;
use templates::{TEMPLATE_WRANGLER_TOML, Templates};
use wrangler_toml::{Migration, WranglerPlan};

/// A `compatibility_date` the workerd of the pinned wrangler (4.86.0, workerd 2026-04-26)
/// accepts; used for a new `wrangler.toml` unless `--compatibility-date` says otherwise.
pub const DEFAULT_COMPATIBILITY_DATE: &str = "2026-04-01";

/// The Durable Object behind the memory `global` scope, exported by the runtime.
pub const GLOBAL_BINDING: &str = "PHOTON_GLOBAL";
pub const GLOBAL_CLASS: &str = "PhotonGlobalStore";

/// Versions written into the generated `package.json`; the same pins as `tests/e2e/package.json`
/// so the project the tests run is the project users get.
const JSON_SCHEMA_PACKAGE: (&str, &str) = ("@cfworker/json-schema", "4.1.6");
const CRON_PACKAGE: (&str, &str) = ("croner", "11.0.0");
const JOSE_PACKAGE: (&str, &str) = ("jose", "6.2.17");
/// The JWT verifier (it imports jose): shipped only with `--auth jwt`, so any other project
/// neither bundles nor type-checks it.
const JWT_RUNTIME_FILE: &str = "src/cf-runtime/jwt.ts";
const DEV_DEPENDENCIES: &[(&str, &str)] = &[
    ("@cloudflare/workers-types", "4.20260426.1"),
    ("typescript", "5.9.3"),
    ("wrangler", "4.86.0"),
];

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// `--compatibility-date`.
    pub compatibility_date: Option<String>,
    pub auth: AuthMode,
    pub allow_delete_classes: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            compatibility_date: None,
            auth: AuthMode::None,
            allow_delete_classes: false,
        }
    }
}

/// An existing `wrangler.toml` to merge into.
#[derive(Debug, Clone)]
pub struct ExistingToml<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// The generated names of one photon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotonNames {
    pub name: String,
    pub binding: String,
    pub do_class: String,
}

/// What `render` produced.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Relative path in DIR → contents. Empty when `diagnostics` has errors.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    pub diagnostics: Diagnostics,
    /// In `project.photons()` order.
    pub names: Vec<PhotonNames>,
    /// The migration this build appends to `wrangler.toml`, if any.
    pub migration: Option<Migration>,
    /// The Worker name `wrangler.toml` holds (kept from an existing file).
    pub worker_name: String,
}

/// Render `project`. Template failures are photon-cf bugs (`Err`); problems the user can fix are
/// error diagnostics in `Rendered`.
pub fn render(
    project: &Project,
    options: &RenderOptions,
    existing_wrangler_toml: Option<ExistingToml<'_>>,
) -> anyhow::Result<Rendered> {
    let (names, mut diagnostics) = names(project);
    let mut rendered = Rendered {
        files: BTreeMap::new(),
        diagnostics: Diagnostics::new(),
        names: names.clone(),
        migration: None,
        worker_name: worker_name(&project.host.name),
    };
    if diagnostics.has_errors() {
        rendered.diagnostics = diagnostics;
        return Ok(rendered);
    }
    if let Some(date) = &options.compatibility_date
        && !is_date(date)
    {
        diagnostics.push(
            Diagnostic::error(
                "photon-cf::invalid-compatibility-date",
                format!("`--compatibility-date {date}` is not a date"),
            )
            .with_help("write it as YYYY-MM-DD, for example `2026-04-01`"),
        );
        rendered.diagnostics = diagnostics;
        return Ok(rendered);
    }

    let templates = Templates::new();
    let context = minijinja::Value::from(minijinja::value::Serde(context(
        project,
        &names,
        options.auth,
    )));
    let mut files = BTreeMap::new();

    // wrangler.toml: the user's file if there is one, else the rendered skeleton.
    let skeleton;
    let (toml_text, toml_path) = match &existing_wrangler_toml {
        Some(existing) => (existing.text, existing.path),
        None => {
            skeleton = templates.render(TEMPLATE_WRANGLER_TOML, &context)?;
            (skeleton.as_str(), Path::new("wrangler.toml"))
        }
    };
    let mut bindings: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.binding.clone(), n.do_class.clone()))
        .collect();
    bindings.push((GLOBAL_BINDING.into(), GLOBAL_CLASS.into()));
    let plan = WranglerPlan {
        worker_name: worker_name(&project.host.name),
        compatibility_date: options.compatibility_date.clone(),
        bindings,
        allow_delete_classes: options.allow_delete_classes,
    };
    match wrangler_toml::merge(toml_text, toml_path, &plan, DEFAULT_COMPATIBILITY_DATE) {
        Ok(merged) => {
            files.insert(PathBuf::from("wrangler.toml"), merged.text.into_bytes());
            rendered.migration = merged.migration;
            rendered.worker_name = merged.worker_name;
        }
        Err(errors) => diagnostics.extend(errors),
    }

    for file in templates::files() {
        if file.output == Path::new(JWT_RUNTIME_FILE) && options.auth != AuthMode::Jwt {
            continue;
        }
        let contents = if file.render {
            let name = file.template.to_str().expect("template paths are UTF-8");
            templates.render(name, &context)?.into_bytes()
        } else {
            file.contents.to_vec()
        };
        files.insert(file.output, contents);
    }

    let manifest = manifest::manifest(project, &names, options.auth);
    files.insert(
        PathBuf::from("src/manifest.ts"),
        manifest::manifest_ts(&manifest).into_bytes(),
    );
    for photon in project.photons() {
        files.insert(
            Path::new("src/photons").join(format!("{}.photon.ts", photon.name)),
            photon.source.as_bytes().to_vec(),
        );
    }

    if !diagnostics.has_errors() {
        rendered.files = files;
    }
    rendered.diagnostics = diagnostics;
    Ok(rendered)
}

/// The names every photon gets, with a diagnostic for two photons that would share one.
pub fn names(project: &Project) -> (Vec<PhotonNames>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut out: Vec<PhotonNames> = Vec::new();
    for (i, photon) in project.photons().enumerate() {
        let names = PhotonNames {
            name: photon.name.clone(),
            binding: if i == 0 {
                "PHOTON".into()
            } else {
                binding_name(&photon.name)
            },
            do_class: do_class_name(&photon.name),
        };
        let clash = out
            .iter()
            .find(|o| o.binding == names.binding || o.do_class == names.do_class)
            .map(|o| o.name.clone())
            .or_else(|| {
                (names.binding == GLOBAL_BINDING || names.do_class == GLOBAL_CLASS)
                    .then(|| "the runtime's global memory store".to_string())
            });
        if let Some(other) = clash {
            let file = SourceFile::new(&photon.path, photon.source.clone());
            diagnostics.push(
                Diagnostic::error(
                    "photon-cf::name-collision",
                    format!(
                        "photon `{}` would get the binding `{}` / class `{}`, already taken by `{other}`",
                        photon.name, names.binding, names.do_class
                    ),
                )
                .at(&file, photon.class.span, "this photon")
                .with_help("rename one of the files so their names differ in letters or digits"),
            );
        }
        out.push(names);
    }
    (out, diagnostics)
}

/// The Worker name: lower-case `[a-z0-9-]`, at most 63 characters (a DNS label).
pub fn worker_name(photon: &str) -> String {
    let mut out = String::new();
    for c in photon.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(63).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "photon".into() } else { out }
}

/// `PHOTON_<UPPER_SNAKE>` with only `[A-Z0-9_]`.
pub fn binding_name(photon: &str) -> String {
    let snake: String = ascii_words(photon).to_shouty_snake_case();
    format!("PHOTON_{snake}")
}

/// `<Pascal>PhotonDO`, a valid JavaScript identifier (a leading digit gets a `Photon` prefix).
pub fn do_class_name(photon: &str) -> String {
    let pascal = ascii_words(photon).to_upper_camel_case();
    if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Photon{pascal}PhotonDO")
    } else {
        format!("{pascal}PhotonDO")
    }
}

/// Non-ASCII-alphanumeric characters become word breaks, so names stay ASCII identifiers.
fn ascii_words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

fn is_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

/// Does any photon need the scheduler (and so `croner`)?
pub fn uses_schedule(project: &Project) -> bool {
    project
        .photons()
        .any(|p| p.uses.schedule || p.tools.iter().any(|t| t.scheduled.is_some()))
}

/// The template context (docs/ARCHITECTURE.md, "The worker entry"), plus the package fields.
#[derive(Serialize)]
struct Context {
    photons: Vec<WorkerPhoton>,
    host: String,
    features: Features,
    worker_name: String,
    compatibility_date: &'static str,
    package: Package,
}

#[derive(Serialize)]
struct WorkerPhoton {
    name: String,
    ident: String,
    import_path: String,
    default_export: bool,
    class_name: Option<String>,
    do_class: String,
    binding: String,
}

#[derive(Serialize)]
struct Features {
    schedule: bool,
    /// `--auth` is bearer or jwt: only then is `cf-runtime/auth.ts` imported (and bundled).
    auth: bool,
    /// `--auth jwt`: `authorize` comes from `cf-runtime/jwt.ts`, which bundles jose.
    jwt: bool,
}

#[derive(Serialize)]
struct Package {
    name: String,
    dependencies: Vec<PackageDependency>,
    dev_dependencies: Vec<PackageDependency>,
}

#[derive(Serialize)]
struct PackageDependency {
    name: String,
    version: String,
}

fn context(project: &Project, names: &[PhotonNames], auth: AuthMode) -> Context {
    let schedule = uses_schedule(project);
    let photons = project
        .photons()
        .zip(names)
        .enumerate()
        .map(|(i, (photon, names))| WorkerPhoton {
            name: photon.name.clone(),
            ident: format!("Photon{i}"),
            import_path: format!("./photons/{}.photon", photon.name),
            default_export: photon.class.default_export,
            class_name: photon.class.name.clone(),
            do_class: names.do_class.clone(),
            binding: names.binding.clone(),
        })
        .collect();
    // Ours first so a photon's `@dependencies` cannot change the runtime's own pins.
    let mut dependencies: BTreeMap<String, String> = BTreeMap::new();
    let mut ours = vec![JSON_SCHEMA_PACKAGE];
    if schedule {
        ours.push(CRON_PACKAGE);
    }
    if auth == AuthMode::Jwt {
        ours.push(JOSE_PACKAGE);
    }
    for (name, version) in ours {
        dependencies.insert(name.into(), version.into());
    }
    for photon in project.photons() {
        for dependency in &photon.doc.dependencies {
            dependencies
                .entry(dependency.name.clone())
                .or_insert_with(|| dependency.version.clone());
        }
    }
    let list = |map: BTreeMap<String, String>| {
        map.into_iter()
            .map(|(name, version)| PackageDependency { name, version })
            .collect()
    };
    Context {
        photons,
        host: project.host.name.clone(),
        features: Features {
            schedule,
            auth: auth != AuthMode::None,
            jwt: auth == AuthMode::Jwt,
        },
        worker_name: worker_name(&project.host.name),
        compatibility_date: DEFAULT_COMPATIBILITY_DATE,
        package: Package {
            name: worker_name(&project.host.name),
            dependencies: list(dependencies),
            dev_dependencies: list(
                DEV_DEPENDENCIES
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_identifiers() {
        assert_eq!(worker_name("Cf_Counter v2!"), "cf-counter-v2");
        assert_eq!(worker_name("---"), "photon");
        assert_eq!(binding_name("cf-counter"), "PHOTON_CF_COUNTER");
        assert_eq!(binding_name("todoList"), "PHOTON_TODO_LIST");
        assert_eq!(do_class_name("cf-counter"), "CfCounterPhotonDO");
        assert_eq!(do_class_name("2fa"), "Photon2faPhotonDO");
        assert_eq!(do_class_name("héllo wörld"), "HLloWRldPhotonDO");
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2026-04-01"));
        assert!(!is_date("2026-4-1"));
        assert!(!is_date("yesterday"));
    }
}
