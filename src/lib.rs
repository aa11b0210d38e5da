//! flowcube: an in-memory OLAP cube engine on Apache Arrow, and the office network-flow
//! analysis built on it.
//!
//! This crate gathers the workspace's library crates for the examples, benchmarks and
//! integration tests at the top of the repository:
//! - [`core`] (`flowcube-core`): tables, cubes, measures, queries.
//! - [`iot`] (`flowcube-iot`): the room-CSV loader, the notebook's cube and charts, the
//!   office simulator.
//! - [`viz`] (`flowcube-viz`): the charts as SVG and HTML pictures, and the dashboard.

#![forbid(unsafe_code)]

pub use flowcube_core as core;
pub use flowcube_iot as iot;
pub use flowcube_viz as viz;

pub use flowcube_core::{Cube, DrillThrough, Filter, Measure, Query, Table, TableOptions, Value};

// The README's library example runs as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
