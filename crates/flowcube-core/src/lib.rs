//! flowcube-core: an in-memory OLAP cube engine on Apache Arrow.
//!
//! Facts live in a columnar [`Table`]: string columns dictionary-encoded into table-wide
//! dictionaries with stable `u32` codes, numbers and timestamps in Arrow arrays, split in
//! partitions that queries scan in parallel with rayon. A [`Cube`] puts hierarchies of
//! levels over the table (columns, or date parts of a timestamp such as the day of the
//! month and the hour) and named [`Measure`]s: counts, sums, means, minima, maxima, exact
//! distinct counts (roaring bitmaps), sums over the siblings of a hierarchy, and arithmetic
//! between measures. A [`Query`] asks for measures by levels, with filters and totals, and
//! answers with an Arrow [`RecordBatch`](arrow::array::RecordBatch);
//! [`DrillThrough`] returns the facts behind a slice.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray};
//! use flowcube_core::{Cube, Measure, Query, Table, TableOptions};
//!
//! let hour = 3_600_000_000_000i64;
//! let batch = RecordBatch::try_from_iter([
//!     ("Room", Arc::new(StringArray::from(vec!["bullpen", "bullpen", "lab"])) as ArrayRef),
//!     ("EventTime", Arc::new(TimestampNanosecondArray::from(vec![8 * hour, 9 * hour, 9 * hour])) as ArrayRef),
//!     ("EventDuration", Arc::new(Int64Array::from(vec![10, 30, 60])) as ArrayRef),
//! ])?;
//! let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
//! cube.create_date_hierarchy("Hour", "EventTime", &[("Hour", "HH")])?;
//! cube.add_measure(
//!     "%Time",
//!     Measure::named("EventDuration.SUM")
//!         / Measure::named("EventDuration.SUM").sum_over_siblings("Room"),
//! )?;
//!
//! let result = Query::new()
//!     .measures(["EventDuration.SUM", "%Time"])
//!     .levels(["Hour/Hour", "Room"])
//!     .execute(&cube)?;
//! // (08, bullpen) 10 1.0 · (09, bullpen) 30 0.333… · (09, lab) 60 0.666…
//! assert_eq!(result.num_rows(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub mod cube;
pub mod error;
pub mod measure;
pub mod parquet;
pub mod query;
pub mod table;
pub mod value;

pub use cube::{Cube, CubeState, DatePattern, Hierarchy, Level, LevelSource};
pub use error::{Error, Result};
pub use measure::{BinaryOp, Measure, OriginAggregation};
pub use query::{Comparison, DrillThrough, Filter, Query};
pub use table::{
    ColumnKind, ColumnSpec, Dictionary, StagedRows, StringDerivation, Table, TableOptions,
};
pub use value::Value;
