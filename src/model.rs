//! The plain model of a photon: everything later stages need, with no SWC types in it.
//!
//! `parse` fills it from the TypeScript AST; `resolve`, `compat`, `render` and the commands only
//! ever read it. Spans are byte offsets into `Photon::source`, so diagnostics can point at them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

/// A byte range in a photon's source (`offset` from the start of the file, `len` bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn new(offset: usize, len: usize) -> Self {
        Self { offset, len }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.offset, span.len).into()
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// One parsed `*.photon.ts` file.
#[derive(Debug, Clone, Serialize)]
pub struct Photon {
    /// The photon name: the file name minus `.photon.ts` (e.g. `cf-counter`).
    pub name: String,
    /// The path the file was read from, as given or as resolved next to its host.
    pub path: PathBuf,
    /// The whole source text, shared with diagnostics.
    #[serde(skip)]
    pub source: Arc<str>,
    /// The class that is the photon.
    pub class: PhotonClass,
    /// Class-level docblock data (file header block merged with the class block).
    pub doc: ClassDoc,
    /// Tools and other callable methods, in declaration order.
    pub tools: Vec<Tool>,
    /// `@template` / `@Template` / `@prompt` methods: MCP prompts, in declaration order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<Tool>,
    /// `@Static` / `@resource` methods: MCP resources (or resource templates), in declaration order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Tool>,
    /// Class-level `@prompt <id> <path>` / `@resource <id> <path>` files, read at build time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<Asset>,
    /// Constructor parameters, in order.
    pub constructor: Vec<ConstructorParam>,
    /// Every import the AST shows (static, dynamic, `require`).
    pub imports: Vec<Import>,
    /// Constructs that cannot run on Workers (`new Function`, `eval`, ...), with where.
    pub hazards: Vec<Hazard>,
    /// Which runtime capabilities the source touches (`this.schedule`, `this.sample`, ...).
    pub uses: CapabilityUse,
    /// Lifecycle hooks the class defines.
    pub lifecycle: Lifecycle,
    /// `@sharedState` properties, persisted with the instance's state like the constructor's
    /// state parameters (`Injection::Unsupported { reason: "state" }`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_state: Vec<String>,
    /// `protected settings = { ... }`: the properties of the `settings` tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Vec<SettingsProp>>,
    /// `this.assets(path, ...)` calls: the companion files embedded at build time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub asset_refs: Vec<AssetRef>,
    /// The Cloudflare bindings the photon uses through `this.cf` or declares in `cfBindings`.
    #[serde(skip_serializing_if = "PlatformUse::is_empty")]
    pub platform: PlatformUse,
    /// `@get /path` ... methods: served over HTTP, not tools.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<HttpRoute>,
    /// Non-fatal findings of the parser (unknown inline tags, ignored `@param`s, ...).
    pub warnings: Vec<Finding>,
    /// The companion folder's files this photon uses, read once when it is loaded (`resolve.rs`)
    /// and embedded by the render stage; empty for a photon that was only parsed.
    #[serde(skip)]
    pub companions: Companions,
}

/// What a photon's companion folder gives the build (`assets.rs`, `ui_views.rs`).
#[derive(Debug, Clone, Default)]
pub struct Companions {
    /// The files `this.assets` names, by their path in the folder.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The `@ui` views and the tools linked to them.
    pub views: Views,
}

/// One `@ui` view, ready for the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub uri: String,
    pub html: String,
}

/// The `@ui` views by id and the tools linked to them (tool → view id).
#[derive(Debug, Clone, Default)]
pub struct Views {
    pub views: BTreeMap<String, View>,
    pub links: BTreeMap<String, String>,
}

/// How the photon class is exported and what it extends.
#[derive(Debug, Clone, Serialize)]
pub struct PhotonClass {
    /// The class identifier (`Counter`); `None` for `export default class {}`.
    pub name: Option<String>,
    /// `true` for `export default class`, `false` for the single named-export class.
    pub default_export: bool,
    /// The `extends` expression as written, when it is a plain identifier (`PhotonMCP`).
    pub extends: Option<String>,
    /// The class extends photon-core's base (`Photon` / `PhotonMCP`, or a local alias of one
    /// imported from `@portel/photon-core` or `@portel/photon`). Decided once, by the parser;
    /// the tool rules and the manifest's `extendsPhoton` both read it.
    pub extends_photon: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassDoc {
    /// Description paragraphs, tags and `{@...}` removed.
    pub description: Option<String>,
    pub version: Option<String>,
    /// `@photons a, b`: sibling photon names, each with the span of the name.
    pub photons: Vec<Spanned<String>>,
    /// `@dependencies a@^1, @s/b@2, c?`.
    pub dependencies: Vec<Dependency>,
    /// `@stateful` (bare or `true`).
    pub stateful: bool,
    /// `@auth <value>` (bare `@auth` means `required`); never matches `@author`.
    pub auth: Option<String>,
    /// `@runtime <range>`.
    pub runtime: Option<String>,
    /// Class-level `@scope` values, merged into every tool's scopes.
    pub scopes: Vec<String>,
    /// Class-level `@prompt <id> <path>` / `@resource <id> <path>` declarations, in order; the
    /// files are read into `Photon::assets`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub asset_tags: Vec<AssetTag>,
}

/// One class-level `@prompt <id> <path>` / `@resource <id> <path>` as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetTag {
    pub kind: AssetKind,
    pub id: String,
    pub path: String,
    /// The span of the path, where a missing file is reported.
    pub span: Span,
}

/// One `@dependencies` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependency {
    pub name: String,
    /// The version range; `*` when none was written.
    pub version: String,
    /// A trailing `?` marks the dependency optional.
    pub optional: bool,
    pub span: Span,
}

/// A method the photon exposes (listed tool) or keeps callable (`@internal`, `@scheduled`).
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    /// Description with tags and inline `{@...}` tags removed; `None` when the doc has none.
    pub description: Option<String>,
    /// JSON Schema of the arguments: always `{type: "object", properties, required?}`.
    pub input_schema: Value,
    /// JSON Schema of the result, only when the (unwrapped) return type is an object type.
    pub output_schema: Option<Value>,
    /// `true` when each parameter is a property and the call spreads them in `params` order.
    pub simple_params: bool,
    /// Parameter names in declaration order (the spread order when `simple_params`).
    pub params: Vec<String>,
    pub annotations: Annotations,
    /// `@scope` values of the method (class scopes and defaults are added at render time).
    pub scopes: Vec<String>,
    pub is_static: bool,
    pub is_async: bool,
    pub is_generator: bool,
    /// `@internal`: callable by schedules and siblings, never listed by `tools/list`.
    pub internal: bool,
    /// `@deprecated [message]`.
    pub deprecated: Option<String>,
    /// `@scheduled <cron>` / `@cron <cron>`.
    pub scheduled: Option<String>,
    /// `@locked [name]`.
    pub locked: Option<String>,
    /// Which MCP surface the method serves: a tool, a prompt or a resource.
    #[serde(skip_serializing_if = "Surface::is_tool")]
    pub surface: Surface,
    /// `@expose` / `@expose public`: also served at `POST /api/<kebab-name>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expose: Option<Expose>,
    pub span: Span,
}

/// Who may call an `@expose` endpoint from a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expose {
    /// Same-origin (or same-site) browser calls only, by `Sec-Fetch-Site`.
    SameOrigin,
    /// `@expose public`: anyone.
    Public,
}

/// An HTTP route method: `@get /items/:id` on `getItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpRoute {
    /// Upper case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    pub method: String,
    pub path: String,
    pub handler: String,
    /// `@format` of the method, for content negotiation of a non-Response result.
    pub format: Option<String>,
    pub span: Span,
}

/// What a method is on the MCP side, decided by its JSDoc tags.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Surface {
    #[default]
    Tool,
    /// `@template`, `@Template` or `@prompt`: `prompts/get` runs the method.
    Prompt,
    /// `@Static [uri]` or `@resource [uri]`, with `@mimeType`: `resources/read` runs the method.
    /// A URI with `{var}` parts is a resource template whose variables are parameters.
    Resource {
        uri: String,
        mime_type: Option<String>,
    },
}

impl Surface {
    pub fn is_tool(&self) -> bool {
        *self == Surface::Tool
    }
}

/// A class-level `@prompt <id> <path>` or `@resource <id> <path>` file, embedded at build time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asset {
    pub kind: AssetKind,
    pub id: String,
    /// The path as written (relative to the photon file).
    pub path: String,
    pub mime_type: String,
    pub content: AssetContent,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Prompt,
    Resource,
}

/// A file's contents: UTF-8 text as is, anything else base64 (`blob` in `resources/read`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum AssetContent {
    Text(String),
    Blob(String),
}

/// MCP `Tool.annotations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl Annotations {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One property of `protected settings`, as photon-core's `SettingsSchema` describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsProp {
    pub name: String,
    /// `string`, `number`, `boolean` or `array`.
    #[serde(rename = "type")]
    pub ty: String,
    /// From the class JSDoc's `@property <name> <text>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Initialised to `undefined`: no default.
    pub required: bool,
}

/// A constructor parameter and how the runtime fills it.
#[derive(Debug, Clone, Serialize)]
pub struct ConstructorParam {
    pub name: String,
    pub injection: Injection,
    /// `?` or an initializer: an unset value is passed as `undefined`.
    pub optional: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Injection {
    /// Read from the Worker env var `var` (`<PHOTON>_<PARAM>`), parsed as `ty`.
    Env { var: String, ty: EnvType },
    /// Anything the Worker cannot provide (`@mcp`, `@photon`, ...): passed as `undefined`.
    Unsupported { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvType {
    String,
    Number,
    Boolean,
}

#[derive(Debug, Clone, Serialize)]
pub struct Import {
    /// The module specifier; `None` for `import(expr)` / `require(expr)` with a non-literal.
    pub specifier: Option<String>,
    pub kind: ImportKind,
    /// `import type ...` or every specifier type-only: erased, costs nothing at run time.
    pub type_only: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Static,
    Dynamic,
    Require,
    ExportFrom,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssetRef {
    /// The sub-path when it is a literal; `None` when it is computed at run time.
    pub path: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HazardKind {
    /// `new Function(...)` or `Function(...)`.
    NewFunction,
    /// `eval(...)`.
    Eval,
    /// `process.cwd()`.
    ProcessCwd,
    /// `os.homedir()` / `homedir()`.
    Homedir,
    /// `setInterval(...)` (runs only while the Durable Object is awake).
    SetInterval,
}

/// Runtime capabilities the source refers to, through `this.x` or `(this as any).x`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CapabilityUse {
    pub memory: bool,
    pub emit: bool,
    pub schedule: bool,
    pub call: bool,
    pub sample: bool,
    pub confirm: bool,
    pub elicit: bool,
    /// The code may read the per-call context (the call's stream, its caller): through a
    /// capability that does (`emit` and its helpers, `call`, the asks, `caller`,
    /// `notifyResourceUpdated`), through `this` used other than as `this.name` (it may reach any
    /// of those), or through a base class (whose methods may). Without it a tools/call runs
    /// outside AsyncLocalStorage, which costs workerd per request.
    pub context: bool,
}

/// A scoped Cloudflare binding kind: `this.cf.<kind>(qualifier?)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CfKind {
    Kv,
    R2,
    D1,
    Queue,
    Vectorize,
}

impl CfKind {
    pub const ALL: [CfKind; 5] = [
        CfKind::Kv,
        CfKind::R2,
        CfKind::D1,
        CfKind::Queue,
        CfKind::Vectorize,
    ];

    /// The method name on `this.cf` (and the suffix of the binding name).
    pub fn as_str(self) -> &'static str {
        match self {
            CfKind::Kv => "kv",
            CfKind::R2 => "r2",
            CfKind::D1 => "d1",
            CfKind::Queue => "queue",
            CfKind::Vectorize => "vectorize",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One scoped binding a photon needs: `this.cf.kv('cache')` is `(Kv, Some("cache"))`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CfBinding {
    pub kind: CfKind,
    /// `None` for `this.cf.kv()` (the `default` key of `cfBindings`).
    pub qualifier: Option<String>,
    /// The resource name from `cfBindings` (bucket, database, queue or index name; for KV a
    /// namespace id), when the photon names one.
    pub resource: Option<String>,
    /// A D1 `database_id` from `cfBindings: { d1: { q: { name, id } } }`.
    pub resource_id: Option<String>,
}

/// What the photon uses of the Cloudflare platform, in first-use order, each binding once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlatformUse {
    pub bindings: Vec<CfBinding>,
    pub ai: bool,
    pub images: bool,
    pub browser: bool,
}

impl PlatformUse {
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty() && !self.ai && !self.images && !self.browser
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    pub on_initialize: bool,
    pub on_shutdown: bool,
}

/// A located non-fatal finding (becomes a warning diagnostic).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The diagnostic's code without its `photon-cf::` prefix, e.g. `unknown-param`.
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}
