//! Devices Found per Room per Hour during the work day (chart 11 of the notebook).
//!
//! How many devices gather in each room? #DevicesFound, the distinct MAC addresses, per
//! room and hour of the working day of Day 4.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-11.svg`. Run it with
//!
//! ```sh
//! cargo run --release --example devices_found_per_room_per_hour_during_the_work_day
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::{Filter, Query, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // Paths of the DateTime hierarchy: (day 4, hour) for the hours 08 to 18.
    let work_day: Vec<Vec<Value>> = (8..=18)
        .map(|h| vec![Value::Int(4), Value::from(format!("{h:02}"))])
        .collect();
    let answer = Query::new()
        .measures(["#DevicesFound"])
        .levels(["NetworkFlows/DateTime/Hour", "NetworkFlows/Room/Room"])
        .filter(Filter::paths("DateTime", work_day))
        .with_totals()
        .execute(&cube)?;

    show(&cube, "11", &answer)?;
    Ok(())
}
