//! The notebook's dashboard, "Network Traffic Location": one self-contained HTML file.
//!
//! Two pages, picked by the address's fragment (`#overview`, `#details`):
//!
//! ```text
//!  Overview                          Detailed Tabular View (Day 4)
//!  ┌ quick filters: Room, Day ┐      ┌ quick filters: Room (Day 4) ┐
//!  │ 5  Distribution of Devices │    │ 11 donut   │ 6  table       │
//!  │ 9  Hourly Network Flow …   │    │            │ 7  table       │
//!  │ 8  Total Device Network …  │    └────────────┴────────────────┘
//! ```
//!
//! A quick filter adds `Room = r` or `Day = d` to each chart's query on its page, as the
//! notebook's dashboard filters do. Every combination is computed when the file is written
//! and kept in the page; the filters only show the matching one, so the file opens offline
//! with no server. The detailed page is filtered on Day 4, like the notebook's.

use std::fmt::Write;

use flowcube_core::{Cube, Query};
use flowcube_iot::notebook::{charts, Chart, TABLE_NAME};
use flowcube_iot::spec::FilterSpec;
use serde_json::json;

use crate::data::{members, Answer};
use crate::error::{Error, Result};
use crate::table::{escape, CSS};
use crate::{render, Format, Picture};

/// The dashboard's title, as in the notebook.
pub const DASHBOARD_TITLE: &str = "Network Traffic Location";

/// The day the detailed page is filtered on.
const DETAILS_DAY: i64 = 4;

/// One page of the dashboard.
struct Page {
    /// The fragment that opens it.
    id: &'static str,
    /// Its tab's name.
    name: &'static str,
    /// The charts on it, in the slots of its layout.
    chart_ids: [&'static str; 3],
    /// The day it is filtered on, if any; then its Day quick filter offers only that day.
    fixed_day: Option<i64>,
}

const PAGES: [Page; 2] = [
    Page {
        id: "overview",
        name: "Overview",
        chart_ids: ["5", "9", "8"],
        fixed_day: None,
    },
    Page {
        id: "details",
        name: "Detailed Tabular View",
        chart_ids: ["11", "6", "7"],
        fixed_day: Some(DETAILS_DAY),
    },
];

/// The dashboard of `cube` as one HTML page: charts inlined as SVG and HTML, style sheet
/// and script inlined, nothing fetched.
///
/// # Errors
/// A chart query or drawing that fails.
pub fn dashboard(cube: &Cube) -> Result<String> {
    dashboard_with_progress(cube, |_, _| {})
}

/// [`dashboard`], calling `progress(done, total)` after each picture it draws.
///
/// # Errors
/// A chart query or drawing that fails.
pub fn dashboard_with_progress(
    cube: &Cube,
    mut progress: impl FnMut(usize, usize),
) -> Result<String> {
    // Gather: the members the quick filters offer.
    let rooms = level_members(cube, "Room", "Room")?;
    let days = level_members(cube, "DateTime", "Day")?;
    let notebook = charts();
    let chart = |id: &str| {
        notebook
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::UnknownChart { id: id.to_owned() })
    };
    let choices = |page: &Page| -> (Vec<String>, Vec<String>) {
        let rooms = std::iter::once(String::new())
            .chain(rooms.iter().cloned())
            .collect();
        let days = match page.fixed_day {
            Some(day) => vec![day.to_string()],
            None => std::iter::once(String::new())
                .chain(days.iter().cloned())
                .collect(),
        };
        (rooms, days)
    };
    let total: usize = PAGES
        .iter()
        .map(|page| {
            let (rooms, days) = choices(page);
            rooms.len() * days.len() * page.chart_ids.len()
        })
        .sum();

    // Compute and assemble: every chart of every page under every choice of filters.
    // TODO: the page grows with rooms × days (138 pictures, 1.2 MB for the sample week); a
    // month of data would want the filters to re-draw in the page instead.
    let mut done = 0;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{DASHBOARD_TITLE}</title>\n<style>\n{CSS}{}</style>\n</head>\n<body>\n\
         <header class=\"top\"><h1>{DASHBOARD_TITLE}</h1>\n<nav>",
        include_str!("dashboard.css")
    );
    for page in &PAGES {
        let _ = write!(
            html,
            "<a href=\"#{0}\" data-page=\"{0}\">{1}</a>",
            page.id, page.name
        );
    }
    html.push_str("</nav></header>\n<main>\n");
    for page in &PAGES {
        let (room_choices, day_choices) = choices(page);
        let _ = writeln!(html, "<section class=\"page\" data-page=\"{}\">", page.id);
        html.push_str(&filter_bar(page, &room_choices, &day_choices));
        let mut slots = Vec::new();
        for id in page.chart_ids {
            let chart = chart(id)?;
            let mut slot = format!("<div class=\"slot\" data-chart=\"{id}\">\n");
            for room in &room_choices {
                for day in &day_choices {
                    let picture = filtered_picture(cube, chart, room, day)?;
                    let _ = writeln!(
                        slot,
                        "<div class=\"variant\" data-room=\"{}\" data-day=\"{day}\">",
                        escape(room)
                    );
                    slot.push_str(&figure(&picture));
                    slot.push_str("</div>\n");
                    done += 1;
                    progress(done, total);
                }
            }
            slot.push_str("</div>\n");
            slots.push(slot);
        }
        if page.fixed_day.is_some() {
            let _ = write!(
                html,
                "<div class=\"details-grid\">\n{}<div class=\"stack\">\n{}{}</div>\n</div>\n",
                slots[0], slots[1], slots[2]
            );
        } else {
            html.push_str(&slots.concat());
        }
        html.push_str("</section>\n");
    }
    let _ = write!(
        html,
        "</main>\n<script>\n{}</script>\n</body>\n</html>\n",
        include_str!("dashboard.js")
    );
    tracing::debug!(pictures = total, bytes = html.len(), "wrote the dashboard");
    Ok(html)
}

/// The quick-filter bar of a page: a Room and a Day select ("" is All).
fn filter_bar(page: &Page, rooms: &[String], days: &[String]) -> String {
    let options = |choices: &[String]| {
        choices
            .iter()
            .map(|c| {
                let text = if c.is_empty() { "All" } else { c.as_str() };
                format!("<option value=\"{}\">{}</option>", escape(c), escape(text))
            })
            .collect::<String>()
    };
    let (disabled, note) = match page.fixed_day {
        Some(day) => (
            " disabled=\"disabled\"",
            format!(
                "This page is filtered on Day {day}, as in the notebook. The Room filter adds \
                 Room = … to each chart's query; every choice was computed when this file \
                 was written."
            ),
        ),
        None => (
            "",
            "Quick filters add Room = … and Day = … to each chart's query, as the notebook's \
             dashboard does; every combination was computed when this file was written."
                .to_owned(),
        ),
    };
    format!(
        "<div class=\"filters\"><label>Room<select data-filter=\"room\">{}</select></label>\
         <label>Day<select data-filter=\"day\"{disabled}>{}</select></label><p>{}</p></div>\n",
        options(rooms),
        options(days),
        escape(&note)
    )
}

/// `chart` drawn from its query with `Room = room` and `Day = day` added ("" adds nothing).
fn filtered_picture(cube: &Cube, chart: &Chart, room: &str, day: &str) -> Result<Picture> {
    let mut query = chart.query.clone();
    if !room.is_empty() {
        query.filter.push(FilterSpec(json!([
            "level_eq",
            [TABLE_NAME, "Room", "Room"],
            room
        ])));
    }
    if let Ok(day) = day.parse::<i64>() {
        query.filter.push(FilterSpec(json!([
            "level_eq",
            [TABLE_NAME, "DateTime", "Day"],
            day
        ])));
    }
    let answer = query.run(cube)?;
    render(chart, &answer)
}

/// A picture as it sits on the page: SVG in a figure; tables are figures already.
fn figure(picture: &Picture) -> String {
    match picture.format {
        Format::Svg => format!("<figure class=\"chart\">\n{}</figure>\n", picture.body),
        Format::Html => picture.body.clone(),
    }
}

/// The members of a level of the notebook cube, in member order.
fn level_members(cube: &Cube, hierarchy: &str, level: &str) -> Result<Vec<String>> {
    let answer = Query::new()
        .measures(["contributors.COUNT"])
        .levels([format!("{TABLE_NAME}/{hierarchy}/{level}")])
        .execute(cube)
        .map_err(flowcube_iot::Error::from)?;
    let cells = Answer::new(&answer, "the quick filters").level(level)?;
    Ok(members(&cells))
}
