//! Drill Through on one of the Lulls (chart 3 of the notebook).
//!
//! What keeps the network busy at night? The flow events behind one quiet cell, Day 4 at
//! 19:00: nearly all come from devices of one vendor prefix, 00:17:88, smart lamps.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-03.html`. Run it with
//!
//! ```sh
//! cargo run --release --example drill_through_on_one_of_the_lulls
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::{DrillThrough, Filter, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // The facts of one path of the DateTime hierarchy: day 4, hour "19".
    let lull = vec![vec![Value::Int(4), Value::from("19")]];
    let answer = DrillThrough::new()
        .filter(Filter::paths("DateTime", lull))
        .execute(&cube)?;

    show(&cube, "3", &answer)?;
    Ok(())
}
