//! Chart 11: devices per room and hour as a donut, drawn with polygons.

use std::f64::consts::{FRAC_PI_2, TAU};

use arrow::array::RecordBatch;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::data::Answer;
use crate::error::Result;
use crate::style::{
    bold, font, format_value, header, no_data, room_colour, room_totals, subtitle, svg, Area,
    MUTED, RULE,
};
use crate::time_axis::TimeByRoom;
use crate::Picture;

/// Radii of the ring of slices and of the band naming the hours, in pixels.
const OUTER: f64 = 250.0;
const INNER: f64 = 160.0;
const BAND_OUTER: f64 = 152.0;
const BAND_INNER: f64 = 137.0;
/// An hour narrower than this (12°, in radians) has too little room for its name.
const NARROW_HOUR: f64 = 12.0 * std::f64::consts::PI / 180.0;
/// The shade of every other hour in the band; the others take the rule colour.
const BAND: RGBColor = RGBColor(0xb4, 0xba, 0xc4);

/// Draws an answer by `Day`, `Hour` and `Room` (its last column the measure) as a donut:
/// one slice per hour and room, coloured by room, grouped by hour clockwise from the top,
/// each hour named outside the ring with its own total.
///
/// A slice's angle is its share of the sum of all slices. For a distinct count such as
/// `#DevicesFound` that sum counts a device once per room and hour it was seen in, so the
/// centre shows the answer's grand total (distinct devices) rather than the sum. Each room
/// is a series named after it, with a point per `Day/Hour` (0 where the room has no row).
/// The totals are the grand total (`Total`), each room's (legend) and each hour's
/// (`Day/Hour`, by its label).
///
/// # Errors
/// A missing `Day`, `Hour` or `Room` column, a measure that is not numeric, or a drawing
/// failure.
pub fn donut(title: &str, answer: &RecordBatch) -> Result<Picture> {
    let data = Answer::new(answer, "a donut chart");
    let measure = data.last_column_name();
    let cells = data.cells(&["Day", "Hour", "Room"], &measure)?;

    // Gather: the value of each (hour, room).
    let grid = TimeByRoom::new(&cells);
    let (hours, rooms, values) = (&grid.axis, &grid.rooms, &grid.values);
    let grand_total = cells.total(&[None, None, None]);
    let (mut totals, legend) = room_totals(&cells, rooms, 2, &measure);
    let labels = hours.labels();
    let single_day = cells.members(0).len() == 1;
    let hour_names: Vec<String> = labels
        .iter()
        .map(|label| {
            let (day, hour) = label.split_once('/').unwrap_or(("", label));
            let total = cells.total(&[Some(day), Some(hour), None]);
            if let Some(total) = total {
                totals.push((label.clone(), total));
            }
            let name = if single_day { hour } else { label.as_str() };
            match total {
                Some(total) => format!("{name} ({})", format_value(&measure, total)),
                None => name.to_owned(),
            }
        })
        .collect();

    // Draw.
    let sum: f64 = values.iter().flatten().sum();
    let subtitle = subtitle(&measure, grand_total, "hour and room");
    let body = svg((780, 760), |root| {
        let area = header(root, title, &subtitle, &legend)?;
        if sum <= 0.0 {
            return no_data(&area);
        }
        let (width, height) = area.dim_in_pixel();
        let centre = (f64::from(width) / 2.0, f64::from(height) / 2.0);
        let mut angle = -FRAC_PI_2;
        let mut narrow_run = 0;
        for (h, row) in values.iter().enumerate() {
            let start = angle;
            for (r, value) in row.iter().enumerate() {
                let sweep = value / sum * TAU;
                if sweep > 0.0 {
                    let colour = room_colour(&rooms[r]);
                    ring(
                        &area,
                        centre,
                        (INNER, OUTER),
                        (angle, angle + sweep),
                        colour.filled(),
                    )?;
                }
                angle += sweep;
            }
            // The hour's band segment, shaded every other hour, and its name outside.
            let shade = if h % 2 == 0 { RULE } else { BAND };
            ring(
                &area,
                centre,
                (BAND_INNER, BAND_OUTER),
                (start, angle),
                shade.filled(),
            )?;
            separator(&area, centre, start)?;
            // Names of narrow hours in a row step outwards in turn, so they don't overprint.
            let lift = if angle - start < NARROW_HOUR {
                narrow_run += 1;
                f64::from(narrow_run % 3) * 16.0
            } else {
                narrow_run = 0;
                0.0
            };
            let radius = OUTER + 14.0 + lift;
            name_hour(&area, centre, (start + angle) / 2.0, radius, &hour_names[h])?;
        }

        // The centre: the answer's own grand total, not the sum of the slices.
        let middle = (centre.0 as i32, centre.1 as i32);
        let anchor = Pos::new(HPos::Center, VPos::Center);
        if let Some(total) = grand_total {
            let text = format_value(&measure, total);
            area.draw_text(&text, &bold(44.0).pos(anchor), (middle.0, middle.1 - 14))?;
        }
        let note = font(14.0).color(&MUTED).pos(anchor);
        area.draw_text(
            &format!("{measure}, all hours"),
            &note,
            (middle.0, middle.1 + 22),
        )?;
        Ok(())
    })?;

    Ok(Picture::svg(title, body, grid.series(), totals))
}

/// The pixel at `radius` and `angle` (radians, clockwise from the x axis) around `centre`.
fn polar(centre: (f64, f64), radius: f64, angle: f64) -> (i32, i32) {
    (
        (centre.0 + radius * angle.cos()).round() as i32,
        (centre.1 + radius * angle.sin()).round() as i32,
    )
}

/// Fills the part of the ring between `radii` from angle `from` to `to`.
fn ring(
    area: &Area,
    centre: (f64, f64),
    (inner, outer): (f64, f64),
    (from, to): (f64, f64),
    style: ShapeStyle,
) -> Result<()> {
    // A point every degree or so keeps the arcs smooth at this size.
    let steps = ((to - from).abs() / TAU * 360.0).ceil().max(1.0) as usize;
    let at = |i: usize| from + (to - from) * i as f64 / steps as f64;
    let outer_arc = (0..=steps).map(|i| polar(centre, outer, at(i)));
    let inner_arc = (0..=steps).rev().map(|i| polar(centre, inner, at(i)));
    area.draw(&Polygon::new(
        outer_arc.chain(inner_arc).collect::<Vec<_>>(),
        style,
    ))?;
    Ok(())
}

/// A white line across the ring where an hour starts.
fn separator(area: &Area, centre: (f64, f64), angle: f64) -> Result<()> {
    let line = vec![
        polar(centre, BAND_INNER, angle),
        polar(centre, OUTER, angle),
    ];
    area.draw(&PathElement::new(line, WHITE.stroke_width(2)))?;
    Ok(())
}

/// Writes an hour's name outside the ring, at `angle` and `radius`.
fn name_hour(area: &Area, centre: (f64, f64), angle: f64, radius: f64, name: &str) -> Result<()> {
    let h_pos = if angle.cos() > 0.25 {
        HPos::Left
    } else if angle.cos() < -0.25 {
        HPos::Right
    } else {
        HPos::Center
    };
    let style = font(13.0).pos(Pos::new(h_pos, VPos::Center));
    area.draw_text(name, &style, polar(centre, radius, angle))?;
    Ok(())
}
