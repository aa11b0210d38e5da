//! Devices #Locations Across Each Day (chart 6 of the notebook).
//!
//! Do people stay in one place? For each device and day, #LocationsFound, the number of
//! distinct rooms it was seen in. Lamps stay at 1; laptops and phones move.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-06.html`. Run it with
//!
//! ```sh
//! cargo run --release --example devices_locations_across_each_day
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::Query;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // #LocationsFound is a distinct count of Room, defined with the notebook's cube.
    let answer = Query::new()
        .measures(["#LocationsFound"])
        .levels([
            "NetworkFlows/MacAddress/MacAddress",
            "NetworkFlows/DateTime/Day",
        ])
        .with_totals()
        .execute(&cube)?;

    show(&cube, "6", &answer)?;
    Ok(())
}
