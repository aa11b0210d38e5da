//! The error type of the picture crate.

/// The result type of the picture crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong turning a chart's answer into a picture.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The answer lacks a column the picture is drawn from.
    #[error("no column {column:?} to draw {picture} from; the answer has {columns:?}")]
    MissingColumn {
        /// The column looked for.
        column: String,
        /// The kind of picture being drawn.
        picture: &'static str,
        /// The columns the answer has.
        columns: Vec<String>,
    },

    /// A measure column that does not hold numbers.
    #[error("column {column:?} holds {data_type}, not numbers")]
    NotNumeric {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
    },

    /// A chart id with no picture kind.
    #[error("no picture is defined for chart {id:?}; the notebook's charts are 1 to 12")]
    UnknownChart {
        /// The id asked for.
        id: String,
    },

    /// An example's own query answered differently from the notebook's.
    #[error("the answer differs from the one of the notebook's chart {id}")]
    Mismatch {
        /// The chart.
        id: String,
    },

    /// plotters failed to draw.
    #[error("drawing failed: {0}")]
    Draw(String),

    /// A query of the notebook failed.
    #[error(transparent)]
    Notebook(#[from] flowcube_iot::Error),

    /// Arrow failed to convert or print a column.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    /// Writing a picture failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file being written.
        path: std::path::PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for Error
{
    fn from(error: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        Error::Draw(error.to_string())
    }
}
