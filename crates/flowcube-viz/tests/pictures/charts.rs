//! Each chart's picture is well-formed and draws exactly the query's numbers.

use std::collections::HashMap;

use flowcube_iot::notebook::charts;
use flowcube_iot::spec::batch_to_rows;
use flowcube_viz::{render, Format, Kind, Picture};
use serde_json::{Map, Value as Json};

/// A point a picture must draw: (series, label, value).
type Point = (String, String, f64);

fn text(row: &Map<String, Json>, column: &str) -> Option<String> {
    match row.get(column)? {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn number(row: &Map<String, Json>, column: &str) -> f64 {
    row[column].as_f64().expect("a number")
}

fn total(cell: Option<String>) -> String {
    cell.unwrap_or_else(|| "Total".to_owned())
}

/// The points a chart's picture must show for one row of its answer, worked out from the
/// row alone (not with the drawing code), following each picture's documented labels.
fn expected(id: &str, row_number: usize, row: &Map<String, Json>) -> Vec<Point> {
    let t = |c: &str| text(row, c);
    let n = |c: &str| number(row, c);
    let time = || Some(format!("{}/{}", t("Day")?, t("Hour")?));
    match id {
        "1" => vec![(
            "contributors.COUNT".into(),
            total(t("Room")),
            n("contributors.COUNT"),
        )],
        "2" => time()
            .map(|x| ("contributors.COUNT".into(), x, n("contributors.COUNT")))
            .into_iter()
            .collect(),
        "3" => vec![(
            "EventDuration".into(),
            row_number.to_string(),
            n("EventDuration"),
        )],
        "4" => vec![(
            total(t("Room")),
            total(t("MacAddress")),
            n("contributors.COUNT"),
        )],
        "5" => match (time(), t("Room")) {
            (Some(x), Some(room)) => vec![(room, x, n("contributors.COUNT"))],
            _ => vec![],
        },
        "6" | "7" => vec![(
            total(t("Day")),
            total(t("MacAddress")),
            n("#LocationsFound"),
        )],
        "8" => match (t("MacAddress"), t("Day")) {
            (Some(mac), Some(day)) => vec![
                (
                    format!("Day {day}: EventDuration.SUM"),
                    mac.clone(),
                    n("EventDuration.SUM"),
                ),
                (
                    format!("Day {day}: #LocationsFound"),
                    mac,
                    n("#LocationsFound"),
                ),
            ],
            _ => vec![],
        },
        "9" | "10" => match (time(), t("Room")) {
            (Some(x), Some(room)) => vec![(room, x, n("EventDuration.SUM"))],
            _ => vec![],
        },
        "11" => match (time(), t("Room")) {
            (Some(x), Some(room)) => vec![(room, x, n("#DevicesFound"))],
            _ => vec![],
        },
        "12" => {
            let label = format!("{} / {}", total(t("Day")), total(t("Hour")));
            vec![(total(t("Room")), label, n("%Time"))]
        }
        other => panic!("no expectation for chart {other}"),
    }
}

fn drawn(picture: &Picture) -> HashMap<(String, String), f64> {
    let mut points = HashMap::new();
    for series in &picture.series {
        for (label, value) in &series.points {
            let old = points.insert((series.name.clone(), label.clone()), *value);
            assert!(old.is_none(), "{}: {label} drawn twice", series.name);
        }
    }
    points
}

fn assert_well_formed(id: &str, picture: &Picture) {
    match picture.format {
        Format::Svg => {
            let document = roxmltree::Document::parse(&picture.body)
                .unwrap_or_else(|e| panic!("chart {id}: the SVG is not XML: {e}"));
            assert_eq!(document.root_element().tag_name().name(), "svg");
            let has_title = document
                .descendants()
                .any(|n| n.text().is_some_and(|t| t.trim() == picture.title));
            assert!(has_title, "chart {id}: no title text in the SVG");
        }
        Format::Html => {
            let wrapped = format!("<root>{}</root>", picture.body);
            let document = roxmltree::Document::parse(&wrapped)
                .unwrap_or_else(|e| panic!("chart {id}: the table is not well-formed: {e}"));
            assert!(document.descendants().any(|n| n.has_tag_name("table")));
        }
    }
}

#[test]
fn every_chart_draws_the_numbers_of_its_query() {
    let cube = super::sample();
    for chart in charts() {
        let answer = chart.query.run(cube).unwrap();
        let picture = render(&chart, &answer).unwrap();
        let id = chart.id;
        assert_well_formed(id, &picture);

        // Every leaf (and, for tables, every total) is drawn with the answer's value.
        let rows = batch_to_rows(&answer);
        let wanted: Vec<Point> = rows
            .iter()
            .enumerate()
            .flat_map(|(i, row)| expected(id, i + 1, row))
            .collect();
        assert!(!wanted.is_empty(), "chart {id} has no points on the sample");
        let mut points = drawn(&picture);
        for (series, label, value) in &wanted {
            let got = points.remove(&(series.clone(), label.clone()));
            assert_eq!(got, Some(*value), "chart {id}: {series} at {label}");
        }

        // Anything else drawn is a gap filled with zero, and only pictures over axes have any.
        let is_table = matches!(
            Kind::of_chart(id).unwrap(),
            Kind::PivotTable | Kind::FactTable
        );
        for ((series, label), value) in points {
            assert!(
                !is_table,
                "chart {id}: {series} at {label} is not in the answer"
            );
            assert_eq!(
                value, 0.0,
                "chart {id}: {series} at {label} is not in the answer"
            );
        }

        // The grand total written on a picture is the answer's row of all-null levels.
        if let Some((_, grand)) = picture.totals.iter().find(|(l, _)| l == "Total") {
            let measure = &chart.query.measures[0];
            let levels = answer.num_columns() - chart.query.measures.len();
            let schema = answer.schema();
            let is_grand = |row: &&Map<String, Json>| {
                schema.fields()[..levels]
                    .iter()
                    .all(|f| row[f.name()].is_null())
            };
            let row = rows.iter().find(is_grand).expect("a grand total row");
            assert_eq!(*grand, number(row, measure), "chart {id}: the grand total");
        }
    }
}

#[test]
fn the_table_of_chart_12_puts_the_busiest_room_first() {
    let cube = super::sample();
    let chart = charts().into_iter().find(|c| c.id == "12").unwrap();
    let picture = render(&chart, &chart.query.run(cube).unwrap()).unwrap();
    let grand: Vec<f64> = picture
        .series
        .iter()
        .filter(|s| s.name != "Total")
        .map(|s| s.value("Total / Total").unwrap())
        .collect();
    assert!(grand.windows(2).all(|w| w[0] >= w[1]), "{grand:?}");
    assert_eq!(picture.series.last().unwrap().name, "Total");
}
