//! Basic Visualization of Data (chart 1 of the notebook).
//!
//! How is the traffic spread across the rooms? The number of flow events per room, with
//! the total over all rooms.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-01.html`. Run it with
//!
//! ```sh
//! cargo run --release --example basic_visualization_of_data
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::viz::walkthrough::show;
use flowcube::Query;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    // contributors.COUNT counts fact rows: here, flow events.
    let answer = Query::new()
        .measures(["contributors.COUNT"])
        .levels(["NetworkFlows/Room/Room"])
        .with_totals()
        .execute(&cube)?;

    show(&cube, "1", &answer)?;
    Ok(())
}
