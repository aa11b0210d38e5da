//! Any bytes as a room file: the loader never panics, and its lenient mode agrees with its
//! strict mode.
//!
//! - Strict success: lenient mode loads the same facts and rejects nothing.
//! - Strict failure about a row: lenient mode succeeds, and its first rejected row is the
//!   strict error (same line, column and value).
//! - Strict failure about the file: lenient mode fails with the same message.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use flowcube_iot::load::{read_room_file, read_room_file_with, LoadError, LoadOptions};
use libfuzzer_sys::fuzz_target;
use tempfile::TempDir;

/// One file, rewritten for each input.
fn scratch_file() -> &'static PathBuf {
    static FILE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    &FILE
        .get_or_init(|| {
            let dir = TempDir::new().expect("a temporary folder");
            let path = dir.path().join("room.csv");
            (dir, path)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let path = scratch_file();
    std::fs::write(path, data).expect("writing the scratch file");

    let strict = read_room_file(path, "room");
    let lenient = read_room_file_with(path, "room", &LoadOptions::lenient());
    match (strict, lenient) {
        (Ok(strict), Ok((lenient, report))) => {
            assert_eq!(strict, lenient);
            assert_eq!(report.num_rejected(), 0);
            let rows: usize = strict.iter().map(|batch| batch.num_rows()).sum();
            assert_eq!(report.rows(), rows as u64);
        }
        (
            Err(error @ (LoadError::FieldCount { .. } | LoadError::BadValue { .. })),
            Ok((_, report)),
        ) => {
            let first = report.rejected().next().expect("a rejected row");
            match error {
                LoadError::FieldCount { line, .. } => {
                    assert_eq!((first.line, first.column.as_deref()), (line, None));
                }
                LoadError::BadValue {
                    line,
                    column,
                    value,
                    ..
                } => {
                    assert_eq!(first.line, line);
                    assert_eq!(first.column.as_deref(), Some(column.as_str()));
                    assert_eq!(first.value, value);
                }
                _ => unreachable!(),
            }
        }
        (Err(strict), Err(lenient)) => assert_eq!(strict.to_string(), lenient.to_string()),
        (strict, lenient) => panic!(
            "strict and lenient modes disagree: {:?} vs {:?}",
            strict.map(|batches| batches.len()),
            lenient.map(|(batches, _)| batches.len())
        ),
    }
});
