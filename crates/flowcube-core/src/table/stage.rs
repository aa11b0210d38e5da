//! Rows converted for a table before they join it.
//!
//! An append has two steps. Staging converts a record batch into the table's partitions,
//! each with a small dictionary of its own, and needs nothing of the table but its columns:
//! it runs on any thread, in parallel, as the rows are read, so that the batch can be
//! dropped at once. Committing joins the staged partitions to a snapshot in row order:
//! their dictionaries are merged into the table's, which gives every string its code in
//! order of first appearance, as reading the rows one by one would.
//!
//! ```text
//!  batch ─stage─▶ StagedRows [ partition: codes into its own dictionary, numbers, ... ]
//!  batch ─stage─▶ StagedRows [ ... ]                     (any thread, any order)
//!
//!  table.try_append_staged([StagedRows, ...])  ─▶  new snapshot: dictionaries merged in
//!                                                  row order, codes mapped, keys applied
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray, StringBuilder};
use arrow::compute::cast;
use arrow::datatypes::UInt32Type;
use hashbrown::HashMap;
use rayon::prelude::*;

use super::{
    compact, ColumnData, ColumnKind, Dictionary, Exceptions, Partition, StringDerivation, Table,
    TableData, DEFAULT_NULL_MEMBER,
};
use crate::error::{Error, Result};
use crate::table::CodeArray;

/// Tells tables apart that were created separately, so that rows staged for one table
/// never join another one with other columns or derivations.
static NEXT_LINEAGE: AtomicU64 = AtomicU64::new(0);

/// A number that a new table and all its later snapshots share.
pub(super) fn new_lineage() -> u64 {
    NEXT_LINEAGE.fetch_add(1, Ordering::Relaxed)
}

/// Rows of one record batch converted for a table, not yet part of it (see
/// [`Table::stage`] and [`Table::try_append_staged`]).
///
/// They hold what the table will hold of the rows (about the size the rows will take in
/// the table), not the batch they came from.
#[derive(Debug)]
pub struct StagedRows {
    /// The lineage of the table the rows were staged for.
    lineage: u64,
    partitions: Vec<StagedPartition>,
}

impl StagedRows {
    /// The number of rows.
    pub fn num_rows(&self) -> usize {
        self.partitions.iter().map(|p| p.len).sum()
    }
}

/// A new partition before it joins the table.
#[derive(Debug)]
struct StagedPartition {
    len: usize,
    columns: Vec<StagedColumn>,
    time_ranges: Vec<Option<(i64, i64)>>,
    time_sorted: Vec<bool>,
}

/// A column of a new partition.
#[derive(Debug)]
enum StagedColumn {
    /// Stored as it is.
    Ready(ColumnData),
    /// Dictionary strings: the partition's distinct values in order of first appearance,
    /// and each row's index among them.
    Local {
        values: StringArray,
        codes: CodeArray,
    },
}

impl Table {
    /// Converts the rows of `batch` for this table without adding them, in parallel over
    /// the partitions they will fill; [`Table::try_append_staged`] adds them.
    ///
    /// This is the costly part of an append, and it needs only the table's columns: a
    /// loader can stage each batch as soon as it is read and drop the batch, so that a
    /// load holds the table and the staged rows rather than every batch it read.
    ///
    /// # Errors
    /// A batch that lacks a column of the table, or has one whose type cannot be converted.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    /// use flowcube_core::{Table, TableOptions};
    ///
    /// let batch = |rooms: Vec<&str>, values: Vec<i64>| {
    ///     RecordBatch::try_from_iter([
    ///         ("Room", Arc::new(StringArray::from(rooms)) as ArrayRef),
    ///         ("Seconds", Arc::new(Int64Array::from(values)) as ArrayRef),
    ///     ])
    /// };
    /// let first = batch(vec!["lab", "bullpen"], vec![5, 7])?;
    /// let table = Table::try_new(&first.schema(), TableOptions::new("Flows"))?;
    ///
    /// // Staged one by one, each batch can be dropped as soon as it is staged.
    /// let staged = vec![table.stage(&first)?, table.stage(&batch(vec!["bullpen"], vec![1])?)?];
    /// let table = table.try_append_staged(staged)?;
    /// assert_eq!(table.num_rows(), 3);
    /// // Codes follow the order in which the rows were staged and committed.
    /// assert_eq!(table.dictionary(0).unwrap().code("lab"), Some(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stage(&self, batch: &arrow::array::RecordBatch) -> Result<StagedRows> {
        let data = &*self.data;
        let arrays = data.conform(batch)?;
        let rows = batch.num_rows();
        let rows_per_partition = data.options.partition_rows.max(1);
        let offsets: Vec<usize> = (0..rows).step_by(rows_per_partition).collect();
        let partitions = offsets
            .par_iter()
            .map(|&offset| {
                data.stage_partition(&arrays, offset, rows_per_partition.min(rows - offset))
            })
            .collect::<Result<_>>()?;
        Ok(StagedRows {
            lineage: data.lineage,
            partitions,
        })
    }

    /// A new snapshot with the staged rows appended in the order given; `self` is left
    /// unchanged. With keys, a row replaces any earlier live row with the same key values,
    /// also among the staged rows (the last one wins).
    ///
    /// # Errors
    /// Rows staged for another table ([`Error::SchemaMismatch`]): staged rows join only
    /// snapshots of the table they were staged for.
    pub fn try_append_staged(&self, staged: impl IntoIterator<Item = StagedRows>) -> Result<Table> {
        let mut partitions = Vec::new();
        for rows in staged {
            if rows.lineage != self.data.lineage {
                return Err(Error::SchemaMismatch(
                    "the rows were staged for another table; stage them with this one".into(),
                ));
            }
            partitions.extend(rows.partitions);
        }
        let mut data = (*self.data).clone();

        // The partitions' dictionaries join the table's in row order, so that codes are
        // given in order of first appearance.
        let mut dictionaries: Vec<Option<Dictionary>> = vec![None; data.columns.len()];
        let maps: Vec<Vec<Vec<u32>>> = partitions
            .iter()
            .map(|partition| {
                partition
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(c, column)| match column {
                        StagedColumn::Local { values, .. } => {
                            let dictionary = dictionaries[c].get_or_insert_with(|| {
                                data.dictionaries[c].as_deref().cloned().unwrap_or_default()
                            });
                            values
                                .iter()
                                .map(|v| dictionary.intern(v.unwrap_or_default()))
                                .collect()
                        }
                        StagedColumn::Ready(_) => Vec::new(),
                    })
                    .collect()
            })
            .collect();

        // Then each partition's codes are mapped to the table's, in parallel.
        let built: Vec<Partition> = partitions
            .into_par_iter()
            .zip(maps)
            .map(|(partition, maps)| partition.finish(&maps))
            .collect();
        let first_new = data.partitions.len();
        for partition in built {
            data.live_rows += partition.len;
            data.partitions.push(partition);
        }
        for (slot, dictionary) in data.dictionaries.iter_mut().zip(dictionaries) {
            if let Some(dictionary) = dictionary {
                *slot = Some(Arc::new(dictionary));
            }
        }
        if !data.keys.is_empty() {
            data.apply_keys(first_new);
        }
        Ok(Table {
            data: Arc::new(data),
        })
    }
}

impl TableData {
    /// Rows `offset..offset + len` of a conformed batch as a partition, but for the codes
    /// of dictionary strings, which are the partition's own.
    fn stage_partition(
        &self,
        arrays: &[ArrayRef],
        offset: usize,
        len: usize,
    ) -> Result<StagedPartition> {
        let whole = offset == 0 && arrays.first().is_none_or(|a| a.len() == len);
        let mut columns = Vec::with_capacity(arrays.len());
        for (c, array) in arrays.iter().enumerate() {
            let column = if let Some((derivation, inputs)) = &self.derived[c] {
                let inputs = inputs
                    .iter()
                    .map(|&i| {
                        let input = arrays[i].slice(offset, len);
                        let target = self.columns[i].kind.data_type();
                        if input.data_type() == &target {
                            Ok(input)
                        } else {
                            Ok(cast(&input, &target)?)
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                let written = array.slice(offset, len);
                let exceptions = exceptions_of(derivation.as_ref(), &written, &inputs);
                StagedColumn::Ready(ColumnData::Derived(Arc::new(exceptions)))
            } else if self.columns[c].kind == ColumnKind::DictionaryString {
                let (values, codes) = local_codes(array, offset, len);
                StagedColumn::Local {
                    values: StringArray::from_iter_values(values),
                    codes: CodeArray::from_codes(codes),
                }
            } else {
                // A partition owns compact buffers: a slice would keep the whole batch's
                // buffers alive and make memory accounting count them once per slice.
                let slice = if whole {
                    Arc::clone(array)
                } else {
                    compact(&array.slice(offset, len))?
                };
                StagedColumn::Ready(self.store(c, &slice))
            };
            columns.push(column);
        }

        let timestamps = || {
            columns.iter().map(|column| match column {
                StagedColumn::Ready(ColumnData::Timestamp(ts)) => Some(ts),
                _ => None,
            })
        };
        let time_ranges = timestamps()
            .map(|ts| ts.and_then(|ts| arrow::compute::min(ts).zip(arrow::compute::max(ts))))
            .collect();
        let time_sorted = timestamps()
            .map(|ts| {
                ts.is_some_and(|ts| {
                    ts.null_count() == 0 && ts.values().windows(2).all(|w| w[0] <= w[1])
                })
            })
            .collect();
        Ok(StagedPartition {
            len,
            columns,
            time_ranges,
            time_sorted,
        })
    }
}

impl StagedPartition {
    /// The partition, `maps` giving the table's code of each local dictionary code.
    fn finish(self, maps: &[Vec<u32>]) -> Partition {
        // Every local code is used by some row, so the codes the rows hold range over the
        // map's values.
        let code_ranges = maps
            .iter()
            .map(|map| Some((*map.iter().min()?, *map.iter().max()?)))
            .collect();
        let columns = self
            .columns
            .into_iter()
            .zip(maps)
            .map(|(column, map)| match column {
                StagedColumn::Ready(data) => data,
                StagedColumn::Local { codes, .. } => {
                    let mapped = super::with_codes!(&codes, local => {
                        local.iter().map(|&code| map[u32::from(code) as usize]).collect()
                    });
                    ColumnData::Codes(CodeArray::from_codes(mapped))
                }
            })
            .collect();
        Partition {
            columns,
            len: self.len,
            deleted: None,
            time_ranges: self.time_ranges,
            time_sorted: self.time_sorted,
            code_ranges,
            cache: Arc::default(),
        }
    }
}

/// The rows whose written value is not the derived one.
fn exceptions_of(
    derivation: &dyn StringDerivation,
    written: &ArrayRef,
    inputs: &[ArrayRef],
) -> Exceptions {
    let derived = derivation.derive(inputs);
    let written = written.as_string::<i32>();
    let value = |row: usize| {
        if written.is_null(row) {
            DEFAULT_NULL_MEMBER
        } else {
            written.value(row)
        }
    };
    let mut rows: Vec<u32> = (0..written.len())
        .filter(|&row| derived.is_null(row) || derived.value(row) != value(row))
        .map(|row| row as u32)
        .collect();
    rows.shrink_to_fit();
    // Sized exactly, since a column of keys that follow no rule is all exceptions.
    let bytes = rows.iter().map(|&row| value(row as usize).len()).sum();
    let mut values = StringBuilder::with_capacity(rows.len(), bytes);
    for &row in &rows {
        values.append_value(value(row as usize));
    }
    Exceptions {
        rows,
        values: values.finish(),
    }
}

/// Rows `offset..offset + len` of a string column (plain or dictionary-encoded) as the
/// distinct values in order of first appearance and each row's index among them; nulls
/// are [`DEFAULT_NULL_MEMBER`].
fn local_codes<'a>(array: &'a ArrayRef, offset: usize, len: usize) -> (Vec<&'a str>, Vec<u32>) {
    let mut index: HashMap<&'a str, u32> = HashMap::new();
    let mut values = Vec::new();
    let mut code = |value: Option<&'a str>| -> u32 {
        let value = value.unwrap_or(DEFAULT_NULL_MEMBER);
        *index.entry(value).or_insert_with(|| {
            values.push(value);
            (values.len() - 1) as u32
        })
    };
    let codes = match array.as_dictionary_opt::<UInt32Type>() {
        Some(encoded) => {
            // Every value of the dictionary, then the null member, as a reader of the
            // dictionary would meet them.
            let map: Vec<u32> = encoded
                .values()
                .as_string::<i32>()
                .iter()
                .map(&mut code)
                .collect();
            let null = code(None);
            encoded
                .keys()
                .slice(offset, len)
                .iter()
                .map(|k| k.map_or(null, |k| map[k as usize]))
                .collect()
        }
        None => {
            let strings = array.as_string::<i32>();
            (offset..offset + len)
                .map(|row| code(strings.is_valid(row).then(|| strings.value(row))))
                .collect()
        }
    };
    (values, codes)
}

#[cfg(test)]
mod tests {
    use arrow::array::RecordBatch;

    use super::*;
    use crate::table::TableOptions;

    /// A table of rooms and values, none of them null.
    fn batch(rooms: &[&str], values: &[i64]) -> RecordBatch {
        let values: Vec<Option<i64>> = values.iter().copied().map(Some).collect();
        crate::table::tests::batch(rooms, &values)
    }

    #[test]
    fn staging_batches_apart_gives_the_table_of_one_append() {
        let batches = [
            batch(&["c", "a", "c", "b"], &[1, 2, 3, 4]),
            batch(&["d", "a"], &[5, 6]),
            batch(&["b", "e", "e"], &[7, 8, 9]),
        ];
        let options = TableOptions::new("t").with_partition_rows(3);
        let empty = Table::try_new(&batches[0].schema(), options).unwrap();
        let at_once = empty.try_append(&batches).unwrap();
        // Staged in reverse order, committed in row order.
        let mut staged: Vec<StagedRows> = batches
            .iter()
            .rev()
            .map(|b| empty.stage(b).unwrap())
            .collect();
        staged.reverse();
        let apart = empty.try_append_staged(staged).unwrap();

        assert_eq!(apart.num_partitions(), at_once.num_partitions());
        assert_eq!(
            apart.dictionary(0).unwrap().values().collect::<Vec<_>>(),
            ["c", "a", "b", "d", "e"]
        );
        assert_eq!(
            apart.to_record_batches().unwrap(),
            at_once.to_record_batches().unwrap()
        );
        assert_eq!(empty.num_rows(), 0);
    }

    #[test]
    fn rows_staged_for_another_table_are_refused() {
        let rows = batch(&["a"], &[1]);
        let one = Table::try_new(&rows.schema(), TableOptions::new("t")).unwrap();
        let other = Table::try_new(&rows.schema(), TableOptions::new("t")).unwrap();
        let staged = one.stage(&rows).unwrap();
        assert_eq!(staged.num_rows(), 1);
        let error = other.try_append_staged([staged]).unwrap_err();
        assert!(matches!(error, Error::SchemaMismatch(_)), "{error}");
        // A later snapshot of the same table takes rows staged for an earlier one.
        let later = one.try_append(&[batch(&["b"], &[2])]).unwrap();
        let table = later
            .try_append_staged([one.stage(&rows).unwrap()])
            .unwrap();
        assert_eq!(table.num_rows(), 2);
    }
}
