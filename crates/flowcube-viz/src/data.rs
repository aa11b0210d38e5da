//! Reading a chart's answer: level cells as text (a null level is a total), measures as
//! numbers.

use std::cmp::Ordering;
use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, TimestampNanosecondType};
use flowcube_iot::spec::format_timestamp;

use crate::error::{Error, Result};

/// The label of a total: a level cell that is null in the answer.
pub const TOTAL: &str = "Total";

/// A chart's answer, read by column name.
pub(crate) struct Answer<'a> {
    batch: &'a RecordBatch,
    /// The kind of picture drawn, for error messages.
    picture: &'static str,
}

impl<'a> Answer<'a> {
    pub(crate) fn new(batch: &'a RecordBatch, picture: &'static str) -> Self {
        Answer { batch, picture }
    }

    pub(crate) fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    pub(crate) fn column_names(&self) -> Vec<String> {
        self.batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn column(&self, name: &str) -> Result<&'a ArrayRef> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| Error::MissingColumn {
                column: name.to_owned(),
                picture: self.picture,
                columns: self.column_names(),
            })
    }

    /// The cells of a level column as text; `None` marks a total.
    pub(crate) fn level(&self, name: &str) -> Result<Vec<Option<String>>> {
        cells_as_text(self.column(name)?)
    }

    /// The cells of the column at `index` as text; `None` is a null.
    pub(crate) fn text_at(&self, index: usize) -> Result<Vec<Option<String>>> {
        cells_as_text(self.batch.column(index))
    }

    /// The cells of a measure column as numbers; `None` is a null.
    pub(crate) fn measure(&self, name: &str) -> Result<Vec<Option<f64>>> {
        numbers(name, self.column(name)?)
    }

    /// The name and numbers of the column at `index`.
    pub(crate) fn measure_at(&self, index: usize) -> Result<(String, Vec<Option<f64>>)> {
        let name = self.batch.schema().field(index).name().clone();
        let values = numbers(&name, self.batch.column(index))?;
        Ok((name, values))
    }

    /// The name of the last column, the measure of a one-measure chart.
    pub(crate) fn last_column_name(&self) -> String {
        let schema = self.batch.schema();
        schema
            .fields()
            .last()
            .map(|f| f.name().clone())
            .unwrap_or_default()
    }

    /// The rows of `measure` by the members of `levels`, split into leaves and totals.
    pub(crate) fn cells(&self, levels: &[&str], measure: &str) -> Result<Cells> {
        let columns = levels
            .iter()
            .map(|level| self.level(level))
            .collect::<Result<Vec<_>>>()?;
        let values = self.measure(measure)?;
        let mut cells = Cells::default();
        for (row, value) in values.into_iter().enumerate() {
            let Some(value) = value else { continue };
            let key: Vec<Option<String>> = columns.iter().map(|c| c[row].clone()).collect();
            if key.iter().all(Option::is_some) {
                cells
                    .leaves
                    .push((key.into_iter().flatten().collect(), value));
            } else {
                cells.totals.insert(key, value);
            }
        }
        Ok(cells)
    }

    /// Whether the column at `index` holds numbers.
    pub(crate) fn is_numeric_at(&self, index: usize) -> bool {
        self.batch.column(index).data_type().is_numeric()
    }
}

fn cells_as_text(column: &ArrayRef) -> Result<Vec<Option<String>>> {
    if let DataType::Timestamp(..) = column.data_type() {
        let nanos = cast(
            column,
            &DataType::Timestamp(arrow::datatypes::TimeUnit::Nanosecond, None),
        )?;
        return Ok(nanos
            .as_primitive::<TimestampNanosecondType>()
            .iter()
            .map(|t| t.map(format_timestamp))
            .collect());
    }
    let text = cast(column, &DataType::Utf8)?;
    Ok(text
        .as_string::<i32>()
        .iter()
        .map(|t| t.map(str::to_owned))
        .collect())
}

fn numbers(name: &str, column: &ArrayRef) -> Result<Vec<Option<f64>>> {
    if !column.data_type().is_numeric() {
        return Err(Error::NotNumeric {
            column: name.to_owned(),
            data_type: column.data_type().to_string(),
        });
    }
    let floats = cast(column, &DataType::Float64)?;
    Ok(floats.as_primitive::<Float64Type>().iter().collect())
}

/// One measure of an answer by the members of some levels.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    /// The leaf rows, every level a member, in answer order.
    pub(crate) leaves: Vec<(Vec<String>, f64)>,
    /// The rows where some level is a total (`None`).
    pub(crate) totals: HashMap<Vec<Option<String>>, f64>,
}

impl Cells {
    /// The total whose levels are `key` (`None` where the level is totalled).
    pub(crate) fn total(&self, key: &[Option<&str>]) -> Option<f64> {
        let key: Vec<Option<String>> = key.iter().map(|k| k.map(str::to_owned)).collect();
        self.totals.get(&key).copied()
    }

    /// The distinct members of level `index` among the leaves, in member order.
    pub(crate) fn members(&self, index: usize) -> Vec<String> {
        let cells: Vec<Option<String>> = self
            .leaves
            .iter()
            .map(|(key, _)| Some(key[index].clone()))
            .collect();
        members(&cells)
    }

    /// The largest leaf value, 0 when there is none.
    pub(crate) fn largest(&self) -> f64 {
        self.leaves.iter().map(|(_, v)| *v).fold(0.0, f64::max)
    }
}

/// Orders members as the cube does: numbers by value (days 4 < 10), text by code point.
pub(crate) fn member_cmp(a: &str, b: &str) -> Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The distinct members of `cells` (totals left out), in member order.
pub(crate) fn members<'c>(cells: impl IntoIterator<Item = &'c Option<String>>) -> Vec<String> {
    let mut members: Vec<String> = cells.into_iter().flatten().cloned().collect();
    members.sort_by(|a, b| member_cmp(a, b));
    members.dedup();
    members
}

/// A level cell as shown: its member, or "Total" for a null.
pub(crate) fn label(cell: &Option<String>) -> &str {
    cell.as_deref().unwrap_or(TOTAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_sort_numbers_by_value_and_skip_totals() {
        let cells = [
            Some("10".to_owned()),
            None,
            Some("4".to_owned()),
            Some("10".to_owned()),
        ];
        assert_eq!(members(&cells), ["4", "10"]);
        assert_eq!(member_cmp("conference1", "bullpen"), Ordering::Greater);
        assert_eq!(label(&None), TOTAL);
    }
}
