//! Rendering a resolved `Project` into the files of a Workers project, in memory.
//!
//! No I/O happens here (the existing `wrangler.toml` is passed in), so rendering is pure and the
//! same input always gives the same bytes: every map is a `BTreeMap`, every list has a fixed
//! order, and there are no timestamps or machine paths. `output.rs` writes the result.

pub mod layout;
pub mod manifest;
pub mod state;
pub mod templates;
pub mod wrangler_platform;
pub mod wrangler_toml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::AuthMode;
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::resolve::Project;
use layout::{Generated, Source};
use templates::Templates;
use wrangler_toml::{Migration, WranglerPlan};

/// A `compatibility_date` the workerd of the pinned wrangler (4.86.0, workerd 2026-04-26)
/// accepts; used for a new `wrangler.toml` unless `--compatibility-date` says otherwise.
pub const DEFAULT_COMPATIBILITY_DATE: &str = "2026-04-01";

use crate::names::worker_name;
pub use crate::names::{GLOBAL_BINDING, GLOBAL_CLASS, PhotonNames};

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// `--compatibility-date`.
    pub compatibility_date: Option<String>,
    pub auth: AuthMode,
    pub allow_delete_classes: bool,
    /// `--url`, `--domain` or `--route`, as given (checked by `render`).
    pub target: Option<DeployTarget>,
    /// `--logs`.
    pub logs: bool,
}

/// Where `--url` / `--domain` / `--route` say the Worker is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployTarget {
    Url(String),
    Domain(String),
    Route(String),
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            compatibility_date: None,
            auth: AuthMode::None,
            allow_delete_classes: false,
            target: None,
            logs: false,
        }
    }
}

/// An existing `wrangler.toml` to merge into.
#[derive(Debug, Clone)]
pub struct ExistingToml<'a> {
    pub path: &'a Path,
    pub text: &'a str,
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
        diagnostics.push(crate::diagnostics::catalog::invalid_compatibility_date(
            date,
        ));
        rendered.diagnostics = diagnostics;
        return Ok(rendered);
    }

    let route = match &options.target {
        None => Ok(None),
        Some(DeployTarget::Url(url)) => wrangler_platform::url_target(url),
        Some(DeployTarget::Domain(host)) => wrangler_platform::domain_target(host).map(Some),
        Some(DeployTarget::Route(pattern)) => wrangler_platform::route_target(pattern).map(Some),
    };
    let route = match route {
        Ok(route) => route,
        Err(reason) => {
            diagnostics.push(crate::diagnostics::catalog::invalid_deploy_target(&reason));
            rendered.diagnostics = diagnostics;
            return Ok(rendered);
        }
    };

    // Only the host's routes are served (the outer Worker routes to the host's objects).
    for sibling in project.photons().skip(1) {
        let file = SourceFile::new(&sibling.path, sibling.source.clone());
        let exposed = sibling.tools.iter().filter(|t| t.expose.is_some());
        let routes = sibling
            .routes
            .iter()
            .map(|r| {
                (
                    r.handler.clone(),
                    format!("{} {}", r.method, r.path),
                    r.span,
                )
            })
            .chain(exposed.map(|t| {
                let route = format!("POST {}", crate::names::expose_path(&t.name));
                (t.name.clone(), route, t.span)
            }));
        for (handler, route, span) in routes {
            diagnostics.push(
                crate::diagnostics::catalog::route_not_supported(&sibling.name, &handler, &route)
                    .at(&file, span, "not served"),
            );
        }
    }

    let auth = effective_auth(project, options.auth);
    let manifest = manifest::manifest(project, &names, auth);
    let features = features(project, auth, &manifest);
    let templates = Templates::new();
    let context =
        minijinja::Value::from(minijinja::value::Serde(context(project, &names, &features)));
    let mut files = BTreeMap::new();

    // Every file of the layout table whose gate this build opens, and no other.
    for row in layout::files(&features) {
        let contents = match row.source {
            Source::Copy(template) => templates::contents(template)?.to_vec(),
            Source::Render(template) => templates.render(template, &context)?.into_bytes(),
            Source::Skeleton(template) => {
                // wrangler.toml: the user's file if there is one, else the rendered skeleton,
                // merged the same way.
                let skeleton;
                let (toml_text, toml_path) = match &existing_wrangler_toml {
                    Some(existing) => (existing.text, existing.path),
                    None => {
                        skeleton = templates.render(template, &context)?;
                        (skeleton.as_str(), Path::new(row.path))
                    }
                };
                match wrangler_toml::merge(
                    toml_text,
                    toml_path,
                    &wrangler_plan(project, &names, options, &features, route.clone()),
                    DEFAULT_COMPATIBILITY_DATE,
                ) {
                    Ok(merged) => {
                        rendered.migration = merged.migration;
                        rendered.worker_name = merged.worker_name;
                        merged.text.into_bytes()
                    }
                    Err(errors) => {
                        diagnostics.extend(errors);
                        continue;
                    }
                }
            }
            Source::Code(Generated::Manifest) => manifest::manifest_ts(&manifest).into_bytes(),
            Source::Code(Generated::DependencyTypes) => dependency_types(project).into_bytes(),
            Source::Code(Generated::Photons) => {
                for photon in project.photons() {
                    files.insert(
                        Path::new("src/photons").join(crate::names::photon_file_name(&photon.name)),
                        photon.source.as_bytes().to_vec(),
                    );
                }
                continue;
            }
        };
        let contents = match layout::header_line(row.header) {
            Some(header) => [header.into_bytes(), contents].concat(),
            None => contents,
        };
        files.insert(layout::output_path(row.path), contents);
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
        let names = PhotonNames::new(&photon.name, photon.class.name.as_deref(), i == 0);
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
                crate::diagnostics::catalog::name_collision(
                    &photon.name,
                    &names.binding,
                    &names.do_class,
                    &other,
                )
                .at(&file, photon.class.span, "this photon"),
            );
        }
        out.push(names);
    }
    (out, diagnostics)
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

/// The auth mode a build uses: `--auth`, else `access` for a host photon marked
/// `@auth cf-access` (upstream's spelling), else none.
pub fn effective_auth(project: &Project, flag: AuthMode) -> AuthMode {
    if flag == AuthMode::None && project.host.doc.auth.as_deref() == Some("cf-access") {
        AuthMode::Access
    } else {
        flag
    }
}

/// The features this build uses: they open the gates of the layout table. The runtime's own
/// parts (prompts and resources, state, routes) are decided from the manifest, the same keys the
/// runtime reads to serve them, so a module is bundled exactly when the runtime would use it.
pub fn features(
    project: &Project,
    auth: AuthMode,
    manifest: &serde_json::Value,
) -> layout::Features {
    let photons: Vec<&serde_json::Value> = manifest["photons"]
        .as_object()
        .map(|photons| photons.values().collect())
        .unwrap_or_default();
    let any = |has: fn(&serde_json::Value) -> bool| photons.iter().any(|p| has(p));
    fn non_empty(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Array(items) => !items.is_empty(),
            serde_json::Value::Object(map) => !map.is_empty(),
            _ => false,
        }
    }
    layout::Features {
        schedule: uses_schedule(project),
        auth: auth != AuthMode::None,
        // Access tokens are JWTs: they are verified by jwt.ts (jose) too.
        jwt: auth == AuthMode::Jwt || auth == AuthMode::Access,
        dependencies: project.photons().any(|p| !p.doc.dependencies.is_empty()),
        platform: project.photons().any(|p| !p.platform.is_empty()),
        // surface.ts's `serves`: prompts, resources, resource templates, `@ui` views.
        surface: any(|p| {
            ["prompts", "resources", "resourceTemplates", "ui"]
                .iter()
                .any(|key| non_empty(&p[*key]))
        }),
        state: any(|p| non_empty(&p["state"]) || p.get("settings").is_some()),
        routes: any(|p| non_empty(&p["routes"])),
        asks: uses_asks(project),
    }
}

/// Does any photon ask its client something? `this.sample` / `confirm` / `elicit`, or a generator
/// method, whose `ask` yields are elicitations.
pub fn uses_asks(project: &Project) -> bool {
    project.photons().any(|p| {
        let u = &p.uses;
        u.sample
            || u.confirm
            || u.elicit
            || [&p.tools, &p.prompts, &p.resources]
                .iter()
                .any(|methods| methods.iter().any(|t| t.is_generator))
    })
}

fn wrangler_plan(
    project: &Project,
    names: &[PhotonNames],
    options: &RenderOptions,
    features: &layout::Features,
    route: Option<wrangler_platform::Route>,
) -> WranglerPlan {
    let mut bindings: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.binding.clone(), n.do_class.clone()))
        .collect();
    bindings.push((GLOBAL_BINDING.into(), GLOBAL_CLASS.into()));
    WranglerPlan {
        worker_name: worker_name(&project.host.name),
        compatibility_date: options.compatibility_date.clone(),
        bindings,
        aliases: layout::aliases(features)
            .into_iter()
            .map(|(specifier, path)| (specifier.to_string(), path))
            .collect(),
        allow_delete_classes: options.allow_delete_classes,
        platform: wrangler_platform::PlatformPlan {
            route,
            logs: options.logs,
            ..wrangler_platform::bindings(project.photons())
        },
    }
}

/// `src/dependencies.d.ts`: one fallback declaration per `@dependencies` package, for packages
/// that ship no types (`big.js`), which `tsc` would otherwise refuse (TS7016).
///
/// The declaration is a pattern (`"big.js*"`), checked by TypeScript only after the package's
/// own types were not found; a plain `declare module "big.js"` would win over them and turn a
/// typed package such as `nanoid` into `any`.
fn dependency_types(project: &Project) -> String {
    let mut packages: Vec<&str> = project
        .photons()
        .flat_map(|p| p.doc.dependencies.iter().map(|d| d.name.as_str()))
        .collect();
    packages.sort_unstable();
    packages.dedup();
    let mut out = String::from(
        "// Module declarations for the photons' @dependencies, used only when a package ships no\n\
         // types of its own: TypeScript tries a pattern declaration after the package's own types.\n\n",
    );
    for package in packages {
        let pattern = serde_json::Value::String(format!("{package}*"));
        out.push_str(&format!("declare module {pattern};\n"));
    }
    out
}

/// The template context (docs/ARCHITECTURE.md, "The worker entry"), plus the fields of
/// `package.json` and `tsconfig.json`, all derived from the layout table.
#[derive(Serialize)]
struct Context {
    photons: Vec<WorkerPhoton>,
    host: String,
    /// `schedule`: the scheduler (and croner) is shipped and imported; `auth`: `--auth`
    /// is bearer or jwt, so `cf-runtime/auth.ts` is; `jwt`: `authorize` comes from
    /// `cf-runtime/jwt.ts`, which bundles jose.
    features: layout::Features,
    worker_name: String,
    compatibility_date: &'static str,
    package: Package,
    tsconfig: TsConfig,
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

#[derive(Serialize)]
struct TsConfig {
    paths: Vec<TsPath>,
    include: Vec<String>,
}

#[derive(Serialize)]
struct TsPath {
    specifier: &'static str,
    path: String,
}

fn context(project: &Project, names: &[PhotonNames], features: &layout::Features) -> Context {
    let photons = project
        .photons()
        .zip(names)
        .enumerate()
        .map(|(i, (photon, names))| WorkerPhoton {
            name: photon.name.clone(),
            ident: crate::names::module_ident(i),
            import_path: crate::names::import_path(&photon.name),
            default_export: photon.class.default_export,
            class_name: photon.class.name.clone(),
            do_class: names.do_class.clone(),
            binding: names.binding.clone(),
        })
        .collect();
    // Ours first so a photon's `@dependencies` cannot change the runtime's own pins.
    let pinned = |dev| -> BTreeMap<String, String> {
        layout::packages(features, dev)
            .into_iter()
            .map(|p| (p.name.to_string(), p.version.to_string()))
            .collect()
    };
    let mut dependencies = pinned(false);
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
        features: *features,
        worker_name: worker_name(&project.host.name),
        compatibility_date: DEFAULT_COMPATIBILITY_DATE,
        package: Package {
            name: worker_name(&project.host.name),
            dependencies: list(dependencies),
            dev_dependencies: list(pinned(true)),
        },
        tsconfig: TsConfig {
            paths: layout::aliases(features)
                .into_iter()
                .map(|(specifier, path)| TsPath { specifier, path })
                .collect(),
            include: layout::typescript_files(features),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(source: &str) -> Project {
        let outcome =
            crate::parse::parse_photon(Path::new("t.photon.ts"), std::sync::Arc::from(source));
        Project {
            host: outcome.photon.expect("the test photon parses"),
            siblings: Vec::new(),
        }
    }

    const PLAIN: &str = "export default class T {\n  async a() { return 1; }\n}\n";
    const SCHEDULED: &str =
        "export default class T {\n  /** @scheduled 0 3 * * * */\n  async a() { return 1; }\n}\n";
    const SAMPLES: &str = "export default class T {\n  async a() { return (this as any).sample({ prompt: 'x' }); }\n}\n";
    const GENERATOR: &str =
        "export default class T {\n  async *a() { yield { ask: 'text', message: 'x' }; }\n}\n";
    const WITH_DEPENDENCY: &str = "/** @dependencies big.js@7.0.1 */\nimport Big from 'big.js';\nexport default class T {\n  async a() { return new Big(1).toString(); }\n}\n";

    /// Each feature adds exactly its files and packages, and every file photon-cf overwrites
    /// opens with the generated-file line.
    #[test]
    fn files_and_packages_follow_the_layout_table() {
        let cases: &[(&str, AuthMode, &[&str], &[&str])] = &[
            (PLAIN, AuthMode::None, &[], &[]),
            (
                SCHEDULED,
                AuthMode::None,
                &["src/cf-runtime/cron.ts", "src/cf-runtime/schedule.ts"],
                &["croner"],
            ),
            (PLAIN, AuthMode::Bearer, &["src/cf-runtime/auth.ts"], &[]),
            (
                PLAIN,
                AuthMode::Jwt,
                &["src/cf-runtime/auth.ts", "src/cf-runtime/jwt.ts"],
                &["jose"],
            ),
            (
                WITH_DEPENDENCY,
                AuthMode::None,
                &["src/dependencies.d.ts"],
                &["big.js"],
            ),
            // A photon asks through this.sample/confirm/elicit or a generator's yields.
            (
                SAMPLES,
                AuthMode::None,
                &["src/cf-runtime/asks.ts", "src/cf-runtime/mrtr.ts"],
                &[],
            ),
            (
                GENERATOR,
                AuthMode::None,
                &["src/cf-runtime/asks.ts", "src/cf-runtime/mrtr.ts"],
                &[],
            ),
        ];
        let gated = [
            "src/cf-runtime/auth.ts",
            "src/cf-runtime/jwt.ts",
            "src/cf-runtime/schedule.ts",
            "src/cf-runtime/cron.ts",
            "src/dependencies.d.ts",
            "src/cf-runtime/asks.ts",
            "src/cf-runtime/mrtr.ts",
        ];
        let optional_packages = ["big.js", "croner", "jose"];
        for (source, auth, files, packages) in cases {
            let options = RenderOptions {
                auth: *auth,
                ..RenderOptions::default()
            };
            let rendered = render(&project(source), &options, None).unwrap();
            assert!(!rendered.diagnostics.has_errors());
            for path in gated {
                assert_eq!(
                    rendered.files.contains_key(Path::new(path)),
                    files.contains(&path),
                    "{path} with {auth:?} for {source:?}"
                );
            }
            let package: serde_json::Value =
                serde_json::from_slice(&rendered.files[Path::new("package.json")]).unwrap();
            for name in optional_packages {
                assert_eq!(
                    package["dependencies"].get(name).is_some(),
                    packages.contains(&name),
                    "{name} with {auth:?} for {source:?}"
                );
            }
            for (path, bytes) in &rendered.files {
                let path_text = path.to_string_lossy();
                let expected = layout::find_header(path);
                if path_text.starts_with("src/") && !path_text.starts_with("src/photons/") {
                    assert!(expected.is_some(), "{path_text} has no header in the table");
                }
                if let Some(header) = expected {
                    assert!(bytes.starts_with(header.as_bytes()), "{path_text}");
                    assert!(
                        !bytes[header.len()..].starts_with(b"// Generated by photon-cf"),
                        "{path_text} says it twice"
                    );
                }
            }
        }
    }

    #[test]
    fn dependency_types_are_pattern_declarations() {
        let text = dependency_types(&project(WITH_DEPENDENCY));
        assert!(text.ends_with("\ndeclare module \"big.js*\";\n"), "{text}");
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2026-04-01"));
        assert!(!is_date("2026-4-1"));
        assert!(!is_date("yesterday"));
    }
}
