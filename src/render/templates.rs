//! The embedded `templates/` tree and the minijinja environment that renders it.
//!
//! Design decision (house style §3.5): templates are compiled into the binary with `include_dir!`
//! so a build never depends on files next to the executable. Which template becomes which file
//! is decided by the table in `layout.rs`, not by this module. A template rendered by minijinja
//! (`Source::Render` / `Source::Skeleton`) uses strict undefined and no auto-escaping; every
//! value that lands in TypeScript, JSON or TOML must go through `|tojson` or `|toml` on purpose.

use anyhow::Context;
use include_dir::{Dir, include_dir};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::layout::{self, Source};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The bytes of `templates/<path>`; `Err` (a photon-cf bug) when the table names a template that
/// is not embedded.
pub fn contents(path: &str) -> anyhow::Result<&'static [u8]> {
    TEMPLATES
        .get_file(path)
        .map(|f| f.contents())
        .with_context(|| format!("template `{path}` is not embedded (this is a photon-cf bug)"))
}

/// Every embedded file, as a `/`-separated path inside `templates/`, sorted.
pub fn embedded_paths() -> Vec<String> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<String>) {
        for file in dir.files() {
            out.push(file.path().to_string_lossy().replace('\\', "/"));
        }
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&TEMPLATES, &mut out);
    out.sort();
    out
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_debug(true);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // minijinja drops a template's final newline unless told to keep it.
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("the default syntax is valid"),
        );
        env.add_filter("toml", toml_filter);
        for row in layout::FILES {
            let (Source::Render(name) | Source::Skeleton(name)) = row.source else {
                continue;
            };
            // Templates are compiled in, so a missing or broken one is caught by the unit test
            // below before it can ship; these panics cannot fire for a user.
            let source = TEMPLATES
                .get_file(name)
                .and_then(|f| f.contents_utf8())
                .unwrap_or_else(|| panic!("template `{name}` is not embedded as UTF-8"));
            env.add_template(name, source)
                .unwrap_or_else(|err| panic!("template `{name}` does not compile: {err}"));
        }
        Self { env }
    }

    /// Render one template with `context`; line endings are normalised to `\n`.
    pub fn render(&self, name: &str, context: &Value) -> anyhow::Result<String> {
        let template = self
            .env
            .get_template(name)
            .with_context(|| format!("template `{name}` is not embedded"))?;
        let text = template.render(context).map_err(|err| {
            anyhow::anyhow!("{err:#}").context(format!(
                "failed to render template `{name}` (this is a photon-cf bug, please report it)"
            ))
        })?;
        Ok(text.replace("\r\n", "\n"))
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

/// `|toml`: a TOML value (string, number, bool, array) encoded by toml_edit, never by hand.
fn toml_filter(value: Value) -> Result<String, minijinja::Error> {
    let json = serde_json::to_value(&value).map_err(|err| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "value cannot be encoded as TOML",
        )
        .with_source(err)
    })?;
    crate::render::wrangler_toml::toml_value(&json)
        .map(|v| v.to_string().trim().to_string())
        .ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "value cannot be encoded as TOML",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let templates = Templates::new();
        for row in layout::FILES {
            match row.source {
                Source::Render(name) | Source::Skeleton(name) => {
                    assert!(templates.env.get_template(name).is_ok(), "{name}");
                }
                Source::Copy(name) => assert!(contents(name).is_ok(), "{name}"),
                Source::Code(_) => {}
            }
        }
    }

    /// A file added under `templates/` must be given a row in the layout table (or be
    /// deliberately excluded there), so no file is forgotten or shipped by accident.
    #[test]
    fn every_embedded_file_is_in_the_layout_table_or_excluded() {
        let sources: Vec<&str> = layout::FILES
            .iter()
            .filter_map(|row| match row.source {
                Source::Copy(t) | Source::Render(t) | Source::Skeleton(t) => Some(t),
                Source::Code(_) => None,
            })
            .collect();
        let forgotten: Vec<String> = embedded_paths()
            .into_iter()
            .filter(|path| !sources.contains(&path.as_str()) && !layout::is_not_shipped(path))
            .collect();
        assert!(
            forgotten.is_empty(),
            "templates/ files with no row in src/render/layout.rs: {forgotten:?}"
        );
    }

    /// esbuild keeps "legal comments" (`//!`, `/*!`, `@license`, `@preserve`) in a minified
    /// bundle, so such a comment in the runtime would be uploaded with every Worker (the
    /// runtime's `//!` file openings were 5.7 KiB of the counter photon's bundle). The runtime's
    /// file openings are plain `//` lines.
    #[test]
    fn no_shipped_template_has_a_comment_the_bundle_keeps() {
        let kept: Vec<String> = embedded_paths()
            .into_iter()
            .filter(|path| !layout::is_not_shipped(path))
            .filter(|path| {
                let text = String::from_utf8_lossy(contents(path).unwrap_or_default());
                text.lines().any(|line| {
                    let line = line.trim_start();
                    line.starts_with("//!")
                        || line.starts_with("/*!")
                        || ((line.starts_with("//")
                            || line.starts_with("/*")
                            || line.starts_with('*'))
                            && (line.contains("@license") || line.contains("@preserve")))
                })
            })
            .collect();
        assert!(
            kept.is_empty(),
            "templates with a comment esbuild keeps in the minified bundle: {kept:?}"
        );
    }

    #[test]
    fn toml_filter_escapes_quotes_and_newlines() {
        let tricky = "a\"b\nc'''\"\"\" = [x]";
        let encoded = toml_filter(Value::from(tricky)).unwrap();
        let doc: toml_edit::DocumentMut = format!("k = {encoded}\n").parse().unwrap();
        assert_eq!(doc["k"].as_str(), Some(tricky));
    }
}
