//! Big room files are streamed: reading one holds its facts, not the file, and loading one
//! holds the table, not the parsed batches.
//!
//! These tests read the peak memory of the whole process, so they run in their own test
//! binary and one at a time.
//!
//! The default test writes about 50 MB whose lines carry a wide column that the loader
//! ignores (some 50,000 lines, about 2 s in a debug build): reading must hold far less than
//! the file. The multi-gigabyte load, with lines as a gateway writes them, is ignored by
//! default; run it, in release since it parses gigabytes, with
//!
//! ```text
//! FLOWCUBE_BIG_FILE_MB=4096 cargo test --release --test big_file -- --ignored
//! ```

mod common;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use flowcube_iot::load::{read_room_folder, BATCH_ROWS};
use flowcube_iot::notebook;
use tempfile::TempDir;

/// Writes a room file of about `megabytes` MB whose lines carry, after the four columns, an
/// ignored column of `note_bytes` bytes; returns its lines of facts.
fn write_big_room(path: &Path, megabytes: u64, note_bytes: usize) -> u64 {
    let note = "n".repeat(note_bytes);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    writeln!(out, "EventKey,EventTime,MacAddress,EventDuration,Note").unwrap();
    let line_bytes = 78 + note_bytes as u64;
    let lines = megabytes * 1_000_000 / line_bytes;
    for i in 0..lines {
        // The key is the time and the device, as gateways write it.
        let (hour, minute, second) = (i / 3600 % 24, i / 60 % 60, i % 60);
        let (high, low) = (i / 256 % 256, i % 256);
        writeln!(
            out,
            "20220404{hour:02}{minute:02}{second:02}:00178800{high:02X}{low:02X},\
             2022-04-04 {hour:02}:{minute:02}:{second:02},00:17:88:00:{high:02X}:{low:02X},{},{note}",
            i % 1000,
        )
        .unwrap();
    }
    out.flush().unwrap();
    lines
}

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`), where Linux has it.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

/// Held by each test while it measures, so that the two never run side by side.
static MEASURING: Mutex<()> = Mutex::new(());

/// Resets the peak resident size to the current one and returns the current one, or
/// `None` where the system cannot (outside Linux). On Linux the test must measure: a
/// test that passed without measuring would prove nothing.
fn reset_peak() -> Option<u64> {
    // Writing "5" resets the peak to the current size (Linux 4.0 and later).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let current = status_bytes("VmRSS");
    if cfg!(target_os = "linux") {
        assert!(
            reset && current.is_some(),
            "cannot measure memory through /proc/self"
        );
    }
    current.filter(|_| reset)
}

/// How much the peak resident size grew since `before` was taken by [`reset_peak`].
fn peak_growth(before: Option<u64>) -> Option<u64> {
    Some(status_bytes("VmHWM")?.saturating_sub(before?))
}

#[test]
fn a_big_file_is_read_in_the_memory_of_its_facts_not_of_the_file() {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    // The file carries a wide column that the loader ignores, so it is about fifteen times
    // larger than the facts it holds.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bullpen.csv");
    let lines = write_big_room(&path, 50, 960);
    let file_bytes = std::fs::metadata(&path).unwrap().len();

    let before = reset_peak();
    let start = Instant::now();
    let batches = read_room_folder(dir.path()).unwrap();
    let elapsed = start.elapsed();
    let rows: usize = batches.iter().map(|batch| batch.num_rows()).sum();
    assert_eq!(rows as u64, lines);
    let Some(grown) = peak_growth(before) else {
        return;
    };
    eprintln!(
        "read {lines} facts from {} MB in {elapsed:.1?}; peak memory grew by {} MB",
        file_bytes / 1_000_000,
        grown / 1_000_000
    );
    // The facts take about 60 bytes a line in the batches, the file about 1,000; a few MB
    // more go to the read buffers and the threads.
    assert!(
        grown < file_bytes / 4,
        "peak memory grew by {grown} bytes reading a file of {file_bytes} bytes"
    );
}

#[test]
#[ignore = "writes and loads gigabytes: run in release, FLOWCUBE_BIG_FILE_MB sets the size"]
fn a_multi_gigabyte_load_holds_the_table_not_the_file() {
    let _alone = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let megabytes = std::env::var("FLOWCUBE_BIG_FILE_MB")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(4096);
    // Lines as a gateway writes them, so the parsed batches would be larger than the file.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bullpen.csv");
    let lines = write_big_room(&path, megabytes, 0);
    let file_bytes = std::fs::metadata(&path).unwrap().len();

    let before = reset_peak();
    let start = Instant::now();
    let cube = notebook::load_cube(dir.path()).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(cube.num_rows() as u64, lines);
    let table_bytes = cube.snapshot().table().memory_size() as u64;
    let Some(grown) = peak_growth(before) else {
        return;
    };
    eprintln!(
        "loaded {lines} facts from {} MB in {elapsed:.1?}: table {} MB, peak memory grew by {} MB",
        file_bytes / 1_000_000,
        table_bytes / 1_000_000,
        grown / 1_000_000,
    );
    // Beyond the table: the rows being joined to it, and on each thread one batch of
    // BATCH_ROWS facts being read (about 100 bytes a fact with its buffers).
    let in_flight = rayon::current_num_threads() as u64 * BATCH_ROWS as u64 * 100;
    let bound = table_bytes * 2 + in_flight + (64 << 20);
    assert!(
        grown < bound,
        "peak memory grew by {grown} bytes loading a table of {table_bytes} bytes (bound {bound})"
    );
}
