//! Helpers shared by the integration tests that write room folders.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Int64Type, TimestampNanosecondType};
use flowcube_iot::spec::format_timestamp;
use tempfile::TempDir;

/// The header of a room file.
pub const HEADER: &str = "EventKey,EventTime,MacAddress,EventDuration\n";

/// Writes `content` as the file `name` of `dir`; returns its path.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path
}

/// A new folder holding the given `(file name, content)` pairs.
pub fn folder<C: AsRef<[u8]>>(files: &[(&str, C)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, content) in files {
        write(dir.path(), name, content);
    }
    dir
}

/// A room file's content: the header, then `lines`, each ended by `\n`.
pub fn room(lines: &[&str]) -> String {
    let mut content = HEADER.to_owned();
    for line in lines {
        content.push_str(line);
        content.push('\n');
    }
    content
}

/// The cells of a record batch as text, row by row: null as `null`, timestamps written as
/// the room files write them.
pub fn cells(batch: &RecordBatch) -> Vec<Vec<String>> {
    (0..batch.num_rows())
        .map(|row| {
            batch
                .columns()
                .iter()
                .map(|column| cell(column.as_ref(), row))
                .collect()
        })
        .collect()
}

fn cell(column: &dyn Array, row: usize) -> String {
    if column.is_null(row) {
        return "null".to_owned();
    }
    if let Some(times) = column.as_primitive_opt::<TimestampNanosecondType>() {
        return format_timestamp(times.value(row));
    }
    if let Some(ints) = column.as_primitive_opt::<Int64Type>() {
        return ints.value(row).to_string();
    }
    if let Some(texts) = column.as_string_opt::<i32>() {
        return texts.value(row).to_owned();
    }
    arrow::util::display::array_value_to_string(column, row).unwrap()
}
