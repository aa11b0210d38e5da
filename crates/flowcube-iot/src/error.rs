//! The error type of the IoT crate.

use crate::load::LoadError;

/// The result type of the IoT crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong loading room files, building the notebook cube, or running a query
/// description.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A room file or folder that could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),

    /// An error of the cube engine.
    #[error(transparent)]
    Cube(#[from] flowcube_core::Error),

    /// A query description that is malformed.
    #[error("invalid query description: {0}")]
    Spec(String),

    /// The built-in sample could not be written into a temporary folder.
    #[error("cannot write the built-in sample into {}: {source}", path.display())]
    Sample {
        /// The folder being written.
        path: std::path::PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },

    /// An answer that contradicts the facts it was computed from (see
    /// [`workload::check_answer`](crate::workload::check_answer)).
    #[error("wrong answer: {0}")]
    WrongAnswer(String),
}
