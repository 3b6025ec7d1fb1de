//! Class-level `@prompt <id> <path>` / `@resource <id> <path>` files: read at build time, relative
//! to the photon file, and embedded in the manifest (text as is, anything binary as base64).

use std::path::Path;

use super::Ctx;
use crate::assets::base64;
use crate::diagnostics::catalog;
use crate::model::{Asset, AssetContent, AssetKind, AssetTag};

impl Ctx {
    /// Reads every declared asset; a missing or unreadable file is an error at its path.
    pub(super) fn read_assets(&mut self, photon_path: &Path, tags: &[AssetTag]) -> Vec<Asset> {
        let dir = photon_path.parent().unwrap_or_else(|| Path::new("."));
        let mut out = Vec::new();
        for tag in tags {
            // `/x` is relative to the photon's folder too: a build must not read the machine's
            // root, and the local runtime resolves asset paths against the photon's folder.
            let file = dir.join(tag.path.trim_start_matches("./").trim_start_matches('/'));
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    let label = match tag.kind {
                        AssetKind::Prompt => "prompt",
                        AssetKind::Resource => "resource",
                    };
                    self.error(
                        catalog::surface_file_not_found(label, &tag.id, &tag.path, &e.to_string()),
                        tag.span,
                        "this file",
                    );
                    continue;
                }
            };
            let mime_type = mime_type(&tag.path).to_string();
            let binary = mime_type.starts_with("image/") && mime_type != "image/svg+xml"
                || mime_type == "application/pdf"
                || mime_type == "application/octet-stream";
            let content = match String::from_utf8(bytes) {
                Ok(text) if !binary => AssetContent::Text(text),
                Ok(text) => AssetContent::Blob(base64(text.as_bytes())),
                Err(e) => AssetContent::Blob(base64(e.as_bytes())),
            };
            out.push(Asset {
                kind: tag.kind,
                id: tag.id.clone(),
                path: tag.path.clone(),
                mime_type,
                content,
                span: tag.span,
            });
        }
        out
    }
}

/// The MIME type of a path by its extension: the local extractor's table.
pub fn mime_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "jsx" => "text/jsx",
        "ts" => "text/typescript",
        "tsx" => "text/tsx",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn mime_types_follow_the_extension() {
        assert_eq!(mime_type("./prompts/system.md"), "text/markdown");
        assert_eq!(mime_type("./logo.PNG"), "image/png");
        assert_eq!(mime_type("./data.bin"), "application/octet-stream");
    }
}
