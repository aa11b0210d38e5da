//! Number of Events over Time (chart 2 of the notebook).
//!
//! When is the network busy? Flow events per hour of each day, on the `DateTime` date
//! hierarchy (Day of the month, then Hour). Traffic rises between 08:00 and 18:00 but never
//! drops to zero at night.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-02.svg`. Run it with
//!
//! ```sh
//! cargo run --release --example number_of_events_over_time
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::Query;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // Day then Hour: the two levels of the DateTime hierarchy, so days total their hours.
    let answer = Query::new()
        .measures(["contributors.COUNT"])
        .levels(["NetworkFlows/DateTime/Hour"])
        .with_totals()
        .execute(&cube)?;

    show(&cube, "2", &answer)?;
    Ok(())
}
