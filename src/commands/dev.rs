//! `photon-cf dev`: build, run `wrangler dev` on the result, watch the photon and its siblings,
//! and rebuild and restart on change. A broken save prints its diagnostics and leaves the last
//! good server running; local Durable Object state lives in `DIR/.wrangler/state`, so it
//! survives restarts; Ctrl-C stops wrangler together with the workerd processes it started.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Child;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant, SystemTime};

use crate::cli::DevArgs;
use crate::commands::build::print_report;
use crate::commands::json::{DevDocument, Failure};
use crate::commands::{ExitStatus, user_error};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::pipeline::{self, Built};
use crate::printer::Printer;
use crate::settings::{BuildSettings, Environment, Source};
use crate::wrangler::output::{port_of, ready_url};
use crate::wrangler::process::{self, signals};
use crate::wrangler::{self, Cmd, Located};

/// How often the sources are polled. Polling (not inotify) needs no dependency and behaves the
/// same on every platform and file system; 300 ms feels immediate.
const POLL: Duration = Duration::from_millis(300);

/// Where local state lives, relative to DIR (`build` never touches `.wrangler/`).
const STATE_DIR: &str = ".wrangler/state";

/// `photon-cf dev`.
pub fn run(args: &DevArgs, env: &Environment, printer: &Printer) -> anyhow::Result<ExitStatus> {
    signals::install();
    let settings = BuildSettings::new(&args.photon, &args.render);
    let outcome = pipeline::build(&settings, &env.cwd)?;
    print_report(printer, &outcome);
    let Some(built) = outcome.succeeded() else {
        if printer.is_json() {
            printer.json(&Failure::new(&outcome.diagnostics));
        }
        return Ok(ExitStatus::Failure);
    };
    let (out_dir, located) =
        match wrangler::prepare(args.wrangler.wrangler.as_deref(), &built.out, env, printer)? {
            Ok(prepared) => prepared,
            Err(diagnostic) => return Ok(user_error(printer, &Diagnostics::new(), diagnostic)),
        };
    print_config_hint(printer, built);
    // Ctrl-C during the build or the install: nothing is running yet, just stop.
    if let Some(signal) = signals::received() {
        return Ok(ExitStatus::External(128u8.saturating_add(signal)));
    }

    let mut session = Session {
        printer,
        env,
        settings: &settings,
        located,
        out_dir,
        port: args.port,
        url: None,
        generation: 0,
        ready: channel(),
        server: None,
        restarts: 0,
    };
    let status = session.serve()?;
    if printer.is_json() {
        printer.json(&DevDocument {
            success: status == ExitStatus::Success,
            url: session.url.as_deref(),
            restarts: session.restarts,
            exit_code: status.code(),
            diagnostics: &Diagnostics::new(),
        });
    }
    Ok(status)
}

/// Locally, variables and secrets come from `DIR/.dev.vars`, not `wrangler secret put`.
fn print_config_hint(printer: &Printer, built: &Built) {
    if built.config.is_empty() {
        return;
    }
    let names = built
        .config
        .iter()
        .map(|c| format!("{}=…", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    printer.info(format!(
        "locally, the photon reads its configuration from `{}` (one NAME=value per line): {names}",
        display_path(&built.out.join(".dev.vars"))
    ));
}

/// A server generation and the URL its `Ready on` line named.
type ReadyLine = (u64, String);

/// One running `wrangler dev` and what we know about it.
struct Server {
    child: Child,
    generation: u64,
    started: Instant,
}

struct Session<'a> {
    printer: &'a Printer,
    env: &'a Environment,
    settings: &'a BuildSettings,
    located: Located,
    out_dir: PathBuf,
    /// `--port`, then the port wrangler chose, so a restart keeps the same URL.
    port: Option<u16>,
    url: Option<String>,
    generation: u64,
    /// `Ready on <url>` lines, tagged with the generation of the server that printed them.
    ready: (Sender<ReadyLine>, Receiver<ReadyLine>),
    server: Option<Server>,
    restarts: u32,
}

impl Session<'_> {
    fn serve(&mut self) -> anyhow::Result<ExitStatus> {
        if let Err(diagnostic) = self.start() {
            return Ok(user_error(self.printer, &Diagnostics::new(), *diagnostic));
        }
        let mut watched = snapshot(&watch_roots(&self.settings.source));
        loop {
            std::thread::sleep(POLL);
            if let Some(signal) = signals::received() {
                self.stop();
                self.printer.status("Stopped", "wrangler dev");
                return Ok(ExitStatus::External(128u8.saturating_add(signal)));
            }
            self.drain_ready();
            if let Some(server) = &mut self.server
                && let Ok(Some(status)) = server.child.try_wait()
            {
                // wrangler gave up on its own (bad config, port taken...): its code is ours.
                let code = process::exit_code(status);
                let mut server = self.server.take().expect("checked above");
                process::stop_group(&mut server.child, Duration::ZERO);
                self.printer
                    .error(format!("`wrangler dev` exited with code {code}"));
                return Ok(if code == 0 {
                    ExitStatus::Success
                } else {
                    ExitStatus::External(code)
                });
            }

            let now = snapshot(&watch_roots(&self.settings.source));
            if now == watched {
                continue;
            }
            // Editors save in steps (truncate, write, rename): let the burst settle.
            std::thread::sleep(Duration::from_millis(100));
            watched = snapshot(&watch_roots(&self.settings.source));
            self.rebuild()?;
        }
    }

    /// Build again; only a good build replaces the running server.
    fn rebuild(&mut self) -> anyhow::Result<()> {
        self.printer.status("Rebuilding", "a source file changed");
        let outcome = pipeline::build(self.settings, &self.env.cwd)?;
        print_report(self.printer, &outcome);
        if !outcome.success() {
            if self.printer.is_json() {
                // build() prints nothing in JSON mode; a dev session still has to show why.
                self.printer.diagnostics(&outcome.diagnostics);
            }
            match &self.url {
                Some(url) => self
                    .printer
                    .info(format!("the last good build is still serving at {url}")),
                None => self
                    .printer
                    .info("the last good build is still running".to_string()),
            }
            return Ok(());
        }
        if let Err(diagnostic) =
            wrangler::install_dependencies(&self.out_dir, self.env, self.printer)?
        {
            self.printer.diagnostic(&diagnostic);
            return Ok(());
        }
        self.stop();
        self.restarts += 1;
        if let Err(diagnostic) = self.start() {
            self.printer.diagnostic(&diagnostic);
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(), Box<Diagnostic>> {
        self.generation += 1;
        let generation = self.generation;
        let state = self.out_dir.join(STATE_DIR);
        let mut cmd = Cmd::new(&self.located.program, "run the Worker locally")
            .args(["dev", "--ip", "127.0.0.1"])
            .current_dir(&self.out_dir)
            .arg("--persist-to")
            .arg(&state)
            // Our own Ctrl-C handling replaces wrangler's hotkeys (stdin is closed anyway).
            .arg("--show-interactive-dev-session=false")
            // A local server: the outer Worker then refuses any non-localhost Host or Origin
            // (DNS rebinding), whichever address the client connects from.
            .args(["--var", "PHOTON_LOCAL:1"]);
        if let Some(port) = self.port {
            cmd = cmd.arg("--port").arg(port.to_string());
        }
        if self.printer.color {
            // wrangler sees a pipe, not our terminal; keep its colours when ours are on.
            cmd = cmd.env("FORCE_COLOR", "1");
        }
        // A fixed inspector port (9229) would collide with a second dev session, or with the
        // server being replaced during a restart.
        cmd = cmd.args(["--inspector-port", "0"]);
        self.printer.status(
            if generation == 1 {
                "Starting"
            } else {
                "Restarting"
            },
            format!("wrangler dev in `{}`", display_path(&self.out_dir)),
        );
        let mut child = match cmd.spawn_group(self.printer) {
            Ok(child) => child,
            Err(err) => {
                return Err(Box::new(err.into_diagnostic().unwrap_or_else(|err| {
                    crate::diagnostics::catalog::tool_failed_to_start(&err)
                })));
            }
        };
        let sender = self.ready.0.clone();
        // The pumps end by themselves when the group is gone and the pipes close. Nothing keeps
        // the output: a dev session runs for hours and reads only its `Ready on` line.
        let _pumps = process::pump_child(&mut child, true, None, move |line| {
            if let Some(url) = ready_url(line) {
                let _ = sender.send((generation, url));
            }
        });
        self.server = Some(Server {
            child,
            generation,
            started: Instant::now(),
        });
        Ok(())
    }

    fn drain_ready(&mut self) {
        while let Ok((generation, url)) = self.ready.1.try_recv() {
            let Some(server) = &self.server else { continue };
            if server.generation != generation {
                continue;
            }
            // Keep the port wrangler picked (default or `--port 0`) so a restart keeps the URL.
            if matches!(self.port, None | Some(0)) {
                self.port = port_of(&url);
            }
            self.printer.status(
                "Serving",
                format!(
                    "{url} (MCP at {}/mcp) after {:.1} s; Ctrl-C stops",
                    url.trim_end_matches('/'),
                    server.started.elapsed().as_secs_f64()
                ),
            );
            self.url = Some(url);
        }
    }

    fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            process::stop_group(&mut server.child, process::STOP_GRACE);
        }
    }
}

impl Drop for Session<'_> {
    /// Whatever ends the session (an error, a panic unwinding), wrangler does not outlive it.
    fn drop(&mut self) {
        self.stop();
    }
}

/// The files a change in which means a rebuild: every `*.photon.ts` in the host's directory and
/// in each `--photons-dir` (so a sibling that was missing is picked up when it is created).
fn watch_roots(source: &Source) -> Vec<PathBuf> {
    let host = match &source.photon {
        Some(path) => path.clone(),
        None => PathBuf::from("."),
    };
    let host_dir = if host.is_dir() {
        host.clone()
    } else {
        match host.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let mut files = vec![];
    if host.is_file() {
        files.push(host.clone());
    }
    for dir in std::iter::once(&host_dir).chain(&source.photons_dirs) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .to_string_lossy()
                .ends_with(crate::names::PHOTON_SUFFIX)
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

type Snapshot = BTreeMap<PathBuf, Option<(SystemTime, u64)>>;

fn snapshot(files: &[PathBuf]) -> Snapshot {
    files
        .iter()
        .map(|path| {
            let stamp = std::fs::metadata(path)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())));
            (path.clone(), stamp)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_or_edited_photon_changes_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("a.photon.ts");
        std::fs::write(&host, "export default class A {}").unwrap();
        let files = vec![host.clone(), dir.path().join("b.photon.ts")];
        let before = snapshot(&files);
        std::fs::write(dir.path().join("b.photon.ts"), "x").unwrap();
        assert_ne!(before, snapshot(&files));
        let before = snapshot(&files);
        std::fs::write(&host, "export default class A { longer() {} }").unwrap();
        assert_ne!(before, snapshot(&files));
    }
}
