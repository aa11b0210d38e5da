//! Big room files are streamed: reading one holds its facts, not the file, and loading one
//! holds the table, not the parsed batches.
//!
//! These tests count the bytes allocated through this test binary's global allocator, so
//! they run in their own binary and one at a time.
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

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use flowcube_core::cube::AGGREGATE_MIN_FACTS_PER_ROW;
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

/// The global allocator of this test binary: the system's, counting the bytes held and
/// their peak, so that the tests measure what the load allocates, whatever the system
/// allocator keeps or returns.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(bytes: usize) {
        let held = HELD.fetch_add(bytes, Ordering::Relaxed) + bytes;
        PEAK.fetch_max(held, Ordering::Relaxed);
    }

    fn shrank(bytes: usize) {
        HELD.fetch_sub(bytes, Ordering::Relaxed);
    }
}

// A global allocator can only be written with unsafe code; this one adds bookkeeping
// around the system allocator and nothing else.
#[allow(unsafe_code)]
// SAFETY: every call is passed to the system allocator with the caller's arguments, so
// the system allocator's guarantees hold; the counters do not touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in alloc.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's pointer and layout, allocated by System through this type.
        unsafe { System.dealloc(ptr, layout) };
        Counting::shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's arguments, as GlobalAlloc::realloc requires.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            Counting::grew(new_size);
            Counting::shrank(layout.size());
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Held by each test while it measures, so that the two never run side by side.
static MEASURING: Mutex<()> = Mutex::new(());

/// Resets the peak to the bytes held now, and returns them.
fn reset_peak() -> usize {
    let held = HELD.load(Ordering::Relaxed);
    PEAK.store(held, Ordering::Relaxed);
    held
}

/// How much the peak grew above `before`, taken by [`reset_peak`].
fn peak_growth(before: usize) -> u64 {
    PEAK.load(Ordering::Relaxed).saturating_sub(before) as u64
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
    let grown = peak_growth(before);
    eprintln!(
        "read {lines} facts from {} MB in {elapsed:.1?}; allocations peaked {} MB",
        file_bytes / 1_000_000,
        grown / 1_000_000
    );
    // The facts take about 60 bytes a line in the batches, the file about 1,000; a few MB
    // more go to the read buffers.
    assert!(
        grown < file_bytes / 4,
        "allocations peaked {grown} bytes reading a file of {file_bytes} bytes"
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
    let grown = peak_growth(before);
    eprintln!(
        "loaded {lines} facts from {} MB in {elapsed:.1?}: table {} MB, allocations peaked {} MB",
        file_bytes / 1_000_000,
        table_bytes / 1_000_000,
        grown / 1_000_000,
    );
    // Beyond the table: the rows being joined to it; on each thread one batch of
    // BATCH_ROWS facts being read (about 100 bytes a fact with its buffers); and the
    // notebook's aggregate table, which may keep one row per AGGREGATE_MIN_FACTS_PER_ROW
    // facts (about 160 bytes a row while it is built). These lines have 65,536 devices,
    // each in a few hours only, so the aggregate is about that large.
    let in_flight = rayon::current_num_threads() as u64 * BATCH_ROWS as u64 * 100;
    let aggregate = lines / AGGREGATE_MIN_FACTS_PER_ROW as u64 * 160;
    let bound = table_bytes * 2 + in_flight + aggregate + (16 << 20);
    assert!(
        grown < bound,
        "allocations peaked {grown} bytes loading a table of {table_bytes} bytes (bound {bound})"
    );
}
