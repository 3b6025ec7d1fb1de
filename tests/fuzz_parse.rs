//! A short, bounded run of the parser/renderer/wrangler.toml fuzzer in the normal test suite: a fixed seed, at
//! most a few seconds, and not a single panic allowed. The long soak run is
//! `cargo run --release --example fuzz_parse -- --seconds 300` (see the README's Security section).

#[path = "../examples/fuzz_parse/engine.rs"]
#[allow(dead_code)] // the example uses parts of the engine this test does not
mod engine;

use std::path::PathBuf;
use std::time::Duration;

#[test]
fn mutated_photons_never_panic_the_parser_or_renderer() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let crash_dir = std::env::temp_dir().join(format!("photon-cf-fuzz-{}", std::process::id()));
    let work = tempfile::tempdir().unwrap();
    let limits = engine::Limits {
        seed: 20261122,
        duration: Duration::from_secs(5),
        max_iterations: Some(20_000),
        crash_dir: Some(crash_dir.clone()),
        current_file: None,
        work_dir: work.path().to_path_buf(),
    };
    // The CLI parses on the main thread (8 MiB of stack); test threads get 2 MiB. Give the run
    // the same stack the real binary has, so a depth the CLI survives does not fail here.
    let stats = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || engine::run(&root, &limits))
        .unwrap()
        .join()
        .unwrap();
    eprintln!(
        "fuzz: {} iterations ({} projects, {} wrangler.toml of which {} merged) in {:.1} s, {} parsed, {} rendered, {} rejected, {} crashes",
        stats.iterations,
        stats.projects,
        stats.tomls,
        stats.tomls_merged,
        stats.elapsed.as_secs_f64(),
        stats.parsed,
        stats.rendered,
        stats.rejected,
        stats.crashes.len()
    );
    assert!(
        stats.iterations >= 100,
        "the run made too few attempts to mean anything"
    );
    assert!(
        stats.tomls_merged > 0 && stats.tomls_merged < stats.tomls,
        "wrangler.toml shapes must include both merges and refusals ({} of {} merged)",
        stats.tomls_merged,
        stats.tomls
    );
    let report: Vec<String> = stats
        .crashes
        .iter()
        .map(|c| {
            format!(
                "iteration {} ({}): {} — input in {}",
                c.iteration,
                c.path.display(),
                c.message,
                c.saved
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "the parser or renderer panicked:\n{}",
        report.join("\n")
    );
    let _ = std::fs::remove_dir_all(crash_dir);
}
