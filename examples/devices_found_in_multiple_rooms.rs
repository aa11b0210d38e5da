//! Devices Found in Multiple Rooms (chart 7 of the notebook).
//!
//! Which devices move around? The table of chart 6, keeping only the devices seen in more
//! than one room over the whole week.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-07.html`. Run it with
//!
//! ```sh
//! cargo run --release --example devices_found_in_multiple_rooms
//! ```

use flowcube::core::Comparison;
use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::{Filter, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // The filter keeps MacAddress members whose #LocationsFound over all facts is above 1.
    let movers = Filter::members_where(
        "NetworkFlows/MacAddress/MacAddress",
        "#LocationsFound",
        Comparison::Greater,
        1.0,
    );
    let answer = Query::new()
        .measures(["#LocationsFound"])
        .levels([
            "NetworkFlows/MacAddress/MacAddress",
            "NetworkFlows/DateTime/Day",
        ])
        .filter(movers)
        .with_totals()
        .execute(&cube)?;

    show(&cube, "7", &answer)?;
    Ok(())
}
