//! Workers compatibility rules over the parsed model: what the imports and calls the AST shows
//! mean on Cloudflare Workers (with `nodejs_compat`), as located errors and warnings.
//!
//! Errors: Node modules Workers lack (`child_process`, ...), native or process-spawning npm
//! packages, code generation from strings (`new Function`, `eval`), imports that cannot be
//! bundled (relative files, URLs, non-literal dynamic imports), and npm packages imported but
//! not declared in `@dependencies`, and `process.cwd()` / `os.homedir()` in a photon that imports
//! `fs` (its files live on the host). Warnings: `fs` (an in-memory, per-request file system on
//! Workers), `process.cwd()` / `os.homedir()` without `fs`, `setInterval`, TCP database drivers,
//! and the heavy or Node-only packages of `heavy_packages`.

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, catalog};
use crate::heavy_packages;
use crate::model::{HazardKind, Import, ImportKind, Photon};

/// Node built-in modules (without the `node:` prefix).
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "assert/strict",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "dns/promises",
    "domain",
    "events",
    "fs",
    "fs/promises",
    "http",
    "http2",
    "https",
    "inspector",
    "inspector/promises",
    "module",
    "net",
    "os",
    "path",
    "path/posix",
    "path/win32",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "readline/promises",
    "repl",
    "sqlite",
    "stream",
    "stream/consumers",
    "stream/promises",
    "stream/web",
    "string_decoder",
    "sys",
    "test",
    "timers",
    "timers/promises",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "util/types",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// Built-ins `nodejs_compat` does not provide (or provides as non-functional stubs).
const NODE_UNSUPPORTED: &[&str] = &[
    "child_process",
    "cluster",
    "dgram",
    "inspector",
    "inspector/promises",
    "repl",
    "sqlite",
    "test",
    "trace_events",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
];

/// npm packages with native (C/C++) bindings: they cannot load in a Worker.
const NATIVE_PACKAGES: &[&str] = &[
    "better-sqlite3",
    "sqlite3",
    "sharp",
    "canvas",
    "@napi-rs/canvas",
    "bcrypt",
    "argon2",
    "node-pty",
    "fsevents",
    "re2",
    "leveldown",
    "lmdb",
    "duckdb",
    "serialport",
    "usb",
    "zeromq",
    "cpu-features",
    "ffi-napi",
    "ref-napi",
    "bufferutil",
    "utf-8-validate",
    "isolated-vm",
    "deasync",
    "keytar",
    "robotjs",
    "node-sass",
    "kerberos",
];

/// npm packages that spawn processes, drive a local browser or a local socket.
const SYSTEM_PACKAGES: &[&str] = &[
    "simple-git",
    "dockerode",
    "execa",
    "cross-spawn",
    "shelljs",
    "puppeteer",
    "puppeteer-core",
    "playwright",
    "playwright-core",
    "chokidar",
];

/// TCP database drivers with no documented Workers support.
const TCP_DRIVERS: &[&str] = &["mongodb", "mongoose", "redis", "ioredis", "mysql"];

/// Packages photon-cf provides itself (the Workers-safe stand-in is aliased in `wrangler.toml`).
const PROVIDED: &[&str] = &["@portel/photon-core", "@portel/photon"];

/// Run every rule over one photon.
pub fn check(photon: &Photon) -> Diagnostics {
    let file = SourceFile::new(&photon.path, photon.source.clone());
    let mut out = Diagnostics::new();
    let mut reported_packages: Vec<String> = Vec::new();

    for import in &photon.imports {
        if import.type_only {
            continue;
        }
        check_import(photon, &file, import, &mut reported_packages, &mut out);
    }

    // Declared but never imported (or imported only dynamically): still bundled, so still checked.
    for dep in &photon.doc.dependencies {
        if reported_packages.contains(&dep.name) {
            continue;
        }
        if let Some(d) = package_problem(&dep.name) {
            out.push(d.at(&file, dep.span, "declared here"));
        } else if let Some(d) = heavy_package(&dep.name) {
            out.push(d.at(&file, dep.span, "declared here"));
        }
    }

    // A path from `homedir()` / `process.cwd()` in a photon that imports `fs` names files on the
    // host: refused, since a Worker's `fs` is an empty in-memory file system. (Which call feeds
    // which `fs` call is not traced; the import and the call together are the pattern.)
    let fs_import = photon.imports.iter().find(|i| {
        !i.type_only
            && i.specifier
                .as_deref()
                .and_then(builtin_name)
                .is_some_and(|b| b == "fs" || b == "fs/promises")
    });

    for hazard in &photon.hazards {
        let d = match hazard.kind {
            HazardKind::NewFunction | HazardKind::Eval => catalog::code_generation(
                hazard.kind == HazardKind::Eval,
            )
            .at(&file, hazard.span, "code generation from a string"),
            HazardKind::ProcessCwd | HazardKind::Homedir if fs_import.is_some() => {
                let home = hazard.kind == HazardKind::Homedir;
                let fs = fs_import.expect("matched is_some");
                catalog::host_file_system(home)
                    .at(
                        &file,
                        hazard.span,
                        if home {
                            "a path under the host's home directory"
                        } else {
                            "a path under the host's working directory"
                        },
                    )
                    .also(fs.span, "files read and written through `fs`")
            }
            HazardKind::ProcessCwd => {
                catalog::process_cwd().at(&file, hazard.span, "no working directory on Workers")
            }
            HazardKind::Homedir => {
                catalog::homedir().at(&file, hazard.span, "no home directory on Workers")
            }
            HazardKind::SetInterval => catalog::set_interval().at(&file, hazard.span, "timer"),
        };
        out.push(d);
    }
    out
}

fn check_import(
    photon: &Photon,
    file: &SourceFile,
    import: &Import,
    reported: &mut Vec<String>,
    out: &mut Diagnostics,
) {
    let Some(spec) = import.specifier.as_deref() else {
        out.push(
            catalog::dynamic_import(import.kind == ImportKind::Require).at(
                file,
                import.span,
                "module name known only at run time",
            ),
        );
        return;
    };

    if spec.starts_with("cloudflare:") {
        return;
    }
    if let Some(builtin) = builtin_name(spec) {
        if NODE_UNSUPPORTED.contains(&builtin) {
            let help = if builtin == "child_process" {
                "Workers cannot start processes; call an HTTP API with `fetch` instead of a command"
                    .to_string()
            } else {
                format!(
                    "remove the `{builtin}` import; Workers' `nodejs_compat` does not provide it"
                )
            };
            out.push(catalog::unsupported_node_module(spec, help).at(
                file,
                import.span,
                "not available on Workers",
            ));
        } else if builtin == "fs" || builtin == "fs/promises" {
            out.push(catalog::fs_is_ephemeral(spec).at(
                file,
                import.span,
                "files do not persist on Workers",
            ));
        }
        return;
    }
    if spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec == "."
        || spec == ".."
    {
        out.push(catalog::relative_import(spec).at(file, import.span, "local file import"));
        return;
    }
    if spec.contains("://") {
        out.push(catalog::url_import(spec).at(file, import.span, "URL import"));
        return;
    }

    let package = package_name(spec);
    if PROVIDED.contains(&package) {
        return;
    }
    if let Some(d) = package_problem(package) {
        if !reported.iter().any(|p| p == package) {
            reported.push(package.to_string());
        }
        out.push(d.at(file, import.span, "imported here"));
        return;
    }
    if TCP_DRIVERS.contains(&package) && !reported.iter().any(|p| p == package) {
        reported.push(package.to_string());
        out.push(catalog::tcp_driver(package).at(file, import.span, "TCP database driver"));
    }
    if let Some(d) = heavy_package(package)
        && !reported.iter().any(|p| p == package)
    {
        reported.push(package.to_string());
        out.push(d.at(file, import.span, "imported here"));
    }
    let declared = photon.doc.dependencies.iter().any(|d| d.name == package);
    if !declared {
        out.push(catalog::undeclared_dependency(package).at(
            file,
            import.span,
            "not in @dependencies",
        ));
    }
}

/// Why a package cannot be deployed, if it cannot (not yet located).
fn package_problem(package: &str) -> Option<Diagnostic> {
    if NATIVE_PACKAGES.contains(&package) {
        return Some(catalog::native_module(package, native_help(package)));
    }
    if SYSTEM_PACKAGES.contains(&package) {
        return Some(catalog::unsupported_package(
            package,
            "needs to start processes, a local browser or a local socket, which Workers cannot",
            "call a hosted API with `fetch` instead (for browsers: Cloudflare Browser Rendering with `@cloudflare/puppeteer`)",
        ));
    }
    match package {
        "jsdom" => Some(catalog::unsupported_package(
            package,
            "depends on Node internals that Workers do not have",
            "use `linkedom` (or `HTMLRewriter`) to parse HTML on Workers",
        )),
        "node-fetch" => Some(catalog::unsupported_package(
            package,
            "is built on Node's `http` and is not needed on Workers",
            "remove the import and use the global `fetch`",
        )),
        _ => None,
    }
}

/// The warning for a package of the heavy or Node-only table (not yet located).
fn heavy_package(package: &str) -> Option<Diagnostic> {
    heavy_packages::lookup(package).map(|h| catalog::heavy_package(package, h.why, h.instead))
}

fn native_help(package: &str) -> String {
    match package {
        "better-sqlite3" | "sqlite3" | "duckdb" | "lmdb" | "leveldown" => {
            "store data with `this.memory` (Durable Object storage) or a D1 binding instead".into()
        }
        "sharp" | "canvas" | "@napi-rs/canvas" => {
            "use Cloudflare Images, or a WebAssembly image library".into()
        }
        "bcrypt" | "argon2" => {
            "use `bcryptjs`, or Web Crypto (`crypto.subtle`) for key derivation".into()
        }
        _ => "use a pure-JavaScript or WebAssembly alternative".into(),
    }
}

/// `node:fs` / `fs` / `fs/promises` → the built-in's name, when `spec` names one.
fn builtin_name(spec: &str) -> Option<&str> {
    let bare = spec.strip_prefix("node:").unwrap_or(spec);
    if NODE_BUILTINS.contains(&bare) {
        return Some(bare);
    }
    // `node:anything` is a built-in even when this list does not know it.
    spec.starts_with("node:").then_some(bare)
}

/// The package part of a specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`.
fn package_name(spec: &str) -> &str {
    let mut parts = spec.splitn(3, '/');
    let first = parts.next().unwrap_or("");
    if first.starts_with('@') {
        match parts.next() {
            Some(second) => &spec[..first.len() + 1 + second.len()],
            None => first,
        }
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::parse::parse_photon;

    fn run(src: &str) -> Vec<(&'static str, bool, (usize, usize))> {
        let out = parse_photon(Path::new("t.photon.ts"), Arc::from(src));
        let photon = out.photon.expect("parses");
        check(&photon)
            .iter()
            .map(|d| (d.code, d.is_error(), d.line_col().unwrap()))
            .collect()
    }

    const CLASS: &str = "\nexport default class T { async m() { return 1; } }\n";

    #[test]
    fn package_names() {
        assert_eq!(
            package_name("@aws-sdk/client-s3/dist"),
            "@aws-sdk/client-s3"
        );
        assert_eq!(package_name("lodash/merge"), "lodash");
        assert_eq!(package_name("zod"), "zod");
        assert_eq!(builtin_name("node:fs/promises"), Some("fs/promises"));
        assert_eq!(builtin_name("path"), Some("path"));
        assert_eq!(builtin_name("node:newthing"), Some("newthing"));
        assert_eq!(builtin_name("pathlib"), None);
    }

    #[test]
    fn child_process_is_an_error_with_its_line() {
        let got = run(&format!("import {{ exec }} from 'child_process';{CLASS}"));
        assert_eq!(got, [(catalog::UNSUPPORTED_NODE_MODULE, true, (1, 22))]);
        let got = run(&format!("const cp = require('node:child_process');{CLASS}"));
        assert_eq!(got[0].0, catalog::UNSUPPORTED_NODE_MODULE);
    }

    #[test]
    fn nodejs_compat_builtins_pass() {
        let src = format!(
            "import * as path from 'node:path';\nimport {{ createHash }} from 'crypto';\nimport {{ EventEmitter }} from 'events';\nimport {{ Buffer }} from 'node:buffer';{CLASS}"
        );
        assert!(run(&src).is_empty());
    }

    #[test]
    fn fs_is_a_warning() {
        let got = run(&format!(
            "import {{ readFile }} from 'node:fs/promises';{CLASS}"
        ));
        assert_eq!(got, [(catalog::FS_IS_EPHEMERAL, false, (1, 26))]);
    }

    #[test]
    fn undeclared_and_declared_packages() {
        let got = run(&format!("import axios from 'axios';{CLASS}"));
        assert_eq!(got, [(catalog::UNDECLARED_DEPENDENCY, true, (1, 19))]);
        let src = format!("/** @dependencies axios@^1.6.0 */\nimport axios from 'axios';{CLASS}");
        assert!(run(&src).is_empty());
        // Subpath imports count as the package.
        let src = format!("/** @dependencies lodash */\nimport merge from 'lodash/merge';{CLASS}");
        assert!(run(&src).is_empty());
    }

    #[test]
    fn provided_and_type_only_imports_are_free() {
        let src = format!(
            "import {{ PhotonMCP }} from '@portel/photon-core';\nimport {{ Photon }} from '@portel/photon';\nimport type {{ Foo }} from 'foo';\nimport {{ type Bar }} from 'bar';{CLASS}"
        );
        assert!(run(&src).is_empty(), "{:?}", run(&src));
    }

    #[test]
    fn native_modules_are_errors_once() {
        let src = format!(
            "/** @dependencies better-sqlite3@^11.0.0 */\nimport Database from 'better-sqlite3';{CLASS}"
        );
        assert_eq!(run(&src), [(catalog::NATIVE_MODULE, true, (2, 22))]);
        // Declared only: reported at the declaration.
        let src = format!("/** @dependencies sharp@^0.33.0 */{CLASS}");
        assert_eq!(run(&src), [(catalog::NATIVE_MODULE, true, (1, 19))]);
    }

    #[test]
    fn code_generation_is_an_error() {
        let src = "export default class T {\n  async m(e: string) {\n    return new Function('return ' + e)() + eval(e);\n  }\n}\n";
        let got = run(src);
        assert_eq!(
            got,
            [
                (catalog::CODE_GENERATION, true, (3, 12)),
                (catalog::CODE_GENERATION, true, (3, 44)),
            ]
        );
    }

    #[test]
    fn dynamic_imports() {
        let src = "export default class T {\n  async m(id: string) {\n    const a = await import(id);\n    const b = await import('node:path');\n    return [a, b];\n  }\n}\n";
        assert_eq!(run(src), [(catalog::DYNAMIC_IMPORT, true, (3, 21))]);
    }

    #[test]
    fn host_paths_and_timers_warn() {
        let src = "import * as os from 'os';\nexport default class T {\n  async m() {\n    setInterval(() => {}, 1000);\n    return process.cwd() + os.homedir();\n  }\n}\n";
        let got: Vec<_> = run(src).into_iter().map(|(c, e, _)| (c, e)).collect();
        assert_eq!(
            got,
            [
                (catalog::SET_INTERVAL, false),
                (catalog::PROCESS_CWD, false),
                (catalog::HOMEDIR, false),
            ]
        );
    }

    #[test]
    fn host_paths_with_fs_are_refused() {
        // `path.join(homedir(), ...)`, a template string over `process.cwd()`, `os.homedir()`.
        let src = "import { promises as fs } from 'fs';\nimport { homedir } from 'os';\nimport * as os from 'node:os';\nimport * as path from 'path';\nexport default class T {\n  constructor(private dir = path.join(homedir(), '.t')) {}\n  async m() {\n    await fs.readFile(`${process.cwd()}/a.txt`);\n    return fs.writeFile(os.homedir() + '/b', 'x');\n  }\n}\n";
        let got = run(src);
        assert_eq!(
            got,
            [
                (catalog::FS_IS_EPHEMERAL, false, (1, 32)),
                (catalog::HOST_FILE_SYSTEM, true, (6, 39)),
                (catalog::HOST_FILE_SYSTEM, true, (8, 26)),
                (catalog::HOST_FILE_SYSTEM, true, (9, 25)),
            ]
        );
    }

    #[test]
    fn heavy_packages_warn_with_an_alternative() {
        let src = format!(
            "/** @dependencies @aws-sdk/client-s3@^3.0.0, typescript@^5.0.0 */\nimport {{ S3Client }} from '@aws-sdk/client-s3';{CLASS}"
        );
        let out = parse_photon(Path::new("t.photon.ts"), Arc::from(src.as_str()));
        let diags = check(&out.photon.expect("parses"));
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.is_error(), d.line_col().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (catalog::HEAVY_PACKAGE, false, (2, 26)),
                (catalog::HEAVY_PACKAGE, false, (1, 46)),
            ]
        );
        let help = diags
            .iter()
            .next()
            .unwrap()
            .help
            .clone()
            .unwrap_or_default();
        assert!(help.contains("aws4fetch"), "{help}");
    }

    #[test]
    fn relative_and_url_imports() {
        let src =
            format!("import {{ x }} from './helpers';\nimport y from 'https://esm.sh/y';{CLASS}");
        let got: Vec<_> = run(&src).into_iter().map(|(c, _, _)| c).collect();
        assert_eq!(got, [catalog::RELATIVE_IMPORT, catalog::URL_IMPORT]);
    }
}
