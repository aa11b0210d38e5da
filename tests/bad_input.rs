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

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use flowcube::iot::load::{read_room_folder, room_files, LoadError};
use flowcube::iot::notebook;
use flowcube::{Cube, DrillThrough, Query, Table};
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
            .starts_with(&format!("cannot read {}: ", unreadable.display())),
        "{err}"
    );

    assert_eq!(answers(&cube), before);
}

/// A Parquet file is read by the engine's generic [`Table::read_parquet`], which knows
/// nothing of room files: it takes the file's schema as it is. So the rules of the room-file
/// loader do not apply to it. This test pins what happens to the inputs that a room file
/// would refuse or change: a missing EventTime stays a null fact time, an empty MacAddress
/// stays empty rather than becoming `N/A`, and a missing text (Room, FlowId, MacAddress)
/// becomes the table's null member `N/A`.
#[test]
fn a_parquet_file_of_flows_is_taken_as_written_not_checked_like_room_files() {
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
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("flows.parquet");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();

    let table = Table::read_parquet(&path, notebook::table_options()).unwrap();
    let cube = Cube::from_table(table);
    let facts = DrillThrough::new().execute(&cube).unwrap();
    assert_eq!(
        cells(&facts),
        [
            ["lab", "k1", "null", "m", "1"],
            ["lab", "k2", "2022-04-04 10:00:00", "N/A", "2"],
            ["lab", "N/A", "2022-04-04 10:00:00", "", "null"],
            ["N/A", "k4", "2022-04-04 10:00:00", "m", "4"],
        ]
    );
    // The notebook cube takes the same batch too, although its schema says EventTime has
    // no nulls.
    let notebook_cube = notebook::empty_cube().unwrap();
    notebook_cube.append(&[batch]).unwrap();
    assert_eq!(notebook_cube.num_rows(), 4);
}
