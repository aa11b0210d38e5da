//! Drill-through: the facts behind a cell.

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;

use crate::cube::Cube;
use crate::error::Result;

use super::Filter;

/// The fact rows of a slice of the cube: every live fact that the level filters keep.
///
/// ```
/// # use std::sync::Arc;
/// # use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
/// use flowcube_core::{Cube, DrillThrough, Filter, Table, TableOptions};
/// # let batch = RecordBatch::try_from_iter([
/// #     ("Room", Arc::new(StringArray::from(vec!["a", "b", "a"])) as ArrayRef),
/// #     ("Duration", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
/// # ])?;
/// let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
/// let facts = DrillThrough::new()
///     .filter(Filter::eq("Room", "a"))
///     .columns(["Duration"])
///     .execute(&cube)?;
/// assert_eq!(facts.num_rows(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrillThrough {
    /// Level filters; all must hold. Measure filters are not allowed here.
    pub filters: Vec<Filter>,
    /// The columns to return, all when `None`.
    pub columns: Option<Vec<String>>,
    /// The most rows to return.
    pub limit: Option<usize>,
}

impl DrillThrough {
    /// A drill-through to every fact.
    pub fn new() -> DrillThrough {
        DrillThrough::default()
    }

    /// Adds a level filter.
    pub fn filter(mut self, filter: Filter) -> DrillThrough {
        self.filters.push(filter);
        self
    }

    /// Chooses the columns.
    pub fn columns<I, S>(mut self, columns: I) -> DrillThrough
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Returns at most `rows` rows.
    pub fn limit(mut self, rows: usize) -> DrillThrough {
        self.limit = Some(rows);
        self
    }

    /// The facts, in table order.
    ///
    /// # Errors
    /// Unknown names, or a measure filter.
    pub fn execute(&self, cube: &Cube) -> Result<RecordBatch> {
        let state = cube.snapshot();
        let table = state.table();
        let columns: Vec<usize> = match &self.columns {
            None => (0..table.columns().len()).collect(),
            Some(names) => names
                .iter()
                .map(|n| table.column_index(n))
                .collect::<Result<_>>()?,
        };
        if self
            .filters
            .iter()
            .any(|f| matches!(f, Filter::Measure { .. }))
        {
            return Err(crate::Error::InvalidQuery(
                "a drill-through takes level filters only".into(),
            ));
        }
        let selected = cube.install(|| super::evaluate::select_rows(&state, &self.filters))?;
        let mut remaining = self.limit.unwrap_or(usize::MAX);
        let mut batches = Vec::new();
        for (partition, rows) in table.partitions().iter().zip(selected) {
            if remaining == 0 {
                break;
            }
            let rows = &rows[..rows.len().min(remaining)];
            remaining -= rows.len();
            if !rows.is_empty() {
                batches.push(table.take_rows(partition, rows, &columns)?);
            }
        }
        let schema = std::sync::Arc::new(table.schema().project(&columns)?);
        Ok(concat_batches(&schema, &batches)?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, AsArray, Int64Array, StringArray};
    use arrow::datatypes::Int64Type;

    use super::*;
    use crate::table::{Table, TableOptions};

    /// Ten facts over four partitions; rooms alternate `a`, `b`; values 0 to 9.
    fn cube() -> Cube {
        let batch = RecordBatch::try_from_iter([
            (
                "Room",
                Arc::new(StringArray::from_iter_values((0..10).map(|i| {
                    if i % 2 == 0 {
                        "a"
                    } else {
                        "b"
                    }
                }))) as ArrayRef,
            ),
            ("Value", Arc::new(Int64Array::from_iter_values(0..10))),
        ])
        .unwrap();
        let options = TableOptions::new("t").with_partition_rows(3);
        Cube::from_table(Table::try_from_batches(&[batch], options).unwrap())
    }

    fn values(batch: &RecordBatch) -> Vec<i64> {
        let column = batch.column_by_name("Value").unwrap();
        column.as_primitive::<Int64Type>().values().to_vec()
    }

    #[test]
    fn a_limit_keeps_the_first_facts_in_table_order_across_partitions() {
        let cube = cube();
        let a = || DrillThrough::new().filter(Filter::eq("Room", "a"));
        for (limit, expected) in [
            (0, vec![]),
            (1, vec![0]),
            (3, vec![0, 2, 4]),
            (5, vec![0, 2, 4, 6, 8]),
            (9, vec![0, 2, 4, 6, 8]),
        ] {
            let facts = a().limit(limit).execute(&cube).unwrap();
            assert_eq!(values(&facts), expected, "limit {limit}");
        }
        assert_eq!(values(&a().execute(&cube).unwrap()), [0, 2, 4, 6, 8]);
        let all = DrillThrough::new().limit(7).execute(&cube).unwrap();
        assert_eq!(values(&all), [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_measure_filter_is_refused() {
        let query = DrillThrough::new().filter(Filter::measure(
            "Value.SUM",
            crate::Comparison::Greater,
            1.0,
        ));
        assert!(query.execute(&cube()).is_err());
    }
}
