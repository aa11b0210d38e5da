//! Every example in `examples/` runs on the built-in sample (or its own data) and writes a
//! well-formed picture where it says it does.
//!
//! `cargo test` builds the examples before it runs the tests; this runs their binaries.
//! Whether a picture draws the numbers of its chart's query is checked by the pictures
//! tests of `flowcube-viz`, which draw the same charts.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/examples`, beside the `deps` folder of this test's executable.
fn examples_bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .join("examples")
}

fn example_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the examples folder")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_example_runs_and_writes_a_well_formed_picture() {
    let names = example_names();
    assert!(names.len() >= 12, "{names:?}");
    let out_dir = tempfile::TempDir::new().unwrap();
    let mut pictures = 0;
    for name in &names {
        let bin = examples_bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "{} was not built", bin.display());
        let output = Command::new(&bin)
            .env("CARGO_TARGET_DIR", out_dir.path())
            .current_dir(out_dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{name} failed:\n{stdout}\n{stderr}"
        );
        assert!(!stdout.trim().is_empty(), "{name} printed nothing");
        for line in stdout.lines() {
            let Some(path) = line.strip_prefix("picture: ") else {
                continue;
            };
            let text = std::fs::read_to_string(path).unwrap();
            if path.ends_with(".svg") {
                let svg = roxmltree::Document::parse(&text)
                    .unwrap_or_else(|e| panic!("{name}: {path} is not well-formed XML: {e}"));
                assert_eq!(svg.root_element().tag_name().name(), "svg", "{name}");
                assert!(svg.descendants().count() > 20, "{name}: an empty picture");
            } else {
                assert!(text.contains("<table"), "{name}: {path} has no table");
            }
            pictures += 1;
        }
    }
    // Every chart example draws its chart; the Parquet example prints a table only.
    assert!(
        pictures >= 12,
        "{pictures} pictures from {} examples",
        names.len()
    );
}
