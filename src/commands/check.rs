//! `photon-cf check`: everything `build` validates (the photon, its siblings, Workers
//! compatibility, generated names), with nothing written. Exit 1 when an error was found.

use serde_json::json;

use crate::cli::PhotonArgs;
use crate::commands::ExitStatus;
use crate::commands::build::{diagnostics_json, load_project, tools};
use crate::printer::Printer;
use crate::render::{self, RenderOptions};

pub fn run(photon: &PhotonArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let (project, mut diagnostics) = load_project(photon, printer);
    let mut photons = Vec::new();
    if let Some(project) = &project {
        // Rendering in memory catches what only generation sees (two photons sharing a binding).
        let rendered = render::render(project, &RenderOptions::default(), None)?;
        diagnostics.extend(rendered.diagnostics);
        for (photon, names) in project.photons().zip(&rendered.names) {
            photons.push(json!({
                "name": photon.name,
                "binding": names.binding,
                "class": names.do_class,
                "tools": photon.tools.iter().filter(|t| !t.internal).count(),
            }));
        }
    }
    let success = project.is_some() && !diagnostics.has_errors();
    if printer.is_json() {
        let mut document = json!({ "success": success });
        if success && let Some(project) = &project {
            document["photon"] = json!(project.host.name);
            document["photons"] = json!(photons);
        }
        document["diagnostics"] = json!(diagnostics_json(&diagnostics));
        printer.json(&document);
    } else {
        printer.diagnostics(&diagnostics);
        let (errors, warnings) = (diagnostics.error_count(), diagnostics.warning_count());
        if success {
            let names: Vec<String> = photons
                .iter()
                .map(|p| {
                    let count = p["tools"].as_u64().unwrap_or(0) as usize;
                    format!("{} ({})", p["name"].as_str().unwrap_or(""), tools(count))
                })
                .collect();
            printer.status(
                "Checked",
                format!(
                    "{}: no errors, {warnings} warning{}",
                    names.join(", "),
                    if warnings == 1 { "" } else { "s" }
                ),
            );
        } else {
            printer.info(format!(
                "error: check found {errors} error{}",
                if errors == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(if success {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
