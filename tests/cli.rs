//! CLI tests of `build` and `check`: exit codes, stdout and stderr (human and JSON) for good and
//! broken photons, one snapshot per fixture holding every generated file, rebuild behaviour
//! (byte-identical output, user edits kept, append-only migrations, failed builds write
//! nothing), and a real `wrangler deploy --dry-run` bundling a generated project.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One finished run of the binary.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text, with the temp dir replaced by `[TMP]`.
    fn snapshot(&self, tmp: &Path) -> String {
        let text = format!(
            "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        );
        let tmp = tmp.display().to_string();
        text.replace(&tmp, "[TMP]").replace('\\', "/")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", self.stdout))
    }
}

/// Run `photon-cf` in `cwd` with a clean, deterministic environment.
fn photon_cf(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_photon-cf"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .env_remove("PHOTON_DIR")
        .env_remove("PHOTON_CF_WRANGLER")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A temp dir holding a copy of `fixtures/<fixture>`.
fn fixture(fixture: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let source = repo().join("fixtures").join(fixture);
    for entry in fs::read_dir(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display())) {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            fs::copy(entry.path(), tmp.path().join(entry.file_name())).unwrap();
        }
    }
    tmp
}

/// Every file under `dir`, relative path → bytes.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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

/// The files of a generated project as one text, each under a `--- path ---` header. The runtime
/// copied verbatim from `templates/` is checked byte-for-byte here and left out of the text (its
/// own tests cover it, and a runtime change should not touch every fixture's snapshot); the photon
/// sources are checked byte-for-byte against the fixture instead of repeated.
fn uber_snapshot(project: &Path, sources: &Path) -> String {
    let mut out = String::new();
    let mut runtime = Vec::new();
    for (path, bytes) in read_tree(project) {
        if path.starts_with("src/cf-runtime/") || path.starts_with("src/photon-core/") {
            let template = repo()
                .join("templates")
                .join(path.trim_start_matches("src/"));
            assert_eq!(
                fs::read(&template).ok().as_ref(),
                Some(&bytes),
                "{path} is copied byte-for-byte"
            );
            runtime.push(path);
            continue;
        }
        out.push_str(&format!("--- {path} ---\n"));
        if let Some(name) = path.strip_prefix("src/photons/") {
            assert_eq!(
                fs::read(sources.join(name)).unwrap(),
                bytes,
                "{path} is the photon source, unchanged"
            );
            out.push_str("(the photon source, unchanged)\n");
        } else {
            out.push_str(&String::from_utf8(bytes).expect("generated text is UTF-8"));
        }
    }
    // Every runtime module is shipped (tests and docs next to them are not), except the JWT
    // verifier, which only a `--auth jwt` build gets (it imports jose).
    let jwt = fs::read_to_string(project.join("src/manifest.ts"))
        .is_ok_and(|m| m.contains("\"mode\": \"jwt\""));
    let mut expected: Vec<String> = ["cf-runtime", "photon-core"]
        .into_iter()
        .flat_map(|dir| {
            read_tree(&repo().join("templates").join(dir))
                .into_keys()
                .map(move |p| format!("{dir}/{p}"))
        })
        .filter(|p| p.ends_with(".ts") && !p.ends_with(".test.ts") && !p.contains("__tests__/"))
        .filter(|p| jwt || p != "cf-runtime/jwt.ts")
        .map(|p| format!("src/{p}"))
        .collect();
    expected.sort();
    runtime.sort();
    assert_eq!(runtime, expected, "the whole runtime is copied");
    out
}

/// Build `fixtures/<dir>/<host>.photon.ts` and snapshot the whole project; building again over it
/// writes nothing, and a fresh build elsewhere is byte-identical.
fn assert_fixture_builds(dir: &str, host: &str) -> serde_json::Value {
    let tmp = fixture(dir);
    let file = format!("{host}.photon.ts");
    let run = photon_cf(tmp.path(), &["build", &file, "--out", "out", "--json"]);
    assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
    let json = run.json();
    let snapshot = uber_snapshot(&tmp.path().join("out"), tmp.path());
    insta::assert_snapshot!(format!("fixture-{}", dir.replace('/', "-")), snapshot);

    let again = photon_cf(tmp.path(), &["build", &file, "--out", "out"]);
    assert_eq!(again.code, 0, "{}", again.snapshot(tmp.path()));
    assert!(
        again.stderr.contains("(0 files written"),
        "a rebuild rewrites nothing: {}",
        again.stderr
    );
    let other = photon_cf(tmp.path(), &["build", &file, "--out", "elsewhere", "-q"]);
    assert_eq!(other.code, 0);
    assert!(
        read_tree(&tmp.path().join("out")) == read_tree(&tmp.path().join("elsewhere")),
        "the same input gives byte-identical output"
    );
    json
}

#[test]
fn fixture_runtime_counter() {
    assert_fixture_builds("runtime/counter", "cf-counter");
}

#[test]
fn fixture_runtime_ticker() {
    assert_fixture_builds("runtime/ticker", "cf-ticker");
}

#[test]
fn fixture_runtime_greeter() {
    assert_fixture_builds("runtime/greeter", "cf-greeter");
}

#[test]
fn fixture_runtime_sampler() {
    assert_fixture_builds("runtime/sampler", "cf-sampler");
}

#[test]
fn fixture_runtime_core() {
    assert_fixture_builds("runtime/core", "cf-core");
}

#[test]
fn fixture_runtime_memory() {
    assert_fixture_builds("runtime/memory", "cf-memory");
}

#[test]
fn fixture_build_chain() {
    let json = assert_fixture_builds("build/chain", "chain");
    let names: Vec<_> = json["photons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["chain", "leaf", "middle"],
        "leaf is bundled transitively"
    );
}

#[test]
fn fixture_build_hostile_names() {
    assert_fixture_builds("build/hostile-names", "9-lives");
}

#[test]
fn fixture_runtime_ext() {
    for (dir, host) in [
        ("runtime-ext/declared", "cf-declared"),
        ("runtime-ext/events", "cf-events"),
        ("runtime-ext/photon-core", "cf-photon-core"),
        ("runtime-ext/schedule", "cf-sched"),
    ] {
        assert_fixture_builds(dir, host);
    }
}

/// The parser's fixtures that are valid photons (`cf-base` carries deliberate errors).
#[test]
fn fixture_parse() {
    for host in [
        "cf-counter",
        "github-issues",
        "list",
        "nango",
        "schemas",
        "tags",
    ] {
        let tmp = fixture("parse");
        let file = format!("{host}.photon.ts");
        let run = photon_cf(tmp.path(), &["build", &file, "--out", "out", "-q"]);
        assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
        let snapshot = uber_snapshot(&tmp.path().join("out"), tmp.path());
        insta::assert_snapshot!(format!("fixture-parse-{host}"), snapshot);
    }
}

/// Every broken photon of `fixtures/invalid` (one file each) and `fixtures/malformed-extra` (one
/// directory each, the host named after it) fails `check` and `build` with exit 1, writes
/// nothing, and reports located diagnostics; the codes and places are snapshotted together.
#[test]
fn every_invalid_fixture_is_exit_1_with_its_diagnostics() {
    let mut cases: Vec<(PathBuf, String)> = Vec::new();
    let invalid = repo().join("fixtures/invalid");
    for (name, _) in read_tree(&invalid) {
        if name.ends_with(".photon.ts") {
            cases.push((invalid.clone(), name));
        }
    }
    let extra = repo().join("fixtures/malformed-extra");
    let mut dirs: Vec<_> = fs::read_dir(&extra)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let named = format!("{}.photon.ts", dir.file_name().unwrap().to_string_lossy());
        let host = if dir.join(&named).is_file() {
            named
        } else {
            read_tree(&dir)
                .into_keys()
                .find(|f| f.ends_with(".photon.ts"))
                .unwrap()
        };
        cases.push((dir, host));
    }
    assert!(cases.len() > 40, "the fixtures are there");

    let mut summary = String::new();
    for (dir, host) in cases {
        let tmp = tempfile::tempdir().unwrap();
        for (name, bytes) in read_tree(&dir) {
            fs::write(tmp.path().join(name), bytes).unwrap();
        }
        let check = photon_cf(tmp.path(), &["check", &host, "--json"]);
        let label = format!(
            "{}/{host}",
            dir.strip_prefix(repo().join("fixtures")).unwrap().display()
        );
        assert_eq!(check.code, 1, "{label}: {}", check.snapshot(tmp.path()));
        let json = check.json();
        assert_eq!(json["success"], false, "{label}");
        let build = photon_cf(tmp.path(), &["build", &host, "-q"]);
        assert_eq!(build.code, 1, "{label}: {}", build.snapshot(tmp.path()));
        assert!(
            build.stderr.contains("photon-cf::"),
            "{label}: {}",
            build.stderr
        );
        assert!(!tmp.path().join("dist").exists(), "{label} wrote nothing");
        let errors: Vec<String> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| {
                format!(
                    "{} at {}:{}:{}",
                    d["code"].as_str().unwrap(),
                    d["file"].as_str().unwrap_or("-"),
                    d["line"],
                    d["column"]
                )
            })
            .collect();
        assert!(!errors.is_empty(), "{label}");
        summary.push_str(&format!("{label}\n  {}\n", errors.join("\n  ")));
    }
    insta::assert_snapshot!("invalid-fixtures", summary.replace('\\', "/"));
}

#[test]
fn build_human_and_json_output() {
    let tmp = fixture("build/chain");
    // The runtime's file list is the runtime's business; these snapshots are about the output.
    insta::with_settings!({filters => vec![
        (r"\d+ files written, \d+ unchanged", "[N] files written, [M] unchanged"),
        (r#"\n\s*"src/cf-runtime/[^"]+","#, ""),
    ]}, {
        let human = photon_cf(tmp.path(), &["build", "chain.photon.ts"]);
        insta::assert_snapshot!("build-human", human.snapshot(tmp.path()));
        fs::remove_dir_all(tmp.path().join("dist")).unwrap();
        let json = photon_cf(tmp.path(), &["build", "chain.photon.ts", "--json"]);
        insta::assert_snapshot!("build-json", json.snapshot(tmp.path()));
    });
}

#[test]
fn auth_mode_lands_in_the_manifest_and_its_secret_in_the_config_list() {
    let tmp = fixture("runtime/counter");
    let run = photon_cf(
        tmp.path(),
        &[
            "build",
            "cf-counter.photon.ts",
            "--auth",
            "bearer",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
    assert_eq!(
        run.json()["config"],
        serde_json::json!([{
            "name": "PHOTON_MCP_BEARER",
            "photon": "cf-counter",
            "param": "--auth bearer",
            "type": "string",
            "required": true,
            "secret_command": "wrangler secret put PHOTON_MCP_BEARER",
        }])
    );
    let manifest = fs::read_to_string(tmp.path().join("dist/src/manifest.ts")).unwrap();
    assert!(manifest.contains("\"mode\": \"bearer\""), "{manifest}");
}

#[test]
fn only_a_jwt_build_gets_jose_and_the_jwt_verifier() {
    for auth in ["none", "bearer", "jwt"] {
        let tmp = fixture("runtime/counter");
        let run = photon_cf(
            tmp.path(),
            &["build", "cf-counter.photon.ts", "--auth", auth, "-q"],
        );
        assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
        let dist = tmp.path().join("dist");
        let package: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dist.join("package.json")).unwrap()).unwrap();
        let jose = &package["dependencies"]["jose"];
        let entry = fs::read_to_string(dist.join("src/worker.ts")).unwrap();
        let verifier = dist.join("src/cf-runtime/jwt.ts");
        if auth == "jwt" {
            assert!(jose.is_string(), "--auth jwt pins jose: {package}");
            assert!(verifier.is_file(), "--auth jwt ships jwt.ts");
            assert!(entry.contains("from \"./cf-runtime/jwt\""), "{entry}");
        } else {
            assert!(
                jose.is_null(),
                "--auth {auth} does not need jose: {package}"
            );
            assert!(!verifier.exists(), "--auth {auth} ships no jwt.ts");
            assert!(!entry.contains("cf-runtime/jwt"), "{entry}");
        }
    }
}

#[test]
fn build_finds_the_single_photon_in_the_current_directory() {
    let tmp = fixture("runtime/counter");
    let run = photon_cf(tmp.path(), &["build", "-q"]);
    assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
    assert!(tmp.path().join("dist/wrangler.toml").is_file());
}

#[test]
fn no_photon_in_the_current_directory_is_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let human = photon_cf(tmp.path(), &["build"]);
    insta::assert_snapshot!("no-photon-human", human.snapshot(tmp.path()));
    let json = photon_cf(tmp.path(), &["check", "--json"]);
    insta::assert_snapshot!("no-photon-json", json.snapshot(tmp.path()));
}

#[test]
fn several_photons_in_the_current_directory_are_listed() {
    let tmp = fixture("runtime/greeter");
    let run = photon_cf(tmp.path(), &["build"]);
    insta::assert_snapshot!("several-photons", run.snapshot(tmp.path()));
    assert!(!tmp.path().join("dist").exists());
}

#[test]
fn missing_sibling_is_located_with_its_chain() {
    let tmp = fixture("build/chain");
    fs::remove_file(tmp.path().join("leaf.photon.ts")).unwrap();
    let human = photon_cf(tmp.path(), &["build", "chain.photon.ts"]);
    insta::assert_snapshot!("missing-sibling-human", human.snapshot(tmp.path()));
    let json = photon_cf(tmp.path(), &["build", "chain.photon.ts", "--json"]);
    insta::assert_snapshot!("missing-sibling-json", json.snapshot(tmp.path()));
    assert!(
        !tmp.path().join("dist").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn photons_dir_is_searched_for_siblings() {
    let tmp = fixture("build/chain");
    let elsewhere = tmp.path().join("shared");
    fs::create_dir(&elsewhere).unwrap();
    fs::rename(
        tmp.path().join("leaf.photon.ts"),
        elsewhere.join("leaf.photon.ts"),
    )
    .unwrap();
    let run = photon_cf(
        tmp.path(),
        &["build", "chain.photon.ts", "--photons-dir", "shared", "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
    assert!(tmp.path().join("dist/src/photons/leaf.photon.ts").is_file());
}

#[test]
fn sibling_cycle_is_an_error_naming_the_chain() {
    let tmp = fixture("build/chain");
    let leaf = fs::read_to_string(tmp.path().join("leaf.photon.ts")).unwrap();
    fs::write(
        tmp.path().join("leaf.photon.ts"),
        leaf.replace(
            " * The end of the chain.\n",
            " * The end of the chain.\n * @photons middle\n",
        ),
    )
    .unwrap();
    let run = photon_cf(tmp.path(), &["check", "chain.photon.ts"]);
    insta::assert_snapshot!("sibling-cycle", run.snapshot(tmp.path()));
}

#[test]
fn workers_incompatibility_in_a_sibling_fails_build_and_check() {
    let tmp = fixture("build/chain");
    let leaf = fs::read_to_string(tmp.path().join("leaf.photon.ts")).unwrap();
    fs::write(
        tmp.path().join("leaf.photon.ts"),
        format!("import {{ execSync }} from 'node:child_process';\n{leaf}"),
    )
    .unwrap();
    let check = photon_cf(tmp.path(), &["check", "chain.photon.ts", "--json"]);
    insta::assert_snapshot!("compat-error-json", check.snapshot(tmp.path()));
    let build = photon_cf(tmp.path(), &["build", "chain.photon.ts"]);
    assert_eq!(build.code, 1, "{}", build.snapshot(tmp.path()));
    assert!(!tmp.path().join("dist").exists());
}

#[test]
fn check_writes_nothing_and_reports_success() {
    let tmp = fixture("build/chain");
    let human = photon_cf(tmp.path(), &["check", "chain.photon.ts"]);
    insta::assert_snapshot!("check-human", human.snapshot(tmp.path()));
    let json = photon_cf(tmp.path(), &["check", "chain.photon.ts", "--json"]);
    insta::assert_snapshot!("check-json", json.snapshot(tmp.path()));
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        3,
        "check wrote nothing"
    );
}

#[test]
fn bad_compatibility_date_is_exit_1() {
    let tmp = fixture("runtime/counter");
    let run = photon_cf(
        tmp.path(),
        &[
            "build",
            "cf-counter.photon.ts",
            "--compatibility-date",
            "yesterday",
        ],
    );
    insta::assert_snapshot!("bad-compatibility-date", run.snapshot(tmp.path()));
}

#[test]
fn a_broken_wrangler_toml_in_dir_is_a_located_error() {
    let tmp = fixture("runtime/counter");
    fs::create_dir(tmp.path().join("dist")).unwrap();
    fs::write(
        tmp.path().join("dist/wrangler.toml"),
        "name = \"mine\"\n[vars\nKEY = 1\n",
    )
    .unwrap();
    let run = photon_cf(tmp.path(), &["build", "cf-counter.photon.ts"]);
    insta::assert_snapshot!("invalid-wrangler-toml", run.snapshot(tmp.path()));
    assert_eq!(
        fs::read_dir(tmp.path().join("dist")).unwrap().count(),
        1,
        "nothing was written next to it"
    );
}

#[test]
fn a_wrangler_json_in_dir_is_a_warning() {
    let tmp = fixture("runtime/counter");
    fs::create_dir(tmp.path().join("dist")).unwrap();
    fs::write(tmp.path().join("dist/wrangler.json"), "{}").unwrap();
    let run = photon_cf(tmp.path(), &["build", "cf-counter.photon.ts", "--json"]);
    assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
    let codes: Vec<_> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["photon-cf::shadowed-wrangler-toml"]);
}

#[test]
fn an_unwritable_out_dir_is_exit_2() {
    let tmp = fixture("runtime/counter");
    fs::write(tmp.path().join("taken"), "a file, not a directory").unwrap();
    let run = photon_cf(
        tmp.path(),
        &["build", "cf-counter.photon.ts", "--out", "taken", "--json"],
    );
    assert_eq!(run.code, 2, "{}", run.snapshot(tmp.path()));
    assert_eq!(run.json()["success"], false);
}

#[test]
fn a_failed_rebuild_leaves_the_project_as_it_was() {
    let tmp = fixture("build/chain");
    assert_eq!(
        photon_cf(tmp.path(), &["build", "chain.photon.ts", "-q"]).code,
        0
    );
    let before = read_tree(&tmp.path().join("dist"));
    fs::remove_file(tmp.path().join("leaf.photon.ts")).unwrap();
    let run = photon_cf(tmp.path(), &["build", "chain.photon.ts", "-q"]);
    assert_eq!(run.code, 1);
    assert!(read_tree(&tmp.path().join("dist")) == before);
}

#[test]
fn user_edits_to_wrangler_toml_and_foreign_files_survive_a_rebuild() {
    let tmp = fixture("runtime/counter");
    assert_eq!(
        photon_cf(tmp.path(), &["build", "cf-counter.photon.ts", "-q"]).code,
        0
    );
    let toml_path = tmp.path().join("dist/wrangler.toml");
    let mut toml = fs::read_to_string(&toml_path).unwrap();
    toml = toml.replace(
        "compatibility_date = \"2026-04-01\"",
        "compatibility_date = \"2026-03-01\" # pinned by me",
    );
    toml.push_str("\n# my settings\n[vars]\nGREETING = \"hello\"\n\n[[routes]]\npattern = \"example.com/*\"\nzone_name = \"example.com\"\n");
    fs::write(&toml_path, &toml).unwrap();
    fs::create_dir_all(tmp.path().join("dist/node_modules/x")).unwrap();
    fs::write(tmp.path().join("dist/node_modules/x/index.js"), "x").unwrap();
    fs::write(tmp.path().join("dist/NOTES.md"), "mine").unwrap();

    let run = photon_cf(tmp.path(), &["build", "cf-counter.photon.ts", "-q"]);
    assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
    assert_eq!(
        fs::read_to_string(&toml_path).unwrap(),
        toml,
        "nothing of ours changed"
    );
    assert!(tmp.path().join("dist/node_modules/x/index.js").is_file());
    assert!(tmp.path().join("dist/NOTES.md").is_file());

    // An explicit flag wins over the pinned date; the user's comment on it stays.
    let run = photon_cf(
        tmp.path(),
        &[
            "build",
            "cf-counter.photon.ts",
            "-q",
            "--compatibility-date",
            "2026-04-02",
        ],
    );
    assert_eq!(run.code, 0);
    let toml = fs::read_to_string(&toml_path).unwrap();
    assert!(toml.contains("GREETING = \"hello\""));
    assert!(toml.contains("# my settings"));
    assert!(
        toml.contains("compatibility_date = \"2026-04-02\""),
        "{toml}"
    );
}

/// The redeploy story: after each step `wrangler.toml` holds migrations Cloudflare accepts for a
/// Worker that already runs the previous step.
#[test]
fn redeploys_append_migrations() {
    let tmp = fixture("build/chain");
    let host = fs::read_to_string(tmp.path().join("chain.photon.ts")).unwrap();
    let alone = host.replace(" * @photons middle\n", "");
    assert_ne!(alone, host, "the host names its sibling");
    let toml = || fs::read_to_string(tmp.path().join("dist/wrangler.toml")).unwrap();
    let build = |host: &str, extra: &[&str]| {
        let mut args = vec!["build", host, "--json"];
        args.extend_from_slice(extra);
        let run = photon_cf(tmp.path(), &args);
        assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
        run.json()
    };

    // 1. The host alone.
    fs::write(tmp.path().join("chain.photon.ts"), &alone).unwrap();
    assert_eq!(build("chain.photon.ts", &[])["migration"]["tag"], "v1");
    // 2. A sibling (and its own sibling) is added.
    fs::write(tmp.path().join("chain.photon.ts"), &host).unwrap();
    assert_eq!(
        build("chain.photon.ts", &[])["migration"]["new_sqlite_classes"],
        serde_json::json!(["LeafPhotonDO", "MiddlePhotonDO"])
    );
    // 3. The host file is renamed: a new class for the same binding.
    fs::rename(
        tmp.path().join("chain.photon.ts"),
        tmp.path().join("relay.photon.ts"),
    )
    .unwrap();
    assert_eq!(
        build("relay.photon.ts", &[])["migration"]["renamed_classes"],
        serde_json::json!([{ "from": "ChainPhotonDO", "to": "RelayPhotonDO" }])
    );
    // 4. The siblings are removed: refused without the flag (nothing written), then deleted.
    fs::write(tmp.path().join("relay.photon.ts"), &alone).unwrap();
    let before = toml();
    let refused = photon_cf(tmp.path(), &["build", "relay.photon.ts"]);
    insta::assert_snapshot!("class-removed", refused.snapshot(tmp.path()));
    assert_eq!(toml(), before);
    build("relay.photon.ts", &["--allow-delete-classes"]);
    insta::assert_snapshot!("redeploy-wrangler-toml", toml());
    // 5. Building again appends nothing.
    assert_eq!(
        build("relay.photon.ts", &[])["migration"],
        serde_json::Value::Null
    );
}

/// The generated project bundles with the real, pinned wrangler (`tests/e2e/node_modules`) and
/// type-checks with its TypeScript.
#[test]
fn wrangler_dry_run_bundles_the_generated_project() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: `node` is not on PATH, so wrangler cannot run");
        return;
    }
    let e2e = repo().join("tests/e2e");
    let modules = e2e.join("node_modules");
    if !modules.join(".bin/wrangler").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&e2e)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci in tests/e2e failed");
    }
    for (dir, host) in [("build/chain", "chain"), ("build/hostile-names", "9-lives")] {
        let tmp = fixture(dir);
        let run = photon_cf(tmp.path(), &["build", &format!("{host}.photon.ts"), "-q"]);
        assert_eq!(run.code, 0, "{}", run.snapshot(tmp.path()));
        let project = tmp.path().join("dist");
        symlink_dir(&modules, &project.join("node_modules"));
        let output = Command::new(project.join("node_modules/.bin/wrangler"))
            .args(["deploy", "--dry-run", "--outdir", "bundle"])
            .current_dir(&project)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("WRANGLER_HIDE_BANNER", "true")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("CI", "true")
            .output()
            .expect("wrangler runs");
        let log = format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "wrangler deploy --dry-run failed:\n{log}"
        );
        // The generated TypeScript (manifest against the runtime's types) type-checks too.
        let tsc = Command::new(project.join("node_modules/.bin/tsc"))
            .args(["--noEmit", "-p", "."])
            .current_dir(&project)
            .output()
            .expect("tsc runs");
        assert!(
            tsc.status.success(),
            "tsc --noEmit failed:\n{}",
            String::from_utf8_lossy(&tsc.stdout)
        );
        let bundle = project.join("bundle");
        assert!(
            bundle.join("worker.js").is_file() || bundle.join("index.js").is_file(),
            "no bundle in {}:\n{log}",
            bundle.display()
        );
    }
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::windows::fs::symlink_dir(target, link).unwrap();
}
