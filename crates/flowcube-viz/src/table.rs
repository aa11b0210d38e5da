//! The pivot tables (charts 1, 4, 6, 7, 12) and the drill-through's facts (chart 3), as
//! HTML.
//!
//! A pivot table with two levels or more lays the last level across:
//!
//! ```text
//!  MacAddress          │ Day 4   5   6   Total
//!  ────────────────────┼──────────────────────
//!  00:16:DB:0U:Q4:1I   │     1   2   1       3
//!  Total               │     5   5   5       5     <- a null level: a total row
//! ```

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write;

use arrow::array::RecordBatch;

use crate::data::{label, member_cmp, Answer};
use crate::error::Result;
use crate::style::format_value;
use crate::{Picture, Series};

/// The style sheet of the tables, shared by their pages and the dashboard.
pub(crate) const CSS: &str = include_str!("page.css");

/// How a pivot table orders its rows and columns. Totals always come after the members
/// they total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PivotOrder {
    /// Members in member order: numbers by value, text by code point.
    #[default]
    Members,
    /// By the (first) measure, largest first: rows by their value in the total column
    /// among their siblings, columns by their value in the grand total row; ties in
    /// member order. The notebook orders chart 12 so.
    MeasureDescending,
}

/// A row key: the members of the row levels, `None` for a total.
type RowKey = Vec<Option<String>>;

/// Draws an answer whose first `levels` columns are levels as an HTML pivot table: with
/// one level, a row per member; with more, the last level across the columns. Rows and
/// columns whose level is null are totals, labelled "Total" and marked `class="total"`.
///
/// The series are the table's value columns, named by the member across (`Total` for the
/// total column; with several measures, `member · measure`), or by the measure when there
/// is one level; each point is labelled by its row's members joined with ` / ` (`4 / 08`,
/// `Total`).
///
/// # Errors
/// A measure column that is not numeric, or a level Arrow cannot show as text.
pub fn pivot_table(
    title: &str,
    answer: &RecordBatch,
    levels: usize,
    order: PivotOrder,
) -> Result<Picture> {
    let data = Answer::new(answer, "a pivot table");
    let names = data.column_names();
    let level_cells = (0..levels)
        .map(|i| data.text_at(i))
        .collect::<Result<Vec<_>>>()?;
    let measures = (levels..names.len())
        .map(|i| data.measure_at(i))
        .collect::<Result<Vec<_>>>()?;

    // Gather: row keys (all levels but the one across), column keys (the member across),
    // and the value of each (row, column, measure).
    let across = levels >= 2;
    let row_levels = if across { levels - 1 } else { levels };
    let mut values: HashMap<(RowKey, Option<String>), Vec<Option<f64>>> = HashMap::new();
    let mut rows: Vec<RowKey> = Vec::new();
    let mut columns: Vec<Option<String>> = Vec::new();
    for row in 0..data.num_rows() {
        let key: RowKey = level_cells[..row_levels]
            .iter()
            .map(|c| c[row].clone())
            .collect();
        let column = if across {
            level_cells[levels - 1][row].clone()
        } else {
            None
        };
        rows.push(key.clone());
        columns.push(column.clone());
        values.insert(
            (key, column),
            measures.iter().map(|(_, v)| v[row]).collect(),
        );
    }
    let first_value =
        |key: &(RowKey, Option<String>)| values.get(key).and_then(|v| v.first().copied().flatten());

    // Order: totals after their members; by member or by measure.
    rows.sort_by(|a, b| compare_keys(a, b, order, |prefix| first_value(&(prefix, None))));
    rows.dedup();
    let grand: RowKey = vec![None; row_levels];
    columns.sort_by(|a, b| {
        compare_keys(
            std::slice::from_ref(a),
            std::slice::from_ref(b),
            order,
            |key| first_value(&(grand.clone(), key[0].clone())),
        )
    });
    columns.dedup();

    // Assemble the table and the series it shows.
    let measure_names: Vec<&str> = measures.iter().map(|(n, _)| n.as_str()).collect();
    let mut series: Vec<Series> = Vec::new();
    for column in &columns {
        for measure in &measure_names {
            let name = match (across, measure_names.len()) {
                (false, _) => (*measure).to_owned(),
                (true, 1) => label(column).to_owned(),
                (true, _) => format!("{} · {measure}", label(column)),
            };
            series.push(Series {
                name,
                points: Vec::new(),
            });
        }
    }
    let mut html = String::new();
    let _ = write!(
        html,
        "<figure class=\"chart table\">\n<figcaption>{}</figcaption>\n",
        escape(title)
    );
    html.push_str("<div class=\"scroll\"><table>\n<thead>\n");
    if across {
        html.push_str("<tr>");
        for name in &names[..row_levels] {
            let _ = write!(html, "<th rowspan=\"2\">{}</th>", escape(name));
        }
        let span = columns.len() * measure_names.len();
        let _ = write!(
            html,
            "<th class=\"across\" colspan=\"{span}\">{}</th></tr>\n<tr>",
            escape(&names[levels - 1])
        );
        for series in &series {
            let _ = write!(html, "<th class=\"num\">{}</th>", escape(&series.name));
        }
    } else {
        html.push_str("<tr>");
        for name in &names {
            let _ = write!(html, "<th>{}</th>", escape(name));
        }
    }
    html.push_str("</tr>\n</thead>\n<tbody>\n");
    for key in &rows {
        let is_total = key.iter().any(Option::is_none);
        html.push_str(if is_total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        for cell in key {
            let _ = write!(html, "<th scope=\"row\">{}</th>", escape(label(cell)));
        }
        let row_label = key.iter().map(label).collect::<Vec<_>>().join(" / ");
        let mut s = 0;
        for column in &columns {
            let cell_values = values.get(&(key.clone(), column.clone()));
            for (m, measure) in measure_names.iter().enumerate() {
                let class = if column.is_none() && across {
                    "num total"
                } else {
                    "num"
                };
                match cell_values.and_then(|v| v[m]) {
                    Some(value) => {
                        let _ = write!(
                            html,
                            "<td class=\"{class}\">{}</td>",
                            format_value(measure, value)
                        );
                        series[s].points.push((row_label.clone(), value));
                    }
                    None => {
                        let _ = write!(html, "<td class=\"{class}\"></td>");
                    }
                }
                s += 1;
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n</figure>\n");

    Ok(Picture::html(title, html, series))
}

/// Compares two row keys level by level: a total after the members it totals, members by
/// `order`; `value_of` gives the value of a key's prefix (the rest totalled).
fn compare_keys(
    a: &[Option<String>],
    b: &[Option<String>],
    order: PivotOrder,
    value_of: impl Fn(RowKey) -> Option<f64>,
) -> Ordering {
    for i in 0..a.len().min(b.len()) {
        let by_member = match (&a[i], &b[i]) {
            (None, None) => continue,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => member_cmp(x, y),
        };
        if order == PivotOrder::MeasureDescending {
            let prefix = |key: &[Option<String>]| {
                let mut prefix = key[..=i].to_vec();
                prefix.resize(key.len(), None);
                value_of(prefix)
            };
            if let (Some(x), Some(y)) = (prefix(a), prefix(b)) {
                let by_value = y.total_cmp(&x);
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
        }
        return by_member;
    }
    Ordering::Equal
}

/// Draws the facts of a drill-through as an HTML table, in the answer's order.
///
/// The series are the numeric columns, each point labelled by its row number from 1.
///
/// # Errors
/// A column Arrow cannot show as text.
pub fn fact_table(title: &str, answer: &RecordBatch) -> Result<Picture> {
    let data = Answer::new(answer, "a fact table");
    let names = data.column_names();
    let cells = (0..names.len())
        .map(|i| data.text_at(i))
        .collect::<Result<Vec<_>>>()?;
    let numeric: Vec<bool> = (0..names.len()).map(|i| data.is_numeric_at(i)).collect();

    let mut html = String::new();
    let _ = write!(
        html,
        "<figure class=\"chart table\">\n<figcaption>{} <small>{} facts</small></figcaption>\n",
        escape(title),
        data.num_rows()
    );
    html.push_str("<div class=\"scroll\"><table>\n<thead>\n<tr>");
    for (name, is_numeric) in names.iter().zip(&numeric) {
        let class = if *is_numeric { " class=\"num\"" } else { "" };
        let _ = write!(html, "<th{class}>{}</th>", escape(name));
    }
    html.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in 0..data.num_rows() {
        html.push_str("<tr>");
        for (column, is_numeric) in cells.iter().zip(&numeric) {
            let class = if *is_numeric { " class=\"num\"" } else { "" };
            let text = column[row].as_deref().unwrap_or("");
            let _ = write!(html, "<td{class}>{}</td>", escape(text));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n</figure>\n");

    let mut series = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if numeric[i] {
            let (_, values) = data.measure_at(i)?;
            let points = values
                .iter()
                .enumerate()
                .filter_map(|(row, v)| v.map(|v| ((row + 1).to_string(), v)))
                .collect();
            series.push(Series {
                name: name.clone(),
                points,
            });
        }
    }
    Ok(Picture::html(title, html, series))
}

/// A page of its own for a table: the fragment under a `<title>`, with the style sheet.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body class=\"single\">\n\
         {body}</body>\n</html>\n",
        escape(title)
    )
}

/// `text` safe inside HTML or XML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_come_after_their_members() {
        let key = |parts: &[Option<&str>]| -> RowKey {
            parts.iter().map(|p| p.map(str::to_owned)).collect()
        };
        let mut rows = vec![
            key(&[None, None]),
            key(&[Some("4"), None]),
            key(&[Some("4"), Some("08")]),
            key(&[Some("10"), Some("00")]),
        ];
        rows.sort_by(|a, b| compare_keys(a, b, PivotOrder::Members, |_| None));
        assert_eq!(
            rows,
            [
                key(&[Some("4"), Some("08")]),
                key(&[Some("4"), None]),
                key(&[Some("10"), Some("00")]),
                key(&[None, None]),
            ]
        );
        assert_eq!(
            escape("a<\"b\"> & 'c'"),
            "a&lt;&quot;b&quot;&gt; &amp; &#39;c&#39;"
        );
    }
}
