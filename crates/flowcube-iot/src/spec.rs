//! Engine-neutral query descriptions, as in `expected.json` files, and the comparison of
//! answers with expected rows.
//!
//! A description names levels as `[dimension, hierarchy, level]`, filters as small JSON
//! lists (`["level_isin", level, [members]]`), and drill-throughs as `{"day", "hour"}` cells
//! of the `DateTime` hierarchy. [`QuerySpec::run`] turns one into a flowcube query.
//!
//! A description is checked before it runs: unknown names, members of the wrong type for
//! their level (`"four"` for the integer `Day`) and lists of the wrong shape are errors,
//! never an empty answer that looks like "no facts". Members are written as the level shows
//! them: integers for integer levels (or a string of one, `"4"`), strings for text levels,
//! `YYYY-MM-DD HH:MM:SS[.f]` strings for timestamp levels.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimestampNanosecondType};
use flowcube_core::{
    ColumnKind, Comparison, Cube, CubeState, DrillThrough, Filter, LevelSource, Query, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

use crate::error::{Error, Result};

/// A query description.
///
/// Unknown keys are errors: a misspelled `"filters"` must not run the query unfiltered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    /// Measure names, in output order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<String>,
    /// `[dimension, hierarchy, level]` triples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Vec<String>>,
    /// Whether to add the total rows.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_totals: bool,
    /// Filters; all must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<FilterSpec>,
    /// A drill-through to the facts of one (Day, Hour) cell instead of a query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drillthrough: Option<DrillSpec>,
}

/// The cell of a drill-through: day of the month and two-digit hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillSpec {
    /// The day of the month.
    pub day: i64,
    /// The hour, `"00"` to `"23"`.
    pub hour: String,
}

/// One filter, as its JSON list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FilterSpec(pub Json);

/// One chart of an expected file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChartSpec {
    /// The chart's title.
    pub title: String,
    /// Its query.
    pub query: QuerySpec,
    /// The result's column names.
    pub columns: Vec<String>,
    /// The result rows, keyed by column name.
    pub rows: Vec<Map<String, Json>>,
}

/// An expected file: `{"meta": ..., "charts": {"<id>": chart}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpectedFile {
    /// Free-form facts about the data.
    #[serde(default)]
    pub meta: Json,
    /// The charts by id.
    pub charts: BTreeMap<String, ChartSpec>,
}

impl ExpectedFile {
    /// The charts in a natural order of their ids (`1, 2, …, 12, 3b, 7b, X1`).
    pub fn charts_in_order(&self) -> Vec<(&String, &ChartSpec)> {
        let mut charts: Vec<_> = self.charts.iter().collect();
        charts.sort_by(|(a, _), (b, _)| natural_id_cmp(a, b));
        charts
    }
}

fn natural_id_cmp(a: &str, b: &str) -> Ordering {
    let split = |s: &str| {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        (
            digits.is_empty(),
            digits.parse::<u64>().unwrap_or(0),
            s.to_owned(),
        )
    };
    split(a).cmp(&split(b))
}

impl QuerySpec {
    /// A drill-through to the facts of `day` and `hour` on the `DateTime` hierarchy.
    pub fn drillthrough(day: i64, hour: &str) -> QuerySpec {
        QuerySpec {
            drillthrough: Some(DrillSpec {
                day,
                hour: hour.to_owned(),
            }),
            ..QuerySpec::default()
        }
    }

    /// Runs the description on a cube.
    ///
    /// # Errors
    /// A malformed description ([`Error::Spec`]: a filter of an unknown kind or of the wrong
    /// shape, a member of the wrong type for its level), or a query error ([`Error::Cube`]:
    /// unknown or ambiguous names, a path longer than its hierarchy, a sum that overflows).
    pub fn run(&self, cube: &Cube) -> Result<RecordBatch> {
        let state = cube.snapshot();
        let filters = self
            .filter
            .iter()
            .map(|spec| spec.to_typed_filter(&state))
            .collect::<Result<Vec<_>>>()?;
        if let Some(cell) = &self.drillthrough {
            let mut drill = DrillThrough::new().filter(Filter::paths(
                "DateTime",
                vec![vec![Value::Int(cell.day), Value::from(cell.hour.as_str())]],
            ));
            drill.filters.extend(filters);
            return Ok(drill.execute(cube)?);
        }
        let mut query = Query::new()
            .measures(self.measures.iter().cloned())
            .levels(self.levels.iter().map(|l| l.join("/")));
        query.filters = filters;
        query.include_totals = self.include_totals;
        Ok(query.execute(cube)?)
    }
}

impl FilterSpec {
    /// The flowcube filter this JSON list describes.
    ///
    /// # Errors
    /// An unknown kind or a list of the wrong shape.
    pub fn to_filter(&self) -> Result<Filter> {
        let bad = |why: &str| Error::Spec(format!("filter {}: {why}", self.0));
        let list = self.0.as_array().ok_or_else(|| bad("not a list"))?;
        let kind = list
            .first()
            .and_then(Json::as_str)
            .ok_or_else(|| bad("no kind"))?;
        let arg = |i: usize| list.get(i).ok_or_else(|| bad("missing argument"));
        let level = |i: usize| -> Result<String> {
            match arg(i)? {
                Json::String(s) => Ok(s.clone()),
                Json::Array(parts) => parts
                    .iter()
                    .map(|p| p.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .map(|p| p.join("/"))
                    .ok_or_else(|| bad("a level is a list of names")),
                _ => Err(bad("a level is a list of names")),
            }
        };
        let members = |i: usize| -> Result<Vec<Value>> {
            arg(i)?
                .as_array()
                .ok_or_else(|| bad("members are a list"))?
                .iter()
                .map(|m| member(m).ok_or_else(|| bad("a member is a string or a number")))
                .collect()
        };
        let number = |i: usize| arg(i)?.as_f64().ok_or_else(|| bad("a bound is a number"));
        let name = |i: usize| {
            arg(i)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad("a measure is a name"))
        };
        Ok(match kind {
            "level_eq" => Filter::eq(
                level(1)?,
                member(arg(2)?).ok_or_else(|| bad("a member is a string or a number"))?,
            ),
            "level_isin" => Filter::is_in(level(1)?, members(2)?),
            "level_not_in" => Filter::not_in(level(1)?, members(2)?),
            "hier_isin" => {
                let paths = arg(2)?
                    .as_array()
                    .ok_or_else(|| bad("paths are a list"))?
                    .iter()
                    .map(|p| {
                        p.as_array()
                            .and_then(|p| p.iter().map(member).collect::<Option<Vec<_>>>())
                            .ok_or_else(|| bad("a path is a list of members"))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Filter::paths(level(1)?, paths)
            }
            "member_measure_gt" => {
                Filter::members_where(level(1)?, name(2)?, Comparison::Greater, number(3)?)
            }
            "measure_gt" => Filter::measure(name(1)?, Comparison::Greater, number(2)?),
            other => return Err(bad(&format!("unknown kind {other:?}"))),
        })
    }
}

impl FilterSpec {
    /// The filter, with each member checked against (and converted to) the type of the
    /// members of its level in `state`.
    fn to_typed_filter(&self, state: &CubeState) -> Result<Filter> {
        let mut filter = self.to_filter()?;
        let typed = |member: &mut Value, source: &LevelSource, level: &str| {
            let kind = MemberKind::of(state, source);
            kind.typed(member).map_err(|()| {
                Error::Spec(format!(
                    "filter {}: level {level} has {} members, not {}",
                    self.0,
                    kind.describe(),
                    shown_member(member)
                ))
            })
        };
        match &mut filter {
            Filter::Members { level, members, .. } => {
                let (h, l) = state.level_index(level)?;
                let hierarchy = &state.hierarchies()[h];
                let name = format!("{}/{}", hierarchy.path(), hierarchy.levels[l].name);
                for member in members {
                    *member = typed(member, &hierarchy.levels[l].source, &name)?;
                }
            }
            Filter::Paths { hierarchy, paths } => {
                let hierarchy = &state.hierarchies()[state.hierarchy_index(hierarchy)?];
                // A path longer than the hierarchy is left for the query to refuse.
                for path in paths {
                    for (member, level) in path.iter_mut().zip(&hierarchy.levels) {
                        let name = format!("{}/{}", hierarchy.path(), level.name);
                        *member = typed(member, &level.source, &name)?;
                    }
                }
            }
            Filter::MemberMeasure { .. } | Filter::Measure { .. } => {}
        }
        Ok(filter)
    }
}

/// What the members of a level are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberKind {
    /// Integers: one-letter date patterns (`d`), integer columns.
    Integer,
    /// Floats.
    Float,
    /// Strings: other date patterns (`HH`), string columns.
    Text,
    /// Booleans.
    Bool,
    /// Timestamps.
    Timestamp,
}

impl MemberKind {
    /// The kind of the members of a level reading `source`.
    fn of(state: &CubeState, source: &LevelSource) -> MemberKind {
        match source {
            LevelSource::Date { pattern, .. } if pattern.is_integer() => MemberKind::Integer,
            LevelSource::Date { .. } => MemberKind::Text,
            LevelSource::Column(column) => match state.table().columns()[*column].kind {
                ColumnKind::DictionaryString
                | ColumnKind::PlainString
                | ColumnKind::DerivedString => MemberKind::Text,
                ColumnKind::Int64 => MemberKind::Integer,
                ColumnKind::Float64 => MemberKind::Float,
                ColumnKind::Boolean => MemberKind::Bool,
                ColumnKind::Timestamp => MemberKind::Timestamp,
            },
        }
    }

    /// How messages name the kind.
    fn describe(self) -> &'static str {
        match self {
            MemberKind::Integer => "integer",
            MemberKind::Float => "number",
            MemberKind::Text => "text",
            MemberKind::Bool => "boolean",
            MemberKind::Timestamp => "timestamp (YYYY-MM-DD HH:MM:SS[.f])",
        }
    }

    /// `member` as a member of this kind, if it can name one.
    ///
    /// An integer level takes an integral number or a string of an integer (`"4"`), as the
    /// engine matches them; a timestamp level takes its written form, which JSON cannot
    /// hold as a timestamp otherwise.
    fn typed(self, member: &Value) -> Result<Value, ()> {
        match (self, member) {
            (MemberKind::Integer, Value::Int(_))
            | (MemberKind::Float, Value::Int(_) | Value::Float(_))
            | (MemberKind::Text, Value::Str(_))
            | (MemberKind::Bool, Value::Bool(_)) => Ok(member.clone()),
            (MemberKind::Integer, Value::Float(x)) => integral(*x).map(Value::Int).ok_or(()),
            (MemberKind::Integer, Value::Str(s)) => {
                s.trim().parse().map(Value::Int).map_err(|_| ())
            }
            (MemberKind::Timestamp, Value::Str(s)) => {
                parse_timestamp(s).map(Value::Timestamp).ok_or(())
            }
            _ => Err(()),
        }
    }
}

/// A member as a description writes it: strings quoted.
fn shown_member(member: &Value) -> String {
    match member {
        Value::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// `x` as an `i64` when it is a whole number in range.
fn integral(x: f64) -> Option<i64> {
    // 2^63 is exact in f64; every whole float below it in magnitude fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x)).then_some(x as i64)
}

fn member(json: &Json) -> Option<Value> {
    match json {
        Json::String(s) => Some(Value::from(s.as_str())),
        Json::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .or_else(|| n.as_f64().map(Value::Float)),
        Json::Bool(b) => Some(Value::Bool(*b)),
        _ => None,
    }
}

/// The rows of a record batch as JSON objects keyed by column name, in the format of
/// expected files: timestamps as `YYYY-MM-DD HH:MM:SS[.fff]`, non-finite floats as strings.
pub fn batch_to_rows(batch: &RecordBatch) -> Vec<Map<String, Json>> {
    let schema = batch.schema();
    (0..batch.num_rows())
        .map(|row| {
            schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(field, column)| (field.name().clone(), cell_json(column.as_ref(), row)))
                .collect()
        })
        .collect()
}

fn cell_json(column: &dyn Array, row: usize) -> Json {
    if column.is_null(row) {
        return Json::Null;
    }
    match column.data_type() {
        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => {
            let x = column.as_primitive::<Float64Type>().value(row);
            if x.is_nan() {
                json!("NaN")
            } else if x.is_infinite() {
                json!(if x > 0.0 { "Infinity" } else { "-Infinity" })
            } else {
                json!(x)
            }
        }
        DataType::Utf8 => json!(column.as_string::<i32>().value(row)),
        DataType::Boolean => json!(column.as_boolean().value(row)),
        DataType::Timestamp(..) => {
            let ns = column.as_primitive::<TimestampNanosecondType>().value(row);
            json!(format_timestamp(ns))
        }
        other => json!(format!("<{other}>")),
    }
}

/// `YYYY-MM-DD HH:MM:SS`, with `.fff`, `.ffffff` or `.fffffffff` when there is a fraction.
pub fn format_timestamp(nanos: i64) -> String {
    let t = chrono::DateTime::from_timestamp_nanos(nanos).naive_utc();
    let fraction = nanos.rem_euclid(1_000_000_000);
    let base = t.format("%Y-%m-%d %H:%M:%S").to_string();
    if fraction == 0 {
        base
    } else if fraction % 1_000_000 == 0 {
        format!("{base}.{:03}", fraction / 1_000_000)
    } else if fraction % 1_000 == 0 {
        format!("{base}.{:06}", fraction / 1_000)
    } else {
        format!("{base}.{fraction:09}")
    }
}

/// A value of a row, normalised for comparison.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Number(f64, Option<i64>),
    Text(String),
    Timestamp(i64),
    Bool(bool),
}

impl Cell {
    fn from_json(json: &Json, timestamp: bool) -> Cell {
        match json {
            Json::Null => Cell::Null,
            Json::Bool(b) => Cell::Bool(*b),
            Json::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN), n.as_i64()),
            Json::String(s) => match s.as_str() {
                "NaN" => Cell::Number(f64::NAN, None),
                "Infinity" => Cell::Number(f64::INFINITY, None),
                "-Infinity" => Cell::Number(f64::NEG_INFINITY, None),
                _ if timestamp => parse_timestamp(s)
                    .map(Cell::Timestamp)
                    .unwrap_or_else(|| Cell::Text(s.clone())),
                _ => Cell::Text(s.clone()),
            },
            other => Cell::Text(other.to_string()),
        }
    }

    fn order(&self, other: &Cell) -> Ordering {
        let rank = |c: &Cell| match c {
            Cell::Null => 0,
            Cell::Bool(_) => 1,
            Cell::Number(..) => 2,
            Cell::Text(_) => 3,
            Cell::Timestamp(_) => 4,
        };
        match (self, other) {
            (Cell::Number(a, _), Cell::Number(b, _)) => a.total_cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            (Cell::Timestamp(a), Cell::Timestamp(b)) => a.cmp(b),
            (Cell::Bool(a), Cell::Bool(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }

    /// Integers exactly; floats to a relative 1e-12; an integer equals the same float.
    fn agrees(&self, other: &Cell) -> bool {
        match (self, other) {
            (Cell::Number(_, Some(a)), Cell::Number(_, Some(b))) => a == b,
            (Cell::Number(a, _), Cell::Number(b, _)) => {
                if a.is_nan() || b.is_nan() {
                    a.is_nan() && b.is_nan()
                } else if a.is_infinite() || b.is_infinite() {
                    a == b
                } else {
                    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
                }
            }
            _ => self == other,
        }
    }
}

/// A timestamp written `YYYY-MM-DD HH:MM:SS[.f]` (or with `T` for the space), in
/// nanoseconds.
fn parse_timestamp(text: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()?;
    t.and_utc().timestamp_nanos_opt()
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => f.write_str("null"),
            Cell::Number(_, Some(i)) => write!(f, "{i}"),
            Cell::Number(x, None) => write!(f, "{x}"),
            // Quoted, so that spaces and empty texts show.
            Cell::Text(text) => write!(f, "{text:?}"),
            Cell::Timestamp(nanos) => f.write_str(&format_timestamp(*nanos)),
            Cell::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Compares an answer with expected rows as multisets; returns the differences found, at
/// most `limit` of them, empty when they agree.
///
/// Rows are matched by their level members (every column but the `measures`): a row of
/// the answer with no expected row of the same members is "unexpected", an expected row
/// with no answer row is "missing", and rows of the same members whose measures differ
/// name the measures. A column of an expected row that the chart does not list is a
/// difference too, since it is most likely a misspelt column.
pub fn compare(
    batch: &RecordBatch,
    columns: &[String],
    measures: &[impl AsRef<str>],
    expected: &[Map<String, Json>],
    limit: usize,
) -> Vec<String> {
    let schema = batch.schema();
    let actual_columns: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    if actual_columns
        .iter()
        .map(|c| c.as_str())
        .ne(columns.iter().map(String::as_str))
    {
        return vec![format!(
            "columns differ: expected {columns:?}, got {actual_columns:?}"
        )];
    }
    let mut problems = Vec::new();
    // A row with a column the chart does not list is most likely misspelt: it is reported,
    // and left out of the comparison rather than read with a null in the column it lacks.
    let mut listed: Vec<&Map<String, Json>> = Vec::with_capacity(expected.len());
    for (index, row) in expected.iter().enumerate() {
        let unknown: Vec<&String> = row.keys().filter(|key| !columns.contains(key)).collect();
        for key in &unknown {
            problems.push(format!(
                "expected row {} has a column {key:?} that the chart does not list",
                index + 1
            ));
        }
        if unknown.is_empty() {
            listed.push(row);
        }
    }
    problems.truncate(limit);

    let is_timestamp: Vec<bool> = schema
        .fields()
        .iter()
        .map(|f| matches!(f.data_type(), DataType::Timestamp(..)))
        .collect();
    let is_measure: Vec<bool> = columns
        .iter()
        .map(|c| measures.iter().any(|m| m.as_ref() == c))
        .collect();
    // Members first, so that sorting puts rows of the same members side by side.
    let order: Vec<usize> = (0..columns.len())
        .filter(|&c| !is_measure[c])
        .chain((0..columns.len()).filter(|&c| is_measure[c]))
        .collect();
    let keys = is_measure.iter().filter(|m| !**m).count();
    let normalise = |rows: &[&Map<String, Json>]| {
        let mut rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|row| {
                order
                    .iter()
                    .map(|&c| {
                        let json = row.get(&columns[c]).unwrap_or(&Json::Null);
                        Cell::from_json(json, is_timestamp[c])
                    })
                    .collect()
            })
            .collect();
        rows.sort_by(|a, b| compare_cells(a, b));
        rows
    };
    let answer = batch_to_rows(batch);
    let actual = normalise(&answer.iter().collect::<Vec<_>>());
    let wanted = normalise(&listed);
    let describe = |row: &[Cell], range: std::ops::Range<usize>| -> String {
        range
            .map(|i| format!("{}={}", columns[order[i]], row[i]))
            .collect::<Vec<_>>()
            .join(", ")
    };

    if actual.len() != wanted.len() {
        problems.push(format!(
            "expected {} rows, got {}",
            wanted.len(),
            actual.len()
        ));
    }
    let (mut a, mut w) = (0, 0);
    while problems.len() < limit && (a < actual.len() || w < wanted.len()) {
        let members = match (actual.get(a), wanted.get(w)) {
            (Some(x), Some(y)) => compare_cells(&x[..keys], &y[..keys]),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match members {
            Ordering::Less => {
                problems.push(format!(
                    "unexpected row: {}",
                    describe(&actual[a], 0..order.len())
                ));
                a += 1;
            }
            Ordering::Greater => {
                problems.push(format!(
                    "missing row: {}",
                    describe(&wanted[w], 0..order.len())
                ));
                w += 1;
            }
            Ordering::Equal => {
                let (x, y) = (&actual[a], &wanted[w]);
                let differing: Vec<String> = (keys..order.len())
                    .filter(|&i| !x[i].agrees(&y[i]))
                    .map(|i| format!("{} expected {}, got {}", columns[order[i]], y[i], x[i]))
                    .collect();
                if !differing.is_empty() {
                    let at = if keys == 0 {
                        "the only row".to_owned()
                    } else {
                        format!("row {}", describe(x, 0..keys))
                    };
                    problems.push(format!("{at}: {}", differing.join("; ")));
                }
                a += 1;
                w += 1;
            }
        }
    }
    problems
}

/// Orders rows of cells column by column.
fn compare_cells(a: &[Cell], b: &[Cell]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.order(y))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer of rooms and counts, and the same as expected rows.
    fn rooms_and_counts(rows: &[(Option<&str>, i64)]) -> (RecordBatch, Vec<Map<String, Json>>) {
        let batch = RecordBatch::try_from_iter([
            (
                "Room",
                std::sync::Arc::new(arrow::array::StringArray::from(
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                )) as arrow::array::ArrayRef,
            ),
            (
                "n",
                std::sync::Arc::new(arrow::array::Int64Array::from(
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                )),
            ),
        ])
        .unwrap();
        let json = rows
            .iter()
            .map(|(room, n)| json!({"Room": room, "n": n}).as_object().unwrap().clone())
            .collect();
        (batch, json)
    }

    #[test]
    fn compare_names_missing_unexpected_and_differing_rows() {
        let columns = ["Room".to_owned(), "n".to_owned()];
        let (answer, _) = rooms_and_counts(&[(None, 6), (Some("lab"), 1), (Some("a b"), 5)]);
        let (_, expected) = rooms_and_counts(&[(Some("lab"), 2), (None, 6), (Some("hall"), 5)]);
        let problems = compare(&answer, &columns, &["n"], &expected, 10);
        assert_eq!(
            problems,
            [
                "unexpected row: Room=\"a b\", n=5",
                "missing row: Room=\"hall\", n=5",
                "row Room=\"lab\": n expected 2, got 1",
            ]
        );
        // In any order, the same rows agree.
        let (_, same) = rooms_and_counts(&[(Some("a b"), 5), (None, 6), (Some("lab"), 1)]);
        assert!(compare(&answer, &columns, &["n"], &same, 10).is_empty());
        // At most `limit` differences.
        assert_eq!(compare(&answer, &columns, &["n"], &expected, 2).len(), 2);
    }

    #[test]
    fn compare_flags_a_column_the_chart_does_not_list() {
        let columns = ["Room".to_owned(), "n".to_owned()];
        let (answer, mut expected) = rooms_and_counts(&[(Some("lab"), 1)]);
        let n = expected[0].remove("n").unwrap();
        expected[0].insert("N".to_owned(), n);
        let problems = compare(&answer, &columns, &["n"], &expected, 10);
        // The row is left out: its own answer row is unexpected, nothing else is reported.
        assert_eq!(
            problems,
            [
                "expected row 1 has a column \"N\" that the chart does not list",
                "expected 0 rows, got 1",
                "unexpected row: Room=\"lab\", n=1",
            ]
        );
    }

    #[test]
    fn members_are_typed_by_their_level_kind() {
        let typed = |kind: MemberKind, member: Value| kind.typed(&member);
        assert_eq!(typed(MemberKind::Integer, Value::Int(4)), Ok(Value::Int(4)));
        assert_eq!(
            typed(MemberKind::Integer, Value::Float(4.0)),
            Ok(Value::Int(4))
        );
        assert_eq!(
            typed(MemberKind::Integer, Value::from(" 4")),
            Ok(Value::Int(4))
        );
        for bad in [
            Value::from("four"),
            Value::Float(4.5),
            Value::Float(1e19),
            Value::Float(f64::NAN),
            Value::Bool(true),
        ] {
            assert_eq!(typed(MemberKind::Integer, bad.clone()), Err(()), "{bad:?}");
        }
        assert_eq!(
            typed(MemberKind::Text, Value::from("08")),
            Ok(Value::from("08"))
        );
        assert_eq!(typed(MemberKind::Text, Value::Int(8)), Err(()));
        assert_eq!(typed(MemberKind::Float, Value::Int(8)), Ok(Value::Int(8)));
        assert_eq!(
            typed(MemberKind::Bool, Value::Bool(false)),
            Ok(Value::Bool(false))
        );
        assert_eq!(typed(MemberKind::Bool, Value::from("false")), Err(()));
        let second = 1_649_059_200_000_000_000; // 2022-04-04 08:00:00
        assert_eq!(
            typed(MemberKind::Timestamp, Value::from("2022-04-04 08:00:00.25")),
            Ok(Value::Timestamp(second + 250_000_000))
        );
        assert_eq!(
            typed(MemberKind::Timestamp, Value::from("2022-04-04T08:00:00")),
            Ok(Value::Timestamp(second))
        );
        for bad in ["2022-04-31 08:00:00", "2022-04-04", "yesterday"] {
            assert_eq!(
                typed(MemberKind::Timestamp, Value::from(bad)),
                Err(()),
                "{bad}"
            );
        }
        assert_eq!(typed(MemberKind::Timestamp, Value::Int(second)), Err(()));
    }

    #[test]
    fn integral_floats_convert_within_range() {
        assert_eq!(integral(-9_223_372_036_854_775_808.0), Some(i64::MIN));
        assert_eq!(integral(9_223_372_036_854_775_808.0), None);
        assert_eq!(integral(f64::INFINITY), None);
        assert_eq!(integral(-0.0), Some(0));
    }
}
