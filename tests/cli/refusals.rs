//! Refusals of what cannot run on Workers, beyond the located compatibility errors of
//! `fixtures/invalid` (which `build.rs` snapshots, `host-path-*` among them): the heavy-package
//! warning, and the bundle start-up check of `check --bundle` and `deploy` with the real, pinned
//! wrangler and its Miniflare (`fixtures/refusals/*`, nothing fetched: the fake npm links
//! tests/e2e's packages).

use std::path::Path;
use std::process::{Output, Stdio};

use crate::{CliTest, e2e_dir, install_fake, quiet_wrangler};

/// `photon-cf ARGS` in `test`, the fake npm linking tests/e2e's packages into DIR, the real
/// wrangler found there, offline.
fn run_real(test: &CliTest, e2e: &Path, args: &[&str]) -> Output {
    let npm = test.path().join("npm");
    install_fake(&npm);
    let mut cmd = test.command();
    cmd.args(args)
        .stdin(Stdio::null())
        .env("PHOTON_CF_NPM", &npm)
        .env("FAKE_LOG", test.path().join("runs.log"))
        .env("FAKE_NPM_LINK", e2e);
    quiet_wrangler(&mut cmd).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn heavy_sdks_warn_with_a_workers_friendly_alternative() {
    let test = CliTest::with_fixture("refusals/heavy-sdk");
    let run = test.run(&["check", "uploads.photon.ts", "--json"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let doc = run.json();
    let heavy: Vec<(String, String, u64)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "photon-cf::heavy-package")
        .map(|d| {
            assert_eq!(d["severity"], "warning");
            (
                d["message"].as_str().unwrap().to_string(),
                d["help"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(heavy.len(), 2, "{doc}");
    assert!(heavy[0].0.starts_with("`@aws-sdk/client-s3`"), "{heavy:?}");
    assert!(heavy[0].1.contains("aws4fetch"), "{heavy:?}");
    assert_eq!(heavy[0].2, 5);
    assert!(heavy[1].0.starts_with("`@slack/web-api`"), "{heavy:?}");
    assert!(heavy[1].1.contains("fetch"), "{heavy:?}");
    assert_eq!(heavy[1].2, 6);
}

#[test]
fn check_bundle_reports_a_worker_that_does_not_start_with_its_module_and_message() {
    let e2e = e2e_dir();
    let test = CliTest::with_fixture("refusals/startup-filename");
    let out = run_real(&test, &e2e, &["check", "--bundle", "boom.photon.ts"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("photon-cf::startup-failed"), "{err}");
    assert!(
        err.contains(
            "(module `src/photons/boom.photon.ts`): ReferenceError: __filename is not defined"
        ),
        "{err}"
    );
    // The same through JSON: one error, the start-up failure.
    let out = run_real(
        &test,
        &e2e,
        &["check", "--bundle", "boom.photon.ts", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["success"], false);
    assert_eq!(
        doc["diagnostics"][0]["code"], "photon-cf::startup-failed",
        "{doc}"
    );
}

#[test]
fn check_bundle_passes_a_worker_that_starts() {
    let e2e = e2e_dir();
    let test = CliTest::with_fixture("refusals/starts");
    let out = run_real(&test, &e2e, &["check", "--bundle", "fine.photon.ts"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("Started"), "{err}");
}

/// `deploy` runs the same check before uploading: the Worker that does not start is refused with
/// exit 1 and wrangler is never asked to deploy it (no credentials needed to prove it: a real
/// upload would have failed later, on the missing login, with wrangler's code, not ours).
#[test]
fn deploy_never_uploads_a_worker_that_does_not_start() {
    let e2e = e2e_dir();
    let test = CliTest::with_fixture("refusals/startup-filename");
    for args in [&["deploy"][..], &["deploy", "--dry-run"][..]] {
        let mut all = args.to_vec();
        all.push("boom.photon.ts");
        let out = run_real(&test, &e2e, &all);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("photon-cf::startup-failed"), "{args:?}: {err}");
        assert!(!err.contains("Deploying"), "{args:?}: {err}");
        assert!(!err.contains("Bundled `"), "{args:?}: {err}");
    }
}
