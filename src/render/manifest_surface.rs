//! The manifest's prompts, resources, resource templates and completion sources: what
//! `prompts/list`, `resources/list`, `resources/templates/list` and `completion/complete` serve,
//! each in declaration order (methods first, then class-level files), so every build of one
//! photon lists them identically.

use serde_json::{Map, Value, json};

use super::method_info;
use crate::model::{Asset, AssetContent, AssetKind, Photon, Surface, Tool};

/// `prompts/list` entries plus what `prompts/get` runs: `method` (dispatch info) for a prompt
/// method, `text` for a class-level `@prompt` file.
pub fn prompts(photon: &Photon, class_scopes: &[String]) -> Value {
    let mut out: Vec<Value> = photon
        .prompts
        .iter()
        .map(|tool| {
            let mut p = Map::new();
            p.insert("name".into(), json!(tool.name));
            if let Some(title) = &tool.annotations.title {
                p.insert("title".into(), json!(title));
            }
            if let Some(d) = &tool.description {
                p.insert("description".into(), json!(d));
            }
            p.insert("arguments".into(), Value::Array(prompt_arguments(tool)));
            p.insert("method".into(), method_info(tool, class_scopes));
            p.insert("text".into(), Value::Null);
            Value::Object(p)
        })
        .collect();
    for asset in assets(photon, AssetKind::Prompt) {
        let text = match &asset.content {
            AssetContent::Text(t) => t.clone(),
            // A prompt is text; a binary file declared as one is still listed as a resource.
            AssetContent::Blob(_) => continue,
        };
        out.push(json!({
            "name": asset.id,
            "description": format!("Prompt template: {}", asset.id),
            "arguments": [],
            "method": Value::Null,
            "text": text,
        }));
    }
    Value::Array(out)
}

/// A prompt's MCP arguments: its parameters, with their `@param` descriptions, in order.
fn prompt_arguments(tool: &Tool) -> Vec<Value> {
    let props = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object);
    let required = required(tool);
    let Some(props) = props else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, schema)| {
            let mut a = Map::new();
            a.insert("name".into(), json!(name));
            if let Some(d) = schema.get("description").and_then(Value::as_str)
                && !d.is_empty()
            {
                a.insert("description".into(), json!(d));
            }
            a.insert("required".into(), json!(required.contains(name)));
            Value::Object(a)
        })
        .collect()
}

fn required(tool: &Tool) -> Vec<String> {
    tool.input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn assets(photon: &Photon, kind: AssetKind) -> impl Iterator<Item = &Asset> {
    photon.assets.iter().filter(move |a| a.kind == kind)
}

fn resource_uri(tool: &Tool) -> Option<(&str, Option<&str>)> {
    match &tool.surface {
        Surface::Resource { uri, mime_type } => Some((uri, mime_type.as_deref())),
        _ => None,
    }
}

fn is_template(uri: &str) -> bool {
    uri.contains('{') && uri.contains('}')
}

/// `resources/list` entries (fixed URIs) plus how `resources/read` answers each: a method, or a
/// class-level file's `text` / `blob` (its URI `photon://<photon>/prompts|resources/<id>`, as
/// the local runtime names it).
pub fn resources(photon: &Photon, class_scopes: &[String]) -> Value {
    let mut out = Vec::new();
    for tool in &photon.resources {
        let Some((uri, mime)) = resource_uri(tool) else {
            continue;
        };
        if is_template(uri) {
            continue;
        }
        out.push(method_resource("uri", uri, mime, tool, class_scopes));
    }
    for asset in &photon.assets {
        let (folder, label, description) = match asset.kind {
            AssetKind::Prompt => ("prompts", "prompt", "Prompt template"),
            AssetKind::Resource => ("resources", "resource", "Static resource"),
        };
        let mut r = Map::new();
        r.insert(
            "uri".into(),
            json!(format!("photon://{}/{folder}/{}", photon.name, asset.id)),
        );
        r.insert("name".into(), json!(format!("{label}:{}", asset.id)));
        r.insert(
            "description".into(),
            json!(format!("{description}: {}", asset.id)),
        );
        let mime = match asset.kind {
            AssetKind::Prompt => "text/markdown",
            AssetKind::Resource => asset.mime_type.as_str(),
        };
        r.insert("mimeType".into(), json!(mime));
        r.insert("method".into(), Value::Null);
        match &asset.content {
            AssetContent::Text(t) => r.insert("text".into(), json!(t)),
            AssetContent::Blob(b) => r.insert("blob".into(), json!(b)),
        };
        out.push(Value::Object(r));
    }
    Value::Array(out)
}

/// `resources/templates/list` entries: resource methods whose URI has `{variables}`.
pub fn resource_templates(photon: &Photon, class_scopes: &[String]) -> Value {
    let out: Vec<Value> = photon
        .resources
        .iter()
        .filter_map(|tool| {
            let (uri, mime) = resource_uri(tool)?;
            if !is_template(uri) {
                return None;
            }
            Some(method_resource(
                "uriTemplate",
                uri,
                mime,
                tool,
                class_scopes,
            ))
        })
        .collect();
    Value::Array(out)
}

/// A resource (`key` = `uri`) or resource template (`key` = `uriTemplate`) served by a method:
/// the list entry's fields, then the method `resources/read` runs.
fn method_resource(
    key: &str,
    uri: &str,
    mime: Option<&str>,
    tool: &Tool,
    class_scopes: &[String],
) -> Value {
    let mut r = Map::new();
    r.insert(key.into(), json!(uri));
    r.insert("name".into(), json!(tool.name));
    if let Some(title) = &tool.annotations.title {
        r.insert("title".into(), json!(title));
    }
    if let Some(d) = &tool.description {
        r.insert("description".into(), json!(d));
    }
    r.insert("mimeType".into(), json!(mime.unwrap_or("text/plain")));
    r.insert("method".into(), method_entry(tool, class_scopes));
    Value::Object(r)
}

/// The method a resource runs: its name and dispatch info.
fn method_entry(tool: &Tool, class_scopes: &[String]) -> Value {
    json!({ "name": tool.name, "info": method_info(tool, class_scopes) })
}

/// Completion sources for prompt arguments and resource-template variables: the parameter's
/// string `enum` (TypeScript literal unions, `{@choice a,b}`), and `{@choice-from m[.field]}`, a
/// photon method the runtime calls for the candidates.
pub fn completions(photon: &Photon) -> Value {
    let mut out = Vec::new();
    let mut add = |kind: &str, name: &str, tool: &Tool, only: Option<Vec<&str>>| {
        let Some(props) = tool
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
        else {
            return;
        };
        for (arg, schema) in props {
            if only.as_ref().is_some_and(|o| !o.contains(&arg.as_str())) {
                continue;
            }
            let values: Option<Vec<&str>> = schema
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(Value::as_str).collect());
            let from = schema.get("x-choiceFrom").and_then(Value::as_str);
            if values.is_none() && from.is_none() {
                continue;
            }
            out.push(json!({
                "ref": kind,
                "name": name,
                "argument": arg,
                "values": values,
                "from": from,
            }));
        }
    };
    for tool in &photon.prompts {
        add("ref/prompt", &tool.name, tool, None);
    }
    for tool in &photon.resources {
        if let Some((uri, _)) = resource_uri(tool)
            && is_template(uri)
        {
            let vars = crate::parse::uri_variables(uri);
            add("ref/resource", uri, tool, Some(vars));
        }
    }
    Value::Array(out)
}
