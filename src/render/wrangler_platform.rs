//! The platform part of the `wrangler.toml` merge: the bindings behind `this.cf` (KV, R2, D1,
//! queues, Vectorize, AI, Images, Browser), the deploy target (`--url`, `--domain`, `--route`) and
//! `--logs`. Everything here only adds: an entry the user already has (same `binding`, same route
//! pattern, an existing `[ai]`) is kept as written, and a later build without a flag leaves what
//! an earlier one wrote, since the file is the user's once it exists.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

use super::wrangler_toml::{TableListMut, table_list};
use crate::model::{CfKind, Photon};
use crate::names;

/// One scoped binding to declare, e.g. `[[kv_namespaces]] binding = "x_cache_kv"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedBinding {
    pub kind: CfKind,
    pub binding: String,
    /// The other keys of the entry. Resource ids are written only when the photon names them:
    /// without one, wrangler provisions the resource on deploy and miniflare creates a local one.
    pub fields: Vec<(&'static str, String)>,
}

/// Where the Worker is served, besides (or instead of) `*.workers.dev`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub pattern: String,
    pub custom_domain: bool,
}

/// What this module adds to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformPlan {
    pub scoped: Vec<ScopedBinding>,
    /// `("ai", "AI")`, `("images", "IMAGES")`, `("browser", "BROWSER")`: one each per Worker.
    pub shared: Vec<(&'static str, &'static str)>,
    /// `--url` / `--domain` / `--route`: `workers_dev = false` and this route.
    pub route: Option<Route>,
    /// `--logs`: `[observability] enabled = true`.
    pub logs: bool,
}

/// The table list a kind's entries live in.
fn list_key(kind: CfKind) -> &'static str {
    match kind {
        CfKind::Kv => "kv_namespaces",
        CfKind::R2 => "r2_buckets",
        CfKind::D1 => "d1_databases",
        CfKind::Queue => "producers",
        CfKind::Vectorize => "vectorize",
    }
}

/// A 32-digit hex KV namespace id: a `cfBindings` KV entry is an id upstream; anything else is
/// a name wrangler cannot use as one, so it is left to provisioning.
fn is_kv_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The bindings of every photon in `photons`, each binding once, in photon then use order.
pub fn bindings<'a>(photons: impl Iterator<Item = &'a Photon>) -> PlatformPlan {
    let mut plan = PlatformPlan::default();
    let (mut ai, mut images, mut browser) = (false, false, false);
    for photon in photons {
        let uses = &photon.platform;
        ai |= uses.ai;
        images |= uses.images;
        browser |= uses.browser;
        for b in &uses.bindings {
            let binding = names::cf_binding(&photon.name, b.kind.as_str(), b.qualifier.as_deref());
            if plan.scoped.iter().any(|s| s.binding == binding) {
                continue;
            }
            let resource = b.resource.clone();
            // Queues and Vectorize indexes are not provisioned by wrangler: they need a name.
            let fallback = || binding.replace('_', "-");
            let fields = match b.kind {
                CfKind::Kv => resource
                    .filter(|r| is_kv_id(r))
                    .map(|id| vec![("id", id)])
                    .unwrap_or_default(),
                CfKind::R2 => resource
                    .map(|r| vec![("bucket_name", r)])
                    .unwrap_or_default(),
                CfKind::D1 => {
                    let mut f: Vec<(&'static str, String)> = Vec::new();
                    if let Some(name) = resource {
                        f.push(("database_name", name));
                    }
                    if let Some(id) = b.resource_id.clone() {
                        f.push(("database_id", id));
                    }
                    f
                }
                CfKind::Queue => vec![("queue", resource.unwrap_or_else(fallback))],
                CfKind::Vectorize => vec![("index_name", resource.unwrap_or_else(fallback))],
            };
            plan.scoped.push(ScopedBinding {
                kind: b.kind,
                binding,
                fields,
            });
        }
    }
    for (on, key, binding) in [
        (ai, "ai", names::CF_AI_BINDING),
        (images, "images", names::CF_IMAGES_BINDING),
        (browser, "browser", names::CF_BROWSER_BINDING),
    ] {
        if on {
            plan.shared.push((key, binding));
        }
    }
    plan
}

/// Add `plan` to `doc`.
pub fn apply(doc: &mut DocumentMut, plan: &PlatformPlan) {
    for b in &plan.scoped {
        add_scoped(doc, b);
    }
    for (key, binding) in &plan.shared {
        if doc.get(key).is_none() {
            let mut table = Table::new();
            table.insert("binding", value(*binding));
            doc[*key] = Item::Table(table);
        }
    }
    if let Some(route) = &plan.route {
        doc["workers_dev"] = value(false);
        add_route(doc, route);
    }
    if plan.logs {
        if !doc.get("observability").is_some_and(Item::is_table_like) {
            doc["observability"] = Item::Table(Table::new());
        }
        if let Some(obs) = doc
            .get_mut("observability")
            .and_then(Item::as_table_like_mut)
            && obs.get("enabled").and_then(Item::as_bool) != Some(true)
        {
            obs.insert("enabled", value(true));
        }
    }
}

fn add_scoped(doc: &mut DocumentMut, b: &ScopedBinding) {
    let key = list_key(b.kind);
    // Queue producers live under `[queues]`; every other list sits at the root.
    let parent: &mut dyn toml_edit::TableLike = if b.kind == CfKind::Queue {
        if !doc.get("queues").is_some_and(Item::is_table_like) {
            let mut table = Table::new();
            table.set_implicit(true);
            doc["queues"] = Item::Table(table);
        }
        match doc.get_mut("queues").and_then(Item::as_table_like_mut) {
            Some(t) => t,
            None => return,
        }
    } else {
        doc.as_table_mut()
    };
    if parent.get(key).is_none() {
        parent.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let present = table_list(parent.get(key))
        .iter()
        .any(|t| t.get("binding").and_then(Item::as_str) == Some(b.binding.as_str()));
    if present {
        return;
    }
    let Some(mut list) = parent.get_mut(key).and_then(TableListMut::of) else {
        return;
    };
    let mut entries: Vec<(&str, Value)> = vec![("binding", Value::from(b.binding.as_str()))];
    for (k, v) in &b.fields {
        entries.push((k, Value::from(v.as_str())));
    }
    list.push(entries);
}

fn add_route(doc: &mut DocumentMut, route: &Route) {
    let pattern_of = |v: &Value| -> Option<String> {
        v.as_str().map(str::to_string).or_else(|| {
            v.as_inline_table()
                .and_then(|t| t.get("pattern"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    };
    let mut entry = InlineTable::new();
    entry.insert("pattern", Value::from(route.pattern.as_str()));
    if route.custom_domain {
        entry.insert("custom_domain", Value::from(true));
    }
    match doc.get_mut("routes") {
        Some(Item::Value(Value::Array(routes))) => {
            if !routes
                .iter()
                .any(|v| pattern_of(v).as_deref() == Some(&route.pattern))
            {
                routes.push(entry);
            }
        }
        Some(Item::ArrayOfTables(routes)) => {
            let present = routes
                .iter()
                .any(|t| t.get("pattern").and_then(Item::as_str) == Some(route.pattern.as_str()));
            if !present {
                let mut table = Table::new();
                for (k, v) in entry.iter() {
                    table.insert(k, Item::Value(v.clone()));
                }
                routes.push(table);
            }
        }
        _ => {
            let mut routes = Array::new();
            routes.push(entry);
            doc["routes"] = value(routes);
        }
    }
}

/// `--url`: `https://` only, no credentials, query or fragment. A `*.workers.dev` host is the
/// default target (`None`); path `/` is a custom domain; another path a route `<host><path>*`.
pub fn url_target(url: &str) -> Result<Option<Route>, String> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| "the URL must start with https://".to_string())?;
    if rest.contains(['?', '#', '@']) {
        return Err("the URL must have no user, query or fragment".into());
    }
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = domain_target(host)?.pattern;
    if host.ends_with(".workers.dev") {
        return Ok(None);
    }
    if path == "/" {
        return Ok(Some(Route {
            pattern: host,
            custom_domain: true,
        }));
    }
    let path = path.trim_end_matches('*');
    Ok(Some(Route {
        pattern: format!("{host}{path}*"),
        custom_domain: false,
    }))
}

/// `--domain`: a hostname, lower-cased; served as a custom domain.
pub fn domain_target(host: &str) -> Result<Route, String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.len() > 253 || !host.contains('.') || !host.split('.').all(label_ok) {
        return Err(format!("`{host}` is not a hostname"));
    }
    Ok(Route {
        pattern: host,
        custom_domain: true,
    })
}

/// `--route`: a Workers route pattern (`example.com/api/*`), as Cloudflare matches it.
pub fn route_target(pattern: &str) -> Result<Route, String> {
    let pattern = pattern.trim();
    if !pattern.contains('.') || pattern.contains(['?', '#', ' ', '"']) || pattern.contains("://") {
        return Err(format!(
            "`{pattern}` is not a route pattern (host and optional path, e.g. example.com/api/*)"
        ));
    }
    Ok(Route {
        pattern: pattern.to_string(),
        custom_domain: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_targets() {
        assert_eq!(
            url_target("https://mcp.example.com").unwrap(),
            Some(Route {
                pattern: "mcp.example.com".into(),
                custom_domain: true
            })
        );
        assert_eq!(
            url_target("https://example.com/mcp")
                .unwrap()
                .unwrap()
                .pattern,
            "example.com/mcp*"
        );
        assert_eq!(url_target("https://x.y.workers.dev/").unwrap(), None);
        assert!(url_target("http://example.com").is_err());
        assert!(url_target("https://u:p@example.com").is_err());
        assert!(domain_target("localhost").is_err());
        assert!(route_target("https://example.com/*").is_err());
    }

    #[test]
    fn bindings_are_named_as_upstream_with_ids_only_when_given() {
        let src = r#"export default class G {
  protected cfBindings = { d1: { app: { name: "app-db", id: "0123" } }, kv: { ids: "0123456789abcdef0123456789abcdef", named: "not-an-id" } };
  async a() { const cf = (this as any).cf; cf.queue("jobs"); cf.vectorize(); cf.r2("blobs"); return cf.images; }
}"#;
        let out = crate::parse::parse_photon(
            std::path::Path::new("my-gallery.photon.ts"),
            std::sync::Arc::from(src),
        );
        let photon = out.photon.unwrap();
        let plan = bindings(std::iter::once(&photon));
        let got: Vec<(&str, Vec<(&str, &str)>)> = plan
            .scoped
            .iter()
            .map(|b| {
                (
                    b.binding.as_str(),
                    b.fields.iter().map(|(k, v)| (*k, v.as_str())).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "my_gallery_jobs_queue",
                    vec![("queue", "my-gallery-jobs-queue")]
                ),
                (
                    "my_gallery_vectorize",
                    vec![("index_name", "my-gallery-vectorize")]
                ),
                ("my_gallery_blobs_r2", vec![]),
                (
                    "my_gallery_app_d1",
                    vec![("database_name", "app-db"), ("database_id", "0123")]
                ),
                (
                    "my_gallery_ids_kv",
                    vec![("id", "0123456789abcdef0123456789abcdef")]
                ),
                ("my_gallery_named_kv", vec![]),
            ]
        );
        assert_eq!(plan.shared, [("images", "IMAGES")]);
    }

    #[test]
    fn user_entries_are_kept_and_ours_added_once() {
        let mut doc: DocumentMut =
            "routes = [\"a.example.com/*\"]\n[[kv_namespaces]]\nbinding = \"p_kv\"\nid = \"abc\"\n"
                .parse()
                .unwrap();
        let plan = PlatformPlan {
            scoped: vec![
                ScopedBinding {
                    kind: CfKind::Kv,
                    binding: "p_kv".into(),
                    fields: vec![],
                },
                ScopedBinding {
                    kind: CfKind::Queue,
                    binding: "p_queue".into(),
                    fields: vec![("queue", "p-queue".into())],
                },
            ],
            shared: vec![("ai", "AI")],
            route: Some(Route {
                pattern: "b.example.com".into(),
                custom_domain: true,
            }),
            logs: true,
        };
        apply(&mut doc, &plan);
        apply(&mut doc, &plan);
        let text = doc.to_string();
        assert_eq!(text.matches("binding = \"p_kv\"").count(), 1);
        assert!(text.contains("id = \"abc\""));
        assert_eq!(text.matches("[[queues.producers]]").count(), 1);
        assert_eq!(text.matches("b.example.com").count(), 1);
        assert!(text.contains("workers_dev = false"));
        assert!(text.contains("[observability]\nenabled = true"));
        assert!(text.contains("[ai]\nbinding = \"AI\""));
    }
}
