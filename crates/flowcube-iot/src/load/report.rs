//! Lenient loading: the options that choose it, and the report of the rows it rejected.
//!
//! In lenient mode a row that cannot be read exactly (a wrong number of fields, a value that
//! does not fit its column) is left out of the facts and listed instead, with the file, line,
//! column, value and reason that strict mode would have put in its error. Problems of a whole
//! file (no header, a missing header column, a header that is not UTF-8, a file that cannot
//! be read) still fail the load, since no row of such a file can be trusted.
//!
//! ```text
//! LoadReport
//! └── files: one FileReport per room file, in room order
//!     ├── room, path
//!     ├── rows      facts loaded
//!     └── rejected  RejectedRow { path, line, column, value, reason }, in line order
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{LoadError, Result};

/// How to load room files.
///
/// The default is strict: the first bad row fails the load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Whether the first bad row fails the load (`true`) or is rejected and listed in the
    /// [`LoadReport`] while the other rows load (`false`).
    pub strict: bool,
    /// Where to write the rejected rows as CSV (`file,line,column,value,reason`) once the
    /// load succeeds; the file gets its header line even when no row was rejected.
    pub rejects: Option<PathBuf>,
    /// Told how many bytes of the files were read, as the reading goes on.
    pub progress: Option<ReadProgress>,
}

/// A function told, from any reading thread, how many more bytes of the room files were
/// read: the calls add up to about the files' sizes (a file read twice, when a quoted
/// field spans the places it was cut at, counts twice).
#[derive(Clone)]
pub struct ReadProgress(Arc<dyn Fn(u64) + Send + Sync>);

impl ReadProgress {
    /// Calls `report` with each number of bytes read.
    pub fn new(report: impl Fn(u64) + Send + Sync + 'static) -> Self {
        ReadProgress(Arc::new(report))
    }

    /// Tells that `bytes` more were read.
    pub(crate) fn read(&self, bytes: u64) {
        if bytes > 0 {
            (self.0)(bytes);
        }
    }
}

impl std::fmt::Debug for ReadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadProgress")
    }
}

/// Two progress functions are equal when they are the same function.
impl PartialEq for ReadProgress {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ReadProgress {}

impl Default for LoadOptions {
    fn default() -> Self {
        Self::strict()
    }
}

impl LoadOptions {
    /// Strict loading: the first bad row fails the load.
    pub fn strict() -> Self {
        Self {
            strict: true,
            rejects: None,
            progress: None,
        }
    }

    /// Lenient loading: bad rows are left out and listed in the report.
    pub fn lenient() -> Self {
        Self {
            strict: false,
            rejects: None,
            progress: None,
        }
    }

    /// The same options, also writing the rejected rows as CSV to `path`.
    pub fn with_rejects(mut self, path: impl Into<PathBuf>) -> Self {
        self.rejects = Some(path.into());
        self
    }

    /// The same options, telling `progress` how many bytes were read as reading goes on.
    pub fn with_progress(mut self, progress: ReadProgress) -> Self {
        self.progress = Some(progress);
        self
    }
}

/// A row left out by a lenient load, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The room file.
    pub path: PathBuf,
    /// The line as a text editor numbers it: where the bad field starts, or where the row
    /// starts when it has a wrong number of fields.
    pub line: u64,
    /// The column of the bad field, named as in the header; `None` when the row has a
    /// wrong number of fields.
    pub column: Option<String>,
    /// The bad field as written, or, when the row has a wrong number of fields, its fields
    /// joined by commas (invalid UTF-8 replaced by U+FFFD, cut after 80 characters).
    pub value: String,
    /// What was wrong: `expected <what the column requires>`, or the field counts.
    pub reason: String,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.path.display(), self.line)?;
        if let Some(column) = &self.column {
            write!(f, "column {column}: ")?;
        }
        write!(f, "{:?}: {}", self.value, self.reason)
    }
}

impl RejectedRow {
    /// The rejection standing for a row-level error of strict mode; `record` is the row
    /// as written, shown when the row has a wrong number of fields. Any other error is
    /// handed back, since it is not about one row.
    pub(super) fn from_error(error: LoadError, record: &str) -> Result<RejectedRow> {
        match error {
            LoadError::FieldCount {
                path,
                line,
                found,
                expected,
            } => Ok(RejectedRow {
                path,
                line,
                column: None,
                value: record.to_owned(),
                reason: format!("{found} field(s) where the header has {expected}"),
            }),
            LoadError::BadValue {
                path,
                line,
                column,
                value,
                expected,
            } => Ok(RejectedRow {
                path,
                line,
                column: Some(column),
                value,
                reason: format!("expected {expected}"),
            }),
            other => Err(other),
        }
    }
}

/// What loading one room file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The room, the file stem.
    pub room: String,
    /// The file.
    pub path: PathBuf,
    /// Facts loaded from the file.
    pub rows: u64,
    /// Rows left out, in line order (always empty in strict mode).
    pub rejected: Vec<RejectedRow>,
}

impl FileReport {
    /// The report of a file of `room` at `path` before any row is read.
    pub(super) fn empty(room: &str, path: &Path) -> FileReport {
        FileReport {
            room: room.to_owned(),
            path: path.to_path_buf(),
            rows: 0,
            rejected: Vec::new(),
        }
    }
}

/// What a load gave: per room file, the facts loaded and the rows rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// One entry per room file, in room order.
    pub files: Vec<FileReport>,
}

impl LoadReport {
    /// Facts loaded from all files.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|file| file.rows).sum()
    }

    /// Rows rejected in all files.
    pub fn num_rejected(&self) -> usize {
        self.files.iter().map(|file| file.rejected.len()).sum()
    }

    /// Every rejected row, file by file in room order, each file's in line order.
    pub fn rejected(&self) -> impl Iterator<Item = &RejectedRow> {
        self.files.iter().flat_map(|file| &file.rejected)
    }

    /// Writes the rejected rows as CSV with the header `file,line,column,value,reason`.
    ///
    /// # Errors
    /// A failure of `out`.
    pub fn write_rejects(&self, out: impl Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["file", "line", "column", "value", "reason"])?;
        for row in self.rejected() {
            writer.write_record([
                row.path.display().to_string().as_str(),
                &row.line.to_string(),
                row.column.as_deref().unwrap_or(""),
                &row.value,
                &row.reason,
            ])?;
        }
        writer.flush()
    }

    /// Writes the rejected rows to `options.rejects`, if set.
    pub(super) fn write_rejects_as_asked(&self, options: &LoadOptions) -> Result<()> {
        let Some(path) = &options.rejects else {
            return Ok(());
        };
        let io_error = |source| LoadError::Io {
            path: path.clone(),
            source,
        };
        let file = File::create(path).map_err(io_error)?;
        self.write_rejects(BufWriter::new(file)).map_err(io_error)
    }

    /// A few lines for a person: the rejected rows per file, then the first `shown`
    /// rejected rows; empty when no row was rejected.
    pub fn summary(&self, shown: usize) -> String {
        let rejected = self.num_rejected();
        if rejected == 0 {
            return String::new();
        }
        let mut text = format!(
            "rejected {rejected} row(s), loaded {} fact(s):\n",
            self.rows()
        );
        for file in self.files.iter().filter(|file| !file.rejected.is_empty()) {
            text += &format!(
                "  {}: {} rejected, {} loaded\n",
                file.path.display(),
                file.rejected.len(),
                file.rows
            );
        }
        for row in self.rejected().take(shown) {
            text += &format!("  {row}\n");
        }
        if rejected > shown {
            text += &format!("  ... and {} more\n", rejected - shown);
        }
        text
    }
}
