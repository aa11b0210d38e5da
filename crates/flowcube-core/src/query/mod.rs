//! Queries: measures over levels, with filters and totals, answered as Arrow record batches.
//!
//! ```
//! # use std::sync::Arc;
//! # use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
//! use flowcube_core::{Cube, Filter, Query, Table, TableOptions};
//!
//! # let batch = RecordBatch::try_from_iter([
//! #     ("Room", Arc::new(StringArray::from(vec!["a", "b", "a"])) as ArrayRef),
//! #     ("Duration", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
//! # ])?;
//! let table = Table::try_from_batches(&[batch], TableOptions::new("Flows"))?;
//! let cube = Cube::from_table(table);
//! let result = Query::new()
//!     .measures(["contributors.COUNT", "Duration.SUM"])
//!     .levels(["Room"])
//!     .filter(Filter::not_in("Room", ["b"]))
//!     .with_totals()
//!     .execute(&cube)?;
//! assert_eq!(result.num_rows(), 2); // the total, then room "a"
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod aggregate;
mod drill;
mod encode;
mod evaluate;
mod exact_sum;
mod output;
pub(crate) mod plan;

use arrow::array::RecordBatch;

use crate::cube::Cube;
use crate::error::Result;
use crate::value::Value;

pub use crate::measure::Comparison;

pub use drill::DrillThrough;

/// A restriction of a query.
///
/// Level filters restrict the facts before aggregation, so totals are totals of what is
/// kept. A measure filter drops result rows afterwards.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Facts whose member on `level` is (or, negated, is not) one of `members`.
    Members {
        /// The level, as `level`, `hierarchy/level` or `dimension/hierarchy/level`.
        level: String,
        /// The members.
        members: Vec<Value>,
        /// Keep the facts whose member is *not* listed.
        negate: bool,
    },
    /// Facts whose path on a multi-level hierarchy (`[4, "08"]` for Day 4, Hour 08) is
    /// listed. A path may be shorter than the hierarchy: it then keeps the whole subtree.
    Paths {
        /// The hierarchy, as `hierarchy` or `dimension/hierarchy`.
        hierarchy: String,
        /// The member paths, coarsest level first.
        paths: Vec<Vec<Value>>,
    },
    /// Facts whose member on `level` has a measure that passes a bound, the measure being
    /// evaluated per member over all facts.
    MemberMeasure {
        /// The level.
        level: String,
        /// The measure evaluated per member.
        measure: String,
        /// The comparison.
        comparison: Comparison,
        /// The bound.
        bound: f64,
    },
    /// Result rows whose measure passes a bound (null fails).
    Measure {
        /// The measure.
        measure: String,
        /// The comparison.
        comparison: Comparison,
        /// The bound.
        bound: f64,
    },
}

impl Filter {
    /// Facts whose member on `level` is `member`.
    pub fn eq(level: impl Into<String>, member: impl Into<Value>) -> Filter {
        Filter::Members {
            level: level.into(),
            members: vec![member.into()],
            negate: false,
        }
    }

    /// Facts whose member on `level` is one of `members`.
    pub fn is_in<V: Into<Value>>(
        level: impl Into<String>,
        members: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::Members {
            level: level.into(),
            members: members.into_iter().map(Into::into).collect(),
            negate: false,
        }
    }

    /// Facts whose member on `level` is none of `members`.
    pub fn not_in<V: Into<Value>>(
        level: impl Into<String>,
        members: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::Members {
            level: level.into(),
            members: members.into_iter().map(Into::into).collect(),
            negate: true,
        }
    }

    /// Facts whose path on `hierarchy` is one of `paths`.
    pub fn paths(hierarchy: impl Into<String>, paths: Vec<Vec<Value>>) -> Filter {
        Filter::Paths {
            hierarchy: hierarchy.into(),
            paths,
        }
    }

    /// Facts whose member on `level` has `measure > bound` over all facts.
    pub fn members_where(
        level: impl Into<String>,
        measure: impl Into<String>,
        comparison: Comparison,
        bound: f64,
    ) -> Filter {
        Filter::MemberMeasure {
            level: level.into(),
            measure: measure.into(),
            comparison,
            bound,
        }
    }

    /// Result rows whose `measure` compares to `bound`.
    pub fn measure(measure: impl Into<String>, comparison: Comparison, bound: f64) -> Filter {
        Filter::Measure {
            measure: measure.into(),
            comparison,
            bound,
        }
    }
}

/// A query: measures by levels, filtered, with or without totals.
///
/// The result has one column per level (a level of a multi-level hierarchy brings its
/// parent levels) then one per measure. Without totals there is one row per combination
/// of members that has facts; with totals, for each hierarchy every depth from its total
/// down to the level, crossed between hierarchies, with null for the levels aggregated
/// away. Rows are sorted by levels in query order, totals first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Measure names, in output order.
    pub measures: Vec<String>,
    /// Levels, as `level`, `hierarchy/level` or `dimension/hierarchy/level`.
    pub levels: Vec<String>,
    /// Filters; all must hold.
    pub filters: Vec<Filter>,
    /// Whether to add the total rows.
    pub include_totals: bool,
    /// The most cells the query may aggregate before it is refused; `None` for
    /// [`DEFAULT_MAX_CELLS`].
    pub max_cells: Option<u64>,
}

/// The default bound on the cells of one query: a query grouping by near-unique levels
/// (a key, a timestamp) could otherwise hold a state per fact and exhaust memory.
pub const DEFAULT_MAX_CELLS: u64 = 1 << 25;

impl Query {
    /// An empty query (no measure, no level).
    pub fn new() -> Query {
        Query::default()
    }

    /// Adds measures.
    pub fn measures<I, S>(mut self, measures: I) -> Query
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.measures.extend(measures.into_iter().map(Into::into));
        self
    }

    /// Adds levels.
    pub fn levels<I, S>(mut self, levels: I) -> Query
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.levels.extend(levels.into_iter().map(Into::into));
        self
    }

    /// Adds a filter.
    pub fn filter(mut self, filter: Filter) -> Query {
        self.filters.push(filter);
        self
    }

    /// Asks for the total rows: for each hierarchy of the query, every depth from its
    /// total down to the level asked, crossed between hierarchies. A level aggregated away
    /// is null in a total row, and comes before its members.
    ///
    /// Facts with no value on a boolean, number or date level are under a null member, the
    /// first of the level's members (null strings are the member `N/A` instead).
    // TODO: with totals, a null member's row is null on its level as a total row is; only
    // the order tells them apart. A grouping column saying which levels are totals would.
    pub fn with_totals(mut self) -> Query {
        self.include_totals = true;
        self
    }

    /// Refuses the query once it would aggregate more than `cells` cells.
    pub fn with_max_cells(mut self, cells: u64) -> Query {
        self.max_cells = Some(cells);
        self
    }

    /// Runs the query on the cube's current state.
    ///
    /// # Errors
    /// Unknown or ambiguous names, a sum that overflows 64 bits, a key space too large.
    pub fn execute(&self, cube: &Cube) -> Result<RecordBatch> {
        let state = cube.snapshot();
        cube.install(|| {
            let span =
                tracing::debug_span!("query", measures = ?self.measures, levels = ?self.levels);
            let _enter = span.enter();
            let cells = evaluate::evaluate(&state, self)?;
            output::record_batch(&cells)
        })
    }
}
