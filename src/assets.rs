//! Companion files a photon reads with `this.assets(path, load?)`: looked up in the companion
//! folder next to the photon (`<dir>/<name>/`, as the local runtime does), checked (missing,
//! outside the folder, too large, computed path) and embedded in the manifest at build time,
//! since a Worker has no file system to read them from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostics, SourceFile, catalog};
use crate::model::Photon;

/// The largest companion file embedded (the whole Worker must stay within Cloudflare's bundle
/// limit: 3 MiB compressed on the free plan).
pub const MAX_ASSET_BYTES: u64 = 1024 * 1024;

/// The companion folder: `<dir>/<name>/`, or its legacy `assets/` sub-folder when only that
/// exists (the local runtime's order).
pub fn companion_root(photon: &Photon) -> PathBuf {
    let dir = photon.path.parent().unwrap_or(Path::new("."));
    let root = dir.join(&photon.name);
    let legacy = root.join("assets");
    if !root.exists() && legacy.exists() {
        legacy
    } else {
        root
    }
}

/// `sub` made relative to the companion folder (`./a/../b.md` → `b.md`); `None` when it leaves
/// the folder or is absolute.
pub fn normalize(sub: &str) -> Option<String> {
    if sub.starts_with('/') || sub.starts_with('\\') || sub.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in sub.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The files `this.assets` names, keyed by their normalized sub-path, and what is wrong with them.
pub fn collect(photon: &Photon) -> (BTreeMap<String, Vec<u8>>, Diagnostics) {
    let mut files = BTreeMap::new();
    let mut out = Diagnostics::new();
    if photon.asset_refs.is_empty() {
        return (files, out);
    }
    let file = SourceFile::new(&photon.path, photon.source.clone());
    let root = companion_root(photon);
    let folder = format!("{}/", photon.name);
    for r in &photon.asset_refs {
        let Some(sub) = &r.path else {
            out.push(catalog::asset_not_embedded(&folder).at(
                &file,
                r.span,
                "path known only at run time",
            ));
            continue;
        };
        let Some(key) = normalize(sub) else {
            out.push(catalog::asset_outside_folder(sub, &folder).at(
                &file,
                r.span,
                "outside the companion folder",
            ));
            continue;
        };
        let path = root.join(&key);
        // A symlink out of the folder is outside it too.
        let inside = match (path.canonicalize(), root.canonicalize()) {
            (Ok(p), Ok(r)) => p.starts_with(r),
            _ => true,
        };
        if !inside {
            out.push(catalog::asset_outside_folder(sub, &folder).at(
                &file,
                r.span,
                "links outside the companion folder",
            ));
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => {
                if meta.len() > MAX_ASSET_BYTES {
                    out.push(
                        catalog::asset_too_large(&key, &folder, meta.len(), MAX_ASSET_BYTES).at(
                            &file,
                            r.span,
                            "too large to embed",
                        ),
                    );
                    continue;
                }
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        files.insert(key, bytes);
                    }
                    Err(_) => out.push(catalog::asset_not_found(&key, &folder).at(
                        &file,
                        r.span,
                        "unreadable companion file",
                    )),
                }
            }
            _ => out.push(catalog::asset_not_found(&key, &folder).at(
                &file,
                r.span,
                "no such companion file",
            )),
        }
    }
    (files, out)
}

/// Standard base64 with padding (RFC 4648), as the manifest and MCP's `blob` fields carry
/// binary files.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::parse::parse_photon;

    #[test]
    fn sub_paths_stay_in_the_folder() {
        assert_eq!(normalize("slides.md").as_deref(), Some("slides.md"));
        assert_eq!(normalize("./a/../b/c.md").as_deref(), Some("b/c.md"));
        assert_eq!(normalize("../secret"), None);
        assert_eq!(normalize("a/../../x"), None);
        assert_eq!(normalize("/etc/passwd"), None);
        assert_eq!(normalize("C:\\x"), None);
        assert_eq!(normalize("."), None);
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe, 0x00, 0x01]), "//4AAQ==");
    }

    #[test]
    fn each_problem_is_located_at_its_call() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("t")).unwrap();
        std::fs::write(dir.path().join("t/ok.md"), "# hi").unwrap();
        std::fs::write(
            dir.path().join("t/big.bin"),
            vec![0u8; MAX_ASSET_BYTES as usize + 1],
        )
        .unwrap();
        let src = "export default class T {\n  a() { return this.assets('ok.md', true); }\n  b() { return this.assets('gone.md', true); }\n  c() { return this.assets('../t.photon.ts', true); }\n  d() { return this.assets('big.bin'); }\n  e(p: string) { return (this as any).assets(p, true); }\n}\n";
        let path = dir.path().join("t.photon.ts");
        let photon = parse_photon(&path, Arc::from(src)).photon.unwrap();
        let (files, diags) = collect(&photon);
        assert_eq!(files.keys().collect::<Vec<_>>(), ["ok.md"]);
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.is_error(), d.line_col().unwrap().0))
            .collect();
        assert_eq!(
            got,
            [
                (catalog::ASSET_NOT_FOUND, true, 3),
                (catalog::ASSET_OUTSIDE_FOLDER, true, 4),
                (catalog::ASSET_TOO_LARGE, true, 5),
                (catalog::ASSET_NOT_EMBEDDED, false, 6),
            ]
        );
    }
}
