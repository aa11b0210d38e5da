//! A big room file is streamed: reading it holds the facts, not the file.
//!
//! The file carries a wide column that the loader ignores, so it is about fifteen times
//! larger than the facts it holds; the peak memory of the read must stay well under the
//! file's size. This runs in its own test binary because it reads the peak memory of the
//! whole process, which other tests running beside it would disturb.
//!
//! The default test writes about 50 MB (some 50,000 lines, about 2 s in a debug build). The
//! multi-gigabyte check, which also builds the cube, is ignored by default; run it, in
//! release since it parses gigabytes, with
//!
//! ```text
//! FLOWCUBE_BIG_FILE_MB=4096 cargo test --release --test big_file -- --ignored
//! ```

mod common;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use flowcube_iot::load::read_room_folder;
use flowcube_iot::notebook;
use tempfile::TempDir;

/// Bytes of the ignored column on each line.
const NOTE_BYTES: usize = 960;

/// Writes a room file of about `megabytes` MB; returns its lines of facts.
fn write_big_room(path: &Path, megabytes: u64) -> u64 {
    let note = "n".repeat(NOTE_BYTES);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    writeln!(out, "EventKey,EventTime,MacAddress,EventDuration,Note").unwrap();
    let line_bytes = 64 + NOTE_BYTES as u64;
    let lines = megabytes * 1_000_000 / line_bytes;
    for i in 0..lines {
        let (minute, second) = (i / 60 % 60, i % 60);
        writeln!(
            out,
            "k{i:012},2022-04-04 {:02}:{minute:02}:{second:02},00:17:88:00:{:02X}:{:02X},{},{note}",
            i / 3600 % 24,
            i / 256 % 256,
            i % 256,
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

/// Reads a file of about `megabytes` MB and checks the facts and the peak memory; then,
/// if `build_cube`, loads it into the notebook cube.
fn read_big_room(megabytes: u64, build_cube: bool) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bullpen.csv");
    let lines = write_big_room(&path, megabytes);
    let file_bytes = std::fs::metadata(&path).unwrap().len();

    // Writing "5" resets the peak to the current size (Linux 4.0 and later).
    let can_measure = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_bytes("VmRSS");
    let start = Instant::now();
    let batches = read_room_folder(dir.path()).unwrap();
    let elapsed = start.elapsed();
    let rows: usize = batches.iter().map(|batch| batch.num_rows()).sum();
    assert_eq!(rows as u64, lines);
    let peak = status_bytes("VmHWM");
    drop(batches);
    if build_cube {
        let start = Instant::now();
        let cube = notebook::load_cube(dir.path()).unwrap();
        assert_eq!(cube.num_rows() as u64, lines);
        eprintln!("built the cube in {:.1?}", start.elapsed());
    }

    let (Some(before), Some(peak), true) = (before, peak, can_measure) else {
        eprintln!("peak memory not measured: /proc/self is not available");
        return;
    };
    let grown = peak.saturating_sub(before);
    eprintln!(
        "read {lines} facts from {} MB in {elapsed:.1?}; peak memory grew by {} MB",
        file_bytes / 1_000_000,
        grown / 1_000_000
    );
    // The facts take about 60 bytes a line in the batches, the file about 1,000; a few MB
    // more go to the read buffers and the threads.
    assert!(
        grown < file_bytes / 4,
        "peak memory grew by {grown} bytes loading a file of {file_bytes} bytes"
    );
}

#[test]
fn a_big_file_is_streamed() {
    read_big_room(50, false);
}

#[test]
#[ignore = "writes and parses gigabytes: run in release, FLOWCUBE_BIG_FILE_MB sets the size"]
fn a_multi_gigabyte_file_is_streamed() {
    let megabytes = std::env::var("FLOWCUBE_BIG_FILE_MB")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(4096);
    read_big_room(megabytes, true);
}
