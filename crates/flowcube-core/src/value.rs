//! Scalar values: the members of levels and the literals of filters.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// One scalar: a member of a level, or a value compared in a filter.
///
/// Strings compare by code point, numbers numerically; timestamps are nanoseconds since
/// 1970-01-01 00:00:00 as naive local time (no time zone).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A string.
    Str(Arc<str>),
    /// A naive timestamp in nanoseconds.
    Timestamp(i64),
}

impl Value {
    /// Orders two values of the same kind naturally: integers numerically, strings by code
    /// point. Null sorts first; values of different kinds sort by kind.
    pub fn natural_cmp(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Less,
            (_, Null) => Ordering::Greater,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => a.total_cmp(b),
            (Int(a), Float(b)) => (*a as f64).total_cmp(b),
            (Float(a), Int(b)) => a.total_cmp(&(*b as f64)),
            (Str(a), Str(b)) => a.cmp(b),
            (Timestamp(a), Timestamp(b)) => a.cmp(b),
            _ => self.kind_rank().cmp(&other.kind_rank()),
        }
    }

    fn kind_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) => 2,
            Value::Str(_) => 3,
            Value::Timestamp(_) => 4,
        }
    }

    /// Whether this value names the same member as `member`, allowing a string written
    /// for an integer member (`"4"` for day 4) and an integer for a numeric string.
    pub fn matches_member(&self, member: &Value) -> bool {
        match (self, member) {
            (Value::Str(s), Value::Int(i)) => s.trim().parse::<i64>().ok() == Some(*i),
            (Value::Float(f), Value::Int(i)) => *f == *i as f64,
            (Value::Int(i), Value::Float(f)) => *f == *i as f64,
            _ => self == member,
        }
    }

    /// The value as an `f64`, when it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => f.write_str(s),
            Value::Timestamp(ns) => match crate::cube::date::naive_from_nanos(*ns) {
                Some(t) => write!(f, "{t}"),
                None => write!(f, "{ns}ns"),
            },
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(Arc::from(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(Arc::from(s))
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
