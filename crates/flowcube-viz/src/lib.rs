//! flowcube-viz: the notebook's charts as pictures, and its dashboard.
//!
//! Each chart of the notebook ([`flowcube_iot::notebook::charts`]) answers with an Arrow
//! record batch: level columns (a null level is a total) then measure columns. This crate
//! draws such an answer as the notebook shows it: a line chart, a stacked area, scatter
//! panels, clustered columns, a donut (SVG, drawn with plotters, text left to the viewer's
//! sans-serif face so no font file is needed), or an HTML pivot table. It draws from the
//! answer's leaf rows and totals only; it never asks the cube anything else.
//!
//! Every drawing function is pure and returns a [`Picture`]: the SVG or HTML text plus the
//! data [`Series`] it drew, so a test can hold the drawing to the query's numbers.
//! [`dashboard`] puts charts 5, 9, 8, 11, 6 and 7 on the notebook's two-page dashboard,
//! one self-contained HTML file.
//!
//! ```text
//!  answer (RecordBatch)            Picture
//!  Day  Hour  Room     COUNT       format: Svg
//!  null null  null     50416  ──>  body:   <svg …>…</svg>
//!  4    08    bullpen    431       series: [bullpen: (4/08, 431), …]
//!  …                               totals: [Total: 50416, …]
//! ```
//!
//! ```
//! use flowcube_iot::notebook;
//!
//! let cube = notebook::sample_cube()?;
//! let chart = notebook::charts().into_iter().find(|c| c.id == "5").unwrap();
//! let answer = chart.query.run(&cube)?;
//! let picture = flowcube_viz::render(&chart, &answer)?;
//! assert!(picture.body.starts_with("<svg"));
//! assert_eq!(picture.series.len(), 5); // one area per room
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod area;
mod columns;
mod dashboard;
mod data;
mod donut;
pub mod error;
mod line;
mod plot;
mod scatter;
mod style;
mod table;
mod text;
mod time_axis;
pub mod walkthrough;

use arrow::array::RecordBatch;
use flowcube_iot::notebook::Chart;

pub use area::stacked_area;
pub use columns::clustered_columns;
pub use dashboard::{dashboard, dashboard_with_progress, DASHBOARD_TITLE};
pub use data::TOTAL;
pub use donut::donut;
pub use error::{Error, Result};
pub use line::line_chart;
pub use scatter::scatter_panels;
pub use style::{format_value, room_colour};
pub use table::{fact_table, pivot_table, PivotOrder};
pub use text::{answer_table, level_columns};

/// A drawn chart: its text and the numbers it drew.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// The chart's title, drawn at its top.
    pub title: String,
    /// Whether [`body`](Self::body) is SVG or HTML.
    pub format: Format,
    /// An SVG document, or for tables an HTML fragment (a `<figure>` holding the table;
    /// [`Picture::document`] makes a page of it).
    pub body: String,
    /// The data series drawn, each point labelled by its members (see each drawing
    /// function for its labels).
    pub series: Vec<Series>,
    /// The totals written on the picture (legend, captions), by label.
    pub totals: Vec<(String, f64)>,
}

/// What a picture's body is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An SVG document.
    Svg,
    /// An HTML fragment.
    Html,
}

/// One data series of a picture: a room's areas or columns, a table's column.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' name: a room, a measure, a table column.
    pub name: String,
    /// Its points: a label naming the point's members, and the value drawn.
    pub points: Vec<(String, f64)>,
}

impl Series {
    /// The value of the point labelled `label`.
    pub fn value(&self, label: &str) -> Option<f64> {
        self.points
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, value)| *value)
    }
}

impl Picture {
    /// The file name of chart `id`'s picture: `chart-05.svg`, `chart-12.html`.
    pub fn file_name(&self, id: &str) -> String {
        let extension = match self.format {
            Format::Svg => "svg",
            Format::Html => "html",
        };
        match id.parse::<u32>() {
            Ok(number) => format!("chart-{number:02}.{extension}"),
            Err(_) => format!("chart-{id}.{extension}"),
        }
    }

    /// The picture as a file: the SVG as it is, or the table in a page of its own.
    pub fn document(&self) -> String {
        match self.format {
            Format::Svg => self.body.clone(),
            Format::Html => table::page(&self.title, &self.body),
        }
    }

    /// The series named `name`.
    pub fn series(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    /// An SVG picture.
    pub(crate) fn svg(
        title: &str,
        body: String,
        series: Vec<Series>,
        totals: Vec<(String, f64)>,
    ) -> Picture {
        Picture {
            title: title.to_owned(),
            format: Format::Svg,
            body,
            series,
            totals,
        }
    }

    /// A table: its totals are rows and columns of the table itself, so none are listed.
    pub(crate) fn html(title: &str, body: String, series: Vec<Series>) -> Picture {
        Picture {
            title: title.to_owned(),
            format: Format::Html,
            body,
            series,
            totals: Vec::new(),
        }
    }
}

/// How the notebook shows a chart (SEMANTICS §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A pivot table: charts 1, 4, 6, 7 and 12.
    PivotTable,
    /// The facts of a drill-through: chart 3.
    FactTable,
    /// Events over time: chart 2.
    Line,
    /// Events over time stacked by room: chart 5.
    StackedArea,
    /// One point per device, one panel per day: chart 8.
    Scatter,
    /// Columns per hour clustered by room, one panel per day: charts 9 and 10.
    Columns,
    /// Devices per hour and room: chart 11.
    Donut,
}

impl Kind {
    /// The kind of the notebook's chart `id` (`"1"` to `"12"`).
    ///
    /// # Errors
    /// [`Error::UnknownChart`] for any other id.
    pub fn of_chart(id: &str) -> Result<Kind> {
        Ok(match id {
            "1" | "4" | "6" | "7" | "12" => Kind::PivotTable,
            "3" => Kind::FactTable,
            "2" => Kind::Line,
            "5" => Kind::StackedArea,
            "8" => Kind::Scatter,
            "9" | "10" => Kind::Columns,
            "11" => Kind::Donut,
            other => {
                return Err(Error::UnknownChart {
                    id: other.to_owned(),
                })
            }
        })
    }
}

/// Draws `answer`, the result of `chart`'s query, as the notebook shows that chart.
///
/// # Errors
/// [`Error::UnknownChart`] for a chart id outside 1 to 12; [`Error::MissingColumn`] when
/// the answer lacks a column the picture needs; [`Error::Draw`] if plotters fails.
pub fn render(chart: &Chart, answer: &RecordBatch) -> Result<Picture> {
    let title = chart.title;
    let picture = match Kind::of_chart(chart.id)? {
        Kind::PivotTable => {
            let levels = answer
                .num_columns()
                .saturating_sub(chart.query.measures.len());
            // The notebook orders "% Time in Each Room" by %Time, largest first.
            let order = if chart.id == "12" {
                PivotOrder::MeasureDescending
            } else {
                PivotOrder::Members
            };
            pivot_table(title, answer, levels, order)
        }
        Kind::FactTable => fact_table(title, answer),
        Kind::Line => line_chart(title, answer),
        Kind::StackedArea => stacked_area(title, answer),
        Kind::Scatter => scatter_panels(title, answer),
        Kind::Columns => clustered_columns(title, answer),
        Kind::Donut => donut(title, answer),
    }?;
    tracing::debug!(
        chart = chart.id,
        bytes = picture.body.len(),
        series = picture.series.len(),
        "drew a chart"
    );
    Ok(picture)
}
