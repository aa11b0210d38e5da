//! Chart 2: events over time, one line across Day/Hour.

use arrow::array::RecordBatch;
use plotters::prelude::*;

use crate::data::Answer;
use crate::error::Result;
use crate::plot::plot;
use crate::style::{axis_top, header, no_data, subtitle, svg, ACCENT};
use crate::time_axis::TimeAxis;
use crate::{Picture, Series};

/// Draws an answer by `Day` and `Hour` (its last column the measure) as a line over time.
///
/// The series is the measure, its points labelled `Day/Hour` (`4/08`) in time order. The
/// totals are the grand total (`Total`) and each day's (`Day 4`), written in the subtitle
/// and under each day.
///
/// # Errors
/// A missing `Day` or `Hour` column, a measure that is not numeric, or a drawing failure.
pub fn line_chart(title: &str, answer: &RecordBatch) -> Result<Picture> {
    let data = Answer::new(answer, "a line chart");
    let measure = data.last_column_name();
    let cells = data.cells(&["Day", "Hour"], &measure)?;

    // Gather: one value per (Day, Hour) leaf, in time order.
    let axis = TimeAxis::of_leaves(&cells);
    let mut values = vec![0.0; axis.len()];
    for (key, value) in &cells.leaves {
        if let Some(i) = axis.position(&key[0], &key[1]) {
            values[i] = *value;
        }
    }
    let mut totals = Vec::new();
    if let Some(total) = cells.total(&[None, None]) {
        totals.push(("Total".to_owned(), total));
    }
    for day in cells.members(0) {
        if let Some(total) = cells.total(&[Some(&day), None]) {
            totals.push((format!("Day {day}"), total));
        }
    }

    // Draw.
    let subtitle = subtitle(&measure, cells.total(&[None, None]), "day and hour");
    let body = svg((1200, 420), |root| {
        let area = header(root, title, &subtitle, &[])?;
        if axis.len() == 0 {
            return no_data(&area);
        }
        let top = axis_top(values.iter().copied().fold(0.0, f64::max));
        let mut chart = plot(&area, axis.range(), 0.0..top, &TimeAxis::frame(&measure))?;
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, *v))
            .collect();

        // A light fill under the line reads as volume without hiding the grid.
        let mut outline = points.clone();
        outline.push(((axis.len() - 1) as f64, 0.0));
        outline.push((0.0, 0.0));
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            ACCENT.mix(0.15).filled(),
        )))?;
        chart.draw_series(LineSeries::new(points, ACCENT.stroke_width(2)))?;
        axis.draw(&mut chart)
    })?;

    let series = vec![Series {
        name: measure,
        points: axis.labels().into_iter().zip(values).collect(),
    }];
    Ok(Picture::svg(title, body, series, totals))
}
