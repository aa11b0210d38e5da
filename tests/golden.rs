//! Every chart of the golden set, answered through the library API, must match the answers
//! that the reference engine computed on the same room files.

use std::path::PathBuf;

use flowcube_iot::notebook;
use flowcube_iot::spec::{batch_to_rows, compare, ExpectedFile};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/default")
}

/// The reference answers of the golden folder.
fn expected_file() -> ExpectedFile {
    let path = golden_dir().join("expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn golden_charts_match_the_reference_engine() {
    let expected = expected_file();
    let cube = notebook::load_cube(&golden_dir()).unwrap();
    assert_eq!(
        cube.num_rows() as u64,
        expected.meta["rows"].as_u64().unwrap()
    );

    let mut failures = Vec::new();
    for (id, chart) in expected.charts_in_order() {
        let result = chart.query.run(&cube).unwrap();
        let problems = compare(
            &result,
            &chart.columns,
            &chart.query.measures,
            &chart.rows,
            5,
        );
        if !problems.is_empty() {
            failures.push(format!("chart {id} ({}): {problems:#?}", chart.title));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(expected.charts.len() >= 20);
}

#[test]
fn the_notebook_charts_are_the_golden_queries() {
    let expected = expected_file();
    for chart in notebook::charts() {
        let golden = &expected.charts[chart.id];
        assert_eq!(chart.query, golden.query, "chart {}", chart.id);
        assert_eq!(chart.title, golden.title, "chart {}", chart.id);
    }
}

/// The golden rows are listed as the reference engine sorts them: by the levels in query
/// order, members in natural order, totals before their children. The level columns are
/// compared row by row; drill-throughs are left out, since their order is unspecified.
#[test]
fn rows_come_in_the_reference_engines_order() {
    let expected = expected_file();
    let cube = notebook::load_cube(&golden_dir()).unwrap();

    let mut checked = 0;
    for (id, chart) in expected.charts_in_order() {
        if chart.query.drillthrough.is_some() {
            continue;
        }
        let levels: Vec<&String> = chart
            .columns
            .iter()
            .filter(|c| !chart.query.measures.contains(c))
            .collect();
        let members =
            |rows: &[serde_json::Map<String, serde_json::Value>]| -> Vec<Vec<serde_json::Value>> {
                rows.iter()
                    .map(|row| levels.iter().map(|l| row[l.as_str()].clone()).collect())
                    .collect()
            };
        let result = chart.query.run(&cube).unwrap();
        let actual = members(&batch_to_rows(&result));
        let wanted = members(&chart.rows);
        assert_eq!(
            actual, wanted,
            "chart {id} ({}): rows out of order",
            chart.title
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} charts were checked");
}
