//! The benchmark workload: the notebook's charts under stable names, a cached simulated
//! folder to run them on, and a cheap check that an answer is the one asked for.
//!
//! The criterion benchmarks and `flowcube bench` share this module, so both time the same
//! queries on the same data and both refuse to time a wrong answer:
//!
//! ```text
//! cached_room_folder(root, 10^6)  ->  root/1000000/*.csv   (simulated once, seeded)
//! load_cube(folder)               ->  cube
//! FactTotals::of(&cube)           ->  rows, duration sum, ...  (computed without queries)
//! for chart in bench_charts():
//!     answer = chart.query.run(&cube)
//!     check_answer(chart, &answer, &totals)  ->  Fingerprint { rows, grand_total }
//! ```

use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use std::collections::{BTreeSet, HashMap, HashSet};

use arrow::datatypes::{DataType, Float64Type, Int64Type, TimestampNanosecondType};
use chrono::{Datelike, Timelike};
use flowcube_core::Cube;

use crate::error::{Error, Result};
use crate::notebook::{
    charts, Chart, BULLPEN, LULL_HOUR, NOTEBOOK_DAY, NOTEBOOK_DEVICE, WORK_HOURS,
};
use crate::simulator::{write_room_folder, SimulatorConfig};

/// The benchmark names of the twelve charts, by chart id; `chart/<name>` in criterion.
pub const CHART_NAMES: [(&str, &str); 12] = [
    ("1", "01_count_by_room"),
    ("2", "02_count_by_day_hour"),
    ("3", "03_drillthrough_lull"),
    ("4", "04_one_device_by_room"),
    ("5", "05_count_by_day_hour_room"),
    ("6", "06_locations_by_device_day"),
    ("7", "07_multi_room_devices"),
    ("8", "08_duration_and_locations"),
    ("9", "09_work_hours_duration"),
    ("10", "10_conference_rooms_duration"),
    ("11", "11_devices_by_hour_room"),
    ("12", "12_pct_time"),
];

/// The file that marks a cached folder as completely written.
const COMPLETE_MARKER: &str = ".complete";

/// A chart with its benchmark name.
#[derive(Debug, Clone)]
pub struct BenchChart {
    /// The benchmark name, such as `01_count_by_room`.
    pub name: &'static str,
    /// The chart and its query.
    pub chart: Chart,
}

/// The notebook's twelve charts, in order, with their benchmark names.
pub fn bench_charts() -> Vec<BenchChart> {
    charts()
        .into_iter()
        .map(|chart| {
            let name = CHART_NAMES
                .iter()
                .find(|(id, _)| *id == chart.id)
                .map(|(_, name)| *name)
                .unwrap_or(chart.id);
            BenchChart { name, chart }
        })
        .collect()
}

/// The folder of simulated room files for about `events` facts under `root`
/// (`root/<events>`), simulated with the default seed on first use and reused after.
///
/// The files are written into a scratch folder that is renamed into place once complete,
/// so an interrupted run never leaves a half-written folder to be reused.
///
/// # Errors
/// Any I/O error while writing or renaming.
pub fn cached_room_folder(root: &Path, events: u64) -> std::io::Result<PathBuf> {
    let dir = root.join(events.to_string());
    if dir.join(COMPLETE_MARKER).is_file() {
        return Ok(dir);
    }
    let scratch = root.join(format!(".{events}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let summary = write_room_folder(&SimulatorConfig::with_target_events(events), &scratch)?;
    std::fs::write(
        scratch.join(COMPLETE_MARKER),
        format!("{} events\n", summary.events),
    )?;
    // Another process may have finished the same folder meanwhile; either copy will do.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&scratch, &dir)?;
    Ok(dir)
}

/// Totals of the facts of a cube, computed from its table row by row without running a
/// query, to check answers against.
#[derive(Debug, Clone, PartialEq)]
pub struct FactTotals {
    /// The number of facts.
    pub rows: u64,
    /// The sum of `EventDuration` over all facts (nulls skipped).
    pub duration_sum: i128,
    /// The facts of the device of chart 4, [`NOTEBOOK_DEVICE`].
    pub device_rows: u64,
    /// The number of distinct rooms.
    pub rooms: u64,
    /// The facts of chart 3's drill-through: day 4 of the month, hour 19.
    pub lull_rows: u64,
    /// The sum of `EventDuration` in hours 08 to 18 (chart 9); `None` without a value.
    pub work_hours_duration: Option<i128>,
    /// The same outside the bullpen (chart 10).
    pub conference_duration: Option<i128>,
    /// The distinct devices of day 4 of the month, hours 08 to 18 (chart 11).
    pub workday_devices: u64,
    /// The distinct rooms of the devices seen in more than one room (chart 7).
    pub multi_room_device_rooms: u64,
}

impl FactTotals {
    /// The totals of `cube`'s facts.
    ///
    /// # Errors
    /// A table without the columns of the flow schema.
    pub fn of(cube: &Cube) -> Result<FactTotals> {
        let state = cube.snapshot();
        // FlowId is left out: derived for every row, it would cost more than the rest.
        let columns = ["Room", "EventTime", "MacAddress", "EventDuration"];
        let batches = state.table().record_batches_of(&columns)?;
        FactTotals::of_batch_results(batches.map(|b| b.map_err(Into::into)))
    }

    /// The totals of the facts in record batches of the flow schema's columns.
    fn of_batch_results(batches: impl Iterator<Item = Result<RecordBatch>>) -> Result<FactTotals> {
        let mut rows = 0;
        let mut duration_sum = 0;
        let mut device_rows = 0;
        let mut lull_rows = 0;
        let mut work_hours_duration = None;
        let mut conference_duration = None;
        let mut rooms = BTreeSet::new();
        let mut workday_devices = HashSet::new();
        let mut rooms_of_device: HashMap<String, BTreeSet<String>> = HashMap::new();
        let add = |sum: &mut Option<i128>, value: Option<i64>| {
            if let Some(value) = value {
                *sum = Some(sum.unwrap_or(0) + i128::from(value));
            }
        };

        for batch in batches {
            let batch = batch?;
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .ok_or_else(|| Error::Spec(format!("the facts have no column {name}")))
            };
            let durations = column("EventDuration")?
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| Error::Spec("EventDuration is not Int64".to_owned()))?;
            let macs = column("MacAddress")?
                .as_string_opt::<i32>()
                .ok_or_else(|| Error::Spec("MacAddress is not Utf8".to_owned()))?;
            let room_names = column("Room")?
                .as_string_opt::<i32>()
                .ok_or_else(|| Error::Spec("Room is not Utf8".to_owned()))?;
            let times = column("EventTime")?
                .as_primitive_opt::<TimestampNanosecondType>()
                .ok_or_else(|| Error::Spec("EventTime is not a timestamp".to_owned()))?;

            rows += batch.num_rows() as u64;
            for row in 0..batch.num_rows() {
                let duration = durations.is_valid(row).then(|| durations.value(row));
                let mac = macs.is_valid(row).then(|| macs.value(row));
                let room = room_names.is_valid(row).then(|| room_names.value(row));
                duration_sum += i128::from(duration.unwrap_or(0));
                device_rows += u64::from(mac == Some(NOTEBOOK_DEVICE));
                if let Some(room) = room {
                    if !rooms.contains(room) {
                        rooms.insert(room.to_owned());
                    }
                    if let Some(mac) = mac {
                        match rooms_of_device.get_mut(mac) {
                            Some(seen) if seen.contains(room) => {}
                            Some(seen) => {
                                seen.insert(room.to_owned());
                            }
                            None => {
                                let seen = BTreeSet::from([room.to_owned()]);
                                rooms_of_device.insert(mac.to_owned(), seen);
                            }
                        }
                    }
                }
                let Some(time) = times.is_valid(row).then(|| times.value(row)) else {
                    continue;
                };
                // Levels read the written fields of a naive time: no time zone applies.
                let time = chrono::DateTime::from_timestamp_nanos(time).naive_utc();
                let (day, hour) = (time.day(), time.hour());
                lull_rows += u64::from(day == NOTEBOOK_DAY && hour == LULL_HOUR);
                if WORK_HOURS.contains(&hour) {
                    add(&mut work_hours_duration, duration);
                    if room != Some(BULLPEN) {
                        add(&mut conference_duration, duration);
                    }
                    if let (NOTEBOOK_DAY, Some(mac)) = (day, mac) {
                        if !workday_devices.contains(mac) {
                            workday_devices.insert(mac.to_owned());
                        }
                    }
                }
            }
        }

        let multi_room_device_rooms: BTreeSet<&String> = rooms_of_device
            .values()
            .filter(|rooms| rooms.len() > 1)
            .flatten()
            .collect();
        Ok(FactTotals {
            rows,
            duration_sum,
            device_rows,
            rooms: rooms.len() as u64,
            lull_rows,
            work_hours_duration,
            conference_duration,
            workday_devices: workday_devices.len() as u64,
            multi_room_device_rooms: multi_room_device_rooms.len() as u64,
        })
    }
}

/// What identifies an answer cheaply: its row count and its first measure on the grand
/// total row (`None` for a drill-through, which has no totals).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fingerprint {
    /// Rows of the answer.
    pub rows: usize,
    /// The first measure on the row whose levels are all totals.
    pub grand_total: Option<f64>,
}

/// Checks the answer of `chart` against what the facts imply and returns its fingerprint.
///
/// What is checked: a drill-through returns the facts of its cell, all five columns; every
/// other chart has a grand total equal to what [`FactTotals`] found row by row (the number
/// of facts, of the device's facts, of rooms, of devices; the sum of durations), but for
/// chart 12, whose share is 1 overall. Chart 1 has one row per room plus the total. A chart
/// whose filters keep no fact has no row at all.
///
/// # Errors
/// [`Error::WrongAnswer`] naming the chart and what differs.
pub fn check_answer(
    chart: &Chart,
    answer: &RecordBatch,
    facts: &FactTotals,
) -> Result<Fingerprint> {
    let wrong = |what: String| Error::WrongAnswer(format!("chart {}: {what}", chart.id));
    if chart.query.drillthrough.is_some() {
        if answer.num_rows() as u64 != facts.lull_rows || answer.num_columns() != 5 {
            return Err(wrong(format!(
                "a drill-through of {} rows and {} columns, expected {} rows and 5 columns",
                answer.num_rows(),
                answer.num_columns(),
                facts.lull_rows
            )));
        }
        return Ok(Fingerprint {
            rows: answer.num_rows(),
            grand_total: None,
        });
    }

    let count = |n: u64| (n > 0).then_some(n as f64);
    let expected = match chart.id {
        "1" | "2" | "5" => count(facts.rows),
        "4" => count(facts.device_rows),
        "6" => count(facts.rooms),
        "7" => count(facts.multi_room_device_rooms),
        "8" => (facts.rows > 0).then_some(facts.duration_sum as f64),
        "9" => facts.work_hours_duration.map(|sum| sum as f64),
        "10" => facts.conference_duration.map(|sum| sum as f64),
        "11" => count(facts.workday_devices),
        "12" => (facts.rows > 0).then_some(1.0),
        other => return Err(wrong(format!("no check for chart {other}"))),
    };
    let Some(want) = expected else {
        if answer.num_rows() > 0 {
            return Err(wrong(format!(
                "{} rows where no fact is kept",
                answer.num_rows()
            )));
        }
        return Ok(Fingerprint {
            rows: 0,
            grand_total: None,
        });
    };

    let levels = answer.num_columns() - chart.query.measures.len();
    let grand = (0..answer.num_rows())
        .find(|&row| (0..levels).all(|c| answer.column(c).is_null(row)))
        .ok_or_else(|| wrong("no grand total row".to_owned()))?;
    let measure = |index: usize| number(answer.column(levels + index).as_ref(), grand);
    let first = measure(0).ok_or_else(|| wrong("a null or non-numeric grand total".to_owned()))?;
    if (first - want).abs() > 1e-9 * want.abs().max(1.0) {
        return Err(wrong(format!("grand total {first}, expected {want}")));
    }
    if chart.id == "8" && measure(1) != Some(facts.rooms as f64) {
        return Err(wrong(format!("#LocationsFound {:?} overall", measure(1))));
    }
    if chart.id == "1" && answer.num_rows() as u64 != facts.rooms + 1 {
        return Err(wrong(format!("{} rows", answer.num_rows())));
    }
    Ok(Fingerprint {
        rows: answer.num_rows(),
        grand_total: Some(first),
    })
}

fn number(column: &dyn Array, row: usize) -> Option<f64> {
    if column.is_null(row) {
        return None;
    }
    match column.data_type() {
        DataType::Int64 => Some(column.as_primitive::<Int64Type>().value(row) as f64),
        DataType::Float64 => Some(column.as_primitive::<Float64Type>().value(row)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notebook::load_cube;

    fn golden_cube() -> Cube {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/default");
        load_cube(&dir).unwrap()
    }

    #[test]
    fn every_chart_has_a_distinct_benchmark_name() {
        let charts = bench_charts();
        assert_eq!(charts.len(), 12);
        let mut names: Vec<&str> = charts.iter().map(|c| c.name).collect();
        assert!(names.iter().all(|n| n.len() > 3 && n.is_ascii()));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 12);
        assert_eq!(charts[0].name, "01_count_by_room");
        assert_eq!(charts[11].name, "12_pct_time");
    }

    #[test]
    fn fact_totals_of_the_golden_folder() {
        let totals = FactTotals::of(&golden_cube()).unwrap();
        assert_eq!(totals.rows, 47_894);
        assert_eq!(totals.duration_sum, 5_762_297);
        assert_eq!(totals.device_rows, 593);
        assert_eq!(totals.rooms, 5);
    }

    #[test]
    fn every_golden_answer_passes_its_check() {
        let cube = golden_cube();
        let totals = FactTotals::of(&cube).unwrap();
        for bench in bench_charts() {
            let answer = bench.chart.query.run(&cube).unwrap();
            let print = check_answer(&bench.chart, &answer, &totals).unwrap();
            assert_eq!(print.rows, answer.num_rows());
        }
    }

    #[test]
    fn a_wrong_total_is_caught() {
        let cube = golden_cube();
        let mut totals = FactTotals::of(&cube).unwrap();
        totals.rows += 1;
        let chart = &bench_charts()[0].chart;
        let answer = chart.query.run(&cube).unwrap();
        let err = check_answer(chart, &answer, &totals).unwrap_err();
        assert!(err.to_string().contains("chart 1: grand total"), "{err}");
    }

    #[test]
    fn charts_that_keep_no_fact_are_empty_and_pass() {
        // One room, no notebook device, nothing on day 4 or in work hours.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("lab.csv"),
            "EventKey,EventTime,MacAddress,EventDuration\n\
             k1,2022-04-05 07:00:00,aa,3\nk2,2022-04-05 20:00:00,bb,4\n",
        )
        .unwrap();
        let cube = load_cube(dir.path()).unwrap();
        let totals = FactTotals::of(&cube).unwrap();
        assert_eq!(totals.work_hours_duration, None);
        let mut empty = 0;
        for bench in bench_charts() {
            let answer = bench.chart.query.run(&cube).unwrap();
            let print = check_answer(&bench.chart, &answer, &totals)
                .unwrap_or_else(|e| panic!("{}: {e}", bench.name));
            empty += usize::from(print.rows == 0);
        }
        // Charts 3, 4, 7, 9, 10 and 11.
        assert_eq!(empty, 6);

        // An answer with rows where the facts say none is caught.
        let mut wrong = totals.clone();
        wrong.lull_rows = 1;
        let chart = &bench_charts()[2].chart;
        let answer = chart.query.run(&cube).unwrap();
        assert!(check_answer(chart, &answer, &wrong).is_err());
    }

    #[test]
    fn a_cached_folder_is_written_once_then_reused() {
        let root = tempfile::tempdir().unwrap();
        let dir = cached_room_folder(root.path(), 2_000).unwrap();
        assert!(dir.join("bullpen.csv").is_file());
        let written = std::fs::metadata(dir.join("bullpen.csv"))
            .unwrap()
            .modified()
            .unwrap();
        let again = cached_room_folder(root.path(), 2_000).unwrap();
        assert_eq!(again, dir);
        let reused = std::fs::metadata(again.join("bullpen.csv"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(written, reused);
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
