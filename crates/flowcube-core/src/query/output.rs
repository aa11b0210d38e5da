//! Query answers as Arrow record batches.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema};

use crate::error::Result;
use crate::value::Value;

use super::evaluate::{Cells, Column};

/// The record batch of a query answer: level columns, then measure columns.
pub(crate) fn record_batch(cells: &Cells) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, data_type, members) in &cells.levels {
        fields.push(Field::new(name, data_type.clone(), true));
        arrays.push(members_array(data_type, members));
    }
    for (name, column) in &cells.measures {
        let array: ArrayRef = match column {
            Column::Int(v) => Arc::new(Int64Array::from(v.clone())),
            Column::Float(v) => Arc::new(Float64Array::from(v.clone())),
        };
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    if arrays.is_empty() {
        let options = arrow::array::RecordBatchOptions::new().with_row_count(Some(0));
        return Ok(RecordBatch::try_new_with_options(schema, arrays, &options)?);
    }
    Ok(RecordBatch::try_new(schema, arrays)?)
}

fn members_array(data_type: &DataType, members: &[Value]) -> ArrayRef {
    match data_type {
        DataType::Int64 => Arc::new(
            members
                .iter()
                .map(|m| match m {
                    Value::Int(i) => Some(*i),
                    _ => None,
                })
                .collect::<Int64Array>(),
        ),
        DataType::Float64 => Arc::new(
            members
                .iter()
                .map(|m| match m {
                    Value::Float(x) => Some(*x),
                    _ => None,
                })
                .collect::<Float64Array>(),
        ),
        DataType::Boolean => Arc::new(
            members
                .iter()
                .map(|m| match m {
                    Value::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect::<BooleanArray>(),
        ),
        DataType::Timestamp(..) => Arc::new(
            members
                .iter()
                .map(|m| match m {
                    Value::Timestamp(t) => Some(*t),
                    _ => None,
                })
                .collect::<TimestampNanosecondArray>(),
        ),
        _ => Arc::new(
            members
                .iter()
                .map(|m| match m {
                    Value::Null => None,
                    Value::Str(s) => Some(s.to_string()),
                    other => Some(other.to_string()),
                })
                .collect::<StringArray>(),
        ),
    }
}
