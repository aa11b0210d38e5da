//! Every chart of the golden set, answered through the library API, must match the answers
//! that the reference engine computed on the same room files.

use std::path::PathBuf;

use flowcube_iot::notebook;
use flowcube_iot::spec::{compare, ExpectedFile};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/default")
}

#[test]
fn golden_charts_match_the_reference_engine() {
    let dir = golden_dir();
    let expected: ExpectedFile =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let cube = notebook::load_cube(&dir).unwrap();
    assert_eq!(
        cube.num_rows() as u64,
        expected.meta["rows"].as_u64().unwrap()
    );

    let mut failures = Vec::new();
    for (id, chart) in expected.charts_in_order() {
        let result = chart.query.run(&cube).unwrap();
        let problems = compare(&result, &chart.columns, &chart.rows, 5);
        if !problems.is_empty() {
            failures.push(format!("chart {id} ({}): {problems:#?}", chart.title));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(expected.charts.len() >= 20);
}

#[test]
fn the_notebook_charts_are_the_golden_queries() {
    let dir = golden_dir();
    let expected: ExpectedFile =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    for chart in notebook::charts() {
        let golden = &expected.charts[chart.id];
        assert_eq!(chart.query, golden.query, "chart {}", chart.id);
        assert_eq!(chart.title, golden.title, "chart {}", chart.id);
    }
}
