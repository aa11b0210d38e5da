//! Loading the room CSV files of an office network-flow capture into Arrow.
//!
//! A capture is a folder with one CSV file per room gateway: every `*.csv` file directly in
//! the folder is a room, and the room's name is the file stem (`bullpen.csv` is the room
//! `bullpen`). Each file starts with the header `EventKey,EventTime,MacAddress,EventDuration`
//! (in any order, extra columns ignored) and holds one flow fact per line. The facts become
//! record batches with the schema of [`flow_schema`]:
//!
//! | field | Arrow type | nullable | from |
//! |---|---|---|---|
//! | `Room` | `Utf8` | no | file stem |
//! | `FlowId` | `Utf8` | no | `EventKey`, as written (an empty key stays empty) |
//! | `EventTime` | `Timestamp(Nanosecond, None)` | no | `EventTime`, naive local time |
//! | `MacAddress` | `Utf8` | no | `MacAddress` as written; an empty field becomes `N/A` |
//! | `EventDuration` | `Int64` | yes | `EventDuration` in seconds; an empty field is null |
//!
//! Loading is strict by default: the first line that cannot be read exactly fails the whole
//! load with a [`LoadError`] that names the file, the line as a text editor numbers it, the
//! column, the value as written and what was expected, so that a person can fix the file.
//! Nothing is guessed: `NA` or `null` are ordinary MAC addresses and errors as durations, and
//! a timestamp is never rounded. A lenient load ([`LoadOptions::lenient`],
//! [`read_room_folder_with`]) rather leaves such lines out and lists each of them, with the
//! same file, line, column, value and reason, in a [`LoadReport`]; a problem of a whole file
//! (no header, a missing header column) still fails it.
//!
//! What the reader accepts, beyond one plain line per fact:
//! - CSV as RFC 4180 writes it: a UTF-8 byte-order mark, CRLF or LF line ends, quoted fields
//!   (with commas, doubled quotes or line breaks inside), no newline after the last line.
//! - Blank lines anywhere (before the header, between facts, at the end) are skipped. A line
//!   holding only spaces is not blank: it is a line with one field, so a field-count error.
//! - Timestamps `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, with an optional fraction of a
//!   second of 1 to 9 digits that is kept to the nanosecond. The date and time must exist in
//!   the proleptic Gregorian calendar, with seconds 00–59 (no leap second), and lie in the
//!   range of a 64-bit nanosecond timestamp (1677-09-21 to 2262-04-11).
//! - Durations: an optional sign and decimal digits that fit in a signed 64-bit integer.
//! - Columns beyond the four required ones are ignored, though their fields must still be
//!   UTF-8 like the rest of the file.
//!
//! A Parquet file of flow facts ([`read_flow_parquet`]) is checked by the same rules: its
//! columns are found by the same names, its text values are parsed by the same parsers, and
//! its nulls stand for empty fields; its errors and rejected rows give the 1-based row
//! number in place of the line.
//!
//! In a folder, only file names ending exactly in `.csv` are rooms; names starting with `.`
//! (hidden files such as editor backups) are skipped, so is anything that is not a file.
//! Line numbers count `\n` line ends, as editors do for LF and CRLF files; a file using lone
//! `\r` line ends (classic Mac OS) is read correctly but its errors all report line 1.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use arrow::array::{
    ArrayRef, Int64Builder, StringArray, StringBuilder, TimestampNanosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use csv::ByteRecord;
use rayon::prelude::*;

mod parquet;
mod report;

pub use parquet::read_flow_parquet;
pub use report::{FileReport, LoadOptions, LoadReport, ReadProgress, RejectedRow};

/// Rows per record batch, at most.
///
/// A file with more facts is returned as several batches; a batch can also be cut shorter
/// when its text columns approach the 2 GiB that 32-bit Arrow offsets can address.
pub const BATCH_ROWS: usize = 1 << 20;

/// Rows reserved for a file's first batch; it grows from there if the file has more.
const FIRST_BATCH_RESERVE: usize = 1 << 13;

/// Result of the loading functions.
pub type Result<T, E = LoadError> = std::result::Result<T, E>;

/// The columns a room file must have, as the messages list them.
const EXPECTED_COLUMNS: &str = "EventKey, EventTime, MacAddress, EventDuration";

/// What a timestamp field must look like.
const EXPECTED_TIMESTAMP: &str = "a timestamp YYYY-MM-DD HH:MM:SS[.fffffffff]";
/// What a well-formed timestamp must also be.
const EXPECTED_REAL_TIME: &str =
    "a date and time that exist (month 01-12, day within the month, hour 00-23, minute and second 00-59)";
/// The span of a 64-bit nanosecond timestamp.
const EXPECTED_TIME_RANGE: &str =
    "a timestamp between 1677-09-21 00:12:43.145224192 and 2262-04-11 23:47:16.854775807";
/// What a duration field must look like.
const EXPECTED_DURATION: &str = "an integer number of seconds that fits in 64 bits";
/// What every field must be.
const EXPECTED_UTF8: &str = "UTF-8 text";
/// The most a text value of one batch may hold, so that 32-bit offsets never overflow.
const EXPECTED_TEXT_SIZE: &str = "a text shorter than 2 GiB";

/// The member that stands for an empty MacAddress field.
const MISSING_MAC: &str = "N/A";

/// Longest value, in characters, that an error message repeats.
const SHOWN_VALUE_CHARS: usize = 80;

/// Bytes that 32-bit Arrow offsets can address in one text column of one batch.
const MAX_TEXT_BYTES: usize = i32::MAX as usize;

/// Read buffer of the CSV reader: larger than csv's 8 KiB default, so that the parser's
/// per-refill overhead disappears, yet small enough to keep many files open in parallel.
const READ_BUFFER: usize = 256 * 1024;

/// How many rows are read between two looks at whether another file has failed.
const STOP_CHECK_ROWS: usize = 1 << 16;

/// Files with more bytes of rows than this are read in spans, one per worker thread, when
/// they hold no quote: most of an office's facts come from one file, the bullpen's.
const SPAN_MIN_BYTES: u64 = 16 << 20;

/// How far past a span's planned start its first `\n` is looked for.
const SPAN_SEARCH_BYTES: usize = 64 * 1024;

/// The UTF-8 byte-order mark, which csv drops at the start of its input.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Why a room file or folder cannot be loaded.
///
/// Every variant names the file or folder; those about a line also carry the line number as
/// a text editor shows it (1-based, counting the physical lines that quoted fields span).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The folder to load does not exist.
    #[error("folder {} does not exist", path.display())]
    MissingFolder {
        /// The folder as given.
        path: PathBuf,
    },
    /// The path to load exists but is not a folder.
    #[error("{} is not a folder", path.display())]
    NotAFolder {
        /// The path as given.
        path: PathBuf,
    },
    /// The folder holds no room file.
    #[error("folder {} holds no room file (*.csv)", path.display())]
    NoRoomFiles {
        /// The folder as given.
        path: PathBuf,
    },
    /// A room file's name cannot be a room name.
    #[error("{}: {reason}", path.display())]
    BadRoomName {
        /// The file.
        path: PathBuf,
        /// What is wrong with the name.
        reason: &'static str,
    },
    /// The operating system could not list, read or write a file or folder (a room file,
    /// the folder, or the file of rejected rows).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file has no header line (it is empty or holds only blank lines).
    #[error("{}: empty file: expected a header line with the columns {EXPECTED_COLUMNS}", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// The header lacks required columns (a missing or misspelled name).
    #[error(
        "{}: header {found:?} lacks the column(s) {missing}{hint}; expected the columns {EXPECTED_COLUMNS} in any order",
        path.display()
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The header line as found.
        found: String,
        /// The required columns it lacks, comma-separated.
        missing: String,
        /// Names of the header that are a missing column but for spaces or case, as
        /// ` (found "...": ...)`, or empty.
        hint: String,
    },
    /// The header names a required column more than once, so its values are ambiguous.
    #[error("{}: header {found:?} has the column {column} more than once", path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The header line as found.
        found: String,
        /// The repeated column.
        column: String,
    },
    /// A line has more or fewer fields than the header.
    #[error("{}:{line}: {found} field(s) where the header has {expected}", path.display())]
    FieldCount {
        /// The file.
        path: PathBuf,
        /// The line on which the faulty record starts.
        line: u64,
        /// Fields found on the line.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A field does not hold what its column requires.
    #[error("{}:{line}: column {column}: {value:?} is not {expected}", path.display())]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The line on which the faulty field starts.
        line: u64,
        /// The column, named as in the header.
        column: String,
        /// The value as written (invalid UTF-8 replaced by U+FFFD, cut after 80 characters).
        value: String,
        /// What the column requires.
        expected: &'static str,
    },
    /// The CSV reader failed in a way that is neither an I/O error nor a bad value.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The CSV reader's error.
        source: csv::Error,
    },
    /// A Parquet file cannot be read as Parquet (not Parquet, damaged, or an unsupported
    /// encoding).
    #[error("{}: cannot read as Parquet: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The Parquet reader's error.
        source: ::parquet::errors::ParquetError,
    },
    /// A column of a Parquet file has a type that cannot hold what its column requires.
    #[error("{}: column {column} has the type {found}; expected {expected}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column, named as in the file.
        column: String,
        /// The column's Arrow type, as Arrow writes it.
        found: String,
        /// The types the column may have.
        expected: &'static str,
    },
    /// Arrow refused the columns read from the file.
    #[error("{}: cannot build a record batch: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// Arrow's error.
        source: ArrowError,
    },
    /// The rows read could not be converted for the table they were read for (see
    /// [`read_room_folder_into`]).
    #[error("{}: the rows read do not fit the table: {source}", path.display())]
    Table {
        /// The file.
        path: PathBuf,
        /// The table's error.
        source: flowcube_core::Error,
    },
}

/// What a reader makes of each record batch as soon as it is cut (see
/// [`read_room_folder_into`]).
pub type Convert<'a, T> = dyn Fn(RecordBatch) -> flowcube_core::Result<T> + Sync + 'a;

/// The conversion that keeps record batches as they are.
fn keep(batch: RecordBatch) -> flowcube_core::Result<RecordBatch> {
    Ok(batch)
}

/// The schema of the flow fact table: `Room`, `FlowId`, `EventTime`, `MacAddress`,
/// `EventDuration` (see the module documentation for each column's meaning).
pub fn flow_schema() -> SchemaRef {
    // Built once: every batch of every file shares the same `Arc`.
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("Room", DataType::Utf8, false),
                Field::new("FlowId", DataType::Utf8, false),
                Field::new(
                    "EventTime",
                    DataType::Timestamp(TimeUnit::Nanosecond, None),
                    false,
                ),
                Field::new("MacAddress", DataType::Utf8, false),
                Field::new("EventDuration", DataType::Int64, true),
            ]))
        })
        .clone()
}

/// Reads one room file. `room` is the Room value for all its rows.
///
/// Returns the facts in file order, in batches of at most [`BATCH_ROWS`] rows with the schema
/// of [`flow_schema`]; a file with a header and no facts gives no batch. The file is streamed:
/// beyond the batches returned, only a read buffer and one line are held in memory.
///
/// # Errors
///
/// [`LoadError::Io`] if the file cannot be opened or read, [`LoadError::EmptyFile`] if it has
/// no header, [`LoadError::MissingColumns`] or [`LoadError::DuplicateColumn`] for a faulty
/// header, [`LoadError::FieldCount`] for a line with a wrong number of fields and
/// [`LoadError::BadValue`] for the first field that does not fit its column (including bytes
/// that are not UTF-8).
pub fn read_room_file(path: &Path, room: &str) -> Result<Vec<RecordBatch>> {
    read_room_file_with(path, room, &LoadOptions::strict()).map(|(batches, _)| batches)
}

/// Reads one room file as `options` ask: like [`read_room_file`], but in lenient mode a bad
/// row is left out and listed in the report rather than failing the read.
///
/// The report has the one file. When `options.rejects` is set, the rejected rows are written
/// there once the file has been read.
///
/// # Errors
///
/// Those of [`read_room_file`]; in lenient mode only those about the whole file
/// ([`LoadError::Io`], [`LoadError::EmptyFile`], [`LoadError::MissingColumns`],
/// [`LoadError::DuplicateColumn`], a header that is not UTF-8), and [`LoadError::Io`] naming
/// the rejects file if it cannot be written.
pub fn read_room_file_with(
    path: &Path,
    room: &str,
    options: &LoadOptions,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let read = RoomFileReader::new(path, room, BATCH_ROWS, options.strict, &keep)
        .reporting(options.progress.as_ref())
        .read(None)?;
    // Without a stop signal the reader always runs to the end.
    let (batches, file) = read.unwrap_or_else(|| (Vec::new(), FileReport::empty(room, path)));
    let report = LoadReport { files: vec![file] };
    report.write_rejects_as_asked(options)?;
    Ok((batches, report))
}

/// Lists the room files of a folder: (room name, path), sorted by name.
///
/// A room file is a file (or a link to one) directly in `dir` whose name ends in `.csv`; its
/// room name is the name without that ending. Names starting with `.` are hidden files, not
/// rooms, and are skipped. A folder named `*.csv` and a file named `*.CSV` (or another case)
/// are skipped with a warning in the log. Names compare by code point, so the order never
/// depends on the platform or locale.
///
/// # Errors
///
/// [`LoadError::MissingFolder`] if `dir` does not exist, [`LoadError::NotAFolder`] if it is not
/// a folder, [`LoadError::NoRoomFiles`] if it holds no room file, [`LoadError::BadRoomName`]
/// for a `.csv` file whose name is not UTF-8, and [`LoadError::Io`] if listing fails.
pub fn room_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let io_error = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(LoadError::NotAFolder {
                path: dir.to_path_buf(),
            })
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Err(LoadError::MissingFolder {
                path: dir.to_path_buf(),
            })
        }
        Err(err) => return Err(io_error(err)),
    }
    let mut rooms = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let path = entry.path();
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            // A non-UTF-8 name can still be a room file; only then is it worth an error,
            // since the room could not be named.
            if file_name.to_string_lossy().ends_with(".csv") {
                return Err(LoadError::BadRoomName {
                    path,
                    reason: "the file name is not UTF-8, so it cannot name a room",
                });
            }
            continue;
        };
        let Some(stem) = name.strip_suffix(".csv") else {
            if name.to_ascii_lowercase().ends_with(".csv") && !name.starts_with('.') {
                // Most likely a room whose extension is spelled `.CSV`: say it is left out.
                tracing::warn!(path = %path.display(), "skipped: only names ending in .csv are room files");
            }
            continue;
        };
        if stem.is_empty() || name.starts_with('.') {
            continue;
        }
        // `fs::metadata` follows links, so a link to a CSV file is a room too.
        let is_file = fs::metadata(&path)
            .map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?
            .is_file();
        if is_file {
            rooms.push((stem.to_owned(), path));
        } else {
            tracing::warn!(path = %path.display(), "skipped: not a file");
        }
    }
    if rooms.is_empty() {
        return Err(LoadError::NoRoomFiles {
            path: dir.to_path_buf(),
        });
    }
    rooms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(rooms)
}

/// Reads every room file of the folder (in parallel with rayon across files), in room-name
/// order.
///
/// The batches of each room follow those of the rooms before it in [`room_files`] order, so
/// the result never depends on the number of threads. The first bad row fails the whole read
/// (strict): when several files are bad, the error is the one of the first bad file in room
/// order, and reading stops early in the files after it.
///
/// # Errors
///
/// Any error of [`room_files`] for the folder, then the first error of [`read_room_file`] in
/// room order.
pub fn read_room_folder(dir: &Path) -> Result<Vec<RecordBatch>> {
    read_room_folder_with(dir, &LoadOptions::strict()).map(|(batches, _)| batches)
}

/// Reads every room file of the folder as `options` ask: like [`read_room_folder`], but in
/// lenient mode bad rows are left out and listed in the report rather than failing the read.
///
/// The report lists the files in room order with the facts loaded and the rows rejected
/// from each. When `options.rejects` is set, the rejected rows are written there once every
/// file has been read; nothing is written when the read fails.
///
/// # Errors
///
/// Those of [`read_room_folder`]; in lenient mode only those about a whole file (see
/// [`read_room_file_with`]), and [`LoadError::Io`] naming the rejects file if it cannot be
/// written.
pub fn read_room_folder_with(
    dir: &Path,
    options: &LoadOptions,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    read_room_folder_into(dir, options, &keep)
}

/// Reads every room file of the folder as [`read_room_folder_with`] does, handing each
/// record batch to `convert` as soon as it is cut and keeping only what `convert` returns,
/// in row order.
///
/// A loader that converts the batches into a table's rows ([`flowcube_core::Cube::stage`])
/// holds those rows and one batch per worker thread, rather than every batch of the
/// folder: the memory of a load is bounded by the table, not by the files.
///
/// # Errors
///
/// Those of [`read_room_folder_with`], and [`LoadError::Table`] when `convert` fails.
pub fn read_room_folder_into<T: Send>(
    dir: &Path,
    options: &LoadOptions,
    convert: &Convert<'_, T>,
) -> Result<(Vec<T>, LoadReport)> {
    let rooms = room_files(dir)?;
    let first_failed = AtomicUsize::new(usize::MAX);
    let results: Vec<Result<Option<FileRead<T>>>> = rooms
        .par_iter()
        .enumerate()
        .map(|(index, (room, path))| {
            let stop = Stop {
                first_failed: &first_failed,
                index,
            };
            let reader = RoomFileReader::new(path, room, BATCH_ROWS, options.strict, convert)
                .reporting(options.progress.as_ref());
            let result = reader.read(Some(&stop));
            if result.is_err() {
                first_failed.fetch_min(index, Ordering::Relaxed);
            }
            result
        })
        .collect();
    let mut batches = Vec::new();
    let mut report = LoadReport::default();
    for result in results {
        // A file stops early only after an earlier file failed, and that earlier error is
        // returned here before the stopped file is reached.
        if let Some((room_batches, file)) = result? {
            batches.extend(room_batches);
            report.files.push(file);
        }
    }
    report.write_rejects_as_asked(options)?;
    Ok((batches, report))
}

/// The converted batches of one file and its report.
type FileRead<T> = (Vec<T>, FileReport);

/// Tells a file reader of a folder that an earlier file (in room order) has failed, so that
/// its own rows can no longer matter.
struct Stop<'a> {
    /// Index of the first file known to have failed, `usize::MAX` while none has.
    first_failed: &'a AtomicUsize,
    /// Index of the file being read.
    index: usize,
}

impl Stop<'_> {
    /// Whether a file before this one has failed.
    fn requested(&self) -> bool {
        self.first_failed.load(Ordering::Relaxed) < self.index
    }
}

/// What a column of a room file feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// `EventKey` → `FlowId`.
    Key,
    /// `EventTime`.
    Time,
    /// `MacAddress`.
    Mac,
    /// `EventDuration`.
    Duration,
    /// Any other column: read, checked to be UTF-8, dropped.
    Extra,
}

/// The required columns of a room file, each with the names it may have, in the order that
/// messages list them.
const REQUIRED: [(&[&str], Role); 4] = [
    (&["EventKey"], Role::Key),
    (&["EventTime"], Role::Time),
    (&["MacAddress"], Role::Mac),
    (&["EventDuration"], Role::Duration),
];

/// Tells the role of each of the columns `names` of the file at `path`: each of `required`
/// must be found once, under one of its names; the other columns are [`Role::Extra`].
///
/// # Errors
///
/// [`LoadError::MissingColumns`] listing the required columns not found (by their first
/// name), or [`LoadError::DuplicateColumn`] for one found more than once.
fn column_roles(path: &Path, names: &[String], required: &[(&[&str], Role)]) -> Result<Vec<Role>> {
    let found = names.join(",");
    let mut roles = vec![Role::Extra; names.len()];
    let mut missing = Vec::new();
    for &(accepted, role) in required {
        let mut at = names
            .iter()
            .enumerate()
            .filter(|(_, name)| accepted.contains(&name.as_str()));
        match (at.next(), at.next()) {
            (Some((index, _)), None) => roles[index] = role,
            (None, _) => missing.push(accepted[0]),
            (Some(_), Some(_)) => {
                return Err(LoadError::DuplicateColumn {
                    path: path.to_path_buf(),
                    found,
                    column: accepted.join(" or "),
                })
            }
        }
    }
    if !missing.is_empty() {
        return Err(LoadError::MissingColumns {
            path: path.to_path_buf(),
            found,
            hint: near_misses(names, &missing),
            missing: missing.join(", "),
        });
    }
    Ok(roles)
}

/// Names of a header that would be one of the `missing` columns but for surrounding
/// spaces or letter case, said as a hint for the message of [`LoadError::MissingColumns`].
fn near_misses(names: &[String], missing: &[&str]) -> String {
    let hints: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let column = missing
                .iter()
                .find(|column| name.trim().eq_ignore_ascii_case(column))?;
            let why = if name.trim() != name.as_str() {
                "spaces around a name are part of it"
            } else {
                "names are case-sensitive"
            };
            Some(format!("{name:?} for {column}: {why}"))
        })
        .collect();
    if !hints.is_empty() {
        return format!(" (found {})", hints.join("; "));
    }
    // One field holding every name: another separator than the comma.
    match names {
        [only] => [';', '\t', '|']
            .into_iter()
            .find(|&separator| only.contains(separator))
            .map(|separator| {
                format!(" (the header is one field holding {separator:?}: fields are separated by commas)")
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Reads one room file into record batches, each converted as soon as it is cut.
struct RoomFileReader<'a, T> {
    /// The file.
    path: &'a Path,
    /// The Room value of every row.
    room: &'a str,
    /// Rows per batch at most.
    batch_rows: usize,
    /// Whether a bad row fails the read (else it is rejected).
    strict: bool,
    /// Column names of the header, for messages.
    names: Vec<String>,
    /// Rows rejected so far (lenient mode).
    rejected: Vec<RejectedRow>,
    /// Where the last line number was found, to find the next one from there.
    lines: LineCounter,
    /// Files with more bytes of rows than this are read in parallel spans.
    span_min_bytes: u64,
    /// What each batch becomes.
    convert: &'a Convert<'a, T>,
    /// Told of the bytes read.
    progress: Option<&'a ReadProgress>,
}

impl<'a, T: Send> RoomFileReader<'a, T> {
    /// A reader of `path` for `room`, cutting batches at `batch_rows` rows and turning
    /// each with `convert`; a bad row fails the read if `strict`, else it is rejected.
    fn new(
        path: &'a Path,
        room: &'a str,
        batch_rows: usize,
        strict: bool,
        convert: &'a Convert<'a, T>,
    ) -> Self {
        // The Room column repeats the name in every row of a batch: keep that under the
        // 2 GiB that its 32-bit offsets address.
        let room_rows = MAX_TEXT_BYTES / room.len().max(1);
        Self {
            path,
            room,
            batch_rows: batch_rows.min(room_rows).max(1),
            strict,
            names: Vec::new(),
            rejected: Vec::new(),
            lines: LineCounter::default(),
            span_min_bytes: SPAN_MIN_BYTES,
            convert,
            progress: None,
        }
    }

    /// The same reader, telling `progress` of the bytes it reads.
    fn reporting(mut self, progress: Option<&'a ReadProgress>) -> Self {
        self.progress = progress;
        self
    }

    /// A reader of the same file for one span of its rows, with the header already read.
    fn for_span(&self) -> Self {
        Self {
            names: self.names.clone(),
            rejected: Vec::new(),
            lines: LineCounter::default(),
            ..*self
        }
    }

    /// Reads the file into batches and its report; `None` if `stop` asked to stop before
    /// the end.
    fn read(mut self, stop: Option<&Stop<'_>>) -> Result<Option<FileRead<T>>> {
        if self.room.len() > MAX_TEXT_BYTES {
            return Err(LoadError::BadRoomName {
                path: self.path.to_path_buf(),
                reason: "the room name is longer than 2 GiB",
            });
        }
        let file = File::open(self.path).map_err(|source| self.io_error(source))?;
        let file_len = file.metadata().map_or(0, |meta| meta.len());
        // `csv::Reader` buffers the file itself; it also drops a UTF-8 byte-order mark at the
        // start and skips empty lines, CRLF or LF.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(READ_BUFFER)
            .from_reader(file);
        let header = reader
            .byte_headers()
            .map_err(|err| self.csv_error(err))?
            .clone();
        let roles = self.read_header(&header, reader.position().byte())?;

        let rows_start = reader.position().byte();
        let spans = self
            .spans(rows_start, file_len)
            .map_err(|source| self.io_error(source))?;
        let read = match self.read_spans(&spans, &roles, stop)? {
            Some(read) => read,
            None => self.read_records(&mut reader, 0, file_len, &roles, stop)?,
        };
        Ok(read.map(|(batches, rows)| {
            let report = FileReport {
                room: self.room.to_owned(),
                path: self.path.to_path_buf(),
                rows,
                rejected: self.rejected,
            };
            (batches, report)
        }))
    }

    /// Cuts the rows of the file, from byte `start` to `len`, into spans to read in
    /// parallel, one per worker thread, each starting just after a `\n`; one span when the
    /// file is small or its lines too long to find a cut.
    ///
    /// A `\n` ends a row unless it is inside a quoted field: the spans are only right for a
    /// file without quotes, which [`RoomFileReader::read_spans`] checks as it reads.
    fn spans(&self, start: u64, len: u64) -> io::Result<Vec<(u64, u64)>> {
        let rows_bytes = len.saturating_sub(start);
        let parts = rayon::current_num_threads()
            .min(usize::try_from(rows_bytes / self.span_min_bytes.max(1)).unwrap_or(usize::MAX));
        let mut cuts = vec![start];
        if parts >= 2 {
            let mut file = File::open(self.path)?;
            let mut buffer = vec![0; SPAN_SEARCH_BYTES];
            for part in 1..parts as u64 {
                let target = start + rows_bytes / parts as u64 * part;
                file.seek(SeekFrom::Start(target))?;
                let n = read_up_to(&mut file, &mut buffer)?;
                let Some(at) = memchr::memchr(b'\n', &buffer[..n]) else {
                    break;
                };
                let cut = target + at as u64 + 1;
                // csv would drop a byte-order mark at the start of a span, not elsewhere.
                if cut >= len || buffer[at + 1..n].starts_with(BYTE_ORDER_MARK) {
                    break;
                }
                if cut > *cuts.last().expect("the first cut") {
                    cuts.push(cut);
                }
            }
        }
        cuts.push(len);
        Ok(cuts.windows(2).map(|w| (w[0], w[1])).collect())
    }

    /// Reads the rows of a big file as spans in parallel, joined in file order: the same
    /// batches' rows, errors and rejected rows as one reader would give. `Ok(None)` when
    /// there is one span, or when a span held a quote, so that the spans may have cut a
    /// quoted field and the file must be read from one end to the other.
    #[allow(clippy::type_complexity)] // Result of (quoted?) of (stopped?) of the rows
    fn read_spans(
        &mut self,
        spans: &[(u64, u64)],
        roles: &[Role],
        stop: Option<&Stop<'_>>,
    ) -> Result<Option<Option<(Vec<T>, u64)>>> {
        if spans.len() < 2 {
            return Ok(None);
        }
        let this = &*self;
        let reads: Vec<(Result<Option<(Vec<T>, u64)>>, bool, Vec<RejectedRow>)> = spans
            .par_iter()
            .map(|&(start, end)| {
                let mut part = this.for_span();
                let read = File::open(this.path)
                    .and_then(|mut file| file.seek(SeekFrom::Start(start)).map(|_| file))
                    .map_err(|source| this.io_error(source));
                let mut reader = match read {
                    Ok(file) => csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .buffer_capacity(READ_BUFFER)
                        .from_reader(QuoteWatch::new(file.take(end - start))),
                    Err(error) => return (Err(error), false, Vec::new()),
                };
                let read = part.read_records(&mut reader, start, end - start, roles, stop);
                (read, reader.get_ref().seen, part.rejected)
            })
            .collect();
        let mut batches = Vec::new();
        let mut rows = 0;
        // Every span before the current one was read to its end without a quote, so the
        // current one starts on a row: its error is the file's first.
        for (read, quoted, rejected) in reads {
            if quoted {
                self.rejected.clear();
                return Ok(None);
            }
            match read? {
                Some((span_batches, span_rows)) => {
                    batches.extend(span_batches);
                    rows += span_rows;
                    self.rejected.extend(rejected);
                }
                None => return Ok(Some(None)),
            }
        }
        Ok(Some(Some((batches, rows))))
    }

    /// Reads the rows of `reader` into batches; `None` if `stop` asked to stop before the
    /// end. The reader starts at byte `base` of the file and has `len` bytes to read.
    fn read_records<R: Read>(
        &mut self,
        reader: &mut csv::Reader<R>,
        base: u64,
        len: u64,
        roles: &[Role],
        stop: Option<&Stop<'_>>,
    ) -> Result<Option<(Vec<T>, u64)>> {
        let columns = roles.len();
        let mut batches = Vec::new();
        let mut rows = 0u64;
        let mut estimate = SizeEstimate::new(len);
        let mut batch = BatchBuilder::with_estimate(&estimate, self.batch_rows);
        let mut record = ByteRecord::with_capacity(256, columns);
        // Bytes of this reader told to `self.progress` so far.
        let mut reported = 0;
        'rows: while reader
            .read_byte_record(&mut record)
            .map_err(|err| self.csv_error(err))?
        {
            if record.len() != columns {
                let end = base + reader.position().byte();
                let error = self.field_count_error(&record, end, columns);
                self.reject(error, &record)?;
                continue;
            }
            let mut key = "";
            let mut time = 0;
            let mut mac = "";
            let mut duration = None;
            // Fields are checked in line order, so the error is the leftmost bad field.
            for (index, (field, role)) in record.iter().zip(roles).enumerate() {
                let checked = match role {
                    Role::Key => text(field).map(|value| key = value),
                    Role::Time => parse_timestamp(field).map(|value| time = value),
                    Role::Mac => text(field).map(|value| mac = value),
                    Role::Duration => parse_duration(field).map(|value| duration = value),
                    Role::Extra => text(field).map(|_| ()),
                };
                if let Err(expected) = checked {
                    let end = base + reader.position().byte();
                    let error = self.bad_value_error(&record, end, index, expected);
                    self.reject(error, &record)?;
                    continue 'rows;
                }
            }
            if mac.is_empty() {
                mac = MISSING_MAC;
            }
            if !batch.has_room_for(key, mac) {
                if batch.rows == 0 {
                    // Not even an empty batch can take this value.
                    let index = if key.len() >= MAX_TEXT_BYTES {
                        roles.iter().position(|role| *role == Role::Key)
                    } else {
                        roles.iter().position(|role| *role == Role::Mac)
                    };
                    let end = base + reader.position().byte();
                    let error =
                        self.bad_value_error(&record, end, index.unwrap_or(0), EXPECTED_TEXT_SIZE);
                    self.reject(error, &record)?;
                    continue;
                }
                let read = reader.position().byte();
                batches.push(self.cut(&mut batch, &mut estimate, read)?);
            }
            batch.push(key, time, mac, duration);
            rows += 1;
            if batch.rows == self.batch_rows {
                let read = reader.position().byte();
                batches.push(self.cut(&mut batch, &mut estimate, read)?);
            }
            if batch.rows % STOP_CHECK_ROWS == 0 {
                if stop.is_some_and(Stop::requested) {
                    return Ok(None);
                }
                self.report_progress(reader.position().byte(), &mut reported);
            }
        }
        if batch.rows > 0 {
            batches.push(self.finish(batch)?);
        }
        self.report_progress(len, &mut reported);
        Ok(Some((batches, rows)))
    }

    /// Tells the progress function of the bytes read up to `read`, beyond the `reported`
    /// ones.
    fn report_progress(&self, read: u64, reported: &mut u64) {
        if let Some(progress) = self.progress {
            progress.read(read.saturating_sub(*reported));
            *reported = (*reported).max(read);
        }
    }

    /// Fails the read with `error` in strict mode; in lenient mode rejects the row
    /// `record` with what `error` says about it, unless the error is about the whole file.
    fn reject(&mut self, error: LoadError, record: &ByteRecord) -> Result<()> {
        if self.strict {
            return Err(error);
        }
        // TODO: every rejected row is held in memory until the end of the load; a file of
        // millions of bad rows would rather stream them to the rejects file.
        let row = record.iter().collect::<Vec<_>>().join(&b","[..]);
        self.rejected
            .push(RejectedRow::from_error(error, &shown(&row))?);
        Ok(())
    }

    /// Checks the header and tells each column's role. `end` is the byte offset just past it.
    fn read_header(&mut self, header: &ByteRecord, end: u64) -> Result<Vec<Role>> {
        if header.is_empty() {
            return Err(LoadError::EmptyFile {
                path: self.path.to_path_buf(),
            });
        }
        let mut names = Vec::with_capacity(header.len());
        for (index, field) in header.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(name) => names.push(name.to_owned()),
                Err(_) => {
                    let line = self.field_line(header, end, index);
                    return Err(LoadError::BadValue {
                        path: self.path.to_path_buf(),
                        line,
                        column: format!("#{} of the header", index + 1),
                        value: shown(field),
                        expected: EXPECTED_UTF8,
                    });
                }
            }
        }
        let roles = column_roles(self.path, &names, &REQUIRED)?;
        self.names = names;
        Ok(roles)
    }

    /// Turns the full `batch` into a record batch and starts the next one in its place,
    /// sized from what the file has shown so far (`read` bytes of it).
    fn cut(&self, batch: &mut BatchBuilder, estimate: &mut SizeEstimate, read: u64) -> Result<T> {
        estimate.observe(batch, read);
        let next = BatchBuilder::with_estimate(estimate, self.batch_rows);
        self.finish(std::mem::replace(batch, next))
    }

    /// Turns `batch` into a record batch of this file's room, converted.
    fn finish(&self, batch: BatchBuilder) -> Result<T> {
        let batch = batch.finish(self.room).map_err(|source| LoadError::Arrow {
            path: self.path.to_path_buf(),
            source,
        })?;
        (self.convert)(batch).map_err(|source| LoadError::Table {
            path: self.path.to_path_buf(),
            source,
        })
    }

    /// The error for an I/O failure on this file.
    fn io_error(&self, source: io::Error) -> LoadError {
        LoadError::Io {
            path: self.path.to_path_buf(),
            source,
        }
    }

    /// The error for a failure of the CSV reader.
    #[cold]
    fn csv_error(&self, err: csv::Error) -> LoadError {
        if !err.is_io_error() {
            return LoadError::Csv {
                path: self.path.to_path_buf(),
                source: err,
            };
        }
        let source = match err.into_kind() {
            csv::ErrorKind::Io(source) => source,
            // Unreachable after `is_io_error`; the text is kept should csv ever disagree.
            other => io::Error::other(format!("{other:?}")),
        };
        self.io_error(source)
    }

    /// The error for a record whose field count differs from the header's.
    #[cold]
    #[inline(never)]
    fn field_count_error(&mut self, record: &ByteRecord, end: u64, expected: usize) -> LoadError {
        LoadError::FieldCount {
            path: self.path.to_path_buf(),
            line: self.field_line(record, end, 0),
            found: record.len(),
            expected,
        }
    }

    /// The error for field `index` of `record`, which is not what its column requires.
    #[cold]
    #[inline(never)]
    fn bad_value_error(
        &mut self,
        record: &ByteRecord,
        end: u64,
        index: usize,
        expected: &'static str,
    ) -> LoadError {
        let value = record.get(index).unwrap_or_default();
        // A value with bytes that are not UTF-8 fails any parser; say what is really wrong.
        let expected = if std::str::from_utf8(value).is_err() {
            EXPECTED_UTF8
        } else {
            expected
        };
        let line = self.field_line(record, end, index);
        LoadError::BadValue {
            path: self.path.to_path_buf(),
            line,
            column: self
                .names
                .get(index)
                .cloned()
                .unwrap_or_else(|| format!("#{}", index + 1)),
            value: shown(value),
            expected,
        }
    }

    /// The line on which field `index` of `record` starts, `end` being the byte offset just
    /// past the record.
    ///
    /// csv's `Position::line` is the line where the reader stood before the record, which
    /// is off after skipped blank lines and after CRLF line ends (csv stops after the `\r`
    /// and skips the `\n` as an empty line before the next record). The line is rather found
    /// from the end: count the `\n` bytes before `end` by reading the file again (this only
    /// runs on the way to an error or a rejected row, and goes on from the previous one),
    /// then step back over the line breaks that the field and the fields after it hold.
    fn field_line(&mut self, record: &ByteRecord, end: u64, index: usize) -> u64 {
        let breaks_after_start: u64 = record.iter().skip(index).map(count_newlines).sum();
        match self.lines.line_before(self.path, end) {
            Ok(last) => last.saturating_sub(breaks_after_start).max(1),
            // The file vanished since it was read: csv's own count is the best left.
            Err(_) => record.position().map_or(1, |position| position.line()),
        }
    }
}

/// Reads into `buffer` until it is full or the input ends; returns the bytes read.
fn read_up_to(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// A reader that notes whether any `"` went through it.
struct QuoteWatch<R> {
    input: R,
    /// Whether a `"` was read.
    seen: bool,
}

impl<R> QuoteWatch<R> {
    fn new(input: R) -> Self {
        Self { input, seen: false }
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buffer)?;
        self.seen = self.seen || memchr::memchr(b'"', &buffer[..n]).is_some();
        Ok(n)
    }
}

/// Counts the lines of a file up to a byte offset, going on from the offset of the previous
/// count: a lenient read with many rejected rows reads the file a second time once, not once
/// per rejected row.
#[derive(Default)]
struct LineCounter {
    /// The file, opened at the first count.
    file: Option<File>,
    /// Bytes counted so far.
    offset: u64,
    /// `\n` bytes among them.
    newlines: u64,
    /// The last of them.
    last: Option<u8>,
}

impl LineCounter {
    /// The 1-based line of the last byte before offset `end` of the file at `path`.
    fn line_before(&mut self, path: &Path, end: u64) -> io::Result<u64> {
        if end < self.offset {
            // Only ever asked in file order; start over should that change.
            *self = LineCounter::default();
        }
        let file = match &mut self.file {
            Some(file) => file,
            none => none.insert(File::open(path)?),
        };
        file.seek(SeekFrom::Start(self.offset))?;
        let mut input = BufReader::with_capacity(READ_BUFFER, file.take(end - self.offset));
        loop {
            let chunk = input.fill_buf()?;
            let Some(&byte) = chunk.last() else { break };
            self.newlines += count_newlines(chunk);
            self.last = Some(byte);
            self.offset += chunk.len() as u64;
            let len = chunk.len();
            input.consume(len);
        }
        // A record that ends with its `\n` (LF files) still lies on the line that `\n`
        // closes.
        Ok(1 + self.newlines - u64::from(self.last == Some(b'\n')))
    }
}

/// Number of `\n` bytes in `bytes`.
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().map(|&byte| u64::from(byte == b'\n')).sum()
}

/// A value for an error message: lossy UTF-8, cut after [`SHOWN_VALUE_CHARS`] characters.
fn shown(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    match text.char_indices().nth(SHOWN_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// A field as text, or what it should have been.
fn text(field: &[u8]) -> Result<&str, &'static str> {
    std::str::from_utf8(field).map_err(|_| EXPECTED_UTF8)
}

/// Parses an `EventDuration` field: empty is null, otherwise an optional sign and decimal
/// digits that fit in an `i64`.
fn parse_duration(field: &[u8]) -> Result<Option<i64>, &'static str> {
    let (negative, digits) = match field {
        [] => return Ok(None),
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, field),
    };
    if digits.is_empty() {
        return Err(EXPECTED_DURATION);
    }
    let mut magnitude: u64 = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return Err(EXPECTED_DURATION);
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(digit)))
            .ok_or(EXPECTED_DURATION)?;
    }
    // The magnitude is unsigned so that i64::MIN, whose magnitude i64 cannot hold, parses.
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    value.map(Some).ok_or(EXPECTED_DURATION)
}

/// Parses an `EventTime` field, `YYYY-MM-DD HH:MM:SS[.f]` (or with `T` for the space, and
/// 1 to 9 fraction digits), into nanoseconds since 1970-01-01 00:00:00 of the same naive
/// local clock.
///
/// The fixed layout is read by offset rather than through a format-string parser, which
/// would cost more than the rest of the row.
fn parse_timestamp(field: &[u8]) -> Result<i64, &'static str> {
    if field.len() < 19 || field[4] != b'-' || field[7] != b'-' {
        return Err(EXPECTED_TIMESTAMP);
    }
    if !matches!(field[10], b' ' | b'T') || field[13] != b':' || field[16] != b':' {
        return Err(EXPECTED_TIMESTAMP);
    }
    let year = digits(&field[0..4])?;
    let month = digits(&field[5..7])?;
    let day = digits(&field[8..10])?;
    let hour = digits(&field[11..13])?;
    let minute = digits(&field[14..16])?;
    let second = digits(&field[17..19])?;
    let nanos = match &field[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            // Scale by the missing digits: ".5" is 500 ms, kept exactly, never rounded.
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return Err(EXPECTED_TIMESTAMP),
    };
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(EXPECTED_REAL_TIME);
    }
    // At most 10^4 years of seconds: far inside an i64. The nanoseconds are summed in i128
    // because the last second before i64::MIN nanoseconds overflows before its fraction is
    // added, although the sum fits.
    let seconds =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    let nanos = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
    i64::try_from(nanos).map_err(|_| EXPECTED_TIME_RANGE)
}

/// The decimal number written by `bytes`, all ASCII digits (at most 9, so it fits a `u32`).
fn digits(bytes: &[u8]) -> Result<u32, &'static str> {
    bytes.iter().try_fold(0u32, |value, &byte| {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            Err(EXPECTED_TIMESTAMP)
        } else {
            Ok(value * 10 + u32::from(digit))
        }
    })
}

/// Days in `month` (1–12) of `year` in the proleptic Gregorian calendar.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given valid date of the proleptic Gregorian calendar.
///
/// Howard Hinnant's `days_from_civil`: years start in March so that the leap day ends them,
/// and 400-year eras repeat exactly.
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Sizes seen so far in a file, to size the builders of its next batch.
struct SizeEstimate {
    /// File size in bytes.
    file_len: u64,
    /// Bytes of the file read so far.
    read: u64,
    /// Rows read so far.
    rows: u64,
    /// Bytes of a row in the file.
    row_bytes: u64,
    /// Bytes of FlowId text per row.
    key_bytes: u64,
    /// Bytes of MacAddress text per row.
    mac_bytes: u64,
}

impl SizeEstimate {
    /// Guesses from the size of a typical line, before any row is read.
    fn new(file_len: u64) -> Self {
        Self {
            file_len,
            read: 0,
            rows: 0,
            // A typical line is 60-70 bytes, 28 of them the key and 17 the MAC address:
            // guessing a short line errs towards more rows, which only over-reserves a bit.
            row_bytes: 48,
            key_bytes: 28,
            mac_bytes: 17,
        }
    }

    /// Learns from a full batch, `read` being the bytes of the file read so far.
    fn observe(&mut self, batch: &BatchBuilder, read: u64) {
        let rows = batch.rows.max(1) as u64;
        self.rows += batch.rows as u64;
        self.read = read;
        self.row_bytes = (read / self.rows.max(1)).max(1);
        self.key_bytes = batch.key.values_slice().len() as u64 / rows;
        self.mac_bytes = batch.mac.values_slice().len() as u64 / rows;
    }

    /// Rows to reserve for the next batch, at most `batch_rows`: the rows expected, but
    /// no more than [`FIRST_BATCH_RESERVE`] before any row is read, since a guess from
    /// the file size alone would reserve for a million short lines in a file of long ones.
    fn rows(&self, batch_rows: usize) -> usize {
        let remaining = self.file_len.saturating_sub(self.read) / self.row_bytes + 1;
        let cap = if self.rows == 0 {
            batch_rows.min(FIRST_BATCH_RESERVE)
        } else {
            batch_rows
        };
        usize::try_from(remaining).map_or(cap, |rows| rows.min(cap))
    }
}

/// The columns of one batch being built.
struct BatchBuilder {
    /// Rows pushed.
    rows: usize,
    /// `FlowId`.
    key: StringBuilder,
    /// `EventTime`.
    time: TimestampNanosecondBuilder,
    /// `MacAddress`.
    mac: StringBuilder,
    /// `EventDuration`.
    duration: Int64Builder,
}

impl BatchBuilder {
    /// Builders reserved for the rows and text that `estimate` expects.
    fn with_estimate(estimate: &SizeEstimate, batch_rows: usize) -> Self {
        let rows = estimate.rows(batch_rows);
        let text = |per_row: u64| usize::try_from(per_row).unwrap_or(0).saturating_mul(rows);
        Self::with_capacity(rows, text(estimate.key_bytes), text(estimate.mac_bytes))
    }

    /// Builders reserved for `rows` rows holding `key_bytes` of FlowId and `mac_bytes` of
    /// MacAddress text (each capped at what one batch may hold).
    fn with_capacity(rows: usize, key_bytes: usize, mac_bytes: usize) -> Self {
        Self {
            rows: 0,
            key: StringBuilder::with_capacity(rows, key_bytes.min(MAX_TEXT_BYTES)),
            time: TimestampNanosecondBuilder::with_capacity(rows),
            mac: StringBuilder::with_capacity(rows, mac_bytes.min(MAX_TEXT_BYTES)),
            duration: Int64Builder::with_capacity(rows),
        }
    }

    /// Whether one more row with these texts keeps each text column under 2 GiB.
    fn has_room_for(&self, key: &str, mac: &str) -> bool {
        self.key.values_slice().len() + key.len() < MAX_TEXT_BYTES
            && self.mac.values_slice().len() + mac.len() < MAX_TEXT_BYTES
    }

    /// Appends one row.
    fn push(&mut self, key: &str, time: i64, mac: &str, duration: Option<i64>) {
        self.key.append_value(key);
        self.time.append_value(time);
        self.mac.append_value(mac);
        self.duration.append_option(duration);
        self.rows += 1;
    }

    /// The record batch of the rows pushed, all in `room`.
    fn finish(self, room: &str) -> std::result::Result<RecordBatch, ArrowError> {
        let rooms = StringArray::new_repeated(room, self.rows);
        self.finish_with_rooms(rooms)
    }

    /// The record batch of the rows pushed, with `rooms` (one per row) as the Room column.
    ///
    /// The builders were reserved for the rows expected, which overshoots on a file whose
    /// lines are longer than their facts (wide ignored columns) and on a file's last batch;
    /// the unused capacity is given back, since the cube keeps these buffers.
    fn finish_with_rooms(
        mut self,
        rooms: StringArray,
    ) -> std::result::Result<RecordBatch, ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(rooms),
            Arc::new(self.key.finish()),
            Arc::new(self.time.finish()),
            Arc::new(self.mac.finish()),
            Arc::new(self.duration.finish()),
        ];
        for column in &mut columns {
            // The arrays were just built: the `Arc`s are unique and shrink in place.
            if let Some(array) = Arc::get_mut(column) {
                array.shrink_to_fit();
            }
        }
        RecordBatch::try_new(flow_schema(), columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, Int64Array, TimestampNanosecondArray};
    use chrono::{Datelike, NaiveDate};
    use std::io::Write;
    use tempfile::TempDir;

    /// The five room files measured on the reference engine.
    const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/default");

    const HEADER: &str = "EventKey,EventTime,MacAddress,EventDuration\n";

    /// One row, as the tests compare them.
    #[derive(Debug, PartialEq, Eq)]
    struct Row {
        room: String,
        key: String,
        time: i64,
        mac: String,
        duration: Option<i64>,
    }

    fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        let path = dir.join(name);
        File::create(&path).unwrap().write_all(content).unwrap();
        path
    }

    fn rows(batches: &[RecordBatch]) -> Vec<Row> {
        let mut out = Vec::new();
        for batch in batches {
            assert_eq!(batch.schema(), flow_schema());
            let string = |i: usize| {
                batch
                    .column(i)
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .unwrap()
                    .clone()
            };
            let (room, key, mac) = (string(0), string(1), string(3));
            let time = batch
                .column(2)
                .as_any()
                .downcast_ref::<TimestampNanosecondArray>()
                .unwrap();
            let duration = batch
                .column(4)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap();
            for i in 0..batch.num_rows() {
                out.push(Row {
                    room: room.value(i).to_owned(),
                    key: key.value(i).to_owned(),
                    time: time.value(i),
                    mac: mac.value(i).to_owned(),
                    duration: duration.is_valid(i).then(|| duration.value(i)),
                });
            }
        }
        out
    }

    /// Reads `content` as the room file `room.csv`.
    fn load(content: &[u8]) -> Result<Vec<Row>> {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "room.csv", content);
        read_room_file(&path, "room").map(|batches| rows(&batches))
    }

    /// Reads `content` and returns its error.
    fn load_err(content: &[u8]) -> LoadError {
        match load(content) {
            Ok(rows) => panic!("expected an error, read {rows:?}"),
            Err(err) => err,
        }
    }

    /// Reads one data line under the standard header.
    fn load_line(line: &str) -> Result<Vec<Row>> {
        load(format!("{HEADER}{line}\n").as_bytes())
    }

    /// Nanoseconds of a naive date and time, through chrono.
    fn nanos(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ns: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_nano_opt(h, mi, s, ns)
            .unwrap()
            .and_utc()
            .timestamp_nanos_opt()
            .unwrap()
    }

    /// Asserts a `BadValue` error and returns its line, column and value.
    fn bad_value(err: &LoadError, want_expected: &str) -> (u64, String, String) {
        match err {
            LoadError::BadValue {
                line,
                column,
                value,
                expected,
                ..
            } => {
                assert_eq!(*expected, want_expected, "{err}");
                (*line, column.clone(), value.clone())
            }
            other => panic!("expected a bad value, got {other:?}"),
        }
    }

    fn field_count(err: &LoadError) -> (u64, usize, usize) {
        match err {
            LoadError::FieldCount {
                line,
                found,
                expected,
                ..
            } => (*line, *found, *expected),
            other => panic!("expected a field count error, got {other:?}"),
        }
    }

    #[test]
    fn golden_folder_loads() {
        let dir = Path::new(GOLDEN);
        let rooms = room_files(dir).unwrap();
        let names: Vec<&str> = rooms.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "bullpen",
                "conference1",
                "conference2",
                "conference3",
                "conference4"
            ]
        );
        let batches = read_room_folder(dir).unwrap();
        let rows = rows(&batches);
        assert_eq!(rows.len(), 47_894);
        let count = |room: &str| rows.iter().filter(|row| row.room == room).count();
        assert_eq!(count("bullpen"), 41_198);
        assert_eq!(count("conference1"), 1_147);
        assert_eq!(count("conference2"), 2_049);
        assert_eq!(count("conference3"), 1_659);
        assert_eq!(count("conference4"), 1_841);
        // Rooms come in name order, each file in line order.
        assert!(rows.windows(2).all(|w| w[0].room <= w[1].room));
        assert_eq!(
            rows[0],
            Row {
                room: "bullpen".into(),
                key: "20220404000000:0017888WY6U1".into(),
                time: nanos(2022, 4, 4, 0, 0, 0, 0),
                mac: "00:17:88:8W:Y6:U1".into(),
                duration: Some(8),
            }
        );
    }

    #[test]
    fn reordered_header_maps_columns_by_name() {
        let rows =
            load(b"EventDuration,MacAddress,EventKey,EventTime\n15,aa:bb,k1,2022-04-04 10:00:00\n")
                .unwrap();
        assert_eq!(
            rows,
            [Row {
                room: "room".into(),
                key: "k1".into(),
                time: nanos(2022, 4, 4, 10, 0, 0, 0),
                mac: "aa:bb".into(),
                duration: Some(15),
            }]
        );
    }

    #[test]
    fn extra_column_is_ignored() {
        let rows = load(
            b"Gateway,EventKey,EventTime,MacAddress,EventDuration,Note\ng1,k1,2022-04-04 10:00:00,m1,3,hello\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].key.as_str(), rows[0].duration), ("k1", Some(3)));
    }

    #[test]
    fn missing_column_is_an_error_naming_file_header_and_columns() {
        let err = load_err(b"EventKey,EventTime,EventDuration\nk,2022-04-04 10:00:00,3\n");
        let LoadError::MissingColumns {
            path,
            found,
            missing,
            hint,
        } = &err
        else {
            panic!("{err:?}");
        };
        assert!(path.ends_with("room.csv"));
        assert_eq!(hint, "");
        assert_eq!(found, "EventKey,EventTime,EventDuration");
        assert_eq!(missing, "MacAddress");
        let message = err.to_string();
        assert!(message.contains("room.csv"), "{message}");
        assert!(
            message.ends_with(
                "header \"EventKey,EventTime,EventDuration\" lacks the column(s) MacAddress; \
                 expected the columns EventKey, EventTime, MacAddress, EventDuration in any order"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_near_miss_of_a_column_name_is_pointed_out() {
        let err = load_err(b"EventKey, EventTime,MacAddress,eventduration\n");
        let message = err.to_string();
        assert!(
            message.contains(
                "lacks the column(s) EventTime, EventDuration (found \" EventTime\" for \
                 EventTime: spaces around a name are part of it; \"eventduration\" for \
                 EventDuration: names are case-sensitive); expected"
            ),
            "{message}"
        );
    }

    #[test]
    fn another_separator_than_the_comma_is_pointed_out() {
        let err = load_err(b"EventKey;EventTime;MacAddress;EventDuration\n");
        let message = err.to_string();
        assert!(
            message
                .contains("(the header is one field holding ';': fields are separated by commas)"),
            "{message}"
        );
    }

    #[test]
    fn misspelled_column_is_a_missing_column() {
        let err = load_err(b"EventKey,EventTme,MacAddress,eventduration\n");
        let LoadError::MissingColumns { missing, found, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(missing, "EventTime, EventDuration");
        assert_eq!(found, "EventKey,EventTme,MacAddress,eventduration");
    }

    #[test]
    fn duplicate_required_column_is_an_error() {
        let err = load_err(b"EventKey,EventTime,MacAddress,EventDuration,EventKey\n");
        assert!(
            matches!(&err, LoadError::DuplicateColumn { column, .. } if column == "EventKey"),
            "{err:?}"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(matches!(load_err(b""), LoadError::EmptyFile { .. }));
        // Blank lines alone hold no header either.
        assert!(matches!(load_err(b"\n\r\n\n"), LoadError::EmptyFile { .. }));
    }

    #[test]
    fn header_only_file_yields_no_rows() {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "room.csv", HEADER.as_bytes());
        assert!(read_room_file(&path, "room").unwrap().is_empty());
        let path = write(dir.path(), "room.csv", HEADER.trim_end().as_bytes());
        assert!(read_room_file(&path, "room").unwrap().is_empty());
    }

    #[test]
    fn byte_order_mark_is_stripped_by_csv() {
        let rows = load(
            b"\xef\xbb\xbfEventKey,EventTime,MacAddress,EventDuration\nk,2022-04-04 10:00:00,m,1\n",
        )
        .unwrap();
        assert_eq!(rows[0].key, "k");
        // A mark anywhere else is data: here it spoils the first column's name.
        let err = load_err(b"\n\xef\xbb\xbfEventKey,EventTime,MacAddress,EventDuration\n");
        assert!(matches!(err, LoadError::MissingColumns { .. }), "{err:?}");
    }

    #[test]
    fn crlf_line_ends_and_line_numbers() {
        let content = b"EventKey,EventTime,MacAddress,EventDuration\r\n\
            k1,2022-04-04 10:00:00,m1,1\r\n\
            k2,2022-04-04 10:00:01,m2,2\r\n";
        let rows = load(content).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].key.as_str(), rows[1].mac.as_str()), ("k2", "m2"));
        assert_eq!(rows[1].duration, Some(2));
        // csv stops after `\r`; the line count must not lag behind by one.
        let err = load_err(
            b"EventKey,EventTime,MacAddress,EventDuration\r\n\
              k1,2022-04-04 10:00:00,m1,1\r\n\
              k2,2022-04-04 10:00:01,m2,x\r\n",
        );
        assert_eq!(bad_value(&err, EXPECTED_DURATION).0, 3);
    }

    #[test]
    fn quoted_fields_with_comma_quote_and_newline() {
        let content = b"EventKey,EventTime,MacAddress,EventDuration\n\
            \"k,1\",2022-04-04 10:00:00,\"line\nbreak\",1\n\
            \"say \"\"hi\"\"\",\"2022-04-04 10:00:01\",m,\"2\"\n\
            k3,2022-04-04 10:00:02,m,bad\n";
        let err = load_err(content);
        // Line 1 header, 2-3 the first fact, 4 the second, 5 the bad one.
        assert_eq!(
            bad_value(&err, EXPECTED_DURATION),
            (5, "EventDuration".into(), "bad".into())
        );
        let good = &content[..content.len() - "k3,2022-04-04 10:00:02,m,bad\n".len()];
        let rows = load(good).unwrap();
        assert_eq!(rows[0].key, "k,1");
        assert_eq!(rows[0].mac, "line\nbreak");
        assert_eq!(rows[1].key, "say \"hi\"");
        assert_eq!(rows[1].duration, Some(2));
    }

    #[test]
    fn error_inside_a_multi_line_record_names_the_fields_line() {
        let content = b"EventKey,MacAddress,EventTime,EventDuration\n\
            k1,\"two\r\nlines\",2022-04-04 25:00:00,1\n";
        let err = load_err(content);
        assert_eq!(bad_value(&err, EXPECTED_REAL_TIME).0, 3);
        let content = b"EventKey,MacAddress,EventTime,EventDuration\n\
            k1,\"two\nlines\",2022-04-04 10:00:00\n";
        assert_eq!(field_count(&load_err(content)), (2, 3, 4));
    }

    #[test]
    fn blank_lines_in_the_middle_and_at_the_end_are_skipped() {
        let content = b"\nEventKey,EventTime,MacAddress,EventDuration\n\n\
            k1,2022-04-04 10:00:00,m,1\n\n\r\n\n\
            k2,2022-04-04 10:00:01,m,2\n\n\n";
        let rows = load(content).unwrap();
        let keys: Vec<&str> = rows.iter().map(|row| row.key.as_str()).collect();
        assert_eq!(keys, ["k1", "k2"]);
        // Skipped lines still count: the bad line is the 9th.
        let content = b"\nEventKey,EventTime,MacAddress,EventDuration\n\n\
            k1,2022-04-04 10:00:00,m,1\n\n\r\n\n\
            k2,2022-04-04 10:00:01,m,2\n\
            k3,2022-04-31 10:00:01,m,2\n\n";
        let (line, column, value) = bad_value(&load_err(content), EXPECTED_REAL_TIME);
        assert_eq!(
            (line, column.as_str(), value.as_str()),
            (9, "EventTime", "2022-04-31 10:00:01")
        );
    }

    #[test]
    fn line_of_only_spaces_is_not_blank() {
        let err = load_err(format!("{HEADER}k1,2022-04-04 10:00:00,m,1\n   \n").as_bytes());
        assert_eq!(field_count(&err), (3, 1, 4));
    }

    #[test]
    fn missing_final_newline_is_accepted() {
        let rows = load(
            format!("{HEADER}k1,2022-04-04 10:00:00,m,1\nk2,2022-04-04 10:00:01,m,7").as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].duration, Some(7));
        let err = load_err(
            format!("{HEADER}k1,2022-04-04 10:00:00,m,1\nk2,2022-04-04 10:00:01,m,7x").as_bytes(),
        );
        assert_eq!(bad_value(&err, EXPECTED_DURATION).0, 3);
    }

    #[test]
    fn truncated_last_line_is_a_field_count_error() {
        let err =
            load_err(format!("{HEADER}k1,2022-04-04 10:00:00,m,1\nk2,2022-04-04 10:0").as_bytes());
        assert_eq!(field_count(&err), (3, 2, 4));
        assert!(
            err.to_string()
                .ends_with("room.csv:3: 2 field(s) where the header has 4"),
            "{err}"
        );
    }

    #[test]
    fn too_many_fields_is_an_error() {
        let err = load_err(format!("{HEADER}k1,2022-04-04 10:00:00,m,1,extra\n").as_bytes());
        assert_eq!(field_count(&err), (2, 5, 4));
    }

    #[test]
    fn non_utf8_bytes_are_an_error_naming_line_and_column() {
        let mut content = HEADER.as_bytes().to_vec();
        content
            .extend_from_slice(b"k1,2022-04-04 10:00:00,m,1\nk2,2022-04-04 10:00:00,00:17\xff,1\n");
        let (line, column, value) = bad_value(&load_err(&content), EXPECTED_UTF8);
        assert_eq!(
            (line, column.as_str(), value.as_str()),
            (3, "MacAddress", "00:17\u{fffd}")
        );
        // In a parsed column, the message says it is the encoding that is wrong.
        let content = [HEADER.as_bytes(), b"k2,2022-04-04 10:00:00,m,1\xe9\n"].concat();
        let (_, column, _) = bad_value(&load_err(&content), EXPECTED_UTF8);
        assert_eq!(column, "EventDuration");
        // Ignored columns are still text.
        let content =
            b"EventKey,EventTime,MacAddress,EventDuration,Note\nk,2022-04-04 10:00:00,m,1,\xc3\n";
        let (_, column, _) = bad_value(&load_err(content), EXPECTED_UTF8);
        assert_eq!(column, "Note");
        // And so is the header.
        let err = load_err(b"EventKey,EventTime,MacAddress,EventDuration,N\xffote\n");
        let (line, column, _) = bad_value(&err, EXPECTED_UTF8);
        assert_eq!((line, column.as_str()), (1, "#5 of the header"));
    }

    #[test]
    fn fractional_seconds_are_kept_exactly() {
        let time = |text: &str| load_line(&format!("k,{text},m,1")).unwrap()[0].time;
        let second = nanos(2022, 4, 4, 23, 59, 59, 0);
        assert_eq!(time("2022-04-04 23:59:59.5"), second + 500_000_000);
        assert_eq!(time("2022-04-04 23:59:59.123"), second + 123_000_000);
        assert_eq!(time("2022-04-04 23:59:59.123456"), second + 123_456_000);
        assert_eq!(time("2022-04-04 23:59:59.999999999"), second + 999_999_999);
        assert_eq!(time("2022-04-04 23:59:59.000000001"), second + 1);
        for bad in [
            "2022-04-04 23:59:59.",
            "2022-04-04 23:59:59.1234567890",
            "2022-04-04 23:59:59,5",
        ] {
            let err = load_line(&format!("k,\"{bad}\",m,1")).unwrap_err();
            assert_eq!(bad_value(&err, EXPECTED_TIMESTAMP).2, bad);
        }
    }

    #[test]
    fn t_separator_is_accepted() {
        let rows = load_line("k,2022-04-04T08:30:15.25,m,1").unwrap();
        assert_eq!(rows[0].time, nanos(2022, 4, 4, 8, 30, 15, 250_000_000));
    }

    #[test]
    fn malformed_timestamps_are_errors() {
        for bad in [
            "",
            "2022-04-04",
            "2022-4-04 10:00:00",
            "2022/04/04 10:00:00",
            "2022-04-04 10:00",
            "2022-04-04  10:00:00",
            "2022-04-04 10:00:00Z",
            "2022-04-04 10:00:00+02:00",
            " 2022-04-04 10:00:00",
            "2022-04-04 1a:00:00",
            "+022-04-04 10:00:00",
        ] {
            let err = load_line(&format!("k,{bad},m,1")).unwrap_err();
            assert_eq!(bad_value(&err, EXPECTED_TIMESTAMP).1, "EventTime", "{bad}");
        }
    }

    #[test]
    fn impossible_dates_and_times_are_errors() {
        for bad in [
            "2022-04-31 10:00:00",
            "2022-02-29 10:00:00",
            "1900-02-29 10:00:00",
            "2022-13-01 10:00:00",
            "2022-00-10 10:00:00",
            "2022-04-00 10:00:00",
            "2022-04-04 24:00:00",
            "2022-04-04 23:60:00",
            "2022-04-04 23:59:60",
        ] {
            let err = load_line(&format!("k,{bad},m,1")).unwrap_err();
            assert_eq!(bad_value(&err, EXPECTED_REAL_TIME).2, bad);
        }
        let rows = load_line("k,2024-02-29 00:00:00,m,1").unwrap();
        assert_eq!(rows[0].time, nanos(2024, 2, 29, 0, 0, 0, 0));
        let rows = load_line("k,2000-02-29 00:00:00,m,1").unwrap();
        assert_eq!(rows[0].time, nanos(2000, 2, 29, 0, 0, 0, 0));
    }

    #[test]
    fn timestamps_beyond_64_bit_nanoseconds_are_errors() {
        for bad in [
            "1677-09-21 00:12:43.145224191",
            "2262-04-11 23:47:16.854775808",
            "9999-12-31 23:59:59",
        ] {
            let err = load_line(&format!("k,{bad},m,1")).unwrap_err();
            bad_value(&err, EXPECTED_TIME_RANGE);
        }
        assert_eq!(
            load_line("k,1677-09-21 00:12:43.145224192,m,1").unwrap()[0].time,
            i64::MIN
        );
        assert_eq!(
            load_line("k,2262-04-11 23:47:16.854775807,m,1").unwrap()[0].time,
            i64::MAX
        );
        assert_eq!(load_line("k,1970-01-01 00:00:00,m,1").unwrap()[0].time, 0);
        assert_eq!(
            load_line("k,1969-12-31 23:59:59.999999999,m,1").unwrap()[0].time,
            -1
        );
    }

    #[test]
    fn calendar_arithmetic_matches_chrono_on_every_day() {
        let mut date = NaiveDate::from_ymd_opt(1600, 1, 1).unwrap();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        while date.year_ce().1 < 2500 {
            let (year, month, day) = (date.year_ce().1, date.month0() + 1, date.day0() + 1);
            assert_eq!(
                days_from_civil(year, month, day),
                (date - epoch).num_days(),
                "{date}"
            );
            let next = date.succ_opt().unwrap();
            if next.month0() != date.month0() {
                assert_eq!(days_in_month(year, month), day, "{date}");
            }
            date = next;
        }
    }

    #[test]
    fn durations() {
        let duration = |text: &str| {
            load_line(&format!("k,2022-04-04 10:00:00,m,{text}")).map(|rows| rows[0].duration)
        };
        assert_eq!(duration("-15").unwrap(), Some(-15));
        assert_eq!(duration("+15").unwrap(), Some(15));
        assert_eq!(duration("007").unwrap(), Some(7));
        assert_eq!(duration("").unwrap(), None);
        assert_eq!(duration("\"\"").unwrap(), None);
        assert_eq!(duration("9223372036854775807").unwrap(), Some(i64::MAX));
        assert_eq!(duration("-9223372036854775808").unwrap(), Some(i64::MIN));
        for bad in [
            "1.5",
            "12.5",
            "NA",
            "null",
            "N/A",
            "12a",
            "-",
            "+",
            " 12",
            "12 ",
            "1e3",
            "0x10",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
        ] {
            let err = duration(bad).unwrap_err();
            let (line, column, value) = bad_value(&err, EXPECTED_DURATION);
            assert_eq!(
                (line, column.as_str(), value.as_str()),
                (2, "EventDuration", bad)
            );
        }
    }

    #[test]
    fn error_display_format() {
        let dir = TempDir::new().unwrap();
        let path = write(
            dir.path(),
            "conference2.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,12.5\n").as_bytes(),
        );
        let err = read_room_file(&path, "conference2").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2: column EventDuration: \"12.5\" is not an integer number of seconds that fits in 64 bits",
                path.display()
            )
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "9".repeat(200);
        let err = load_line(&format!("k,2022-04-04 10:00:00,m,{long}")).unwrap_err();
        let (_, _, value) = bad_value(&err, EXPECTED_DURATION);
        assert_eq!(value, format!("{}…", "9".repeat(SHOWN_VALUE_CHARS)));
        assert_eq!(
            shown("é".repeat(81).as_bytes()),
            format!("{}…", "é".repeat(80))
        );
    }

    #[test]
    fn mac_addresses_are_kept_as_written() {
        let content = format!(
            "{HEADER}k1,2022-04-04 10:00:00,,1\nk2,2022-04-04 10:00:00,00:17:88:cr:pu:y7,1\n\
             k3,2022-04-04 10:00:00,00-17-88-CR-PU-Y7,1\nk4,2022-04-04 10:00:00,NA,1\n\
             k5,2022-04-04 10:00:00,null,1\nk6,2022-04-04 10:00:00,N/A,1\nk7,2022-04-04 10:00:00,\"\",1\n\
             k8,2022-04-04 10:00:00, ,1\n"
        );
        let macs: Vec<String> = load(content.as_bytes())
            .unwrap()
            .into_iter()
            .map(|row| row.mac)
            .collect();
        assert_eq!(
            macs,
            [
                "N/A",
                "00:17:88:cr:pu:y7",
                "00-17-88-CR-PU-Y7",
                "NA",
                "null",
                "N/A",
                "N/A",
                " "
            ]
        );
    }

    #[test]
    fn duplicate_event_keys_are_two_rows() {
        let rows = load(
            format!("{HEADER}k,2022-04-04 10:00:00,m,1\nk,2022-04-04 10:00:00,m,1\n").as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], rows[1]);
    }

    #[test]
    fn empty_event_key_is_kept() {
        let rows = load_line(",2022-04-04 10:00:00,m,1").unwrap();
        assert_eq!(rows[0].key, "");
    }

    #[test]
    fn batches_are_cut_at_the_batch_size() {
        let dir = TempDir::new().unwrap();
        let mut content = HEADER.to_owned();
        for i in 0..10 {
            content.push_str(&format!("k{i},2022-04-04 10:00:0{i},m{i},{i}\n"));
        }
        let path = write(dir.path(), "room.csv", content.as_bytes());
        let (batches, _) = RoomFileReader::new(&path, "r", 4, true, &keep)
            .read(None)
            .unwrap()
            .unwrap();
        let sizes: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
        assert_eq!(sizes, [4, 4, 2]);
        let keys: Vec<String> = rows(&batches).into_iter().map(|row| row.key).collect();
        assert_eq!(keys, (0..10).map(|i| format!("k{i}")).collect::<Vec<_>>());
        // A file whose rows fill whole batches gets no empty batch after them.
        let (batches, _) = RoomFileReader::new(&path, "r", 5, true, &keep)
            .read(None)
            .unwrap()
            .unwrap();
        assert_eq!(
            batches
                .iter()
                .map(RecordBatch::num_rows)
                .collect::<Vec<_>>(),
            [5, 5]
        );
        assert_eq!(read_room_file(&path, "r").unwrap().len(), 1);
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("nowhere.csv");
        let err = read_room_file(&path, "nowhere").unwrap_err();
        assert!(matches!(err, LoadError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("nowhere.csv"), "{err}");
    }

    #[test]
    fn folder_without_csv_is_an_error() {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "notes.txt", b"hello");
        write(dir.path(), "bullpen.CSV.bak", HEADER.as_bytes());
        fs::create_dir(dir.path().join("sub.csv")).unwrap();
        let err = read_room_folder(dir.path()).unwrap_err();
        assert!(
            matches!(&err, LoadError::NoRoomFiles { path } if path == dir.path()),
            "{err:?}"
        );
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn missing_folder_is_an_error_naming_it() {
        let dir = TempDir::new().unwrap();
        let missing = dir.path().join("no-such-capture");
        let err = read_room_folder(&missing).unwrap_err();
        assert!(
            matches!(&err, LoadError::MissingFolder { path } if *path == missing),
            "{err:?}"
        );
        assert!(err.to_string().contains("no-such-capture"), "{err}");
        let file = write(dir.path(), "room.csv", HEADER.as_bytes());
        assert!(matches!(
            room_files(&file),
            Err(LoadError::NotAFolder { .. })
        ));
    }

    #[test]
    fn hidden_files_are_skipped() {
        let dir = TempDir::new().unwrap();
        write(
            dir.path(),
            "lobby.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,1\n").as_bytes(),
        );
        write(dir.path(), ".lobby.csv", b"garbage");
        write(dir.path(), ".csv", b"garbage");
        let rooms = room_files(dir.path()).unwrap();
        assert_eq!(rooms, [("lobby".to_owned(), dir.path().join("lobby.csv"))]);
        assert_eq!(rows(&read_room_folder(dir.path()).unwrap()).len(), 1);
    }

    #[test]
    fn files_are_read_in_room_name_order() {
        let dir = TempDir::new().unwrap();
        for (name, key) in [
            ("conference2", "c2"),
            ("bullpen", "b"),
            ("Annex", "a"),
            ("conference10", "c10"),
        ] {
            let content =
                format!("{HEADER}{key},2022-04-04 10:00:00,m,1\n{key},2022-04-04 10:00:01,m,2\n");
            write(dir.path(), &format!("{name}.csv"), content.as_bytes());
        }
        let names: Vec<String> = room_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["Annex", "bullpen", "conference10", "conference2"]);
        let rows = rows(&read_room_folder(dir.path()).unwrap());
        let seen: Vec<(&str, &str)> = rows
            .iter()
            .map(|row| (row.room.as_str(), row.key.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("Annex", "a"),
                ("Annex", "a"),
                ("bullpen", "b"),
                ("bullpen", "b"),
                ("conference10", "c10"),
                ("conference10", "c10"),
                ("conference2", "c2"),
                ("conference2", "c2"),
            ]
        );
    }

    #[test]
    fn folder_error_is_the_first_bad_file_in_room_order() {
        let dir = TempDir::new().unwrap();
        write(
            dir.path(),
            "a.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,1\n").as_bytes(),
        );
        write(
            dir.path(),
            "b.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,x\n").as_bytes(),
        );
        write(dir.path(), "c.csv", b"");
        for _ in 0..5 {
            let err = read_room_folder(dir.path()).unwrap_err();
            assert!(
                matches!(&err, LoadError::BadValue { path, .. } if path.ends_with("b.csv")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn header_only_files_in_a_folder_add_no_batch() {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "a.csv", HEADER.as_bytes());
        write(
            dir.path(),
            "b.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,1\n").as_bytes(),
        );
        let batches = read_room_folder(dir.path()).unwrap();
        assert_eq!(batches.len(), 1);
        assert_eq!(rows(&batches)[0].room, "b");
    }

    #[test]
    fn schema_is_the_fact_table() {
        let schema = flow_schema();
        let fields: Vec<(&str, &DataType, bool)> = schema
            .fields()
            .iter()
            .map(|field| {
                (
                    field.name().as_str(),
                    field.data_type(),
                    field.is_nullable(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("Room", &DataType::Utf8, false),
                ("FlowId", &DataType::Utf8, false),
                (
                    "EventTime",
                    &DataType::Timestamp(TimeUnit::Nanosecond, None),
                    false
                ),
                ("MacAddress", &DataType::Utf8, false),
                ("EventDuration", &DataType::Int64, true),
            ]
        );
    }

    /// Reads `content` as `room.csv` leniently; the rows and the report.
    fn load_lenient(content: &[u8]) -> (Vec<Row>, LoadReport) {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "room.csv", content);
        let (batches, report) =
            read_room_file_with(&path, "room", &LoadOptions::lenient()).unwrap();
        (rows(&batches), report)
    }

    #[test]
    fn lenient_mode_rejects_bad_rows_and_keeps_the_others() {
        let content = b"EventKey,EventTime,MacAddress,EventDuration\r\n\
            k1,2022-04-04 10:00:00,m,1\r\n\
            k2,2022-04-31 10:00:00,m,2\r\n\
            \r\n\
            k3,2022-04-04 10:00:00,m,1.5\r\n\
            k4,2022-04-04 10:00:00,m\xff,4\r\n\
            k5,2022-04-04 10:00:00\r\n\
            \"k6\nx\",2022-04-04 10:00:06,m,6\r\n\
            k7,2022-04-04 10:00:07,m,-7\r\n\
            k8,2022-04-04 10:0";
        let (rows, report) = load_lenient(content);
        let keys: Vec<&str> = rows.iter().map(|row| row.key.as_str()).collect();
        assert_eq!(keys, ["k1", "k6\nx", "k7"]);
        assert_eq!(report.files.len(), 1);
        assert_eq!((report.rows(), report.num_rejected()), (3, 5));
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
        let expected = |what: &str| format!("expected {what}");
        assert_eq!(
            rejected,
            [
                (
                    3,
                    Some("EventTime"),
                    "2022-04-31 10:00:00",
                    expected(EXPECTED_REAL_TIME).as_str()
                ),
                (
                    5,
                    Some("EventDuration"),
                    "1.5",
                    expected(EXPECTED_DURATION).as_str()
                ),
                (
                    6,
                    Some("MacAddress"),
                    "m\u{fffd}",
                    expected(EXPECTED_UTF8).as_str()
                ),
                (
                    7,
                    None,
                    "k5,2022-04-04 10:00:00",
                    "2 field(s) where the header has 4"
                ),
                (
                    11,
                    None,
                    "k8,2022-04-04 10:0",
                    "2 field(s) where the header has 4"
                ),
            ]
        );
        let first = report.rejected().next().unwrap();
        assert!(first.path.ends_with("room.csv"));
        assert!(
            first.to_string().ends_with(
                "room.csv:3: column EventTime: \"2022-04-31 10:00:00\": expected a date and \
                 time that exist (month 01-12, day within the month, hour 00-23, minute and \
                 second 00-59)"
            ),
            "{first}"
        );
    }

    #[test]
    fn lenient_rejections_are_the_errors_of_strict_mode() {
        // Each bad line alone: strict mode's error and lenient mode's rejection agree.
        for bad in [
            "k,2022-04-04 24:00:00,m,1",
            "k,2022-04-04 10:00:00,m,99999999999999999999",
            "k,2022-04-04 10:00:00,m,NA",
            "k,2022-04-04 10:00:00,m,1,extra",
            "k,\"2022-04-04\n10:00:00\",m,1",
        ] {
            let content = format!(
                "{HEADER}k0,2022-04-04 09:00:00,m,1\n\n{bad}\nk9,2022-04-04 11:00:00,m,1\n"
            );
            let strict = load_err(content.as_bytes());
            let (rows, report) = load_lenient(content.as_bytes());
            assert_eq!(rows.len(), 2, "{bad}");
            let rejected: Vec<&RejectedRow> = report.rejected().collect();
            assert_eq!(rejected.len(), 1, "{bad}");
            // The field-count error has no value: the lenient row shows the whole line.
            let mut from_strict = RejectedRow::from_error(strict, &rejected[0].value).unwrap();
            // Each read has its own temporary folder.
            from_strict.path.clone_from(&rejected[0].path);
            assert_eq!(rejected[0], &from_strict, "{bad}");
        }
    }

    #[test]
    fn lenient_mode_still_fails_on_file_problems() {
        let dir = TempDir::new().unwrap();
        let lenient = LoadOptions::lenient();
        for (content, what) in [
            (&b""[..], "empty"),
            (b"\n\n", "blank"),
            (
                b"EventKey,EventTime,MacAddress\nk,2022-04-04 10:00:00,m\n",
                "missing column",
            ),
            (
                b"EventKey,EventTime,MacAddress,EventDuration,EventTime\n",
                "duplicate column",
            ),
            (
                b"EventKey,EventTime,MacAddress,Event\xffDuration\n",
                "non-UTF-8 header",
            ),
        ] {
            let path = write(dir.path(), "room.csv", content);
            let err = read_room_file_with(&path, "room", &lenient).unwrap_err();
            assert!(err.to_string().contains("room.csv"), "{what}: {err}");
            let folder_err = read_room_folder_with(dir.path(), &lenient).unwrap_err();
            assert_eq!(folder_err.to_string(), err.to_string(), "{what}");
        }
        let missing = dir.path().join("nowhere.csv");
        assert!(matches!(
            read_room_file_with(&missing, "nowhere", &lenient),
            Err(LoadError::Io { .. })
        ));
    }

    #[test]
    fn progress_is_told_of_every_byte_of_rows_read() {
        use std::sync::atomic::{AtomicU64, Ordering};

        let dir = Path::new(GOLDEN);
        let told = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&told);
        let options = LoadOptions::strict().with_progress(ReadProgress::new(move |bytes| {
            counter.fetch_add(bytes, Ordering::Relaxed);
        }));
        read_room_folder_with(dir, &options).unwrap();

        // Every byte of the rows, and of the header lines or not.
        let (mut files_bytes, mut rows_bytes) = (0, 0);
        for (_, path) in room_files(dir).unwrap() {
            let text = fs::read_to_string(path).unwrap();
            files_bytes += text.len() as u64;
            rows_bytes += (text.len() - text.find('\n').unwrap() - 1) as u64;
        }
        let told = told.load(Ordering::Relaxed);
        assert!(
            (rows_bytes..=files_bytes).contains(&told),
            "told of {told} bytes, rows of {rows_bytes}, files of {files_bytes}"
        );
    }

    #[test]
    fn lenient_folder_report_counts_per_file_and_writes_the_rejects() {
        let dir = TempDir::new().unwrap();
        let data = dir.path().join("data");
        fs::create_dir(&data).unwrap();
        write(
            &data,
            "a.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,1\nk,2022-04-04 10:00:00,\"m,\"\"x\"\"\",x\n")
                .as_bytes(),
        );
        write(&data, "b.csv", HEADER.as_bytes());
        write(
            &data,
            "c.csv",
            format!("{HEADER}k,2022-04-04 10:00:00,m,1\nk,2022-04-04 10:00:01,m,2\n").as_bytes(),
        );
        let rejects = dir.path().join("rejects.csv");
        let options = LoadOptions::lenient().with_rejects(&rejects);
        let (batches, report) = read_room_folder_with(&data, &options).unwrap();
        assert_eq!(rows(&batches).len(), 3);
        let counts: Vec<(&str, u64, usize)> = report
            .files
            .iter()
            .map(|file| (file.room.as_str(), file.rows, file.rejected.len()))
            .collect();
        assert_eq!(counts, [("a", 1, 1), ("b", 0, 0), ("c", 2, 0)]);
        let written = fs::read_to_string(&rejects).unwrap();
        assert_eq!(
            written,
            format!(
                "file,line,column,value,reason\n{},3,EventDuration,x,expected {EXPECTED_DURATION}\n",
                data.join("a.csv").display()
            )
        );
        let summary = report.summary(10);
        assert!(
            summary.starts_with("rejected 1 row(s), loaded 3 fact(s):\n"),
            "{summary}"
        );
        assert!(summary.contains("a.csv: 1 rejected, 1 loaded"), "{summary}");
        assert!(
            summary.contains("a.csv:3: column EventDuration: \"x\""),
            "{summary}"
        );
        assert!(LoadReport::default().summary(10).is_empty());

        // Strict mode with the same data fails and writes nothing.
        fs::remove_file(&rejects).unwrap();
        let strict = LoadOptions::strict().with_rejects(&rejects);
        assert!(read_room_folder_with(&data, &strict).is_err());
        assert!(!rejects.exists());
    }

    #[test]
    fn rejects_file_that_cannot_be_written_is_an_error_naming_it() {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "a.csv", HEADER.as_bytes());
        let rejects = dir.path().join("no-such-folder").join("rejects.csv");
        let options = LoadOptions::lenient().with_rejects(&rejects);
        let err = read_room_folder_with(dir.path(), &options).unwrap_err();
        assert!(
            matches!(&err, LoadError::Io { path, .. } if *path == rejects),
            "{err:?}"
        );
    }

    #[test]
    fn many_rejected_rows_count_lines_once() {
        // Every other line is bad: line numbers stay exact while the counter goes on from
        // the previous rejection instead of rereading the file each time.
        let mut content = HEADER.to_owned();
        for i in 0..2_000 {
            content.push_str(&format!("k{i},2022-04-04 10:00:00,m,{i}\nk{i},bad,m,{i}\n"));
        }
        let (rows, report) = load_lenient(content.as_bytes());
        assert_eq!(rows.len(), 2_000);
        let lines: Vec<u64> = report.rejected().map(|row| row.line).collect();
        assert_eq!(lines, (0..2_000).map(|i| 3 + 2 * i).collect::<Vec<u64>>());
    }

    /// What reading `content` as one room file gives, with files of more than
    /// `span_min_bytes` bytes of rows read in spans on four threads: the facts, the report,
    /// or the error, written out to compare.
    fn outcome(path: &Path, strict: bool, span_min_bytes: u64) -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        pool.install(|| {
            let mut reader = RoomFileReader::new(path, "room", 7, strict, &keep);
            reader.span_min_bytes = span_min_bytes;
            match reader.read(None) {
                Ok(Some((batches, report))) => {
                    let facts = arrow::compute::concat_batches(&flow_schema(), &batches).unwrap();
                    format!("{:?}\n{report:?}", rows(&[facts]))
                }
                Ok(None) => "stopped".to_owned(),
                Err(error) => format!("error: {error}"),
            }
        })
    }

    /// A room file of `lines` rows, the `(line, text)` pairs replacing those lines.
    fn room_file(lines: u64, replaced: &[(u64, &str)], end: &str) -> Vec<u8> {
        let mut out = format!("EventKey,EventTime,MacAddress,EventDuration{end}");
        for line in 2..lines + 2 {
            match replaced.iter().find(|(at, _)| *at == line) {
                Some((_, text)) => out.push_str(text),
                None => out.push_str(&format!(
                    "k{line},2022-04-04 {:02}:{:02}:00,00:17:88:{:02X},{line}",
                    line / 60 % 24,
                    line % 60,
                    line % 7
                )),
            }
            out.push_str(end);
        }
        out.into_bytes()
    }

    #[test]
    fn big_files_are_cut_into_spans_on_line_starts() {
        let content = room_file(300, &[], "\n");
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "room.csv", &content);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let spans = pool.install(|| {
            let mut reader = RoomFileReader::new(&path, "room", 7, true, &keep);
            reader.span_min_bytes = 1;
            reader.spans(45, content.len() as u64).unwrap()
        });
        assert_eq!(spans.len(), 4);
        assert_eq!(spans[0].0, 45);
        assert_eq!(spans[3].1, content.len() as u64);
        for pair in spans.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
            assert_eq!(content[pair[1].0 as usize - 1], b'\n');
        }
    }

    #[test]
    fn reading_in_spans_gives_what_one_reader_gives() {
        let bad = [
            (150, "k150,2022-04-31 08:00:00,aa,1"),
            (151, "k151,2022-04-04 08:00:00,aa"),
            (260, "k260,2022-04-04 08:00:00,aa,1.5"),
            (280, ""),
        ];
        // A quoted key of thousands of lines, over the middle of the file where a span
        // would start.
        let long_key = format!(
            "\"k120{}\",2022-04-04 08:00:00,\"a,b\",1",
            "\nx".repeat(4_000)
        );
        let quoted = [(120, long_key.as_str())];
        let cases = [
            room_file(400, &[], "\n"),
            room_file(400, &[], "\r\n"),
            room_file(400, &bad, "\n"),
            room_file(400, &bad, "\r\n"),
            room_file(400, &quoted, "\n"),
            room_file(400, &[quoted[0], bad[2]], "\n"),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut spans_outcomes = Vec::new();
        for (case, content) in cases.iter().enumerate() {
            let path = write(dir.path(), &format!("room{case}.csv"), content);
            for strict in [true, false] {
                let whole = outcome(&path, strict, u64::MAX);
                let spans = outcome(&path, strict, 1);
                assert!(
                    spans == whole,
                    "case {case}, strict {strict}:\n{spans}\n{whole}"
                );
                spans_outcomes.push(spans);
            }
        }
        // The cases hold what they are meant to: an error on line 150 in strict mode,
        // rejected rows down to line 260 in lenient mode, the quoted fields read whole.
        assert!(spans_outcomes[4].starts_with("error: "));
        assert!(spans_outcomes[4].contains("room2.csv:150: column EventTime"));
        assert!(spans_outcomes[7].contains("line: 260"));
        assert!(spans_outcomes[8].contains("mac: \"a,b\""));
        assert!(spans_outcomes[8].contains("key: \"k120\\nx\\nx"));
    }
}
