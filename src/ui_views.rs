//! `@ui` views served as MCP Apps: the views a photon declares (`@ui <id> ./path` in any docblock,
//! a pathless `@ui <id>` found by the `ui/<id>.photon.html|.html` convention, every HTML file of
//! the companion folder's `ui/`), the tools they are linked to (a method docblock's `@ui <id>`),
//! read as the local runtime reads them (text scanning of the docblocks, paths in the companion
//! folder) and embedded at build time. A view that needs compiling (`.tsx`) is refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::assets::MAX_ASSET_BYTES;
use crate::diagnostics::{Diagnostics, SourceFile, catalog};
use crate::model::{Photon, Span, View, Views};

/// One `@ui` tag: its id, its path if any, where it is, and the method its docblock precedes.
#[derive(Debug)]
struct Tag {
    id: String,
    path: Option<String>,
    span: Span,
    method: Option<String>,
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Every `@ui` tag of every `/** */` block of `source`.
fn tags(source: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = source[from..].find("/**").map(|i| from + i) {
        let Some(end) = source[start + 3..].find("*/").map(|i| start + 3 + i) else {
            break;
        };
        let block = &source[start..end];
        let method = method_after(&source[end + 2..]);
        let mut at = 0;
        while let Some(i) = block[at..].find("@ui").map(|i| at + i) {
            at = i + 3;
            let rest = &block[at..];
            if !rest.starts_with([' ', '\t']) {
                continue;
            }
            let rest = rest.trim_start_matches([' ', '\t']);
            let id: String = rest.chars().take_while(|c| is_id_char(*c)).collect();
            if id.is_empty() {
                continue;
            }
            let after = rest[id.len()..].trim_start_matches([' ', '\t']);
            let path: String = after
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '*')
                .collect();
            let path = (path.starts_with("./") || path.starts_with('/')).then_some(path);
            out.push(Tag {
                id,
                path,
                span: Span::new(start + i, 3),
                method: method.clone(),
            });
        }
        from = end + 2;
    }
    out
}

/// The method a docblock documents: after `*/`, modifiers and a generator `*`, `name(`.
fn method_after(text: &str) -> Option<String> {
    let mut rest = text.trim_start();
    loop {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        match word.as_str() {
            "public" | "private" | "protected" | "static" | "async" => {
                rest = rest[word.len()..].trim_start();
            }
            _ => break,
        }
    }
    rest = rest.trim_start_matches('*').trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    if name.is_empty() || matches!(name.as_str(), "export" | "class" | "default") {
        return None;
    }
    let after = rest[name.len()..].trim_start();
    (after.starts_with('(') || after.starts_with('<')).then_some(name)
}

/// `<!doctype html>` around a `.photon.html` fragment, as the local runtime wraps it.
fn document(content: String) -> String {
    let head = content.trim_start().to_ascii_lowercase();
    if head.starts_with("<!doctype") || head.starts_with("<html") {
        return content;
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n</head>\n<body>\n{content}\n</body>\n</html>"
    )
}

/// The views of `photon`, and what is wrong with them.
pub fn collect(photon: &Photon) -> (Views, Diagnostics) {
    let mut out = Views::default();
    let mut diags = Diagnostics::new();
    let file = SourceFile::new(&photon.path, photon.source.clone());
    let dir = photon.path.parent().unwrap_or(Path::new("."));
    let folder = dir.join(&photon.name);
    let tags = tags(&photon.source);
    // id → (file, the tag that declared it, when one did)
    let mut declared: BTreeMap<String, (PathBuf, Option<Span>)> = BTreeMap::new();
    for tag in &tags {
        if declared.contains_key(&tag.id) {
            continue;
        }
        if let Some(path) = &tag.path {
            let rel = path.trim_start_matches("./");
            let base = if folder.is_dir() { &folder } else { dir };
            declared.insert(tag.id.clone(), (base.join(rel), Some(tag.span)));
        } else if tag.method.is_none() {
            let found = [folder.join("assets"), folder.clone(), dir.to_path_buf()]
                .iter()
                .flat_map(|root| {
                    [".photon.tsx", ".tsx", ".photon.html", ".html"]
                        .map(|s| root.join("ui").join(format!("{}{s}", tag.id)))
                })
                .find(|p| p.is_file());
            match found {
                Some(p) => {
                    declared.insert(tag.id.clone(), (p, Some(tag.span)));
                }
                None => diags.push(
                    catalog::ui_view_not_found(&tag.id, &format!("{}/ui/", photon.name)).at(
                        &file,
                        tag.span,
                        "no view file",
                    ),
                ),
            }
        }
    }
    // Every HTML file of `<name>/ui/` is a view too (`.photon.html` wins over `.html`).
    if let Ok(entries) = std::fs::read_dir(folder.join("ui")) {
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort_by_key(|n| (!n.ends_with(".photon.html"), n.clone()));
        for name in names {
            let id = match name.strip_suffix(".photon.html") {
                Some(id) => id.to_string(),
                None => match name.strip_suffix(".html") {
                    Some(id) => id.to_string(),
                    None => continue,
                },
            };
            declared
                .entry(id)
                .or_insert((folder.join("ui").join(&name), None));
        }
    }
    for (id, (path, span)) in declared {
        let name = path.to_string_lossy();
        let locate = |d: crate::diagnostics::Diagnostic, label: &str| match span {
            Some(span) => d.at(&file, span, label.to_string()),
            None => d,
        };
        if name.ends_with(".tsx") {
            diags.push(locate(
                catalog::ui_needs_compiling(&id, &rel(dir, &path)),
                "a view that needs compiling",
            ));
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() > MAX_ASSET_BYTES => diags.push(locate(
                catalog::asset_too_large(&rel(dir, &path), "", m.len(), MAX_ASSET_BYTES),
                "too large to embed",
            )),
            Ok(m) if m.is_file() => match std::fs::read_to_string(&path) {
                Ok(text) => {
                    out.views.insert(
                        id.clone(),
                        View {
                            uri: format!("ui://{}/{id}", photon.name),
                            html: document(text),
                        },
                    );
                }
                Err(_) => diags.push(locate(
                    catalog::ui_view_not_found(&id, &rel(dir, &path)),
                    "unreadable view",
                )),
            },
            _ => diags.push(locate(
                catalog::ui_view_not_found(&id, &rel(dir, &path)),
                "no view file",
            )),
        }
    }
    for tag in &tags {
        if let Some(method) = &tag.method
            && out.views.contains_key(&tag.id)
        {
            out.links.entry(method.clone()).or_insert(tag.id.clone());
        }
    }
    (out, diags)
}

fn rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A linked tool's `_meta`, as the local runtime writes it.
pub fn tool_meta(uri: &str) -> serde_json::Value {
    serde_json::json!({
        "ui": { "resourceUri": uri },
        "outputTemplate": uri,
        "openai/outputTemplate": uri,
        "openai/widgetAccessible": true,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::parse::parse_photon;

    #[test]
    fn methods_after_docblocks() {
        assert_eq!(
            method_after("\n  async *main(x) {").as_deref(),
            Some("main")
        );
        assert_eq!(method_after(" static go<T>() {").as_deref(), Some("go"));
        assert_eq!(method_after("\nexport default class X {"), None);
        assert_eq!(method_after("\nconst x = 1;"), None);
    }

    #[test]
    fn declared_convention_and_folder_views_link_to_tools() {
        let dir = tempfile::tempdir().unwrap();
        let ui = dir.path().join("t/ui");
        std::fs::create_dir_all(&ui).unwrap();
        std::fs::write(ui.join("board.html"), "<!doctype html><p>board</p>").unwrap();
        std::fs::write(ui.join("card.photon.html"), "<p>card</p>").unwrap();
        std::fs::write(ui.join("card.html"), "<p>shadowed</p>").unwrap();
        std::fs::write(ui.join("editor.tsx"), "export default () => null;").unwrap();
        let src = "/**\n * T.\n * @ui board ./ui/board.html\n * @ui card\n * @ui editor ./ui/editor.tsx\n * @ui gone\n */\nexport default class T {\n  /**\n   * Show.\n   * @ui board\n   */\n  async show() { return 1; }\n  /** @ui card */\n  card() { return 2; }\n}\n";
        let photon = parse_photon(&dir.path().join("t.photon.ts"), Arc::from(src))
            .photon
            .unwrap();
        let (views, diags) = collect(&photon);
        assert_eq!(views.views.keys().collect::<Vec<_>>(), ["board", "card"]);
        assert_eq!(views.views["board"].uri, "ui://t/board");
        assert_eq!(views.views["board"].html, "<!doctype html><p>board</p>");
        assert!(
            views.views["card"]
                .html
                .contains("<body>\n<p>card</p>\n</body>")
        );
        assert_eq!(views.links["show"], "board");
        assert_eq!(views.links["card"], "card");
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.is_error(), d.line_col().map(|l| l.0)))
            .collect();
        assert_eq!(
            got,
            [
                (catalog::UI_VIEW_NOT_FOUND, false, Some(6)),
                (catalog::UI_NEEDS_COMPILING, true, Some(5)),
            ]
        );
    }
}
