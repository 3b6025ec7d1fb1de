//! `deploy` and `dev`.
//!
//! Most use a fake wrangler (`tests/fake-wrangler/fake-tool`, copied in as `wrangler` and `npm`)
//! that records its arguments, `CI`, stdin and working directory, prints what it is told and
//! exits with the code it is told. Three use the real, pinned wrangler of `tests/e2e`: a
//! `deploy --dry-run` bundle, a `dev` session that is edited, broken and interrupted, and the
//! redeploy sequence whose migrations every step must keep valid.
//!
//! Unix only: the fake is a `sh` script, and process groups and signals are what `dev` is
//! tested on (the Windows `.cmd` lookup is unit-tested in `src/wrangler/locate.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{CliTest, e2e_dir, install_fake, make_executable, quiet_wrangler};

const TALLY: &str = r#"/**
 * Counts things.
 */
export default class Tally {
  constructor(private apiKey: string, private limit?: number) {}

  /**
   * Add n to the tally
   * @param n - how much
   */
  async add(n: number = 1) {
    const total = ((await (this as any).memory.get('total')) ?? 0) + n;
    await (this as any).memory.set('total', total);
    return { total };
  }
}
"#;

/// The shape of a real `wrangler deploy` (4.x) success, for the fake to print.
const DEPLOY_OUTPUT: &str = "\
Total Upload: 94.21 KiB / gzip: 21.96 KiB
Worker Startup Time: 12 ms
Your Worker has access to the following bindings:
Binding                                    Resource
env.PHOTON (TallyPhotonDO)                 Durable Object
env.PHOTON_GLOBAL (PhotonGlobalStore)      Durable Object

Uploaded tally (2.10 sec)
Deployed tally triggers (0.80 sec)
  https://tally.example.workers.dev
Current Version ID: 0a1b2c3d-0000-4000-8000-00000000abcd
";

/// A scratch project: the photon, a `bin/` holding the fake `wrangler` and `npm`, the run log.
struct Project {
    test: CliTest,
}

impl Project {
    fn new(photon: &str) -> Self {
        let test = CliTest::new();
        std::fs::write(test.path().join("tally.photon.ts"), photon).unwrap();
        std::fs::create_dir_all(test.path().join("bin")).unwrap();
        for name in ["wrangler", "npm"] {
            install_fake(&test.path().join("bin").join(name));
        }
        Self { test }
    }

    fn path(&self) -> &Path {
        self.test.path()
    }

    fn log(&self) -> PathBuf {
        self.path().join("runs.log")
    }

    /// `photon-cf ARGS` in the project (cleared environment, so `CI` is unset), with the fakes
    /// named and stdin closed.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.test.command();
        cmd.args(args)
            .stdin(Stdio::null())
            .env("PHOTON_CF_WRANGLER", self.path().join("bin/wrangler"))
            .env("PHOTON_CF_NPM", self.path().join("bin/npm"))
            .env("FAKE_LOG", self.log())
            // The fake wrangler bundles nothing to start; `real_command` turns the check back on.
            .env("PHOTON_CF_SKIP_START_CHECK", "1");
        quiet_wrangler(&mut cmd);
        cmd
    }

    fn run(&self, args: &[&str], configure: impl FnOnce(&mut Command)) -> Output {
        let mut cmd = self.command(args);
        configure(&mut cmd);
        cmd.output().unwrap()
    }

    fn runs(&self) -> Vec<Run> {
        parse_runs(&std::fs::read_to_string(self.log()).unwrap_or_default())
    }

    fn write_output(&self, text: &str) -> PathBuf {
        let path = self.path().join("wrangler-output.txt");
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// One recorded run of the fake.
#[derive(Debug, Default)]
struct Run {
    tool: String,
    cwd: PathBuf,
    args: Vec<String>,
    ci: String,
    stdin: String,
}

fn parse_runs(log: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    for line in log.lines() {
        if let Some(tool) = line.strip_prefix("== ") {
            runs.push(Run {
                tool: tool.to_string(),
                ..Run::default()
            });
            continue;
        }
        let run = runs.last_mut().expect("a run header comes first");
        if let Some(v) = line.strip_prefix("cwd=") {
            run.cwd = PathBuf::from(v);
        } else if let Some(v) = line.strip_prefix("arg=") {
            run.args.push(v.to_string());
        } else if let Some(v) = line.strip_prefix("env.CI=") {
            run.ci = v.to_string();
        } else if let Some(v) = line.strip_prefix("stdin=") {
            run.stdin = v.to_string();
        }
    }
    runs
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not one JSON document ({err}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(output)
        )
    })
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap()
}

#[test]
fn deploy_installs_then_runs_wrangler_deploy_in_dir_with_extra_args_and_no_prompts() {
    let project = Project::new(TALLY);
    let output_file = project.write_output(DEPLOY_OUTPUT);
    let out = project.run(
        &[
            "deploy",
            "tally.photon.ts",
            "--",
            "--env",
            "staging",
            "--minify",
        ],
        |cmd| {
            cmd.env("FAKE_WRANGLER_STDOUT", &output_file);
        },
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(out.stdout.is_empty(), "human mode keeps stdout for data");

    let runs = project.runs();
    let tools: Vec<&str> = runs.iter().map(|r| r.tool.as_str()).collect();
    assert_eq!(tools, ["npm", "wrangler"], "{runs:?}");
    let dist = canonical(&project.path().join("dist"));
    assert_eq!(canonical(&runs[0].cwd), dist);
    assert_eq!(runs[0].args[0], "install");
    let wrangler = &runs[1];
    assert_eq!(canonical(&wrangler.cwd), dist);
    assert_eq!(wrangler.args, ["deploy", "--env", "staging", "--minify"]);
    // stdin is not a terminal here, so wrangler must not wait for an answer.
    assert_eq!(wrangler.ci, "true");
    assert_eq!(wrangler.stdin, "/dev/null");

    // wrangler's own output reaches stderr, then our summary and the secrets to set.
    assert!(err.contains("fake wrangler: a line on stderr"), "{err}");
    assert!(err.contains("Current Version ID: 0a1b2c3d"), "{err}");
    assert!(
        err.contains("Deployed `tally` to https://tally.example.workers.dev (version 0a1b2c3d-0000-4000-8000-00000000abcd)"),
        "{err}"
    );
    assert!(
        err.contains("MCP endpoint: https://tally.example.workers.dev/mcp"),
        "{err}"
    );
    assert!(err.contains("wrangler secret put TALLY_API_KEY"), "{err}");
}

#[test]
fn deploy_json_reports_worker_url_version_bindings_and_config() {
    let project = Project::new(TALLY);
    let output_file = project.write_output(DEPLOY_OUTPUT);
    let out = project.run(&["deploy", "--output-format", "json"], |cmd| {
        cmd.env("FAKE_WRANGLER_STDOUT", &output_file);
    });
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["success"], true);
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["photon"], "tally");
    assert_eq!(doc["worker"], "tally");
    assert_eq!(doc["url"], "https://tally.example.workers.dev");
    assert_eq!(doc["version_id"], "0a1b2c3d-0000-4000-8000-00000000abcd");
    assert_eq!(doc["wrangler_exit_code"], 0);
    assert_eq!(
        doc["bindings"][0],
        serde_json::json!({"name": "PHOTON", "value": "TallyPhotonDO", "resource": "Durable Object"})
    );
    let config: Vec<&str> = doc["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(config, ["TALLY_API_KEY", "TALLY_LIMIT"]);
    assert_eq!(
        doc["config"][0]["secret_command"],
        "wrangler secret put TALLY_API_KEY"
    );
}

#[test]
fn wranglers_exit_code_is_passed_through_with_a_credentials_hint() {
    let project = Project::new(TALLY);
    let output_file = project.write_output(
        "✘ [ERROR] In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.\n",
    );
    let out = project.run(&["deploy", "--json"], |cmd| {
        cmd.env("FAKE_WRANGLER_STDOUT", &output_file)
            .env("FAKE_WRANGLER_EXIT", "7");
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(
        err.contains("error: `wrangler deploy` failed with exit code 7"),
        "{err}"
    );
    assert!(err.contains("CLOUDFLARE_API_TOKEN"), "{err}");
    let doc = json(&out);
    assert_eq!(doc["success"], false);
    assert_eq!(doc["wrangler_exit_code"], 7);
}

#[test]
fn quiet_silences_progress_but_never_photon_cfs_error_line() {
    let project = Project::new(TALLY);
    let out = project.run(&["deploy", "-q"], |cmd| {
        cmd.env("FAKE_WRANGLER_EXIT", "7");
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(
        err.contains("error: `wrangler deploy` failed with exit code 7"),
        "{err}"
    );
    assert!(!err.contains("Deploying"), "-q hides status lines: {err}");

    let broken = Project::new("export default class Tally { add( }\n");
    let out = broken.run(&["deploy", "-q"], |_| {});
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: build failed with 1 error; nothing was written"),
        "{err}"
    );
}

#[test]
fn deploy_names_the_worker_as_the_users_wrangler_toml_does() {
    let project = Project::new(TALLY);
    let built = project.run(&["build"], |_| {});
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let toml_path = project.path().join("dist/wrangler.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    assert!(toml.contains("name = \"tally\""), "{toml}");
    std::fs::write(
        &toml_path,
        toml.replace("name = \"tally\"", "name = \"tally-prod\""),
    )
    .unwrap();

    let out = project.run(&["deploy", "--dry-run", "--json"], |_| {});
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(json(&out)["worker"], "tally-prod", "{err}");
    assert!(err.contains("Bundling `tally-prod` with wrangler"), "{err}");
    assert!(err.contains("Bundled `tally-prod` into"), "{err}");
}

#[test]
fn deploy_in_ci_sets_ci_for_wrangler_and_a_signal_death_is_128_plus_n() {
    let project = Project::new(TALLY);
    // A wrangler that kills itself with SIGTERM: a shell would report 143, so do we.
    let killer = project.path().join("bin/wrangler");
    std::fs::write(
        &killer,
        "#!/bin/sh\nprintf '== wrangler\\nenv.CI=%s\\n' \"${CI-<unset>}\" >>\"$FAKE_LOG\"\nkill -TERM $$\n",
    )
    .unwrap();
    make_executable(&killer);
    let out = project.run(&["deploy"], |cmd| {
        cmd.env("CI", "1");
    });
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    let runs = project.runs();
    assert_eq!(runs.last().unwrap().ci, "true");
}

#[test]
fn dependencies_are_installed_only_when_missing_or_stale() {
    let project = Project::new(TALLY);
    let count_npm = |project: &Project| project.runs().iter().filter(|r| r.tool == "npm").count();
    for _ in 0..2 {
        let out = project.run(&["deploy"], |_| {});
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(
        count_npm(&project),
        1,
        "the second deploy reuses node_modules"
    );

    // A new @dependencies entry changes package.json: install again.
    let with_dependency = TALLY.replace(
        " * Counts things.\n",
        " * Counts things.\n * @dependencies left-pad@^1.3.0\n",
    );
    std::fs::write(project.path().join("tally.photon.ts"), with_dependency).unwrap();
    let out = project.run(&["deploy"], |_| {});
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(count_npm(&project), 2, "package.json changed");

    // node_modules removed by hand: install again.
    std::fs::remove_dir_all(project.path().join("dist/node_modules")).unwrap();
    let out = project.run(&["deploy"], |_| {});
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(count_npm(&project), 3, "node_modules was gone");
}

#[test]
fn a_failed_install_is_exit_1_and_wrangler_never_runs() {
    let project = Project::new(TALLY);
    let out = project.run(&["deploy"], |cmd| {
        cmd.env("FAKE_NPM_EXIT", "9");
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("photon-cf::install-failed"), "{err}");
    assert!(
        err.contains("fake npm: installed"),
        "npm's output is shown: {err}"
    );
    assert!(project.runs().iter().all(|r| r.tool != "wrangler"));
}

#[test]
fn verbose_prints_every_command_it_runs() {
    let project = Project::new(TALLY);
    let out = project.run(&["deploy", "-v", "--", "--keep-vars"], |_| {});
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let npm_line = err
        .lines()
        .find(|l| l.starts_with("$ cd ") && l.contains("bin/npm install"))
        .unwrap_or_else(|| panic!("no npm line in {err}"));
    assert!(npm_line.ends_with("install --no-audit --no-fund --no-progress"));
    let wrangler_line = err
        .lines()
        .find(|l| l.starts_with("$ cd ") && l.contains("bin/wrangler deploy"))
        .unwrap_or_else(|| panic!("no wrangler line in {err}"));
    assert!(
        wrangler_line.contains("/dist && CI=true ")
            && wrangler_line.ends_with("deploy --keep-vars"),
        "{wrangler_line}"
    );
    assert!(
        err.contains("(named by --wrangler / PHOTON_CF_WRANGLER)"),
        "{err}"
    );
}

#[test]
fn dry_run_bundles_with_outdir_and_reports_the_size() {
    let project = Project::new(TALLY);
    let output_file = project.write_output(
        "Total Upload: 0.65 KiB / gzip: 0.39 KiB\nYour Worker has access to the following bindings:\nBinding   Resource\nenv.PHOTON (TallyPhotonDO)      Durable Object\n\n--dry-run: exiting now.\n",
    );
    let out = project.run(&["deploy", "--dry-run", "--json"], |cmd| {
        cmd.env("FAKE_WRANGLER_STDOUT", &output_file);
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let wrangler = project
        .runs()
        .into_iter()
        .find(|r| r.tool == "wrangler")
        .unwrap();
    let outdir = project.path().join("dist/.wrangler/dry-run");
    assert_eq!(
        wrangler.args,
        ["deploy", "--dry-run", "--outdir", outdir.to_str().unwrap()]
    );
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["bundle"]["total_kib"], 0.65);
    assert_eq!(doc["bundle"]["gzip_kib"], 0.39);
    // The fake's worker.js, without its source map.
    let bundle = std::fs::metadata(outdir.join("worker.js")).unwrap().len();
    assert_eq!(doc["bundle"]["bytes"], bundle);
    assert!(doc["url"].is_null());
    assert!(
        err.contains("Bundled `tally` into") && err.contains("(0.65 KiB, 0.39 KiB gzipped)"),
        "{err}"
    );
}

#[test]
fn a_broken_photon_never_reaches_wrangler() {
    let project = Project::new("export default class Tally { add( }\n");
    let out = project.run(&["deploy", "--json"], |_| {});
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(project.runs().is_empty(), "neither npm nor wrangler ran");
    let doc = json(&out);
    assert_eq!(doc["success"], false);
    assert!(!doc["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn missing_wrangler_and_npm_say_how_to_install_them() {
    let project = Project::new(TALLY);
    // A PATH with the shell tools the fake needs, and no wrangler or npm.
    let tools = project.path().join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    for tool in ["sh", "mkdir", "readlink", "ln", "cat"] {
        if let Some(found) = which(tool) {
            std::os::unix::fs::symlink(found, tools.join(tool)).unwrap();
        }
    }
    // npm first: once DIR's dependencies are installed, npm is not needed again.
    let out = project.run(&["deploy"], |cmd| {
        cmd.env_remove("PHOTON_CF_NPM").env("PATH", &tools);
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("photon-cf::npm-not-found"), "{err}");
    assert!(err.contains("Node.js"), "{err}");

    let out = project.run(&["deploy"], |cmd| {
        cmd.env_remove("PHOTON_CF_WRANGLER").env("PATH", &tools);
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("photon-cf::wrangler-not-found"), "{err}");
    assert!(err.contains("npm install"), "{err}");
    assert!(err.contains("PHOTON_CF_WRANGLER"), "{err}");

    let out = project.run(&["deploy", "--wrangler", "nowhere/wrangler"], |_| {});
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`nowhere/wrangler`"), "{err}");
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

// ---------------------------------------------------------------------------------------------
// dev

/// A running `photon-cf dev` whose stderr is collected line by line.
struct DevSession {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl DevSession {
    fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        Self { child, lines }
    }

    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Wait until `count` lines satisfy `pred`; return the last of them.
    fn wait_for(&mut self, what: &str, count: usize, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            {
                let lines = self.lines.lock().unwrap();
                let found: Vec<&String> = lines.iter().filter(|l| pred(l)).collect();
                if found.len() >= count {
                    return found[count - 1].clone();
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("dev exited ({status}) before {what}:\n{}", self.text());
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn interrupt(&mut self) -> i32 {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on the photon-cf process this test started.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "dev did not stop on SIGINT:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for DevSession {
    fn drop(&mut self) {
        // A failed assertion must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Alive means: /proc has it and it is not a zombie.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Every process below `pid`, by walking /proc's parent links.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let ppid: u32 = rest.split_whitespace().nth(1).unwrap().parse().unwrap();
        parents.push((child, ppid));
    }
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// The (wrangler, workerd stand-in) pids each fake `wrangler dev` wrote.
fn fake_server_pids(project: &Project) -> Vec<(u32, u32)> {
    let text =
        std::fs::read_to_string(format!("{}.pids", project.log().display())).unwrap_or_default();
    text.lines()
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect()
}

fn edit_photon(project: &Project, source: &str) {
    let path = project.path().join("tally.photon.ts");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, source).unwrap();
    // Coarse mtime clocks: make sure the poller sees a different stamp even within one tick.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    if file.metadata().unwrap().modified().unwrap() == before {
        file.set_modified(before + Duration::from_secs(1)).unwrap();
    }
}

const TALLY_WITH_RESET: &str = r#"/** Counts things. */
export default class Tally {
  /** Add n */
  async add(n: number = 1) {
    const total = ((await (this as any).memory.get('total')) ?? 0) + n;
    await (this as any).memory.set('total', total);
    return { total };
  }

  /** Back to zero */
  async reset() {
    await (this as any).memory.set('total', 0);
    return { total: 0 };
  }
}
"#;

#[test]
fn dev_restarts_on_change_keeps_the_last_good_server_and_stops_the_group_on_ctrl_c() {
    let project = Project::new(TALLY);
    let mut cmd = project.command(&["dev", "tally.photon.ts"]);
    cmd.env("FAKE_WRANGLER_SERVE", "1");
    let mut dev = DevSession::start(cmd);
    dev.wait_for("the first server", 1, |l| {
        l.contains("Serving http://127.0.0.1:8787")
    });
    assert!(
        dev.text().contains("TALLY_API_KEY=…, TALLY_LIMIT=…"),
        "the local configuration file is named: {}",
        dev.text()
    );
    let runs = project.runs();
    let first = runs.iter().find(|r| r.tool == "wrangler").unwrap();
    let dist = canonical(&project.path().join("dist"));
    assert_eq!(canonical(&first.cwd), dist);
    let state = project.path().join("dist/.wrangler/state");
    assert_eq!(
        first.args,
        [
            "dev",
            "--ip",
            "127.0.0.1",
            "--persist-to",
            state.to_str().unwrap(),
            "--show-interactive-dev-session=false",
            "--var",
            "PHOTON_LOCAL:1",
            "--inspector-port",
            "0"
        ]
    );
    assert_eq!(first.stdin, "/dev/null");

    // A good edit: rebuilt, the old server stopped (workerd too), a new one on the same port.
    edit_photon(&project, TALLY_WITH_RESET);
    dev.wait_for("the restarted server", 2, |l| {
        l.contains("Serving http://127.0.0.1:8787")
    });
    let pids = fake_server_pids(&project);
    assert_eq!(pids.len(), 2, "{}", dev.text());
    assert!(
        !alive(pids[0].0) && !alive(pids[0].1),
        "first server stopped"
    );
    let second = project
        .runs()
        .into_iter()
        .filter(|r| r.tool == "wrangler")
        .nth(1)
        .unwrap();
    assert!(
        second.args.windows(2).any(|w| w == ["--port", "8787"]),
        "{:?}",
        second.args
    );
    assert!(
        std::fs::read_to_string(project.path().join("dist/src/photons/tally.photon.ts"))
            .unwrap()
            .contains("async reset()")
    );

    // A broken save: the diagnostic is shown, nothing restarts, the last good server stays.
    edit_photon(&project, "export default class Tally { add( }\n");
    dev.wait_for("the kept server", 1, |l| {
        l.contains("the last good build is still serving at http://127.0.0.1:8787")
    });
    assert!(dev.text().contains("tally.photon.ts:1:"), "{}", dev.text());
    // That line is the sentinel: dev prints it at the end of the rebuild that would otherwise
    // have restarted the server, so by now a restart would have happened.
    assert_eq!(
        dev.text().matches("Restarting wrangler dev").count(),
        1,
        "only the good edit restarted: {}",
        dev.text()
    );
    assert_eq!(
        fake_server_pids(&project).len(),
        2,
        "no restart for a broken build"
    );
    assert!(alive(pids[1].0) && alive(pids[1].1));

    // Ctrl-C: the whole group goes, and the exit code says SIGINT.
    assert_eq!(dev.interrupt(), 130, "{}", dev.text());
    assert!(
        !alive(pids[1].0) && !alive(pids[1].1),
        "wrangler and workerd stopped"
    );
    assert!(
        dev.text().contains("Stopped wrangler dev"),
        "{}",
        dev.text()
    );
}

#[test]
fn dev_passes_wranglers_exit_code_through() {
    let project = Project::new(TALLY);
    let out = project.run(&["dev"], |cmd| {
        cmd.env("FAKE_WRANGLER_EXIT", "3");
    });
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("error: `wrangler dev` exited with code 3"),
        "{err}"
    );
}

#[test]
fn dev_with_a_broken_photon_starts_nothing() {
    let project = Project::new("export default class Tally { add( }\n");
    let out = project.run(&["dev", "--port", "0"], |_| {});
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(project.runs().is_empty());
}

// ---------------------------------------------------------------------------------------------
// real wrangler (the pinned one in tests/e2e)

/// `photon-cf ARGS` that finds the real wrangler in DIR's node_modules, into which the fake npm
/// links the packages DIR's package.json declares from tests/e2e's (no registry needed).
fn real_command(project: &Project, e2e: &Path, args: &[&str]) -> Command {
    let mut cmd = project.command(args);
    cmd.env_remove("PHOTON_CF_WRANGLER")
        .env_remove("PHOTON_CF_SKIP_START_CHECK")
        .env("FAKE_NPM_LINK", e2e);
    cmd
}

#[test]
fn real_wrangler_dry_run_bundles_the_photon() {
    let e2e = e2e_dir();
    let project = Project::new(TALLY);
    let out = real_command(&project, &e2e, &["deploy", "--dry-run", "--json"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let doc = json(&out);
    let total = doc["bundle"]["total_kib"].as_f64().unwrap();
    let bytes = doc["bundle"]["bytes"].as_u64().unwrap();
    assert!(total > 1.0 && bytes > 1024, "{doc}");
    let names: Vec<&str> = doc["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["PHOTON", "PHOTON_GLOBAL"]);
    assert!(err.contains("--dry-run: exiting now."), "{err}");
    eprintln!("dry-run bundle: {total} KiB, {bytes} bytes on disk");
}

/// POST a JSON-RPC `tools/call` to `/mcp` and return the response text.
fn call_tool(base: &str, tool: &str, arguments: &str) -> String {
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{tool}","arguments":{arguments}}}}}"#
    );
    http(base, "POST", "/mcp", Some(&body))
}

fn http(base: &str, method: &str, path: &str, body: Option<&str>) -> String {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn real_wrangler_dev_rebuilds_keeps_state_and_shuts_down_cleanly() {
    let e2e = e2e_dir();
    let project = Project::new(TALLY);
    // Locally, the constructor's configuration comes from DIR/.dev.vars (as dev says).
    std::fs::create_dir_all(project.path().join("dist")).unwrap();
    std::fs::write(
        project.path().join("dist/.dev.vars"),
        "TALLY_API_KEY=local-key\n",
    )
    .unwrap();
    let started = Instant::now();
    let mut dev = DevSession::start(real_command(
        &project,
        &e2e,
        &["dev", "tally.photon.ts", "--port", "0"],
    ));
    let serving = |l: &str| l.contains("Serving http://127.0.0.1:");
    let line = dev.wait_for("wrangler dev to be ready", 1, serving);
    let first_ready = started.elapsed();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let answer = call_tool(&base, "add", r#"{"n":5}"#);
    assert!(answer.contains(r#""total":5"#), "{answer}");

    // A new tool: the rebuilt server has it, on the same URL, with the state kept.
    edit_photon(&project, TALLY_WITH_RESET);
    let edited = Instant::now();
    let line = dev.wait_for("the restart", 2, serving);
    let restart = edited.elapsed();
    assert!(line.contains(&base), "same URL after a restart: {line}");
    let answer = call_tool(&base, "add", r#"{"n":1}"#);
    assert!(answer.contains(r#""total":6"#), "state survived: {answer}");
    let answer = http(&base, "GET", "/", None);
    assert!(answer.contains(r#""tools":2"#), "{answer}");

    // A broken save keeps serving the last good build.
    edit_photon(&project, "export default class Tally { add( }\n");
    dev.wait_for("the kept server", 1, |l| {
        l.contains("the last good build is still serving")
    });
    let answer = call_tool(&base, "reset", "{}");
    assert!(answer.contains(r#""total":0"#), "{answer}");

    // Ctrl-C: wrangler and every workerd below it are gone.
    let below = descendants(dev.child.id());
    assert!(
        below.len() >= 2,
        "wrangler and workerd run below photon-cf: {below:?}"
    );
    let interrupted = Instant::now();
    assert_eq!(dev.interrupt(), 130, "{}", dev.text());
    let shutdown = interrupted.elapsed();
    // photon-cf has exited after killing the group; the kernel may take a moment to finish them.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut left: Vec<u32> = below;
    while !left.is_empty() && Instant::now() < deadline {
        left.retain(|p| alive(*p));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(left.is_empty(), "left running: {left:?}");
    eprintln!(
        "dev: first ready {:.1} s, restart {:.1} s, shutdown {:.2} s",
        first_ready.as_secs_f64(),
        restart.as_secs_f64(),
        shutdown.as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// redeploys: the migrations of every step must be accepted by a Worker that already has the
// previous step deployed

const COUNTER_ALONE: &str = r#"/** Counts. */
export default class Counter {
  /** Add one */
  async add() {
    return { total: ((await (this as any).memory.get('total')) ?? 0) + 1 };
  }
}
"#;

const COUNTER_WITH_FORMATTER: &str = r#"/**
 * Counts, and formats with a sibling.
 * @photons formatter
 */
export default class Counter {
  /** Add one */
  async add() {
    return (this as any).call('formatter.format', { text: 'one more' });
  }
}
"#;

const FORMATTER: &str = r#"/** Formats text. */
export default class Formatter {
  /**
   * Put stars around it
   * @param text what to format
   */
  format(text: string) {
    return `*** ${text} ***`;
  }
}
"#;

/// `[[migrations]]` as (tag, new, renamed (from, to), deleted), and the bound classes.
type Migrations = Vec<(String, Vec<String>, Vec<(String, String)>, Vec<String>)>;

fn read_wrangler_toml(dir: &Path) -> (Migrations, Vec<String>) {
    let text = std::fs::read_to_string(dir.join("dist/wrangler.toml")).unwrap();
    let doc: toml_edit::DocumentMut = text.parse().unwrap();
    let strings = |item: Option<&toml_edit::Item>| -> Vec<String> {
        item.and_then(|i| i.as_array())
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let mut migrations = Vec::new();
    for table in doc["migrations"].as_array_of_tables().unwrap().iter() {
        let renamed = table
            .get("renamed_classes")
            .and_then(|i| i.as_array())
            .map(|a| {
                a.iter()
                    .map(|v| {
                        let t = v.as_inline_table().unwrap();
                        (
                            t["from"].as_str().unwrap().to_string(),
                            t["to"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        migrations.push((
            table["tag"].as_str().unwrap().to_string(),
            strings(table.get("new_sqlite_classes")),
            renamed,
            strings(table.get("deleted_classes")),
        ));
    }
    let mut bound: Vec<String> = doc["durable_objects"]["bindings"]
        .as_array_of_tables()
        .unwrap()
        .iter()
        .map(|t| t["class_name"].as_str().unwrap().to_string())
        .collect();
    bound.sort();
    (migrations, bound)
}

/// Apply migrations the way Cloudflare does for a Worker whose first `deployed` migrations are
/// already applied: tags are unique, a new class must not exist yet, a renamed or deleted class
/// must exist, and afterwards the classes that exist are exactly the bound ones.
fn assert_cloudflare_accepts(deployed: &Migrations, now: &Migrations, bound: &[String]) {
    assert!(
        now.len() >= deployed.len() && now[..deployed.len()] == deployed[..],
        "deployed migrations must stay as they were (append-only):\nbefore {deployed:?}\nnow {now:?}"
    );
    let mut tags = std::collections::BTreeSet::new();
    let mut classes = std::collections::BTreeSet::new();
    for (tag, new, renamed, deleted) in now {
        assert!(tags.insert(tag.clone()), "tag {tag} used twice: {now:?}");
        for class in new {
            assert!(
                classes.insert(class.clone()),
                "{tag}: {class} exists already"
            );
        }
        for (from, to) in renamed {
            assert!(classes.remove(from), "{tag}: renames missing {from}");
            assert!(classes.insert(to.clone()), "{tag}: {to} exists already");
        }
        for class in deleted {
            assert!(classes.remove(class), "{tag}: deletes missing {class}");
        }
    }
    let classes: Vec<String> = classes.into_iter().collect();
    assert_eq!(
        classes, bound,
        "every bound class is migrated, nothing else"
    );
}

#[test]
fn redeploys_add_rename_and_remove_photons_with_valid_migrations() {
    let e2e = e2e_dir();
    let project = Project::new(COUNTER_ALONE);
    let dir = project.path();
    std::fs::remove_file(dir.join("tally.photon.ts")).unwrap();
    std::fs::write(dir.join("counter.photon.ts"), COUNTER_ALONE).unwrap();
    // Every step is bundled by the real wrangler, which validates the configuration too.
    let deploy = |photon: &str, extra: &[&str]| {
        let mut args = vec!["deploy", photon, "--dry-run", "--json"];
        args.extend(extra);
        real_command(&project, &e2e, &args).output().unwrap()
    };
    let mut deployed: Migrations = Vec::new();
    let mut step = |photon: &str, extra: &[&str], expect: Value| {
        let out = deploy(photon, extra);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            stderr(&out),
            String::from_utf8_lossy(&out.stdout)
        );
        let doc = json(&out);
        assert_eq!(doc["migration"], expect, "{doc}");
        let (now, bound) = read_wrangler_toml(dir);
        assert_cloudflare_accepts(&deployed, &now, &bound);
        deployed = now;
    };

    // 1. the host alone.
    step(
        "counter.photon.ts",
        &[],
        serde_json::json!({"tag": "v1", "new_sqlite_classes": ["CounterPhotonDO", "PhotonGlobalStore"], "renamed_classes": [], "deleted_classes": []}),
    );
    // 2. a sibling is added.
    std::fs::write(dir.join("counter.photon.ts"), COUNTER_WITH_FORMATTER).unwrap();
    std::fs::write(dir.join("formatter.photon.ts"), FORMATTER).unwrap();
    step(
        "counter.photon.ts",
        &[],
        serde_json::json!({"tag": "v2", "new_sqlite_classes": ["FormatterPhotonDO"], "renamed_classes": [], "deleted_classes": []}),
    );
    // 3. the host file is renamed: same binding, a new class that takes over the old one's data.
    std::fs::rename(dir.join("counter.photon.ts"), dir.join("tally.photon.ts")).unwrap();
    step(
        "tally.photon.ts",
        &[],
        serde_json::json!({"tag": "v3", "new_sqlite_classes": [], "renamed_classes": [{"from": "CounterPhotonDO", "to": "TallyPhotonDO"}], "deleted_classes": []}),
    );
    // 4. the sibling is removed: refused (its data would go) until it is allowed.
    std::fs::write(
        dir.join("tally.photon.ts"),
        COUNTER_ALONE.replace("class Counter", "class Tally"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("formatter.photon.ts")).unwrap();
    let before = std::fs::read_to_string(dir.join("dist/wrangler.toml")).unwrap();
    let refused = deploy("tally.photon.ts", &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(!String::from_utf8_lossy(&refused.stderr).contains("Bundling"));
    let refused = json(&refused);
    let codes: Vec<&str> = refused["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["photon-cf::class-removed"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("dist/wrangler.toml")).unwrap(),
        before,
        "a refused build leaves DIR as it was"
    );
    step(
        "tally.photon.ts",
        &["--allow-delete-classes"],
        serde_json::json!({"tag": "v4", "new_sqlite_classes": [], "renamed_classes": [], "deleted_classes": ["FormatterPhotonDO"]}),
    );
    // 5. nothing changed: no new migration.
    step("tally.photon.ts", &[], Value::Null);
    // The worker keeps the name it was first deployed under.
    let toml = std::fs::read_to_string(dir.join("dist/wrangler.toml")).unwrap();
    assert!(toml.contains("\nname = \"counter\"\n"), "{toml}");
}

/// Exit code, stdout and stderr in one text (the temp dir is `[TMP]` in snapshots), the fake's
/// own stderr line left out (it races wrangler's stdout through two pipes, so its place is not fixed).
fn snapshot(out: &Output) -> String {
    // The generated file list belongs to the build and the runtime; it is not what this pins.
    let stderr: String = stderr(out)
        .lines()
        .filter(|l| *l != "fake wrangler: a line on stderr")
        .map(|l| match l.split_once(" into `dist` (") {
            Some((built, _)) => format!("{built} into `dist` ([counts])\n"),
            None => format!("{l}\n"),
        })
        .collect();
    let stdout = match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(mut doc) => {
            doc["files"] = Value::from("[generated files]");
            format!("{}\n", serde_json::to_string_pretty(&doc).unwrap())
        }
        Err(_) => String::from_utf8_lossy(&out.stdout).into_owned(),
    };
    format!(
        "exit: {}\n----- stdout -----\n{stdout}----- stderr -----\n{stderr}",
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn deploy_output_human_and_json() {
    let project = Project::new(TALLY);
    let output_file = project.write_output(DEPLOY_OUTPUT);
    let human = project.run(&["deploy", "tally.photon.ts"], |cmd| {
        cmd.env("FAKE_WRANGLER_STDOUT", &output_file);
    });
    insta::assert_snapshot!("deploy-human", snapshot(&human));
    let json = project.run(&["deploy", "tally.photon.ts", "--json"], |cmd| {
        cmd.env("FAKE_WRANGLER_STDOUT", &output_file);
    });
    insta::assert_snapshot!("deploy-json", snapshot(&json));
}

#[test]
fn dev_stops_the_group_on_sigterm_too() {
    let project = Project::new(TALLY);
    let mut cmd = project.command(&["dev", "--port", "9999"]);
    cmd.env("FAKE_WRANGLER_SERVE", "1");
    let mut dev = DevSession::start(cmd);
    dev.wait_for("the server", 1, |l| {
        l.contains("Serving http://127.0.0.1:9999")
    });
    let pids = fake_server_pids(&project);
    let pid = libc::pid_t::try_from(dev.child.id()).unwrap();
    // SAFETY: kill(2) on the photon-cf process this test started.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let status = dev.child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{}", dev.text());
    assert!(!alive(pids[0].0) && !alive(pids[0].1));
}

#[test]
fn deploy_stops_wranglers_whole_group_on_ctrl_c() {
    let project = Project::new(TALLY);
    let mut cmd = project.command(&["deploy"]);
    // A wrangler that never finishes on its own, with a child standing in for its workers.
    cmd.env("FAKE_WRANGLER_SERVE", "1");
    let mut deploy = DevSession::start(cmd);
    deploy.wait_for("wrangler", 1, |l| l.contains("Ready on"));
    let pids = fake_server_pids(&project);
    assert_eq!(deploy.interrupt(), 130, "{}", deploy.text());
    assert!(
        !alive(pids[0].0) && !alive(pids[0].1),
        "wrangler and its child stop with photon-cf: {}",
        deploy.text()
    );
}

#[test]
fn instances_help_names_the_secret_and_the_command_needs_url_and_token() {
    let tmp = CliTest::new();
    let help = tmp.run(&["instances", "--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("PHOTON_ADMIN_TOKEN"),
        "{}",
        help.stdout
    );
    assert!(
        help.stdout.contains("PHOTON_CF_ADMIN_TOKEN"),
        "{}",
        help.stdout
    );

    let run = tmp.run(&["instances", "list"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--url"), "{}", run.stderr);
    let run = tmp.run(&["instances", "list", "--url", "http://127.0.0.1:9"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("PHOTON_CF_ADMIN_TOKEN"),
        "{}",
        run.stderr
    );
}
