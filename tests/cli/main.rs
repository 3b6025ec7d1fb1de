//! photon-cf's CLI tests, one binary: `build` and `check` (`build.rs`), `deploy` and `dev` with a
//! fake and the real wrangler (`deploy.rs`), the malformed-photon corpus (`malformed.rs`), and
//! the refusals of what cannot run on Workers: heavy packages, the bundle start-up check
//! (`refusals.rs`).
//!
//! Every test runs the binary through [`CliTest`] (the shape of ruff's `crates/ruff/tests/cli`):
//! a canonical temporary directory, an insta filter that writes it as `[TMP]`, and a command
//! whose environment is cleared down to `PATH` and `HOME` plus what the test sets, so neither
//! the developer's shell (`RUST_BACKTRACE`, `PHOTON_DIR`, `PHOTON_CF_WRANGLER`, `CI`, `NO_COLOR`)
//! nor the order tests run in changes what they see.

mod build;
#[cfg(unix)]
mod deploy;
mod malformed;
#[cfg(unix)]
mod refusals;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository, for fixtures and templates.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// No telemetry, no cf.json fetch, no update check: wrangler in the tests runs offline.
pub fn quiet_wrangler(cmd: &mut Command) -> &mut Command {
    cmd.env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_HIDE_BANNER", "true")
        .env("WRANGLER_SEND_ERROR_REPORTS", "false")
}

pub fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// `tests/fake-wrangler/fake-tool` copied to `to`, executable: a stand-in for wrangler or npm.
pub fn install_fake(to: &Path) {
    fs::copy(repo().join("tests/fake-wrangler/fake-tool"), to).unwrap();
    make_executable(to);
}

/// `tests/e2e`, with its pinned node_modules installed. A missing Node fails the test rather than
/// skipping it quietly (Rust's runner cannot report a skip); `scripts/test.sh` installs Node.
pub fn e2e_dir() -> PathBuf {
    assert!(
        Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "`node` is not on PATH: run the tests through `bash scripts/test.sh`, which installs it"
    );
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let e2e = repo().join("tests/e2e");
    if !e2e.join("node_modules/.bin/wrangler").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&e2e)
            .status()
            .expect("npm ci in tests/e2e");
        assert!(status.success(), "npm ci in tests/e2e failed");
    }
    e2e
}

/// A scratch directory to run photon-cf in, and the snapshot settings that go with it.
pub struct CliTest {
    root: PathBuf,
    _settings: insta::internals::SettingsBindDropGuard,
    _dir: tempfile::TempDir,
}

impl Default for CliTest {
    fn default() -> Self {
        Self::new()
    }
}

impl CliTest {
    /// An empty, canonical temporary directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Canonical, so a path photon-cf resolves (through a symlinked /tmp) still matches it.
        let root = dir.path().canonicalize().unwrap();
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(&regex_escape(&root.display().to_string()), "[TMP]");
        let _settings = settings.bind_to_scope();
        Self {
            root,
            _settings,
            _dir: dir,
        }
    }

    /// A temporary directory holding a copy of the files of `fixtures/<fixture>`.
    pub fn with_fixture(fixture: &str) -> Self {
        let test = Self::new();
        let source = repo().join("fixtures").join(fixture);
        for entry in fs::read_dir(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display())) {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                fs::copy(entry.path(), test.root.join(entry.file_name())).unwrap();
            }
        }
        test
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// `photon-cf` in this directory, with a cleared environment.
    pub fn command(&self) -> Command {
        photon_cf_command(&self.root)
    }

    /// Run `photon-cf ARGS` here and collect what it printed.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.command().args(args).output().expect("the binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// `photon-cf` run in `cwd` with only `PATH` and `HOME` of our environment.
pub fn photon_cf_command(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_photon-cf"));
    command.current_dir(cwd).env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(key) {
            command.env(key, value);
        }
    }
    command
}

/// `text` as a regular expression matching itself (insta's filters are regexes).
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text (the temp dir becomes `[TMP]` in snapshots).
    pub fn snapshot(&self) -> String {
        let text = format!(
            "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        );
        text.replace('\\', "/")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", self.stdout))
    }
}

/// Every file under `dir`, relative path → bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(dir).unwrap();
            let key = relative.display().to_string().replace('\\', "/");
            out.insert(key, fs::read(entry.path()).unwrap());
        }
    }
    out
}
