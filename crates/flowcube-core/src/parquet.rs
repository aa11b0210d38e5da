//! Parquet files in and out of tables.
//!
//! [`Table::read_parquet`] loads a file into a new table; [`Table::write_parquet`] writes a
//! table's live rows ([`Table::to_record_batches`]) to a file. The table stores what it
//! can group and sum, so a file's types are widened on the way in and written back widened:
//!
//! ```text
//!  file column (Arrow type)               table column          written back as
//!  Utf8, LargeUtf8, Utf8View,             string                Utf8, not null
//!    dictionary of strings                  (null -> "N/A")
//!  Int8 .. Int64, UInt8 .. UInt32         Int64                 Int64
//!  Float16, Float32, Float64              Float64               Float64
//!  Boolean                                Boolean               Boolean
//!  Timestamp (any unit, no time zone)     Timestamp (ns)        Timestamp(ns)
//!  Date32, Date64                         Timestamp (ns), 00:00 Timestamp(ns)
//! ```
//!
//! So a date column comes back from a round trip as a timestamp column at midnight, and a
//! null string as the member `"N/A"` ([`DEFAULT_NULL_MEMBER`]). A table, on the other hand,
//! round-trips exactly: writing it and reading the file back gives a table with the same
//! rows, values and schema (floats bit for bit, NaN and infinities included).
//!
//! [`DEFAULT_NULL_MEMBER`]: crate::table::DEFAULT_NULL_MEMBER
//!
//! Timestamps with a time zone (as many writers mark UTC instants), `UInt64`, decimals and
//! nested types have no table column kind; reading them fails with
//! [`Error::ColumnType`] naming the column.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::errors::ParquetError;
use ::parquet::file::properties::WriterProperties;
use arrow::array::{ArrayRef, RecordBatch, RecordBatchReader};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{Error, Result};
use crate::table::{Table, TableOptions};

impl Table {
    /// A table holding the rows of the Parquet file at `path`, with the file's columns.
    ///
    /// The file is read in batches of [`TableOptions::partition_rows`] rows, so that each
    /// batch fills one partition. Column types are converted as the
    /// [module documentation](crate::parquet) shows; in particular a `Date32` or `Date64`
    /// column becomes a timestamp column holding each date at midnight.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    /// use flowcube_core::{Cube, Query, Table, TableOptions};
    ///
    /// let batch = RecordBatch::try_from_iter([
    ///     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall"])) as ArrayRef),
    ///     ("Bytes", Arc::new(Int64Array::from(vec![Some(10), None, Some(5)])) as ArrayRef),
    /// ])?;
    /// let table = Table::try_from_batches(&[batch], TableOptions::new("Flows"))?;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("flows.parquet");
    /// table.write_parquet(&path)?;
    /// let read = Table::read_parquet(&path, TableOptions::new("Flows"))?;
    /// assert_eq!(read.to_record_batches()?, table.to_record_batches()?);
    ///
    /// let result = Query::new()
    ///     .measures(["Bytes.SUM"])
    ///     .levels(["Room"])
    ///     .execute(&Cube::from_table(read))?;
    /// assert_eq!(result.num_rows(), 2); // hall 5, lab 10
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Parquet`] with the path when the file cannot be opened or is not valid
    /// Parquet; [`Error::ColumnType`] for a column the table cannot store, or a date or
    /// timestamp outside the range of nanosecond timestamps (years 1677 to 2262); and the
    /// errors of [`Table::try_new`] for options that do not fit the file's columns.
    pub fn read_parquet(path: impl AsRef<Path>, options: TableOptions) -> Result<Table> {
        let path = path.as_ref();
        let with_path = |source: ParquetError| Error::Parquet {
            path: path.to_path_buf(),
            source,
        };

        let file = File::open(path).map_err(|e| with_path(e.into()))?;
        // A table makes at least one partition per batch: the reader's default of 1,024
        // rows would split a file into many small partitions.
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(with_path)?
            .with_batch_size(options.partition_rows)
            .build()
            .map_err(with_path)?;
        let schema = nanosecond_schema(&reader.schema());
        let batches = reader
            .map(|batch| {
                let batch = batch.map_err(|e| with_path(e.into()))?;
                to_nanosecond_times(&batch, &schema)
            })
            .collect::<Result<Vec<_>>>()?;

        let table = Table::try_new(&schema, options)?.try_append(&batches)?;
        tracing::debug!(
            path = %path.display(),
            rows = table.num_rows(),
            partitions = table.num_partitions(),
            "read parquet file"
        );
        Ok(table)
    }

    /// Writes the table's live rows to a Parquet file at `path` (Snappy-compressed),
    /// replacing any file there.
    ///
    /// String columns are written as `Utf8`, timestamps in nanoseconds without a time zone;
    /// [`Table::read_parquet`] gives back a table with the same rows. A write that fails
    /// midway leaves an incomplete file behind.
    ///
    /// # Errors
    /// [`Error::Parquet`] with the path when the file cannot be created or written.
    pub fn write_parquet(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let with_path = |source: ParquetError| Error::Parquet {
            path: path.to_path_buf(),
            source,
        };

        let batches = self.to_record_batches()?;
        let file = File::create(path).map_err(|e| with_path(e.into()))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut writer =
            ArrowWriter::try_new(file, self.schema(), Some(properties)).map_err(with_path)?;
        for batch in &batches {
            writer.write(batch).map_err(with_path)?;
        }
        writer.close().map_err(with_path)?;

        tracing::debug!(
            path = %path.display(),
            rows = self.num_rows(),
            "wrote parquet file"
        );
        Ok(())
    }
}

/// Whether a column of this type is stored as a nanosecond timestamp but arrives otherwise.
fn is_other_time(data_type: &DataType) -> bool {
    match data_type {
        DataType::Date32 | DataType::Date64 => true,
        DataType::Timestamp(unit, None) => *unit != TimeUnit::Nanosecond,
        _ => false,
    }
}

/// The file's schema with dates and timestamps of other units as nanosecond timestamps.
fn nanosecond_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if is_other_time(f.data_type()) {
                f.as_ref()
                    .clone()
                    .with_data_type(DataType::Timestamp(TimeUnit::Nanosecond, None))
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Converts date and timestamp columns to nanosecond timestamps, failing on a value out of
/// range. The table would convert them too, but its conversion turns such a value into
/// null, and a file's `9999-12-31` must not silently become a missing value.
fn to_nanosecond_times(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let strict = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(array, field)| {
            if !is_other_time(array.data_type()) {
                return Ok(Arc::clone(array));
            }
            cast_with_options(array, field.data_type(), &strict).map_err(|_| Error::ColumnType {
                column: field.name().clone(),
                actual: array.data_type().clone(),
                expected: "dates and times between 1677-09-21 and 2262-04-11, the range of \
                           nanosecond timestamps"
                    .into(),
            })
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    use arrow::array::{
        Array, BooleanArray, Date32Array, Float32Array, Float64Array, Int32Array, Int64Array,
        LargeStringArray, StringArray, TimestampMillisecondArray, TimestampNanosecondArray,
    };
    use arrow::compute::concat_batches;
    use proptest::prelude::*;

    use crate::table::ColumnKind;

    const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

    /// One row of the random tables.
    #[derive(Debug, Clone)]
    struct Row {
        name: Option<String>,
        count: Option<i64>,
        ratio: Option<f64>,
        flag: Option<bool>,
        time: Option<i64>,
    }

    fn row() -> impl Strategy<Value = Row> {
        let name = prop::option::weighted(
            0.8,
            prop_oneof![
                prop::sample::select(vec!["", "N/A", "lab", "Zürich", "a,b", "x\"y"])
                    .prop_map(String::from),
                "[a-z]{0,4}",
            ],
        );
        let ratio = prop::option::weighted(
            0.8,
            prop_oneof![
                any::<f64>(),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0),
            ],
        );
        (
            name,
            prop::option::weighted(0.8, any::<i64>()),
            ratio,
            prop::option::weighted(0.8, any::<bool>()),
            prop::option::weighted(0.9, any::<i64>()),
        )
            .prop_map(|(name, count, ratio, flag, time)| Row {
                name,
                count,
                ratio,
                flag,
                time,
            })
    }

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("Name", DataType::Utf8, true),
            Field::new("Count", DataType::Int64, true),
            Field::new("Ratio", DataType::Float64, true),
            Field::new("Flag", DataType::Boolean, true),
            Field::new(
                "Time",
                DataType::Timestamp(TimeUnit::Nanosecond, None),
                true,
            ),
        ]))
    }

    fn batch(rows: &[Row]) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.name.clone()))),
            Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.count))),
            Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.ratio))),
            Arc::new(BooleanArray::from_iter(rows.iter().map(|r| r.flag))),
            Arc::new(TimestampNanosecondArray::from_iter(
                rows.iter().map(|r| r.time),
            )),
        ];
        RecordBatch::try_new(schema(), columns).unwrap()
    }

    /// All live rows of a table as one batch, whatever its partitions.
    fn rows_of(table: &Table) -> RecordBatch {
        concat_batches(&table.schema(), &table.to_record_batches().unwrap()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn a_table_round_trips_through_parquet(
            rows in prop::collection::vec(row(), 0..80),
            chunks in 1usize..4,
            partition_rows in 1usize..30,
            plain_names in any::<bool>(),
            keyed in any::<bool>(),
        ) {
            let mut options = TableOptions::new("T").with_partition_rows(partition_rows);
            if plain_names {
                options = options.with_plain_strings(["Name"]);
            }
            if keyed {
                // Keys replace rows, so the file holds only the live ones.
                options = options.with_keys(["Name"]);
            }
            let mut table = Table::try_new(&schema(), options).unwrap();
            let size = rows.len().div_ceil(chunks).max(1);
            for chunk in rows.chunks(size) {
                table = table.try_append(&[batch(chunk)]).unwrap();
            }

            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.parquet");
            table.write_parquet(&path).unwrap();
            let read = Table::read_parquet(&path, TableOptions::new("T")).unwrap();

            prop_assert_eq!(read.schema(), table.schema());
            prop_assert_eq!(read.num_rows(), table.num_rows());
            prop_assert_eq!(rows_of(&read), rows_of(&table));
        }
    }

    #[test]
    fn dates_are_read_as_timestamps_at_midnight() {
        let days = Date32Array::from(vec![Some(0), None, Some(19_116), Some(-1)]);
        let file = RecordBatch::try_from_iter([("Day", Arc::new(days) as ArrayRef)]).unwrap();
        let table = read_back(&file).unwrap();
        assert_eq!(table.columns()[0].kind, ColumnKind::Timestamp);
        let expected = TimestampNanosecondArray::from(vec![
            Some(0),
            None,
            Some(19_116 * NANOS_PER_DAY),
            Some(-NANOS_PER_DAY),
        ]);
        assert_eq!(rows_of(&table).column(0).as_ref(), &expected as &dyn Array);
    }

    #[test]
    fn a_date_beyond_nanosecond_timestamps_is_an_error_not_a_null() {
        // 9999-12-31, a common "no end" date.
        let days = Date32Array::from(vec![Some(0), Some(2_932_896)]);
        let file = RecordBatch::try_from_iter([("Until", Arc::new(days) as ArrayRef)]).unwrap();
        let err = read_back(&file).unwrap_err();
        assert!(
            matches!(&err, Error::ColumnType { column, .. } if column == "Until"),
            "{err}"
        );
    }

    #[test]
    fn narrow_and_other_unit_columns_are_widened() {
        let file = RecordBatch::try_from_iter([
            (
                "Name",
                Arc::new(LargeStringArray::from(vec![Some("a"), None])) as ArrayRef,
            ),
            (
                "Small",
                Arc::new(Int32Array::from(vec![Some(-3), None])) as ArrayRef,
            ),
            (
                "Single",
                Arc::new(Float32Array::from(vec![Some(0.5), Some(f32::NAN)])) as ArrayRef,
            ),
            (
                "Millis",
                Arc::new(TimestampMillisecondArray::from(vec![Some(1_500), None])) as ArrayRef,
            ),
        ])
        .unwrap();
        let table = read_back(&file).unwrap();
        let kinds: Vec<ColumnKind> = table.columns().iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ColumnKind::DictionaryString,
                ColumnKind::Int64,
                ColumnKind::Float64,
                ColumnKind::Timestamp
            ]
        );
        let rows = rows_of(&table);
        assert_eq!(
            rows.column(0).as_ref(),
            &StringArray::from(vec!["a", "N/A"]) as &dyn Array
        );
        assert_eq!(
            rows.column(1).as_ref(),
            &Int64Array::from(vec![Some(-3), None]) as &dyn Array
        );
        let single = rows
            .column(2)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!(single.value(0), 0.5);
        assert!(single.value(1).is_nan());
        assert_eq!(
            rows.column(3).as_ref(),
            &TimestampNanosecondArray::from(vec![Some(1_500_000_000), None]) as &dyn Array
        );
    }

    #[test]
    fn a_large_file_fills_whole_partitions() {
        let rows: Vec<Row> = (0..2_500)
            .map(|i| Row {
                name: Some(format!("n{}", i % 7)),
                count: Some(i),
                ratio: None,
                flag: None,
                time: Some(i),
            })
            .collect();
        let table = Table::try_from_batches(&[batch(&rows)], TableOptions::new("T")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.parquet");
        table.write_parquet(&path).unwrap();

        let read =
            Table::read_parquet(&path, TableOptions::new("T").with_partition_rows(1_000)).unwrap();
        assert_eq!(read.num_partitions(), 3);
        assert_eq!(rows_of(&read), rows_of(&table));
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.parquet");
        let err = Table::read_parquet(&missing, TableOptions::new("T")).unwrap_err();
        assert!(matches!(&err, Error::Parquet { path, .. } if *path == missing));
        assert!(err.to_string().contains("missing.parquet"), "{err}");

        let not_parquet = dir.path().join("rooms.csv");
        std::fs::write(&not_parquet, "Room\nlab\n").unwrap();
        let err = Table::read_parquet(&not_parquet, TableOptions::new("T")).unwrap_err();
        assert!(matches!(&err, Error::Parquet { path, .. } if *path == not_parquet));

        let table = Table::try_new(&schema(), TableOptions::new("T")).unwrap();
        let unwritable = dir.path().join("no-such-folder").join("t.parquet");
        let err = table.write_parquet(&unwritable).unwrap_err();
        assert!(matches!(&err, Error::Parquet { path, .. } if *path == unwritable));
    }

    #[test]
    fn a_time_zone_is_refused_with_the_column() {
        let times = TimestampNanosecondArray::from(vec![0]).with_timezone("UTC");
        let file = RecordBatch::try_from_iter([("At", Arc::new(times) as ArrayRef)]).unwrap();
        let err = read_back(&file).unwrap_err();
        assert!(
            matches!(&err, Error::ColumnType { column, .. } if column == "At"),
            "{err}"
        );
    }

    /// Writes `batch` to a file as another program would, with its own types, and reads
    /// the file into a table.
    fn read_back(batch: &RecordBatch) -> Result<Table> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.parquet");
        let mut writer =
            ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
        writer.write(batch).unwrap();
        writer.close().unwrap();
        Table::read_parquet(&path, TableOptions::new("T"))
    }
}
