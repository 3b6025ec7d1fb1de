//! Rebuild when anything under `templates/` changes: `include_dir!` only tracks files that
//! existed at the last build, so a template added later would otherwise be missed.

fn main() {
    println!("cargo:rerun-if-changed=templates");
}
