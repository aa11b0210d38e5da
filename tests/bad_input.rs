//! Room folders with odd or bad input, loaded through the public API: each input either
//! loads the facts it states, or fails with an error that names the file and says what is
//! wrong, and a failed load leaves the cube exactly as it was.
//!
//! Inputs inside one room file (header columns, byte-order mark, CRLF, quoting, blank lines,
//! truncated lines, non-UTF-8 bytes, timestamps, durations, MAC addresses, lenient mode) are
//! covered by the unit tests of `flowcube-iot`'s `load` module; this file covers what spans
//! files and folders, the cube built from them, and Parquet input.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use flowcube::iot::load::{
    read_flow_parquet, read_room_file, read_room_folder, room_files, LoadError, LoadOptions,
};
use flowcube::iot::notebook;
use flowcube::{Cube, DrillThrough, Query};
use parquet::arrow::ArrowWriter;
use tempfile::TempDir;

use common::{cells, folder, room, HEADER};

/// 2022-04-04 10:00:00 in nanoseconds.
const APRIL_4_10H: i64 = 1_649_066_400_000_000_000;

/// Every answer the notebook cube gives: the twelve charts, the drill-through to all facts
/// and the number of rows.
fn answers(cube: &Cube) -> (Vec<RecordBatch>, RecordBatch, usize) {
    let charts = notebook::charts()
        .iter()
        .map(|chart| chart.query.run(cube).unwrap())
        .collect();
    let facts = DrillThrough::new().execute(cube).unwrap();
    (charts, facts, cube.num_rows())
}

/// A cube loaded from two small rooms, for the tests that append a bad folder to it.
fn loaded_cube() -> (TempDir, Cube) {
    let dir = folder(&[
        (
            "bullpen.csv",
            room(&[
                "b1,2022-04-04 08:00:00,00:17:88:CR:PU:Y7,10",
                "b2,2022-04-04 19:15:30,00:17:88:4I:BK:K5,20",
            ]),
        ),
        ("lab.csv", room(&["l1,2022-04-05 09:00:00,aa,3"])),
    ]);
    let cube = notebook::load_cube(dir.path()).unwrap();
    assert_eq!(cube.num_rows(), 3);
    (dir, cube)
}

/// The (Room, contributors.COUNT) cells of `cube`, one row per room in name order.
fn facts_by_room(cube: &Cube) -> Vec<Vec<String>> {
    let counts = Query::new()
        .measures(["contributors.COUNT"])
        .levels(["Room"])
        .execute(cube)
        .unwrap();
    cells(&counts)
}

#[test]
fn duplicate_event_keys_within_and_across_files_are_separate_facts() {
    let dir = folder(&[
        (
            "bullpen.csv",
            room(&["k,2022-04-04 10:00:00,m,1", "k,2022-04-04 10:00:00,m,1"]),
        ),
        ("lab.csv", room(&["k,2022-04-04 10:00:00,m,5"])),
    ]);
    let cube = notebook::load_cube(dir.path()).unwrap();

    let facts = DrillThrough::new().execute(&cube).unwrap();
    let fact = |room: &str, duration: &str| {
        [room, "k", "2022-04-04 10:00:00", "m", duration].map(str::to_owned)
    };
    assert_eq!(
        cells(&facts),
        [fact("bullpen", "1"), fact("bullpen", "1"), fact("lab", "5")]
    );
    let total = Query::new()
        .measures(["contributors.COUNT", "EventDuration.SUM"])
        .execute(&cube)
        .unwrap();
    assert_eq!(cells(&total), [["3", "7"]]);
}

#[test]
fn a_header_only_room_file_loads_no_facts_and_no_room() {
    let dir = folder(&[
        ("bullpen.csv", room(&["b1,2022-04-04 10:00:00,m,1"])),
        ("lab.csv", HEADER.to_owned()),
    ]);
    let cube = notebook::load_cube(dir.path()).unwrap();
    assert_eq!(facts_by_room(&cube), [["bullpen", "1"]]);
}

#[test]
fn an_empty_room_file_is_an_error_naming_it() {
    let dir = folder(&[
        ("bullpen.csv", room(&["b1,2022-04-04 10:00:00,m,1"])),
        ("lab.csv", String::new()),
    ]);
    let err = notebook::load_cube(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: empty file: expected a header line with the columns \
             EventKey, EventTime, MacAddress, EventDuration",
            dir.path().join("lab.csv").display()
        )
    );
}

#[test]
fn any_utf8_file_stem_is_a_room_name() {
    let dir = folder(&[
        ("my room.csv", HEADER),
        ("a.b.csv", HEADER),
        (" .csv", HEADER),
        // Not rooms: the extension is not exactly `.csv`, or the name is hidden.
        ("lab.CSV", HEADER),
        (".csv", HEADER),
        (".lab.csv", HEADER),
    ]);
    let names: Vec<String> = room_files(dir.path())
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, [" ", "a.b", "my room"]);
}

#[cfg(unix)]
#[test]
fn a_room_file_name_that_is_not_utf8_is_an_error_naming_it() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let dir = folder(&[("lab.csv", room(&["l1,2022-04-04 10:00:00,m,1"]))]);
    let bad = dir.path().join(OsStr::from_bytes(b"conf\xffrence.csv"));
    std::fs::write(&bad, HEADER).unwrap();

    let err = read_room_folder(dir.path()).unwrap_err();
    assert!(
        matches!(&err, LoadError::BadRoomName { path, .. } if *path == bad),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the file name is not UTF-8, so it cannot name a room",
            bad.display()
        )
    );
    // Another file that is not a room may have any name.
    std::fs::remove_file(&bad).unwrap();
    std::fs::write(dir.path().join(OsStr::from_bytes(b"notes\xff.txt")), "x").unwrap();
    assert_eq!(room_files(dir.path()).unwrap().len(), 1);
}

#[test]
fn a_load_failing_on_the_last_row_of_the_last_file_changes_no_answer() {
    let (_dir, cube) = loaded_cube();
    let before = answers(&cube);

    // Every file but the last line is good: reading stops only at the very end.
    let more = folder(&[
        ("bullpen.csv", room(&["b3,2022-04-05 08:00:00,bb,1"])),
        ("kitchen.csv", room(&["c1,2022-04-05 12:00:00,cc,2"])),
        (
            "zoo.csv",
            room(&[
                "z1,2022-04-05 13:00:00,zz,3",
                "z2,2022-04-05 13:00:01,zz,1.5",
            ]),
        ),
    ]);
    let err = notebook::append_folder(&cube, more.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: column EventDuration: \"1.5\" is not an integer number of seconds that \
             fits in 64 bits",
            more.path().join("zoo.csv").display()
        )
    );

    assert_eq!(answers(&cube), before);
    assert_eq!(facts_by_room(&cube)[0], ["bullpen", "2"]);
}

/// Makes `name` in `dir` a room file that opens but whose first read fails with an I/O
/// error: a link to this process's memory, whose page at offset 0 is never mapped. A file
/// without read permission would not do, since the tests may run as root.
#[cfg(target_os = "linux")]
fn unreadable_room_file(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::os::unix::fs::symlink("/proc/self/mem", &path).unwrap();
    path
}

#[cfg(target_os = "linux")]
#[test]
fn a_load_failing_on_an_unreadable_file_changes_no_answer() {
    let (_dir, cube) = loaded_cube();
    let before = answers(&cube);

    let more = folder(&[("bullpen.csv", room(&["b3,2022-04-05 08:00:00,bb,1"]))]);
    let unreadable = unreadable_room_file(more.path(), "lab.csv");
    let err = notebook::append_folder(&cube, more.path()).unwrap_err();
    let flowcube::iot::Error::Load(LoadError::Io { path, source }) = &err else {
        panic!("expected an I/O error, got {err:?}");
    };
    assert_eq!(*path, unreadable);
    assert_eq!(source.raw_os_error(), Some(5), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}: ", unreadable.display())),
        "{err}"
    );

    assert_eq!(answers(&cube), before);
}

/// A Parquet file of flows written by hand, with the cells a room file would refuse or
/// change: a null EventTime (row 1), a null MacAddress (row 2), a null FlowId, an empty
/// MacAddress and a null EventDuration (row 3), a null Room (row 4).
fn flows_with_nulls(dir: &Path) -> std::path::PathBuf {
    let time = DataType::Timestamp(TimeUnit::Nanosecond, None);
    let schema = Arc::new(Schema::new(vec![
        Field::new("Room", DataType::Utf8, true),
        Field::new("FlowId", DataType::Utf8, true),
        Field::new("EventTime", time, true),
        Field::new("MacAddress", DataType::Utf8, true),
        Field::new("EventDuration", DataType::Int64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![
            Some("lab"),
            Some("lab"),
            Some("lab"),
            None,
        ])),
        Arc::new(StringArray::from(vec![
            Some("k1"),
            Some("k2"),
            None,
            Some("k4"),
        ])),
        Arc::new(TimestampNanosecondArray::from(vec![
            None,
            Some(APRIL_4_10H),
            Some(APRIL_4_10H),
            Some(APRIL_4_10H),
        ])),
        Arc::new(StringArray::from(vec![
            Some("m"),
            None,
            Some(""),
            Some("m"),
        ])),
        Arc::new(Int64Array::from(vec![Some(1), Some(2), None, Some(4)])),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).unwrap();
    let path = dir.join("flows.parquet");
    write_parquet(&path, &[batch]);
    path
}

/// Writes `batches` (of one schema) to a Parquet file at `path`.
fn write_parquet(path: &Path, batches: &[RecordBatch]) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), None).unwrap();
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.close().unwrap();
}

/// A Parquet file of flows gets the rules of room files: a null EventTime fails a strict
/// load with the row, column, value and what was expected, and leaves the cube as it was.
#[test]
fn a_parquet_file_of_flows_with_a_null_event_time_is_an_error_naming_row_and_column() {
    let dir = TempDir::new().unwrap();
    let path = flows_with_nulls(dir.path());

    let err = read_flow_parquet(&path, None, &LoadOptions::strict()).unwrap_err();
    let LoadError::BadValue {
        path: err_path,
        line,
        column,
        value,
        expected,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (err_path, *line, column.as_str(), value.as_str(), *expected),
        (&path, 1, "EventTime", "null", "a non-null timestamp")
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1: column EventTime: \"null\" is not a non-null timestamp",
            path.display()
        )
    );

    assert!(notebook::load_parquet_cube(&path).is_err());
    let (_dir, cube) = loaded_cube();
    let before = answers(&cube);
    assert!(notebook::append_parquet(&cube, &path).is_err());
    assert_eq!(answers(&cube), before);
}

/// In lenient mode the rows a room file could not hold are rejected (a null EventTime, a
/// null Room) and the others load as from a room file: a missing MacAddress is `N/A`, a
/// missing key an empty FlowId, a missing duration null.
#[test]
fn a_lenient_parquet_load_rejects_null_times_and_rooms_and_keeps_the_rest_like_csv() {
    let dir = TempDir::new().unwrap();
    let path = flows_with_nulls(dir.path());

    let (batches, report) = read_flow_parquet(&path, None, &LoadOptions::lenient()).unwrap();
    let rejected: Vec<(u64, Option<&str>, &str, &str)> = report
        .rejected()
        .map(|row| {
            (
                row.line,
                row.column.as_deref(),
                row.value.as_str(),
                row.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (
                1,
                Some("EventTime"),
                "null",
                "expected a non-null timestamp"
            ),
            (4, Some("Room"), "null", "expected a non-empty room name"),
        ]
    );
    assert_eq!(report.rows(), 2);

    let cube = notebook::cube_from_batches(&batches).unwrap();
    let facts = DrillThrough::new().execute(&cube).unwrap();
    assert_eq!(
        cells(&facts),
        [
            ["lab", "k2", "2022-04-04 10:00:00", "N/A", "2"],
            ["lab", "", "2022-04-04 10:00:00", "N/A", "null"],
        ]
    );

    // The same facts as a room file: empty fields where the Parquet file has nulls.
    let csv = folder(&[(
        "lab.csv",
        room(&["k2,2022-04-04 10:00:00,,2", ",2022-04-04 10:00:00,,"]),
    )]);
    let from_csv = read_room_folder(csv.path()).unwrap();
    assert_eq!(batches, from_csv);
    let csv_cube = notebook::load_cube(csv.path()).unwrap();
    assert_eq!(answers(&cube), answers(&csv_cube));
}

#[test]
fn a_float_duration_in_a_parquet_file_is_an_error_like_a_decimal_in_a_room_file() {
    let dir = TempDir::new().unwrap();
    let batch = RecordBatch::try_from_iter([
        (
            "EventKey",
            Arc::new(StringArray::from(vec!["k1", "k2", "k3"])) as ArrayRef,
        ),
        (
            "EventTime",
            Arc::new(StringArray::from(vec!["2022-04-04 10:00:00"; 3])) as ArrayRef,
        ),
        (
            "MacAddress",
            Arc::new(StringArray::from(vec!["m"; 3])) as ArrayRef,
        ),
        (
            "EventDuration",
            Arc::new(Float64Array::from(vec![None, Some(1.5), Some(2.0)])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = dir.path().join("lab.parquet");
    write_parquet(&path, &[batch]);

    let err = read_flow_parquet(&path, None, &LoadOptions::strict()).unwrap_err();
    let csv = folder(&[("lab.csv", room(&["k2,2022-04-04 10:00:00,m,1.5"]))]);
    let csv_err = read_room_folder(csv.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: column EventDuration: \"1.5\" is not an integer number of seconds that \
             fits in 64 bits",
            path.display()
        )
    );
    // The same message as the room file's, but for the file and the position.
    let tail = |message: String| message.split_once(": ").unwrap().1.to_owned();
    assert_eq!(tail(err.to_string()), tail(csv_err.to_string()));

    // Lenient: a null duration is null, 1.5 and even 2.0 are not integers as written.
    let (batches, report) = read_flow_parquet(&path, None, &LoadOptions::lenient()).unwrap();
    let lines: Vec<(u64, &str)> = report
        .rejected()
        .map(|row| (row.line, row.value.as_str()))
        .collect();
    assert_eq!(lines, [(2, "1.5"), (3, "2.0")]);
    let cube = notebook::cube_from_batches(&batches).unwrap();
    assert_eq!(
        cells(&DrillThrough::new().execute(&cube).unwrap()),
        [["lab", "k1", "2022-04-04 10:00:00", "m", "null"]]
    );
}

/// The golden room files written as Parquet from the room loader's own batches read back
/// to the same batches, and give the same cube answers.
#[test]
fn parquet_files_of_the_golden_rooms_give_the_same_batches_and_answers_as_the_csv_files() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/default");
    let dir = TempDir::new().unwrap();

    // One Parquet file per room, named like the room: the Room column is read, and
    // without it the file stem names the room, as for a room file.
    let mut all = Vec::new();
    for (name, csv_path) in room_files(&golden).unwrap() {
        let from_csv = read_room_file(&csv_path, &name).unwrap();
        let path = dir.path().join(format!("{name}.parquet"));
        write_parquet(&path, &from_csv);
        let (from_parquet, report) =
            read_flow_parquet(&path, None, &LoadOptions::strict()).unwrap();
        assert_eq!(from_parquet, from_csv, "{name}");
        assert_eq!(report.rows(), from_csv[0].num_rows() as u64, "{name}");

        let without_room: Vec<RecordBatch> = from_csv
            .iter()
            .map(|batch| batch.project(&[1, 2, 3, 4]).unwrap())
            .collect();
        let bare = dir.path().join(format!("{name}-bare.parquet"));
        write_parquet(&bare, &without_room);
        let (named, _) = read_flow_parquet(&bare, Some(&name), &LoadOptions::strict()).unwrap();
        assert_eq!(named, from_csv, "{name}");
        all.extend(from_csv);
    }

    // All rooms in one file.
    let path = dir.path().join("flows.parquet");
    write_parquet(&path, &all);
    let parquet_cube = notebook::load_parquet_cube(&path).unwrap();
    let csv_cube = notebook::load_cube(&golden).unwrap();
    assert_eq!(parquet_cube.num_rows(), 47_894);
    assert_eq!(answers(&parquet_cube), answers(&csv_cube));
}
