//! `build` and `check`: exit codes, stdout and stderr (human and JSON) for good and broken
//! photons, one snapshot per fixture holding every generated file, rebuild behaviour
//! (byte-identical output, user edits kept, append-only migrations, failed builds write
//! nothing), and a real `wrangler deploy --dry-run` bundling a generated project.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{CliTest, e2e_dir, quiet_wrangler, read_tree, repo};
use photon_cf::render::layout;

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
            // Copied byte-for-byte after the generated-file line the layout table adds.
            let header = layout::find_header(Path::new(&path)).unwrap_or_default();
            assert_eq!(
                fs::read(&template).ok().as_deref(),
                bytes.strip_prefix(header.as_bytes()),
                "{path} is the template after the line `{header}`"
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
    // The runtime files the layout table gates open for the features the entry imports, and no
    // others (no scheduler without schedules, no auth code without --auth).
    let worker = fs::read_to_string(project.join("src/worker.ts")).unwrap_or_default();
    let features = layout::Features {
        schedule: worker.contains("\"./cf-runtime/schedule\""),
        auth: worker.contains("\"./cf-runtime/auth\"") || worker.contains("\"./cf-runtime/jwt\""),
        jwt: worker.contains("\"./cf-runtime/jwt\""),
        dependencies: false,
        platform: worker.contains("\"./cf-runtime/platform\""),
        surface: worker.contains("\"./cf-runtime/surface-table\""),
        state: worker.contains("\"./cf-runtime/state\""),
        routes: worker.contains("\"./cf-runtime/routes\""),
        asks: worker.contains("\"./cf-runtime/asks\""),
    };
    let mut expected: Vec<String> = layout::files(&features)
        .map(|f| f.path.to_string())
        .filter(|p| p.starts_with("src/cf-runtime/") || p.starts_with("src/photon-core/"))
        .collect();
    expected.sort();
    runtime.sort();
    assert_eq!(runtime, expected, "the whole runtime is copied");
    out
}

/// Build `fixtures/<dir>/<host>.photon.ts` and snapshot the whole project; building again over it
/// writes nothing, and a fresh build elsewhere is byte-identical.
fn assert_fixture_builds(dir: &str, host: &str) -> serde_json::Value {
    let tmp = CliTest::with_fixture(dir);
    let file = format!("{host}.photon.ts");
    let run = tmp.run(&["build", &file, "--out", "out", "--json"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let json = run.json();
    let snapshot = uber_snapshot(&tmp.path().join("out"), tmp.path());
    insta::assert_snapshot!(format!("fixture-{}", dir.replace('/', "-")), snapshot);

    let again = tmp.run(&["build", &file, "--out", "out"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
    assert!(
        again.stderr.contains("(0 files written"),
        "a rebuild rewrites nothing: {}",
        again.stderr
    );
    let other = tmp.run(&["build", &file, "--out", "elsewhere", "-q"]);
    assert_eq!(other.code, 0);
    assert!(
        read_tree(&tmp.path().join("out")) == read_tree(&tmp.path().join("elsewhere")),
        "the same input gives byte-identical output"
    );
    json
}

/// The conformance photon: tools, prompts (methods, then the `@prompt` file), resources, resource
/// templates and completion sources, each in declaration order and byte-identical across builds
/// (assert_fixture_builds builds it three times).
#[test]
fn fixture_conformance() {
    assert_fixture_builds("conformance", "everything");
    let tmp = CliTest::with_fixture("conformance");
    assert_eq!(
        tmp.run(&["build", "everything.photon.ts", "--out", "out", "-q"])
            .code,
        0
    );
    let manifest = std::fs::read_to_string(tmp.path().join("out/src/manifest.ts")).unwrap();
    let at = |needle: &str| {
        manifest
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    let order = [
        "\"name\": \"test_simple_prompt\"",
        "\"name\": \"test_prompt_with_arguments\"",
        "\"name\": \"test_prompt_with_embedded_resource\"",
        "\"name\": \"test_prompt_with_image\"",
        "\"name\": \"guide\"",
        "\"uri\": \"test://static-text\"",
        "\"uri\": \"test://static-binary\"",
        "\"uri\": \"test://watched-resource\"",
        "\"uri\": \"photon://everything/prompts/guide\"",
        "\"uri\": \"photon://everything/resources/readme\"",
        "\"uriTemplate\": \"test://template/{id}/data\"",
    ];
    let positions: Vec<usize> = order.iter().map(|n| at(n)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "declaration order: {positions:?}"
    );
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
        let tmp = CliTest::with_fixture("parse");
        let file = format!("{host}.photon.ts");
        let run = tmp.run(&["build", &file, "--out", "out", "-q"]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
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
        let tmp = CliTest::new();
        for (name, bytes) in read_tree(&dir) {
            fs::write(tmp.path().join(name), bytes).unwrap();
        }
        let check = tmp.run(&["check", &host, "--json"]);
        let label = format!(
            "{}/{host}",
            dir.strip_prefix(repo().join("fixtures")).unwrap().display()
        );
        assert_eq!(check.code, 1, "{label}: {}", check.snapshot());
        let json = check.json();
        assert_eq!(json["success"], false, "{label}");
        let build = tmp.run(&["build", &host, "-q"]);
        assert_eq!(build.code, 1, "{label}: {}", build.snapshot());
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
    let tmp = CliTest::with_fixture("build/chain");
    // The runtime's file list is the runtime's business; these snapshots are about the output.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"\d+ files written, \d+ unchanged",
        "[N] files written, [M] unchanged",
    );
    settings.add_filter(r#"\n\s*"src/cf-runtime/[^"]+","#, "");
    settings.bind(|| {
        let human = tmp.run(&["build", "chain.photon.ts"]);
        insta::assert_snapshot!("build-human", human.snapshot());
        fs::remove_dir_all(tmp.path().join("dist")).unwrap();
        let json = tmp.run(&["build", "chain.photon.ts", "--json"]);
        insta::assert_snapshot!("build-json", json.snapshot());
    });
}

#[test]
fn auth_mode_lands_in_the_manifest_and_its_secret_in_the_config_list() {
    let tmp = CliTest::with_fixture("runtime/counter");
    let run = tmp.run(&[
        "build",
        "cf-counter.photon.ts",
        "--auth",
        "bearer",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
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
        let tmp = CliTest::with_fixture("runtime/counter");
        let run = tmp.run(&["build", "cf-counter.photon.ts", "--auth", auth, "-q"]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
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
    let tmp = CliTest::with_fixture("runtime/counter");
    let run = tmp.run(&["build", "-q"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(tmp.path().join("dist/wrangler.toml").is_file());
}

#[test]
fn no_photon_in_the_current_directory_is_exit_1() {
    let tmp = CliTest::new();
    let human = tmp.run(&["build"]);
    insta::assert_snapshot!("no-photon-human", human.snapshot());
    let json = tmp.run(&["check", "--json"]);
    insta::assert_snapshot!("no-photon-json", json.snapshot());
}

#[test]
fn several_photons_in_the_current_directory_are_listed() {
    let tmp = CliTest::with_fixture("runtime/greeter");
    let run = tmp.run(&["build"]);
    insta::assert_snapshot!("several-photons", run.snapshot());
    assert!(!tmp.path().join("dist").exists());
}

#[test]
fn missing_sibling_is_located_with_its_chain() {
    let tmp = CliTest::with_fixture("build/chain");
    fs::remove_file(tmp.path().join("leaf.photon.ts")).unwrap();
    let human = tmp.run(&["build", "chain.photon.ts"]);
    insta::assert_snapshot!("missing-sibling-human", human.snapshot());
    let json = tmp.run(&["build", "chain.photon.ts", "--json"]);
    insta::assert_snapshot!("missing-sibling-json", json.snapshot());
    assert!(
        !tmp.path().join("dist").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn photons_dir_is_searched_for_siblings() {
    let tmp = CliTest::with_fixture("build/chain");
    let elsewhere = tmp.path().join("shared");
    fs::create_dir(&elsewhere).unwrap();
    fs::rename(
        tmp.path().join("leaf.photon.ts"),
        elsewhere.join("leaf.photon.ts"),
    )
    .unwrap();
    let run = tmp.run(&["build", "chain.photon.ts", "--photons-dir", "shared", "-q"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(tmp.path().join("dist/src/photons/leaf.photon.ts").is_file());
}

#[test]
fn sibling_cycle_is_an_error_naming_the_chain() {
    let tmp = CliTest::with_fixture("build/chain");
    let leaf = fs::read_to_string(tmp.path().join("leaf.photon.ts")).unwrap();
    fs::write(
        tmp.path().join("leaf.photon.ts"),
        leaf.replace(
            " * The end of the chain.\n",
            " * The end of the chain.\n * @photons middle\n",
        ),
    )
    .unwrap();
    let run = tmp.run(&["check", "chain.photon.ts"]);
    insta::assert_snapshot!("sibling-cycle", run.snapshot());
}

#[test]
fn workers_incompatibility_in_a_sibling_fails_build_and_check() {
    let tmp = CliTest::with_fixture("build/chain");
    let leaf = fs::read_to_string(tmp.path().join("leaf.photon.ts")).unwrap();
    fs::write(
        tmp.path().join("leaf.photon.ts"),
        format!("import {{ execSync }} from 'node:child_process';\n{leaf}"),
    )
    .unwrap();
    let check = tmp.run(&["check", "chain.photon.ts", "--json"]);
    insta::assert_snapshot!("compat-error-json", check.snapshot());
    let build = tmp.run(&["build", "chain.photon.ts"]);
    assert_eq!(build.code, 1, "{}", build.snapshot());
    assert!(!tmp.path().join("dist").exists());
}

#[test]
fn check_writes_nothing_and_reports_success() {
    let tmp = CliTest::with_fixture("build/chain");
    let human = tmp.run(&["check", "chain.photon.ts"]);
    insta::assert_snapshot!("check-human", human.snapshot());
    let json = tmp.run(&["check", "chain.photon.ts", "--json"]);
    insta::assert_snapshot!("check-json", json.snapshot());
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        3,
        "check wrote nothing"
    );
}

#[test]
fn bad_compatibility_date_is_exit_1() {
    let tmp = CliTest::with_fixture("runtime/counter");
    let run = tmp.run(&[
        "build",
        "cf-counter.photon.ts",
        "--compatibility-date",
        "yesterday",
    ]);
    insta::assert_snapshot!("bad-compatibility-date", run.snapshot());
}

/// A user's `wrangler.toml` with inline tables is merged (it used to panic, exit 2); one with a
/// key photon-cf cannot merge into is refused at its line, and nothing is written.
#[test]
fn inline_tables_in_wrangler_toml_merge_and_wrong_types_are_located_errors() {
    let tmp = CliTest::with_fixture("runtime/counter");
    fs::create_dir(tmp.path().join("dist")).unwrap();
    let toml = tmp.path().join("dist/wrangler.toml");
    fs::write(
        &toml,
        "name = \"mine\"\ndurable_objects = { bindings = [] }\nvars = { KEY = \"v\" }\n",
    )
    .unwrap();
    let run = tmp.run(&["build", "cf-counter.photon.ts", "-q"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let merged = fs::read_to_string(&toml).unwrap();
    assert!(merged.contains("vars = { KEY = \"v\" }"), "{merged}");
    assert!(
        merged.contains("durable_objects = { bindings = [{ name = \"PHOTON\", class_name = \"CfCounterPhotonDO\" }"),
        "{merged}"
    );

    let tmp = CliTest::with_fixture("runtime/counter");
    fs::create_dir(tmp.path().join("dist")).unwrap();
    fs::write(
        tmp.path().join("dist/wrangler.toml"),
        "name = \"mine\"\nmigrations = \"x\"\n",
    )
    .unwrap();
    let run = tmp.run(&["build", "cf-counter.photon.ts"]);
    insta::assert_snapshot!("wrangler-toml-wrong-type", run.snapshot());
    assert_eq!(
        fs::read_dir(tmp.path().join("dist")).unwrap().count(),
        1,
        "nothing was written next to it"
    );
}

#[test]
fn a_broken_wrangler_toml_in_dir_is_a_located_error() {
    let tmp = CliTest::with_fixture("runtime/counter");
    fs::create_dir(tmp.path().join("dist")).unwrap();
    fs::write(
        tmp.path().join("dist/wrangler.toml"),
        "name = \"mine\"\n[vars\nKEY = 1\n",
    )
    .unwrap();
    let run = tmp.run(&["build", "cf-counter.photon.ts"]);
    insta::assert_snapshot!("invalid-wrangler-toml", run.snapshot());
    assert_eq!(
        fs::read_dir(tmp.path().join("dist")).unwrap().count(),
        1,
        "nothing was written next to it"
    );
}

#[test]
fn a_wrangler_json_in_dir_is_a_warning() {
    let tmp = CliTest::with_fixture("runtime/counter");
    fs::create_dir(tmp.path().join("dist")).unwrap();
    fs::write(tmp.path().join("dist/wrangler.json"), "{}").unwrap();
    let run = tmp.run(&["build", "cf-counter.photon.ts", "--json"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
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
    let tmp = CliTest::with_fixture("runtime/counter");
    fs::write(tmp.path().join("taken"), "a file, not a directory").unwrap();
    let run = tmp.run(&["build", "cf-counter.photon.ts", "--out", "taken", "--json"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    // photon-cf's own failure has the shape of every other failure, plus the error.
    let doc = run.json();
    assert_eq!(doc["success"], false);
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
    assert!(
        doc["error"].as_str().is_some_and(|e| e.contains("taken")),
        "{doc}"
    );
    assert!(
        run.stderr.contains("error: photon-cf failed"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_rebuild_leaves_the_project_as_it_was() {
    let tmp = CliTest::with_fixture("build/chain");
    assert_eq!(tmp.run(&["build", "chain.photon.ts", "-q"]).code, 0);
    let before = read_tree(&tmp.path().join("dist"));
    fs::remove_file(tmp.path().join("leaf.photon.ts")).unwrap();
    let run = tmp.run(&["build", "chain.photon.ts", "-q"]);
    assert_eq!(run.code, 1);
    assert!(read_tree(&tmp.path().join("dist")) == before);
}

#[test]
fn user_edits_to_wrangler_toml_and_foreign_files_survive_a_rebuild() {
    let tmp = CliTest::with_fixture("runtime/counter");
    assert_eq!(tmp.run(&["build", "cf-counter.photon.ts", "-q"]).code, 0);
    let toml_path = tmp.path().join("dist/wrangler.toml");
    let mut toml = fs::read_to_string(&toml_path).unwrap();
    toml = toml.replace(
        "compatibility_date = \"2026-04-01\"",
        "compatibility_date = \"2026-03-01\" # pinned by me",
    );
    // A new project minifies and uploads its source map; a user who wants readable JavaScript
    // (or no map) keeps that choice over every rebuild.
    assert!(
        toml.contains("\nminify = true\nupload_source_maps = true\n"),
        "{toml}"
    );
    toml = toml.replace(
        "minify = true\nupload_source_maps = true\n",
        "minify = false\n",
    );
    toml.push_str("\n# my settings\n[vars]\nGREETING = \"hello\"\n\n[[routes]]\npattern = \"example.com/*\"\nzone_name = \"example.com\"\n");
    fs::write(&toml_path, &toml).unwrap();
    fs::create_dir_all(tmp.path().join("dist/node_modules/x")).unwrap();
    fs::write(tmp.path().join("dist/node_modules/x/index.js"), "x").unwrap();
    fs::write(tmp.path().join("dist/NOTES.md"), "mine").unwrap();

    let run = tmp.run(&["build", "cf-counter.photon.ts", "-q"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert_eq!(
        fs::read_to_string(&toml_path).unwrap(),
        toml,
        "nothing of ours changed"
    );
    assert!(tmp.path().join("dist/node_modules/x/index.js").is_file());
    assert!(tmp.path().join("dist/NOTES.md").is_file());

    // An explicit flag wins over the pinned date; the user's comment on it stays.
    let run = tmp.run(&[
        "build",
        "cf-counter.photon.ts",
        "-q",
        "--compatibility-date",
        "2026-04-02",
    ]);
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
    let tmp = CliTest::with_fixture("build/chain");
    let host = fs::read_to_string(tmp.path().join("chain.photon.ts")).unwrap();
    let alone = host.replace(" * @photons middle\n", "");
    assert_ne!(alone, host, "the host names its sibling");
    let toml = || fs::read_to_string(tmp.path().join("dist/wrangler.toml")).unwrap();
    let build = |host: &str, extra: &[&str]| {
        let mut args = vec!["build", host, "--json"];
        args.extend_from_slice(extra);
        let run = tmp.run(&args);
        assert_eq!(run.code, 0, "{}", run.snapshot());
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
    let refused = tmp.run(&["build", "relay.photon.ts"]);
    insta::assert_snapshot!("class-removed", refused.snapshot());
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
    let e2e = e2e_dir();
    for (dir, host) in [("build/chain", "chain"), ("build/hostile-names", "9-lives")] {
        let tmp = CliTest::with_fixture(dir);
        let run = tmp.run(&["build", &format!("{host}.photon.ts"), "-q"]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
        let project = tmp.path().join("dist");
        // Only the packages the generated package.json declares, as `npm install` would give.
        let link = Command::new("node")
            .arg(e2e.join("lib/link.mjs"))
            .arg(&project)
            .output()
            .expect("node runs");
        assert!(
            link.status.success(),
            "linking the declared packages failed:\n{}",
            String::from_utf8_lossy(&link.stderr)
        );
        let mut wrangler = Command::new(project.join("node_modules/.bin/wrangler"));
        wrangler
            .args(["deploy", "--dry-run", "--outdir", "bundle"])
            .current_dir(&project)
            .env("CI", "true");
        let output = quiet_wrangler(&mut wrangler)
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

#[test]
fn deploy_target_and_logs_are_merged_and_kept_by_a_later_build() {
    let tmp = CliTest::with_fixture("runtime/counter");
    let toml_path = tmp.path().join("dist/wrangler.toml");
    let run = tmp.run(&[
        "build",
        "cf-counter.photon.ts",
        "-q",
        "--domain",
        "MCP.Example.com",
        "--logs",
    ]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let toml = fs::read_to_string(&toml_path).unwrap();
    assert!(toml.contains("workers_dev = false\n"), "{toml}");
    assert!(
        toml.contains("routes = [{ pattern = \"mcp.example.com\", custom_domain = true }]"),
        "{toml}"
    );
    assert!(toml.contains("[observability]\nenabled = true\n"), "{toml}");

    // The user adds a route of their own; a build without the flags changes nothing.
    let edited = toml.replace(
        "custom_domain = true }]",
        "custom_domain = true }, \"example.com/hook/*\"]",
    );
    fs::write(&toml_path, &edited).unwrap();
    assert_eq!(tmp.run(&["build", "cf-counter.photon.ts", "-q"]).code, 0);
    assert_eq!(fs::read_to_string(&toml_path).unwrap(), edited);

    // --url with a path adds a route after the user's; the same flag again adds nothing.
    for _ in 0..2 {
        let run = tmp.run(&[
            "build",
            "cf-counter.photon.ts",
            "-q",
            "--url",
            "https://example.com/mcp",
        ]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
    }
    let toml = fs::read_to_string(&toml_path).unwrap();
    assert_eq!(
        toml.matches("{ pattern = \"example.com/mcp*\" }").count(),
        1,
        "{toml}"
    );
    assert!(toml.contains("\"example.com/hook/*\""));

    // The three targets exclude each other; a malformed one is a diagnostic.
    let run = tmp.run(&[
        "build",
        "cf-counter.photon.ts",
        "--domain",
        "a.example.com",
        "--route",
        "b.example.com/*",
    ]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    let run = tmp.run(&[
        "build",
        "cf-counter.photon.ts",
        "--url",
        "http://a.example.com",
    ]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(
        run.stderr.contains("invalid-deploy-target"),
        "{}",
        run.stderr
    );
}
