//! `photon-cf build`: run the pipeline and print what it did: the status lines and diagnostics
//! in human mode, the one JSON document otherwise. `dev` and `deploy` print their builds with
//! [`print_report`] too.

use crate::cli::BuildArgs;
use crate::commands::ExitStatus;
use crate::commands::json::{BuildDocument, Failure};
use crate::diagnostics::display_path;
use crate::pipeline::{self, BuildReport};
use crate::printer::Printer;
use crate::render::wrangler_toml::Migration;
use crate::settings::{BuildSettings, Environment};

/// `photon-cf build`.
pub fn run(args: &BuildArgs, env: &Environment, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = BuildSettings::new(&args.photon, &args.render);
    let report = pipeline::build(&settings, &env.cwd)?;
    print_report(printer, &report);
    if printer.is_json() {
        match report.succeeded() {
            Some(built) => printer.json(&BuildDocument::new(built, &report.diagnostics)),
            None => printer.json(&Failure::new(&report.diagnostics)),
        }
    }
    Ok(ExitStatus::from_success(report.success()))
}

/// The human account of a build: the host it resolved, every file written with `-v`, the
/// diagnostics, then either the summary or why nothing was written. Only the `-v` lines are
/// printed in JSON mode (the caller prints the document).
pub fn print_report(printer: &Printer, report: &BuildReport) {
    if let Some(host) = &report.host
        && !printer.is_json()
    {
        printer.status("Resolving", display_path(host));
    }
    if let Some(built) = &report.built {
        for path in &built.written {
            printer.verbose(format!("wrote {}", display_path(&built.out.join(path))));
        }
        for path in &built.removed {
            printer.verbose(format!("removed {}", display_path(&built.out.join(path))));
        }
    }
    if printer.is_json() {
        return;
    }
    printer.diagnostics(&report.diagnostics);
    let Some(built) = report.succeeded() else {
        let errors = report.diagnostics.error_count();
        printer.error(format!(
            "build failed with {errors} error{}; nothing was written",
            if errors == 1 { "" } else { "s" }
        ));
        return;
    };
    let photons = built
        .photons
        .iter()
        .map(|p| format!("{} ({})", p.name, tools(p.tools)))
        .collect::<Vec<_>>()
        .join(", ");
    printer.status(
        "Built",
        format!(
            "{photons} into `{}` ({} files written, {} unchanged)",
            display_path(&built.out),
            built.written.len(),
            built.files.len() - built.written.len()
        ),
    );
    if let Some(migration) = &built.migration {
        printer.status("Migration", describe_migration(migration));
    }
    for entry in &built.config {
        let need = if entry.required {
            "required"
        } else {
            "optional"
        };
        let ty = serde_json::to_value(entry.ty).unwrap_or_default();
        let source = if entry.param.starts_with("--") {
            format!("for `{}`", entry.param)
        } else {
            format!("`{}` of `{}`", entry.param, entry.photon)
        };
        printer.status(
            "Configure",
            format!(
                "{} ({}, {need}, {source}): {}",
                entry.name,
                ty.as_str().unwrap_or("string"),
                entry.secret_command
            ),
        );
    }
}

/// `1 tool`, `3 tools`.
pub fn tools(count: usize) -> String {
    format!("{count} tool{}", if count == 1 { "" } else { "s" })
}

fn describe_migration(migration: &Migration) -> String {
    let mut parts = Vec::new();
    if !migration.new_sqlite_classes.is_empty() {
        parts.push(format!("new {}", migration.new_sqlite_classes.join(", ")));
    }
    for (from, to) in &migration.renamed_classes {
        parts.push(format!("rename {from} → {to}"));
    }
    if !migration.deleted_classes.is_empty() {
        parts.push(format!("delete {}", migration.deleted_classes.join(", ")));
    }
    format!("{}: {}", migration.tag, parts.join("; "))
}
