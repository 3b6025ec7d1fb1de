//! Running wrangler and npm: how a command is echoed with `-v`, how its output reaches our
//! stderr, the process group it runs in (so wrangler and the workerd processes it starts stop
//! together), the signals that stop that group, and how its exit status becomes ours.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::diagnostics::catalog;
use crate::diagnostics::{Diagnostic, display_path};
use crate::printer::Printer;
use crate::wrangler::output::strip_ansi;

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
    fn echo(&self, printer: &Printer) {
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

    /// Run to the end in a process group of its own (as [`Cmd::spawn_group`]), copying its
    /// stdout and stderr to our stderr as they come (stdout is ours for data) while keeping a
    /// copy to read results from. A signal caught by [`signals`] meanwhile stops the whole group
    /// and becomes the exit code (128+n), as in `dev`.
    pub fn run_streaming(&self, printer: &Printer) -> Result<Finished, SpawnError> {
        let mut child = self.spawn_group(printer)?;
        let captured = Arc::new(Mutex::new(Vec::new()));
        let pumps = pump_child(&mut child, true, Some(&captured), |_| {});
        let status = wait_group(&mut child, STOP_GRACE).map_err(|err| self.spawn_error(err))?;
        join_pumps(pumps);
        let output = String::from_utf8_lossy(&captured.lock().expect("pump lock")).into_owned();
        let code = match signals::received() {
            Some(signal) => 128u8.saturating_add(signal),
            None => exit_code(status),
        };
        Ok(Finished { code, output })
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
            ErrorKind::NotFound | ErrorKind::PermissionDenied => Ok(catalog::tool_not_runnable(
                &self.program,
                &self.summary,
                &self.source,
            )),
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

/// Copy the child's stdout and stderr to our stderr (when `show`), append both to `captured` (when given),
/// and call `on_line` with every complete line (ANSI colours removed).
pub fn pump_child(
    child: &mut Child,
    show: bool,
    captured: Option<&Arc<Mutex<Vec<u8>>>>,
    on_line: impl FnMut(&str) + Send + Clone + 'static,
) -> Vec<JoinHandle<()>> {
    let mut pumps = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        pumps.push(spawn_pump(stdout, show, captured.cloned(), on_line.clone()));
    }
    if let Some(stderr) = child.stderr.take() {
        pumps.push(spawn_pump(stderr, show, captured.cloned(), on_line));
    }
    pumps
}

fn join_pumps(pumps: Vec<JoinHandle<()>>) {
    for pump in pumps {
        let _ = pump.join();
    }
}

fn spawn_pump(
    mut reader: impl Read + Send + 'static,
    show: bool,
    captured: Option<Arc<Mutex<Vec<u8>>>>,
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
            if let Some(captured) = &captured {
                captured.lock().expect("pump lock").extend_from_slice(chunk);
            }
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

/// How long a group gets to stop on SIGTERM before it is killed.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// Wait for the leader of a group started by [`Cmd::spawn_group`]. A signal caught meanwhile
/// stops the whole group; once the leader has exited, whatever it left in its group goes too,
/// so no straggler outlives us or holds our pipes open.
fn wait_group(child: &mut Child, grace: Duration) -> std::io::Result<std::process::ExitStatus> {
    loop {
        if signals::received().is_some() {
            return Ok(stop_group(child, grace));
        }
        if let Some(status) = child.try_wait()? {
            kill_group(child.id(), Signal::Kill);
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
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

/// Ctrl-C and SIGTERM: remembered here and acted on by whoever waits for wrangler (`dev`'s poll
/// loop, [`wait_group`]), which stops wrangler's whole process group (wrangler runs in its own
/// group, so the terminal's SIGINT never reaches it directly).
pub mod signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    static RECEIVED: AtomicI32 = AtomicI32::new(0);

    #[cfg(unix)]
    extern "C" fn on_signal(signal: libc::c_int) {
        // Only an atomic store: the one thing that is safe in a signal handler.
        RECEIVED.store(signal, Ordering::SeqCst);
    }

    #[cfg(unix)]
    pub fn install() {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: installs a handler that only stores to an atomic.
            unsafe {
                libc::signal(signal, handler);
            }
        }
    }

    #[cfg(not(unix))]
    pub fn install() {
        // On Windows Ctrl-C reaches every process on the console, wrangler included; the
        // session's Drop stops whatever is left.
    }

    pub fn received() -> Option<u8> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            n => u8::try_from(n).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
