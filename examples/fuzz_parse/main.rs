//! The long soak run of the parser and renderer (not part of CI's time budget):
//!
//! ```sh
//! cargo run --release --example fuzz_parse -- --seconds 300 [--seed N] [--crash-dir DIR]
//! ```
//!
//! It mutates every fixture photon at random (see `engine.rs`), runs each mutant through
//! everything `photon-cf build` does in memory, and reports iterations and crashes. Exit code 0
//! means no input made photon-cf panic; 1 means at least one did (inputs saved in the crash
//! directory, `target/fuzz/crashes` by default).

mod engine;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut seconds = 60u64;
    let mut seed = 0x5eed_u64;
    let mut max_iterations = None;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut crash_dir = root.join("target/fuzz/crashes");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--seconds" => seconds = value().parse().unwrap_or_else(|_| usage("bad --seconds")),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("bad --seed")),
            "--iterations" => {
                max_iterations = Some(
                    value()
                        .parse()
                        .unwrap_or_else(|_| usage("bad --iterations")),
                )
            }
            "--crash-dir" => crash_dir = PathBuf::from(value()),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    let _ = std::fs::create_dir_all(&crash_dir);
    let current_file = crash_dir.join("current.photon.ts");
    let limits = engine::Limits {
        seed,
        duration: Duration::from_secs(seconds),
        max_iterations,
        crash_dir: Some(crash_dir.clone()),
        current_file: Some(current_file.clone()),
        work_dir: crash_dir.join("project"),
    };
    eprintln!("fuzz_parse: seed {seed}, up to {seconds} s");
    let stats = engine::run(&root, &limits);
    // The run finished without an uncaught abort, so the last input needs no keeping.
    let _ = std::fs::remove_file(&current_file);
    let _ = std::fs::remove_dir_all(crash_dir.join("project"));
    let secs = stats.elapsed.as_secs_f64();
    println!(
        "fuzz_parse: seed {seed}: {} iterations in {secs:.1} s ({:.0}/s), {} of them multi-photon projects, {} user wrangler.toml merges ({} merged, the rest refused), {} parsed, {} rendered, {} rejected with errors, {} crashes",
        stats.iterations,
        stats.iterations as f64 / secs.max(1e-9),
        stats.projects,
        stats.tomls,
        stats.tomls_merged,
        stats.parsed,
        stats.rendered,
        stats.rejected,
        stats.crashes.len()
    );
    for crash in &stats.crashes {
        println!(
            "crash at iteration {} ({}): {}{}",
            crash.iteration,
            crash.path.display(),
            crash.message,
            crash
                .saved
                .as_ref()
                .map(|p| format!("\n  input saved to {}", p.display()))
                .unwrap_or_default()
        );
    }
    if stats.crashes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "usage: cargo run --release --example fuzz_parse -- [--seconds N] [--seed N] [--iterations N] [--crash-dir DIR]"
    );
    std::process::exit(2)
}
