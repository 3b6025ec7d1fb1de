//! Every diagnostic photon-cf emits, declared once: its stable code, severity and one-line
//! summary in `CODES`, and its message and help in one constructor function per diagnostic.
//!
//! Emission sites call a constructor and add only where it points (`.at(file, span, label)`), so
//! the wording of a diagnostic lives here and nowhere else. The README's "Diagnostics" section
//! lists every code of `CODES` (a test below holds the two together).

use std::fmt::Display;
use std::path::Path;

use super::{Diagnostic, Severity, display_path};

/// One stable code: what `--output-format json` reports as `code`, and what the README lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    /// What the code means, in a few words.
    pub summary: &'static str,
}

/// The prefix every code carries.
pub const PREFIX: &str = "photon-cf::";

/// A code without its `photon-cf::` prefix (`missing-sibling`), as the model's findings and the
/// README write it.
pub fn short(code: &'static str) -> &'static str {
    code.strip_prefix(PREFIX).unwrap_or(code)
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $severity:ident, $summary:literal;)*) => {
        $($(#[$doc])* pub const $name: &str = $code;)*

        /// Every code, grouped by the stage that emits it.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $name, severity: Severity::$severity, summary: $summary },)*
        ];
    };
}

codes! {
    // Reading and parsing the photon file.
    PHOTON_NOT_FOUND = "photon-cf::photon-not-found", Error, "the photon file does not exist";
    UNREADABLE_PHOTON = "photon-cf::unreadable-photon", Error, "the photon file cannot be read";
    NOT_UTF8 = "photon-cf::not-utf8", Error, "the photon file is not UTF-8 text";
    FILE_TOO_LARGE = "photon-cf::file-too-large", Error, "the photon file is larger than 4 GiB";
    TOO_DEEPLY_NESTED = "photon-cf::too-deeply-nested", Error, "nesting too deep to parse safely";
    SYNTAX_ERROR = "photon-cf::syntax-error", Error, "the file is not valid TypeScript";
    NOT_A_PHOTON = "photon-cf::not-a-photon", Error, "the file holds no photon class";
    // The photon's shape.
    BAD_FILE_NAME = "photon-cf::bad-file-name", Error, "the file is not named `*.photon.ts`";
    BAD_PHOTON_NAME = "photon-cf::bad-photon-name", Error, "the file name is no valid photon name";
    NO_PHOTON_CLASS = "photon-cf::no-photon-class", Error, "no exported class";
    AMBIGUOUS_PHOTON_CLASS = "photon-cf::ambiguous-photon-class", Error, "several exported classes, none default";
    DUPLICATE_TOOL = "photon-cf::duplicate-tool", Error, "two methods with one tool name";
    REST_PARAMETER = "photon-cf::rest-parameter", Error, "a tool has a rest parameter";
    UNSUPPORTED_PARAMETER = "photon-cf::unsupported-parameter", Error, "a destructured parameter that is not the only one";
    INVALID_CRON = "photon-cf::invalid-cron", Error, "a `@scheduled` expression the scheduler rejects";
    SCHEDULED_NEEDS_ARGUMENTS = "photon-cf::scheduled-needs-arguments", Error, "a `@scheduled` method with required parameters";
    CLI_DEPENDENCY = "photon-cf::cli-dependency", Error, "`@cli` needs a system command";
    BAD_DEPENDENCY = "photon-cf::bad-dependency", Error, "an `@dependencies` entry that is no npm name";
    IGNORED_DEPENDENCIES = "photon-cf::ignored-dependencies", Warning, "an `@dependencies` line that reads as prose";
    UNUSUAL_TOOL_NAME = "photon-cf::unusual-tool-name", Warning, "a tool name some MCP clients reject";
    SETTINGS_NOT_SUPPORTED = "photon-cf::settings-not-supported", Warning, "`protected settings` is not an object literal: no settings tool";
    ROUTE_NOT_SUPPORTED = "photon-cf::route-not-supported", Warning, "an HTTP route of a sibling photon, not served";
    BAD_ROUTE = "photon-cf::bad-route", Error, "an HTTP route path the Worker cannot serve";
    ROUTE_COLLISION = "photon-cf::route-collision", Error, "two handlers for one HTTP method and path";
    SURFACE_FILE_NOT_FOUND = "photon-cf::surface-file-not-found", Error, "a class-level `@prompt` / `@resource` file is missing";
    UNKNOWN_URI_VARIABLE = "photon-cf::unknown-uri-variable", Error, "a resource URI template variable that names no parameter";
    UNSUPPORTED_CONSTRUCTOR_PARAM = "photon-cf::unsupported-constructor-param", Warning, "a constructor parameter that is not a plain name";
    UNSUPPORTED_INJECTION = "photon-cf::unsupported-injection", Warning, "an `@mcp` / `@photon` injection, passed as `undefined`";
    CF_QUALIFIER = "photon-cf::cf-qualifier", Error, "a `this.cf` binding qualifier that is not a plain literal";
    // Schemas.
    BAD_CONSTRAINT = "photon-cf::bad-constraint", Warning, "an inline `{@tag}` that does not apply";
    UNKNOWN_PARAM = "photon-cf::unknown-param", Warning, "an `@param` that names no parameter";
    COMPUTED_DEFAULT = "photon-cf::computed-default", Warning, "a default computed at call time";
    SCHEMA_TOO_DEEP = "photon-cf::schema-too-deep", Warning, "a type cut at the schema depth limit";
    // Siblings and generated names.
    MISSING_SIBLING = "photon-cf::missing-sibling", Error, "an `@photons` sibling file is missing";
    SIBLING_CYCLE = "photon-cf::sibling-cycle", Error, "`@photons` leads back to a photon";
    BAD_SIBLING_NAME = "photon-cf::bad-sibling-name", Error, "an `@photons` entry that is no photon name";
    NAME_COLLISION = "photon-cf::name-collision", Error, "two photons get one binding or class";
    // Workers compatibility.
    UNSUPPORTED_NODE_MODULE = "photon-cf::unsupported-node-module", Error, "a Node module Workers lack";
    NATIVE_MODULE = "photon-cf::native-module", Error, "a native (C/C++) npm package";
    UNSUPPORTED_PACKAGE = "photon-cf::unsupported-package", Error, "an npm package that cannot run on Workers";
    CODE_GENERATION = "photon-cf::code-generation", Error, "`eval` or `new Function`";
    DYNAMIC_IMPORT = "photon-cf::dynamic-import", Error, "an import of a computed module name";
    RELATIVE_IMPORT = "photon-cf::relative-import", Error, "an import of a local file";
    URL_IMPORT = "photon-cf::url-import", Error, "an import from a URL";
    UNDECLARED_DEPENDENCY = "photon-cf::undeclared-dependency", Error, "a package imported but not in `@dependencies`";
    FS_IS_EPHEMERAL = "photon-cf::fs-is-ephemeral", Warning, "`fs` is in memory and per request";
    PROCESS_CWD = "photon-cf::process-cwd", Warning, "`process.cwd()` is `/`";
    HOMEDIR = "photon-cf::homedir", Warning, "no home directory";
    HOST_FILE_SYSTEM = "photon-cf::host-file-system", Error, "files under the home or working directory";
    HEAVY_PACKAGE = "photon-cf::heavy-package", Warning, "a heavy or Node-only npm package";
    // Companion files (`this.assets`).
    ASSET_NOT_FOUND = "photon-cf::asset-not-found", Error, "`this.assets` names a missing companion file";
    ASSET_OUTSIDE_FOLDER = "photon-cf::asset-outside-folder", Error, "`this.assets` names a path outside the companion folder";
    ASSET_TOO_LARGE = "photon-cf::asset-too-large", Error, "a companion file too large to embed";
    ASSET_NOT_EMBEDDED = "photon-cf::asset-not-embedded", Warning, "`this.assets` with a path computed at run time";
    UI_NEEDS_COMPILING = "photon-cf::ui-needs-compiling", Error, "an `@ui` view that needs compiling (`.tsx`)";
    UI_VIEW_NOT_FOUND = "photon-cf::ui-view-not-found", Warning, "an `@ui` view whose file is missing";
    SET_INTERVAL = "photon-cf::set-interval", Warning, "a timer that stops when the object sleeps";
    TCP_DRIVER = "photon-cf::tcp-driver", Warning, "a raw-TCP database driver";
    // The output project.
    NO_PHOTON = "photon-cf::no-photon", Error, "no `*.photon.ts` in the current directory";
    SEVERAL_PHOTONS = "photon-cf::several-photons", Error, "several `*.photon.ts` in the current directory";
    INVALID_COMPATIBILITY_DATE = "photon-cf::invalid-compatibility-date", Error, "`--compatibility-date` is no date";
    INVALID_DEPLOY_TARGET = "photon-cf::invalid-deploy-target", Error, "`--url`, `--domain` or `--route` is malformed";
    INVALID_WRANGLER_TOML = "photon-cf::invalid-wrangler-toml", Error, "the existing `wrangler.toml` is not TOML";
    CLASS_REMOVED = "photon-cf::class-removed", Error, "a deployed Durable Object class would disappear";
    SHADOWED_WRANGLER_TOML = "photon-cf::shadowed-wrangler-toml", Warning, "a `wrangler.json(c)` hides `wrangler.toml`";
    // Tools photon-cf runs.
    WRANGLER_NOT_FOUND = "photon-cf::wrangler-not-found", Error, "no wrangler to run";
    NPM_NOT_FOUND = "photon-cf::npm-not-found", Error, "no npm to run";
    TOOL_NOT_RUNNABLE = "photon-cf::tool-not-runnable", Error, "wrangler or npm could not be started";
    INSTALL_FAILED = "photon-cf::install-failed", Error, "`npm install` failed";
    BUNDLE_FAILED = "photon-cf::bundle-failed", Error, "wrangler could not bundle the project";
    STARTUP_FAILED = "photon-cf::startup-failed", Error, "the bundled Worker does not start";
}

/// A diagnostic of `code` with the severity `CODES` gives it.
fn new(code: &'static str, message: impl Into<String>) -> Diagnostic {
    let severity = CODES
        .iter()
        .find(|c| c.code == code)
        .map_or(Severity::Error, |c| c.severity);
    match severity {
        Severity::Error => Diagnostic::error(code, message),
        Severity::Warning => Diagnostic::warning(code, message),
    }
}

// ---- reading and parsing the photon file ------------------------------------------------------

pub fn photon_not_found(path: &Path) -> Diagnostic {
    new(
        PHOTON_NOT_FOUND,
        format!("`{}` does not exist", display_path(path)),
    )
}

pub fn unreadable_photon(path: &Path, err: &dyn Display) -> Diagnostic {
    new(
        UNREADABLE_PHOTON,
        format!("cannot read `{}`: {err}", display_path(path)),
    )
}

pub fn not_utf8(path: &Path) -> Diagnostic {
    new(
        NOT_UTF8,
        format!("`{}` is not UTF-8 text", display_path(path)),
    )
    .with_help("save the file as UTF-8")
}

pub fn file_too_large() -> Diagnostic {
    new(FILE_TOO_LARGE, "the photon file is larger than 4 GiB")
}

pub fn too_deeply_nested(max_nesting: usize, max_chain: usize) -> Diagnostic {
    new(
        TOO_DEEPLY_NESTED,
        format!(
            "the code nests too deeply to parse safely (over {max_nesting} brackets, or over {max_chain} chained operators in one expression)"
        ),
    )
    .with_help("flatten the code or the type: no photon needs this depth")
}

/// `at_end`: the parser ran out of file, so a closing bracket is probably missing.
pub fn syntax_error(parser_message: &str, at_end: bool) -> Diagnostic {
    new(SYNTAX_ERROR, format!("syntax error: {parser_message}")).with_help(if at_end {
        "the file ends too early: a closing `}`, `)` or `]` is probably missing"
    } else {
        "fix the TypeScript syntax; photon-cf parses the file as TypeScript with decorators"
    })
}

pub fn not_a_photon(path: &Path) -> Diagnostic {
    new(
        NOT_A_PHOTON,
        format!("`{}` holds no photon class", display_path(path)),
    )
}

// ---- the photon's shape -----------------------------------------------------------------------

pub fn bad_file_name(file_name: &str) -> Diagnostic {
    new(
        BAD_FILE_NAME,
        format!("`{file_name}` is not a `*.photon.ts` file"),
    )
    .with_help("name the file `<name>.photon.ts`; the photon name comes from the file name")
}

pub fn bad_photon_name(name: &str) -> Diagnostic {
    new(BAD_PHOTON_NAME, format!("`{name}` is not a valid photon name"))
        .with_help("rename the file: a photon name starts with a letter or digit and has only letters, digits, `-` and `_` (it becomes the Worker binding and class names)")
}

/// The file has a class, but does not export it.
pub fn class_not_exported(name: &str) -> Diagnostic {
    new(
        NO_PHOTON_CLASS,
        format!("the class `{name}` is not exported, so there is no photon class"),
    )
    .with_help(format!(
        "write `export default class {name}`; its public methods become the tools"
    ))
}

/// The file exports no class at all.
pub fn no_photon_class() -> Diagnostic {
    new(
        NO_PHOTON_CLASS,
        "no photon class: the file must export a class",
    )
    .with_help("write `export default class MyPhoton { ... }`; its public methods become the tools")
}

pub fn ambiguous_photon_class() -> Diagnostic {
    new(
        AMBIGUOUS_PHOTON_CLASS,
        "several exported classes and no default export: which one is the photon?",
    )
    .with_help("mark the photon with `export default class`, or stop exporting the helper classes")
}

pub fn duplicate_tool(name: &str) -> Diagnostic {
    new(
        DUPLICATE_TOOL,
        format!("the class defines `{name}` twice; a tool name must be unique"),
    )
    .with_help("rename or remove one of the two methods (for overloads, write body-less signatures and one implementation)")
}

/// `rest_type`: the rest parameter's type as written, for the suggested replacement.
pub fn rest_parameter(tool: &str, rest_name: &str, rest_type: &str) -> Diagnostic {
    new(
        REST_PARAMETER,
        format!("tool `{tool}` has a rest parameter, which a tool call cannot fill"),
    )
    .with_help(format!(
        "take one array parameter instead: `{rest_name}: {rest_type}` (upstream would pass the whole array as the first argument)"
    ))
}

/// `position`: 1-based.
pub fn unsupported_parameter(position: usize, tool: &str) -> Diagnostic {
    new(
        UNSUPPORTED_PARAMETER,
        format!("parameter {position} of tool `{tool}` is destructured, so it has no name to put in the schema"),
    )
    .with_help("give it a name (`opts: {...}`), or make it the method's only parameter")
}

/// `tag` is `scheduled` or `cron`; `why` says what is wrong with `cron`.
pub fn invalid_cron(tag: &str, cron: &str, method: &str, why: &str) -> Diagnostic {
    new(
        INVALID_CRON,
        format!("`@{tag} {cron}` on `{method}` is not a cron expression the scheduler accepts: {why}"),
    )
    .with_help("write 5 fields (minute hour day-of-month month day-of-week, in UTC), e.g. `0 * * * *`, or a shorthand: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually")
}

/// `required`: the required parameters, already quoted and joined.
pub fn scheduled_needs_arguments(method: &str, required: &str) -> Diagnostic {
    new(
        SCHEDULED_NEEDS_ARGUMENTS,
        format!("`{method}` is `@scheduled`, but the scheduler calls it with no arguments and it requires {required}"),
    )
    .with_help("make the parameters optional (`x?: T`) or give them defaults (`x = ...`), or move the work into a method without parameters")
}

pub fn cli_dependency() -> Diagnostic {
    new(
        CLI_DEPENDENCY,
        "`@cli` needs a system command, which a Worker cannot run",
    )
    .with_help("remove `@cli` and call an HTTP API (with `fetch`) instead of the command")
}

pub fn bad_dependency(name: &str) -> Diagnostic {
    new(
        BAD_DEPENDENCY,
        format!("`{name}` is not a valid npm package name"),
    )
    .with_help(
        "write `@dependencies name@range, @scope/name@range`; names are lower-case npm names",
    )
}

pub fn ignored_dependencies() -> Diagnostic {
    new(
        IGNORED_DEPENDENCIES,
        "this `@dependencies` line reads as prose, not a list of packages; it is ignored",
    )
    .with_help("write `@dependencies name@range, other@range` (comma-separated npm specs)")
}

pub fn unusual_tool_name(name: &str) -> Diagnostic {
    new(
        UNUSUAL_TOOL_NAME,
        format!("`{name}` is not a portable MCP tool name (letters, digits, `_`, `-` and `.`, at most 128)"),
    )
    .with_help("rename the method; some MCP clients reject other characters")
}

pub fn settings_not_supported() -> Diagnostic {
    new(
        SETTINGS_NOT_SUPPORTED,
        "`protected settings` is not an object literal, so it gives no `settings` tool (as locally)",
    )
    .with_help("write `protected settings = { key: default, ... }` to get the `settings` tool")
}

/// `kind`: `kv`, `r2`, ...; `qualifier`: the literal when it is one (but no valid name part).
pub fn cf_qualifier(kind: &str, qualifier: Option<&str>) -> Diagnostic {
    let message = match qualifier {
        None => format!(
            "`this.cf.{kind}(...)` needs a string literal: its binding is declared in `wrangler.toml` at build time"
        ),
        Some(q) => format!(
            "`this.cf.{kind}({q:?})`: a qualifier is letters, digits, `_` and `-` (at most 64), since it becomes part of the binding name"
        ),
    };
    new(CF_QUALIFIER, message).with_help(
        "write the qualifier as a literal, e.g. `this.cf.kv('cache')`, or pick among literals with a `switch`",
    )
}

pub fn bad_route(handler: &str, path: &str, why: &str) -> Diagnostic {
    new(
        BAD_ROUTE,
        format!("`{handler}`: route path `{path}` cannot be served: {why}"),
    )
    .with_help("write it as `@get /items/:id`")
}

/// `first` and `second`: the two handlers, described (`\`getItem\` (\`@get /items/:id\`)`).
pub fn route_collision(method: &str, path: &str, first: &str, second: &str) -> Diagnostic {
    new(
        ROUTE_COLLISION,
        format!("{method} {path} is served by both {first} and {second}"),
    )
    .with_help("give one of them another path (`:param` names do not tell paths apart)")
}

/// `photon`: the sibling; `route`: `GET /path` as served.
pub fn route_not_supported(photon: &str, handler: &str, route: &str) -> Diagnostic {
    new(
        ROUTE_NOT_SUPPORTED,
        format!("`{handler}` of the sibling photon `{photon}` is an HTTP route ({route}); only the host photon's routes are served, so it is not"),
    )
    .with_help("serve it from the host photon, which can `this.call` the sibling")
}

/// `tag`: `prompt` or `resource`; `path` as written; `why`: the I/O error.
pub fn surface_file_not_found(tag: &str, id: &str, path: &str, why: &str) -> Diagnostic {
    new(
        SURFACE_FILE_NOT_FOUND,
        format!("`@{tag} {id} {path}`: the file cannot be read ({why})"),
    )
    .with_help("the path is relative to the photon file; add the file or fix the path, it is embedded at build time")
}

pub fn unknown_uri_variable(method: &str, uri: &str, variable: &str) -> Diagnostic {
    new(
        UNKNOWN_URI_VARIABLE,
        format!("`{method}`'s resource URI `{uri}` has the variable `{{{variable}}}`, which is not one of its parameters"),
    )
    .with_help("name each `{variable}` of the URI template after a parameter of the method; resources/read passes them by name")
}

pub fn unsupported_constructor_param() -> Diagnostic {
    new(
        UNSUPPORTED_CONSTRUCTOR_PARAM,
        "this constructor parameter is not a plain name; it is passed as `undefined`",
    )
    .with_help("use named parameters such as `constructor(private apiKey: string)`")
}

/// `via`: the tag that injects it (`mcp`, `photon`).
pub fn unsupported_injection(param: &str, via: &str) -> Diagnostic {
    new(
        UNSUPPORTED_INJECTION,
        format!("`{param}` is injected by `@{via}`, which photon-cf cannot provide; it is passed as `undefined`"),
    )
    .with_help("call the other service over HTTP, or list a sibling photon in `@photons` and use `this.call`")
}

// ---- schemas ----------------------------------------------------------------------------------

/// `message` comes from the constraint rules; `format_tag`: the tag was `{@format}`.
pub fn bad_constraint(message: impl Into<String>, format_tag: bool) -> Diagnostic {
    new(BAD_CONSTRAINT, message).with_help(if format_tag {
        "known formats: email, date, date-time, time, duration, uri, url, uuid, hostname, ipv4, ipv6, password, secret, textarea, markdown, code[:lang], color, phone, path, file, json, table, ..."
    } else {
        "inline tags: {@min n} {@max n} {@pattern re} {@format f} {@choice a,b} {@default v} {@example v} {@label x} {@multipleOf n} {@unique} {@minItems n} {@maxItems n} {@deprecated} {@readOnly} {@writeOnly} {@placeholder x} {@hint x} {@hidden} {@accept x} {@field t} {@choice-from tool}"
    })
}

pub fn unknown_param(name: &str) -> Diagnostic {
    new(
        UNKNOWN_PARAM,
        format!("`@param {name}` matches no parameter"),
    )
    .with_help("check the spelling: `@param` names the parameter (or, for a single object parameter, its property)")
}

/// `text`: the default's source text.
pub fn computed_default(param: &str, text: &str) -> Diagnostic {
    new(
        COMPUTED_DEFAULT,
        format!("the default of `{param}` (`{text}`) is computed when the tool runs; the schema shows no default"),
    )
    .with_help("use a literal default, or document it with `{@default value}` in the `@param` text")
}

pub fn schema_too_deep(method: &str, max_depth: usize) -> Diagnostic {
    new(
        SCHEMA_TOO_DEEP,
        format!(
            "a type of `{method}` nests deeper than {max_depth} levels; the schema stops there and accepts any value below"
        ),
    )
    .with_help("simplify the parameter type, or type the deep part as `unknown`")
}

// ---- siblings and generated names -------------------------------------------------------------

/// `chain`: the names from the host to the missing one; `searched`: the paths tried, quoted.
pub fn missing_sibling(name: &str, chain: &str, searched: &str) -> Diagnostic {
    new(
        MISSING_SIBLING,
        format!("sibling photon `{name}` not found (needed by {chain})"),
    )
    .with_help(format!(
        "looked for {searched}; put the file next to the host or pass `--photons-dir DIR`"
    ))
}

pub fn sibling_cycle(chain: &str) -> Diagnostic {
    new(SIBLING_CYCLE, format!("`@photons` cycle: {chain}"))
        .with_help("each photon is bundled once; remove this name from `@photons` (a photon can still `this.call` any photon the host bundles)")
}

pub fn bad_sibling_name(name: &str) -> Diagnostic {
    new(BAD_SIBLING_NAME, format!("`{name}` is not a photon name")).with_help(
        "list sibling photons by file name without `.photon.ts`: `@photons billing, mailer`",
    )
}

/// `other`: the photon (or runtime store) that already has the name.
pub fn name_collision(photon: &str, binding: &str, do_class: &str, other: &str) -> Diagnostic {
    new(
        NAME_COLLISION,
        format!(
            "photon `{photon}` would get the binding `{binding}` / class `{do_class}`, already taken by `{other}`"
        ),
    )
    .with_help("rename one of the files so their names differ in letters or digits")
}

// ---- Workers compatibility --------------------------------------------------------------------

/// `help` depends on the module (what to use instead).
pub fn unsupported_node_module(spec: &str, help: impl Into<String>) -> Diagnostic {
    new(
        UNSUPPORTED_NODE_MODULE,
        format!("`{spec}` is not available on Cloudflare Workers"),
    )
    .with_help(help)
}

/// `help` depends on the package (what to use instead).
pub fn native_module(package: &str, help: impl Into<String>) -> Diagnostic {
    new(
        NATIVE_MODULE,
        format!("`{package}` is a native (C/C++) module and cannot load on Workers"),
    )
    .with_help(help)
}

/// `why` completes "`package` ..."; `help` says what to use instead.
pub fn unsupported_package(package: &str, why: &str, help: impl Into<String>) -> Diagnostic {
    new(UNSUPPORTED_PACKAGE, format!("`{package}` {why}")).with_help(help)
}

/// `eval`: the call is `eval`, else `new Function`.
pub fn code_generation(eval: bool) -> Diagnostic {
    let what = if eval { "`eval`" } else { "`new Function`" };
    new(
        CODE_GENERATION,
        format!("{what} compiles code from a string, which Workers do not allow"),
    )
    .with_help("replace it with ordinary code: a parser, a lookup table or a switch over the allowed operations")
}

/// `require`: a `require(expr)`, else an `import(expr)`.
pub fn dynamic_import(require: bool) -> Diagnostic {
    let what = if require { "`require`" } else { "`import()`" };
    new(
        DYNAMIC_IMPORT,
        format!("{what} with a computed module name cannot be bundled for Workers"),
    )
    .with_help("import the module with a string literal (`await import('pkg')`) and list it in `@dependencies`")
}

pub fn relative_import(spec: &str) -> Diagnostic {
    new(
        RELATIVE_IMPORT,
        format!("`{spec}` is a local file, and only the photon file itself is deployed"),
    )
    .with_help("move the code into the photon file, or publish it as a package and list it in `@dependencies`")
}

pub fn url_import(spec: &str) -> Diagnostic {
    new(
        URL_IMPORT,
        format!("`{spec}` is a URL; the Workers bundler cannot import from URLs"),
    )
    .with_help("install the package from npm and list it in `@dependencies`")
}

pub fn undeclared_dependency(package: &str) -> Diagnostic {
    new(
        UNDECLARED_DEPENDENCY,
        format!("`{package}` is imported but not declared in `@dependencies`"),
    )
    .with_help(format!(
        "add `@dependencies {package}@<version>` to the class docblock so the package is installed in the Worker project"
    ))
}

pub fn fs_is_ephemeral(spec: &str) -> Diagnostic {
    new(
        FS_IS_EPHEMERAL,
        format!("`{spec}` on Workers is an in-memory file system that starts empty for every request"),
    )
    .with_help("keep data in `this.memory` (Durable Object storage) or an R2/KV binding; files written here are lost")
}

pub fn process_cwd() -> Diagnostic {
    new(
        PROCESS_CWD,
        "`process.cwd()` is `/` on Workers, not a project directory",
    )
    .with_help("keep data in `this.memory` or a storage binding instead of files under the working directory")
}

pub fn homedir() -> Diagnostic {
    new(
        HOMEDIR,
        "`os.homedir()` has no meaning on Workers: there is no home directory to read",
    )
    .with_help(
        "keep data in `this.memory` or a storage binding instead of files in the home directory",
    )
}

/// `home`: the path comes from `os.homedir()` (else from `process.cwd()`).
pub fn host_file_system(home: bool) -> Diagnostic {
    let (call, place) = if home {
        ("os.homedir()", "home directory")
    } else {
        ("process.cwd()", "working directory")
    };
    new(
        HOST_FILE_SYSTEM,
        format!("this photon reads or writes files under the host's {place} (`{call}` with `fs`); a Worker has no host file system"),
    )
    .with_help("keep the data in `this.memory` (Durable Object storage) or an R2/KV binding, or run this photon with the local runtime")
}

pub fn heavy_package(package: &str, why: &str, instead: &str) -> Diagnostic {
    new(HEAVY_PACKAGE, format!("`{package}` {why}")).with_help(instead.to_string())
}

pub fn set_interval() -> Diagnostic {
    new(
        SET_INTERVAL,
        "`setInterval` only runs while the Durable Object is awake; it stops when the object is evicted",
    )
    .with_help("use `this.schedule.create({ name, schedule: '* * * * *', method })` or a `@scheduled` method for periodic work")
}

pub fn tcp_driver(package: &str) -> Diagnostic {
    new(
        TCP_DRIVER,
        format!("`{package}` talks to its database over raw TCP and is not known to work on Workers"),
    )
    .with_help("prefer an HTTP-based client for this database, and test with `photon-cf dev` before deploying")
}

// ---- the output project -----------------------------------------------------------------------

pub fn no_photon() -> Diagnostic {
    new(NO_PHOTON, "no `*.photon.ts` file in the current directory")
        .with_help("pass the photon file: `photon-cf build path/to/name.photon.ts`")
}

/// `list`: the file names, quoted and joined.
pub fn several_photons(count: usize, list: &str) -> Diagnostic {
    new(
        SEVERAL_PHOTONS,
        format!("{count} `*.photon.ts` files in the current directory: {list}"),
    )
    .with_help("name the one to build: `photon-cf build <file>.photon.ts`")
}

pub fn invalid_compatibility_date(date: &str) -> Diagnostic {
    new(
        INVALID_COMPATIBILITY_DATE,
        format!("`--compatibility-date {date}` is not a date"),
    )
    .with_help("write it as YYYY-MM-DD, for example `2026-04-01`")
}

pub fn invalid_deploy_target(reason: &str) -> Diagnostic {
    new(INVALID_DEPLOY_TARGET, format!("deploy target: {reason}")).with_help(
        "`--url https://mcp.example.com`, `--domain mcp.example.com` or `--route example.com/mcp/*`",
    )
}

pub fn invalid_wrangler_toml(path: &Path) -> Diagnostic {
    new(
        INVALID_WRANGLER_TOML,
        format!("`{}` is not valid TOML", display_path(path)),
    )
    .with_help("fix the file, or delete it to let photon-cf write a new one")
}

/// A key of the user's `wrangler.toml` whose type photon-cf cannot merge its entries into.
/// `key`: the dotted key; `expected` / `found`: the TOML types, described.
pub fn wrangler_toml_wrong_type(
    path: &Path,
    line: usize,
    key: &str,
    expected: &str,
    found: &str,
) -> Diagnostic {
    new(
        INVALID_WRANGLER_TOML,
        format!(
            "`{key}` in `{}` (line {line}) must be {expected}, not {found}",
            display_path(path)
        ),
    )
    .with_help(format!(
        "photon-cf merges its own entries into `{key}`; write it as {expected}, or delete the key to let photon-cf write it"
    ))
}

/// `binding`: ` (binding `X`)` when the old file names it, else empty.
pub fn class_removed(class: &str, binding: &str) -> Diagnostic {
    new(
        CLASS_REMOVED,
        format!(
            "Durable Object class `{class}`{binding} was deployed by an earlier migration but is no longer generated"
        ),
    )
    .with_help("restore the photon that defined it, or pass `--allow-delete-classes` to write a `deleted_classes` migration (its stored data is deleted on the next deploy)")
}

/// `shadow`: `wrangler.json` or `wrangler.jsonc` at `path`; `wrangler_toml`: ours.
pub fn shadowed_wrangler_toml(path: &Path, wrangler_toml: &Path, shadow: &str) -> Diagnostic {
    new(
        SHADOWED_WRANGLER_TOML,
        format!(
            "`{}` takes precedence over the generated `wrangler.toml`",
            display_path(path)
        ),
    )
    .with_help(format!(
        "move your settings into `{}` (photon-cf keeps them) and delete `{shadow}`",
        display_path(wrangler_toml)
    ))
}

// ---- tools photon-cf runs ---------------------------------------------------------------------

/// `--wrangler` / `PHOTON_CF_WRANGLER` names something that is not an executable.
pub fn wrangler_not_executable(explicit: &Path) -> Diagnostic {
    new(
        WRANGLER_NOT_FOUND,
        format!(
            "`{}` (from --wrangler or PHOTON_CF_WRANGLER) is not an executable file",
            display_path(explicit)
        ),
    )
    .with_help(
        "point --wrangler / PHOTON_CF_WRANGLER at wrangler's executable, e.g. \
         `node_modules/.bin/wrangler`, or unset it to use the one in the output project",
    )
}

/// `out_dir`: the output project, whose `node_modules/.bin` was searched.
pub fn wrangler_not_found(out_dir: &Path) -> Diagnostic {
    new(WRANGLER_NOT_FOUND, "wrangler was not found").with_help(format!(
        "looked in `{}`, `node_modules/.bin` of the current directory and PATH; \
         run `npm install` in `{}` (its package.json lists wrangler), or \
         `npm install -g wrangler`, or name the executable with --wrangler / PHOTON_CF_WRANGLER",
        display_path(&out_dir.join("node_modules").join(".bin")),
        display_path(out_dir)
    ))
}

/// `explicit`: what `env_var` named, when it named something.
pub fn npm_not_found(explicit: Option<&Path>, env_var: &str) -> Diagnostic {
    new(
        NPM_NOT_FOUND,
        match explicit {
            Some(p) => format!(
                "`{}` (from {env_var}) is not an executable file",
                display_path(p)
            ),
            None => "npm was not found on PATH".to_string(),
        },
    )
    .with_help(
        "install Node.js 20 or later (it comes with npm), or name another package \
         manager with PHOTON_CF_NPM",
    )
}

/// `purpose` completes "could not run `program` to ...".
pub fn tool_not_runnable(program: &Path, purpose: &str, err: &dyn Display) -> Diagnostic {
    new(
        TOOL_NOT_RUNNABLE,
        format!(
            "could not run `{}` to {purpose}: {err}",
            display_path(program)
        ),
    )
    .with_help(
        "check that the file exists and is executable, or point PHOTON_CF_WRANGLER / \
         PHOTON_CF_NPM at another one",
    )
}

/// A tool failed to start for a reason not worth its own help (the error says it all).
pub fn tool_failed_to_start(err: &dyn Display) -> Diagnostic {
    new(TOOL_NOT_RUNNABLE, format!("{err:#}"))
}

/// `message`: what failed and the end of npm's output.
pub fn install_failed(message: String, out_dir: &Path) -> Diagnostic {
    new(INSTALL_FAILED, message).with_help(format!(
        "run `npm install` in `{}` to see the whole error; check the versions in \
         the photons' @dependencies",
        display_path(out_dir)
    ))
}

// ---- companion files ---------------------------------------------------------------------------

pub fn asset_not_found(sub: &str, folder: &str) -> Diagnostic {
    new(
        ASSET_NOT_FOUND,
        format!("`{sub}` is not in the companion folder `{folder}`, so it cannot be embedded"),
    )
    .with_help(format!(
        "create `{folder}{sub}` next to the photon, or fix the path"
    ))
}

pub fn asset_outside_folder(sub: &str, folder: &str) -> Diagnostic {
    new(
        ASSET_OUTSIDE_FOLDER,
        format!("`{sub}` is outside the companion folder `{folder}`"),
    )
    .with_help(format!(
        "move the file into `{folder}` and name it relative to that folder"
    ))
}

pub fn asset_too_large(sub: &str, folder: &str, bytes: u64, limit: u64) -> Diagnostic {
    new(
        ASSET_TOO_LARGE,
        format!("`{folder}{sub}` is {bytes} bytes; companion files are embedded in the Worker up to {limit} bytes each"),
    )
    .with_help("serve large files from R2 (or another URL) and `fetch` them instead of embedding them")
}

pub fn asset_not_embedded(folder: &str) -> Diagnostic {
    new(
        ASSET_NOT_EMBEDDED,
        format!("this `this.assets` path is computed at run time, so no file of `{folder}` is embedded for it"),
    )
    .with_help("pass a string literal (`this.assets('slides.md', true)`) so the file is embedded at build time")
}

pub fn ui_needs_compiling(id: &str, path: &str) -> Diagnostic {
    new(
        UI_NEEDS_COMPILING,
        format!("the `@ui {id}` view `{path}` is TSX, which the local runtime compiles on the fly; photon-cf does not compile views"),
    )
    .with_help("ship the view as HTML (`ui/<id>.html`, with its script inlined), or run this photon with the local runtime")
}

pub fn ui_view_not_found(id: &str, path: &str) -> Diagnostic {
    new(
        UI_VIEW_NOT_FOUND,
        format!("the `@ui {id}` view has no file (`{path}`); its tools are served without it"),
    )
    .with_help(
        "create the view in the companion folder (`<name>/ui/<id>.html`) or fix the `@ui` path",
    )
}

// ---- the bundle start-up check -----------------------------------------------------------------

pub fn bundle_failed(detail: &str) -> Diagnostic {
    new(
        BUNDLE_FAILED,
        format!("`wrangler deploy --dry-run` could not bundle the generated project: {detail}"),
    )
    .with_help("wrangler's output above names the import esbuild could not resolve or compile")
}

/// `module`: the bundled module the runtime names, when it names one.
pub fn startup_failed(module: Option<&str>, message: &str) -> Diagnostic {
    let place = module.map_or(String::new(), |m| format!(" (module `{m}`)"));
    new(
        STARTUP_FAILED,
        format!("the Worker bundle does not start in the local Workers runtime{place}: {message}"),
    )
    .with_help("a package that needs Node when it loads (`__filename`, native code, the file system) cannot run on Workers: replace it, or run this photon with the local runtime; it was not deployed")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = BTreeSet::new();
        for info in CODES {
            assert!(info.code.starts_with(PREFIX), "{}", info.code);
            assert!(seen.insert(info.code), "{} twice", info.code);
            let name = short(info.code);
            assert!(
                !name.is_empty()
                    && name.split('-').all(|w| !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "{}",
                info.code
            );
        }
    }

    #[test]
    fn constructors_take_the_table_severity() {
        assert!(missing_sibling("a", "h → a", "`a.photon.ts`").is_error());
        assert!(!process_cwd().is_error());
        assert_eq!(unknown_param("x").code, UNKNOWN_PARAM);
        assert_eq!(unknown_param("x").severity, Severity::Warning);
    }

    /// Every `.rs` file under `dir`, recursively.
    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// A code written out anywhere else would be a second declaration of its wording: emission
    /// sites and tests name codes through this module's constructors and constants.
    #[test]
    fn codes_are_written_out_only_here() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(files.len() > 10, "{files:?}");
        let needle = format!("\"{PREFIX}");
        let offenders: Vec<String> = files
            .iter()
            .filter(|f| !f.ends_with("diagnostics/catalog.rs"))
            .filter(|f| std::fs::read_to_string(f).unwrap().contains(&needle))
            .map(|f| display_path(f))
            .collect();
        assert!(
            offenders.is_empty(),
            "diagnostic codes written out outside src/diagnostics/catalog.rs: {offenders:?}"
        );
    }

    /// The codes the README's "Diagnostics" section names: every `` `kebab-name` `` in it.
    fn readme_codes() -> BTreeSet<String> {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("### Diagnostics")
            .expect("the README has a Diagnostics section");
        let section = &readme[start..];
        let end = section[3..].find("\n#").map_or(section.len(), |i| i + 3);
        let section = &section[..end];
        section
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| {
                word.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_readme_lists_every_code_and_no_other() {
        let listed = readme_codes();
        let known: BTreeSet<String> = CODES.iter().map(|c| short(c.code).to_string()).collect();
        let missing: Vec<_> = known.difference(&listed).collect();
        let unknown: Vec<_> = listed.difference(&known).collect();
        assert!(
            missing.is_empty(),
            "codes missing from the README's Diagnostics section: {missing:?}"
        );
        assert!(
            unknown.is_empty(),
            "the README's Diagnostics section names codes that do not exist: {unknown:?}"
        );
    }
}
