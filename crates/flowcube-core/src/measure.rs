//! Measures: a small expression tree evaluated on every cell of a query.
//!
//! Leaves aggregate the facts of a cell ([`Measure::count`], [`Measure::sum`],
//! [`Measure::distinct_count`], ...) or refer to a measure of the cube by name
//! ([`Measure::named`]). Inner nodes combine them: arithmetic with the null and IEEE rules
//! of the reference engine, and scopes such as the sum over the siblings of a hierarchy.
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

    /// The exact number of distinct members of a column (not additive).
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
