//! The manifest (Rust → runtime contract of docs/ARCHITECTURE.md): everything the runtime needs
//! to know about each photon, built with serde_json from the model and embedded in
//! `src/manifest.ts`. Nothing parses TypeScript at run time.

use serde_json::{Map, Value, json};

use crate::cli::AuthMode;
use crate::model::{Injection, Photon, Tool};
use crate::names;
use crate::render::{PhotonNames, state};
use crate::resolve::Project;

#[path = "manifest_surface.rs"]
mod surface;

/// The `Manifest` object for `project`; `names` are in `project.photons()` order.
pub fn manifest(project: &Project, names: &[PhotonNames], auth: AuthMode) -> Value {
    let mut photons = Map::new();
    for (photon, names) in project.photons().zip(names) {
        photons.insert(photon.name.clone(), photon_manifest(photon, names));
    }
    let mut manifest = json!({
        "version": 1,
        "host": project.host.name,
        "auth": { "mode": auth },
        "photons": photons,
    });
    let id = build_id(project, &manifest);
    if let Some(photons) = manifest["photons"].as_object_mut() {
        for photon in photons.values_mut() {
            photon["buildId"] = json!(id);
        }
    }
    manifest
}

/// The id of this build: FNV-1a (64 bit) over the manifest and every photon's source, so it is
/// the same for the same inputs and changes when a redeploy can change what a client sees. The
/// 2026-07-28 runtime puts it beside `ttlMs` in cacheable results: clients cache until it moves.
pub fn build_id(project: &Project, manifest: &Value) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(PRIME);
    };
    feed(manifest.to_string().as_bytes());
    for photon in project.photons() {
        feed(photon.source.as_bytes());
    }
    format!("{hash:016x}")
}

/// The TypeScript module `src/manifest.ts`.
pub fn manifest_ts(manifest: &Value) -> String {
    let json = serde_json::to_string_pretty(manifest).expect("a JSON value serialises");
    // `</script>`-style sequences cannot end anything in a .ts module, and JSON is valid TS
    // expression syntax except for U+2028/2029 in old engines; escape those two to be safe.
    let json = json
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    format!(
        "// The photons of this Worker as the runtime sees them, built from their source files.\nimport type {{ Manifest }} from \"./cf-runtime/types\";\n\nexport const manifest: Manifest = {json};\n"
    )
}

fn photon_manifest(photon: &Photon, names: &PhotonNames) -> Value {
    let class_scopes = &photon.doc.scopes;
    let tools: Vec<Value> = photon
        .tools
        .iter()
        .filter(|t| !t.internal)
        .map(mcp_tool)
        .collect();
    let mut methods = Map::new();
    for tool in &photon.tools {
        methods.insert(tool.name.clone(), method_info(tool, class_scopes));
    }
    let mut tools = tools;
    let settings = photon.settings.as_ref().map(|props| {
        let (tool, method) = state::settings_tool(props);
        tools.push(tool);
        methods.insert("settings".into(), method);
        json!({ "properties": props })
    });
    let constructor_params: Vec<Value> = photon
        .constructor
        .iter()
        .map(|param| {
            let (env, ty) = match &param.injection {
                Injection::Env { var, ty } => (json!(var), json!(ty)),
                Injection::Unsupported { .. } => (Value::Null, Value::Null),
            };
            json!({
                "name": param.name,
                "env": env,
                "type": ty,
                "optional": param.optional,
            })
        })
        .collect();
    let scheduled: Vec<Value> = photon
        .tools
        .iter()
        .filter_map(|t| {
            t.scheduled
                .as_ref()
                .map(|cron| json!({ "method": t.name, "cron": cron }))
        })
        .collect();
    let mut manifest = json!({
        "name": photon.name,
        "className": photon.class.name,
        "memoryId": names.memory_id,
        "binding": names.binding,
        "doClass": names.do_class,
        "version": photon.doc.version,
        "description": photon.doc.description,
        "stateful": photon.doc.stateful,
        "extendsPhoton": photon.class.extends_photon,
        "tools": tools,
        "methods": methods,
        "constructorParams": constructor_params,
        "siblings": photon.doc.photons.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
        "scheduled": scheduled,
        "prompts": surface::prompts(photon, class_scopes),
        "resources": surface::resources(photon, class_scopes),
        "resourceTemplates": surface::resource_templates(photon, class_scopes),
        "completions": surface::completions(photon),
        "hooks": {
            "onInitialize": photon.lifecycle.on_initialize,
            "onShutdown": photon.lifecycle.on_shutdown,
        },
    });
    // A photon whose code cannot reach the per-call context (no emit, ask, caller or sibling call,
    // `this` never passed on, no base class, no generator method, whose yields are emits and asks)
    // has its tools/calls run without an AsyncLocalStorage frame (mcp.ts). Present only then.
    let generator = [&photon.tools, &photon.prompts, &photon.resources]
        .iter()
        .any(|methods| methods.iter().any(|m| m.is_generator));
    if !photon.uses.context && !generator {
        manifest["contextFree"] = json!(true);
    }
    // Present only when used, so manifests of photons without state or settings stay as they were.
    if let Some(state) = state::state_keys(photon) {
        manifest["state"] = state;
    }
    if let Some(settings) = settings {
        manifest["settings"] = settings;
    }
    // Companion files `this.assets` names, embedded (only when there are any, so photons without
    // them keep the manifest they had).
    let files = &photon.companions.files;
    if !files.is_empty() {
        let assets: Map<String, Value> = files
            .iter()
            .map(|(key, bytes)| {
                let content = match std::str::from_utf8(bytes) {
                    Ok(text) => json!({ "text": text }),
                    Err(_) => json!({ "base64": crate::assets::base64(bytes) }),
                };
                (key.clone(), content)
            })
            .collect();
        manifest["assets"] = Value::Object(assets);
    }
    // `@ui` views: served as `ui://` resources, linked from their tools' `_meta`.
    let views = &photon.companions.views;
    if !views.views.is_empty() {
        if let Some(tools) = manifest["tools"].as_array_mut() {
            for tool in tools {
                let name = tool["name"].as_str().unwrap_or_default().to_string();
                if let Some(view) = views.links.get(&name).and_then(|id| views.views.get(id)) {
                    tool["_meta"] = crate::ui_views::tool_meta(&view.uri);
                }
            }
        }
        let ui: Map<String, Value> = views
            .views
            .iter()
            .map(|(id, v)| (id.clone(), json!({ "uri": v.uri, "html": v.html })))
            .collect();
        manifest["ui"] = Value::Object(ui);
    }
    // Only photons that use `this.cf` carry the key, so other manifests stay as they were.
    if !photon.platform.is_empty() {
        manifest["cf"] = platform_manifest(photon);
    }
    let routes = routes_manifest(photon);
    if !routes.is_empty() {
        manifest["routes"] = Value::Array(routes);
    }
    manifest
}

/// `routes`: the HTTP routes, then the `@expose` endpoints, each `{method, path, handler,
/// format, expose}` (`expose`: null for a route, `same-origin` or `public`).
fn routes_manifest(photon: &Photon) -> Vec<Value> {
    let routes = photon.routes.iter().map(|r| {
        json!({ "method": r.method, "path": r.path, "handler": r.handler, "format": r.format, "expose": null })
    });
    let exposed = photon.tools.iter().filter_map(|t| {
        t.expose.map(|e| {
            json!({ "method": "POST", "path": names::expose_path(&t.name), "handler": t.name, "format": null, "expose": e })
        })
    });
    routes.chain(exposed).collect()
}

/// `cf`: the Worker binding behind each `this.cf.<kind>(qualifier)` (`""` = no qualifier), and the
/// shared bindings the photon reads.
fn platform_manifest(photon: &Photon) -> Value {
    let mut scoped = Map::new();
    for kind in crate::model::CfKind::ALL {
        let mut by_qualifier = Map::new();
        for b in photon.platform.bindings.iter().filter(|b| b.kind == kind) {
            by_qualifier.insert(
                b.qualifier.clone().unwrap_or_default(),
                json!(names::cf_binding(
                    &photon.name,
                    kind.as_str(),
                    b.qualifier.as_deref()
                )),
            );
        }
        scoped.insert(kind.as_str().into(), Value::Object(by_qualifier));
    }
    let shared = |on: bool, binding: &str| if on { json!(binding) } else { Value::Null };
    scoped.insert(
        "ai".into(),
        shared(photon.platform.ai, names::CF_AI_BINDING),
    );
    scoped.insert(
        "images".into(),
        shared(photon.platform.images, names::CF_IMAGES_BINDING),
    );
    scoped.insert(
        "browser".into(),
        shared(photon.platform.browser, names::CF_BROWSER_BINDING),
    );
    Value::Object(scoped)
}

/// What `tools/list` returns for one tool.
fn mcp_tool(tool: &Tool) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(tool.name));
    if let Some(title) = &tool.annotations.title {
        out.insert("title".into(), json!(title));
    }
    let description = match (&tool.description, &tool.deprecated) {
        (Some(d), Some(msg)) if !msg.is_empty() => Some(format!("{d}\n\nDeprecated: {msg}")),
        (Some(d), Some(_)) => Some(format!("{d}\n\nDeprecated.")),
        (None, Some(msg)) if !msg.is_empty() => Some(format!("Deprecated: {msg}")),
        (d, _) => d.clone(),
    };
    if let Some(description) = description {
        out.insert("description".into(), json!(description));
    }
    out.insert("inputSchema".into(), tool.input_schema.clone());
    if let Some(schema) = &tool.output_schema {
        out.insert("outputSchema".into(), schema.clone());
    }
    if !tool.annotations.is_empty() {
        out.insert("annotations".into(), json!(tool.annotations));
    }
    Value::Object(out)
}

pub(super) fn method_info(tool: &Tool, class_scopes: &[String]) -> Value {
    let mut scopes: Vec<String> = Vec::new();
    for scope in tool.scopes.iter().chain(class_scopes) {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    if scopes.is_empty() {
        let access = if tool.annotations.read_only_hint == Some(true) {
            "read"
        } else {
            "write"
        };
        scopes.push(format!("{}:{access}", tool.name));
    }
    json!({
        "params": tool.simple_params.then(|| tool.params.clone()),
        "inputSchema": tool.input_schema,
        "static": tool.is_static,
        "generator": tool.is_generator,
        "internal": tool.internal,
        "scopes": scopes,
        "locked": tool.locked,
    })
}
