//! The notebook's cube: the `NetworkFlows` table, its hierarchies and measures, and the
//! twelve chart queries of the analysis.

use std::path::Path;

use arrow::array::RecordBatch;
use flowcube_core::cube::{AggregateSpec, TimeBucket};
use flowcube_core::{Cube, Measure, Table, TableOptions};

use crate::error::{Error, Result};
use crate::flow_id::FlowIdFromTimeAndDevice;
use crate::load::{flow_schema, read_flow_parquet, read_room_folder_into, LoadOptions, LoadReport};
use crate::simulator::{write_room_folder, SimulatorConfig};
use crate::spec::{FilterSpec, QuerySpec};

/// The table's name, and so the dimension of every hierarchy.
pub const TABLE_NAME: &str = "NetworkFlows";

/// The options of the flow table: no keys (two lines with one EventKey are two facts);
/// FlowId derived from EventTime and MacAddress, only the keys that differ stored.
pub fn table_options() -> TableOptions {
    TableOptions::new(TABLE_NAME)
        .with_derived_string("FlowId", std::sync::Arc::new(FlowIdFromTimeAndDevice))
}

/// An empty notebook cube: the auto-mode cube of the flow table, the `DateTime` (Day, Hour)
/// and `Hour` date hierarchies, the measures `#DevicesFound`, `#LocationsFound`,
/// `TotalDuration` and `%Time`, and the aggregate table of [`aggregate_spec`].
///
/// # Errors
/// Only if the definitions above were inconsistent, which a test rules out.
pub fn empty_cube() -> Result<Cube> {
    let table = Table::try_new(&flow_schema(), table_options())?;
    let cube = Cube::from_table(table);
    cube.create_date_hierarchy("DateTime", "EventTime", &[("Day", "d"), ("Hour", "HH")])?;
    cube.create_date_hierarchy("Hour", "EventTime", &[("Hour", "HH")])?;
    cube.add_measure("#DevicesFound", Measure::distinct_count("MacAddress"))?;
    cube.add_measure("#LocationsFound", Measure::distinct_count("Room"))?;
    cube.add_measure(
        "TotalDuration",
        Measure::named("EventDuration.SUM").sum_over_siblings("Room"),
    )?;
    cube.add_measure(
        "%Time",
        Measure::named("EventDuration.SUM") / Measure::named("TotalDuration"),
    )?;
    cube.add_aggregate(&aggregate_spec())?;
    Ok(cube)
}

/// The notebook cube holding `batches` (of the schema of [`flow_schema`]).
///
/// # Errors
/// A batch of another schema.
pub fn cube_from_batches(batches: &[RecordBatch]) -> Result<Cube> {
    let cube = empty_cube()?;
    cube.append(batches)?;
    Ok(cube)
}

/// The aggregate table of the notebook cube: facts by Room, MacAddress and hour, which
/// answers every chart but the drill-through.
pub fn aggregate_spec() -> AggregateSpec {
    AggregateSpec {
        columns: vec!["Room".into(), "MacAddress".into()],
        time: Some(("EventTime".into(), TimeBucket::Hour)),
    }
}

/// Loads a folder of room files into a new notebook cube.
///
/// # Errors
/// The first bad file or row, with file, line, column, value and what was expected.
pub fn load_cube(dir: &Path) -> Result<Cube> {
    let cube = empty_cube()?;
    append_folder(&cube, dir)?;
    Ok(cube)
}

/// Loads a Parquet file of flow facts into a new notebook cube, checked by the rules of
/// room files (see [`read_flow_parquet`]). Each row's room is the file's `Room` column, or
/// the file stem when it has none.
///
/// # Errors
/// The first bad column or row, with file, row, column, value and what was expected.
pub fn load_parquet_cube(path: &Path) -> Result<Cube> {
    let cube = empty_cube()?;
    append_parquet(&cube, path)?;
    Ok(cube)
}

/// The notebook cube of the built-in sample ([`SimulatorConfig::sample`]): the office is
/// simulated into a fresh temporary folder, loaded through the same room-CSV loader as real
/// data, and the folder removed.
///
/// # Errors
/// [`Error::Sample`] when the temporary folder cannot be made or written, then any error of
/// [`load_cube`].
pub fn sample_cube() -> Result<Cube> {
    let sample_error = |path: &Path, source| Error::Sample {
        path: path.to_path_buf(),
        source,
    };
    let dir = tempfile::Builder::new()
        .prefix("flowcube-sample-")
        .tempdir()
        .map_err(|source| sample_error(&std::env::temp_dir(), source))?;
    write_room_folder(&SimulatorConfig::sample(), dir.path())
        .map_err(|source| sample_error(dir.path(), source))?;
    let cube = load_cube(dir.path())?;
    tracing::debug!(rows = cube.num_rows(), "loaded the built-in sample");
    // Dropping `dir` removes the scratch files.
    Ok(cube)
}

/// Appends the room files of a folder to `cube`, all of them or, on any error, none.
///
/// # Errors
/// The first bad file or row; the cube is then left exactly as it was.
pub fn append_folder(cube: &Cube, dir: &Path) -> Result<()> {
    append_folder_with(cube, dir, &LoadOptions::strict()).map(|_| ())
}

/// Appends the room files of a folder to `cube` as `options` ask (strict, or lenient with
/// a report of the rows left out), all of them or, on any error, none.
///
/// Each batch is converted into the cube's rows as soon as it is read, so a load holds the
/// table and the rows being added, not the files' batches.
///
/// # Errors
/// Those of [`read_room_folder_with`](crate::load::read_room_folder_with); the cube is then left exactly as it was.
pub fn append_folder_with(cube: &Cube, dir: &Path, options: &LoadOptions) -> Result<LoadReport> {
    let (staged, report) = read_room_folder_into(dir, options, &|batch| cube.stage(&batch))?;
    cube.append_staged(staged)?;
    Ok(report)
}

/// Appends the flow facts of a Parquet file to `cube`, all of them or, on any error, none
/// (see [`load_parquet_cube`]).
///
/// # Errors
/// The first bad column or row; the cube is then left exactly as it was.
pub fn append_parquet(cube: &Cube, path: &Path) -> Result<()> {
    let (batches, _) = read_flow_parquet(path, None, &LoadOptions::strict())?;
    cube.append(&batches)?;
    Ok(())
}

/// One chart of the notebook: its number, title and query.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The chart's id, `"1"` to `"12"`.
    pub id: &'static str,
    /// The notebook's title.
    pub title: &'static str,
    /// What it asks of the cube.
    pub query: QuerySpec,
}

const ROOM: [&str; 3] = [TABLE_NAME, "Room", "Room"];
const MAC: [&str; 3] = [TABLE_NAME, "MacAddress", "MacAddress"];
const DAY_HOUR: [&str; 3] = [TABLE_NAME, "DateTime", "Hour"];
const DAY: [&str; 3] = [TABLE_NAME, "DateTime", "Day"];
const HOUR: [&str; 3] = [TABLE_NAME, "Hour", "Hour"];

/// The device the notebook looks at in chart 4.
pub const NOTEBOOK_DEVICE: &str = "00:17:88:CR:PU:Y7";

/// The hours of the work day that charts 9 to 11 keep.
pub const WORK_HOURS: std::ops::RangeInclusive<u32> = 8..=18;

/// The day of the month of chart 11, and of the lull that chart 3 drills into.
pub const NOTEBOOK_DAY: u32 = 4;

/// The hour of the lull that chart 3 drills into.
pub const LULL_HOUR: u32 = 19;

/// The open-plan room, which chart 10 leaves out.
pub const BULLPEN: &str = "bullpen";

fn hours(range: std::ops::RangeInclusive<u32>) -> Vec<serde_json::Value> {
    range.map(|h| format!("{h:02}").into()).collect()
}

fn query(measures: &[&str], levels: &[[&str; 3]], filter: Vec<FilterSpec>) -> QuerySpec {
    QuerySpec {
        measures: measures.iter().map(|m| (*m).to_owned()).collect(),
        levels: levels
            .iter()
            .map(|l| l.map(str::to_owned).to_vec())
            .collect(),
        include_totals: true,
        filter,
        drillthrough: None,
    }
}

/// The notebook's twelve charts, as queries.
pub fn charts() -> Vec<Chart> {
    let level = |l: [&str; 3]| serde_json::json!(l);
    let count = ["contributors.COUNT"];
    let work_hours = FilterSpec(serde_json::json!([
        "level_isin",
        level(HOUR),
        hours(WORK_HOURS)
    ]));
    let mut off_hours = hours(0..=7);
    off_hours.extend(hours(19..=23));
    vec![
        Chart {
            id: "1",
            title: "Basic Visualization of Data",
            query: query(&count, &[ROOM], vec![]),
        },
        Chart {
            id: "2",
            title: "Number of Events over Time",
            query: query(&count, &[DAY_HOUR], vec![]),
        },
        Chart {
            id: "3",
            title: "Drill Through on one of the Lulls",
            query: QuerySpec::drillthrough(i64::from(NOTEBOOK_DAY), &format!("{LULL_HOUR:02}")),
        },
        Chart {
            id: "4",
            title: "Data from device \"00:17:88:CR:PU:Y7\"",
            query: query(
                &count,
                &[MAC, ROOM],
                vec![FilterSpec(serde_json::json!([
                    "level_eq",
                    level(MAC),
                    NOTEBOOK_DEVICE
                ]))],
            ),
        },
        Chart {
            id: "5",
            title: "Distribution of Devices",
            query: query(&count, &[DAY_HOUR, ROOM], vec![]),
        },
        Chart {
            id: "6",
            title: "Devices #Locations Across Each Day",
            query: query(&["#LocationsFound"], &[MAC, DAY], vec![]),
        },
        Chart {
            id: "7",
            title: "Devices Found in Multiple Rooms",
            query: query(
                &["#LocationsFound"],
                &[MAC, DAY],
                vec![FilterSpec(serde_json::json!([
                    "member_measure_gt",
                    level(MAC),
                    "#LocationsFound",
                    1
                ]))],
            ),
        },
        Chart {
            id: "8",
            title: "Total Device Network Flow vs #Locations Device Inhabits",
            query: query(
                &["EventDuration.SUM", "#LocationsFound"],
                &[MAC, DAY],
                vec![],
            ),
        },
        Chart {
            id: "9",
            title: "Hourly Network Flow, Split by Room",
            query: query(&["EventDuration.SUM"], &[HOUR, ROOM, DAY], vec![work_hours]),
        },
        Chart {
            id: "10",
            title: "Hourly Network Flow, Just Conference Rooms",
            query: query(
                &["EventDuration.SUM"],
                &[HOUR, ROOM, DAY],
                vec![
                    FilterSpec(serde_json::json!(["level_not_in", level(ROOM), [BULLPEN]])),
                    FilterSpec(serde_json::json!(["level_not_in", level(HOUR), off_hours])),
                ],
            ),
        },
        Chart {
            id: "11",
            title: "Devices Found per Room per Hour during the work day",
            query: query(
                &["#DevicesFound"],
                &[DAY_HOUR, ROOM],
                vec![FilterSpec(serde_json::json!([
                    "hier_isin",
                    "DateTime",
                    WORK_HOURS
                        .map(|h| serde_json::json!([NOTEBOOK_DAY, format!("{h:02}")]))
                        .collect::<Vec<_>>()
                ]))],
            ),
        },
        Chart {
            id: "12",
            title: "% Time in Each Room",
            query: query(&["%Time"], &[DAY_HOUR, ROOM], vec![]),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;

    #[test]
    fn the_notebook_cube_defines_its_hierarchies_and_measures() {
        let cube = empty_cube().unwrap();
        let state = cube.snapshot();
        let hierarchies: Vec<String> = state.hierarchies().iter().map(|h| h.path()).collect();
        assert_eq!(
            hierarchies,
            [
                "NetworkFlows/Room",
                "NetworkFlows/FlowId",
                "NetworkFlows/EventTime",
                "NetworkFlows/MacAddress",
                "NetworkFlows/DateTime",
                "NetworkFlows/Hour"
            ]
        );
        let mut measures: Vec<&str> = state.measures().iter().map(|(n, _)| n.as_str()).collect();
        measures.sort_unstable();
        assert_eq!(
            measures,
            [
                "#DevicesFound",
                "#LocationsFound",
                "%Time",
                "EventDuration.MEAN",
                "EventDuration.SUM",
                "TotalDuration",
                "contributors.COUNT"
            ]
        );
    }

    #[test]
    fn flow_ids_that_break_the_rule_are_kept_as_written() {
        use arrow::array::{ArrayRef, Int64Array, StringArray, TimestampNanosecondArray};
        use std::sync::Arc;
        let t = 1_649_059_259_000_000_000; // 2022-04-04 08:00:59
        let batch = RecordBatch::try_new(
            flow_schema(),
            vec![
                Arc::new(StringArray::from(vec!["bullpen"; 3])) as ArrayRef,
                Arc::new(StringArray::from(vec![
                    "20220404080059:001AA0OOZAVP",
                    "custom-key",
                    "20220404080059:001AA0OOZAVP",
                ])),
                Arc::new(TimestampNanosecondArray::from(vec![t; 3])),
                Arc::new(StringArray::from(vec![
                    "00:1A:A0:OO:ZA:VP",
                    "00:1A:A0:OO:ZA:VP",
                    "00:1a:a0:oo:za:vp",
                ])),
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
            ],
        )
        .unwrap();
        let cube = cube_from_batches(&[batch]).unwrap();
        let facts = flowcube_core::DrillThrough::new()
            .columns(["FlowId"])
            .execute(&cube)
            .unwrap();
        let keys: Vec<&str> = facts
            .column(0)
            .as_string::<i32>()
            .iter()
            .flatten()
            .collect();
        assert_eq!(
            keys,
            [
                "20220404080059:001AA0OOZAVP",
                "custom-key",
                "20220404080059:001AA0OOZAVP"
            ]
        );
        // FlowId is also a level.
        let by_key = flowcube_core::Query::new()
            .measures(["contributors.COUNT"])
            .levels(["FlowId"])
            .execute(&cube)
            .unwrap();
        assert_eq!(by_key.num_rows(), 2);
    }

    #[test]
    fn a_bare_hour_level_is_ambiguous() {
        let cube = empty_cube().unwrap();
        let err = flowcube_core::Query::new()
            .measures(["contributors.COUNT"])
            .levels(["Hour"])
            .execute(&cube)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("NetworkFlows/DateTime/Hour"), "{text}");
        assert!(text.contains("NetworkFlows/Hour/Hour"), "{text}");
    }

    #[test]
    fn the_sample_cube_holds_the_simulated_week() {
        let cube = sample_cube().unwrap();
        // The sample aims at 50,000 flows and lands within 2% of it.
        assert!(
            (49_000..=51_000).contains(&cube.num_rows()),
            "{}",
            cube.num_rows()
        );
    }

    #[test]
    fn every_chart_query_runs_on_an_empty_cube() {
        let cube = empty_cube().unwrap();
        for chart in charts() {
            chart.query.run(&cube).unwrap();
        }
    }
}
