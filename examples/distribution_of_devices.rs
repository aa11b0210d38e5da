//! Distribution of Devices (chart 5 of the notebook).
//!
//! Where are the people during the day? Flow events per hour of each day, split by room:
//! the bullpen carries most of the traffic in working hours.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-05.svg`. Run it with
//!
//! ```sh
//! cargo run --release --example distribution_of_devices
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::Query;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    let answer = Query::new()
        .measures(["contributors.COUNT"])
        .levels(["NetworkFlows/DateTime/Hour", "NetworkFlows/Room/Room"])
        .with_totals()
        .execute(&cube)?;

    show(&cube, "5", &answer)?;
    Ok(())
}
