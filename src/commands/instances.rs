//! `photon-cf instances list | show | destroy`: talks to a running Worker's admin surface
//! (`/__admin/instances`, on only when the Worker has the secret `PHOTON_ADMIN_TOKEN`) with the
//! token from `PHOTON_CF_ADMIN_TOKEN`, and prints what it answers.

use std::time::Duration;

use serde_json::Value;

use crate::cli::{InstancesAction, InstancesArgs};
use crate::commands::ExitStatus;
use crate::commands::json::InstancesDocument;
use crate::printer::Printer;

/// Characters an instance name may have (the runtime's INSTANCE_NAME), so the path needs no escaping.
fn is_instance_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:@+~-".contains(c))
}

pub fn run(args: &InstancesArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(base) = args.url.as_deref() else {
        printer.error(
            "`--url` is required: the Worker's base URL (e.g. https://my-photon.me.workers.dev)",
        );
        return Ok(ExitStatus::Failure);
    };
    let Some(token) = args.token.as_deref().filter(|t| !t.is_empty()) else {
        printer.error(
            "set PHOTON_CF_ADMIN_TOKEN to the value of the Worker secret PHOTON_ADMIN_TOKEN",
        );
        return Ok(ExitStatus::Failure);
    };
    let base = base.trim_end_matches('/');
    let (action, method, path) = match &args.action {
        InstancesAction::List => ("list", "GET", "/__admin/instances".to_string()),
        InstancesAction::Show { instance } | InstancesAction::Destroy { instance } => {
            if !is_instance_name(instance) {
                printer.error(format!("`{instance}` is not an instance name"));
                return Ok(ExitStatus::Failure);
            }
            let method = if matches!(args.action, InstancesAction::Show { .. }) {
                "GET"
            } else {
                "DELETE"
            };
            let action = if method == "GET" { "show" } else { "destroy" };
            (action, method, format!("/__admin/instances/{instance}"))
        }
    };
    let url = format!("{base}{path}");
    printer.verbose(format!("{method} {url}"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let response = match method {
        "GET" => agent.get(&url).header("Authorization", &auth).call(),
        _ => agent.delete(&url).header("Authorization", &auth).call(),
    };
    let mut response = match response {
        Ok(r) => r,
        Err(e) => {
            printer.error(format!("cannot reach {url}: {e}"));
            return Ok(ExitStatus::Failure);
        }
    };
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    match status {
        200 => {}
        401 => {
            printer.error("the Worker refused the admin token (PHOTON_CF_ADMIN_TOKEN differs from its PHOTON_ADMIN_TOKEN)");
            return Ok(ExitStatus::Failure);
        }
        404 => {
            printer.error(format!(
                "{url} is 404: the admin surface is off (set the Worker secret PHOTON_ADMIN_TOKEN) or this is no photon-cf Worker"
            ));
            return Ok(ExitStatus::Failure);
        }
        _ => {
            printer.error(format!("{url} answered {status}: {body}"));
            return Ok(ExitStatus::Failure);
        }
    }
    let result: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(_) => {
            printer.error(format!("{url} answered no JSON: {body}"));
            return Ok(ExitStatus::Failure);
        }
    };
    if printer.is_json() {
        printer.json(&InstancesDocument {
            success: true,
            action,
            url: base,
            result: &result,
        });
        return Ok(ExitStatus::Success);
    }
    match action {
        "list" => {
            let list = result["instances"].as_array().cloned().unwrap_or_default();
            for i in &list {
                let photons: Vec<&str> = i["photons"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                printer.info(format!(
                    "{}  ({})",
                    i["name"].as_str().unwrap_or("?"),
                    photons.join(", ")
                ));
            }
            printer.status("Listed", format!("{} instance(s)", list.len()));
        }
        "show" => {
            let name = result["name"].as_str().unwrap_or("?");
            if let Some(photons) = result["photons"].as_object() {
                for (photon, state) in photons {
                    let keys = state["memoryKeys"].as_array().map_or(0, Vec::len);
                    let schedules: Vec<String> = state["schedules"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|s| {
                                    format!(
                                        "{} `{}`",
                                        s["name"].as_str().unwrap_or("?"),
                                        s["cron"].as_str().unwrap_or("")
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    printer.info(format!(
                        "{photon}: {keys} memory key(s), schedules [{}], {} subscriber(s), alarm {}",
                        schedules.join(", "),
                        state["subscribers"],
                        state["alarm"]
                    ));
                }
            }
            printer.status("Shown", name);
        }
        _ => printer.status(
            "Destroyed",
            result["name"].as_str().unwrap_or("?").to_string(),
        ),
    }
    Ok(ExitStatus::Success)
}
