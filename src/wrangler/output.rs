//! Reading wrangler's output: what `wrangler deploy` says it deployed (URL, version id,
//! bindings, upload size), the dry-run bundle's size on disk, the `Ready on` line of
//! `wrangler dev`, and a hint for the failures people hit most.

use std::path::Path;

use serde::Serialize;

/// Remove ANSI escape sequences (colours, cursor moves) so lines can be matched as text.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // CSI: parameters and intermediates up to a final byte in '@'..='~'.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// A next step for the failures people hit most: not logged in, no account chosen.
pub fn failure_hint(output: &str) -> Option<&'static str> {
    let lower = output.to_lowercase();
    if lower.contains("cloudflare_api_token")
        || lower.contains("not logged in")
        || lower.contains("authentication error")
        || lower.contains("wrangler login")
    {
        Some(
            "wrangler needs Cloudflare credentials: run `npx wrangler login` in DIR on your \
             machine, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) in CI",
        )
    } else if lower.contains("more than one account") || lower.contains("account_id") {
        Some("set CLOUDFLARE_ACCOUNT_ID to the account to deploy to")
    } else {
        None
    }
}

/// What we read from `wrangler deploy`'s output.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct WranglerReport {
    /// From `Uploaded <name> (1.2 sec)`.
    pub worker: Option<String>,
    /// The lines under `Deployed <name> triggers`: `https://….workers.dev`, routes, schedules.
    pub targets: Vec<String>,
    /// `Current Version ID: …`.
    pub version_id: Option<String>,
    /// The table under `Your Worker has access to the following bindings:`.
    pub bindings: Vec<BindingLine>,
    /// `Total Upload: X KiB / gzip: Y KiB`.
    pub total_kib: Option<f64>,
    pub gzip_kib: Option<f64>,
    /// The bundle's size on disk (`--dry-run`): every file in the outdir but source maps.
    pub bundle_bytes: Option<u64>,
}

/// One row of wrangler's bindings table: `env.PHOTON (CounterPhotonDO)   Durable Object`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BindingLine {
    pub name: String,
    /// The part in parentheses: the class, the variable's value, the bucket name...
    pub value: Option<String>,
    /// `Durable Object`, `Environment Variable`, ...
    pub resource: String,
}

impl WranglerReport {
    /// The Worker's public URL: the first `https://` target (workers.dev), else a custom domain
    /// (`example.com (custom domain)` → `https://example.com`), else the first route pattern.
    pub fn url(&self) -> Option<String> {
        if let Some(url) = self.targets.iter().find(|t| t.starts_with("https://")) {
            return Some(url.clone());
        }
        // Other targets read `schedule: …`, `workflow: …`, or `<route> (zone name: …)`.
        let routes = self.targets.iter().filter_map(|t| {
            let first = t.split_whitespace().next()?;
            (!first.ends_with(':')).then_some((first, t.contains("(custom domain")))
        });
        let routes: Vec<(&str, bool)> = routes.collect();
        if let Some((domain, _)) = routes.iter().find(|(_, custom)| *custom) {
            return Some(format!("https://{domain}"));
        }
        routes.first().map(|(route, _)| route.to_string())
    }
}

/// Read the lines of `wrangler deploy` (4.x) we report on. Unknown lines are ignored, so a
/// wrangler that prints more (or less) only means fewer fields are filled in.
pub fn parse_wrangler_output(output: &str) -> WranglerReport {
    let mut report = WranglerReport::default();
    let lines: Vec<String> = output.lines().map(strip_ansi).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(rest) = line.strip_prefix("Total Upload:") {
            // "8.29 KiB / gzip: 2.81 KiB"
            let mut parts = rest.split("/ gzip:");
            report.total_kib = parts.next().and_then(parse_kib);
            report.gzip_kib = parts.next().and_then(parse_kib);
        } else if line.starts_with("Your Worker has access to the following bindings") {
            i += 1;
            while i < lines.len() {
                let row = lines[i].trim();
                if row.starts_with("Binding") && row.contains("Resource") {
                    i += 1;
                    continue;
                }
                match parse_binding(row) {
                    Some(binding) => report.bindings.push(binding),
                    None => break,
                }
                i += 1;
            }
            continue;
        } else if let Some(rest) = line.strip_prefix("Uploaded ") {
            // "Uploaded cf-counter (3.21 sec)"; not the "Uploaded 40% [...]" progress lines.
            if let Some((name, _)) = rest.split_once(" (")
                && !name.contains(' ')
                && !name.ends_with('%')
            {
                report.worker = Some(name.to_string());
            }
        } else if line.starts_with("Deployed ") && line.contains(" triggers") {
            i += 1;
            // Each target is printed indented on its own line.
            while i < lines.len() && lines[i].starts_with(' ') && !lines[i].trim().is_empty() {
                report.targets.push(lines[i].trim().to_string());
                i += 1;
            }
            continue;
        } else if let Some(rest) = line.strip_prefix("Current Version ID:") {
            report.version_id = Some(rest.trim().to_string());
        }
        i += 1;
    }
    report
}

fn parse_kib(text: &str) -> Option<f64> {
    text.trim().strip_suffix("KiB")?.trim().parse().ok()
}

fn parse_binding(row: &str) -> Option<BindingLine> {
    let rest = row.strip_prefix("env.")?;
    // The resource column is separated from the binding column by a run of spaces.
    let split = rest.find("  ")?;
    let (left, resource) = (rest[..split].trim(), rest[split..].trim());
    let (name, value) = match left.split_once(" (") {
        Some((name, value)) => (
            name.to_string(),
            Some(value.strip_suffix(')').unwrap_or(value).to_string()),
        ),
        None => (left.to_string(), None),
    };
    Some(BindingLine {
        name,
        value,
        resource: resource.to_string(),
    })
}

/// Bytes of the bundle wrangler wrote into `outdir` (source maps and its README excluded).
pub fn bundle_size(outdir: &Path) -> Option<u64> {
    let mut total = 0;
    let mut any = false;
    for entry in walkdir::WalkDir::new(outdir).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || name.ends_with(".map") || name == "README.md" {
            continue;
        }
        total += entry.metadata().map(|m| m.len()).unwrap_or(0);
        any = true;
    }
    any.then_some(total)
}

/// `[wrangler:info] Ready on http://127.0.0.1:8787` → the URL.
pub fn ready_url(line: &str) -> Option<String> {
    let rest = &line[line.find("Ready on ")? + "Ready on ".len()..];
    let url = rest.split_whitespace().next()?;
    url.starts_with("http").then(|| url.to_string())
}

pub fn port_of(url: &str) -> Option<u16> {
    let host_port = url.split("://").nth(1)?.split('/').next()?;
    host_port.rsplit_once(':')?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_colours_are_stripped_for_matching() {
        assert_eq!(
            strip_ansi("\x1b[32m[wrangler:info]\x1b[0m Ready on http://127.0.0.1:8787\r"),
            "[wrangler:info] Ready on http://127.0.0.1:8787"
        );
    }

    /// What wrangler 4.86 prints for a real deploy (shape taken from its source: the bindings
    /// table, `Uploaded`, `Deployed … triggers` with indented targets, the version id).
    const DEPLOY_OUTPUT: &str = "\
Total Upload: 112.40 KiB / gzip: 24.12 KiB
Worker Startup Time: 14 ms
Your Worker has access to the following bindings:
Binding                                    Resource
env.PHOTON (CfCounterPhotonDO)             Durable Object
env.PHOTON_GLOBAL (PhotonGlobalStore)      Durable Object
env.GREETING (\"hello\")                     Environment Variable

Uploaded cf-counter (3.21 sec)
Deployed cf-counter triggers (1.05 sec)
  https://cf-counter.example.workers.dev
  schedule: */5 * * * *
Current Version ID: 5e0f3c1a-1b2c-4d5e-8f90-0123456789ab
";

    #[test]
    fn reads_url_version_bindings_and_size_from_a_deploy() {
        let report = parse_wrangler_output(DEPLOY_OUTPUT);
        assert_eq!(report.worker.as_deref(), Some("cf-counter"));
        assert_eq!(
            report.url().as_deref(),
            Some("https://cf-counter.example.workers.dev")
        );
        assert_eq!(
            report.targets,
            [
                "https://cf-counter.example.workers.dev",
                "schedule: */5 * * * *"
            ]
        );
        assert_eq!(
            report.version_id.as_deref(),
            Some("5e0f3c1a-1b2c-4d5e-8f90-0123456789ab")
        );
        assert_eq!(report.total_kib, Some(112.40));
        assert_eq!(report.gzip_kib, Some(24.12));
        assert_eq!(
            report.bindings,
            [
                BindingLine {
                    name: "PHOTON".into(),
                    value: Some("CfCounterPhotonDO".into()),
                    resource: "Durable Object".into()
                },
                BindingLine {
                    name: "PHOTON_GLOBAL".into(),
                    value: Some("PhotonGlobalStore".into()),
                    resource: "Durable Object".into()
                },
                BindingLine {
                    name: "GREETING".into(),
                    value: Some("\"hello\"".into()),
                    resource: "Environment Variable".into()
                },
            ]
        );
    }

    #[test]
    fn reads_a_dry_run_and_ignores_colours() {
        // Recorded from wrangler 4.86.0 `deploy --dry-run` (padding kept), with colour codes.
        let output = "Total Upload: 0.65 KiB / gzip: 0.39 KiB\n\
            Your Worker has access to the following bindings:\n\
            Binding                           Resource                  \n\
            \x1b[2menv.PHOTON (CounterPhotonDO)\x1b[0m      Durable Object            \n\
            \n\
            --dry-run: exiting now.\n";
        let report = parse_wrangler_output(output);
        assert_eq!(report.total_kib, Some(0.65));
        assert_eq!(report.gzip_kib, Some(0.39));
        assert_eq!(report.bindings.len(), 1);
        assert_eq!(report.bindings[0].name, "PHOTON");
        assert_eq!(report.url(), None);
        assert_eq!(report.version_id, None);
    }

    #[test]
    fn a_route_is_the_url_when_there_is_no_workers_dev() {
        let report = parse_wrangler_output(
            "Uploaded api (1.00 sec)\nDeployed api triggers (0.30 sec)\n  api.example.com/* (zone name: example.com)\n",
        );
        assert_eq!(report.url().as_deref(), Some("api.example.com/*"));
        let report = parse_wrangler_output(
            "Deployed api triggers (0.30 sec)\n  api.example.com/* (zone name: example.com)\n  mcp.example.com (custom domain)\n",
        );
        assert_eq!(report.url().as_deref(), Some("https://mcp.example.com"));
    }

    #[test]
    fn credential_failures_get_a_hint() {
        assert!(
            failure_hint("In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.")
                .is_some()
        );
        assert!(failure_hint("✘ [ERROR] Build failed with 1 error").is_none());
    }

    #[test]
    fn reads_the_url_from_wranglers_ready_line() {
        assert_eq!(
            ready_url("[wrangler:info] Ready on http://127.0.0.1:41235").as_deref(),
            Some("http://127.0.0.1:41235")
        );
        assert_eq!(ready_url("Ready on localhost"), None);
        assert_eq!(port_of("http://127.0.0.1:41235"), Some(41235));
        assert_eq!(port_of("http://127.0.0.1:8787/"), Some(8787));
    }
}
