//! Writing a rendered project into DIR through a staging directory, so a failed build leaves DIR
//! as it was.
//!
//! Every new or changed file is first written under `DIR/.photon-cf-staging-<pid>/` (same file
//! system, so the moves below are renames). Only when all of them are written are they moved into
//! place; the files they replace are moved aside first and put back if a move fails. Files that
//! are byte-identical are not touched, so `wrangler dev`'s watcher only sees real changes. Files
//! in DIR that photon-cf did not generate (node_modules, .wrangler, the user's own) are never
//! touched, except stale files inside the directories photon-cf owns (`src/photons`,
//! `src/cf-runtime`, `src/photon-core`), which are removed.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// What a write did, as paths relative to DIR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
}

/// Write `files` (relative path → bytes) into `dir`.
pub fn write_project(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Result<WriteReport> {
    for path in files.keys() {
        anyhow::ensure!(
            path.is_relative()
                && path
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
            "refusing to write `{}` outside the output directory",
            path.display()
        );
    }
    fs::create_dir_all(dir)
        .with_context(|| format!("failed to create the output directory `{}`", dir.display()))?;

    let mut report = WriteReport::default();
    let mut changed = Vec::new();
    for (path, contents) in files {
        match fs::read(dir.join(path)) {
            Ok(existing) if existing == *contents => report.unchanged.push(path.clone()),
            _ => changed.push(path.clone()),
        }
    }
    let stale = stale_files(dir, files)?;
    if changed.is_empty() && stale.is_empty() {
        return Ok(report);
    }

    let staging = dir.join(format!(".photon-cf-staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .with_context(|| format!("failed to clear `{}`", staging.display()))?;
    }
    let result = stage_and_swap(dir, &staging, files, &changed, &stale);
    // The staging directory never outlives the build, whether it worked or not.
    let _ = fs::remove_dir_all(&staging);
    result?;
    report.written = changed;
    report.removed = stale;
    Ok(report)
}

fn stage_and_swap(
    dir: &Path,
    staging: &Path,
    files: &BTreeMap<PathBuf, Vec<u8>>,
    changed: &[PathBuf],
    stale: &[PathBuf],
) -> Result<()> {
    let new_root = staging.join("new");
    let old_root = staging.join("old");
    // Each directory is created once: a project has about forty files in a handful of folders.
    let mut made = HashSet::new();
    for path in changed {
        let target = new_root.join(path);
        create_parent(&target, &mut made)?;
        fs::write(&target, &files[path])
            .with_context(|| format!("failed to write `{}`", target.display()))?;
    }

    // Move the old files aside, then the new ones in; on a failure undo what was moved.
    let mut moved_aside: Vec<&PathBuf> = Vec::new();
    let mut moved_in: Vec<&PathBuf> = Vec::new();
    let result = (|| -> Result<()> {
        for path in changed.iter().chain(stale) {
            let current = dir.join(path);
            if current.exists() {
                let aside = old_root.join(path);
                create_parent(&aside, &mut made)?;
                fs::rename(&current, &aside)
                    .with_context(|| format!("failed to move `{}` aside", current.display()))?;
                moved_aside.push(path);
            }
        }
        for path in changed {
            let target = dir.join(path);
            create_parent(&target, &mut made)?;
            fs::rename(new_root.join(path), &target)
                .with_context(|| format!("failed to write `{}`", target.display()))?;
            moved_in.push(path);
        }
        Ok(())
    })();
    if result.is_err() {
        for path in moved_in {
            let _ = fs::remove_file(dir.join(path));
        }
        for path in moved_aside {
            let _ = fs::rename(old_root.join(path), dir.join(path));
        }
    }
    result
}

fn create_parent(path: &Path, made: &mut HashSet<PathBuf>) -> Result<()> {
    if let Some(parent) = path.parent() {
        if made.contains(parent) {
            return Ok(());
        }
        fs::create_dir_all(parent)
            .with_context(|| format!("failed to create `{}`", parent.display()))?;
        made.insert(parent.to_path_buf());
    }
    Ok(())
}

/// Files photon-cf generated that this build no longer does: anything in the directories it owns,
/// and a feature-gated file elsewhere that still opens with the generated-file line (which files
/// these are is decided by the layout table in `render/layout.rs`).
fn stale_files(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Result<Vec<PathBuf>> {
    let mut stale = Vec::new();
    for row in crate::render::layout::gated_files() {
        let relative = crate::render::layout::output_path(row.path);
        if files.contains_key(&relative) {
            continue;
        }
        if let Ok(contents) = fs::read(dir.join(&relative))
            && crate::render::layout::is_removable(&relative, &contents)
        {
            stale.push(relative);
        }
    }
    for retired in crate::render::layout::RETIRED {
        let relative = PathBuf::from(retired);
        if !files.contains_key(&relative) && dir.join(&relative).is_file() {
            stale.push(relative);
        }
    }
    for owned in crate::render::layout::owned_dirs() {
        let root = dir.join(owned);
        if !root.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("failed to list `{}`", root.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(dir)
                .expect("walked under dir")
                .to_path_buf();
            if !files.contains_key(&relative) {
                stale.push(relative);
            }
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> BTreeMap<PathBuf, Vec<u8>> {
        entries
            .iter()
            .map(|(p, c)| (PathBuf::from(p), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn rewrites_only_changes_and_keeps_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = files(&[
            ("wrangler.toml", "a"),
            ("src/photons/a.photon.ts", "A"),
            ("src/photons/b.photon.ts", "B"),
        ]);
        let report = write_project(dir.path(), &first).unwrap();
        assert_eq!(report.written.len(), 3);
        fs::create_dir_all(dir.path().join("node_modules/x")).unwrap();
        fs::write(dir.path().join("node_modules/x/index.js"), "keep").unwrap();
        fs::write(dir.path().join("notes.md"), "mine").unwrap();

        let second = files(&[("wrangler.toml", "a2"), ("src/photons/a.photon.ts", "A")]);
        let report = write_project(dir.path(), &second).unwrap();
        assert_eq!(report.written, [PathBuf::from("wrangler.toml")]);
        assert_eq!(report.unchanged, [PathBuf::from("src/photons/a.photon.ts")]);
        assert_eq!(report.removed, [PathBuf::from("src/photons/b.photon.ts")]);
        assert_eq!(
            fs::read_to_string(dir.path().join("wrangler.toml")).unwrap(),
            "a2"
        );
        assert!(dir.path().join("node_modules/x/index.js").exists());
        assert!(dir.path().join("notes.md").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".photon-cf-staging")
            })
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_directory_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), &files(&[("wrangler.toml", "old")])).unwrap();
        // `src` is a file, so `src/worker.ts` cannot be created: the build must fail before
        // anything is replaced.
        fs::write(dir.path().join("src"), "in the way").unwrap();
        let err = write_project(
            dir.path(),
            &files(&[("wrangler.toml", "new"), ("src/worker.ts", "x")]),
        );
        assert!(err.is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("wrangler.toml")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("src")).unwrap(),
            "in the way"
        );
    }

    #[test]
    fn paths_outside_dir_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_project(dir.path(), &files(&[("../escape", "x")])).is_err());
    }
}
