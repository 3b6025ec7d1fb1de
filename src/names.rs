//! Every name photon-cf derives from a photon: its photon name (from the file), the local
//! runtime's memory id (from the class), the env var of a constructor parameter, the Durable
//! Object binding and class, and the Worker name. Plain string functions, no SWC: the parser,
//! `render` and the commands all call these, so a rule lives in exactly one place.

use heck::{ToShoutySnakeCase, ToUpperCamelCase};

/// The file suffix of a photon; the photon name is the file name without it.
pub const PHOTON_SUFFIX: &str = ".photon.ts";

/// The binding of the host photon's Durable Object.
pub const HOST_BINDING: &str = "PHOTON";

/// The Durable Object behind the memory `global` scope, exported by the runtime.
pub const GLOBAL_BINDING: &str = "PHOTON_GLOBAL";
pub const GLOBAL_CLASS: &str = "PhotonGlobalStore";

/// The photon name a file name gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileName {
    /// `name.photon.ts` → `name`.
    Photon(String),
    /// Not a `*.photon.ts` file: the stem (`.ts` removed) to go on with after the diagnostic.
    NotPhoton(String),
}

/// The photon name of a file name: the name minus `.photon.ts` (README, "Photon names").
pub fn photon_name(file_name: &str) -> FileName {
    match file_name.strip_suffix(PHOTON_SUFFIX) {
        Some(name) => FileName::Photon(name.to_string()),
        None => FileName::NotPhoton(
            file_name
                .strip_suffix(".ts")
                .unwrap_or(file_name)
                .to_string(),
        ),
    }
}

/// The file of photon `name`: `name.photon.ts` (siblings are found, and sources shipped, by it).
pub fn photon_file_name(name: &str) -> String {
    format!("{name}{PHOTON_SUFFIX}")
}

/// A photon name a file may carry: starts with a letter or digit, then only letters, digits,
/// `-` and `_` (it becomes the binding, class and Worker names).
pub fn is_valid_photon_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && is_photon_name_ref(name)
}

/// A photon name as `@photons` may list it: non-empty, only letters, digits, `-` and `_` (no
/// separators, quotes or spaces, so never a path).
pub fn is_photon_name_ref(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// The class-derived id the local runtime uses for `this.memory` and `this.schedule`: every
/// capital gets a `-` before it, lower-cased, a trailing `MCP` stripped first (`TodoList` →
/// `todo-list`, `WeatherMCP` → `weather`), as upstream's `getMCPName`. An anonymous class
/// (`export default class {}`) uses the photon name.
pub fn memory_id(class_name: Option<&str>, photon: &str) -> String {
    let Some(class_name) = class_name else {
        return photon.to_string();
    };
    let base = class_name.strip_suffix("MCP").unwrap_or(class_name);
    let mut out = String::with_capacity(base.len() + 4);
    for c in base.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_start_matches('-').to_string()
}

/// The Worker env var a constructor parameter is read from: `<PHOTON>_<PARAM>` in upper snake
/// case (`cf-counter`, `apiKey` → `CF_COUNTER_API_KEY`).
pub fn env_var(photon: &str, param: &str) -> String {
    let prefix = photon.to_ascii_uppercase().replace('-', "_");
    format!("{prefix}_{}", param.to_shouty_snake_case())
}

/// The Durable Object binding: `PHOTON` for the host, `PHOTON_<UPPER_SNAKE>` for a sibling.
pub fn binding(photon: &str, is_host: bool) -> String {
    if is_host {
        HOST_BINDING.to_string()
    } else {
        sibling_binding(photon)
    }
}

/// The Worker binding of `this.cf.<kind>(qualifier?)`, named as upstream names it (so a
/// `wrangler.toml` written for `photon host deploy cf` keeps working): `<photon>_<kind>` or
/// `<photon>_<qualifier>_<kind>`, lower-cased, `-` → `_` (`cf-kv-min`, `cache`, `kv` →
/// `cf_kv_min_cache_kv`). Photon names and qualifiers are `[A-Za-z0-9_-]`, so it is an identifier
/// part.
pub fn cf_binding(photon: &str, kind: &str, qualifier: Option<&str>) -> String {
    let safe = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    match qualifier {
        Some(q) if !q.is_empty() => format!("{}_{}_{kind}", safe(photon), safe(q)),
        _ => format!("{}_{kind}", safe(photon)),
    }
}

/// `@expose` path of a method, upstream's `methodToKebab`: `getCurrentUser` →
/// `/api/get-current-user`, `parseURL` → `/api/parse-url`, `HTMLParser` → `/api/html-parser`.
pub fn expose_path(method: &str) -> String {
    let chars: Vec<char> = method.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    format!("/api/{out}")
}

/// The shared bindings of `this.cf.ai` / `images` / `browser`: one per Worker, fixed names.
pub const CF_AI_BINDING: &str = "AI";
pub const CF_IMAGES_BINDING: &str = "IMAGES";
pub const CF_BROWSER_BINDING: &str = "BROWSER";

/// `PHOTON_<UPPER_SNAKE>` with only `[A-Z0-9_]`.
pub fn sibling_binding(photon: &str) -> String {
    let snake: String = ascii_words(photon).to_shouty_snake_case();
    format!("PHOTON_{snake}")
}

/// `<Pascal>PhotonDO`, a valid JavaScript identifier (a leading digit gets a `Photon` prefix).
pub fn do_class(photon: &str) -> String {
    let pascal = ascii_words(photon).to_upper_camel_case();
    if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Photon{pascal}PhotonDO")
    } else {
        format!("{pascal}PhotonDO")
    }
}

/// Whether a Durable Object binding has a name photon-cf generates (`PHOTON`, `PHOTON_*`,
/// including the runtime's `PHOTON_GLOBAL`).
pub fn is_photon_binding(name: &str) -> bool {
    name == HOST_BINDING || name.starts_with("PHOTON_")
}

/// The identifier the worker entry imports photon number `index` (in project order) as.
pub fn module_ident(index: usize) -> String {
    format!("Photon{index}")
}

/// The import path of photon `name`'s source from the worker entry (`src/worker.ts`).
pub fn import_path(name: &str) -> String {
    format!("./photons/{name}.photon")
}

/// The Worker name (and the generated `package.json` name) of a host photon: lower-case
/// `[a-z0-9-]`, at most 63 characters (a DNS label), `photon` when nothing is left.
pub fn worker_name(photon: &str) -> String {
    let mut out = String::new();
    for c in photon.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(63).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "photon".into() } else { out }
}

/// The generated names of one photon in a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotonNames {
    pub name: String,
    pub binding: String,
    pub do_class: String,
    pub memory_id: String,
}

impl PhotonNames {
    /// The names of photon `name` (class `class_name`); the host is the first photon.
    pub fn new(name: &str, class_name: Option<&str>, is_host: bool) -> Self {
        Self {
            name: name.to_string(),
            binding: binding(name, is_host),
            do_class: do_class(name),
            memory_id: memory_id(class_name, name),
        }
    }
}

/// Non-ASCII-alphanumeric characters become word breaks, so names stay ASCII identifiers.
fn ascii_words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photon_name_comes_from_the_file_name() {
        assert_eq!(
            photon_name("cf-counter.photon.ts"),
            FileName::Photon("cf-counter".into())
        );
        assert_eq!(
            photon_name("counter.ts"),
            FileName::NotPhoton("counter".into())
        );
        assert_eq!(photon_name("README"), FileName::NotPhoton("README".into()));
        assert!(is_valid_photon_name("cf_counter-2"));
        assert!(!is_valid_photon_name("-x"));
        assert!(!is_valid_photon_name(""));
        assert!(!is_valid_photon_name("a b"));
        assert_eq!(photon_file_name("billing"), "billing.photon.ts");
        assert_eq!(
            photon_name(&photon_file_name("billing")),
            FileName::Photon("billing".into())
        );
        assert!(is_photon_name_ref("_x"));
        assert!(!is_photon_name_ref("./x"));
        assert!(!is_photon_name_ref(""));
    }

    #[test]
    fn cf_bindings_are_named_as_upstream() {
        assert_eq!(
            cf_binding("cf-kv-min", "kv", Some("cache")),
            "cf_kv_min_cache_kv"
        );
        assert_eq!(cf_binding("Gallery", "d1", None), "gallery_d1");
        assert_eq!(cf_binding("g", "r2", Some("my-Blobs")), "g_my_blobs_r2");
    }

    #[test]
    fn expose_paths_are_upstream_kebab() {
        assert_eq!(expose_path("getCurrentUser"), "/api/get-current-user");
        assert_eq!(expose_path("parseURL"), "/api/parse-url");
        assert_eq!(expose_path("exportICalFeed"), "/api/export-i-cal-feed");
        assert_eq!(expose_path("HTMLParser"), "/api/html-parser");
        assert_eq!(expose_path("get2FA"), "/api/get2-fa");
    }

    #[test]
    fn memory_ids() {
        assert_eq!(memory_id(Some("TodoList"), "t"), "todo-list");
        assert_eq!(memory_id(Some("WeatherMCP"), "t"), "weather");
        assert_eq!(memory_id(Some("Counter"), "t"), "counter");
        assert_eq!(memory_id(Some("GitHubIssues"), "t"), "git-hub-issues");
        assert_eq!(memory_id(None, "cf-anon"), "cf-anon");
    }

    #[test]
    fn env_vars() {
        assert_eq!(env_var("cf-counter", "apiKey"), "CF_COUNTER_API_KEY");
        assert_eq!(env_var("list", "max_items"), "LIST_MAX_ITEMS");
    }

    #[test]
    fn generated_names_are_identifiers() {
        assert_eq!(worker_name("Cf_Counter v2!"), "cf-counter-v2");
        assert_eq!(worker_name("---"), "photon");
        assert_eq!(worker_name(&"a".repeat(70)).len(), 63);
        assert_eq!(binding("cf-counter", true), "PHOTON");
        assert_eq!(binding("cf-counter", false), "PHOTON_CF_COUNTER");
        assert_eq!(sibling_binding("todoList"), "PHOTON_TODO_LIST");
        assert_eq!(do_class("cf-counter"), "CfCounterPhotonDO");
        assert_eq!(do_class("2fa"), "Photon2faPhotonDO");
        assert_eq!(do_class("héllo wörld"), "HLloWRldPhotonDO");
        assert_eq!(module_ident(2), "Photon2");
        assert_eq!(import_path("cf-counter"), "./photons/cf-counter.photon");
    }

    #[test]
    fn generated_bindings_are_recognised() {
        for name in [HOST_BINDING, GLOBAL_BINDING, &sibling_binding("billing")] {
            assert!(is_photon_binding(name), "{name}");
        }
        assert!(!is_photon_binding("PHOTONS"));
        assert!(!is_photon_binding("MY_KV"));
    }

    #[test]
    fn photon_names_of_host_and_sibling() {
        let host = PhotonNames::new("cf-counter", Some("CfCounter"), true);
        assert_eq!(
            host,
            PhotonNames {
                name: "cf-counter".into(),
                binding: "PHOTON".into(),
                do_class: "CfCounterPhotonDO".into(),
                memory_id: "cf-counter".into(),
            }
        );
        let sibling = PhotonNames::new("billing", Some("BillingMCP"), false);
        assert_eq!(sibling.binding, "PHOTON_BILLING");
        assert_eq!(sibling.memory_id, "billing");
    }
}
