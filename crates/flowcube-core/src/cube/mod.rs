//! Cubes: hierarchies of levels and named measures over a fact table.
//!
//! A [`Cube`] is a cheap, cloneable handle shared between threads. Each query works on a
//! [`CubeState`] snapshot taken when it starts, so an append that runs meanwhile is either
//! wholly visible to it or not at all.

pub mod aggregate;
pub mod date;

use std::sync::{Arc, Mutex, RwLock};

use arrow::array::RecordBatch;
use rayon::prelude::*;
use rayon::ThreadPool;

use crate::error::{Error, Result};
use crate::measure::Measure;
use crate::table::{ColumnKind, StagedRows, Table};

pub use aggregate::{
    AggregateSpec, TimeBucket, AGGREGATE_MIN_FACTS_PER_ROW, AGGREGATE_ROWS_ALWAYS_KEPT,
};
pub use date::DatePattern;

use aggregate::AggregateTable;

/// Where the members of a level come from.
#[derive(Debug, Clone, PartialEq)]
pub enum LevelSource {
    /// The values of a column.
    Column(usize),
    /// A date-format pattern applied to a timestamp column.
    Date {
        /// The timestamp column.
        column: usize,
        /// The pattern.
        pattern: DatePattern,
    },
}

impl LevelSource {
    /// The column the level reads.
    pub fn column(&self) -> usize {
        match self {
            LevelSource::Column(c) | LevelSource::Date { column: c, .. } => *c,
        }
    }
}

/// One level of a hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The level's name.
    pub name: String,
    /// Where its members come from.
    pub source: LevelSource,
}

/// An ordered list of levels, from the coarsest to the finest.
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchy {
    /// The dimension the hierarchy belongs to.
    pub dimension: String,
    /// The hierarchy's name.
    pub name: String,
    /// Its levels, coarsest first.
    pub levels: Vec<Level>,
}

impl Hierarchy {
    /// `dimension/hierarchy`.
    pub fn path(&self) -> String {
        format!("{}/{}", self.dimension, self.name)
    }
}

/// An immutable snapshot of a cube: its table, hierarchies and measures.
#[derive(Debug, Clone)]
pub struct CubeState {
    table: Table,
    hierarchies: Vec<Hierarchy>,
    measures: Vec<(String, Measure)>,
    aggregates: Vec<AggregateTable>,
}

impl CubeState {
    /// The fact table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The hierarchies, in creation order.
    pub fn hierarchies(&self) -> &[Hierarchy] {
        &self.hierarchies
    }

    /// The measures, in creation order.
    pub fn measures(&self) -> &[(String, Measure)] {
        &self.measures
    }

    /// The aggregate tables kept beside the facts.
    pub(crate) fn aggregates(&self) -> &[AggregateTable] {
        &self.aggregates
    }

    /// The rows held by each aggregate table.
    pub fn aggregate_rows(&self) -> Vec<usize> {
        self.aggregates.iter().map(|a| a.table.num_rows()).collect()
    }

    /// The measure named `name`.
    ///
    /// # Errors
    /// An unknown name, with the known ones.
    pub fn measure(&self, name: &str) -> Result<&Measure> {
        self.measures
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m)
            .ok_or_else(|| Error::UnknownMeasure {
                name: name.to_owned(),
                known: self.measures.iter().map(|(n, _)| n.clone()).collect(),
            })
    }

    /// The index of a hierarchy named `hierarchy` or `dimension/hierarchy`.
    ///
    /// # Errors
    /// An unknown or ambiguous name, with the candidates.
    pub fn hierarchy_index(&self, name: &str) -> Result<usize> {
        let (dimension, hierarchy) = match name.split_once('/') {
            Some((d, h)) => (Some(d), h),
            None => (None, name),
        };
        let found: Vec<usize> = (0..self.hierarchies.len())
            .filter(|&i| {
                let h = &self.hierarchies[i];
                h.name == hierarchy && dimension.is_none_or(|d| d == h.dimension)
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::UnknownHierarchy {
                name: name.to_owned(),
                known: self.hierarchies.iter().map(Hierarchy::path).collect(),
            }),
            many => Err(Error::AmbiguousHierarchy {
                name: name.to_owned(),
                candidates: many.iter().map(|&i| self.hierarchies[i].path()).collect(),
            }),
        }
    }

    /// The (hierarchy, depth) of a level named `level`, `hierarchy/level` or
    /// `dimension/hierarchy/level`.
    ///
    /// # Errors
    /// An unknown or ambiguous name, with the candidates.
    pub fn level_index(&self, name: &str) -> Result<(usize, usize)> {
        let parts: Vec<&str> = name.split('/').collect();
        let (dimension, hierarchy, level) = match parts.as_slice() {
            [l] => (None, None, *l),
            [h, l] => (None, Some(*h), *l),
            [d, h, l] => (Some(*d), Some(*h), *l),
            _ => (None, None, name),
        };
        let mut found = Vec::new();
        for (hi, h) in self.hierarchies.iter().enumerate() {
            if dimension.is_some_and(|d| d != h.dimension) || hierarchy.is_some_and(|n| n != h.name)
            {
                continue;
            }
            for (li, l) in h.levels.iter().enumerate() {
                if l.name == level {
                    found.push((hi, li));
                }
            }
        }
        let path = |&(h, l): &(usize, usize)| {
            format!(
                "{}/{}",
                self.hierarchies[h].path(),
                self.hierarchies[h].levels[l].name
            )
        };
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::UnknownLevel {
                name: name.to_owned(),
                known: self
                    .hierarchies
                    .iter()
                    .enumerate()
                    .flat_map(|(h, x)| (0..x.levels.len()).map(move |l| (h, l)))
                    .map(|hl| path(&hl))
                    .collect(),
            }),
            many => Err(Error::AmbiguousLevel {
                name: name.to_owned(),
                candidates: many.iter().map(path).collect(),
            }),
        }
    }

    fn check_new_hierarchy(&self, name: &str) -> Result<()> {
        let dimension = self.table.name();
        if self
            .hierarchies
            .iter()
            .any(|h| h.name == name && h.dimension == dimension)
        {
            return Err(Error::Duplicate {
                kind: "hierarchy",
                name: name.to_owned(),
            });
        }
        Ok(())
    }
}

/// A cube: a shared handle to the current [`CubeState`].
///
/// Cloning is cheap and clones share the state; the handle is `Send + Sync`.
#[derive(Clone)]
pub struct Cube {
    shared: Arc<Shared>,
    /// The pool this handle's queries and appends run on; rayon's global pool when `None`.
    pool: Option<Arc<ThreadPool>>,
}

struct Shared {
    state: RwLock<Arc<CubeState>>,
    // Serialises writers so that no append or definition is lost between read and swap.
    writer: Mutex<()>,
}

impl std::fmt::Debug for Cube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.snapshot();
        f.debug_struct("Cube")
            .field("table", &state.table.name())
            .field("rows", &state.table.num_rows())
            .field("hierarchies", &state.hierarchies.len())
            .field("measures", &state.measures.len())
            .finish()
    }
}

impl Cube {
    /// A cube over `table` with no hierarchy and the one measure `contributors.COUNT`.
    pub fn new(table: Table) -> Cube {
        Cube::from_state(CubeState {
            table,
            hierarchies: Vec::new(),
            measures: vec![("contributors.COUNT".to_owned(), Measure::Count)],
            aggregates: Vec::new(),
        })
    }

    /// A cube over `table` in the reference engine's auto mode: one single-level hierarchy
    /// per non-numeric column, in the dimension named after the table, and for each numeric
    /// column the measures `<column>.SUM` and `<column>.MEAN`, plus `contributors.COUNT`.
    pub fn from_table(table: Table) -> Cube {
        let dimension = table.name().to_owned();
        let mut hierarchies = Vec::new();
        let mut measures = vec![("contributors.COUNT".to_owned(), Measure::Count)];
        for (i, column) in table.columns().iter().enumerate() {
            if column.kind.is_numeric() {
                measures.push((format!("{}.SUM", column.name), Measure::sum(&column.name)));
                measures.push((format!("{}.MEAN", column.name), Measure::mean(&column.name)));
            } else {
                hierarchies.push(Hierarchy {
                    dimension: dimension.clone(),
                    name: column.name.clone(),
                    levels: vec![Level {
                        name: column.name.clone(),
                        source: LevelSource::Column(i),
                    }],
                });
            }
        }
        Cube::from_state(CubeState {
            table,
            hierarchies,
            measures,
            aggregates: Vec::new(),
        })
    }

    fn from_state(state: CubeState) -> Cube {
        Cube {
            shared: Arc::new(Shared {
                state: RwLock::new(Arc::new(state)),
                writer: Mutex::new(()),
            }),
            pool: None,
        }
    }

    /// A handle to the same cube whose queries and appends run on `pool` instead of
    /// rayon's global pool. It shares the state with `self`: an append through either
    /// handle is seen by both.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    /// use flowcube_core::{Cube, Query, Table, TableOptions};
    ///
    /// let batch = RecordBatch::try_from_iter([
    ///     ("Room", Arc::new(StringArray::from(vec!["lab", "bullpen"])) as ArrayRef),
    ///     ("Seconds", Arc::new(Int64Array::from(vec![5, 7])) as ArrayRef),
    /// ])?;
    /// let cube = Cube::from_table(Table::try_from_batches(&[batch.clone()], TableOptions::new("Flows"))?);
    /// let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    /// let single = cube.with_thread_pool(Arc::new(pool));
    ///
    /// single.append(&[batch])?;
    /// assert_eq!(cube.num_rows(), 4);
    /// let answer = Query::new().measures(["Seconds.SUM"]).execute(&single)?;
    /// assert_eq!(answer.num_rows(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_thread_pool(&self, pool: Arc<ThreadPool>) -> Cube {
        Cube {
            shared: Arc::clone(&self.shared),
            pool: Some(pool),
        }
    }

    /// The current state. Later appends do not change it.
    pub fn snapshot(&self) -> Arc<CubeState> {
        Arc::clone(&self.shared.state.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs `f` on the cube's thread pool.
    pub(crate) fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    /// Changes the state under the writer lock; the state is replaced only on success.
    fn update(&self, change: impl FnOnce(&mut CubeState) -> Result<()> + Send) -> Result<()> {
        let _writer = self.shared.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = (*self.snapshot()).clone();
        self.install(|| change(&mut next))?;
        *self.shared.state.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        Ok(())
    }

    /// Appends rows. Queries see all of them or none; on error nothing changes.
    ///
    /// The rows are converted ([`Cube::stage`]) before the cube's writer lock is taken,
    /// so that only their final joining waits for other writers.
    ///
    /// # Errors
    /// See [`Table::try_append`].
    pub fn append(&self, batches: &[RecordBatch]) -> Result<()> {
        let table = self.snapshot().table.clone();
        let staged = self.install(|| {
            batches
                .par_iter()
                .map(|batch| table.stage(batch))
                .collect::<Result<Vec<_>>>()
        })?;
        self.append_staged(staged)
    }

    /// Converts the rows of `batch` for this cube's table without adding them: see
    /// [`Table::stage`]. [`Cube::append_staged`] adds them.
    ///
    /// # Errors
    /// See [`Table::stage`].
    pub fn stage(&self, batch: &RecordBatch) -> Result<StagedRows> {
        let table = self.snapshot().table.clone();
        self.install(|| table.stage(batch))
    }

    /// Appends rows staged by [`Cube::stage`], in the order given. Queries see all of them
    /// or none; on error nothing changes.
    ///
    /// # Errors
    /// See [`Table::try_append_staged`].
    pub fn append_staged(&self, staged: Vec<StagedRows>) -> Result<()> {
        self.update(|state| {
            let span = tracing::debug_span!("append", batches = staged.len());
            let _enter = span.enter();
            state.table = state.table.try_append_staged(staged)?;
            for aggregate in &mut state.aggregates {
                aggregate.fold(&state.table)?;
            }
            tracing::debug!(rows = state.table.num_rows(), "appended");
            Ok(())
        })
    }

    /// Adds a hierarchy whose levels are read from a timestamp column through date-format
    /// patterns, e.g. `[("Day", "d"), ("Hour", "HH")]`.
    ///
    /// # Errors
    /// An unknown or non-timestamp column, a bad pattern, a hierarchy name in use.
    pub fn create_date_hierarchy(
        &self,
        name: &str,
        column: &str,
        levels: &[(&str, &str)],
    ) -> Result<()> {
        self.update(|state| {
            state.check_new_hierarchy(name)?;
            let c = state.table.column_index(column)?;
            let spec = &state.table.columns()[c];
            if spec.kind != ColumnKind::Timestamp {
                return Err(Error::ColumnType {
                    column: column.to_owned(),
                    actual: state.table.schema().field(c).data_type().clone(),
                    expected: "a timestamp".into(),
                });
            }
            let levels = levels
                .iter()
                .map(|(level, pattern)| {
                    Ok(Level {
                        name: (*level).to_owned(),
                        source: LevelSource::Date {
                            column: c,
                            pattern: DatePattern::parse(pattern)?,
                        },
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            if levels.is_empty() {
                return Err(Error::InvalidQuery(format!(
                    "hierarchy {name:?} has no level"
                )));
            }
            state.hierarchies.push(Hierarchy {
                dimension: state.table.name().to_owned(),
                name: name.to_owned(),
                levels,
            });
            Ok(())
        })
    }

    /// Adds a hierarchy whose levels are columns, coarsest first, e.g.
    /// `[("Site", "Site"), ("Floor", "Floor"), ("Room", "Room")]` as (level, column).
    ///
    /// # Errors
    /// An unknown column, no level, a hierarchy name in use.
    pub fn create_hierarchy(&self, name: &str, levels: &[(&str, &str)]) -> Result<()> {
        self.update(|state| {
            state.check_new_hierarchy(name)?;
            let levels = levels
                .iter()
                .map(|(level, column)| {
                    Ok(Level {
                        name: (*level).to_owned(),
                        source: LevelSource::Column(state.table.column_index(column)?),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            if levels.is_empty() {
                return Err(Error::InvalidQuery(format!(
                    "hierarchy {name:?} has no level"
                )));
            }
            state.hierarchies.push(Hierarchy {
                dimension: state.table.name().to_owned(),
                name: name.to_owned(),
                levels,
            });
            Ok(())
        })
    }

    /// Keeps an aggregate table beside the facts: one row per combination of `spec`'s
    /// columns and time bucket, with counts, sums, minima and maxima. Queries that it can
    /// answer (their levels, filters and distinct counts read only its columns, their date
    /// levels are no finer than its bucket) scan it instead of the facts, with the same
    /// answers. Appends keep it up to date.
    ///
    /// An aggregate that would hold more than one row per [`AGGREGATE_MIN_FACTS_PER_ROW`]
    /// facts (and more than [`AGGREGATE_ROWS_ALWAYS_KEPT`] rows), now or after an append,
    /// is dropped: it would cost about as much memory as the facts and save little work.
    /// Queries then read the facts, with the same answers.
    ///
    /// # Errors
    /// Unknown columns, a key column that is not a dictionary-encoded string, a time
    /// column that is not a timestamp, or a table with keys.
    pub fn add_aggregate(&self, spec: &AggregateSpec) -> Result<()> {
        self.update(|state| {
            let aggregate = AggregateTable::try_new(&state.table, spec)?;
            tracing::debug!(
                rows = aggregate.table.num_rows(),
                usable = aggregate.is_usable(),
                "aggregate table built"
            );
            state.aggregates.push(aggregate);
            Ok(())
        })
    }

    /// Adds a named measure, usable in any query and by other measures.
    ///
    /// # Errors
    /// A name in use, or a definition that refers to an unknown column, hierarchy or
    /// measure, or to itself.
    pub fn add_measure(&self, name: &str, measure: Measure) -> Result<()> {
        self.update(|state| {
            if state.measures.iter().any(|(n, _)| n == name) {
                return Err(Error::Duplicate {
                    kind: "measure",
                    name: name.to_owned(),
                });
            }
            state.measures.push((name.to_owned(), measure));
            crate::query::plan::check_measure(state, name)
        })
    }

    /// The number of live facts.
    pub fn num_rows(&self) -> usize {
        self.snapshot().table.num_rows()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn cube_handle_is_send_sync_clone() {
        assert_send_sync::<Cube>();
    }
}
