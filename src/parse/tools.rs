//! Methods → tools: which methods are tools, their JSDoc tags (annotations, `@internal`,
//! `@scheduled`, `@locked`, `@scope`, ...) and their output schema. Parameters are `params.rs`.

use serde_json::{Value, json};
use swc_common::Spanned as _;
use swc_common::comments::{Comments, SingleThreadedComments};
use swc_ecma_ast::{Accessibility, ClassMethod, MethodKind};

use super::scan::prop_name;
use super::schema::{self, SchemaCx};
use super::{Ctx, docblock, jsdoc};
use crate::diagnostics::catalog;
use crate::model::{Annotations, Lifecycle, Tool};

impl Ctx {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn method(
        &mut self,
        m: &ClassMethod,
        extends_photon: bool,
        lifecycle: &mut Lifecycle,
        cx: &mut SchemaCx<'_>,
        source: &str,
        comments: &SingleThreadedComments,
    ) -> Option<Tool> {
        if m.kind != MethodKind::Method || m.function.body.is_none() {
            // Getters/setters are not tools; a body-less method is an overload signature.
            return None;
        }
        if matches!(
            m.accessibility,
            Some(Accessibility::Private | Accessibility::Protected)
        ) {
            return None;
        }
        let name = prop_name(&m.key)?;
        if name.starts_with('_') {
            return None;
        }
        match name.as_str() {
            "onInitialize" if !m.is_static => {
                lifecycle.on_initialize = true;
                return None;
            }
            "onShutdown" if !m.is_static => {
                lifecycle.on_shutdown = true;
                return None;
            }
            "onInitialize" | "onShutdown" | "onError" => return None,
            "configure" | "getConfig" if extends_photon => return None,
            _ => {}
        }
        let span = self.span(m.span);
        let valid_name = name.len() <= 128
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid_name {
            self.warn(
                catalog::unusual_tool_name(&name),
                self.span(m.key.span()),
                "tool name",
            );
        }
        let doc = docblock::last_jsdoc(&comments.get_leading(m.span.lo));
        let lines = doc
            .as_ref()
            .map(|c| jsdoc::lines(&c.text))
            .unwrap_or_default();
        let tags = jsdoc::tags(&lines);

        for tag in &tags {
            let lower = tag.name.to_ascii_lowercase();
            let route = matches!(lower.as_str(), "get" | "post" | "put" | "patch" | "delete")
                && tag.value.starts_with('/');
            if route {
                // A route handler is served over HTTP (routes.rs), not listed as a tool.
                let format = tags
                    .iter()
                    .find(|t| t.name == "format")
                    .map(|t| t.value.trim().to_string());
                self.route(&name, &lower, tag.value, format, span);
                return None;
            }
        }
        let surface = jsdoc::surface(&tags, &name);
        let mut tool = Tool {
            name: name.clone(),
            description: jsdoc::method_description(&lines),
            input_schema: json!({"type": "object", "properties": {}}),
            output_schema: None,
            simple_params: false,
            params: Vec::new(),
            annotations: Annotations::default(),
            scopes: Vec::new(),
            is_static: m.is_static,
            is_async: m.function.is_async,
            is_generator: m.function.is_generator,
            internal: false,
            deprecated: None,
            scheduled: None,
            locked: None,
            surface,
            expose: None,
            span,
        };
        let mut param_docs = Vec::new();
        for tag in &tags {
            match tag.name {
                "param" => {
                    if let Some(d) = jsdoc::param_doc(tag) {
                        param_docs.push(d);
                    }
                }
                "title" if !tag.value.is_empty() => {
                    tool.annotations.title = Some(tag.value.to_string())
                }
                "readOnly" => tool.annotations.read_only_hint = Some(jsdoc::flag(tag.value)),
                "destructive" => tool.annotations.destructive_hint = Some(jsdoc::flag(tag.value)),
                "idempotent" => tool.annotations.idempotent_hint = Some(jsdoc::flag(tag.value)),
                "openWorld" => tool.annotations.open_world_hint = Some(jsdoc::flag(tag.value)),
                "closedWorld" => tool.annotations.open_world_hint = Some(!jsdoc::flag(tag.value)),
                "internal" => tool.internal = true,
                "expose" => {
                    tool.expose = Some(if tag.value.trim() == "public" {
                        crate::model::Expose::Public
                    } else {
                        crate::model::Expose::SameOrigin
                    })
                }
                "deprecated" => tool.deprecated = Some(tag.value.to_string()),
                "scheduled" | "cron" if !tag.value.is_empty() => {
                    if let (Some(why), Some(comment)) = (jsdoc::cron_error(tag.value), &doc) {
                        let span = self.comment_span(comment, tag.value_offset, tag.value.len());
                        self.error(
                            catalog::invalid_cron(tag.name, tag.value, &name, &why),
                            span,
                            "invalid cron expression",
                        );
                    }
                    tool.scheduled = Some(tag.value.to_string())
                }
                "locked" => {
                    tool.locked = Some(jsdoc::first_word(tag.value).unwrap_or(&name).to_string())
                }
                "scope" => {
                    for s in tag.value.split([' ', ',', '\t']).filter(|s| !s.is_empty()) {
                        if !tool.scopes.iter().any(|x| x == s) {
                            tool.scopes.push(s.to_string());
                        }
                    }
                }
                _ => {}
            }
        }

        self.input_schema(&mut tool, m, cx, source, &param_docs, doc.as_ref());

        // The scheduler calls a `@scheduled` method with no arguments (params `{}`), so a
        // required parameter would always arrive as `undefined`.
        let required = tool
            .input_schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        if tool.scheduled.is_some() && !required.is_empty() {
            let list = required
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                catalog::scheduled_needs_arguments(&name, &list),
                self.span(m.key.span()),
                "scheduled method with required parameters",
            );
        }

        if !m.function.is_generator
            && let Some(ret) = &m.function.return_type
        {
            let ty = schema::unwrap_promise(&ret.type_ann);
            let out = cx.type_schema(ty);
            let has_props = out
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            if out.get("type").and_then(Value::as_str) == Some("object") && has_props {
                tool.output_schema = Some(out);
            }
        }
        if std::mem::take(&mut cx.too_deep) {
            self.warn(
                catalog::schema_too_deep(&name, schema::MAX_SCHEMA_DEPTH),
                span,
                "schema cut here",
            );
        }
        Some(tool)
    }
}
