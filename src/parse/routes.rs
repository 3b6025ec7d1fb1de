//! HTTP route methods (`@get /items/:id` …) and `@expose` endpoints: reading the tags into the
//! model and refusing, at build time, routes the Worker could not serve unambiguously (a bad
//! path, a path the runtime itself answers, two handlers for one method and path).

use crate::diagnostics::catalog;
use crate::model::{HttpRoute, Span, Tool};
use crate::names;

use super::Ctx;

/// Paths the runtime answers itself; a route there would be unreachable or would shadow it.
const RESERVED: &[&str] = &["/mcp", "/events"];
const RESERVED_PREFIX: &str = "/__admin";

/// Why a route path cannot be served, if it cannot.
fn path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        return Some("a route path starts with `/`");
    }
    if path.len() > 512 {
        return Some("a route path is at most 512 characters");
    }
    if !path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%/".contains(&b))
    {
        return Some("a route path is URL path characters only (no spaces, `?` or `#`)");
    }
    for segment in path.split('/') {
        if let Some(name) = segment.strip_prefix(':')
            && (name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            return Some("a `:param` segment is `:` and a name of letters, digits and `_`");
        }
    }
    let trimmed = path.trim_end_matches('/');
    if RESERVED.contains(&trimmed) || trimmed.starts_with(RESERVED_PREFIX) {
        return Some("`/mcp`, `/events` and `/__admin/...` are the runtime's own paths");
    }
    None
}

/// The shape two routes must not share: `:param` names do not tell paths apart.
fn shape(path: &str) -> String {
    let trimmed = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    trimmed
        .split('/')
        .map(|s| if s.starts_with(':') { ":" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

impl Ctx {
    /// Records `@<method> <path>` on `handler`.
    pub(super) fn route(
        &mut self,
        handler: &str,
        method: &str,
        path: &str,
        format: Option<String>,
        span: Span,
    ) {
        let path = path.split_whitespace().next().unwrap_or("").to_string();
        if let Some(why) = path_problem(&path) {
            self.error(catalog::bad_route(handler, &path, why), span, "this route");
            return;
        }
        self.routes.push(HttpRoute {
            method: method.to_ascii_uppercase(),
            path,
            handler: handler.to_string(),
            format: format.filter(|f| !f.is_empty()),
            span,
        });
    }

    /// Two handlers for one method and path (routes and `@expose` endpoints together).
    pub(super) fn check_routes(&mut self, tools: &[Tool]) {
        let mut seen: Vec<(String, String, String, Span)> = Vec::new();
        let exposed = tools.iter().filter(|t| t.expose.is_some()).map(|t| {
            (
                "POST".to_string(),
                names::expose_path(&t.name),
                format!("`@expose` of `{}`", t.name),
                t.span,
            )
        });
        let routes: Vec<_> = self
            .routes
            .iter()
            .map(|r| {
                (
                    r.method.clone(),
                    r.path.clone(),
                    format!(
                        "`{}` (`@{} {}`)",
                        r.handler,
                        r.method.to_ascii_lowercase(),
                        r.path
                    ),
                    r.span,
                )
            })
            .collect();
        for (method, path, what, span) in routes.into_iter().chain(exposed) {
            let key = shape(&path);
            if let Some((_, _, first, first_span)) = seen
                .iter()
                .find(|(m, p, _, _)| *m == method && shape(p) == key)
            {
                let d = catalog::route_collision(&method, &path, first, &what)
                    .at(&self.file, span, "served here too")
                    .also(*first_span, "first served here");
                self.diagnostics.push(d);
                continue;
            }
            seen.push((method, path, what, span));
        }
    }
}
