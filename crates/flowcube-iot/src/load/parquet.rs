//! Flow facts from a Parquet file, checked by the same rules as a room CSV file.
//!
//! The file's columns are found by name and converted to the fact table of
//! [`flow_schema`](super::flow_schema):
//!
//! ```text
//!  file column               Arrow types accepted               fact column
//!  EventKey (or FlowId)      any string type                    FlowId, null -> ""
//!  EventTime                 Timestamp (any unit, no time       EventTime (ns); null is an
//!                              zone), or a string parsed like     error
//!                              a room file's field
//!  MacAddress                any string type                    MacAddress, null or "" -> N/A
//!  EventDuration             any integer type, or a string      EventDuration, null -> null;
//!                              parsed like a room file's field    a float or decimal value is
//!                                                                 an error
//!  Room (optional)           any string type                    Room, unless a room is given;
//!                                                                 null or "" is an error
//! ```
//!
//! "Any string type" is `Utf8`, `LargeUtf8`, `Utf8View` or a dictionary of one of them.
//! Other columns are not read.

use std::fs::File;
use std::path::Path;

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::arrow::ProjectionMask;
use ::parquet::errors::ParquetError;
use arrow::array::{Array, ArrayRef, AsArray, Int64Array, StringArray, StringBuilder, UInt64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type, TimeUnit, UInt64Type};
use arrow::record_batch::RecordBatch;
use arrow::util::display::array_value_to_string;

use super::{
    column_roles, parse_duration, parse_timestamp, shown, BatchBuilder, FileReport, LoadError,
    LoadOptions, LoadReport, RejectedRow, Result, Role, BATCH_ROWS, EXPECTED_DURATION,
    EXPECTED_TIME_RANGE, MAX_TEXT_BYTES, MISSING_MAC,
};

/// The required columns of a flow Parquet file: those of a room file, where the key may
/// also be named as in the fact table (`FlowId`), so that a file written from the fact
/// table's batches reads back.
const REQUIRED: [(&[&str], Role); 4] = [
    (&["EventKey", "FlowId"], Role::Key),
    (&["EventTime"], Role::Time),
    (&["MacAddress"], Role::Mac),
    (&["EventDuration"], Role::Duration),
];

/// The optional column naming each row's room.
const ROOM_COLUMN: &str = "Room";

/// What a null EventTime is not.
const EXPECTED_PRESENT_TIME: &str = "a non-null timestamp";
/// What a Room value must be.
const EXPECTED_ROOM: &str = "a non-empty room name";
/// How a null is shown in messages.
const NULL: &str = "null";

/// The types a text column may have.
const EXPECTED_TEXT_TYPE: &str = "a string type (Utf8, LargeUtf8, Utf8View or a dictionary)";
/// The types an EventTime column may have.
const EXPECTED_TIME_TYPE: &str = "a timestamp without a time zone, or a string type";
/// The types an EventDuration column may have.
const EXPECTED_DURATION_TYPE: &str = "an integer, float, decimal or string type";

/// Reads a Parquet file of flow facts as `options` ask, with the rules of a room file.
///
/// The columns are found by name: `EventKey` (or `FlowId`), `EventTime`, `MacAddress` and
/// `EventDuration`, in any order, others ignored. Each row's room is `room` when given
/// (a `Room` column is then ignored, as in a room file); otherwise the file's `Room` column
/// when it has one, else the file stem as for a room file (`lab.parquet` is the room `lab`).
///
/// Values get the rules of [`read_room_file_with`](super::read_room_file_with): a text
/// EventTime or EventDuration is parsed exactly like a room file's field; a timestamp column
/// may have any unit but no time zone; an integer duration of any width is kept if it fits
/// in 64 bits, while a float or decimal one is an error like `1.5` in a room file; a null
/// EventTime is an error, a null EventDuration is null, a null or empty MacAddress becomes
/// `N/A` and a null EventKey an empty FlowId, as an empty field does in a room file.
///
/// The file is streamed in batches of at most [`BATCH_ROWS`] rows; only the columns above
/// are read. Returns the facts in file order with the schema of
/// [`flow_schema`](super::flow_schema), so the same facts as a room file give the same
/// batches, and a report with the one file (its `room` is `room` or the file stem, also when
/// the rooms come from a column).
///
/// Errors and rejected rows about a value give, in their `line` field, the row's 1-based
/// number in the file (the first row is 1; a Parquet file has no header line).
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
/// use flowcube_iot::load::{read_flow_parquet, LoadError, LoadOptions};
/// use parquet::arrow::ArrowWriter;
///
/// let batch = RecordBatch::try_from_iter([
///     ("EventKey", Arc::new(StringArray::from(vec!["k1", "k2"])) as ArrayRef),
///     ("EventTime", Arc::new(StringArray::from(vec!["2022-04-04 10:00:00", "2022-04-31 10:00:00"])) as ArrayRef),
///     ("MacAddress", Arc::new(StringArray::from(vec!["aa", ""])) as ArrayRef),
///     ("EventDuration", Arc::new(Int64Array::from(vec![Some(5), None])) as ArrayRef),
/// ])?;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("lab.parquet");
/// let mut writer = ArrowWriter::try_new(std::fs::File::create(&path)?, batch.schema(), None)?;
/// writer.write(&batch)?;
/// writer.close()?;
///
/// // Strict: the impossible date of row 2 fails the read.
/// let err = read_flow_parquet(&path, None, &LoadOptions::strict()).unwrap_err();
/// assert!(matches!(err, LoadError::BadValue { line: 2, .. }));
///
/// // Lenient: row 2 is rejected, row 1 loads in the room `lab`.
/// let (batches, report) = read_flow_parquet(&path, None, &LoadOptions::lenient())?;
/// assert_eq!((report.rows(), report.num_rejected()), (1, 1));
/// assert_eq!(batches[0].num_rows(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`LoadError::Io`] if the file cannot be opened, [`LoadError::Parquet`] if it is not
/// readable Parquet, [`LoadError::MissingColumns`] or [`LoadError::DuplicateColumn`] for
/// faulty columns, [`LoadError::ColumnType`] for a column of a type its values cannot have,
/// [`LoadError::BadRoomName`] when the room must come from a file stem that is not UTF-8;
/// in strict mode [`LoadError::BadValue`] for the first value that does not fit its column
/// (in row order, then column order as in the file); and [`LoadError::Io`] naming the
/// rejects file if it cannot be written.
pub fn read_flow_parquet(
    path: &Path,
    room: Option<&str>,
    options: &LoadOptions,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let (batches, file) = read_in_batches(path, room, options.strict, BATCH_ROWS)?;
    tracing::debug!(
        path = %path.display(),
        rows = file.rows,
        rejected = file.rejected.len(),
        "read flow parquet file"
    );
    let report = LoadReport { files: vec![file] };
    report.write_rejects_as_asked(options)?;
    Ok((batches, report))
}

/// What a read column feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Feeds {
    /// `Room`.
    Room,
    /// One of the required columns.
    Fact(Role),
}

/// Reads the file in batches of `batch_rows` rows: its facts and its report.
fn read_in_batches(
    path: &Path,
    room: Option<&str>,
    strict: bool,
    batch_rows: usize,
) -> Result<(Vec<RecordBatch>, FileReport)> {
    let parquet_error = |source: ParquetError| LoadError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error)?;

    // Find the columns by name and check their types before reading any row.
    let schema = builder.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let roles = column_roles(path, &names, &REQUIRED)?;
    let mut read: Vec<(usize, Feeds)> = roles
        .iter()
        .enumerate()
        .filter(|(_, role)| **role != Role::Extra)
        .map(|(index, role)| (index, Feeds::Fact(*role)))
        .collect();
    let fixed_room = match room {
        Some(room) => Some(room.to_owned()),
        None => match room_column(path, &names)? {
            Some(index) => {
                read.push((index, Feeds::Room));
                None
            }
            None => Some(file_stem(path)?),
        },
    };
    read.sort_unstable_by_key(|(index, _)| *index);
    for &(index, feeds) in &read {
        check_type(path, &names[index], schema.field(index).data_type(), feeds)?;
    }

    let indices: Vec<usize> = read.iter().map(|(index, _)| *index).collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(batch_rows.max(1))
        .build()
        .map_err(parquet_error)?;

    let report_room = fixed_room.clone().unwrap_or_else(|| file_stem_lossy(path));
    let mut rows = RowReader {
        path,
        strict,
        fixed_room,
        rejected: Vec::new(),
        rows_read: 0,
        rows_kept: 0,
    };
    let mut batches = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|err| parquet_error(err.into()))?;
        let columns = read
            .iter()
            .zip(batch.columns())
            .map(|(&(index, feeds), array)| Column::new(&names[index], feeds, array))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| LoadError::Arrow {
                path: path.to_path_buf(),
                source,
            })?;
        rows.read_batch(&columns, batch.num_rows(), &mut batches)?;
    }
    let report = FileReport {
        room: report_room,
        path: path.to_path_buf(),
        rows: rows.rows_kept,
        rejected: rows.rejected,
    };
    Ok((batches, report))
}

/// The index of the `Room` column, if the file has one.
fn room_column(path: &Path, names: &[String]) -> Result<Option<usize>> {
    let mut at = names
        .iter()
        .enumerate()
        .filter(|(_, name)| *name == ROOM_COLUMN);
    match (at.next(), at.next()) {
        (Some(_), Some(_)) => Err(LoadError::DuplicateColumn {
            path: path.to_path_buf(),
            found: names.join(","),
            column: ROOM_COLUMN.to_owned(),
        }),
        (at, _) => Ok(at.map(|(index, _)| index)),
    }
}

/// The room named by the file stem, as for a room file.
fn file_stem(path: &Path) -> Result<String> {
    match path.file_stem().map(|stem| stem.to_str()) {
        Some(Some(stem)) if !stem.is_empty() => Ok(stem.to_owned()),
        Some(None) => Err(LoadError::BadRoomName {
            path: path.to_path_buf(),
            reason: "the file name is not UTF-8, so it cannot name a room",
        }),
        _ => Err(LoadError::BadRoomName {
            path: path.to_path_buf(),
            reason: "the file name has no stem to name a room",
        }),
    }
}

/// The file stem for the report, whatever its bytes.
fn file_stem_lossy(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether `data_type` is a type of text.
fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

/// Checks that the column `name`, of `data_type`, can hold what it feeds.
fn check_type(path: &Path, name: &str, data_type: &DataType, feeds: Feeds) -> Result<()> {
    let expected = match feeds {
        Feeds::Room | Feeds::Fact(Role::Key | Role::Mac | Role::Extra) => {
            (!is_text(data_type)).then_some(EXPECTED_TEXT_TYPE)
        }
        Feeds::Fact(Role::Time) => match data_type {
            DataType::Timestamp(_, None) => None,
            _ if is_text(data_type) => None,
            _ => Some(EXPECTED_TIME_TYPE),
        },
        Feeds::Fact(Role::Duration) => {
            let numeric = data_type.is_integer()
                || data_type.is_floating()
                || matches!(
                    data_type,
                    DataType::Decimal32(..)
                        | DataType::Decimal64(..)
                        | DataType::Decimal128(..)
                        | DataType::Decimal256(..)
                );
            (!numeric && !is_text(data_type)).then_some(EXPECTED_DURATION_TYPE)
        }
    };
    match expected {
        None => Ok(()),
        Some(expected) => Err(LoadError::ColumnType {
            path: path.to_path_buf(),
            column: name.to_owned(),
            found: data_type.to_string(),
            expected,
        }),
    }
}

/// One read column of a batch, in the form its values are checked in.
struct Column<'a> {
    /// The column's name in the file.
    name: &'a str,
    /// What it feeds.
    feeds: Feeds,
    /// The column as read, to show a bad value.
    original: &'a ArrayRef,
    /// Its values, converted.
    values: Values,
}

/// The values of a column, converted for checking.
enum Values {
    /// Text, cast to `Utf8`.
    Text(StringArray),
    /// Timestamps as integers of their unit, and the nanoseconds in one unit.
    Ticks(Int64Array, i64),
    /// Integers that fit in an `i64` whatever their value.
    Int(Int64Array),
    /// Unsigned 64-bit integers.
    UInt(UInt64Array),
    /// Numbers that may have a fraction (floats, decimals): no value is a duration.
    Fractional,
}

impl<'a> Column<'a> {
    /// The column `array`, named `name`, feeding `feeds`; its type was checked by
    /// [`check_type`].
    fn new(
        name: &'a str,
        feeds: Feeds,
        array: &'a ArrayRef,
    ) -> Result<Self, arrow::error::ArrowError> {
        let data_type = array.data_type();
        let values = if is_text(data_type) {
            Values::Text(cast(array, &DataType::Utf8)?.as_string::<i32>().clone())
        } else if let DataType::Timestamp(unit, _) = data_type {
            let nanos_per_tick = match unit {
                TimeUnit::Second => 1_000_000_000,
                TimeUnit::Millisecond => 1_000_000,
                TimeUnit::Microsecond => 1_000,
                TimeUnit::Nanosecond => 1,
            };
            let ticks = cast(array, &DataType::Int64)?
                .as_primitive::<Int64Type>()
                .clone();
            Values::Ticks(ticks, nanos_per_tick)
        } else if *data_type == DataType::UInt64 {
            Values::UInt(array.as_primitive::<UInt64Type>().clone())
        } else if data_type.is_integer() {
            // Every other integer type widens to i64 without loss.
            Values::Int(
                cast(array, &DataType::Int64)?
                    .as_primitive::<Int64Type>()
                    .clone(),
            )
        } else {
            Values::Fractional
        };
        Ok(Self {
            name,
            feeds,
            original: array,
            values,
        })
    }

    /// The text in `row`, `None` if null (only called on text columns).
    fn text(&self, row: usize) -> Option<&str> {
        match &self.values {
            Values::Text(texts) => texts.is_valid(row).then(|| texts.value(row)),
            _ => unreachable!("only text columns feed texts"),
        }
    }

    /// Bytes of text in the column (0 for other columns), to size the builders.
    fn text_bytes(&self) -> usize {
        match &self.values {
            Values::Text(texts) => texts.values().len(),
            _ => 0,
        }
    }

    /// The EventTime in `row`, in nanoseconds, or what it should have been.
    fn time(&self, row: usize) -> Result<i64, &'static str> {
        if self.original.is_null(row) {
            return Err(EXPECTED_PRESENT_TIME);
        }
        match &self.values {
            Values::Text(texts) => parse_timestamp(texts.value(row).as_bytes()),
            Values::Ticks(ticks, nanos_per_tick) => ticks
                .value(row)
                .checked_mul(*nanos_per_tick)
                .ok_or(EXPECTED_TIME_RANGE),
            _ => unreachable!("EventTime columns are timestamps or text"),
        }
    }

    /// The EventDuration in `row`, or what it should have been.
    fn duration(&self, row: usize) -> Result<Option<i64>, &'static str> {
        if self.original.is_null(row) {
            return Ok(None);
        }
        match &self.values {
            Values::Text(texts) => parse_duration(texts.value(row).as_bytes()),
            Values::Int(ints) => Ok(Some(ints.value(row))),
            Values::UInt(uints) => i64::try_from(uints.value(row))
                .map(Some)
                .map_err(|_| EXPECTED_DURATION),
            Values::Fractional => Err(EXPECTED_DURATION),
            Values::Ticks(..) => unreachable!("EventDuration columns are numbers or text"),
        }
    }

    /// The value in `row` as an error message shows it.
    fn shown(&self, row: usize) -> String {
        if self.original.is_null(row) {
            return NULL.to_owned();
        }
        match &self.values {
            Values::Text(texts) => shown(texts.value(row).as_bytes()),
            _ => array_value_to_string(self.original, row)
                .map(|value| shown(value.as_bytes()))
                .unwrap_or_default(),
        }
    }
}

/// Checks rows and gathers the facts of one file.
struct RowReader<'a> {
    /// The file.
    path: &'a Path,
    /// Whether a bad row fails the read (else it is rejected).
    strict: bool,
    /// The room of every row, unless the rooms come from a column.
    fixed_room: Option<String>,
    /// Rows rejected so far (lenient mode).
    rejected: Vec<RejectedRow>,
    /// Rows read so far, kept or not.
    rows_read: u64,
    /// Facts kept so far.
    rows_kept: u64,
}

impl RowReader<'_> {
    /// Checks the `num_rows` rows of `columns` (one per read column, in file order) and
    /// appends the batches of their facts to `batches`.
    fn read_batch(
        &mut self,
        columns: &[Column<'_>],
        num_rows: usize,
        batches: &mut Vec<RecordBatch>,
    ) -> Result<()> {
        let text_bytes = |role: Role| {
            columns
                .iter()
                .find(|column| column.feeds == Feeds::Fact(role))
                .map_or(0, Column::text_bytes)
        };
        let (key_bytes, mac_bytes) = (text_bytes(Role::Key), text_bytes(Role::Mac));
        let new_batch = || BatchBuilder::with_capacity(num_rows, key_bytes, mac_bytes);
        let mut batch = new_batch();
        let mut rooms = StringBuilder::new();
        'rows: for row in 0..num_rows {
            self.rows_read += 1;
            let mut room = self.fixed_room.as_deref().unwrap_or_default();
            let mut key = "";
            let mut time = 0;
            let mut mac = MISSING_MAC;
            let mut duration = None;
            // Cells are checked in file column order, so the error is the leftmost bad
            // cell, as in a room file.
            for (index, column) in columns.iter().enumerate() {
                let checked = match column.feeds {
                    Feeds::Room => match column.text(row) {
                        Some(text) if !text.is_empty() => {
                            room = text;
                            Ok(())
                        }
                        _ => Err(EXPECTED_ROOM),
                    },
                    Feeds::Fact(Role::Key) => {
                        key = column.text(row).unwrap_or_default();
                        Ok(())
                    }
                    Feeds::Fact(Role::Time) => column.time(row).map(|value| time = value),
                    Feeds::Fact(Role::Mac) => {
                        if let Some(text) = column.text(row).filter(|text| !text.is_empty()) {
                            mac = text;
                        }
                        Ok(())
                    }
                    Feeds::Fact(Role::Duration) => {
                        column.duration(row).map(|value| duration = value)
                    }
                    Feeds::Fact(Role::Extra) => Ok(()),
                };
                if let Err(expected) = checked {
                    self.reject(&columns[index], row, expected)?;
                    continue 'rows;
                }
            }
            if !batch.has_room_for(key, mac)
                || rooms.values_slice().len() + room.len() >= MAX_TEXT_BYTES
            {
                // TODO: a single value of 2 GiB or more cannot fit any batch; Arrow's reader
                // fails on such a file before this point is reached.
                let full = std::mem::replace(&mut batch, new_batch());
                batches.push(self.finish(full, &mut rooms)?);
            }
            batch.push(key, time, mac, duration);
            rooms.append_value(room);
            self.rows_kept += 1;
        }
        if batch.rows > 0 {
            batches.push(self.finish(batch, &mut rooms)?);
        }
        Ok(())
    }

    /// Fails the read in strict mode, else rejects the row: `column` in `row` of the
    /// current batch is not `expected`.
    #[cold]
    fn reject(&mut self, column: &Column<'_>, row: usize, expected: &'static str) -> Result<()> {
        let error = LoadError::BadValue {
            path: self.path.to_path_buf(),
            line: self.rows_read,
            column: column.name.to_owned(),
            value: column.shown(row),
            expected,
        };
        if self.strict {
            return Err(error);
        }
        self.rejected.push(RejectedRow::from_error(error, "")?);
        Ok(())
    }

    /// The record batch of `batch` with the rooms gathered beside it.
    fn finish(&self, batch: BatchBuilder, rooms: &mut StringBuilder) -> Result<RecordBatch> {
        batch
            .finish_with_rooms(rooms.finish())
            .map_err(|source| LoadError::Arrow {
                path: self.path.to_path_buf(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ::parquet::arrow::ArrowWriter;
    use arrow::array::{
        DictionaryArray, Float32Array, Int32Array, Int8Array, LargeStringArray,
        TimestampMillisecondArray, TimestampSecondArray,
    };
    use arrow::datatypes::Int32Type;
    use tempfile::TempDir;

    use super::*;
    use crate::load::{read_room_file_with, EXPECTED_REAL_TIME, EXPECTED_TIMESTAMP};

    /// 2022-04-04 10:00:00 in seconds.
    const APRIL_4_10H_SECS: i64 = 1_649_066_400;

    /// Writes the columns as `name` in `dir`.
    fn write(dir: &Path, name: &str, columns: Vec<(&str, ArrayRef)>) -> std::path::PathBuf {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let path = dir.join(name);
        let file = File::create(&path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        path
    }

    fn texts(values: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    /// A room file with the same facts, read by the CSV loader.
    fn csv_batches(dir: &Path, room: &str, lines: &[&str]) -> Vec<RecordBatch> {
        let path = dir.join(format!("{room}.csv"));
        let content = format!(
            "EventKey,EventTime,MacAddress,EventDuration\n{}\n",
            lines.join("\n")
        );
        std::fs::write(&path, content).unwrap();
        read_room_file_with(&path, room, &LoadOptions::strict())
            .unwrap()
            .0
    }

    fn strict(path: &Path, room: Option<&str>) -> Result<Vec<RecordBatch>> {
        read_flow_parquet(path, room, &LoadOptions::strict()).map(|(batches, _)| batches)
    }

    #[test]
    fn timestamps_of_any_unit_and_text_read_like_a_room_file() {
        let dir = TempDir::new().unwrap();
        let expected = csv_batches(
            dir.path(),
            "lab",
            &[
                "k1,2022-04-04 10:00:00,m,1",
                "k2,2022-04-04 10:00:01.5,m,-2",
            ],
        );
        let key = texts(&["k1", "k2"]);
        let mac: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::from_iter(["m", "m"]));
        let duration: ArrayRef = Arc::new(Int8Array::from(vec![1, -2]));
        let times: [ArrayRef; 3] = [
            texts(&["2022-04-04 10:00:00", "2022-04-04T10:00:01.5"]),
            Arc::new(TimestampMillisecondArray::from(vec![
                APRIL_4_10H_SECS * 1_000,
                APRIL_4_10H_SECS * 1_000 + 1_500,
            ])),
            Arc::new(LargeStringArray::from(vec![
                "2022-04-04 10:00:00.000",
                "2022-04-04 10:00:01.500000000",
            ])),
        ];
        for time in times {
            let path = write(
                dir.path(),
                "lab.parquet",
                vec![
                    ("MacAddress", mac.clone()),
                    ("EventDuration", duration.clone()),
                    ("Other", texts(&["x", "y"])),
                    ("EventTime", time),
                    ("EventKey", key.clone()),
                ],
            );
            assert_eq!(strict(&path, None).unwrap(), expected);
        }
    }

    #[test]
    fn the_room_is_the_given_one_else_the_column_else_the_file_stem() {
        let dir = TempDir::new().unwrap();
        let columns = |with_room: bool| {
            let mut columns = vec![
                ("EventKey", texts(&["k"])),
                ("EventTime", texts(&["2022-04-04 10:00:00"])),
                ("MacAddress", texts(&["m"])),
                (
                    "EventDuration",
                    Arc::new(Int32Array::from(vec![1])) as ArrayRef,
                ),
            ];
            if with_room {
                columns.push(("Room", texts(&["hall"])));
            }
            columns
        };
        let room_of =
            |batches: Vec<RecordBatch>| batches[0].column(0).as_string::<i32>().value(0).to_owned();
        let with_column = write(dir.path(), "lab.parquet", columns(true));
        let without = write(dir.path(), "annex.parquet", columns(false));
        assert_eq!(room_of(strict(&with_column, None).unwrap()), "hall");
        assert_eq!(room_of(strict(&with_column, Some("x")).unwrap()), "x");
        assert_eq!(room_of(strict(&without, None).unwrap()), "annex");
        assert_eq!(room_of(strict(&without, Some("x")).unwrap()), "x");

        let mut empty_room = columns(false);
        empty_room.push(("Room", texts(&[""])));
        let path = write(dir.path(), "lab.parquet", empty_room);
        let err = strict(&path, None).unwrap_err();
        assert!(
            matches!(&err, LoadError::BadValue { line: 1, column, expected: EXPECTED_ROOM, .. }
                if column == "Room"),
            "{err:?}"
        );
    }

    #[test]
    fn missing_and_doubled_columns_are_errors_naming_file_and_columns() {
        let dir = TempDir::new().unwrap();
        let path = write(
            dir.path(),
            "lab.parquet",
            vec![
                ("EventKey", texts(&["k"])),
                ("MacAddress", texts(&["m"])),
                ("Duration", texts(&["1"])),
            ],
        );
        let err = strict(&path, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: header \"EventKey,MacAddress,Duration\" lacks the column(s) EventTime, \
                 EventDuration; expected the columns EventKey, EventTime, MacAddress, \
                 EventDuration in any order",
                path.display()
            )
        );
        // Lenient mode fails on it too.
        assert!(read_flow_parquet(&path, None, &LoadOptions::lenient()).is_err());

        let path = write(
            dir.path(),
            "lab.parquet",
            vec![
                ("EventKey", texts(&["k"])),
                ("FlowId", texts(&["k"])),
                ("EventTime", texts(&["2022-04-04 10:00:00"])),
                ("MacAddress", texts(&["m"])),
                ("EventDuration", texts(&["1"])),
            ],
        );
        let err = strict(&path, None).unwrap_err();
        assert!(
            matches!(&err, LoadError::DuplicateColumn { column, .. } if column == "EventKey or FlowId"),
            "{err:?}"
        );
    }

    #[test]
    fn columns_of_the_wrong_type_are_errors_naming_them() {
        let dir = TempDir::new().unwrap();
        let utc = TimestampSecondArray::from(vec![APRIL_4_10H_SECS]).with_timezone("UTC");
        for (column, array, expected) in [
            ("EventTime", Arc::new(utc) as ArrayRef, EXPECTED_TIME_TYPE),
            (
                "EventKey",
                Arc::new(Int32Array::from(vec![1])),
                EXPECTED_TEXT_TYPE,
            ),
        ] {
            let mut columns = vec![
                ("EventKey", texts(&["k"])),
                ("EventTime", texts(&["2022-04-04 10:00:00"])),
                ("MacAddress", texts(&["m"])),
                ("EventDuration", texts(&["1"])),
            ];
            columns.retain(|(name, _)| *name != column);
            columns.push((column, array));
            let path = write(dir.path(), "lab.parquet", columns);
            let err = strict(&path, None).unwrap_err();
            assert!(
                matches!(&err, LoadError::ColumnType { column: name, expected: e, .. }
                    if name == column && *e == expected),
                "{err:?}"
            );
        }
    }

    #[test]
    fn bad_values_give_the_row_number_across_batches_and_the_room_file_reasons() {
        let dir = TempDir::new().unwrap();
        let path = write(
            dir.path(),
            "lab.parquet",
            vec![
                ("EventKey", texts(&["k1", "k2", "k3", "k4", "k5", "k6"])),
                (
                    "EventTime",
                    texts(&[
                        "2022-04-04 10:00:00",
                        "2022-04-04 10:00:00",
                        "2022-04-31 10:00:00",
                        "2022-04-04 10:00:00",
                        "yesterday",
                        "2022-04-04 10:00:00",
                    ]),
                ),
                ("MacAddress", texts(&["m", "", "m", "m", "m", "m"])),
                (
                    "EventDuration",
                    Arc::new(UInt64Array::from(vec![1, 2, 3, u64::MAX, 5, 6])) as ArrayRef,
                ),
            ],
        );
        let (batches, file) = read_in_batches(&path, None, false, 2).unwrap();
        let rejected: Vec<(u64, &str, &str, &str)> = file
            .rejected
            .iter()
            .map(|row| {
                (
                    row.line,
                    row.column.as_deref().unwrap(),
                    row.value.as_str(),
                    row.reason.strip_prefix("expected ").unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rejected,
            [
                (3, "EventTime", "2022-04-31 10:00:00", EXPECTED_REAL_TIME),
                (
                    4,
                    "EventDuration",
                    "18446744073709551615",
                    EXPECTED_DURATION
                ),
                (5, "EventTime", "yesterday", EXPECTED_TIMESTAMP),
            ]
        );
        assert_eq!(file.rows, 3);
        let rows: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
        assert_eq!(rows, [2, 1]);
        let macs: Vec<&str> = batches
            .iter()
            .flat_map(|batch| batch.column(3).as_string::<i32>().iter().flatten())
            .collect();
        assert_eq!(macs, ["m", "N/A", "m"]);

        // Strict mode stops at the first, with the same position.
        let err = read_in_batches(&path, None, true, 2).unwrap_err();
        assert!(
            matches!(err, LoadError::BadValue { line: 3, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn text_durations_parse_like_a_room_file_and_seconds_out_of_range_are_errors() {
        let dir = TempDir::new().unwrap();
        let path = write(
            dir.path(),
            "lab.parquet",
            vec![
                ("EventKey", texts(&["k1", "k2", "k3"])),
                (
                    "EventTime",
                    Arc::new(TimestampSecondArray::from(vec![
                        APRIL_4_10H_SECS,
                        APRIL_4_10H_SECS,
                        // Beyond 2262 in nanoseconds.
                        10_000_000_000_000,
                    ])) as ArrayRef,
                ),
                ("MacAddress", texts(&["m", "m", "m"])),
                ("EventDuration", texts(&["", "1.5", "3"])),
            ],
        );
        let (batches, report) = read_flow_parquet(&path, None, &LoadOptions::lenient()).unwrap();
        let rejected: Vec<(u64, &str)> = report
            .rejected()
            .map(|row| (row.line, row.column.as_deref().unwrap()))
            .collect();
        assert_eq!(rejected, [(2, "EventDuration"), (3, "EventTime")]);
        let expected = csv_batches(dir.path(), "lab", &["k1,2022-04-04 10:00:00,m,"]);
        assert_eq!(batches, expected);

        let floats = write(
            dir.path(),
            "lab.parquet",
            vec![
                ("EventKey", texts(&["k1"])),
                ("EventTime", texts(&["2022-04-04 10:00:00"])),
                ("MacAddress", texts(&["m"])),
                (
                    "EventDuration",
                    Arc::new(Float32Array::from(vec![1.0])) as ArrayRef,
                ),
            ],
        );
        let err = strict(&floats, None).unwrap_err();
        assert!(
            matches!(
                &err,
                LoadError::BadValue {
                    line: 1,
                    expected: EXPECTED_DURATION,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
