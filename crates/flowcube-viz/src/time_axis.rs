//! The x axis of the pictures over time: one position per (Day, Hour) of the answer, in
//! time order, with a rule between days.

use std::collections::HashMap;

use crate::data::{member_cmp, Cells};
use crate::error::Result;
use crate::plot::{category_labels, vertical_rule, Frame, Plot};
use crate::Series;

/// The (Day, Hour) positions of a picture over time.
pub(crate) struct TimeAxis {
    keys: Vec<(String, String)>,
    positions: HashMap<(String, String), usize>,
}

impl TimeAxis {
    /// The axis over the distinct (day, hour) pairs given, in time order. The Day level is
    /// the day of the month, so time order is day then hour.
    pub(crate) fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut keys: Vec<(String, String)> = pairs.into_iter().collect();
        keys.sort_by(|a, b| member_cmp(&a.0, &b.0).then_with(|| a.1.cmp(&b.1)));
        keys.dedup();
        let positions = keys.iter().cloned().zip(0..).collect();
        TimeAxis { keys, positions }
    }

    /// The axis over the (Day, Hour) of the leaves of `cells`, whose first two levels are
    /// Day and Hour.
    pub(crate) fn of_leaves(cells: &Cells) -> Self {
        TimeAxis::new(
            cells
                .leaves
                .iter()
                .map(|(key, _)| (key[0].clone(), key[1].clone())),
        )
    }

    /// The frame of a plot over time of `measure`: two rows of labels, no description
    /// under them (the day names say it).
    pub(crate) fn frame(measure: &str) -> Frame<'_> {
        Frame {
            x_desc: "",
            y_desc: measure,
            caption: None,
            numeric_x: false,
            x_label_rows: 2,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The position of a (day, hour) pair on the axis.
    pub(crate) fn position(&self, day: &str, hour: &str) -> Option<usize> {
        self.positions
            .get(&(day.to_owned(), hour.to_owned()))
            .copied()
    }

    /// The label of each position, `Day/Hour` (`4/08`): the point labels of the series.
    pub(crate) fn labels(&self) -> Vec<String> {
        self.keys.iter().map(|(d, h)| format!("{d}/{h}")).collect()
    }

    /// The x range of a plot over this axis, half a step of margin on both sides.
    pub(crate) fn range(&self) -> std::ops::Range<f64> {
        -0.5..(self.len().max(1) as f64 - 0.5)
    }

    /// Labels the axis: a few hours of each day, the day's name under them, and a rule
    /// where a day starts.
    pub(crate) fn draw(&self, chart: &mut Plot) -> Result<()> {
        let mut hours = Vec::new();
        let mut days: Vec<(String, usize, usize)> = Vec::new();
        for (i, (day, hour)) in self.keys.iter().enumerate() {
            if ["00", "06", "12", "18"].contains(&hour.as_str()) {
                hours.push((i as f64, hour.clone()));
            }
            match days.last_mut() {
                Some((d, _, end)) if d == day => *end = i,
                _ => days.push((day.clone(), i, i)),
            }
        }
        for (_, start, _) in days.iter().skip(1) {
            vertical_rule(chart, *start as f64 - 0.5)?;
        }
        let names: Vec<(f64, String)> = days
            .iter()
            .map(|(day, start, end)| ((start + end) as f64 / 2.0, format!("Day {day}")))
            .collect();
        category_labels(chart, &hours, 11.0, 6)?;
        category_labels(chart, &names, 13.0, 22)?;
        Ok(())
    }
}

/// A measure by time and room: the leaves of an answer by Day, Hour and Room.
pub(crate) struct TimeByRoom {
    pub(crate) axis: TimeAxis,
    /// The rooms, in member order.
    pub(crate) rooms: Vec<String>,
    /// `values[time][room]`, 0 where the answer has no row.
    pub(crate) values: Vec<Vec<f64>>,
}

impl TimeByRoom {
    /// Lays out the leaves of `cells`, whose levels are Day, Hour and Room.
    pub(crate) fn new(cells: &Cells) -> Self {
        let axis = TimeAxis::of_leaves(cells);
        let rooms = cells.members(2);
        let mut values = vec![vec![0.0; rooms.len()]; axis.len()];
        for (key, value) in &cells.leaves {
            let room = rooms.binary_search_by(|r| member_cmp(r, &key[2]));
            if let (Some(i), Ok(r)) = (axis.position(&key[0], &key[1]), room) {
                values[i][r] = *value;
            }
        }
        TimeByRoom {
            axis,
            rooms,
            values,
        }
    }

    /// A series per room, a point per `Day/Hour` in time order.
    pub(crate) fn series(&self) -> Vec<Series> {
        let labels = self.axis.labels();
        self.rooms
            .iter()
            .enumerate()
            .map(|(r, room)| Series {
                name: room.clone(),
                points: labels
                    .iter()
                    .zip(&self.values)
                    .map(|(label, row)| (label.clone(), row[r]))
                    .collect(),
            })
            .collect()
    }
}
