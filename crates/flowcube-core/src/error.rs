//! The error type of the engine.

use arrow::datatypes::DataType;

/// The result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when building tables and cubes or running queries.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A column name that the table does not have.
    #[error("unknown column {name:?}; the table has {known:?}")]
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The columns of the table.
        known: Vec<String>,
    },

    /// A column whose type cannot serve where it was used.
    #[error("column {column:?} has type {actual}, expected {expected}")]
    ColumnType {
        /// The column.
        column: String,
        /// Its type.
        actual: DataType,
        /// What the use of it needs.
        expected: String,
    },

    /// A record batch whose schema differs from the table's.
    #[error("schema mismatch: {0}")]
    SchemaMismatch(String),

    /// A level name that no hierarchy of the cube has.
    #[error("unknown level {name:?}; the cube has levels {known:?}")]
    UnknownLevel {
        /// The reference as written.
        name: String,
        /// Every level of the cube as `dimension/hierarchy/level`.
        known: Vec<String>,
    },

    /// A level name that more than one hierarchy has.
    #[error("level {name:?} is ambiguous; use one of {candidates:?}")]
    AmbiguousLevel {
        /// The reference as written.
        name: String,
        /// The matching levels as `dimension/hierarchy/level`.
        candidates: Vec<String>,
    },

    /// A hierarchy name that the cube does not have.
    #[error("unknown hierarchy {name:?}; the cube has {known:?}")]
    UnknownHierarchy {
        /// The reference as written.
        name: String,
        /// Every hierarchy of the cube as `dimension/hierarchy`.
        known: Vec<String>,
    },

    /// A hierarchy name that more than one dimension has.
    #[error("hierarchy {name:?} is ambiguous; use one of {candidates:?}")]
    AmbiguousHierarchy {
        /// The reference as written.
        name: String,
        /// The matching hierarchies as `dimension/hierarchy`.
        candidates: Vec<String>,
    },

    /// A measure name that the cube does not have.
    #[error("unknown measure {name:?}; the cube has {known:?}")]
    UnknownMeasure {
        /// The name asked for.
        name: String,
        /// The measures of the cube.
        known: Vec<String>,
    },

    /// A measure or hierarchy whose name is taken already.
    #[error("{kind} {name:?} exists already")]
    Duplicate {
        /// What kind of thing: "measure", "hierarchy".
        kind: &'static str,
        /// Its name.
        name: String,
    },

    /// A measure that refers to itself through other measures.
    #[error("measure {0:?} refers to itself")]
    CyclicMeasure(String),

    /// A date-format pattern that flowcube cannot read.
    #[error("invalid date pattern {pattern:?}: {reason}")]
    DatePattern {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A sum whose value does not fit in 64 bits.
    #[error("measure {measure:?} overflows 64-bit integers in at least one cell")]
    Overflow {
        /// The measure whose value overflowed.
        measure: String,
    },

    /// A query whose number of cells passes the limit.
    #[error(
        "query would aggregate {requested} cells, past the limit of {limit}; \
         query coarser levels, filter, or raise the limit with Query::with_max_cells"
    )]
    TooManyCells {
        /// The bound on the number of cells of the query.
        requested: String,
        /// The limit.
        limit: u64,
    },

    /// A query or definition that is not valid for another reason.
    #[error("invalid query: {0}")]
    InvalidQuery(String),

    /// An error from Arrow.
    #[error("arrow error")]
    Arrow(#[from] arrow::error::ArrowError),

    /// A Parquet file that could not be opened, read or written.
    #[error("parquet file {}: {source}", path.display())]
    Parquet {
        /// The file.
        path: std::path::PathBuf,
        /// What the Parquet reader or writer (or the operating system) reported.
        source: parquet::errors::ParquetError,
    },
}
