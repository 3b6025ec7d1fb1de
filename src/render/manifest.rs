//! The manifest (Rust → runtime contract of docs/ARCHITECTURE.md): everything the runtime needs
//! to know about each photon, built with serde_json from the model and embedded in
//! `src/manifest.ts`. Nothing parses TypeScript at run time.

use serde_json::{Map, Value, json};

use crate::cli::AuthMode;
use crate::model::{Injection, Photon, Tool};
use crate::names;
use crate::render::PhotonNames;
use crate::resolve::Project;

/// The `Manifest` object for `project`; `names` are in `project.photons()` order.
pub fn manifest(project: &Project, names: &[PhotonNames], auth: AuthMode) -> Value {
    let mut photons = Map::new();
    for (photon, names) in project.photons().zip(names) {
        photons.insert(photon.name.clone(), photon_manifest(photon, names));
    }
    json!({
        "version": 1,
        "host": project.host.name,
        "auth": { "mode": auth },
        "photons": photons,
    })
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
    let mut out = json!({
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
        "hooks": {
            "onInitialize": photon.lifecycle.on_initialize,
            "onShutdown": photon.lifecycle.on_shutdown,
        },
    });
    // Only photons that use `this.cf` carry the key, so other manifests stay as they were.
    if !photon.platform.is_empty() {
        out["cf"] = platform_manifest(photon);
    }
    let routes = routes_manifest(photon);
    if !routes.is_empty() {
        out["routes"] = Value::Array(routes);
    }
    out
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

fn method_info(tool: &Tool, class_scopes: &[String]) -> Value {
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
