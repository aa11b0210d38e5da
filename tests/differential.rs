//! Differential tests: the engine against a naive row-by-row model of the cube semantics,
//! on random tables (nulls, repeated rows, several partitions), random levels, filters,
//! totals and measures. Answers must not depend on partitions or threads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, AsArray, Int64Array, RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow::datatypes::TimestampNanosecondType;
use chrono::{NaiveDate, Timelike};
use flowcube::{Cube, DrillThrough, Filter, Measure, Query, Table, TableOptions};
use flowcube_core::cube::{AggregateSpec, TimeBucket};
use flowcube_core::{Comparison, OriginAggregation};
use flowcube_iot::spec::compare;
use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};

#[derive(Debug, Clone)]
struct Fact {
    room: String,
    device: String,
    time: i64,
    duration: Option<i64>,
}

const ROOMS: [&str; 3] = ["alpha", "beta", "gamma"];
const DEVICES: [&str; 5] = ["d1", "d2", "D1", "d3", "N/A"];

fn start_nanos() -> i64 {
    // The range crosses a month end, so that the Day level (day of month) is exercised.
    NaiveDate::from_ymd_opt(2022, 4, 29)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_nanos_opt()
        .unwrap()
}

fn fact() -> impl Strategy<Value = Fact> {
    (
        0..ROOMS.len(),
        0..DEVICES.len(),
        0i64..(5 * 86_400),
        0u32..1_000_000_000,
        prop::option::weighted(0.85, -50i64..500),
    )
        .prop_map(|(r, d, secs, nanos, duration)| Fact {
            room: ROOMS[r].to_owned(),
            device: DEVICES[d].to_owned(),
            time: start_nanos() + secs * 1_000_000_000 + i64::from(nanos),
            duration,
        })
}

fn batch(facts: &[Fact]) -> RecordBatch {
    RecordBatch::try_from_iter([
        (
            "Room",
            Arc::new(StringArray::from_iter_values(
                facts.iter().map(|f| f.room.as_str()),
            )) as ArrayRef,
        ),
        (
            "Device",
            Arc::new(StringArray::from_iter_values(
                facts.iter().map(|f| f.device.as_str()),
            )) as ArrayRef,
        ),
        (
            "Time",
            Arc::new(TimestampNanosecondArray::from_iter_values(
                facts.iter().map(|f| f.time),
            )) as ArrayRef,
        ),
        (
            "Duration",
            Arc::new(Int64Array::from_iter(facts.iter().map(|f| f.duration))) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn cube(
    facts: &[Fact],
    partition_rows: usize,
    chunks: usize,
    aggregate: Option<TimeBucket>,
) -> Cube {
    let options = TableOptions::new("T").with_partition_rows(partition_rows);
    let table = Table::try_new(&batch(&[]).schema(), options).unwrap();
    let cube = Cube::from_table(table);
    // Appends in several chunks, so that dictionaries grow across appends.
    let size = facts.len().div_ceil(chunks.max(1)).max(1);
    let mut chunks = facts.chunks(size);
    // An aggregate table made before some appends and kept up by the others.
    if let Some(first) = chunks.next() {
        cube.append(&[batch(first)]).unwrap();
    }
    if let Some(bucket) = aggregate {
        cube.add_aggregate(&AggregateSpec {
            columns: vec!["Room".into(), "Device".into()],
            time: Some(("Time".into(), bucket)),
        })
        .unwrap();
    }
    for chunk in chunks {
        cube.append(&[batch(chunk)]).unwrap();
    }
    cube.create_date_hierarchy("DateTime", "Time", &[("Day", "d"), ("Hour", "HH")])
        .unwrap();
    cube.create_date_hierarchy("HourOfDay", "Time", &[("HourOfDay", "HH")])
        .unwrap();
    cube.add_measure("Devices", Measure::distinct_count("Device"))
        .unwrap();
    cube.add_measure("Rooms", Measure::distinct_count("Room"))
        .unwrap();
    cube.add_measure("Duration.MIN", Measure::min("Duration"))
        .unwrap();
    cube.add_measure("Duration.MAX", Measure::max("Duration"))
        .unwrap();
    cube.add_measure(
        "Total",
        Measure::named("Duration.SUM").sum_over_siblings("Room"),
    )
    .unwrap();
    cube.add_measure(
        "Share",
        Measure::named("Duration.SUM") / Measure::named("Total"),
    )
    .unwrap();
    cube.add_measure(
        "SumAlpha",
        Measure::named("Duration.SUM").filtered("Room", ["alpha"]),
    )
    .unwrap();
    cube.add_measure("CountNotD1", Measure::count().excluding("Device", ["d1"]))
        .unwrap();
    cube.add_measure(
        "Busy",
        Measure::when(
            Measure::named("Duration.SUM").compare(Comparison::Greater, Measure::constant(100.0)),
            Measure::count(),
            Measure::constant(-1.0),
        ),
    )
    .unwrap();
    cube.add_measure("ParentCount", Measure::count().parent_value("DateTime"))
        .unwrap();
    cube.add_measure("RunningCount", Measure::count().cumulative("DateTime/Hour"))
        .unwrap();
    cube.add_measure(
        "SumOfHourlyMax",
        Measure::named("Duration.MAX").origin(["DateTime/Hour"], OriginAggregation::Sum),
    )
    .unwrap();
    cube.add_measure(
        "MeanHourlyDevices",
        Measure::named("Devices").origin(["HourOfDay"], OriginAggregation::Mean),
    )
    .unwrap();
    cube.add_measure(
        "LastTwoHours",
        Measure::named("Duration.SUM").moving_sum("DateTime/Hour", 2),
    )
    .unwrap();
    cube
}

const MEASURES: [&str; 17] = [
    "SumOfHourlyMax",
    "MeanHourlyDevices",
    "SumAlpha",
    "CountNotD1",
    "Busy",
    "ParentCount",
    "RunningCount",
    "LastTwoHours",
    "contributors.COUNT",
    "Duration.SUM",
    "Duration.MEAN",
    "Duration.MIN",
    "Duration.MAX",
    "Devices",
    "Rooms",
    "Total",
    "Share",
];

/// A level of the model: its name in queries, its column name, and its member of a fact.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lvl {
    Room,
    Device,
    Day,
    Hour,
    HourOfDay,
}

impl Lvl {
    fn column(self) -> &'static str {
        match self {
            Lvl::Room => "Room",
            Lvl::Device => "Device",
            Lvl::Day => "Day",
            Lvl::Hour => "Hour",
            Lvl::HourOfDay => "HourOfDay",
        }
    }

    fn member(self, fact: &Fact) -> Json {
        let t = chrono::DateTime::from_timestamp_nanos(fact.time).naive_utc();
        match self {
            Lvl::Room => json!(fact.room),
            Lvl::Device => json!(fact.device),
            Lvl::Day => json!(chrono::Datelike::day(&t)),
            Lvl::Hour | Lvl::HourOfDay => json!(format!("{:02}", t.hour())),
        }
    }
}

/// One axis of a query: the levels it brings, coarsest first.
#[derive(Debug, Clone)]
struct Axis {
    query_level: &'static str,
    levels: Vec<Lvl>,
}

fn axes() -> Vec<Axis> {
    vec![
        Axis {
            query_level: "Room",
            levels: vec![Lvl::Room],
        },
        Axis {
            query_level: "Device",
            levels: vec![Lvl::Device],
        },
        Axis {
            query_level: "DateTime/Day",
            levels: vec![Lvl::Day],
        },
        Axis {
            query_level: "DateTime/Hour",
            levels: vec![Lvl::Day, Lvl::Hour],
        },
        Axis {
            query_level: "HourOfDay",
            levels: vec![Lvl::HourOfDay],
        },
    ]
}

#[derive(Debug, Clone)]
struct Case {
    axes: Vec<Axis>,
    measures: Vec<&'static str>,
    totals: bool,
    rooms_kept: Option<(Vec<&'static str>, bool)>,
    hours_kept: Option<Vec<String>>,
    count_above: Option<i64>,
    devices_in_several_rooms: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        Just(axes()).prop_shuffle(),
        0usize..4,
        prop::sample::subsequence(MEASURES.to_vec(), 1..=MEASURES.len()),
        any::<bool>(),
        prop::option::of((
            prop::sample::subsequence(ROOMS.to_vec(), 0..=3),
            any::<bool>(),
        )),
        prop::option::of(prop::collection::vec(0u32..24, 0..6)),
        prop::option::weighted(0.2, 0i64..5),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(all, n, measures, totals, rooms_kept, hours, count_above, several)| {
                // At most one axis of the DateTime hierarchy.
                let mut chosen: Vec<Axis> = Vec::new();
                for axis in all {
                    let datetime = axis.query_level.starts_with("DateTime");
                    if chosen.len() < n
                        && !(datetime
                            && chosen.iter().any(|a| a.query_level.starts_with("DateTime")))
                    {
                        chosen.push(axis);
                    }
                }
                Case {
                    axes: chosen,
                    measures,
                    totals,
                    rooms_kept,
                    hours_kept: hours.map(|h| h.iter().map(|h| format!("{h:02}")).collect()),
                    count_above,
                    devices_in_several_rooms: several,
                }
            },
        )
}

fn query(case: &Case) -> Query {
    let mut q = Query::new()
        .measures(case.measures.iter().copied())
        .levels(case.axes.iter().map(|a| a.query_level));
    q.include_totals = case.totals;
    if let Some((rooms, negate)) = &case.rooms_kept {
        q = q.filter(if *negate {
            Filter::not_in("Room", rooms.iter().copied())
        } else {
            Filter::is_in("Room", rooms.iter().copied())
        });
    }
    if let Some(hours) = &case.hours_kept {
        q = q.filter(Filter::is_in(
            "DateTime/Hour",
            hours.iter().map(String::as_str),
        ));
    }
    if case.devices_in_several_rooms {
        q = q.filter(Filter::members_where(
            "Device",
            "Rooms",
            Comparison::Greater,
            1.0,
        ));
    }
    if let Some(k) = case.count_above {
        q = q.filter(Filter::measure(
            "contributors.COUNT",
            Comparison::Greater,
            k as f64,
        ));
    }
    q
}

/// The model's answer: rows keyed by column name.
fn model(facts: &[Fact], case: &Case) -> (Vec<String>, Vec<Map<String, Json>>) {
    let several: BTreeSet<&str> = {
        let mut rooms: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for f in facts {
            rooms.entry(&f.device).or_default().insert(&f.room);
        }
        rooms
            .into_iter()
            .filter(|(_, r)| r.len() > 1)
            .map(|(d, _)| d)
            .collect()
    };
    let kept: Vec<&Fact> = facts
        .iter()
        .filter(|f| match &case.rooms_kept {
            Some((rooms, negate)) => rooms.contains(&f.room.as_str()) != *negate,
            None => true,
        })
        .filter(|f| match &case.hours_kept {
            Some(hours) => hours.contains(&Lvl::Hour.member(f).as_str().unwrap().to_owned()),
            None => true,
        })
        .filter(|f| !case.devices_in_several_rooms || several.contains(f.device.as_str()))
        .collect();

    let slots: Vec<Lvl> = case.axes.iter().flat_map(|a| a.levels.clone()).collect();
    let mut columns: Vec<String> = slots.iter().map(|l| l.column().to_owned()).collect();
    columns.extend(case.measures.iter().map(|m| (*m).to_owned()));

    // Depth patterns: per axis, how many of its levels are kept.
    let mut patterns: Vec<Vec<usize>> = vec![vec![]];
    for axis in &case.axes {
        let depths: Vec<usize> = if case.totals {
            (0..=axis.levels.len()).collect()
        } else {
            vec![axis.levels.len()]
        };
        patterns = patterns
            .into_iter()
            .flat_map(|p| {
                depths.iter().map(move |&d| {
                    let mut p = p.clone();
                    p.push(d);
                    p
                })
            })
            .collect();
    }

    let key_of = |f: &Fact, pattern: &[usize]| -> Vec<Json> {
        let mut key = Vec::new();
        for (axis, &kept) in case.axes.iter().zip(pattern) {
            for (i, level) in axis.levels.iter().enumerate() {
                key.push(if i < kept {
                    level.member(f)
                } else {
                    Json::Null
                });
            }
        }
        key
    };
    let room_slot = slots.iter().position(|l| *l == Lvl::Room);
    // The DateTime axis: its first slot and how many levels the query asks of it.
    let datetime = {
        let mut first = 0;
        let mut found = None;
        for (a, axis) in case.axes.iter().enumerate() {
            if axis.query_level.starts_with("DateTime") {
                found = Some((a, first, axis.levels.len()));
            }
            first += axis.levels.len();
        }
        found
    };
    let sum = |facts: &[&Fact]| -> Option<i64> {
        let values: Vec<i64> = facts.iter().filter_map(|f| f.duration).collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };

    let mut rows = Vec::new();
    for pattern in &patterns {
        let mut groups: BTreeMap<String, (Vec<Json>, Vec<&Fact>)> = BTreeMap::new();
        for f in &kept {
            let key = key_of(f, pattern);
            groups
                .entry(serde_json::to_string(&key).unwrap())
                .or_insert_with(|| (key.clone(), Vec::new()))
                .1
                .push(f);
        }
        for (key, members) in groups.values() {
            let durations: Vec<i64> = members.iter().filter_map(|f| f.duration).collect();
            let own_sum = sum(members);
            // Siblings of Room: the facts that share every other coordinate, by room.
            let total = match room_slot {
                Some(slot) if !key[slot].is_null() => {
                    let mut by_room: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
                    for f in &kept {
                        let k = key_of(f, pattern);
                        let same = k
                            .iter()
                            .zip(key)
                            .enumerate()
                            .all(|(i, (a, b))| i == slot || a == b);
                        if same {
                            by_room.entry(&f.room).or_default().push(f);
                        }
                    }
                    let sums: Vec<i64> = by_room.values().filter_map(|fs| sum(fs)).collect();
                    (!sums.is_empty()).then(|| sums.iter().sum::<i64>())
                }
                _ => own_sum,
            };
            let count_where = |f: &dyn Fn(&Fact) -> bool| members.iter().filter(|m| f(m)).count();
            let alpha: Vec<&Fact> = members
                .iter()
                .copied()
                .filter(|f| f.room == "alpha")
                .collect();
            // The DateTime levels this cell keeps.
            let kept_datetime = datetime.map(|(a, _, _)| pattern[a]);
            let parent_count = match (datetime, kept_datetime) {
                (Some((a, first, _)), Some(k)) if k > 0 => {
                    let mut parent = pattern.clone();
                    parent[a] = k - 1;
                    let mut parent_key = key.clone();
                    parent_key[first + k - 1] = Json::Null;
                    Some(
                        kept.iter()
                            .filter(|f| key_of(f, &parent) == parent_key)
                            .count(),
                    )
                }
                _ => None,
            };
            let same_day_up_to = |f: &Fact, window: Option<usize>| -> bool {
                let (_, first, _) = datetime.unwrap();
                let k = key_of(f, pattern);
                let hour = |key: &[Json]| key[first + 1].as_str().unwrap().to_owned();
                let others_same = k
                    .iter()
                    .zip(key)
                    .enumerate()
                    .all(|(i, (x, y))| i == first + 1 || x == y);
                if !others_same {
                    return false;
                }
                let mine = hour(key);
                let theirs = hour(&k);
                if theirs > mine {
                    return false;
                }
                match window {
                    None => true,
                    Some(w) => {
                        // Hours present in this group up to mine, the last w of them.
                        let mut present: Vec<String> = kept
                            .iter()
                            .map(|f| key_of(f, pattern))
                            .filter(|k| {
                                k.iter()
                                    .zip(key)
                                    .enumerate()
                                    .all(|(i, (x, y))| i == first + 1 || x == y)
                            })
                            .map(|k| hour(&k))
                            .filter(|h| *h <= mine)
                            .collect();
                        present.sort();
                        present.dedup();
                        let from = present.len().saturating_sub(w);
                        present[from..].contains(&theirs)
                    }
                }
            };
            let hour_expressed = matches!((datetime, kept_datetime), (Some((_, _, 2)), Some(2)));
            let running = |window: Option<usize>| -> Vec<&Fact> {
                kept.iter()
                    .copied()
                    .filter(|f| same_day_up_to(f, window))
                    .collect()
            };
            let mut row = Map::new();
            for (level, value) in slots.iter().zip(key) {
                row.insert(level.column().to_owned(), value.clone());
            }
            let mut all_null = true;
            for m in &case.measures {
                let value = match *m {
                    "contributors.COUNT" => json!(members.len()),
                    "Duration.SUM" => json!(own_sum),
                    "Duration.MEAN" => json!(own_sum.map(|s| s as f64 / durations.len() as f64)),
                    "Duration.MIN" => json!(durations.iter().min()),
                    "Duration.MAX" => json!(durations.iter().max()),
                    "Devices" => json!(members
                        .iter()
                        .map(|f| &f.device)
                        .collect::<BTreeSet<_>>()
                        .len()),
                    "Rooms" => json!(members
                        .iter()
                        .map(|f| &f.room)
                        .collect::<BTreeSet<_>>()
                        .len()),
                    "Total" => json!(total),
                    "SumAlpha" => json!(sum(&alpha)),
                    "SumOfHourlyMax" => {
                        let mut by_hour: BTreeMap<(String, String), Option<i64>> = BTreeMap::new();
                        for f in members {
                            let slot = by_hour
                                .entry((
                                    Lvl::Day.member(f).to_string(),
                                    Lvl::Hour.member(f).to_string(),
                                ))
                                .or_insert(None);
                            if let Some(d) = f.duration {
                                *slot = Some(slot.map_or(d, |m: i64| m.max(d)));
                            }
                        }
                        let maxima: Vec<i64> = by_hour.values().filter_map(|m| *m).collect();
                        json!((!maxima.is_empty()).then(|| maxima.iter().sum::<i64>()))
                    }
                    "MeanHourlyDevices" => {
                        let mut by_hour: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
                        for f in members {
                            by_hour
                                .entry(Lvl::HourOfDay.member(f).to_string())
                                .or_default()
                                .insert(&f.device);
                        }
                        let counts: Vec<f64> = by_hour.values().map(|d| d.len() as f64).collect();
                        json!(counts.iter().sum::<f64>() / counts.len() as f64)
                    }
                    "CountNotD1" => {
                        let n = count_where(&|f| f.device != "d1");
                        json!((n > 0).then_some(n))
                    }
                    "Busy" => match own_sum {
                        Some(s) if s > 100 => json!(members.len() as f64),
                        _ => json!(-1.0),
                    },
                    "ParentCount" => json!(parent_count),
                    "RunningCount" => {
                        if hour_expressed {
                            json!(running(None).len())
                        } else {
                            json!(members.len())
                        }
                    }
                    "LastTwoHours" => {
                        if hour_expressed {
                            json!(sum(&running(Some(2))))
                        } else {
                            json!(own_sum)
                        }
                    }
                    "Share" => match (own_sum, total) {
                        (Some(s), Some(t)) => {
                            let x = s as f64 / t as f64;
                            if x.is_nan() {
                                json!("NaN")
                            } else if x.is_infinite() {
                                json!(if x > 0.0 { "Infinity" } else { "-Infinity" })
                            } else {
                                json!(x)
                            }
                        }
                        _ => Json::Null,
                    },
                    other => panic!("no model for {other}"),
                };
                all_null &= value.is_null();
                row.insert((*m).to_owned(), value);
            }
            if all_null {
                continue;
            }
            if let Some(k) = case.count_above {
                if members.len() as i64 <= k {
                    continue;
                }
            }
            rows.push(row);
        }
    }
    (columns, rows)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_the_naive_model(
        facts in prop::collection::vec(fact(), 0..120),
        case in case(),
        partition_rows in 1usize..40,
        chunks in 1usize..4,
        sorted in any::<bool>(),
        aggregate in prop::option::of(prop::sample::select(vec![
            TimeBucket::Minute,
            TimeBucket::Hour,
            TimeBucket::Day,
        ])),
    ) {
        let mut facts = facts;
        if sorted {
            // Files in time order: partitions whose rows are found by binary search.
            facts.sort_by_key(|f| f.time);
        }
        let cube = cube(&facts, partition_rows, chunks, aggregate);
        let (columns, expected) = model(&facts, &case);
        let result = query(&case).execute(&cube).unwrap();
        let problems = compare(&result, &columns, &case.measures, &expected, 5);
        prop_assert!(problems.is_empty(), "{:?}\n{:#?}", case, problems);

        // The same answer on one thread.
        let pool = Arc::new(rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap());
        let single = query(&case).execute(&cube.with_thread_pool(pool)).unwrap();
        prop_assert_eq!(single, result);

        // A drill-through with the hour filter returns exactly the facts it keeps.
        let mut drill = DrillThrough::new().columns(["Time"]);
        if let Some(hours) = &case.hours_kept {
            drill = drill.filter(Filter::is_in("DateTime/Hour", hours.iter().map(String::as_str)));
        }
        let drilled = drill.execute(&cube).unwrap();
        let mut got = drilled
            .column(0)
            .as_primitive::<TimestampNanosecondType>()
            .values()
            .to_vec();
        got.sort_unstable();
        let mut want: Vec<i64> = facts
            .iter()
            .filter(|f| {
                case.hours_kept
                    .as_ref()
                    .is_none_or(|hours| hours.iter().any(|h| json!(h) == Lvl::Hour.member(f)))
            })
            .map(|f| f.time)
            .collect();
        want.sort_unstable();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn a_sum_beyond_64_bits_is_an_error_naming_the_measure() {
    let mut facts = vec![
        Fact {
            room: "alpha".into(),
            device: "d1".into(),
            time: start_nanos(),
            duration: Some(i64::MAX),
        };
        2
    ];
    facts[1].room = "beta".into();
    let cube = cube(&facts, 8, 1, None);
    // Each room alone fits.
    let by_room = Query::new()
        .measures(["Duration.SUM"])
        .levels(["Room"])
        .execute(&cube)
        .unwrap();
    assert_eq!(by_room.num_rows(), 2);
    // Their total does not.
    let err = Query::new()
        .measures(["Duration.SUM"])
        .execute(&cube)
        .unwrap_err();
    assert!(err.to_string().contains("Duration.SUM"), "{err}");
    let err = Query::new()
        .measures(["Total"])
        .levels(["Room"])
        .execute(&cube)
        .unwrap_err();
    assert!(err.to_string().contains("Total"), "{err}");
}

#[test]
fn distinct_counts_of_large_domains_match_a_set() {
    // More distinct members than a bitset cell holds: the roaring path.
    let facts: Vec<Fact> = (0..12_000)
        .map(|i| Fact {
            room: ROOMS[i % 3].to_owned(),
            device: format!("dev{}", (i * 7919) % 9_000),
            time: start_nanos() + (i as i64) * 1_000_000_000,
            duration: Some(1),
        })
        .collect();
    let cube = cube(&facts, 1_000, 2, Some(TimeBucket::Hour));
    let result = Query::new()
        .measures(["Devices"])
        .levels(["Room"])
        .with_totals()
        .execute(&cube)
        .unwrap();
    let mut expected = vec![json!({"Room": null, "Devices": 9_000})];
    for room in ROOMS {
        let devices: BTreeSet<&str> = facts
            .iter()
            .filter(|f| f.room == room)
            .map(|f| f.device.as_str())
            .collect();
        expected.push(json!({"Room": room, "Devices": devices.len()}));
    }
    let expected: Vec<Map<String, Json>> = expected
        .into_iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect();
    let columns = ["Room".to_owned(), "Devices".to_owned()];
    let problems = compare(&result, &columns, &["Devices"], &expected, 5);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_query_past_the_cell_limit_is_refused() {
    let facts: Vec<Fact> = (0..500)
        .map(|i| Fact {
            room: ROOMS[i % 3].to_owned(),
            device: DEVICES[i % 5].to_owned(),
            time: start_nanos() + (i as i64) * 1_000_000_007,
            duration: Some(1),
        })
        .collect();
    let cube = cube(&facts, 64, 1, None);
    // One cell per timestamp: the Time hierarchy of auto mode.
    let query = Query::new()
        .measures(["contributors.COUNT"])
        .levels(["Time", "Device"]);
    let err = query
        .clone()
        .with_max_cells(100)
        .execute(&cube)
        .unwrap_err();
    assert!(err.to_string().contains("limit of 100"), "{err}");
    assert_eq!(
        query
            .with_max_cells(1_000)
            .execute(&cube)
            .unwrap()
            .num_rows(),
        500
    );
}
