//! Hourly Network Flow, Split by Room (chart 9 of the notebook).
//!
//! When is each room in use? The duration of the flows per hour of the working day (08:00
//! to 18:00), per room and day.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-09.svg`. Run it with
//!
//! ```sh
//! cargo run --release --example hourly_network_flow_split_by_room
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::{Filter, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // The Hour hierarchy has the hour alone, so an hour totals across days.
    let work_hours: Vec<String> = (8..=18).map(|h| format!("{h:02}")).collect();
    let answer = Query::new()
        .measures(["EventDuration.SUM"])
        .levels([
            "NetworkFlows/Hour/Hour",
            "NetworkFlows/Room/Room",
            "NetworkFlows/DateTime/Day",
        ])
        .filter(Filter::is_in("NetworkFlows/Hour/Hour", work_hours))
        .with_totals()
        .execute(&cube)?;

    show(&cube, "9", &answer)?;
    Ok(())
}
