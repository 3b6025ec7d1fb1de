//! Loading a host photon and its `@photons` siblings, transitively, into a `Project`.
//!
//! A sibling `a` named in `@photons a` is the file `a.photon.ts` in the directory of the photon
//! that names it, then next to the host, then in each `--photons-dir` / `PHOTON_DIR` directory,
//! first match wins. A sibling's own `@photons` are bundled too. A missing file, a name that is
//! not a plain photon name, and a cycle of `@photons` are errors located at the name in the file
//! that wrote it, with the chain that led there. Every photon also goes through
//! `compat::check`. Every problem of the run is collected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostics, SourceFile, catalog, display_path};
use crate::model::Photon;
use crate::names;

/// The host photon and every sibling it needs, each once.
#[derive(Debug, Clone)]
pub struct Project {
    pub host: Photon,
    /// Siblings in dependency order: a sibling comes after the siblings it names itself.
    pub siblings: Vec<Photon>,
}

impl Project {
    /// The host first, then the siblings.
    pub fn photons(&self) -> impl Iterator<Item = &Photon> {
        std::iter::once(&self.host).chain(self.siblings.iter())
    }
}

/// Load `host_path` and its siblings. `None` when an error made a usable project impossible.
pub fn resolve(host_path: &Path, photons_dirs: &[PathBuf]) -> (Option<Project>, Diagnostics) {
    let mut resolver = Resolver {
        host_dir: parent_dir(host_path),
        photons_dirs: photons_dirs.to_vec(),
        loaded: BTreeMap::new(),
        order: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    // A host or sibling with errors is still walked, so one run reports every problem.
    let Some(host) = load_photon(host_path, &mut resolver.diagnostics) else {
        return (None, resolver.diagnostics);
    };
    let mut stack = vec![host.name.clone()];
    resolver.visit(&host, &mut stack);
    let failed = resolver.diagnostics.has_errors();
    let siblings = resolver
        .order
        .iter()
        .filter_map(|name| match resolver.loaded.get(name) {
            Some(Some(photon)) => Some(photon.clone()),
            _ => None,
        })
        .collect();
    let project = (!failed).then_some(Project { host, siblings });
    (project, resolver.diagnostics)
}

/// Read and parse one file and run the Workers compatibility rules over it; diagnostics for it
/// land in `diagnostics`.
pub fn load_photon(path: &Path, diagnostics: &mut Diagnostics) -> Option<Photon> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            diagnostics.push(if err.kind() == std::io::ErrorKind::NotFound {
                catalog::photon_not_found(path)
            } else {
                catalog::unreadable_photon(path, &err)
            });
            return None;
        }
    };
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        Err(err) => {
            // Point at the first byte that is not UTF-8, in a lossy copy of the text: the valid
            // prefix is copied unchanged, so the offset holds, and U+FFFD takes 3 bytes.
            let offset = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes());
            let file = SourceFile::new(path, Arc::from(lossy.as_ref()));
            let span = crate::model::Span::new(offset, '\u{FFFD}'.len_utf8());
            diagnostics.push(catalog::not_utf8(path).at(&file, span, "not UTF-8"));
            return None;
        }
    };
    let source: Arc<str> = Arc::from(source);
    let outcome = crate::parse::parse_photon(path, source.clone());
    let had_errors = outcome.diagnostics.has_errors();
    diagnostics.extend(outcome.diagnostics);
    if outcome.photon.is_none() && !had_errors {
        // The parser always explains a missing model; never fail a build without saying why.
        diagnostics.push(catalog::not_a_photon(path));
    }
    let mut photon = outcome.photon;
    if let Some(photon) = &mut photon {
        diagnostics.extend(crate::compat::check(photon));
        // The companion folder is read here, once: the render stage embeds what was read.
        let (files, found) = crate::assets::collect(photon);
        diagnostics.extend(found);
        let (views, found) = crate::ui_views::collect(photon);
        diagnostics.extend(found);
        photon.companions = crate::model::Companions { files, views };
    }
    photon
}

struct Resolver {
    host_dir: PathBuf,
    photons_dirs: Vec<PathBuf>,
    /// By photon name: `Some` once parsed, `None` when loading failed (reported once).
    loaded: BTreeMap<String, Option<Photon>>,
    /// Names in dependency order (post-order of the walk).
    order: Vec<String>,
    diagnostics: Diagnostics,
}

impl Resolver {
    /// Walk `photon`'s `@photons`; `stack` is the chain of names from the host to `photon`.
    fn visit(&mut self, photon: &Photon, stack: &mut Vec<String>) {
        let file = SourceFile::new(&photon.path, photon.source.clone());
        for sibling in &photon.doc.photons {
            let name = &sibling.value;
            if !names::is_photon_name_ref(name) {
                self.diagnostics.push(catalog::bad_sibling_name(name).at(
                    &file,
                    sibling.span,
                    "not a photon name",
                ));
                continue;
            }
            if let Some(start) = stack.iter().position(|n| n == name) {
                let mut chain: Vec<&str> = stack[start..].iter().map(String::as_str).collect();
                chain.push(name);
                let chain = chain.join(" → ");
                self.diagnostics.push(catalog::sibling_cycle(&chain).at(
                    &file,
                    sibling.span,
                    "leads back here",
                ));
                continue;
            }
            if self.loaded.contains_key(name) {
                continue;
            }
            let Some(path) = self.find(name, &photon.path) else {
                let mut chain = stack.join(" → ");
                chain.push_str(&format!(" → {name}"));
                let searched = self
                    .search_dirs(&photon.path)
                    .iter()
                    .map(|d| format!("`{}`", display_path(&d.join(names::photon_file_name(name)))))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.diagnostics
                    .push(catalog::missing_sibling(name, &chain, &searched).at(
                        &file,
                        sibling.span,
                        format!("no `{}`", names::photon_file_name(name)),
                    ));
                self.loaded.insert(name.clone(), None);
                continue;
            };
            let loaded = load_photon(&path, &mut self.diagnostics);
            self.loaded.insert(name.clone(), loaded.clone());
            if let Some(child) = loaded {
                stack.push(name.clone());
                self.visit(&child, stack);
                stack.pop();
            }
            self.order.push(name.clone());
        }
    }

    fn search_dirs(&self, referrer: &Path) -> Vec<PathBuf> {
        let mut dirs = vec![parent_dir(referrer)];
        for dir in std::iter::once(&self.host_dir).chain(self.photons_dirs.iter()) {
            if !dirs.contains(dir) {
                dirs.push(dir.clone());
            }
        }
        dirs
    }

    fn find(&self, name: &str, referrer: &Path) -> Option<PathBuf> {
        self.search_dirs(referrer)
            .into_iter()
            .map(|dir| dir.join(names::photon_file_name(name)))
            .find(|path| path.is_file())
    }
}

/// The directory of `path`; empty (the current directory) for a bare file name, so paths in
/// messages read `leaf.photon.ts` rather than `./leaf.photon.ts`.
fn parent_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, photons: &str) {
        let text = format!(
            "/**\n * Test photon.\n * @photons {photons}\n */\nexport default class T {{\n  async hello() {{ return 1; }}\n}}\n"
        );
        std::fs::write(dir.join(format!("{name}.photon.ts")), text).unwrap();
    }

    fn codes(diagnostics: &Diagnostics) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn siblings_are_transitive_and_in_dependency_order() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "host", "a, b");
        write(dir.path(), "a", "c");
        write(dir.path(), "b", "c");
        let extra = tempfile::tempdir().unwrap();
        write(extra.path(), "c", "");
        let (project, diagnostics) = resolve(
            &dir.path().join("host.photon.ts"),
            &[extra.path().to_path_buf()],
        );
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        let names: Vec<_> = project.unwrap().photons().map(|p| p.name.clone()).collect();
        assert_eq!(names, ["host", "c", "a", "b"]);
    }

    #[test]
    fn missing_sibling_names_the_chain_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "host", "a");
        write(dir.path(), "a", "gone");
        let (project, diagnostics) = resolve(&dir.path().join("host.photon.ts"), &[]);
        assert!(project.is_none());
        assert_eq!(
            codes(&diagnostics),
            [crate::diagnostics::catalog::MISSING_SIBLING]
        );
        let diagnostic = diagnostics.iter().next().unwrap();
        assert!(
            diagnostic.message.contains("host → a → gone"),
            "{}",
            diagnostic.message
        );
        assert_eq!(diagnostic.line_col(), Some((3, 13)));
        assert!(
            diagnostic
                .file
                .as_ref()
                .unwrap()
                .path
                .ends_with("a.photon.ts")
        );
    }

    #[test]
    fn cycles_back_to_the_host_and_between_siblings_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "host", "a, b");
        write(dir.path(), "a", "host");
        write(dir.path(), "b", "c");
        write(dir.path(), "c", "b");
        let (_, diagnostics) = resolve(&dir.path().join("host.photon.ts"), &[]);
        let messages: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            messages,
            [
                "`@photons` cycle: host → a → host",
                "`@photons` cycle: b → c → b"
            ]
        );
    }

    #[test]
    fn a_path_is_not_a_sibling_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "host", "../elsewhere/x");
        let (_, diagnostics) = resolve(&dir.path().join("host.photon.ts"), &[]);
        assert_eq!(
            codes(&diagnostics),
            [crate::diagnostics::catalog::BAD_SIBLING_NAME]
        );
    }

    #[test]
    fn every_problem_of_the_tree_is_reported_together() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "host", "broken, gone");
        std::fs::write(
            dir.path().join("broken.photon.ts"),
            "/** @photons also-gone */\nexport default class B {\n  async x( {\n}\n",
        )
        .unwrap();
        let (project, diagnostics) = resolve(&dir.path().join("host.photon.ts"), &[]);
        assert!(project.is_none());
        let codes = codes(&diagnostics);
        assert!(
            codes.contains(&crate::diagnostics::catalog::SYNTAX_ERROR),
            "{codes:?}"
        );
        assert!(
            codes.contains(&crate::diagnostics::catalog::MISSING_SIBLING),
            "{codes:?}"
        );
    }

    #[test]
    fn a_missing_host_is_reported() {
        let (project, diagnostics) = resolve(Path::new("no/such.photon.ts"), &[]);
        assert!(project.is_none());
        assert_eq!(
            codes(&diagnostics),
            [crate::diagnostics::catalog::PHOTON_NOT_FOUND]
        );
    }
}
