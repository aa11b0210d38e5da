//! Columnar fact tables.
//!
//! A [`Table`] is an immutable snapshot: a list of partitions of at most
//! [`TableOptions::partition_rows`] rows, each holding one Arrow array per column. String
//! columns are dictionary-encoded into one table-wide [`Dictionary`] per column, so a code
//! means the same string in every partition. Appending returns a new snapshot that shares
//! every earlier partition; the old snapshot stays valid and unchanged.
//!
//! ```text
//!  Table ──┬─ dictionaries: Room ["bullpen", "conference1", ...]   (codes 0, 1, ...)
//!          │                MacAddress [...]
//!          └─ partitions ── [ Room: u32 codes | FlowId: utf8 | EventTime: ts(ns) | ... ]
//!                           [ ... up to partition_rows rows each ...                  ]
//! ```

mod codes;
mod dictionary;
mod stage;

use std::sync::{Arc, Mutex};

use arrow::array::{make_array, MutableArrayData};
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray, UInt32Array,
};
use arrow::compute::{cast_with_options, take, CastOptions};
use arrow::datatypes::{
    DataType, Field, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit, TimestampNanosecondType,
};
use hashbrown::HashMap;
use rayon::prelude::*;
use roaring::RoaringBitmap;

pub(crate) use codes::{with_codes, CodeArray};
pub use dictionary::Dictionary;
pub use stage::StagedRows;

use crate::error::{Error, Result};

const STRICT_CAST: CastOptions<'static> = CastOptions {
    safe: false,
    format_options: arrow::util::display::FormatOptions::new(),
};

/// The member that a missing (null) string becomes, as in the reference engine.
pub const DEFAULT_NULL_MEMBER: &str = "N/A";

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Strings as `u32` codes into a table-wide dictionary.
    DictionaryString,
    /// Strings stored as written: for columns of (nearly) unique values such as keys.
    PlainString,
    /// 64-bit signed integers.
    Int64,
    /// 64-bit floats.
    Float64,
    /// Booleans.
    Boolean,
    /// Naive timestamps in nanoseconds.
    Timestamp,
    /// Strings computed from other columns, but for the rows stored as exceptions.
    DerivedString,
}

impl ColumnKind {
    /// Whether the column is numeric (it gets `.SUM` and `.MEAN` measures in auto mode).
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnKind::Int64 | ColumnKind::Float64)
    }

    fn data_type(self) -> DataType {
        match self {
            ColumnKind::DictionaryString | ColumnKind::PlainString | ColumnKind::DerivedString => {
                DataType::Utf8
            }
            ColumnKind::Int64 => DataType::Int64,
            ColumnKind::Float64 => DataType::Float64,
            ColumnKind::Boolean => DataType::Boolean,
            ColumnKind::Timestamp => DataType::Timestamp(TimeUnit::Nanosecond, None),
        }
    }
}

/// Computes a string column from other columns of the same rows, so that a column that
/// merely repeats others (a key made of a time and a device) costs no memory.
///
/// A table stores only the rows whose written value differs from the derived one, so
/// what it returns is always what was written.
pub trait StringDerivation: Send + Sync + std::fmt::Debug {
    /// The columns read, by name: none of them derived.
    fn inputs(&self) -> Vec<String>;

    /// The derived strings of some rows; `inputs[i]` holds the rows of input `i`, with
    /// the table's types (strings as `Utf8`, integers as `Int64`, timestamps in
    /// nanoseconds).
    fn derive(&self, inputs: &[ArrayRef]) -> StringArray;
}

/// Options of a table.
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// The table's name; the cube's dimension takes it.
    pub name: String,
    /// Key columns. With keys, a later row with the same key values replaces the earlier one.
    pub keys: Vec<String>,
    /// String columns to store as written rather than dictionary-encoded.
    pub plain_strings: Vec<String>,
    /// Rows per partition at most; partitions are the unit of parallel work.
    pub partition_rows: usize,
    /// String columns computed from others, with the rows that differ kept aside.
    pub derived: Vec<(String, Arc<dyn StringDerivation>)>,
}

impl TableOptions {
    /// Options with no keys, every string column dictionary-encoded.
    pub fn new(name: impl Into<String>) -> Self {
        TableOptions {
            name: name.into(),
            keys: Vec::new(),
            plain_strings: Vec::new(),
            partition_rows: 1 << 17,
            derived: Vec::new(),
        }
    }

    /// Stores string column `column` as derived from other columns by `derivation`.
    pub fn with_derived_string(
        mut self,
        column: impl Into<String>,
        derivation: Arc<dyn StringDerivation>,
    ) -> Self {
        self.derived.push((column.into(), derivation));
        self
    }

    /// Declares key columns (upsert on append).
    pub fn with_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Stores these string columns as written instead of dictionary-encoded.
    pub fn with_plain_strings<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.plain_strings = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the number of rows per partition (at least 1).
    pub fn with_partition_rows(mut self, rows: usize) -> Self {
        self.partition_rows = rows.max(1);
        self
    }
}

/// One column of a table: its name and storage kind.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    /// The column's name.
    pub name: String,
    /// How it is stored.
    pub kind: ColumnKind,
}

/// The stored values of one column in one partition.
#[derive(Debug, Clone)]
pub(crate) enum ColumnData {
    Codes(CodeArray),
    Utf8(StringArray),
    Int64(Int64Array),
    Float64(Float64Array),
    Boolean(BooleanArray),
    Timestamp(TimestampNanosecondArray),
    /// The rows whose written value differs from the derived one.
    Derived(Arc<Exceptions>),
}

/// Rows of a derived column stored as written: sorted row numbers and their values, in
/// one string array (a column whose values mostly differ from the derived ones costs
/// about what a plain string column would).
#[derive(Debug)]
pub(crate) struct Exceptions {
    rows: Vec<u32>,
    values: StringArray,
}

impl ColumnData {
    fn memory_size(&self) -> usize {
        match self {
            ColumnData::Codes(a) => a.memory_size(),
            ColumnData::Utf8(a) => a.get_buffer_memory_size(),
            ColumnData::Int64(a) => a.get_buffer_memory_size(),
            ColumnData::Float64(a) => a.get_buffer_memory_size(),
            ColumnData::Boolean(a) => a.get_buffer_memory_size(),
            ColumnData::Timestamp(a) => a.get_buffer_memory_size(),
            ColumnData::Derived(e) => e.rows.capacity() * 4 + e.values.get_buffer_memory_size(),
        }
    }
}

/// A horizontal slice of a table.
#[derive(Debug, Clone)]
pub(crate) struct Partition {
    pub(crate) columns: Vec<ColumnData>,
    pub(crate) len: usize,
    /// Rows replaced by a later row with the same key.
    pub(crate) deleted: Option<Arc<RoaringBitmap>>,
    /// The smallest and largest value of each timestamp column (`None`: no value).
    pub(crate) time_ranges: Vec<Option<(i64, i64)>>,
    /// Whether each timestamp column is without nulls and in ascending order, so that the
    /// rows of a time span can be found by binary search.
    pub(crate) time_sorted: Vec<bool>,
    /// The smallest and largest dictionary code of each dictionary-encoded column
    /// (`None` for other columns and empty partitions), so that a filter on members can
    /// skip partitions without reading their codes.
    pub(crate) code_ranges: Vec<Option<(u32, u32)>>,
    /// Level codes computed from the columns (date parts), shared by every snapshot that
    /// holds this partition.
    pub(crate) cache: Arc<Mutex<HashMap<LevelCacheKey, CodeArray>>>,
}

/// What a cached array of level codes was computed from: column, date pattern, year range.
pub(crate) type LevelCacheKey = (usize, String, i32, i32);

/// The (partition, row) of the live row of each key, keys encoded as bytes.
type KeyIndex = HashMap<Box<[u8]>, (u32, u32)>;

/// An immutable snapshot of a fact table. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct Table {
    data: Arc<TableData>,
}

#[derive(Debug, Clone)]
struct TableData {
    options: TableOptions,
    columns: Vec<ColumnSpec>,
    schema: SchemaRef,
    dictionaries: Vec<Option<Arc<Dictionary>>>,
    partitions: Vec<Partition>,
    keys: Vec<usize>,
    key_index: Option<Arc<KeyIndex>>,
    live_rows: usize,
    /// Per column: its derivation and the indices of its inputs, for derived columns.
    derived: Vec<Option<Derived>>,
    /// Shared by every snapshot of one table, and by no other table.
    lineage: u64,
    /// Level codes of runs of time buckets, which date filters list over the table's
    /// time range at every query; shared by the table's snapshots.
    bucket_cache: Arc<Mutex<HashMap<BucketCacheKey, Arc<Vec<u32>>>>>,
}

/// What a run of bucket codes was listed for: the level (as [`LevelCacheKey`]), the bucket
/// width and the first and last time, in nanoseconds.
pub(crate) type BucketCacheKey = (LevelCacheKey, i64, i64, i64);

/// Runs of bucket codes kept per table at most; past that the cache starts over.
const BUCKET_CACHE_ENTRIES: usize = 256;

/// A derivation and the indices of its input columns.
type Derived = (Arc<dyn StringDerivation>, Vec<usize>);

impl Table {
    /// An empty table with the columns of `schema`.
    ///
    /// Accepted types: strings (`Utf8`, `LargeUtf8`, `Utf8View`, dictionaries of strings),
    /// integers (stored as `Int64`), floats (stored as `Float64`), booleans, timestamps
    /// without a time zone (stored in nanoseconds), and dates (`Date32`, `Date64`, stored
    /// as timestamps at midnight: queries and drill-throughs return them as timestamps).
    ///
    /// # Errors
    /// A column of another type, a key or plain-string column that the schema lacks.
    pub fn try_new(schema: &Schema, options: TableOptions) -> Result<Table> {
        let mut columns = Vec::with_capacity(schema.fields().len());
        for field in schema.fields() {
            let kind = kind_of(field)?;
            let kind = if kind != ColumnKind::DictionaryString {
                kind
            } else if options.derived.iter().any(|(c, _)| c == field.name()) {
                ColumnKind::DerivedString
            } else if options.plain_strings.iter().any(|c| c == field.name()) {
                ColumnKind::PlainString
            } else {
                kind
            };
            columns.push(ColumnSpec {
                name: field.name().clone(),
                kind,
            });
        }
        let known = || columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        let mut keys = Vec::new();
        for key in &options.keys {
            match columns.iter().position(|c| &c.name == key) {
                Some(i) => keys.push(i),
                None => {
                    return Err(Error::UnknownColumn {
                        name: key.clone(),
                        known: known(),
                    })
                }
            }
        }
        for plain in &options.plain_strings {
            if !columns.iter().any(|c| &c.name == plain) {
                return Err(Error::UnknownColumn {
                    name: plain.clone(),
                    known: known(),
                });
            }
        }
        let mut derived = vec![None; columns.len()];
        for (name, derivation) in &options.derived {
            let c = columns
                .iter()
                .position(|x| &x.name == name)
                .filter(|&c| columns[c].kind == ColumnKind::DerivedString)
                .ok_or_else(|| Error::UnknownColumn {
                    name: name.clone(),
                    known: known(),
                })?;
            let inputs = derivation
                .inputs()
                .iter()
                .map(|input| {
                    columns
                        .iter()
                        .position(|x| &x.name == input && x.kind != ColumnKind::DerivedString)
                        .ok_or_else(|| Error::UnknownColumn {
                            name: input.clone(),
                            known: known(),
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            if keys.contains(&c) {
                return Err(Error::InvalidQuery(format!(
                    "derived column {name:?} cannot be a key"
                )));
            }
            derived[c] = Some((Arc::clone(derivation), inputs));
        }
        let fields: Vec<Field> = columns
            .iter()
            .map(|c| {
                // Every stored number, boolean and timestamp may be null, whatever the
                // first schema said: later batches may bring nulls.
                let nullable = !matches!(
                    c.kind,
                    ColumnKind::DictionaryString
                        | ColumnKind::PlainString
                        | ColumnKind::DerivedString
                );
                Field::new(&c.name, c.kind.data_type(), nullable)
            })
            .collect();
        let dictionaries = columns
            .iter()
            .map(|c| (c.kind == ColumnKind::DictionaryString).then(Default::default))
            .collect();
        let key_index = (!keys.is_empty()).then(Default::default);
        Ok(Table {
            data: Arc::new(TableData {
                options,
                columns,
                schema: Arc::new(Schema::new(fields)),
                dictionaries,
                partitions: Vec::new(),
                keys,
                key_index,
                live_rows: 0,
                derived,
                lineage: stage::new_lineage(),
                bucket_cache: Arc::default(),
            }),
        })
    }

    /// A table holding the rows of `batches`, with the schema of the first one.
    ///
    /// # Errors
    /// As [`Table::try_new`] and [`Table::try_append`]; no batch at all is an error.
    pub fn try_from_batches(batches: &[RecordBatch], options: TableOptions) -> Result<Table> {
        let first = batches
            .first()
            .ok_or_else(|| Error::SchemaMismatch("no record batch to take a schema from".into()))?;
        Table::try_new(&first.schema(), options)?.try_append(batches)
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.data.options.name
    }

    /// The options the table was made with.
    pub fn options(&self) -> &TableOptions {
        &self.data.options
    }

    /// The columns, in schema order.
    pub fn columns(&self) -> &[ColumnSpec] {
        &self.data.columns
    }

    /// The Arrow schema of the rows (string columns as `Utf8`).
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.data.schema)
    }

    /// The number of live rows (replaced rows of a keyed table excluded).
    pub fn num_rows(&self) -> usize {
        self.data.live_rows
    }

    /// The number of partitions.
    pub fn num_partitions(&self) -> usize {
        self.data.partitions.len()
    }

    /// The index of the column named `name`.
    ///
    /// # Errors
    /// An unknown name, with the known ones.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.data
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| Error::UnknownColumn {
                name: name.to_owned(),
                known: self.data.columns.iter().map(|c| c.name.clone()).collect(),
            })
    }

    /// The dictionary of a dictionary-encoded column.
    pub fn dictionary(&self, column: usize) -> Option<&Arc<Dictionary>> {
        self.data.dictionaries.get(column)?.as_ref()
    }

    pub(crate) fn partitions(&self) -> &[Partition] {
        &self.data.partitions
    }

    /// Bytes held by each column's buffers (dictionaries included), in schema order.
    pub fn column_memory_sizes(&self) -> Vec<usize> {
        (0..self.data.columns.len())
            .map(|c| {
                let buffers: usize = self
                    .data
                    .partitions
                    .iter()
                    .map(|p| p.columns[c].memory_size())
                    .sum();
                buffers
                    + self.data.dictionaries[c]
                        .as_ref()
                        .map_or(0, |d| d.heap_size())
            })
            .collect()
    }

    /// Approximate bytes held by the table: column buffers and dictionaries.
    pub fn memory_size(&self) -> usize {
        let columns: usize = self
            .data
            .partitions
            .iter()
            .flat_map(|p| p.columns.iter())
            .map(ColumnData::memory_size)
            .sum();
        let dictionaries: usize = self
            .data
            .dictionaries
            .iter()
            .flatten()
            .map(|d| d.heap_size())
            .sum();
        columns + dictionaries
    }

    /// A new snapshot with the rows of `batches` appended; `self` is left unchanged.
    ///
    /// Every batch is checked and converted before anything is shared, so a failure leaves
    /// no trace. With keys, a row replaces any earlier live row with the same key values,
    /// also within the batches themselves (the last one wins).
    ///
    /// # Errors
    /// A batch that lacks a column of the table, or has one whose type cannot be converted.
    pub fn try_append(&self, batches: &[RecordBatch]) -> Result<Table> {
        let staged: Vec<StagedRows> = batches
            .par_iter()
            .map(|batch| self.stage(batch))
            .collect::<Result<_>>()?;
        self.try_append_staged(staged)
    }

    /// The bucket codes of `key`, listed by `list` the first time and kept for the queries
    /// after; `None` when `list` cannot list them.
    pub(crate) fn bucket_codes(
        &self,
        key: BucketCacheKey,
        list: impl FnOnce() -> Option<Vec<u32>>,
    ) -> Option<Arc<Vec<u32>>> {
        let cache = &self.data.bucket_cache;
        if let Some(codes) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Some(Arc::clone(codes));
        }
        let codes = Arc::new(list()?);
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= BUCKET_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&codes));
        Some(codes)
    }

    /// The rows of the table as record batches (one per partition, replaced rows left out).
    ///
    /// # Errors
    /// Only on an internal Arrow failure.
    pub fn to_record_batches(&self) -> Result<Vec<RecordBatch>> {
        self.record_batches().collect()
    }

    /// The rows of the table as record batches, one per partition, each made when the
    /// iterator reaches it: a pass over a large table holds one partition's batch at a time.
    pub fn record_batches(&self) -> impl Iterator<Item = Result<RecordBatch>> + '_ {
        let all: Vec<usize> = (0..self.data.columns.len()).collect();
        self.batches_of(all)
    }

    /// The rows of the table as record batches of the named columns only, one per
    /// partition, each made when the iterator reaches it.
    ///
    /// # Errors
    /// An unknown column, named with the known ones.
    pub fn record_batches_of(
        &self,
        columns: &[&str],
    ) -> Result<impl Iterator<Item = Result<RecordBatch>> + '_> {
        let columns = columns
            .iter()
            .map(|name| self.column_index(name))
            .collect::<Result<Vec<_>>>()?;
        Ok(self.batches_of(columns))
    }

    fn batches_of(&self, columns: Vec<usize>) -> impl Iterator<Item = Result<RecordBatch>> + '_ {
        self.data.partitions.iter().map(move |p| {
            let rows: Vec<u32> = (0..p.len as u32)
                .filter(|r| p.deleted.as_ref().is_none_or(|d| !d.contains(*r)))
                .collect();
            self.take_rows(p, &rows, &columns)
        })
    }

    /// The given rows of a partition as a record batch of the given columns.
    pub(crate) fn take_rows(
        &self,
        partition: &Partition,
        rows: &[u32],
        columns: &[usize],
    ) -> Result<RecordBatch> {
        let indices = UInt32Array::from(rows.to_vec());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
        for &c in columns {
            let array: ArrayRef = match &partition.columns[c] {
                ColumnData::Codes(codes) => {
                    let dict = self.data.dictionaries[c]
                        .as_ref()
                        .expect("dictionary column has a dictionary");
                    let strings: StringArray = rows
                        .iter()
                        .map(|&r| Some(dict.value(codes.get(r as usize))))
                        .collect();
                    Arc::new(strings)
                }
                ColumnData::Utf8(a) => take(a, &indices, None)?,
                ColumnData::Int64(a) => take(a, &indices, None)?,
                ColumnData::Float64(a) => take(a, &indices, None)?,
                ColumnData::Boolean(a) => take(a, &indices, None)?,
                ColumnData::Timestamp(a) => take(a, &indices, None)?,
                ColumnData::Derived(exceptions) => {
                    let (derivation, inputs) =
                        self.data.derived[c].as_ref().expect("a derived column");
                    let inputs = self.take_rows(partition, rows, inputs)?;
                    let derived = derivation.derive(inputs.columns());
                    let values: StringArray = rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| match exceptions.rows.binary_search(r) {
                            Ok(e) => Some(exceptions.values.value(e)),
                            Err(_) => Some(derived.value(i)),
                        })
                        .collect();
                    Arc::new(values)
                }
            };
            arrays.push(array);
        }
        let fields: Vec<_> = columns
            .iter()
            .map(|&c| self.data.schema.field(c).clone())
            .collect();
        Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
    }
}

impl TableData {
    /// The batch's columns in table order, converted to the stored types.
    fn conform(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        let schema = batch.schema();
        let mut arrays = Vec::with_capacity(self.columns.len());
        for column in &self.columns {
            let index = schema.index_of(&column.name).map_err(|_| {
                Error::SchemaMismatch(format!(
                    "the batch has no column {:?}; it has {:?}",
                    column.name,
                    schema
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect::<Vec<_>>()
                ))
            })?;
            let array = batch.column(index);
            let mut target = column.kind.data_type();
            if let (ColumnKind::DictionaryString, DataType::Dictionary(_, value)) =
                (column.kind, array.data_type())
            {
                // Dictionary-encoded input keeps its encoding: its few values are interned
                // once, and its keys are mapped to codes without hashing each row.
                if value.is_string() {
                    target =
                        DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8));
                }
            }
            let array = if array.data_type() == &target {
                Arc::clone(array)
            } else {
                match array.data_type() {
                    DataType::Timestamp(_, Some(_)) => {
                        return Err(Error::ColumnType {
                            column: column.name.clone(),
                            actual: array.data_type().clone(),
                            expected: "a timestamp without time zone".into(),
                        })
                    }
                    // Unsafe casts fail on values out of range (a date past 2262 in
                    // nanoseconds) instead of turning them into nulls.
                    _ => cast_with_options(array, &target, &STRICT_CAST).map_err(|_| {
                        Error::ColumnType {
                            column: column.name.clone(),
                            actual: array.data_type().clone(),
                            expected: format!("{target} or a type that converts to it"),
                        }
                    })?,
                }
            };
            arrays.push(array);
        }
        Ok(arrays)
    }

    /// A column of any kind but dictionary and derived strings, as stored.
    fn store(&self, column: usize, array: &ArrayRef) -> ColumnData {
        match self.columns[column].kind {
            ColumnKind::DictionaryString | ColumnKind::DerivedString => {
                unreachable!("dictionary and derived strings are stored apart")
            }
            ColumnKind::PlainString => {
                let strings = array.as_string::<i32>();
                if strings.null_count() > 0 {
                    let filled: StringArray = strings
                        .iter()
                        .map(|s| Some(s.unwrap_or(DEFAULT_NULL_MEMBER)))
                        .collect();
                    ColumnData::Utf8(filled)
                } else {
                    ColumnData::Utf8(strings.clone())
                }
            }
            ColumnKind::Int64 => ColumnData::Int64(array.as_primitive::<Int64Type>().clone()),
            ColumnKind::Float64 => ColumnData::Float64(array.as_primitive::<Float64Type>().clone()),
            ColumnKind::Boolean => ColumnData::Boolean(array.as_boolean().clone()),
            ColumnKind::Timestamp => {
                ColumnData::Timestamp(array.as_primitive::<TimestampNanosecondType>().clone())
            }
        }
    }

    /// Marks rows replaced by later rows with the same key, from partition `first_new` on.
    fn apply_keys(&mut self, first_new: usize) {
        let mut index = self.key_index.as_deref().cloned().unwrap_or_default();
        let mut deleted: HashMap<u32, RoaringBitmap> = HashMap::new();
        let mut key = Vec::new();
        for p in first_new..self.partitions.len() {
            for row in 0..self.partitions[p].len {
                key.clear();
                self.encode_key(p, row, &mut key);
                let here = (p as u32, row as u32);
                if let Some((old_p, old_row)) = index.insert(key.clone().into_boxed_slice(), here) {
                    deleted.entry(old_p).or_default().insert(old_row);
                }
            }
        }
        for (p, rows) in deleted {
            let partition = &mut self.partitions[p as usize];
            let mut all = partition.deleted.as_deref().cloned().unwrap_or_default();
            let before = all.len();
            all |= rows;
            self.live_rows -= (all.len() - before) as usize;
            partition.deleted = Some(Arc::new(all));
        }
        self.key_index = Some(Arc::new(index));
    }

    fn encode_key(&self, partition: usize, row: usize, out: &mut Vec<u8>) {
        for &c in &self.keys {
            match &self.partitions[partition].columns[c] {
                ColumnData::Codes(a) => out.extend_from_slice(&a.get(row).to_le_bytes()),
                ColumnData::Utf8(a) => {
                    let s = a.value(row).as_bytes();
                    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                    out.extend_from_slice(s);
                }
                ColumnData::Int64(a) => push_nullable(out, a.is_valid(row), a.value(row)),
                ColumnData::Float64(a) => {
                    push_nullable(out, a.is_valid(row), a.value(row).to_bits() as i64)
                }
                ColumnData::Boolean(a) => {
                    push_nullable(out, a.is_valid(row), i64::from(a.value(row)))
                }
                ColumnData::Timestamp(a) => push_nullable(out, a.is_valid(row), a.value(row)),
                ColumnData::Derived(_) => unreachable!("derived columns are not keys"),
            }
        }
    }
}

/// The column of a partition with derived values computed: what levels over it read.
pub(crate) fn materialized(table: &Table, partition: &Partition, column: usize) -> ColumnData {
    match &partition.columns[column] {
        ColumnData::Derived(_) => {
            let rows: Vec<u32> = (0..partition.len as u32).collect();
            let batch = table
                .take_rows(partition, &rows, &[column])
                .expect("derived values of a stored partition");
            ColumnData::Utf8(batch.column(0).as_string::<i32>().clone())
        }
        other => other.clone(),
    }
}

/// A copy of `array` in buffers of its own size.
fn compact(array: &ArrayRef) -> Result<ArrayRef> {
    let data = array.to_data();
    let mut copy = MutableArrayData::new(vec![&data], false, array.len());
    copy.try_extend(0, 0, array.len())?;
    Ok(make_array(copy.freeze()))
}

fn push_nullable(out: &mut Vec<u8>, valid: bool, value: i64) {
    out.push(u8::from(valid));
    if valid {
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn kind_of(field: &Field) -> Result<ColumnKind> {
    let kind = match field.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ColumnKind::DictionaryString,
        DataType::Dictionary(_, value) if value.is_string() => ColumnKind::DictionaryString,
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => ColumnKind::Int64,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ColumnKind::Float64,
        DataType::Boolean => ColumnKind::Boolean,
        DataType::Timestamp(_, None) | DataType::Date32 | DataType::Date64 => ColumnKind::Timestamp,
        other => {
            return Err(Error::ColumnType {
                column: field.name().clone(),
                actual: other.clone(),
                expected: "a string, integer, float, boolean, date or timestamp without time zone"
                    .into(),
            })
        }
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};

    /// A table of rooms and values; also used by the tests of the sibling modules.
    pub(in crate::table) fn batch(rooms: &[&str], values: &[Option<i64>]) -> RecordBatch {
        RecordBatch::try_from_iter([
            (
                "Room",
                Arc::new(StringArray::from(rooms.to_vec())) as ArrayRef,
            ),
            (
                "Value",
                Arc::new(Int64Array::from(values.to_vec())) as ArrayRef,
            ),
        ])
        .unwrap()
    }

    #[test]
    fn append_shares_dictionary_codes_and_leaves_old_snapshot() {
        let options = TableOptions::new("t").with_partition_rows(2);
        let t1 = Table::try_from_batches(
            &[batch(&["a", "b", "a"], &[Some(1), None, Some(3)])],
            options,
        )
        .unwrap();
        assert_eq!(t1.num_rows(), 3);
        assert_eq!(t1.num_partitions(), 2);
        let t2 = t1
            .try_append(&[batch(&["c", "a"], &[Some(5), Some(6)])])
            .unwrap();
        assert_eq!(t1.num_rows(), 3);
        assert_eq!(t2.num_rows(), 5);
        let dict = t2.dictionary(0).unwrap();
        assert_eq!(dict.values().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(t1.dictionary(0).unwrap().len(), 2);
    }

    #[test]
    fn keys_replace_earlier_rows() {
        let options = TableOptions::new("t").with_keys(["Room"]);
        let t = Table::try_from_batches(
            &[batch(&["a", "b", "a"], &[Some(1), Some(2), Some(3)])],
            options,
        )
        .unwrap();
        assert_eq!(t.num_rows(), 2);
        let t = t.try_append(&[batch(&["b"], &[Some(9)])]).unwrap();
        assert_eq!(t.num_rows(), 2);
        let rows = t.to_record_batches().unwrap();
        let values: Vec<i64> = rows
            .iter()
            .flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec())
            .collect();
        assert_eq!(values, [3, 9]);
    }

    #[test]
    fn failed_append_leaves_table_unchanged() {
        let t =
            Table::try_from_batches(&[batch(&["a"], &[Some(1)])], TableOptions::new("t")).unwrap();
        let bad = RecordBatch::try_from_iter([(
            "Room",
            Arc::new(StringArray::from(vec!["z"])) as ArrayRef,
        )])
        .unwrap();
        let good = batch(&["q"], &[Some(2)]);
        assert!(t.try_append(&[good, bad]).is_err());
        assert_eq!(t.num_rows(), 1);
        assert_eq!(t.dictionary(0).unwrap().len(), 1);
    }

    #[test]
    fn dictionary_encoded_input_keeps_members() {
        use arrow::array::DictionaryArray;
        use arrow::datatypes::Int8Type;
        let rooms: DictionaryArray<Int8Type> = vec![Some("b"), None, Some("a"), Some("b")]
            .into_iter()
            .collect();
        let b = RecordBatch::try_from_iter([("Room", Arc::new(rooms) as ArrayRef)]).unwrap();
        let t = Table::try_from_batches(&[b], TableOptions::new("t")).unwrap();
        let dict = t.dictionary(0).unwrap();
        let rows = t.to_record_batches().unwrap();
        let strings: Vec<&str> = rows[0]
            .column(0)
            .as_string::<i32>()
            .iter()
            .flatten()
            .collect();
        assert_eq!(strings, ["b", "N/A", "a", "b"]);
        assert_eq!(dict.len(), 3);
    }

    #[test]
    fn null_strings_become_the_default_member() {
        let b = RecordBatch::try_from_iter([(
            "Room",
            Arc::new(StringArray::from(vec![Some("a"), None])) as ArrayRef,
        )])
        .unwrap();
        let t = Table::try_from_batches(&[b], TableOptions::new("t")).unwrap();
        assert_eq!(
            t.dictionary(0).unwrap().values().collect::<Vec<_>>(),
            ["a", "N/A"]
        );
    }

    #[test]
    fn codes_follow_first_appearance_across_partitions_and_batches() {
        // Partitions of two rows are coded in parallel; the table's codes must still come
        // in row order, as one pass over the rows gives them.
        let batch = |values: Vec<Option<&str>>| {
            RecordBatch::try_from_iter([("Room", Arc::new(StringArray::from(values)) as ArrayRef)])
                .unwrap()
        };
        let options = TableOptions::new("t").with_partition_rows(2);
        let t = Table::try_from_batches(
            &[
                batch(vec![Some("d"), Some("b"), Some("b"), Some("a"), None]),
                batch(vec![Some("c"), Some("a"), Some("e")]),
            ],
            options,
        )
        .unwrap();
        let t = t
            .try_append(&[batch(vec![Some("f"), Some("d"), Some("g")])])
            .unwrap();
        assert_eq!(
            t.dictionary(0).unwrap().values().collect::<Vec<_>>(),
            ["d", "b", "a", "N/A", "c", "e", "f", "g"]
        );
        let rows = t.to_record_batches().unwrap();
        let strings: Vec<&str> = rows
            .iter()
            .flat_map(|b| b.column(0).as_string::<i32>().iter().flatten())
            .collect();
        assert_eq!(
            strings,
            ["d", "b", "b", "a", "N/A", "c", "a", "e", "f", "d", "g"]
        );
    }
}
