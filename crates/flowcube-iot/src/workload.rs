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
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use flowcube_core::Cube;

use crate::error::{Error, Result};
use crate::notebook::{charts, Chart, NOTEBOOK_DEVICE};
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

/// Totals of the facts of a cube, computed from its table without running a query, to
/// check answers against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactTotals {
    /// The number of facts.
    pub rows: u64,
    /// The sum of `EventDuration` over all facts (nulls skipped).
    pub duration_sum: i64,
    /// The facts of the device of chart 4, [`NOTEBOOK_DEVICE`].
    pub device_rows: u64,
    /// The number of distinct rooms.
    pub rooms: u64,
}

impl FactTotals {
    /// The totals of `cube`'s facts.
    ///
    /// # Errors
    /// A table without the columns of the flow schema.
    pub fn of(cube: &Cube) -> Result<FactTotals> {
        let state = cube.snapshot();
        FactTotals::of_batch_results(
            state
                .table()
                .record_batches()
                .map(|b| b.map_err(Into::into)),
        )
    }

    /// The totals of facts in record batches of the flow schema, such as
    /// [`read_room_folder`](crate::load::read_room_folder) returns.
    ///
    /// # Errors
    /// A batch without the columns of the flow schema.
    pub fn of_batches(batches: &[RecordBatch]) -> Result<FactTotals> {
        FactTotals::of_batch_results(batches.iter().cloned().map(Ok))
    }

    fn of_batch_results(batches: impl Iterator<Item = Result<RecordBatch>>) -> Result<FactTotals> {
        let mut totals = FactTotals {
            rows: 0,
            duration_sum: 0,
            device_rows: 0,
            rooms: 0,
        };
        let mut rooms = std::collections::BTreeSet::new();
        for batch in batches {
            let batch = batch?;
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .ok_or_else(|| Error::Spec(format!("the facts have no column {name}")))
            };
            totals.rows += batch.num_rows() as u64;
            let durations = column("EventDuration")?
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| Error::Spec("EventDuration is not Int64".to_owned()))?;
            totals.duration_sum += durations.iter().flatten().sum::<i64>();
            let macs = column("MacAddress")?
                .as_string_opt::<i32>()
                .ok_or_else(|| Error::Spec("MacAddress is not Utf8".to_owned()))?;
            totals.device_rows +=
                macs.iter().filter(|m| *m == Some(NOTEBOOK_DEVICE)).count() as u64;
            let room_names = column("Room")?
                .as_string_opt::<i32>()
                .ok_or_else(|| Error::Spec("Room is not Utf8".to_owned()))?;
            rooms.extend(room_names.iter().flatten().map(str::to_owned));
        }
        totals.rooms = rooms.len() as u64;
        Ok(totals)
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
/// What is checked: a drill-through returns fact rows; every other chart has a grand total
/// row; charts 1, 2 and 5 count every fact, chart 4 every fact of its device, chart 8 sums
/// every duration, charts 6 and 8 find every room, chart 12's share is 1 overall, and the
/// others have a positive total. Chart 1 has one row per room plus the total.
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
        if answer.num_rows() == 0 || answer.num_columns() != 5 {
            return Err(wrong(format!(
                "a drill-through of {} rows and {} columns",
                answer.num_rows(),
                answer.num_columns()
            )));
        }
        return Ok(Fingerprint {
            rows: answer.num_rows(),
            grand_total: None,
        });
    }

    let levels = answer.num_columns() - chart.query.measures.len();
    let grand = (0..answer.num_rows())
        .find(|&row| (0..levels).all(|c| answer.column(c).is_null(row)))
        .ok_or_else(|| wrong("no grand total row".to_owned()))?;
    let measure = |index: usize| number(answer.column(levels + index).as_ref(), grand);
    let first = measure(0).ok_or_else(|| wrong("a null or non-numeric grand total".to_owned()))?;

    let expected = match chart.id {
        "1" | "2" | "5" => Some(facts.rows as f64),
        "4" => Some(facts.device_rows as f64),
        "6" => Some(facts.rooms as f64),
        "8" => Some(facts.duration_sum as f64),
        "12" => Some(1.0),
        _ => None,
    };
    match expected {
        Some(want) if (first - want).abs() > 1e-9 * want.abs().max(1.0) => {
            return Err(wrong(format!("grand total {first}, expected {want}")));
        }
        None if first <= 0.0 => return Err(wrong(format!("grand total {first}"))),
        _ => {}
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
