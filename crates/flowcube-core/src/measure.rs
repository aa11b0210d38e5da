//! Measures: a small expression tree evaluated on every cell of a query.
//!
//! Leaves aggregate the facts of a cell ([`Measure::count`], [`Measure::sum`],
//! [`Measure::distinct_count`], ...) or refer to a measure of the cube by name
//! ([`Measure::named`]). Inner nodes combine them: arithmetic with the null and IEEE rules
//! of the reference engine, and scopes such as the sum over the siblings of a hierarchy.
//!
//! Measures can be restricted to members (`m where Room = bullpen`), compared and chosen
//! between (`where(a > b, a, b)`), read at the parent member, or accumulated along an
//! ordered level (running totals).
//!
//! ```
//! use flowcube_core::Measure;
//!
//! // %Time: a room's share of the duration of all rooms at the same coordinates.
//! let total = Measure::named("EventDuration.SUM").sum_over_siblings("Room");
//! let share = Measure::named("EventDuration.SUM") / total;
//! # let _ = share;
//! ```

use std::ops::{Add, Div, Mul, Sub};

use crate::value::Value;

/// A comparison between a measure's value and a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
}

impl Comparison {
    /// Whether `value` compares to `bound` this way (false for NaN).
    pub fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Comparison::Greater => value > bound,
            Comparison::GreaterOrEqual => value >= bound,
            Comparison::Less => value < bound,
            Comparison::LessOrEqual => value <= bound,
            Comparison::Equal => value == bound,
            Comparison::NotEqual => value != bound,
        }
    }
}

/// An arithmetic operator between two measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `a + b`
    Add,
    /// `a - b`
    Subtract,
    /// `a * b`
    Multiply,
    /// `a / b`, always a float
    Divide,
}

/// How [`Measure::Origin`] combines the values found at its levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginAggregation {
    /// Their sum.
    Sum,
    /// The smallest.
    Min,
    /// The largest.
    Max,
    /// Their mean.
    Mean,
}

/// A measure definition.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// The number of facts in the cell.
    Count,
    /// The sum of the non-null values of a numeric column; null when there is none.
    Sum(String),
    /// The mean of the non-null values of a numeric column, as a float.
    Mean(String),
    /// The smallest non-null value of a column.
    Min(String),
    /// The largest non-null value of a column.
    Max(String),
    /// The number of distinct members of a column among the cell's facts.
    DistinctCount(String),
    /// Another measure of the cube, by name.
    Named(String),
    /// In a cell where the hierarchy is expressed, the sum of `measure` over the members of
    /// its level that share the cell's other coordinates; elsewhere `measure` itself.
    SiblingsSum {
        /// The measure summed.
        measure: Box<Measure>,
        /// The hierarchy whose siblings are summed, by name.
        hierarchy: String,
    },
    /// Arithmetic between two measures.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Measure>,
        /// The right operand.
        right: Box<Measure>,
    },
    /// A constant.
    Constant(f64),
    /// `measure` over only the facts whose member on `level` is (or, negated, is not) one
    /// of `members`: `m where Room = bullpen`.
    Filtered {
        /// The measure restricted.
        measure: Box<Measure>,
        /// The level, as in queries.
        level: String,
        /// The members kept (or left out).
        members: Vec<Value>,
        /// Keep the facts whose member is *not* listed.
        negate: bool,
    },
    /// 1 when `left` compares to `right` this way, else 0; null if either is null.
    Compare {
        /// The comparison.
        comparison: Comparison,
        /// The left operand.
        left: Box<Measure>,
        /// The right operand.
        right: Box<Measure>,
    },
    /// `then` where `condition` is non-zero, `otherwise` where it is zero or null.
    Where {
        /// The condition, usually a [`Measure::Compare`].
        condition: Box<Measure>,
        /// The value where the condition holds.
        then: Box<Measure>,
        /// The value elsewhere.
        otherwise: Box<Measure>,
    },
    /// In a cell where the hierarchy is expressed, `measure` at the parent member (one
    /// level up, or its total); null where the hierarchy is at its total.
    ParentValue {
        /// The measure read at the parent.
        measure: Box<Measure>,
        /// The hierarchy, by name.
        hierarchy: String,
    },
    /// In a cell where `level` is the deepest expressed level of its hierarchy, the sum of
    /// `measure` over that level's members from the first (or the `window - 1` before) up
    /// to the cell's, in natural order, among members sharing the cell's other
    /// coordinates: a running total. Elsewhere `measure` itself.
    Cumulative {
        /// The measure accumulated.
        measure: Box<Measure>,
        /// The ordered level, as in queries.
        level: String,
        /// How many members to sum at most, the current one included; all when `None`.
        window: Option<usize>,
    },
    /// `measure` evaluated at finer levels, then combined up to the cell: with `levels`
    /// `[DateTime/Hour]` and `Max`, the largest hourly value of the cell. Where the cell
    /// expresses every level already, `measure` itself.
    Origin {
        /// The measure evaluated at the origin levels.
        measure: Box<Measure>,
        /// The levels to evaluate it at, as in queries.
        levels: Vec<String>,
        /// How the values are combined.
        aggregation: OriginAggregation,
    },
}

impl Measure {
    /// The number of facts.
    pub fn count() -> Measure {
        Measure::Count
    }

    /// The sum of a numeric column.
    pub fn sum(column: impl Into<String>) -> Measure {
        Measure::Sum(column.into())
    }

    /// The mean of a numeric column.
    pub fn mean(column: impl Into<String>) -> Measure {
        Measure::Mean(column.into())
    }

    /// The smallest value of a column.
    pub fn min(column: impl Into<String>) -> Measure {
        Measure::Min(column.into())
    }

    /// The largest value of a column.
    pub fn max(column: impl Into<String>) -> Measure {
        Measure::Max(column.into())
    }

    /// The exact number of distinct members of a column (not additive: the total is
    /// the distinct count of all the facts, not the sum of the rows).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
    /// # use arrow::datatypes::{Float64Type, Int64Type};
    /// # use flowcube_core::{Comparison, Cube, Measure, OriginAggregation, Query, Table, TableOptions};
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall", "hall"])) as ArrayRef),
    /// #     ("Day", Arc::new(StringArray::from(vec!["d1", "d2", "d1", "d2"])) as ArrayRef),
    /// #     ("Device", Arc::new(StringArray::from(vec!["a", "b", "a", "a"])) as ArrayRef),
    /// #     ("Seconds", Arc::new(Int64Array::from(vec![10, 20, 30, 40])) as ArrayRef),
    /// # ])?;
    /// # let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
    /// # let ints = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Int64Type>().values().to_vec();
    /// # let floats = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Float64Type>().values().to_vec();
    /// // Rooms: hall 30 + 40, lab 10 + 20; days d1 and d2.
    /// cube.add_measure("Devices", Measure::distinct_count("Device"))?;
    /// let answer = Query::new().measures(["Devices"]).levels(["Room"]).with_totals().execute(&cube)?;
    /// assert_eq!(ints(&answer, 1), [2, 1, 2]); // all, hall, lab
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn distinct_count(column: impl Into<String>) -> Measure {
        Measure::DistinctCount(column.into())
    }

    /// A measure of the cube, by name.
    pub fn named(name: impl Into<String>) -> Measure {
        Measure::Named(name.into())
    }

    /// A constant.
    pub fn constant(value: f64) -> Measure {
        Measure::Constant(value)
    }

    /// The sum of this measure over the siblings of `hierarchy` (see
    /// [`Measure::SiblingsSum`]).
    pub fn sum_over_siblings(self, hierarchy: impl Into<String>) -> Measure {
        Measure::SiblingsSum {
            measure: Box::new(self),
            hierarchy: hierarchy.into(),
        }
    }

    /// This measure over only the facts whose member on `level` is one of `members`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
    /// # use arrow::datatypes::{Float64Type, Int64Type};
    /// # use flowcube_core::{Comparison, Cube, Measure, OriginAggregation, Query, Table, TableOptions};
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall", "hall"])) as ArrayRef),
    /// #     ("Day", Arc::new(StringArray::from(vec!["d1", "d2", "d1", "d2"])) as ArrayRef),
    /// #     ("Device", Arc::new(StringArray::from(vec!["a", "b", "a", "a"])) as ArrayRef),
    /// #     ("Seconds", Arc::new(Int64Array::from(vec![10, 20, 30, 40])) as ArrayRef),
    /// # ])?;
    /// # let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
    /// # let ints = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Int64Type>().values().to_vec();
    /// # let floats = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Float64Type>().values().to_vec();
    /// // Rooms: hall 30 + 40, lab 10 + 20; days d1 and d2.
    /// cube.add_measure("Lab seconds", Measure::sum("Seconds").filtered("Room", ["lab"]))?;
    /// cube.add_measure("Elsewhere", Measure::sum("Seconds").excluding("Room", ["lab"]))?;
    /// let answer = Query::new().measures(["Lab seconds", "Elsewhere"]).levels(["Day"]).execute(&cube)?;
    /// assert_eq!(ints(&answer, 1), [10, 20]); // d1, d2
    /// assert_eq!(ints(&answer, 2), [30, 40]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filtered<V: Into<Value>>(
        self,
        level: impl Into<String>,
        members: impl IntoIterator<Item = V>,
    ) -> Measure {
        Measure::Filtered {
            measure: Box::new(self),
            level: level.into(),
            members: members.into_iter().map(Into::into).collect(),
            negate: false,
        }
    }

    /// This measure over only the facts whose member on `level` is none of `members`.
    pub fn excluding<V: Into<Value>>(
        self,
        level: impl Into<String>,
        members: impl IntoIterator<Item = V>,
    ) -> Measure {
        Measure::Filtered {
            measure: Box::new(self),
            level: level.into(),
            members: members.into_iter().map(Into::into).collect(),
            negate: true,
        }
    }

    /// 1 where this measure compares to `right` as `comparison` says, else 0.
    pub fn compare(self, comparison: Comparison, right: Measure) -> Measure {
        Measure::Compare {
            comparison,
            left: Box::new(self),
            right: Box::new(right),
        }
    }

    /// `then` where `condition` holds (is non-zero), else `otherwise`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
    /// # use arrow::datatypes::{Float64Type, Int64Type};
    /// # use flowcube_core::{Comparison, Cube, Measure, OriginAggregation, Query, Table, TableOptions};
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall", "hall"])) as ArrayRef),
    /// #     ("Day", Arc::new(StringArray::from(vec!["d1", "d2", "d1", "d2"])) as ArrayRef),
    /// #     ("Device", Arc::new(StringArray::from(vec!["a", "b", "a", "a"])) as ArrayRef),
    /// #     ("Seconds", Arc::new(Int64Array::from(vec![10, 20, 30, 40])) as ArrayRef),
    /// # ])?;
    /// # let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
    /// # let ints = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Int64Type>().values().to_vec();
    /// # let floats = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Float64Type>().values().to_vec();
    /// // Rooms: hall 30 + 40, lab 10 + 20; days d1 and d2.
    /// let busy = Measure::sum("Seconds").compare(Comparison::Greater, Measure::constant(25.0));
    /// cube.add_measure("Busy seconds", Measure::when(busy, Measure::sum("Seconds"), Measure::constant(0.0)))?;
    /// let answer = Query::new().measures(["Busy seconds"]).levels(["Room"]).execute(&cube)?;
    /// assert_eq!(floats(&answer, 1), [70.0, 30.0]); // hall, lab
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn when(condition: Measure, then: Measure, otherwise: Measure) -> Measure {
        Measure::Where {
            condition: Box::new(condition),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        }
    }

    /// This measure at the parent member of `hierarchy` (see [`Measure::ParentValue`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
    /// # use arrow::datatypes::{Float64Type, Int64Type};
    /// # use flowcube_core::{Comparison, Cube, Measure, OriginAggregation, Query, Table, TableOptions};
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall", "hall"])) as ArrayRef),
    /// #     ("Day", Arc::new(StringArray::from(vec!["d1", "d2", "d1", "d2"])) as ArrayRef),
    /// #     ("Device", Arc::new(StringArray::from(vec!["a", "b", "a", "a"])) as ArrayRef),
    /// #     ("Seconds", Arc::new(Int64Array::from(vec![10, 20, 30, 40])) as ArrayRef),
    /// # ])?;
    /// # let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
    /// # let ints = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Int64Type>().values().to_vec();
    /// # let floats = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Float64Type>().values().to_vec();
    /// // Rooms: hall 30 + 40, lab 10 + 20; days d1 and d2.
    /// cube.add_measure("All rooms", Measure::sum("Seconds").parent_value("Room"))?;
    /// let answer = Query::new().measures(["All rooms"]).levels(["Room"]).execute(&cube)?;
    /// assert_eq!(ints(&answer, 1), [100, 100]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parent_value(self, hierarchy: impl Into<String>) -> Measure {
        Measure::ParentValue {
            measure: Box::new(self),
            hierarchy: hierarchy.into(),
        }
    }

    /// The running total of this measure along `level` (see [`Measure::Cumulative`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
    /// # use arrow::datatypes::{Float64Type, Int64Type};
    /// # use flowcube_core::{Comparison, Cube, Measure, OriginAggregation, Query, Table, TableOptions};
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall", "hall"])) as ArrayRef),
    /// #     ("Day", Arc::new(StringArray::from(vec!["d1", "d2", "d1", "d2"])) as ArrayRef),
    /// #     ("Device", Arc::new(StringArray::from(vec!["a", "b", "a", "a"])) as ArrayRef),
    /// #     ("Seconds", Arc::new(Int64Array::from(vec![10, 20, 30, 40])) as ArrayRef),
    /// # ])?;
    /// # let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
    /// # let ints = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Int64Type>().values().to_vec();
    /// # let floats = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Float64Type>().values().to_vec();
    /// // Rooms: hall 30 + 40, lab 10 + 20; days d1 and d2.
    /// cube.add_measure("To date", Measure::sum("Seconds").cumulative("Day"))?;
    /// let answer = Query::new().measures(["To date"]).levels(["Day"]).execute(&cube)?;
    /// assert_eq!(ints(&answer, 1), [40, 100]); // d1, then d1 and d2
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cumulative(self, level: impl Into<String>) -> Measure {
        Measure::Cumulative {
            measure: Box::new(self),
            level: level.into(),
            window: None,
        }
    }

    /// The sum of this measure over the last `members` members of `level`, the current
    /// one included (a moving sum).
    pub fn moving_sum(self, level: impl Into<String>, members: usize) -> Measure {
        Measure::Cumulative {
            measure: Box::new(self),
            level: level.into(),
            window: Some(members.max(1)),
        }
    }

    /// This measure evaluated at `levels` and combined up to each cell by `aggregation`
    /// (see [`Measure::Origin`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
    /// # use arrow::datatypes::{Float64Type, Int64Type};
    /// # use flowcube_core::{Comparison, Cube, Measure, OriginAggregation, Query, Table, TableOptions};
    /// # let batch = RecordBatch::try_from_iter([
    /// #     ("Room", Arc::new(StringArray::from(vec!["lab", "lab", "hall", "hall"])) as ArrayRef),
    /// #     ("Day", Arc::new(StringArray::from(vec!["d1", "d2", "d1", "d2"])) as ArrayRef),
    /// #     ("Device", Arc::new(StringArray::from(vec!["a", "b", "a", "a"])) as ArrayRef),
    /// #     ("Seconds", Arc::new(Int64Array::from(vec![10, 20, 30, 40])) as ArrayRef),
    /// # ])?;
    /// # let cube = Cube::from_table(Table::try_from_batches(&[batch], TableOptions::new("Flows"))?);
    /// # let ints = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Int64Type>().values().to_vec();
    /// # let floats = |b: &RecordBatch, c: usize| b.column(c).as_primitive::<Float64Type>().values().to_vec();
    /// // Rooms: hall 30 + 40, lab 10 + 20; days d1 and d2.
    /// // The busiest day of each room: the sums by day, then their maximum.
    /// let busiest = Measure::sum("Seconds").origin(["Day"], OriginAggregation::Max);
    /// cube.add_measure("Busiest day", busiest)?;
    /// let answer = Query::new().measures(["Busiest day"]).levels(["Room"]).execute(&cube)?;
    /// assert_eq!(ints(&answer, 1), [40, 20]); // hall, lab
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn origin<I, S>(self, levels: I, aggregation: OriginAggregation) -> Measure
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Measure::Origin {
            measure: Box::new(self),
            levels: levels.into_iter().map(Into::into).collect(),
            aggregation,
        }
    }

    fn binary(self, op: BinaryOp, right: Measure) -> Measure {
        Measure::Binary {
            op,
            left: Box::new(self),
            right: Box::new(right),
        }
    }
}

impl Add for Measure {
    type Output = Measure;
    fn add(self, right: Measure) -> Measure {
        self.binary(BinaryOp::Add, right)
    }
}

impl Sub for Measure {
    type Output = Measure;
    fn sub(self, right: Measure) -> Measure {
        self.binary(BinaryOp::Subtract, right)
    }
}

impl Mul for Measure {
    type Output = Measure;
    fn mul(self, right: Measure) -> Measure {
        self.binary(BinaryOp::Multiply, right)
    }
}

impl Div for Measure {
    type Output = Measure;
    fn div(self, right: Measure) -> Measure {
        self.binary(BinaryOp::Divide, right)
    }
}
