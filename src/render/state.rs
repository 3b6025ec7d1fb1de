//! The manifest's `state` and `settings` entries: which values the runtime persists per instance
//! (state.ts), and the `settings` tool the local runtime generates from `protected settings`.

use serde_json::{Map, Value, json};

use crate::model::{Injection, Photon, SettingsProp};

/// `{ params, properties }`: the constructor's state parameters (non-primitive with a default,
/// on a `@stateful` class) and the `@sharedState` properties, the daemon's state keys; `None`
/// when there are none.
pub fn state_keys(photon: &Photon) -> Option<Value> {
    let params: Vec<&str> = photon
        .constructor
        .iter()
        .filter(|p| matches!(&p.injection, Injection::Unsupported { reason } if reason == "state"))
        .map(|p| p.name.as_str())
        .collect();
    let properties: Vec<&str> = photon
        .shared_state
        .iter()
        .map(String::as_str)
        .filter(|name| !params.contains(name))
        .collect();
    if params.is_empty() && properties.is_empty() {
        return None;
    }
    Some(json!({ "params": params, "properties": properties }))
}

/// The `settings` tool as the local runtime lists it (its description and schema, no `required`,
/// no annotations) and its dispatch entry: the arguments object, `settings:write` scope.
pub fn settings_tool(props: &[SettingsProp]) -> (Value, Value) {
    let mut properties = Map::new();
    for prop in props {
        let mut schema = Map::new();
        schema.insert("type".into(), json!(prop.ty));
        if let Some(d) = &prop.description {
            schema.insert("description".into(), json!(d));
        }
        if let Some(d) = &prop.default {
            schema.insert("default".into(), d.clone());
        }
        properties.insert(prop.name.clone(), Value::Object(schema));
    }
    let input_schema = json!({ "type": "object", "properties": properties });
    let tool = json!({
        "name": "settings",
        "description": "View or update photon settings. Call with no arguments to view current settings. Pass parameters to update specific settings.",
        "inputSchema": input_schema,
    });
    let method = json!({
        "params": null,
        "inputSchema": input_schema,
        "static": false,
        "generator": false,
        "internal": false,
        "scopes": ["settings:write"],
        "locked": null,
    });
    (tool, method)
}
