//! Hourly Network Flow, Just Conference Rooms (chart 10 of the notebook).
//!
//! Is a conference room avoided? Chart 9 without the bullpen: conference1 empties in the
//! afternoon.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-10.svg`. Run it with
//!
//! ```sh
//! cargo run --release --example hourly_network_flow_just_conference_rooms
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::{Filter, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // Chart 9 without the bullpen, whose traffic dwarfs the conference rooms'. The notebook
    // excludes the other hours rather than keeping the working ones.
    let conference_rooms = Filter::not_in("Room", ["bullpen"]);
    let off_hours: Vec<String> = (0..=7).chain(19..=23).map(|h| format!("{h:02}")).collect();

    // A level can be named by the shortest path that tells it apart: `Hour/Hour` is the
    // Hour hierarchy's, `DateTime/Day` the day of the DateTime hierarchy.
    let answer = Query::new()
        .measures(["EventDuration.SUM"])
        .levels(["Hour/Hour", "Room", "DateTime/Day"])
        .filter(conference_rooms)
        .filter(Filter::not_in("Hour/Hour", off_hours))
        .with_totals()
        .execute(&cube)?;

    show(&cube, "10", &answer)?;
    Ok(())
}
