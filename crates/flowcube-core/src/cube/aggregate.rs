//! Aggregate tables: the facts pre-aggregated by some columns and a time bucket.
//!
//! Most questions asked of a fact table group by a few small dimensions and a coarse time
//! level. An aggregate table holds one row per combination of its key columns and time
//! bucket that has facts, with the count, and the sum, non-null count, minimum and maximum
//! of every numeric column. A query whose levels, filters and measures can all be read
//! from those rows scans them instead of the facts, with the same answer: every state
//! kept is additive, and the time bucket is no finer than any date level it serves.
//!
//! ```text
//!  facts (10^7)                              aggregate (~3 * 10^5)
//!  Room     Mac   EventTime  Duration        Room     Mac   EventTime(hour) count sum ...
//!  bullpen  a     08:01:13   12         ──>  bullpen  a     08:00           2     40
//!  bullpen  a     08:40:00   28
//! ```
//!
//! Appends fold the new partitions into new aggregate rows, so aggregates stay exact as
//! the table grows.
//!
//! An aggregate is worth keeping only while it is much smaller than the facts. One that
//! would hold more than one row per [`AGGREGATE_MIN_FACTS_PER_ROW`] facts (and more than
//! [`AGGREGATE_ROWS_ALWAYS_KEPT`] rows) is dropped while it is being built, before it costs more
//! memory than that; queries then read the facts, with the same answers.

use arrow::array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use rayon::prelude::*;
use std::sync::Arc;

use crate::cube::LevelSource;
use crate::error::{Error, Result};
use crate::query::aggregate::{BaseAggregate, Partial, ScanContext, States};
use crate::table::{ColumnData, ColumnKind, Partition, Table, TableOptions};

/// The fewest facts per aggregate row for an aggregate to be kept. Each aggregate row costs
/// about 50 bytes (keys, count, and four states per numeric column), so at this ratio the
/// aggregate adds at most about 6 bytes per fact while cutting a scan eightfold.
pub const AGGREGATE_MIN_FACTS_PER_ROW: usize = 8;

/// Aggregates of at most this many rows are kept whatever their ratio of facts per row:
/// they cost a few megabytes at most, and small tables stay served by them.
pub const AGGREGATE_ROWS_ALWAYS_KEPT: usize = 1 << 16;

/// Rows per partition of an aggregate table, at most. Aggregate rows come in order of
/// their key members (the first key column's first), so a filter on members skips the
/// partitions outside the members it keeps; small partitions make that skipping fine.
const AGGREGATE_PARTITION_ROWS: usize = 1 << 14;

/// The time grain of an aggregate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBucket {
    /// Whole seconds.
    Second,
    /// Whole minutes.
    Minute,
    /// Whole hours.
    Hour,
    /// Whole days.
    Day,
}

impl TimeBucket {
    /// The bucket's length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            TimeBucket::Second => 1,
            TimeBucket::Minute => 60,
            TimeBucket::Hour => 3_600,
            TimeBucket::Day => 86_400,
        }
    }

    fn nanos(self) -> i64 {
        self.seconds() * 1_000_000_000
    }
}

/// Which columns an aggregate table groups by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateSpec {
    /// Dictionary-encoded string columns kept as they are.
    pub columns: Vec<String>,
    /// A timestamp column kept truncated to a bucket.
    pub time: Option<(String, TimeBucket)>,
}

/// The aggregate columns of one numeric column of the facts.
#[derive(Debug, Clone, Copy)]
struct NumericColumns {
    sum: usize,
    non_null: usize,
    min: usize,
    max: usize,
    float: bool,
}

/// An aggregate table kept beside the facts.
#[derive(Debug, Clone)]
pub(crate) struct AggregateTable {
    pub(crate) table: Table,
    /// Per fact column: its column in the aggregate, for key columns.
    keys: Vec<Option<usize>>,
    /// The fact column kept by time bucket, and the bucket.
    time: Option<(usize, TimeBucket)>,
    count: usize,
    /// Per fact column: its aggregate columns, for numeric columns.
    numeric: Vec<Option<NumericColumns>>,
    /// The fact partitions folded in so far.
    folded: usize,
    /// The facts in those partitions.
    folded_facts: usize,
    /// False once a bucket's sum did not fit in 64 bits, or the aggregate grew too large
    /// for the facts it sums up: the table is then emptied and serves nothing.
    usable: bool,
}

impl AggregateTable {
    /// An aggregate of `facts` as `spec` says.
    pub(crate) fn try_new(facts: &Table, spec: &AggregateSpec) -> Result<AggregateTable> {
        if !facts.options().keys.is_empty() {
            return Err(Error::InvalidQuery(
                "aggregate tables need a table without keys: a replaced row cannot be \
                 taken out of a sum or a minimum"
                    .into(),
            ));
        }
        let schema = facts.schema();
        let mut fields = Vec::new();
        let mut keys = vec![None; facts.columns().len()];
        for name in &spec.columns {
            let c = facts.column_index(name)?;
            if facts.columns()[c].kind != ColumnKind::DictionaryString {
                return Err(Error::ColumnType {
                    column: name.clone(),
                    actual: schema.field(c).data_type().clone(),
                    expected: "a dictionary-encoded string column".into(),
                });
            }
            keys[c] = Some(fields.len());
            fields.push(Field::new(name, DataType::Utf8, false));
        }
        let time = match &spec.time {
            Some((name, bucket)) => {
                let c = facts.column_index(name)?;
                if facts.columns()[c].kind != ColumnKind::Timestamp {
                    return Err(Error::ColumnType {
                        column: name.clone(),
                        actual: schema.field(c).data_type().clone(),
                        expected: "a timestamp column".into(),
                    });
                }
                keys[c] = Some(fields.len());
                fields.push(Field::new(
                    name,
                    DataType::Timestamp(TimeUnit::Nanosecond, None),
                    true,
                ));
                Some((c, *bucket))
            }
            None => None,
        };
        let count = fields.len();
        fields.push(Field::new("__count", DataType::Int64, false));
        let mut numeric = vec![None; facts.columns().len()];
        for (c, column) in facts.columns().iter().enumerate() {
            let data_type = match column.kind {
                ColumnKind::Int64 => DataType::Int64,
                ColumnKind::Float64 => DataType::Float64,
                _ => continue,
            };
            let base = fields.len();
            fields.push(Field::new(
                format!("{}.__sum", column.name),
                data_type.clone(),
                false,
            ));
            fields.push(Field::new(
                format!("{}.__non_null", column.name),
                DataType::Int64,
                false,
            ));
            fields.push(Field::new(
                format!("{}.__min", column.name),
                data_type.clone(),
                true,
            ));
            fields.push(Field::new(
                format!("{}.__max", column.name),
                data_type,
                true,
            ));
            numeric[c] = Some(NumericColumns {
                sum: base,
                non_null: base + 1,
                min: base + 2,
                max: base + 3,
                float: column.kind == ColumnKind::Float64,
            });
        }
        let options = TableOptions::new(format!("{}#aggregate", facts.name()))
            .with_partition_rows(AGGREGATE_PARTITION_ROWS.min(facts.options().partition_rows));
        let mut aggregate = AggregateTable {
            table: Table::try_new(&Schema::new(fields), options)?,
            keys,
            time,
            count,
            numeric,
            folded: 0,
            folded_facts: 0,
            usable: true,
        };
        aggregate.fold(facts)?;
        Ok(aggregate)
    }

    /// The states aggregated per row: the count, then per numeric column its non-null
    /// count, sum, minimum and maximum.
    fn states(&self) -> Vec<(BaseAggregate, Option<usize>)> {
        let mut states = vec![(BaseAggregate::Count, Some(self.count))];
        for (c, numeric) in self.numeric.iter().enumerate() {
            if let Some(n) = numeric {
                let (sum, min, max) = if n.float {
                    (
                        BaseAggregate::SumFloat(c),
                        BaseAggregate::MinFloat(c),
                        BaseAggregate::MaxFloat(c),
                    )
                } else {
                    (
                        BaseAggregate::SumInt(c),
                        BaseAggregate::MinInt(c),
                        BaseAggregate::MaxInt(c),
                    )
                };
                states.push((BaseAggregate::NonNull(c), Some(n.non_null)));
                states.push((sum, Some(n.sum)));
                states.push((min, Some(n.min)));
                states.push((max, Some(n.max)));
            }
        }
        states
    }

    /// Whether queries may read this aggregate instead of the facts.
    pub(crate) fn is_usable(&self) -> bool {
        self.usable
    }

    /// Stops serving queries, for good, and frees the aggregate rows.
    fn disable(&mut self, facts: &Table) -> Result<()> {
        self.usable = false;
        self.folded = facts.partitions().len();
        self.table = Table::try_new(&self.table.schema(), self.table.options().clone())?;
        Ok(())
    }

    /// Folds the fact partitions not folded yet into new aggregate rows.
    // TODO: the new rows are not merged into the cells of earlier ones, so a stream of
    // small appends grows the aggregate by about a row per append and cell, until the
    // one-row-per-8-facts rule drops it; merging into existing cells would keep it small.
    pub(crate) fn fold(&mut self, facts: &Table) -> Result<()> {
        let partitions = &facts.partitions()[self.folded..];
        if partitions.is_empty() || !self.usable {
            self.folded = facts.partitions().len();
            return Ok(());
        }
        let new_facts: usize = partitions.iter().map(|p| p.len).sum();
        let facts_after = self.folded_facts + new_facts;
        // The new aggregate rows this fold may add before the aggregate is too large.
        let row_budget = (facts_after / AGGREGATE_MIN_FACTS_PER_ROW)
            .max(AGGREGATE_ROWS_ALWAYS_KEPT)
            .saturating_sub(self.table.num_rows());

        // Key digits: one per key column (its dictionary's size), then the time bucket.
        let key_columns: Vec<usize> = (0..self.keys.len())
            .filter(|&c| self.keys[c].is_some() && self.time.is_none_or(|(t, _)| t != c))
            .collect();
        let mut radices: Vec<u128> = key_columns
            .iter()
            .map(|&c| facts.dictionary(c).map_or(1, |d| d.len() as u128))
            .collect();
        let mut first_bucket = 0;
        if let Some((t, bucket)) = self.time {
            let (lo, hi) = partitions
                .iter()
                .filter_map(|p| p.time_ranges[t])
                .fold((i64::MAX, i64::MIN), |(a, b), (lo, hi)| {
                    (a.min(lo), b.max(hi))
                });
            first_bucket = lo.min(hi).div_euclid(bucket.nanos());
            let last_bucket = hi.max(lo).div_euclid(bucket.nanos());
            // One more digit value for a null time.
            radices.push((last_bucket - first_bucket) as u128 + 2);
        }
        let mut strides = vec![1u128; radices.len()];
        for i in (0..radices.len().saturating_sub(1)).rev() {
            strides[i] =
                strides[i + 1]
                    .checked_mul(radices[i + 1])
                    .ok_or_else(|| Error::TooManyCells {
                        requested: "more than 2^128 aggregate keys".into(),
                        limit: u64::MAX,
                    })?;
        }

        let states = self.states();
        let aggregates: Vec<BaseAggregate> = states.iter().map(|(a, _)| a.clone()).collect();
        let time = self.time;
        // Partitions are aggregated a few at a time in parallel, then merged in order into
        // one partial whose size is checked after every merge: the cells held stay within
        // the budget and a partition's worth, however fine the facts turn out to be.
        let partial_of = |p: &Partition| {
            let mut keys = vec![0u128; p.len];
            for (i, &c) in key_columns.iter().enumerate() {
                let ColumnData::Codes(codes) = &p.columns[c] else {
                    unreachable!("key columns are dictionary-encoded")
                };
                for (row, key) in keys.iter_mut().enumerate() {
                    *key += u128::from(codes.get(row)) * strides[i];
                }
            }
            if let Some((t, bucket)) = time {
                let ColumnData::Timestamp(ts) = &p.columns[t] else {
                    unreachable!("the time column holds timestamps")
                };
                let null_digit = radices[radices.len() - 1] - 1;
                for (row, key) in keys.iter_mut().enumerate() {
                    *key += if ts.is_valid(row) {
                        (ts.value(row).div_euclid(bucket.nanos()) - first_bucket) as u128
                    } else {
                        null_digit
                    };
                }
            }
            let mut partial = Partial::new(&aggregates, &[], None);
            let cells = partial.cells_of(&keys);
            let context = ScanContext {
                codes: &[],
                conditions: &[],
            };
            partial.update(p, &aggregates, None, &cells, &context);
            partial
        };
        let mut merged: Option<Partial> = None;
        for chunk in partitions.chunks(rayon::current_num_threads().max(1)) {
            let partials: Vec<Partial> = chunk.par_iter().map(partial_of).collect();
            for partial in partials {
                let total = match &mut merged {
                    Some(total) => {
                        total.merge(&partial);
                        total
                    }
                    None => merged.insert(partial),
                };
                if total.num_cells() > row_budget {
                    tracing::debug!(
                        facts = facts_after,
                        "aggregate table disabled: more than one row per {AGGREGATE_MIN_FACTS_PER_ROW} facts"
                    );
                    return self.disable(facts);
                }
            }
        }
        let partial = merged.expect("at least one partition");

        // The aggregate rows, in key order for a deterministic table.
        let mut cells = partial.cells_with_facts();
        cells.sort_unstable_by_key(|&(key, _)| key);
        let width = self.table.columns().len();
        let mut arrays: Vec<Option<ArrayRef>> = vec![None; width];
        for (i, &c) in key_columns.iter().enumerate() {
            let dictionary = facts.dictionary(c).expect("key columns have dictionaries");
            let strings: StringArray = cells
                .iter()
                .map(|&(key, _)| {
                    let code = (key / strides[i] % radices[i]) as u32;
                    Some(dictionary.value(code))
                })
                .collect();
            arrays[self.keys[c].expect("a key column")] = Some(Arc::new(strings));
        }
        if let Some((t, bucket)) = time {
            let radix = radices[radices.len() - 1];
            let times: TimestampNanosecondArray = cells
                .iter()
                .map(|&(key, _)| {
                    let digit = key % radix;
                    (digit != radix - 1).then(|| (first_bucket + digit as i64) * bucket.nanos())
                })
                .collect();
            arrays[self.keys[t].expect("the time column is a key")] = Some(Arc::new(times));
        }
        for ((_, target), state) in states.iter().zip(&partial.states) {
            let target = target.expect("every state has a column");
            let column: ArrayRef = match state {
                States::Count(v) => Arc::new(
                    cells
                        .iter()
                        .map(|&(_, i)| v[i] as i64)
                        .collect::<Int64Array>(),
                ),
                States::SumInt(v) => {
                    let sums: Option<Vec<i64>> = cells
                        .iter()
                        .map(|&(_, i)| i64::try_from(v[i]).ok())
                        .collect();
                    let Some(sums) = sums else {
                        tracing::debug!("an aggregate sum overflows 64 bits; aggregate disabled");
                        return self.disable(facts);
                    };
                    Arc::new(Int64Array::from(sums))
                }
                States::SumFloat(v) => Arc::new(
                    cells
                        .iter()
                        .map(|&(_, i)| v[i].value())
                        .collect::<Float64Array>(),
                ),
                States::MinInt(v) | States::MaxInt(v) => Arc::new(
                    cells
                        .iter()
                        .map(|&(_, i)| Some(v[i]))
                        .collect::<Int64Array>(),
                ),
                States::MinFloat(v) | States::MaxFloat(v) => Arc::new(
                    cells
                        .iter()
                        .map(|&(_, i)| Some(v[i]))
                        .collect::<Float64Array>(),
                ),
                States::Distinct(_) | States::Bits { .. } => {
                    unreachable!("aggregate tables keep no distinct states")
                }
            };
            arrays[target] = Some(column);
        }
        // A min or max over no value is null, as the non-null count says.
        for n in self.numeric.iter().flatten() {
            let counts = arrays[n.non_null].clone().expect("non-null column built");
            let counts = counts
                .as_any()
                .downcast_ref::<Int64Array>()
                .expect("counts are integers")
                .clone();
            for target in [n.min, n.max] {
                let column = arrays[target].take().expect("extreme column built");
                let nulls = arrow::buffer::NullBuffer::from(
                    counts.values().iter().map(|&c| c > 0).collect::<Vec<_>>(),
                );
                let data = column.to_data().into_builder().nulls(Some(nulls)).build()?;
                arrays[target] = Some(arrow::array::make_array(data));
            }
        }
        let arrays: Vec<ArrayRef> = arrays
            .into_iter()
            .map(|a| a.expect("every aggregate column built"))
            .collect();
        let batch = RecordBatch::try_new(self.table.schema(), arrays)?;
        self.table = self.table.try_append(&[batch])?;
        self.folded = facts.partitions().len();
        self.folded_facts = facts_after;
        Ok(())
    }

    /// The aggregate source serving a fact level source, if this table can.
    pub(crate) fn level_source(&self, source: &LevelSource) -> Option<LevelSource> {
        if !self.usable {
            return None;
        }
        match source {
            LevelSource::Column(c) => {
                if self.time.is_some_and(|(t, _)| t == *c) {
                    return None;
                }
                self.keys[*c].map(LevelSource::Column)
            }
            LevelSource::Date { column, pattern } => {
                let (t, bucket) = self.time?;
                (t == *column && pattern.finest_seconds() >= bucket.seconds()).then(|| {
                    LevelSource::Date {
                        column: self.keys[t].expect("the time column is a key"),
                        pattern: pattern.clone(),
                    }
                })
            }
        }
    }

    /// The aggregate serving a fact aggregate, with sources already mapped by `source`.
    pub(crate) fn aggregate(&self, aggregate: &BaseAggregate) -> Option<BaseAggregate> {
        if !self.usable {
            return None;
        }
        let numeric = |c: &usize| self.numeric[*c];
        Some(match aggregate {
            BaseAggregate::Count => BaseAggregate::SumCount(self.count),
            BaseAggregate::NonNull(c) => BaseAggregate::SumCount(numeric(c)?.non_null),
            BaseAggregate::SumInt(c) => BaseAggregate::SumInt(numeric(c)?.sum),
            // A bucket's float sum is rounded once already: summing those would round
            // again, so float sums (and means) are read from the facts.
            BaseAggregate::SumFloat(_) => return None,
            BaseAggregate::MinInt(c) => BaseAggregate::MinInt(numeric(c)?.min),
            BaseAggregate::MaxInt(c) => BaseAggregate::MaxInt(numeric(c)?.max),
            BaseAggregate::MinFloat(c) => BaseAggregate::MinFloat(numeric(c)?.min),
            BaseAggregate::MaxFloat(c) => BaseAggregate::MaxFloat(numeric(c)?.max),
            BaseAggregate::Distinct(encoder) => BaseAggregate::Distinct(*encoder),
            BaseAggregate::SumCount(_) => return None,
            BaseAggregate::Filtered { inner, condition } => BaseAggregate::Filtered {
                inner: Box::new(self.aggregate(inner)?),
                condition: *condition,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Int64Array, RecordBatch, StringArray};

    use super::*;

    /// Facts of `rows` rows whose device takes `devices` values, one room, no time.
    fn facts(rows: usize, devices: usize) -> Table {
        let batch = RecordBatch::try_from_iter([
            (
                "Device",
                Arc::new(StringArray::from_iter_values(
                    (0..rows).map(|i| format!("d{}", i % devices)),
                )) as ArrayRef,
            ),
            (
                "Value",
                Arc::new(Int64Array::from_iter_values(0..rows as i64)) as ArrayRef,
            ),
        ])
        .unwrap();
        Table::try_from_batches(
            &[batch],
            TableOptions::new("t").with_partition_rows(1 << 14),
        )
        .unwrap()
    }

    fn by_device() -> AggregateSpec {
        AggregateSpec {
            columns: vec!["Device".into()],
            time: None,
        }
    }

    #[test]
    fn an_aggregate_much_smaller_than_the_facts_is_kept() {
        let rows = AGGREGATE_ROWS_ALWAYS_KEPT * 2;
        let aggregate = AggregateTable::try_new(&facts(rows, 1000), &by_device()).unwrap();
        assert!(aggregate.is_usable());
        assert_eq!(aggregate.table.num_rows(), 1000);
    }

    #[test]
    fn an_aggregate_about_as_large_as_the_facts_is_dropped() {
        let rows = AGGREGATE_ROWS_ALWAYS_KEPT * 4;
        // Two facts per device: the aggregate would have half as many rows as the facts.
        let table = facts(rows, rows / 2);
        let aggregate = AggregateTable::try_new(&table, &by_device()).unwrap();
        assert!(!aggregate.is_usable());
        assert_eq!(aggregate.table.num_rows(), 0);

        // Below the rows always kept, the ratio does not matter.
        let small = facts(
            AGGREGATE_ROWS_ALWAYS_KEPT / 2,
            AGGREGATE_ROWS_ALWAYS_KEPT / 2,
        );
        let aggregate = AggregateTable::try_new(&small, &by_device()).unwrap();
        assert!(aggregate.is_usable());
        assert_eq!(aggregate.table.num_rows(), AGGREGATE_ROWS_ALWAYS_KEPT / 2);
    }

    #[test]
    fn an_aggregate_grown_too_large_by_appends_is_dropped() {
        let table = facts(AGGREGATE_ROWS_ALWAYS_KEPT, 100);
        let mut aggregate = AggregateTable::try_new(&table, &by_device()).unwrap();
        assert!(aggregate.is_usable());
        // New devices at every row: the aggregate would grow by one row per fact.
        let batch = RecordBatch::try_from_iter([
            (
                "Device",
                Arc::new(StringArray::from_iter_values(
                    (0..AGGREGATE_ROWS_ALWAYS_KEPT * 2).map(|i| format!("new{i}")),
                )) as ArrayRef,
            ),
            (
                "Value",
                Arc::new(Int64Array::from_iter_values(
                    0..AGGREGATE_ROWS_ALWAYS_KEPT as i64 * 2,
                )) as ArrayRef,
            ),
        ])
        .unwrap();
        let table = table.try_append(&[batch]).unwrap();
        aggregate.fold(&table).unwrap();
        assert!(!aggregate.is_usable());
        assert_eq!(aggregate.table.num_rows(), 0);
    }
}
