//! The embedded `templates/` tree and the minijinja environment that renders it.
//!
//! Design decision (house style §3.5): templates are compiled into the binary with `include_dir!`
//! so a build never depends on files next to the executable. A name ending in `.j2` is rendered
//! with strict undefined and no auto-escaping; every value that lands in TypeScript, JSON or TOML
//! must go through `|tojson` or `|toml` on purpose. Any other file is copied byte-for-byte.

use std::path::{Path, PathBuf};

use anyhow::Context;
use include_dir::{Dir, DirEntry, include_dir};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Rendered into the skeleton of a new `wrangler.toml` (then merged like an existing one).
pub const TEMPLATE_WRANGLER_TOML: &str = "wrangler.toml.j2";

/// Templates that land at the root of DIR; everything else lands under `DIR/src/`.
const PROJECT_ROOT_FILES: &[(&str, &str)] = &[
    ("package.json.j2", "package.json"),
    ("tsconfig.json", "tsconfig.json"),
    ("gitignore", ".gitignore"),
];

/// One file the templates produce, before it is written.
pub struct TemplateFile {
    /// The template's path inside `templates/`.
    pub template: &'static Path,
    /// Where it goes, relative to DIR.
    pub output: PathBuf,
    pub render: bool,
    pub contents: &'static [u8],
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
        let skeleton = TEMPLATES
            .get_file(TEMPLATE_WRANGLER_TOML)
            .map(|f| (f.path(), f.contents()));
        let rendered = files()
            .into_iter()
            .filter(|f| f.render)
            .map(|f| (f.template, f.contents));
        for (path, contents) in skeleton.into_iter().chain(rendered) {
            let name = path.to_str().expect("template paths are UTF-8");
            let source = std::str::from_utf8(contents).expect("templates are UTF-8 text");
            // Templates are compiled in, so a syntax error is caught by the unit test below
            // before it can ship; `expect` cannot fire for a user.
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

/// Every embedded file except the `wrangler.toml` skeleton (merged separately), sorted by path.
pub fn files() -> Vec<TemplateFile> {
    let mut out = Vec::new();
    collect(&TEMPLATES, &mut out);
    out.sort_by(|a, b| a.output.cmp(&b.output));
    out
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<TemplateFile>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => {
                // Runtime tests live next to the runtime but are not part of a Worker.
                let name = sub.path().file_name().and_then(|n| n.to_str());
                if !matches!(name, Some("__tests__" | "test" | "tests" | "node_modules")) {
                    collect(sub, out);
                }
            }
            DirEntry::File(file) => {
                let template = file.path();
                let Some(name) = template.to_str() else {
                    continue;
                };
                if name == TEMPLATE_WRANGLER_TOML || is_not_shipped(name) {
                    continue;
                }
                let render = name.ends_with(".j2");
                let output = match PROJECT_ROOT_FILES.iter().find(|(t, _)| *t == name) {
                    Some((_, output)) => PathBuf::from(output),
                    None => Path::new("src").join(name.strip_suffix(".j2").unwrap_or(name)),
                };
                out.push(TemplateFile {
                    template,
                    output,
                    render,
                    contents: file.contents(),
                });
            }
        }
    }
}

/// Files under `templates/` that document or test the runtime rather than being part of it.
fn is_not_shipped(name: &str) -> bool {
    name.ends_with(".md")
        || name.ends_with(".test.ts")
        || name.ends_with(".spec.ts")
        || name.rsplit('/').next().is_some_and(|f| f.starts_with('.'))
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
    fn every_template_compiles_and_project_files_are_embedded() {
        let templates = Templates::new();
        let outputs: Vec<_> = files().into_iter().map(|f| f.output).collect();
        for expected in ["package.json", "tsconfig.json", ".gitignore"] {
            assert!(
                outputs.iter().any(|o| o == Path::new(expected)),
                "{expected} missing from {outputs:?}"
            );
        }
        assert!(templates.env.get_template(TEMPLATE_WRANGLER_TOML).is_ok());
    }

    #[test]
    fn toml_filter_escapes_quotes_and_newlines() {
        let tricky = "a\"b\nc'''\"\"\" = [x]";
        let encoded = toml_filter(Value::from(tricky)).unwrap();
        let doc: toml_edit::DocumentMut = format!("k = {encoded}\n").parse().unwrap();
        assert_eq!(doc["k"].as_str(), Some(tricky));
    }
}
