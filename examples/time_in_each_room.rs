//! % Time in Each Room (chart 12 of the notebook).
//!
//! What share of the time on the network is spent in each room? %Time is the duration of
//! the flows in a room over the duration in all rooms of the same hour (a sum over the Room
//! siblings).
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-12.html`. Run it with
//!
//! ```sh
//! cargo run --release --example time_in_each_room
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::Query;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    let answer = Query::new()
        .measures(["%Time"])
        .levels(["NetworkFlows/DateTime/Hour", "NetworkFlows/Room/Room"])
        .with_totals()
        .execute(&cube)?;

    show(&cube, "12", &answer)?;
    Ok(())
}
