//! What every picture shares: room colours, fonts, number formats, the header with title
//! and legend, and the SVG canvas.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::data::Cells;
use crate::error::Result;

/// A drawing area of an SVG being written.
pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The font family written into the SVG; the viewer picks the face, so no font file is read.
const FONT: &str = "sans-serif";

/// Text colour, a dark grey that is softer than black on white.
pub(crate) const INK: RGBColor = RGBColor(0x2b, 0x2f, 0x36);
/// Secondary text: subtitles, panel notes.
pub(crate) const MUTED: RGBColor = RGBColor(0x6b, 0x72, 0x80);
/// Grid and separator lines.
pub(crate) const RULE: RGBColor = RGBColor(0xd9, 0xdd, 0xe3);
/// The colour of series that are not rooms (events over time, devices).
pub(crate) const ACCENT: RGBColor = RGBColor(0x4e, 0x79, 0xa7);

/// The Tableau 10 palette: distinct, colour-blind friendly enough, and printable.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// The colour of a room, the same in every picture and whatever other rooms the data has:
/// the office's five rooms take the first five colours, any other room one picked by a
/// hash of its name.
pub fn room_colour(room: &str) -> RGBColor {
    let known = flowcube_iot::simulator::ROOMS
        .iter()
        .position(|r| *r == room);
    let index = known.unwrap_or_else(|| (stable_hash(room) % PALETTE.len() as u64) as usize);
    PALETTE[index]
}

/// FNV-1a of `text`: the same across runs and platforms, unlike the std hasher.
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Text of `px` pixels in the SVG. plotters writes `size / 1.24` as the font size, so the
/// size asked of it is scaled up by that much.
pub(crate) fn font(px: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, px * 1.24).into_font()).color(&INK)
}

/// Bold text of `px` pixels.
pub(crate) fn bold(px: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, px * 1.24, FontStyle::Bold).into_font()).color(&INK)
}

/// About how wide text of `px` pixels is in a common sans-serif face; used to lay out the
/// legend, since the SVG's reader picks the face.
pub(crate) fn text_width(text: &str, px: f64) -> i32 {
    (text.chars().count() as f64 * px * 0.58).ceil() as i32
}

/// A number as a person reads it: integers grouped by thousands (`42,949`), ratios of a
/// measure named `%…` as percentages, other fractions to three decimals.
pub fn format_value(measure: &str, value: f64) -> String {
    if measure.starts_with('%') {
        format!("{:.2} %", value * 100.0)
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        group_thousands(value as i64)
    } else {
        format!("{value:.3}")
    }
}

fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// An axis tick: `950`, `12k`, `1.5k`, `2.3M`.
pub(crate) fn format_tick(value: f64) -> String {
    let magnitude = value.abs();
    let (scaled, suffix) = if magnitude >= 1e6 {
        (value / 1e6, "M")
    } else if magnitude >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    if (scaled.round() - scaled).abs() < 1e-9 {
        format!("{scaled:.0}{suffix}")
    } else {
        format!("{scaled:.1}{suffix}")
    }
}

/// A headroom of 8% over the largest value, so the top of a series never touches the frame;
/// 1 for an empty or all-zero chart.
pub(crate) fn axis_top(largest: f64) -> f64 {
    if largest > 0.0 {
        largest * 1.08
    } else {
        1.0
    }
}

/// Writes an SVG of `size` pixels: a white canvas handed to `draw`.
pub(crate) fn svg(size: (u32, u32), draw: impl FnOnce(&Area) -> Result<()>) -> Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(text)
}

/// One entry of a legend: a colour swatch and its text.
pub(crate) struct LegendEntry {
    pub(crate) text: String,
    pub(crate) colour: RGBColor,
}

/// The totals a picture by room writes: the grand total (`Total`) then each room's, and
/// the legend of the rooms showing theirs. Room is level `room_level` of the three levels
/// of `cells`.
pub(crate) fn room_totals(
    cells: &Cells,
    rooms: &[String],
    room_level: usize,
    measure: &str,
) -> (Vec<(String, f64)>, Vec<LegendEntry>) {
    let mut totals = Vec::new();
    if let Some(total) = cells.total(&[None, None, None]) {
        totals.push(("Total".to_owned(), total));
    }
    let legend = rooms
        .iter()
        .map(|room| {
            let mut key = [None, None, None];
            key[room_level] = Some(room.as_str());
            let text = match cells.total(&key) {
                Some(total) => {
                    totals.push((room.clone(), total));
                    format!("{room} ({})", format_value(measure, total))
                }
                None => room.clone(),
            };
            LegendEntry {
                text,
                colour: room_colour(room),
            }
        })
        .collect();
    (totals, legend)
}

/// The subtitle of a chart: its grand total when the answer has one, and what it is by.
pub(crate) fn subtitle(measure: &str, total: Option<f64>, by: &str) -> String {
    match total {
        Some(total) => format!("{} {measure} in all, by {by}", format_value(measure, total)),
        None => format!("{measure} by {by}"),
    }
}

/// Draws the title, a subtitle and a legend across the top of `root`; returns the area
/// below them.
pub(crate) fn header<'a>(
    root: &Area<'a>,
    title: &str,
    subtitle: &str,
    legend: &[LegendEntry],
) -> Result<Area<'a>> {
    let (width, _) = root.dim_in_pixel();
    let left = 20;
    root.draw_text(title, &bold(19.0), (left, 14))?;
    root.draw_text(subtitle, &font(13.0).color(&MUTED), (left, 42))?;

    // Legend entries flow left to right and wrap at the right edge.
    let swatch = 12;
    let (mut x, mut y) = (left, 66);
    for entry in legend {
        let width_needed = swatch + 6 + text_width(&entry.text, 13.0) + 18;
        if x > left && x + width_needed > width as i32 - left {
            x = left;
            y += 22;
        }
        root.draw(&Rectangle::new(
            [(x, y), (x + swatch, y + swatch)],
            entry.colour.filled(),
        ))?;
        root.draw_text(&entry.text, &font(13.0), (x + swatch + 6, y - 1))?;
        x += width_needed;
    }
    let top = if legend.is_empty() { y } else { y + 26 };
    Ok(root.split_vertically(top).1)
}

/// Writes "No data" in the middle of `area`, for an answer with no leaf rows.
pub(crate) fn no_data(area: &Area) -> Result<()> {
    let (width, height) = area.dim_in_pixel();
    let style = font(16.0)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(
        "No data for this selection",
        &style,
        (width as i32 / 2, height as i32 / 2),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_value("contributors.COUNT", 42949.0), "42,949");
        assert_eq!(format_value("x", -1234567.0), "-1,234,567");
        assert_eq!(format_value("%Time", 0.91106), "91.11 %");
        assert_eq!(format_value("EventDuration.MEAN", 1.5), "1.500");
        assert_eq!(format_tick(950.0), "950");
        assert_eq!(format_tick(12_000.0), "12k");
        assert_eq!(format_tick(1_500.0), "1.5k");
        assert_eq!(format_tick(2_300_000.0), "2.3M");
    }

    #[test]
    fn the_office_rooms_have_their_own_colours() {
        let colours: Vec<_> = flowcube_iot::simulator::ROOMS
            .iter()
            .map(|r| room_colour(r))
            .collect();
        for (i, a) in colours.iter().enumerate() {
            assert!(colours[i + 1..].iter().all(|b| b != a));
        }
        assert_eq!(room_colour("lab"), room_colour("lab"));
    }
}
