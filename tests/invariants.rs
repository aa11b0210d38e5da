//! Invariants of the cube on random tables, through the public API only:
//! - a total of an additive measure (count, sum, min, max) is the aggregate of its children
//!   one level down, on every hierarchy of the query, at every depth;
//! - a distinct count at a total is the size of the union of its children's member sets,
//!   which drill-through gives, and every cell counts as many facts as it drills through to;
//! - answers do not depend on the number of threads nor on partitions.

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray,
};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use flowcube::{Cube, DrillThrough, Filter, Measure, Query, Table, TableOptions, Value};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Fact {
    site: &'static str,
    floor: &'static str,
    room: &'static str,
    device: Option<&'static str>,
    time: i64,
    bytes: Option<i64>,
}

const SITES: [&str; 2] = ["north", "south"];
const FLOORS: [&str; 3] = ["1", "2", "10"];
// The same room names on every floor: members of a level are told apart by their path.
const ROOMS: [&str; 3] = ["hall", "lab", "N/A"];
const DEVICES: [&str; 4] = ["d1", "d2", "D1", "d3"];

fn start_nanos() -> i64 {
    // The range crosses a month end, so that the Day level (day of month) is exercised.
    NaiveDate::from_ymd_opt(2022, 4, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_nanos_opt()
        .unwrap()
}

fn fact() -> impl Strategy<Value = Fact> {
    (
        (
            prop::sample::select(SITES.to_vec()),
            prop::sample::select(FLOORS.to_vec()),
            prop::sample::select(ROOMS.to_vec()),
            prop::option::weighted(0.85, prop::sample::select(DEVICES.to_vec())),
        ),
        0i64..(3 * 86_400),
        prop::option::weighted(0.8, -50i64..500),
    )
        .prop_map(|((site, floor, room, device), secs, bytes)| Fact {
            site,
            floor,
            room,
            device,
            time: start_nanos() + secs * 1_000_000_000,
            bytes,
        })
}

fn schema() -> SchemaRef {
    let strings = |name| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        strings("Site"),
        strings("Floor"),
        strings("Room"),
        strings("Device"),
        Field::new(
            "Time",
            DataType::Timestamp(TimeUnit::Nanosecond, None),
            false,
        ),
        Field::new("Bytes", DataType::Int64, true),
    ]))
}

fn batch(facts: &[Fact]) -> RecordBatch {
    let strings = |f: fn(&Fact) -> Option<&'static str>| {
        Arc::new(StringArray::from_iter(facts.iter().map(f))) as ArrayRef
    };
    let columns = vec![
        strings(|f| Some(f.site)),
        strings(|f| Some(f.floor)),
        strings(|f| Some(f.room)),
        strings(|f| f.device),
        Arc::new(TimestampNanosecondArray::from_iter_values(
            facts.iter().map(|f| f.time),
        )) as ArrayRef,
        Arc::new(Int64Array::from_iter(facts.iter().map(|f| f.bytes))),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

/// The cube of `facts`, appended in `chunks` appends to partitions of `partition_rows`.
fn cube(facts: &[Fact], partition_rows: usize, chunks: usize) -> Cube {
    let options = TableOptions::new("Office").with_partition_rows(partition_rows);
    let cube = Cube::from_table(Table::try_new(&schema(), options).unwrap());
    let size = facts.len().div_ceil(chunks.max(1)).max(1);
    for chunk in facts.chunks(size) {
        cube.append(&[batch(chunk)]).unwrap();
    }
    cube.create_hierarchy(
        "Geo",
        &[("Site", "Site"), ("Floor", "Floor"), ("Room", "Room")],
    )
    .unwrap();
    cube.create_date_hierarchy("DateTime", "Time", &[("Day", "d"), ("Hour", "HH")])
        .unwrap();
    cube.add_measure("Devices", Measure::distinct_count("Device"))
        .unwrap();
    cube.add_measure("Bytes.MIN", Measure::min("Bytes"))
        .unwrap();
    cube.add_measure("Bytes.MAX", Measure::max("Bytes"))
        .unwrap();
    cube.add_measure(
        "Share",
        Measure::named("Bytes.SUM") / Measure::named("Bytes.SUM").sum_over_siblings("Geo"),
    )
    .unwrap();
    cube
}

/// One hierarchy of a query: its name, the level asked for and the columns it brings.
#[derive(Debug, Clone, Copy)]
struct Axis {
    hierarchy: &'static str,
    level: &'static str,
    columns: &'static [&'static str],
}

const GEO_ROOM: Axis = Axis {
    hierarchy: "Geo",
    level: "Geo/Room",
    columns: &["Site", "Floor", "Room"],
};
const GEO_FLOOR: Axis = Axis {
    hierarchy: "Geo",
    level: "Geo/Floor",
    columns: &["Site", "Floor"],
};
const HOUR: Axis = Axis {
    hierarchy: "DateTime",
    level: "DateTime/Hour",
    columns: &["Day", "Hour"],
};
const DAY: Axis = Axis {
    hierarchy: "DateTime",
    level: "DateTime/Day",
    columns: &["Day"],
};
const DEVICE: Axis = Axis {
    hierarchy: "Device",
    level: "Office/Device/Device",
    columns: &["Device"],
};

fn axes() -> impl Strategy<Value = Vec<Axis>> {
    prop::sample::select(vec![
        vec![GEO_ROOM],
        vec![HOUR],
        vec![GEO_ROOM, HOUR],
        vec![HOUR, GEO_FLOOR],
        vec![DEVICE, GEO_ROOM],
        vec![GEO_FLOOR, DAY, DEVICE],
    ])
}

/// A level filter of the query, applied to its drill-throughs too.
fn filter() -> impl Strategy<Value = Option<Filter>> {
    prop::option::weighted(
        0.5,
        prop_oneof![
            prop::sample::select(SITES.to_vec()).prop_map(|s| Filter::not_in("Geo/Site", [s])),
            prop::collection::vec(0u32..24, 1..8).prop_map(|hours| Filter::is_in(
                "DateTime/Hour",
                hours.iter().map(|h| format!("{h:02}"))
            )),
            (
                prop::sample::select(SITES.to_vec()),
                prop::sample::select(FLOORS.to_vec())
            )
                .prop_map(|(s, f)| Filter::paths("Geo", vec![vec![s.into(), f.into()]])),
        ],
    )
}

const ADDITIVE: [&str; 4] = ["contributors.COUNT", "Bytes.SUM", "Bytes.MIN", "Bytes.MAX"];

/// The members of one cell: per axis, one member per column, `Null` below its depth.
type Key = Vec<Vec<Value>>;

fn member(array: &ArrayRef, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Int64 => Value::Int(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => Value::Float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => Value::from(array.as_string::<i32>().value(row)),
        other => panic!("no member of type {other}"),
    }
}

/// The cells of an answer: the key and the values of `measures`, by row.
fn cells(result: &RecordBatch, axes: &[Axis], measures: &[&str]) -> Vec<(Key, Vec<Value>)> {
    let column = |name: &str| result.column_by_name(name).unwrap();
    (0..result.num_rows())
        .map(|row| {
            let key = axes
                .iter()
                .map(|a| a.columns.iter().map(|c| member(column(c), row)).collect())
                .collect();
            let values = measures.iter().map(|m| member(column(m), row)).collect();
            (key, values)
        })
        .collect()
}

fn depth(members: &[Value]) -> usize {
    members.iter().take_while(|m| **m != Value::Null).count()
}

/// Whether `child` is one step below `parent` on axis `a` and equal on the others.
fn is_child(parent: &Key, child: &Key, a: usize) -> bool {
    let d = depth(&parent[a]);
    parent.iter().zip(child).enumerate().all(|(i, (p, c))| {
        if i == a {
            depth(c) == d + 1 && c[..d] == p[..d]
        } else {
            p == c
        }
    })
}

/// The aggregate of the children's values of one additive measure.
fn combine(measure: &str, values: impl Iterator<Item = Value>) -> Value {
    let ints: Vec<i64> = values
        .filter_map(|v| match v {
            Value::Int(i) => Some(i),
            Value::Null => None,
            other => panic!("{measure} has a non-integer value {other:?}"),
        })
        .collect();
    if ints.is_empty() {
        return Value::Null;
    }
    Value::Int(match measure {
        "contributors.COUNT" | "Bytes.SUM" => ints.iter().sum(),
        "Bytes.MIN" => *ints.iter().min().unwrap(),
        "Bytes.MAX" => *ints.iter().max().unwrap(),
        other => panic!("{other} is not additive"),
    })
}

/// The facts of one cell: its members as hierarchy paths, plus the query's filter.
fn drill(cube: &Cube, axes: &[Axis], key: &Key, filter: &Option<Filter>) -> RecordBatch {
    let mut drill = DrillThrough::new().columns(["Device"]);
    for (axis, members) in axes.iter().zip(key) {
        let path = members[..depth(members)].to_vec();
        if !path.is_empty() {
            drill = drill.filter(Filter::paths(axis.hierarchy, vec![path]));
        }
    }
    if let Some(filter) = filter {
        drill = drill.filter(filter.clone());
    }
    drill.execute(cube).unwrap()
}

fn devices(facts: &RecordBatch) -> BTreeSet<String> {
    facts
        .column(0)
        .as_string::<i32>()
        .iter()
        .map(|d| d.unwrap().to_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn totals_are_the_aggregates_of_their_children(
        facts in prop::collection::vec(fact(), 0..60),
        axes in axes(),
        filter in filter(),
        partition_rows in 1usize..25,
    ) {
        let cube = cube(&facts, partition_rows, 2);
        let mut measures = ADDITIVE.to_vec();
        measures.push("Devices");
        let mut query = Query::new()
            .measures(measures.iter().copied())
            .levels(axes.iter().map(|a| a.level))
            .with_totals();
        if let Some(f) = &filter {
            query = query.filter(f.clone());
        }
        let result = query.execute(&cube).unwrap();
        let cells = cells(&result, &axes, &measures);

        // Every cell holds the facts it drills through to.
        let mut device_sets = Vec::with_capacity(cells.len());
        for (key, values) in &cells {
            let facts = drill(&cube, &axes, key, &filter);
            let count = Value::Int(facts.num_rows() as i64);
            prop_assert_eq!(&values[0], &count, "{:?}", key);
            device_sets.push(devices(&facts));
        }

        for (parent, values) in &cells {
            for (a, axis) in axes.iter().enumerate() {
                if depth(&parent[a]) == axis.columns.len() {
                    continue;
                }
                let children: Vec<usize> = (0..cells.len())
                    .filter(|&c| is_child(parent, &cells[c].0, a))
                    .collect();
                prop_assert!(!children.is_empty(), "{:?}: no child on {}", parent, axis.level);
                for (m, measure) in ADDITIVE.iter().enumerate() {
                    let children_values = children.iter().map(|&c| cells[c].1[m].clone());
                    let combined = combine(measure, children_values);
                    prop_assert_eq!(
                        &values[m], &combined, "{} at {:?} on {}", measure, parent, axis.level
                    );
                }

                // A distinct count is not additive: the union of the children's members.
                let union: BTreeSet<&String> =
                    children.iter().flat_map(|&c| &device_sets[c]).collect();
                let distinct = Value::Int(union.len() as i64);
                prop_assert_eq!(&values[ADDITIVE.len()], &distinct, "Devices at {:?}", parent);
            }
        }
    }

    #[test]
    fn answers_do_not_depend_on_threads_or_partitions(
        facts in prop::collection::vec(fact(), 0..120),
        axes in axes(),
        filter in filter(),
        partitions in (1usize..40, 1usize..40),
        chunks in (1usize..4, 1usize..4),
        threads in 1usize..4,
    ) {
        let one = cube(&facts, partitions.0, chunks.0);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let other = cube(&facts, partitions.1, chunks.1).with_thread_pool(Arc::new(pool));

        let measures = [
            "contributors.COUNT",
            "Bytes.SUM",
            "Bytes.MEAN",
            "Bytes.MIN",
            "Bytes.MAX",
            "Devices",
            "Share",
        ];
        let mut query = Query::new()
            .measures(measures)
            .levels(axes.iter().map(|a| a.level))
            .with_totals();
        if let Some(f) = filter {
            query = query.filter(f);
        }
        prop_assert_eq!(query.execute(&one).unwrap(), query.execute(&other).unwrap());
    }
}

/// Float sums depend on the order of the additions, which follows partitions and threads.
#[test]
fn float_sums_do_not_depend_on_partitions_or_threads() {
    let load = |values: Vec<f64>| {
        RecordBatch::try_from_iter([("Load", Arc::new(Float64Array::from(values)) as ArrayRef)])
            .unwrap()
    };
    let sum = |batch: &RecordBatch, partition_rows: usize, threads: usize| {
        let options = TableOptions::new("T").with_partition_rows(partition_rows);
        let table = Table::try_from_batches(std::slice::from_ref(batch), options).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let cube = Cube::from_table(table).with_thread_pool(Arc::new(pool));
        let result = Query::new().measures(["Load.SUM"]).execute(&cube).unwrap();
        result.column(0).as_primitive::<Float64Type>().value(0)
    };

    // One partition: (0.1 + 0.2) + 0.3 = 0.6000000000000001; one row per partition: 0.6.
    let three = load(vec![0.1, 0.2, 0.3]);
    assert_eq!(sum(&three, 3, 1), sum(&three, 1, 1));

    // The same partitions on one thread and on two: 2.8000000000000003 and 2.8.
    let seven = load(vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    assert_eq!(sum(&seven, 1, 1), sum(&seven, 1, 2));
}

/// A table whose schema says a column has no nulls: an append with nulls in it must either
/// fail or give back its rows.
#[test]
fn a_table_gives_back_the_rows_it_accepted() {
    let not_null: Vec<Field> = schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(false))
        .collect();
    let table = Table::try_new(&Schema::new(not_null), TableOptions::new("Office")).unwrap();
    let facts = [fact_with_bytes(None), fact_with_bytes(Some(1))];
    match table.try_append(&[batch(&facts)]) {
        // Refused: the error says which column cannot take the nulls.
        Err(error) => assert!(error.to_string().contains("Bytes"), "{error}"),
        // Accepted: the rows come back as they went in, through the table and the cube.
        Ok(table) => {
            let rows = table.to_record_batches().unwrap();
            let bytes: Vec<Option<i64>> = rows
                .iter()
                .flat_map(|b| {
                    b.column_by_name("Bytes")
                        .unwrap()
                        .as_primitive::<Int64Type>()
                        .iter()
                })
                .collect();
            assert_eq!(bytes, [None, Some(1)]);
            let cube = Cube::from_table(table);
            let drilled = DrillThrough::new().execute(&cube).unwrap();
            assert_eq!(drilled.num_rows(), 2);
        }
    }
}

/// A date that a nanosecond timestamp cannot hold must be an error, not a null.
#[test]
fn a_date_out_of_timestamp_range_is_not_silently_null() {
    // 9999-12-31, a common "no end" date; nanosecond timestamps end in 2262.
    let field = Field::new("Until", DataType::Date32, true);
    let days = Date32Array::from(vec![2_932_896]);
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![field])),
        vec![Arc::new(days) as ArrayRef],
    )
    .unwrap();
    if let Ok(table) = Table::try_from_batches(&[batch], TableOptions::new("T")) {
        let rows = table.to_record_batches().unwrap();
        assert_eq!(rows[0].column(0).null_count(), 0, "the date became a null");
    }
}

fn fact_with_bytes(bytes: Option<i64>) -> Fact {
    Fact {
        site: "north",
        floor: "1",
        room: "hall",
        device: Some("d1"),
        time: start_nanos(),
        bytes,
    }
}

/// Levels over every kind of column, nulls included: booleans, floats, dates and
/// timestamps group as their members, in natural order, with a total first.
#[test]
fn boolean_float_date_and_timestamp_columns_are_levels_too() {
    use arrow::array::BooleanArray;

    let day = |d: i32| 19_086 + d; // 2022-04-04 + d
    let batch = RecordBatch::try_from_iter([
        (
            "Wired",
            Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                None,
                Some(true),
            ])) as ArrayRef,
        ),
        (
            "Band",
            Arc::new(Float64Array::from(vec![
                Some(2.4),
                Some(5.0),
                Some(2.4),
                None,
            ])),
        ),
        (
            "Date",
            Arc::new(Date32Array::from(vec![
                Some(day(1)),
                Some(day(0)),
                None,
                Some(day(1)),
            ])),
        ),
        ("Bytes", Arc::new(Int64Array::from(vec![1, 2, 4, 8]))),
    ])
    .unwrap();
    let table = Table::try_from_batches(&[batch], TableOptions::new("Links")).unwrap();
    let cube = Cube::from_table(table);
    // Floats are measures in auto mode; as a level they need a hierarchy of their own.
    cube.create_hierarchy("Band", &[("Band", "Band")]).ok();
    cube.create_date_hierarchy("Calendar", "Date", &[("Day", "d")])
        .unwrap();

    let by = |level: &str| -> Vec<serde_json::Value> {
        let answer = Query::new()
            .measures(["Bytes.SUM"])
            .levels([level])
            .with_totals()
            .execute(&cube)
            .unwrap();
        flowcube::iot::spec::batch_to_rows(&answer)
            .into_iter()
            .map(|row| serde_json::json!([row[answer.schema().field(0).name()], row["Bytes.SUM"]]))
            .collect()
    };
    use serde_json::json;
    // A fact without a value on the level is under a null member, first of the members.
    // TODO: in an answer with totals, the null member's row looks like the total's (both
    // null on the level) and only their order tells them apart; a grouping column would.
    assert_eq!(
        by("Wired"),
        [
            json!([null, 15]),
            json!([null, 4]),
            json!([false, 2]),
            json!([true, 9])
        ]
    );
    assert_eq!(
        by("Day"),
        [
            json!([null, 15]),
            json!([null, 4]),
            json!([4, 2]),
            json!([5, 9])
        ]
    );
    assert_eq!(
        by("Band/Band"),
        [
            json!([null, 15]),
            json!([null, 8]),
            json!([2.4, 5]),
            json!([5.0, 2])
        ]
    );
}
