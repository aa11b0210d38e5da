//! Charts 9 and 10: a measure per hour in columns clustered by room, one panel per day.

use arrow::array::RecordBatch;
use plotters::prelude::*;

use crate::data::{member_cmp, Answer};
use crate::error::Result;
use crate::plot::{category_labels, plot, Frame};
use crate::style::{
    axis_top, format_value, header, no_data, room_colour, room_totals, subtitle, svg,
};
use crate::{Picture, Series};

/// Height of one day's panel, in pixels.
const PANEL_HEIGHT: u32 = 185;
/// Height of the title, subtitle and legend above the panels.
const HEADER_HEIGHT: u32 = 100;
/// The share of an hour's width its cluster of columns takes; the rest separates hours.
const CLUSTER_WIDTH: f64 = 0.8;

/// Draws an answer by `Hour`, `Room` and `Day` (its last column the measure) as columns per
/// hour clustered by room, one panel per day, all panels on one scale.
///
/// Each room is a series named after it, with a point per `Day/Hour` (`4/08`) of the panels
/// (0 where the room has no row). The totals are the grand total (`Total`), each room's
/// (in the legend) and each day's (`Day 4`, in the panel's caption).
///
/// # Errors
/// A missing `Hour`, `Room` or `Day` column, a measure that is not numeric, or a drawing
/// failure.
pub fn clustered_columns(title: &str, answer: &RecordBatch) -> Result<Picture> {
    let data = Answer::new(answer, "clustered columns");
    let measure = data.last_column_name();
    let cells = data.cells(&["Hour", "Room", "Day"], &measure)?;

    // Gather: hours, rooms and days of the leaves, and the value of each (day, room, hour).
    let hours = cells.members(0);
    let rooms = cells.members(1);
    let days = cells.members(2);
    let find = |list: &[String], member: &str| list.binary_search_by(|m| member_cmp(m, member));
    let mut values = vec![vec![vec![0.0; hours.len()]; rooms.len()]; days.len()];
    for (key, value) in &cells.leaves {
        if let (Ok(h), Ok(r), Ok(d)) = (
            find(&hours, &key[0]),
            find(&rooms, &key[1]),
            find(&days, &key[2]),
        ) {
            values[d][r][h] = *value;
        }
    }
    let grand_total = cells.total(&[None, None, None]);
    let (mut totals, legend) = room_totals(&cells, &rooms, 1, &measure);
    let mut captions = Vec::new();
    for day in &days {
        let total = cells.total(&[None, None, Some(day)]);
        if let Some(total) = total {
            totals.push((format!("Day {day}"), total));
        }
        captions.push(match total {
            Some(total) => format!("Day {day}: {}", format_value(&measure, total)),
            None => format!("Day {day}"),
        });
    }

    // Draw: the panels share one y scale so days compare at a glance.
    let subtitle = subtitle(&measure, grand_total, "hour, room and day");
    let height = HEADER_HEIGHT + PANEL_HEIGHT * days.len().max(1) as u32;
    let top = axis_top(cells.largest());
    let body = svg((1200, height), |root| {
        let area = header(root, title, &subtitle, &legend)?;
        if days.is_empty() {
            return no_data(&area);
        }
        let panels = area.split_evenly((days.len(), 1));
        let hour_labels: Vec<(f64, String)> = hours
            .iter()
            .enumerate()
            .map(|(h, hour)| (h as f64, hour.clone()))
            .collect();
        let column_width = CLUSTER_WIDTH / rooms.len() as f64;
        for (d, panel) in panels.iter().enumerate() {
            let last = d + 1 == days.len();
            let frame = Frame {
                x_desc: if last { "Hour" } else { "" },
                y_desc: &measure,
                caption: Some(captions[d].clone()),
                numeric_x: false,
                x_label_rows: 1,
            };
            let x = -0.5..(hours.len() as f64 - 0.5);
            let mut chart = plot(panel, x, 0.0..top, &frame)?;
            for (r, room) in rooms.iter().enumerate() {
                let colour = room_colour(room).filled();
                chart.draw_series(values[d][r].iter().enumerate().map(|(h, value)| {
                    let left = h as f64 - CLUSTER_WIDTH / 2.0 + r as f64 * column_width;
                    // A hairline gap between neighbouring columns keeps them apart.
                    Rectangle::new([(left, 0.0), (left + column_width * 0.88, *value)], colour)
                }))?;
            }
            category_labels(&mut chart, &hour_labels, 12.0, 6)?;
        }
        Ok(())
    })?;

    let series = rooms
        .iter()
        .enumerate()
        .map(|(r, room)| Series {
            name: room.clone(),
            points: days
                .iter()
                .enumerate()
                .flat_map(|(d, day)| {
                    let row = &values[d][r];
                    hours
                        .iter()
                        .zip(row)
                        .map(move |(hour, v)| (format!("{day}/{hour}"), *v))
                })
                .collect(),
        })
        .collect();
    Ok(Picture::svg(title, body, series, totals))
}
