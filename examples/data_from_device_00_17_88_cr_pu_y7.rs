//! Data from device "00:17:88:CR:PU:Y7" (chart 4 of the notebook).
//!
//! Does a lamp move? The flow events of the lamp 00:17:88:CR:PU:Y7 per room: all of them
//! are in one room, as a lamp's should be.
//!
//! It prints the answer and writes the picture to `target/examples-out/chart-04.html`. Run it with
//!
//! ```sh
//! cargo run --release --example data_from_device_00_17_88_cr_pu_y7
//! ```

use flowcube::iot::notebook::sample_cube;
use flowcube::iot::notebook::NOTEBOOK_DEVICE;
use flowcube::viz::walkthrough::show;
use flowcube::{Filter, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The built-in sample: a simulated office week, written as room CSV files and loaded.
    let cube = sample_cube()?;

    let answer = Query::new()
        .measures(["contributors.COUNT"])
        .levels([
            "NetworkFlows/MacAddress/MacAddress",
            "NetworkFlows/Room/Room",
        ])
        .filter(Filter::eq(
            "NetworkFlows/MacAddress/MacAddress",
            NOTEBOOK_DEVICE,
        ))
        .with_totals()
        .execute(&cube)?;

    show(&cube, "4", &answer)?;
    Ok(())
}
