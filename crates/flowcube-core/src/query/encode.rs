//! Level encoders: every fact's member of a level as a dense `u32` code.

use std::sync::Arc;

use arrow::array::Array;
use arrow::datatypes::{DataType, TimeUnit};
use hashbrown::HashMap;

use crate::cube::date::{year_of, DateCoder};
use crate::cube::LevelSource;
use crate::error::{Error, Result};
use crate::table::{
    materialized, CodeArray, ColumnData, Dictionary, LevelCacheKey, Partition, Table,
};
use crate::value::Value;

/// Turns the values of one level into codes `0..cardinality()`.
#[derive(Debug)]
pub(crate) enum LevelEncoder {
    /// A dictionary-encoded string column: the codes are the dictionary's.
    Dictionary {
        column: usize,
        dictionary: Arc<Dictionary>,
    },
    /// A date-format pattern over a timestamp column. Null timestamps get the code
    /// `coder.cardinality()`, whose member is null.
    Date {
        column: usize,
        coder: DateCoder,
        has_nulls: bool,
        cache_key: LevelCacheKey,
    },
    /// Any other column: a dictionary of its distinct values built for the query.
    Local {
        table: Table,
        column: usize,
        members: Vec<Value>,
        index: HashMap<LocalKey, u32>,
        data_type: DataType,
    },
}

/// A hashable form of a plain column value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum LocalKey {
    Null,
    Int(i64),
    Str(Box<str>),
}

impl LevelEncoder {
    /// The encoder of a level source over `table`.
    pub(crate) fn new(table: &Table, source: &LevelSource) -> Result<LevelEncoder> {
        let column = source.column();
        if let LevelSource::Date { pattern, .. } = source {
            let mut years: Option<(i32, i32)> = None;
            let mut has_nulls = false;
            for p in table.partitions() {
                let ColumnData::Timestamp(ts) = &p.columns[column] else {
                    return Err(Error::InvalidQuery(format!(
                        "date level on column {:?}, which is not a timestamp",
                        table.columns()[column].name
                    )));
                };
                has_nulls |= ts.null_count() > 0;
                if let Some((lo, hi)) = p.time_ranges[column] {
                    let (lo, hi) = (year_of(lo), year_of(hi));
                    years = Some(years.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
                }
            }
            let (min_year, max_year) = years.unwrap_or((1970, 1970));
            return Ok(LevelEncoder::Date {
                column,
                coder: pattern.coder(min_year, max_year),
                has_nulls,
                cache_key: (column, pattern.as_str().to_owned(), min_year, max_year),
            });
        }
        if let Some(dictionary) = table.dictionary(column) {
            return Ok(LevelEncoder::Dictionary {
                column,
                dictionary: Arc::clone(dictionary),
            });
        }

        // A query-time dictionary, in order of first appearance.
        let mut members = Vec::new();
        let mut index = HashMap::new();
        for p in table.partitions() {
            let values = materialized(table, p, column);
            for row in 0..p.len {
                let (key, value) = local_value(&values, row);
                index.entry(key).or_insert_with(|| {
                    members.push(value);
                    (members.len() - 1) as u32
                });
            }
        }
        Ok(LevelEncoder::Local {
            table: table.clone(),
            column,
            members,
            index,
            data_type: table.schema().field(column).data_type().clone(),
        })
    }

    /// The number of codes: every code is below it.
    pub(crate) fn cardinality(&self) -> u64 {
        match self {
            LevelEncoder::Dictionary { dictionary, .. } => dictionary.len() as u64,
            LevelEncoder::Date {
                coder, has_nulls, ..
            } => coder.cardinality() + u64::from(*has_nulls),
            LevelEncoder::Local { members, .. } => members.len() as u64,
        }
    }

    /// The Arrow type of the members.
    pub(crate) fn data_type(&self) -> DataType {
        match self {
            LevelEncoder::Dictionary { .. } => DataType::Utf8,
            LevelEncoder::Date { coder, .. } => {
                if coder.is_integer() {
                    DataType::Int64
                } else {
                    DataType::Utf8
                }
            }
            LevelEncoder::Local { data_type, .. } => match data_type {
                DataType::Timestamp(..) => DataType::Timestamp(TimeUnit::Nanosecond, None),
                other => other.clone(),
            },
        }
    }

    /// The codes of every row of a partition (a cheap, shared array).
    pub(crate) fn codes(&self, partition: &Partition) -> CodeArray {
        match self {
            LevelEncoder::Dictionary { column, .. } => match &partition.columns[*column] {
                ColumnData::Codes(codes) => codes.clone(),
                _ => unreachable!("dictionary level on a column without codes"),
            },
            LevelEncoder::Date {
                column,
                coder,
                cache_key,
                ..
            } => {
                let mut cache = partition.cache.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(codes) = cache.get(cache_key) {
                    return codes.clone();
                }
                let ColumnData::Timestamp(ts) = &partition.columns[*column] else {
                    unreachable!("date level on a column without timestamps")
                };
                let mut codes = coder.codes(ts.values());
                if let Some(nulls) = ts.nulls().filter(|n| n.null_count() > 0) {
                    let null_code = coder.cardinality() as u32;
                    for row in nulls.iter().enumerate().filter(|(_, v)| !v).map(|(r, _)| r) {
                        codes[row] = null_code;
                    }
                }
                let codes = CodeArray::from_codes(codes);
                cache.insert(cache_key.clone(), codes.clone());
                codes
            }
            LevelEncoder::Local {
                table,
                column,
                index,
                ..
            } => {
                let values = materialized(table, partition, *column);
                CodeArray::from_codes(
                    (0..partition.len)
                        .map(|row| index[&local_value(&values, row).0])
                        .collect(),
                )
            }
        }
    }

    /// For a date level: what its codes are cached under.
    pub(crate) fn date_cache_key(&self) -> Option<&LevelCacheKey> {
        match self {
            LevelEncoder::Date { cache_key, .. } => Some(cache_key),
            _ => None,
        }
    }

    /// For a date level: the column it reads and its coder.
    pub(crate) fn date(&self) -> Option<(usize, &DateCoder)> {
        match self {
            LevelEncoder::Date { column, coder, .. } => Some((*column, coder)),
            _ => None,
        }
    }

    /// The member of a code.
    pub(crate) fn member(&self, code: u32) -> Value {
        match self {
            LevelEncoder::Dictionary { dictionary, .. } => {
                Value::Str(Arc::clone(dictionary.arc_value(code)))
            }
            LevelEncoder::Date { coder, .. } => {
                if u64::from(code) >= coder.cardinality() {
                    Value::Null
                } else {
                    coder.member(code)
                }
            }
            LevelEncoder::Local { members, .. } => members[code as usize].clone(),
        }
    }

    /// The codes whose member `value` names; none when no member matches.
    pub(crate) fn codes_of(&self, value: &Value) -> Vec<u32> {
        match self {
            LevelEncoder::Dictionary { dictionary, .. } => {
                let text = match value {
                    Value::Str(s) => s.to_string(),
                    Value::Null => return Vec::new(),
                    other => other.to_string(),
                };
                dictionary.code(&text).into_iter().collect()
            }
            LevelEncoder::Date { .. } | LevelEncoder::Local { .. } => (0..self.cardinality()
                as u32)
                .filter(|&code| value.matches_member(&self.member(code)))
                .collect(),
        }
    }
}

fn local_value(column: &ColumnData, row: usize) -> (LocalKey, Value) {
    macro_rules! nullable {
        ($array:expr, $key:expr, $value:expr) => {
            if $array.is_null(row) {
                (LocalKey::Null, Value::Null)
            } else {
                ($key, $value)
            }
        };
    }
    match column {
        ColumnData::Codes(_) => unreachable!("dictionary columns use their dictionary"),
        ColumnData::Derived(_) => unreachable!("derived columns are materialized first"),
        ColumnData::Utf8(a) => {
            let s = a.value(row);
            (LocalKey::Str(s.into()), Value::from(s))
        }
        ColumnData::Int64(a) => {
            nullable!(a, LocalKey::Int(a.value(row)), Value::Int(a.value(row)))
        }
        ColumnData::Float64(a) => {
            let x = a.value(row);
            nullable!(a, LocalKey::Int(x.to_bits() as i64), Value::Float(x))
        }
        ColumnData::Boolean(a) => {
            let b = a.value(row);
            nullable!(a, LocalKey::Int(i64::from(b)), Value::Bool(b))
        }
        ColumnData::Timestamp(a) => {
            let t = a.value(row);
            nullable!(a, LocalKey::Int(t), Value::Timestamp(t))
        }
    }
}
