//! The `flowcube` binary on folders with bad rows: strict by default, lenient on request.

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
    assert!(stdout.contains("4 flow events"), "{stdout}");
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
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/default");
    let dir = TempDir::new().unwrap();
    for entry in fs::read_dir(&golden).unwrap() {
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
    let expected =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/default/expected.json");
    let args = [
        "check",
        "--data",
        path_arg(dir.path()),
        "--expected",
        path_arg(&expected),
    ];

    let strict = flowcube(&args);
    assert_eq!(strict.status.code(), Some(2));
    let stderr = text(&strict.stderr);
    assert!(
        stderr.contains("conference1.csv:1149: column EventTime"),
        "{stderr}"
    );

    let lenient = flowcube(&[&args[..], &["--lenient"]].concat());
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
    let args = |expected: &Path| {
        flowcube(&[
            "check",
            "--lenient",
            "--data",
            path_arg(data.path()),
            "--expected",
            path_arg(expected),
        ])
    };
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
