//! Total Device Network Flow vs #Locations Device Inhabits (chart 8 of the notebook).
//!
//! Do devices that move talk more? For each device and day, the total duration of its
//! flows against the number of rooms it was seen in, one panel per day.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-08.svg`. Run it with
//!
//! ```sh
//! cargo run --release --example total_device_network_flow_vs_locations_device_inhabits
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::Query;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    let answer = Query::new()
        .measures(["EventDuration.SUM", "#LocationsFound"])
        .levels([
            "NetworkFlows/MacAddress/MacAddress",
            "NetworkFlows/DateTime/Day",
        ])
        .with_totals()
        .execute(&cube)?;

    show(&cube, "8", &answer)?;
    Ok(())
}
