//! Rebuilds the binary when a file of the embedded suite is added or removed
//! (`include_dir` alone notices only changes to files it already embeds).

fn main() {
    for folder in ["cases", "schemas", "targets", "snapshots"] {
        println!("cargo:rerun-if-changed=../../{folder}");
    }
}
