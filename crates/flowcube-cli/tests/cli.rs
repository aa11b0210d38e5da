//! The `flowcube` binary: reports, checks against expected answers, strict and lenient loads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const HEADER: &str = "EventKey,EventTime,MacAddress,EventDuration\n";

/// A folder of two rooms; `lobby.csv` has a bad duration on line 3 and a short line 5.
fn folder_with_bad_rows() -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("bullpen.csv"),
        format!("{HEADER}b1,2022-04-04 08:00:00,aa,10\nb2,2022-04-04 09:00:00,bb,20\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("lobby.csv"),
        format!(
            "{HEADER}l1,2022-04-04 08:30:00,aa,5\nl2,2022-04-04 08:31:00,aa,five\n\
             l3,2022-04-04 08:32:00,cc,7\nl4,2022-04-04 08:33:00\n"
        ),
    )
    .unwrap();
    dir
}

fn flowcube(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowcube"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The golden folder of the repository.
fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/default")
}

/// `flowcube check` of the folder `data` against `expected`, with `more` arguments.
fn check(data: &Path, expected: &Path, more: &[&str]) -> Output {
    let args = [
        "check",
        "--data",
        path_arg(data),
        "--expected",
        path_arg(expected),
    ];
    flowcube(&[&args[..], more].concat())
}

#[test]
fn report_is_strict_by_default() {
    let dir = folder_with_bad_rows();
    let out = flowcube(&["report", "--data", path_arg(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let lobby = dir.path().join("lobby.csv");
    assert!(
        stderr.contains(&format!(
            "{}:3: column EventDuration: \"five\" is not an integer",
            lobby.display()
        )),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

#[test]
fn lenient_report_leaves_bad_rows_out_and_writes_them() {
    let dir = folder_with_bad_rows();
    let rejects = dir.path().join("rejects.txt");
    let out = flowcube(&[
        "report",
        "--data",
        path_arg(dir.path()),
        "--lenient",
        "--rejects",
        path_arg(&rejects),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("4 flow event(s)"), "{stdout}");
    let lobby = dir.path().join("lobby.csv");
    for expected in [
        "rejected 2 row(s), loaded 4 fact(s):".to_owned(),
        format!("{}: 2 rejected, 2 loaded", lobby.display()),
        format!("{}:3: column EventDuration: \"five\"", lobby.display()),
        format!(
            "{}:5: \"l4,2022-04-04 08:33:00\": 2 field(s) where the header has 4",
            lobby.display()
        ),
        format!("rejected rows written to {}", rejects.display()),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} in {stderr}");
    }
    let written = fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 3, "{written}");
    assert_eq!(lines[0], "file,line,column,value,reason");
    assert!(
        lines[1].starts_with(&format!(
            "{},3,EventDuration,five,expected an integer",
            lobby.display()
        )),
        "{written}"
    );
    assert_eq!(
        lines[2],
        format!(
            "{},5,,\"l4,2022-04-04 08:33:00\",2 field(s) where the header has 4",
            lobby.display()
        )
    );
}

#[test]
fn rejects_needs_lenient() {
    let dir = folder_with_bad_rows();
    let out = flowcube(&[
        "check",
        "--data",
        path_arg(dir.path()),
        "--expected",
        "expected.json",
        "--rejects",
        "rejects.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--lenient"),
        "{}",
        text(&out.stderr)
    );
}

/// The golden folder copied, with bad rows added at the end of one file.
fn golden_with_bad_rows() -> TempDir {
    let dir = TempDir::new().unwrap();
    for entry in fs::read_dir(golden_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "csv") {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let conference1 = dir.path().join("conference1.csv");
    let mut content = fs::read_to_string(&conference1).unwrap();
    content.push_str("k1,2022-04-31 10:00:00,m,1\nk2,2022-04-04 10:00:00,m,1.5\n");
    fs::write(&conference1, content).unwrap();
    dir
}

#[test]
fn lenient_check_matches_the_golden_answers_without_the_bad_rows() {
    let dir = golden_with_bad_rows();
    let expected = golden_dir().join("expected.json");

    let strict = check(dir.path(), &expected, &[]);
    assert_eq!(strict.status.code(), Some(2));
    let stderr = text(&strict.stderr);
    assert!(
        stderr.contains("conference1.csv:1149: column EventTime"),
        "{stderr}"
    );

    let lenient = check(dir.path(), &expected, &["--lenient"]);
    let (stdout, stderr) = (text(&lenient.stdout), text(&lenient.stderr));
    assert_eq!(lenient.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    assert!(
        stderr.contains("rejected 2 row(s), loaded 47894 fact(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("conference1.csv:1150: column EventDuration: \"1.5\""),
        "{stderr}"
    );
}

#[test]
fn lenient_load_without_bad_rows_says_so() {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("lab.csv"),
        format!("{HEADER}k,2022-04-04 08:00:00,aa,1\n"),
    )
    .unwrap();
    let out = flowcube(&["report", "--data", path_arg(dir.path()), "--lenient"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "rejected no row, loaded 1 fact(s)\n");
}

#[test]
fn check_refuses_an_expected_file_without_charts_or_with_a_broken_query() {
    let data = folder_with_bad_rows();
    let dir = TempDir::new().unwrap();
    let empty = dir.path().join("empty.json");
    fs::write(&empty, r#"{"charts": {}}"#).unwrap();
    let args = |expected: &Path| check(data.path(), expected, &["--lenient"]);
    let out = args(&empty);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("holds no chart to check"),
        "{}",
        text(&out.stderr)
    );

    let broken = dir.path().join("broken.json");
    let chart = r#"{"charts": {"1": {"title": "t", "columns": ["Nope"], "rows": [],
        "query": {"measures": ["Nope"], "levels": []}}}}"#;
    fs::write(&broken, chart).unwrap();
    let out = args(&broken);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.contains("query failed: unknown measure \"Nope\""),
        "{stdout}"
    );
    assert!(stderr.contains("1 of the queries in"), "{stderr}");
}

#[test]
fn an_unwritable_rejects_file_is_named_once() {
    let data = folder_with_bad_rows();
    let rejects = data.path().join("missing-folder").join("rejects.csv");
    let out = flowcube(&[
        "report",
        "--data",
        path_arg(data.path()),
        "--lenient",
        "--rejects",
        path_arg(&rejects),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let line = stderr.lines().find(|l| l.starts_with("error: ")).unwrap();
    assert!(
        line.starts_with(&format!("error: {}: ", rejects.display())),
        "{line}"
    );
    assert_eq!(line.matches("os error").count(), 1, "{line}");
}

#[test]
fn report_with_no_arguments_prints_every_chart_of_the_sample() {
    let out = flowcube(&["report"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("flow event(s) from the built-in sample"),
        "{stdout}"
    );
    for chart in 1..=12 {
        assert!(
            stdout.contains(&format!("== Chart {chart}: ")),
            "chart {chart} missing:\n{stdout}"
        );
    }
}

#[test]
fn check_passes_on_the_golden_set() {
    let dir = golden_dir();
    let out = check(&dir, &dir.join("expected.json"), &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.ends_with(" passed, 0 failed"), "{stdout}");
}

#[test]
fn report_json_is_read_back_by_check_and_a_changed_answer_fails() {
    let data = golden_dir();
    let dir = TempDir::new().unwrap();
    let answers = dir.path().join("answers.json");
    let out = flowcube(&[
        "report",
        "--data",
        path_arg(&data),
        "--json",
        path_arg(&answers),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let check = |expected: &Path| check(&data, expected, &[]);

    // The report's own answers pass, all twelve charts of them.
    let out = check(&answers);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("12 passed, 0 failed"), "{stdout}");

    // One count changed: check names the chart and exits with status 1.
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&answers).unwrap()).unwrap();
    let total = &mut json["charts"]["1"]["rows"][0]["contributors.COUNT"];
    *total = serde_json::json!(total.as_i64().unwrap() + 1);
    let changed = dir.path().join("changed.json");
    fs::write(&changed, serde_json::to_vec(&json).unwrap()).unwrap();
    let out = check(&changed);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("11 passed, 1 failed"), "{stdout}");
}

#[test]
fn report_warns_when_days_of_several_months_share_a_member() {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("lab.csv"),
        format!("{HEADER}k1,2022-04-04 08:00:00,aa,1\nk2,2022-05-04 08:00:00,aa,1\n"),
    )
    .unwrap();
    let out = flowcube(&["report", "--data", path_arg(dir.path())]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("warning: the data spans 2 months"),
        "{stdout}"
    );
    // Chart 4 asks for the notebook's device, which this data does not have.
    assert!(
        stdout.contains(
            "Chart 4: Data from device \"00:17:88:CR:PU:Y7\" ==\n\
             (no row: nothing passes this chart's filters)"
        ),
        "{stdout}"
    );

    // One month: no warning.
    fs::write(
        dir.path().join("lab.csv"),
        format!("{HEADER}k1,2022-04-04 08:00:00,aa,1\nk2,2022-04-05 08:00:00,aa,1\n"),
    )
    .unwrap();
    let out = flowcube(&["report", "--data", path_arg(dir.path())]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !text(&out.stdout).contains("warning"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_closed_output_pipe_ends_the_report_quietly() {
    use std::io::Read;
    use std::process::Stdio;

    // Every row of every chart: far more than a pipe's buffer holds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_flowcube"))
        .args(["report", "--rows", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the first line, as `head -1` would, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 32];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn check_on_other_data_says_the_facts_differ_and_names_the_rows() {
    let data = folder_with_bad_rows();
    let expected = golden_dir().join("expected.json");
    let out = check(data.path(), &expected, &["--lenient"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("was computed on 47894 facts;") && stderr.contains("holds 4"),
        "{stderr}"
    );
    assert!(
        stdout.contains("missing row: Room=\"conference1\", contributors.COUNT=1147"),
        "{stdout}"
    );
}

#[test]
fn a_chart_that_cannot_be_answered_leaves_the_others_printed() {
    let dir = TempDir::new().unwrap();
    // Two durations whose sum does not fit in 64 bits: the sum charts cannot be answered.
    fs::write(
        dir.path().join("lab.csv"),
        format!(
            "{HEADER}k1,2022-04-04 08:00:00,aa,9223372036854775807\n\
             k2,2022-04-04 09:00:00,bb,9223372036854775807\n"
        ),
    )
    .unwrap();
    let out = flowcube(&["report", "--data", path_arg(dir.path())]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("== Chart 8: "), "{stdout}");
    assert!(stdout.contains("(no answer: "), "{stdout}");
    // Chart 12 comes after the first that fails, and is printed all the same.
    assert!(stdout.contains("== Chart 12: "), "{stdout}");
    assert!(stderr.contains("could not be answered"), "{stderr}");
    assert!(stderr.contains("EventDuration.SUM"), "{stderr}");
}
