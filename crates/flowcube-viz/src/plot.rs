//! The plotting frame of the line, area, column and scatter pictures: numeric axes with a
//! light grid, and category labels placed by hand under the x axis.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::Result;
use crate::style::{font, format_tick, Area, MUTED, RULE};

/// A chart drawn on an SVG, in numbers on both axes.
pub(crate) type Plot<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axis descriptions and room for the labels of one plot.
pub(crate) struct Frame<'t> {
    pub(crate) x_desc: &'t str,
    pub(crate) y_desc: &'t str,
    /// The panel's own caption above the plot ("Day 4 · …"), if any.
    pub(crate) caption: Option<String>,
    /// Whether the x axis gets plotters' numeric labels; category axes label themselves.
    pub(crate) numeric_x: bool,
    /// Rows of labels under the x axis: 2 for the time axis (hours, then days).
    pub(crate) x_label_rows: u32,
}

/// Builds a plot over `x` × `y` on `area` and draws its frame: y grid, axes, descriptions.
pub(crate) fn plot<'a, 'b>(
    area: &'a Area<'b>,
    x: Range<f64>,
    y: Range<f64>,
    frame: &Frame,
) -> Result<Plot<'a, 'b>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_left(8)
        .margin_right(20)
        .margin_top(8)
        .margin_bottom(4)
        .x_label_area_size(
            8 + 18 * frame.x_label_rows + if frame.x_desc.is_empty() { 0 } else { 20 },
        )
        .y_label_area_size(if frame.y_desc.is_empty() { 48 } else { 68 });
    if let Some(caption) = &frame.caption {
        builder.caption(caption, font(14.0));
    }
    let mut chart = builder.build_cartesian_2d(x, y)?;

    let tick = |v: &f64| format_tick(*v);
    let whole = |v: &f64| {
        if v.fract() == 0.0 {
            format_tick(*v)
        } else {
            String::new()
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .bold_line_style(RULE)
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED)
        .label_style(font(12.0).color(&MUTED))
        .axis_desc_style(font(13.0))
        .y_labels(6)
        .y_label_formatter(&tick)
        .x_desc(frame.x_desc)
        .y_desc(frame.y_desc);
    if frame.numeric_x {
        mesh.x_label_formatter(&whole);
    } else {
        mesh.x_labels(0);
    }
    mesh.draw()?;
    Ok(chart)
}

/// Writes `labels` (x position, text) under the x axis of `chart`, `offset` pixels down.
pub(crate) fn category_labels(
    chart: &mut Plot,
    labels: &[(f64, String)],
    px: f64,
    offset: i32,
) -> Result<()> {
    let y_bottom = chart.y_range().start;
    let style = font(px)
        .color(&MUTED)
        .pos(Pos::new(HPos::Center, VPos::Top));
    chart.draw_series(labels.iter().map(|(x, text)| {
        EmptyElement::at((*x, y_bottom)) + Text::new(text.clone(), (0, offset), style.clone())
    }))?;
    Ok(())
}

/// A vertical rule across the whole height of `chart` at `x`.
pub(crate) fn vertical_rule(chart: &mut Plot, x: f64) -> Result<()> {
    let y = chart.y_range();
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x, y.start), (x, y.end)],
        RULE.stroke_width(1),
    )))?;
    Ok(())
}
