//! The pictures of the notebook's charts and the dashboard, drawn from the built-in sample.

mod charts;
mod dashboard;

use std::sync::OnceLock;

use flowcube_core::Cube;

/// The sample cube, built once for all tests of this binary.
fn sample() -> &'static Cube {
    static CUBE: OnceLock<Cube> = OnceLock::new();
    CUBE.get_or_init(|| flowcube_iot::notebook::sample_cube().expect("the sample loads"))
}
