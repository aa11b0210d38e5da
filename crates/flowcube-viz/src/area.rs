//! Chart 5: events over time, stacked by room.

use arrow::array::RecordBatch;
use plotters::prelude::*;

use crate::data::Answer;
use crate::error::Result;
use crate::plot::plot;
use crate::style::{axis_top, header, no_data, room_colour, room_totals, subtitle, svg};
use crate::time_axis::{TimeAxis, TimeByRoom};
use crate::Picture;

/// Draws an answer by `Day`, `Hour` and `Room` (its last column the measure) as areas
/// stacked by room over time.
///
/// Each room is a series named after it, one point per `Day/Hour` of the answer in time
/// order (0 where the room has no row). The rooms stack in member order, the first at the
/// bottom. The totals are the grand total (`Total`) and each room's total over the whole
/// time, shown in the legend.
///
/// # Errors
/// A missing `Day`, `Hour` or `Room` column, a measure that is not numeric, or a drawing
/// failure.
pub fn stacked_area(title: &str, answer: &RecordBatch) -> Result<Picture> {
    let data = Answer::new(answer, "a stacked area chart");
    let measure = data.last_column_name();
    let cells = data.cells(&["Day", "Hour", "Room"], &measure)?;

    // Gather: a value per time and room, and the totals for the legend.
    let grid = TimeByRoom::new(&cells);
    let (axis, rooms) = (&grid.axis, &grid.rooms);
    let (totals, legend) = room_totals(&cells, rooms, 2, &measure);

    // Compute: the running sums that bound each room's band, `stacked[time][room]` below
    // the room and `stacked[time][room + 1]` above it.
    let stacked: Vec<Vec<f64>> = grid
        .values
        .iter()
        .map(|row| {
            std::iter::once(0.0)
                .chain(row.iter().scan(0.0, |sum, v| {
                    *sum += v;
                    Some(*sum)
                }))
                .collect()
        })
        .collect();

    // Draw.
    let subtitle = subtitle(
        &measure,
        cells.total(&[None, None, None]),
        "day, hour and room",
    );
    let body = svg((1200, 440), |root| {
        let area = header(root, title, &subtitle, &legend)?;
        if axis.len() == 0 {
            return no_data(&area);
        }
        let top = axis_top(stacked.iter().map(|s| s[rooms.len()]).fold(0.0, f64::max));
        let mut chart = plot(&area, axis.range(), 0.0..top, &TimeAxis::frame(&measure))?;
        for (r, room) in rooms.iter().enumerate() {
            let upper = stacked
                .iter()
                .enumerate()
                .map(|(i, s)| (i as f64, s[r + 1]));
            let lower = stacked
                .iter()
                .enumerate()
                .rev()
                .map(|(i, s)| (i as f64, s[r]));
            let band: Vec<(f64, f64)> = upper.chain(lower).collect();
            let colour = room_colour(room).mix(0.85).filled();
            chart.draw_series(std::iter::once(Polygon::new(band, colour)))?;
        }
        axis.draw(&mut chart)
    })?;

    Ok(Picture::svg(title, body, grid.series(), totals))
}
