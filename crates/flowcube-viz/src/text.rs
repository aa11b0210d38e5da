//! A chart's answer as a text table, as the report and the examples print it.

use std::sync::Arc;

use arrow::array::{AsArray, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::util::display::FormatOptions;
use arrow::util::pretty::pretty_format_batches_with_options;
use flowcube_iot::notebook::Chart;

use crate::data::TOTAL;
use crate::error::Result;

/// The number of level columns that lead a chart's answer: every column but the
/// measures, or none for a drill-through, whose columns are the facts'.
pub fn level_columns(chart: &Chart, answer: &RecordBatch) -> usize {
    if chart.query.drillthrough.is_some() {
        return 0;
    }
    answer.num_columns() - chart.query.measures.len().min(answer.num_columns())
}

/// The first `rows` rows of `answer` (all when 0) as a text table, its first `levels`
/// columns read as members: a total's member, null in the answer, is written `Total`.
///
/// # Errors
/// Only if Arrow cannot write a column as text.
pub fn answer_table(answer: &RecordBatch, levels: usize, rows: usize) -> Result<String> {
    let shown = if rows == 0 {
        answer.num_rows()
    } else {
        rows.min(answer.num_rows())
    };
    let mut columns = answer.slice(0, shown).columns().to_vec();
    let mut fields: Vec<Field> = answer
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    for (column, field) in columns.iter_mut().zip(&mut fields).take(levels) {
        let text = cast(column, &DataType::Utf8)?;
        let labelled: StringArray = text
            .as_string::<i32>()
            .iter()
            .map(|v| Some(v.unwrap_or(TOTAL)))
            .collect();
        *column = Arc::new(labelled);
        *field = Field::new(field.name(), DataType::Utf8, false);
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?;
    let options = FormatOptions::default()
        .with_null("null")
        .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.f"));
    Ok(pretty_format_batches_with_options(&[batch], &options)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, Int64Array};

    #[test]
    fn totals_are_labelled_and_rows_cut() {
        let answer = RecordBatch::try_from_iter([
            (
                "Room",
                Arc::new(StringArray::from(vec![None, Some("lab"), Some("pen")])) as ArrayRef,
            ),
            (
                "n",
                Arc::new(Int64Array::from(vec![Some(3), None, Some(2)])) as ArrayRef,
            ),
        ])
        .unwrap();
        let text = answer_table(&answer, 1, 2).unwrap();
        assert!(text.contains("| Total | 3 "), "{text}");
        assert!(text.contains("| lab   | null |"), "{text}");
        assert!(!text.contains("pen"), "{text}");
        assert_eq!(
            answer_table(&answer, 1, 0).unwrap().matches("pen").count(),
            1
        );
    }
}
