//! Chart 8: one point per device, by how many rooms it was seen in and how long its flows
//! lasted, one panel per day.

use std::collections::HashMap;

use arrow::array::RecordBatch;
use plotters::prelude::*;

use crate::data::{member_cmp, Answer};
use crate::error::{Error, Result};
use crate::plot::{plot, Frame};
use crate::style::{axis_top, header, no_data, stable_hash, subtitle, svg, ACCENT};
use crate::{Picture, Series};

/// How far a point may be moved sideways, in units of the x axis: the x measure is a small
/// whole number, so without this spread the devices of one count would hide one another.
const JITTER: f64 = 0.28;

/// Draws an answer by `MacAddress` and `Day` with two measures, y then x (chart 8:
/// `EventDuration.SUM`, `#LocationsFound`), as one scatter panel per day with a point per
/// device.
///
/// Points are spread sideways by up to ±0.28 (by a hash of the device, so the same device
/// lands in the same place every time); the series hold the true values. Each day gives two
/// series keyed by device: `Day 4: <y measure>` and `Day 4: <x measure>`. The totals are
/// the y measure's grand total (`Total`) and each day's (`Day 4`).
///
/// # Errors
/// A missing `MacAddress` or `Day` column, fewer than two measure columns, a measure that
/// is not numeric, or a drawing failure.
pub fn scatter_panels(title: &str, answer: &RecordBatch) -> Result<Picture> {
    let data = Answer::new(answer, "a scatter chart");
    let measures: Vec<String> = data
        .column_names()
        .into_iter()
        .filter(|c| c != "MacAddress" && c != "Day")
        .collect();
    let [y_measure, x_measure, ..] = measures.as_slice() else {
        return Err(Error::MissingColumn {
            column: "a second measure".to_owned(),
            picture: "a scatter chart",
            columns: data.column_names(),
        });
    };
    let levels = ["MacAddress", "Day"];
    let y_cells = data.cells(&levels, y_measure)?;
    let x_of: HashMap<Vec<String>, f64> =
        data.cells(&levels, x_measure)?.leaves.into_iter().collect();

    // Gather: the (device, x, y) points of each day.
    let days = y_cells.members(1);
    let mut points: Vec<Vec<(String, f64, f64)>> = vec![Vec::new(); days.len()];
    for (key, y) in &y_cells.leaves {
        let (Ok(d), Some(x)) = (
            days.binary_search_by(|day| member_cmp(day, &key[1])),
            x_of.get(key),
        ) else {
            continue;
        };
        points[d].push((key[0].clone(), *x, *y));
    }
    let mut totals = Vec::new();
    let grand_total = y_cells.total(&[None, None]);
    if let Some(total) = grand_total {
        totals.push(("Total".to_owned(), total));
    }
    for day in &days {
        if let Some(total) = y_cells.total(&[None, Some(day)]) {
            totals.push((format!("Day {day}"), total));
        }
    }

    // Draw: panels side by side on shared scales.
    let x_top = points.iter().flatten().map(|p| p.1).fold(1.0, f64::max);
    let y_top = axis_top(y_cells.largest());
    let subtitle = subtitle(
        y_measure,
        grand_total,
        &format!("device and day, against {x_measure}"),
    );
    let body = svg((1200, 440), |root| {
        let area = header(root, title, &subtitle, &[])?;
        if days.is_empty() {
            return no_data(&area);
        }
        // At least three columns, so a single day's panel keeps a readable shape.
        let panels = area.split_evenly((1, days.len().max(3)));
        for (d, panel) in panels.iter().take(days.len()).enumerate() {
            let frame = Frame {
                x_desc: x_measure,
                y_desc: if d == 0 { y_measure } else { "" },
                caption: Some(format!("Day {}: {} devices", days[d], points[d].len())),
                numeric_x: true,
                x_label_rows: 1,
            };
            let mut chart = plot(panel, 0.5..x_top + 0.5, 0.0..y_top, &frame)?;
            let style = ACCENT.mix(0.55).filled();
            chart.draw_series(
                points[d]
                    .iter()
                    .map(|(device, x, y)| Circle::new((x + jitter(device), *y), 3, style)),
            )?;
        }
        Ok(())
    })?;

    let series = days
        .iter()
        .zip(&points)
        .flat_map(|(day, day_points)| {
            let ys = day_points.iter().map(|(device, _, y)| (device.clone(), *y));
            let xs = day_points.iter().map(|(device, x, _)| (device.clone(), *x));
            [
                Series {
                    name: format!("Day {day}: {y_measure}"),
                    points: ys.collect(),
                },
                Series {
                    name: format!("Day {day}: {x_measure}"),
                    points: xs.collect(),
                },
            ]
        })
        .collect();
    Ok(Picture::svg(title, body, series, totals))
}

/// A sideways offset in `[-JITTER, JITTER]` fixed by the device's name.
fn jitter(device: &str) -> f64 {
    // The top 53 bits of the hash as a fraction in [0, 1).
    let unit = (stable_hash(device) >> 11) as f64 / (1u64 << 53) as f64;
    (unit * 2.0 - 1.0) * JITTER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_fixed_per_device_and_bounded() {
        assert_eq!(jitter("00:17:88:CR:PU:Y7"), jitter("00:17:88:CR:PU:Y7"));
        for device in ["a", "b", "00:16:DB:0U:Q4:1I", ""] {
            assert!(jitter(device).abs() <= JITTER);
        }
    }
}
