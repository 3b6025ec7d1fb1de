//! The `--output-format json` documents, one type per command, and the one shape every failure
//! has: `{"success": false, "diagnostics": [...]}`, plus `"error"` when photon-cf itself failed.

use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::diagnostics::{Diagnostics, display_path};
use crate::pipeline::{Built, CheckReport, ConfigEntry, PhotonSummary};
use crate::render::wrangler_toml::Migration;
use crate::wrangler::output::{BindingLine, WranglerReport};

fn diagnostics<S: Serializer>(diagnostics: &Diagnostics, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(diagnostics.iter().map(|d| d.to_json()))
}

fn path<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&display_path(path))
}

fn paths<S: Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| display_path(p)))
}

/// Every failure: a build stopped by diagnostics, a problem after it (no wrangler, a failed
/// install), or photon-cf itself failing (`error`).
#[derive(Debug, Serialize)]
pub struct Failure<'a> {
    pub success: bool,
    #[serde(serialize_with = "diagnostics")]
    pub diagnostics: &'a Diagnostics,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl<'a> Failure<'a> {
    pub fn new(diagnostics: &'a Diagnostics) -> Self {
        Self {
            success: false,
            diagnostics,
            error: None,
        }
    }
}

/// `build`: what was written and what the Worker needs configured.
#[derive(Debug, Serialize)]
pub struct BuildDocument<'a> {
    pub success: bool,
    pub photon: &'a str,
    pub worker: &'a str,
    #[serde(serialize_with = "path")]
    pub out: &'a Path,
    #[serde(serialize_with = "paths")]
    pub files: &'a [PathBuf],
    pub photons: &'a [PhotonSummary],
    pub config: &'a [ConfigEntry],
    pub migration: Option<MigrationDocument<'a>>,
    #[serde(serialize_with = "diagnostics")]
    pub diagnostics: &'a Diagnostics,
}

impl<'a> BuildDocument<'a> {
    pub fn new(built: &'a Built, diagnostics: &'a Diagnostics) -> Self {
        Self {
            success: true,
            photon: &built.photon,
            worker: &built.worker,
            out: &built.out,
            files: &built.files,
            photons: &built.photons,
            config: &built.config,
            migration: built.migration.as_ref().map(MigrationDocument::new),
            diagnostics,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MigrationDocument<'a> {
    pub tag: &'a str,
    pub new_sqlite_classes: &'a [String],
    pub renamed_classes: Vec<Renamed<'a>>,
    pub deleted_classes: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct Renamed<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

impl<'a> MigrationDocument<'a> {
    fn new(migration: &'a Migration) -> Self {
        Self {
            tag: &migration.tag,
            new_sqlite_classes: &migration.new_sqlite_classes,
            renamed_classes: migration
                .renamed_classes
                .iter()
                .map(|(from, to)| Renamed { from, to })
                .collect(),
            deleted_classes: &migration.deleted_classes,
        }
    }
}

/// `check`: the photons and every diagnostic; `photon` and `photons` only when it passed.
#[derive(Debug, Serialize)]
pub struct CheckDocument<'a> {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photon: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photons: Option<&'a [PhotonSummary]>,
    #[serde(serialize_with = "diagnostics")]
    pub diagnostics: &'a Diagnostics,
}

impl<'a> CheckDocument<'a> {
    pub fn new(report: &'a CheckReport) -> Self {
        let success = report.success();
        Self {
            success,
            photon: report.photon.as_deref().filter(|_| success),
            photons: success.then_some(report.photons.as_slice()),
            diagnostics: &report.diagnostics,
        }
    }
}

/// `deploy`: the build's fields, then what wrangler reported. `success` is wrangler's verdict.
#[derive(Debug, Serialize)]
pub struct DeployDocument<'a> {
    #[serde(flatten)]
    pub build: BuildDocument<'a>,
    pub dry_run: bool,
    pub url: Option<String>,
    pub targets: &'a [String],
    pub version_id: Option<&'a str>,
    pub bindings: &'a [BindingLine],
    pub bundle: Option<BundleDocument>,
    pub wrangler_exit_code: u8,
}

/// The `--dry-run` bundle: where it is and how big.
#[derive(Debug, Serialize)]
pub struct BundleDocument {
    pub outdir: String,
    pub total_kib: Option<f64>,
    pub gzip_kib: Option<f64>,
    pub bytes: Option<u64>,
}

impl<'a> DeployDocument<'a> {
    pub fn new(
        mut build: BuildDocument<'a>,
        worker: &'a str,
        report: &'a WranglerReport,
        dry_run: Option<&Path>,
        exit_code: u8,
    ) -> Self {
        build.success = exit_code == 0;
        build.worker = worker;
        Self {
            build,
            dry_run: dry_run.is_some(),
            url: report.url(),
            targets: &report.targets,
            version_id: report.version_id.as_deref(),
            bindings: &report.bindings,
            bundle: dry_run.map(|outdir| BundleDocument {
                outdir: display_path(outdir),
                total_kib: report.total_kib,
                gzip_kib: report.gzip_kib,
                bytes: report.bundle_bytes,
            }),
            wrangler_exit_code: exit_code,
        }
    }
}

/// `dev`, once the session ended.
#[derive(Debug, Serialize)]
pub struct DevDocument<'a> {
    pub success: bool,
    pub url: Option<&'a str>,
    pub restarts: u32,
    pub exit_code: u8,
    #[serde(serialize_with = "diagnostics")]
    pub diagnostics: &'a Diagnostics,
}

/// `instances list | show | destroy`: the Worker's answer, as it sent it (`/__admin/instances`).
#[derive(Debug, Serialize)]
pub struct InstancesDocument<'a> {
    pub success: bool,
    /// `list`, `show` or `destroy`.
    pub action: &'a str,
    pub url: &'a str,
    /// `{instances: [{name, photons, since}]}`, `{name, registered, photons: {<photon>: {memoryKeys,
    /// schedules, alarm, subscribers}}}` or `{name, destroyed, registered}`.
    pub result: &'a serde_json::Value,
}
