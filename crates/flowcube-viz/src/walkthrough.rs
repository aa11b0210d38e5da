//! What the examples share: each example asks one chart's question of the sample cube,
//! then hands the answer to [`show`], which checks it against the notebook's own query,
//! prints it and writes its picture.
//!
//! ```no_run
//! use flowcube_core::Query;
//! use flowcube_iot::notebook::sample_cube;
//!
//! let cube = sample_cube()?;
//! let answer = Query::new()
//!     .measures(["contributors.COUNT"])
//!     .levels(["NetworkFlows/Room/Room"])
//!     .with_totals()
//!     .execute(&cube)?;
//! flowcube_viz::walkthrough::show(&cube, "1", &answer)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::PathBuf;

use arrow::array::RecordBatch;
use flowcube_core::Cube;
use flowcube_iot::notebook::charts;

use crate::error::{Error, Result};
use crate::render;

/// The most rows [`show`] prints; the picture always has them all.
const PRINTED_ROWS: usize = 40;

/// Checks that `answer` is what the notebook's chart `id` answers on `cube`, prints its
/// first rows, and writes its picture into [`output_dir`]; returns the picture's path.
///
/// # Errors
/// [`Error::UnknownChart`] for an id outside 1 to 12, [`Error::Mismatch`] when `answer`
/// differs from the notebook's, or a failure to query, draw or write.
pub fn show(cube: &Cube, id: &str, answer: &RecordBatch) -> Result<PathBuf> {
    let chart = charts()
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::UnknownChart { id: id.to_owned() })?;
    if chart.query.run(cube)? != *answer {
        return Err(Error::Mismatch { id: id.to_owned() });
    }

    println!("Chart {id}: {}", chart.title);
    let levels = crate::level_columns(&chart, answer);
    println!("{}", crate::answer_table(answer, levels, PRINTED_ROWS)?);
    if answer.num_rows() > PRINTED_ROWS {
        println!("... {} rows in all", answer.num_rows());
    }

    let picture = render(&chart, answer)?;
    let dir = output_dir();
    let path = dir.join(picture.file_name(id));
    let write_error = |source| Error::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(write_error)?;
    std::fs::write(&path, picture.document()).map_err(write_error)?;
    println!("picture: {}", path.display());
    Ok(path)
}

/// Where the examples write their pictures: `examples-out` in Cargo's target folder
/// (`$CARGO_TARGET_DIR`, else `target` under the current folder).
pub fn output_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join("examples-out")
}
