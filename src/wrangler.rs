//! Finding wrangler (and npm) and running them: where to look, how a command is echoed with
//! `-v`, how its output reaches our stderr, and how its exit status becomes ours.
//!
//! The lookup order is the contract's (§1): `--wrangler` / `PHOTON_CF_WRANGLER`, the output
//! project's `node_modules/.bin`, the current project's, then `PATH`. On Windows npm installs
//! `.cmd` shims, so those names are tried first there.

use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::Context;

use crate::diagnostics::{Diagnostic, display_path};
use crate::printer::Printer;

/// Environment variable that names the package manager used to install DIR's dependencies.
pub const NPM_ENV: &str = "PHOTON_CF_NPM";

/// The stamp `install_dependencies` leaves behind: the `package.json` it installed, byte for byte.
pub const INSTALL_STAMP: &str = "node_modules/.photon-cf-install-stamp";

/// An executable we found, and where it came from (for `-v` and for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub program: PathBuf,
    pub found_in: FoundIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundIn {
    /// `--wrangler` or `PHOTON_CF_WRANGLER` (clap merges the two).
    Explicit,
    /// `DIR/node_modules/.bin`.
    OutDir,
    /// `./node_modules/.bin` of the current directory.
    CurrentDir,
    /// The `PATH` environment variable.
    Path,
}

impl FoundIn {
    fn describe(self) -> &'static str {
        match self {
            FoundIn::Explicit => "named by --wrangler / PHOTON_CF_WRANGLER",
            FoundIn::OutDir => "from the output project's node_modules",
            FoundIn::CurrentDir => "from the current project's node_modules",
            FoundIn::Path => "from PATH",
        }
    }
}

/// File names an npm-installed tool can have: the `.cmd` shim (and a real `.exe`) on Windows,
/// the plain name elsewhere. A parameter rather than `cfg!` so both paths are unit-tested.
pub fn executable_names(name: &str, windows: bool) -> Vec<String> {
    if windows {
        vec![
            format!("{name}.cmd"),
            format!("{name}.exe"),
            name.to_string(),
        ]
    } else {
        vec![name.to_string()]
    }
}

/// Find wrangler for a project rendered into `out_dir`, relative paths taken from `cwd`.
///
/// `path_var` is the value of `PATH` (passed in so tests need not touch the process env).
pub fn locate_wrangler(
    explicit: Option<&Path>,
    out_dir: &Path,
    cwd: &Path,
    path_var: Option<&OsStr>,
) -> Result<Located, Box<Diagnostic>> {
    locate_wrangler_for(explicit, out_dir, cwd, path_var, cfg!(windows))
}

fn locate_wrangler_for(
    explicit: Option<&Path>,
    out_dir: &Path,
    cwd: &Path,
    path_var: Option<&OsStr>,
    windows: bool,
) -> Result<Located, Box<Diagnostic>> {
    let names = executable_names("wrangler", windows);
    if let Some(explicit) = explicit {
        let program = locate_explicit(explicit, cwd, path_var, windows);
        return program
            .map(|program| Located {
                program,
                found_in: FoundIn::Explicit,
            })
            .ok_or_else(|| {
                Box::new(crate::diagnostics::catalog::wrangler_not_executable(
                    explicit,
                ))
            });
    }
    let out_bin = absolute(cwd, out_dir).join("node_modules").join(".bin");
    let cwd_bin = cwd.join("node_modules").join(".bin");
    for (dir, found_in) in [(&out_bin, FoundIn::OutDir), (&cwd_bin, FoundIn::CurrentDir)] {
        if let Some(program) = first_executable(dir, &names) {
            return Ok(Located { program, found_in });
        }
    }
    if let Some(program) = search_path(path_var, &names) {
        return Ok(Located {
            program,
            found_in: FoundIn::Path,
        });
    }
    Err(Box::new(crate::diagnostics::catalog::wrangler_not_found(
        out_dir,
    )))
}

/// Find npm (or what `PHOTON_CF_NPM` names) to install DIR's dependencies with.
pub fn locate_npm(
    explicit: Option<&Path>,
    cwd: &Path,
    path_var: Option<&OsStr>,
) -> Result<PathBuf, Box<Diagnostic>> {
    let windows = cfg!(windows);
    let found = match explicit {
        Some(explicit) => locate_explicit(explicit, cwd, path_var, windows),
        None => search_path(path_var, &executable_names("npm", windows)),
    };
    found.ok_or_else(|| {
        Box::new(crate::diagnostics::catalog::npm_not_found(
            explicit, NPM_ENV,
        ))
    })
}

/// An explicit path is used as given (made absolute, since commands run inside DIR); a bare
/// name such as `wrangler` is looked up on PATH like a shell would.
fn locate_explicit(
    explicit: &Path,
    cwd: &Path,
    path_var: Option<&OsStr>,
    windows: bool,
) -> Option<PathBuf> {
    let bare = explicit.components().count() == 1 && !explicit.is_absolute();
    if bare {
        let name = explicit.to_string_lossy();
        let mut names = vec![name.to_string()];
        if windows && Path::new(&*name).extension().is_none() {
            names = executable_names(&name, true);
        }
        return search_path(path_var, &names);
    }
    let path = absolute(cwd, explicit);
    is_executable(&path).then_some(path)
}

fn search_path(path_var: Option<&OsStr>, names: &[String]) -> Option<PathBuf> {
    let path_var = path_var?;
    std::env::split_paths(path_var)
        .filter(|dir| !dir.as_os_str().is_empty())
        .find_map(|dir| first_executable(&dir, names))
}

fn first_executable(dir: &Path, names: &[String]) -> Option<PathBuf> {
    names
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    // `metadata` follows symlinks: node_modules/.bin entries are links into the package.
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// What `dev` and `deploy` both do before running wrangler: install DIR's dependencies when
/// they are missing or stale (DIR's own wrangler comes with them), then find wrangler. Returns
/// DIR as an absolute path and where wrangler is, or the user-fixable problem.
pub fn prepare(
    explicit: Option<&Path>,
    out: &Path,
    printer: &Printer,
) -> anyhow::Result<Result<(PathBuf, Located), Diagnostic>> {
    let cwd = std::env::current_dir()
        .map_err(|e| anyhow::Error::new(e).context("failed to read the current directory"))?;
    let out_dir = absolute(&cwd, out);
    if let Err(diagnostic) = install_dependencies(&out_dir, &cwd, printer)? {
        return Ok(Err(diagnostic));
    }
    let located = match locate_wrangler(explicit, out, &cwd, std::env::var_os("PATH").as_deref()) {
        Ok(located) => located,
        Err(diagnostic) => return Ok(Err(*diagnostic)),
    };
    printer.verbose(describe(&located));
    Ok(Ok((out_dir, located)))
}

pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// `true` when nobody can answer a prompt: stdin is not a terminal, or `CI` is set.
pub fn non_interactive() -> bool {
    !std::io::stdin().is_terminal() || std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// A command to run, with the text `-v` prints for it.
#[derive(Debug)]
pub struct Cmd {
    program: PathBuf,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    envs: Vec<(OsString, OsString)>,
    /// Why we run it, for error messages ("install dependencies", "deploy").
    summary: String,
}

/// How a command we ran ended, and what it printed (stdout and stderr, interleaved).
#[derive(Debug)]
pub struct Finished {
    /// The code to exit with if we pass it through: the child's, or 128+n for signal n.
    pub code: u8,
    pub output: String,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

impl Cmd {
    pub fn new(program: impl Into<PathBuf>, summary: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            cwd: None,
            envs: Vec::new(),
            summary: summary.into(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The command line as a shell would take it: `cd DIR && VAR=x prog 'arg with space'`.
    pub fn display(&self) -> String {
        let mut words = Vec::new();
        for (key, value) in &self.envs {
            words.push(format!(
                "{}={}",
                key.to_string_lossy(),
                shell_quote(&value.to_string_lossy())
            ));
        }
        words.push(shell_quote(&display_path(&self.program)));
        words.extend(self.args.iter().map(|a| shell_quote(&a.to_string_lossy())));
        let line = words.join(" ");
        match &self.cwd {
            Some(dir) => format!("cd {} && {line}", shell_quote(&display_path(dir))),
            None => line,
        }
    }

    /// Print the command with `-v` ("every command photon-cf runs").
    pub fn echo(&self, printer: &Printer) {
        printer.verbose(format!("$ {}", self.display()));
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    /// The command with stdin closed and stdout and stderr piped back to us.
    fn piped_command(&self) -> Command {
        let mut command = self.command();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Start it without waiting, stdin closed, stdout and stderr piped, in a process group of
    /// its own on Unix so the whole tree (wrangler, workerd) can be stopped together.
    pub fn spawn_group(&self, printer: &Printer) -> Result<Child, SpawnError> {
        self.echo(printer);
        let mut command = self.piped_command();
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        command.spawn().map_err(|err| self.spawn_error(err))
    }

    /// Run to the end with stdin closed, copying its stdout and stderr to our stderr as they
    /// come (stdout is ours for data) while keeping a copy to read results from.
    pub fn run_streaming(&self, printer: &Printer) -> Result<Finished, SpawnError> {
        self.echo(printer);
        let mut child = self
            .piped_command()
            .spawn()
            .map_err(|err| self.spawn_error(err))?;
        let captured = Arc::new(Mutex::new(Vec::new()));
        let pumps = pump_child(&mut child, true, &captured, |_| {});
        let status = child.wait().map_err(|err| self.spawn_error(err))?;
        join_pumps(pumps);
        let output = String::from_utf8_lossy(&captured.lock().expect("pump lock")).into_owned();
        Ok(Finished {
            code: exit_code(status),
            output,
        })
    }

    /// Run to the end with stdin closed and its output captured, not shown.
    pub fn run_captured(&self, printer: &Printer) -> Result<Finished, SpawnError> {
        self.echo(printer);
        let mut command = self.command();
        command.stdin(Stdio::null());
        let out = command.output().map_err(|err| self.spawn_error(err))?;
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok(Finished {
            code: exit_code(out.status),
            output,
        })
    }

    /// Run to the end with stdin closed, its stdout sent to our stderr and its stderr ours, so a
    /// terminal shows its progress as it draws it.
    pub fn run_on_stderr(&self, printer: &Printer) -> Result<Finished, SpawnError> {
        self.echo(printer);
        let mut command = self.command();
        command
            .stdin(Stdio::null())
            .stdout(std::io::stderr())
            .stderr(Stdio::inherit());
        let status = command.status().map_err(|err| self.spawn_error(err))?;
        Ok(Finished {
            code: exit_code(status),
            output: String::new(),
        })
    }

    fn spawn_error(&self, source: std::io::Error) -> SpawnError {
        SpawnError {
            program: self.program.clone(),
            summary: self.summary.clone(),
            source,
        }
    }
}

/// A command could not be started (or waited for).
#[derive(Debug, thiserror::Error)]
#[error("could not run `{}` to {summary}", display_path(program))]
pub struct SpawnError {
    pub program: PathBuf,
    pub summary: String,
    #[source]
    pub source: std::io::Error,
}

impl SpawnError {
    /// A missing or non-executable program is the user's to fix (exit 1), with a diagnostic;
    /// anything else is our failure.
    pub fn into_diagnostic(self) -> Result<Diagnostic, anyhow::Error> {
        use std::io::ErrorKind;
        match self.source.kind() {
            ErrorKind::NotFound | ErrorKind::PermissionDenied => {
                Ok(crate::diagnostics::catalog::tool_not_runnable(
                    &self.program,
                    &self.summary,
                    &self.source,
                ))
            }
            _ => Err(anyhow::Error::new(self)),
        }
    }
}

/// The exit code to pass through: the child's own, or 128+n when signal n ended it (as a shell
/// reports it).
pub fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        // Codes outside 0..=255 only exist on Windows; keep "failed" rather than wrapping to 0.
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128u8.saturating_add(u8::try_from(signal).unwrap_or(127));
        }
    }
    1
}

/// Copy the child's stdout and stderr to our stderr (when `show`), append both to `captured`,
/// and call `on_line` with every complete line (ANSI colours removed).
pub fn pump_child(
    child: &mut Child,
    show: bool,
    captured: &Arc<Mutex<Vec<u8>>>,
    on_line: impl FnMut(&str) + Send + Clone + 'static,
) -> Vec<JoinHandle<()>> {
    let mut pumps = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        pumps.push(spawn_pump(stdout, show, captured.clone(), on_line.clone()));
    }
    if let Some(stderr) = child.stderr.take() {
        pumps.push(spawn_pump(stderr, show, captured.clone(), on_line));
    }
    pumps
}

pub fn join_pumps(pumps: Vec<JoinHandle<()>>) {
    for pump in pumps {
        let _ = pump.join();
    }
}

fn spawn_pump(
    mut reader: impl Read + Send + 'static,
    show: bool,
    captured: Arc<Mutex<Vec<u8>>>,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        let mut line = Vec::new();
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            if show {
                // Chunks, not lines, so partial lines (progress) show up as they are written.
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(chunk);
                let _ = stderr.flush();
            }
            captured.lock().expect("pump lock").extend_from_slice(chunk);
            for &byte in chunk {
                if byte == b'\n' {
                    on_line(&strip_ansi(&String::from_utf8_lossy(&line)));
                    line.clear();
                } else {
                    line.push(byte);
                }
            }
        }
        if !line.is_empty() {
            on_line(&strip_ansi(&String::from_utf8_lossy(&line)));
        }
    })
}

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

fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Make sure DIR's npm dependencies are installed for the `package.json` that was just
/// rendered: install when `node_modules` is missing or `package.json` changed since the last
/// install (we keep a copy of it in [`INSTALL_STAMP`]).
///
/// On a terminal the package manager draws its own progress; in CI (or with stderr not a
/// terminal) it runs quietly and its output is shown only if it fails or with `-v`.
pub fn install_dependencies(
    out_dir: &Path,
    cwd: &Path,
    printer: &Printer,
) -> anyhow::Result<Result<Installed, Diagnostic>> {
    let out_dir = absolute(cwd, out_dir);
    let manifest_path = out_dir.join("package.json");
    let manifest = std::fs::read(&manifest_path)
        .with_context(|| format!("failed to read `{}`", display_path(&manifest_path)))?;
    let stamp_path = out_dir.join(INSTALL_STAMP);
    if std::fs::read(&stamp_path).is_ok_and(|stamp| stamp == manifest) {
        printer.verbose(format!(
            "dependencies of `{}` are up to date",
            display_path(&out_dir)
        ));
        return Ok(Ok(Installed::UpToDate));
    }
    let explicit = std::env::var_os(NPM_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let npm = match locate_npm(
        explicit.as_deref(),
        cwd,
        std::env::var_os("PATH").as_deref(),
    ) {
        Ok(npm) => npm,
        Err(diagnostic) => return Ok(Err(*diagnostic)),
    };
    let is_npm = npm
        .file_stem()
        .is_some_and(|stem| stem.eq_ignore_ascii_case("npm"));
    let interactive_terminal =
        std::io::stderr().is_terminal() && !non_interactive() && printer.level >= 0;
    let mut cmd = Cmd::new(&npm, "install the output project's dependencies")
        .arg("install")
        .current_dir(&out_dir);
    if is_npm {
        // Audit and funding lines are noise here and cost extra registry round trips.
        cmd = cmd.args(["--no-audit", "--no-fund"]);
        if !interactive_terminal {
            cmd = cmd.arg("--no-progress");
        }
    }
    printer.status(
        "Installing",
        format!("dependencies in `{}`", display_path(&out_dir)),
    );
    let started = std::time::Instant::now();
    let finished = if interactive_terminal || printer.is_verbose() {
        cmd.run_on_stderr(printer)
    } else {
        cmd.run_captured(printer)
    };
    let finished = match finished {
        Ok(finished) => finished,
        Err(err) => return err.into_diagnostic().map(Err),
    };
    if !finished.success() {
        let mut message = format!(
            "`{} install` failed in `{}` (exit code {})",
            npm.file_stem().unwrap_or_default().to_string_lossy(),
            display_path(&out_dir),
            finished.code
        );
        let tail = finished.output.trim_end();
        if !tail.is_empty() {
            message.push_str(":\n");
            message.push_str(tail);
        }
        return Ok(Err(crate::diagnostics::catalog::install_failed(
            message, &out_dir,
        )));
    }
    let node_modules = out_dir.join("node_modules");
    std::fs::create_dir_all(&node_modules)
        .with_context(|| format!("failed to create `{}`", display_path(&node_modules)))?;
    std::fs::write(&stamp_path, &manifest)
        .with_context(|| format!("failed to write `{}`", display_path(&stamp_path)))?;
    printer.verbose(format!(
        "installed dependencies in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(Ok(Installed::Installed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    UpToDate,
    Installed,
}

/// Describe where wrangler came from, for `-v`.
pub fn describe(located: &Located) -> String {
    format!(
        "using wrangler `{}` ({})",
        display_path(&located.program),
        located.found_in.describe()
    )
}

/// Stop a process group started by [`Cmd::spawn_group`]: SIGTERM to the whole group (wrangler
/// and the workerd processes it started), then SIGKILL if it has not exited within `grace`.
pub fn stop_group(child: &mut Child, grace: std::time::Duration) -> std::process::ExitStatus {
    if let Ok(Some(status)) = child.try_wait() {
        // The leader is gone, but workerd may still be running in its group.
        kill_group(child.id(), Signal::Kill);
        return status;
    }
    kill_group(child.id(), Signal::Term);
    #[cfg(not(unix))]
    {
        // No group to signal and no SIGTERM: end wrangler itself rather than wait out `grace`.
        let _ = child.kill();
    }
    let deadline = std::time::Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                // Children that ignored SIGTERM (or were slower than their parent) go now.
                kill_group(child.id(), Signal::Kill);
                return status;
            }
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            _ => {
                kill_group(child.id(), Signal::Kill);
                let _ = child.kill();
                return child.wait().unwrap_or_else(|_| failed_status());
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

#[cfg(unix)]
fn kill_group(pgid: u32, signal: Signal) {
    let signal = match signal {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals the process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pgid: u32, _signal: Signal) {
    // No process groups: `stop_group` falls back to `Child::kill` of wrangler itself.
}

#[cfg(unix)]
fn failed_status() -> std::process::ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    std::process::ExitStatus::from_raw(1 << 8)
}

#[cfg(windows)]
fn failed_status() -> std::process::ExitStatus {
    use std::os::windows::process::ExitStatusExt;
    std::process::ExitStatus::from_raw(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch_executable(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[test]
    fn windows_tries_the_cmd_shim_first() {
        assert_eq!(
            executable_names("wrangler", true),
            ["wrangler.cmd", "wrangler.exe", "wrangler"]
        );
        assert_eq!(executable_names("wrangler", false), ["wrangler"]);
    }

    #[test]
    fn lookup_order_is_out_dir_then_current_project_then_path() {
        let root = tempfile::tempdir().unwrap();
        let cwd = root.path();
        let path_dir = cwd.join("bin");
        touch_executable(&path_dir.join("wrangler"));
        let path_var = std::env::join_paths([&path_dir]).unwrap();
        let found = locate_wrangler_for(None, Path::new("dist"), cwd, Some(&path_var), false);
        assert_eq!(found.unwrap().found_in, FoundIn::Path);

        touch_executable(&cwd.join("node_modules/.bin/wrangler"));
        let found = locate_wrangler_for(None, Path::new("dist"), cwd, Some(&path_var), false);
        assert_eq!(found.unwrap().found_in, FoundIn::CurrentDir);

        touch_executable(&cwd.join("dist/node_modules/.bin/wrangler"));
        let found =
            locate_wrangler_for(None, Path::new("dist"), cwd, Some(&path_var), false).unwrap();
        assert_eq!(found.found_in, FoundIn::OutDir);
        assert_eq!(found.program, cwd.join("dist/node_modules/.bin/wrangler"));

        // An explicit choice wins over all of them, and is made absolute.
        touch_executable(&cwd.join("tools/my-wrangler"));
        let found = locate_wrangler_for(
            Some(Path::new("tools/my-wrangler")),
            Path::new("dist"),
            cwd,
            Some(&path_var),
            false,
        )
        .unwrap();
        assert_eq!(found.found_in, FoundIn::Explicit);
        assert_eq!(found.program, cwd.join("tools/my-wrangler"));
    }

    #[test]
    fn windows_finds_the_cmd_shim_in_node_modules() {
        let root = tempfile::tempdir().unwrap();
        touch_executable(&root.path().join("dist/node_modules/.bin/wrangler.cmd"));
        let found = locate_wrangler_for(None, Path::new("dist"), root.path(), None, true).unwrap();
        assert_eq!(
            found.program,
            root.path().join("dist/node_modules/.bin/wrangler.cmd")
        );
    }

    #[test]
    fn missing_wrangler_says_how_to_install_it() {
        let root = tempfile::tempdir().unwrap();
        let err =
            locate_wrangler_for(None, Path::new("dist"), root.path(), None, false).unwrap_err();
        assert_eq!(err.code, crate::diagnostics::catalog::WRANGLER_NOT_FOUND);
        let help = err.help.unwrap();
        assert!(help.contains("npm install"), "{help}");
        assert!(help.contains("PHOTON_CF_WRANGLER"), "{help}");

        let err = locate_wrangler_for(
            Some(Path::new("nope/wrangler")),
            Path::new("dist"),
            root.path(),
            None,
            false,
        )
        .unwrap_err();
        assert!(err.message.contains("nope/wrangler"), "{}", err.message);
    }

    #[test]
    fn a_bare_explicit_name_is_looked_up_on_path() {
        let root = tempfile::tempdir().unwrap();
        touch_executable(&root.path().join("bin/wrangler4"));
        let path_var = std::env::join_paths([root.path().join("bin")]).unwrap();
        let found = locate_wrangler_for(
            Some(Path::new("wrangler4")),
            Path::new("dist"),
            root.path(),
            Some(&path_var),
            false,
        )
        .unwrap();
        assert_eq!(found.program, root.path().join("bin/wrangler4"));
    }

    #[test]
    fn display_quotes_what_a_shell_would_split() {
        let cmd = Cmd::new("/x/wrangler", "deploy")
            .args(["deploy", "--var", "GREETING:hello world", "it's"])
            .current_dir("out dir")
            .env("CI", "true");
        assert_eq!(
            cmd.display(),
            "cd 'out dir' && CI=true /x/wrangler deploy --var 'GREETING:hello world' 'it'\\''s'"
        );
    }

    #[test]
    fn ansi_colours_are_stripped_for_matching() {
        assert_eq!(
            strip_ansi("\x1b[32m[wrangler:info]\x1b[0m Ready on http://127.0.0.1:8787\r"),
            "[wrangler:info] Ready on http://127.0.0.1:8787"
        );
    }

    #[cfg(unix)]
    #[test]
    fn signals_become_128_plus_n() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(3 << 8)), 3);
        // Raw wait status 15 = killed by SIGTERM.
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(15)), 143);
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(2)), 130);
    }
}
