//! flowcube-iot: where are the people in an office, hour by hour, judged from the network
//! traffic of their devices.
//!
//! Room gateways log network flows (`EventKey, EventTime, MacAddress, EventDuration`), one
//! CSV file per room. This crate loads such a folder into a flowcube cube
//! ([`notebook::load_cube`]), defines the analysis's hierarchies and measures (`DateTime`
//! with `Day` and `Hour`, `#DevicesFound`, `#LocationsFound`, `TotalDuration`, `%Time`),
//! lists its twelve charts as queries ([`notebook::charts`]), and simulates an office to
//! produce such folders at any scale ([`simulator`]).
//!
//! ```no_run
//! use flowcube_iot::notebook;
//!
//! let cube = notebook::load_cube(std::path::Path::new("data/"))?;
//! for chart in notebook::charts() {
//!     let result = chart.query.run(&cube)?;
//!     println!("{}: {} rows", chart.title, result.num_rows());
//! }
//! # Ok::<(), flowcube_iot::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod error;
pub mod flow_id;
pub mod load;
pub mod notebook;
pub mod simulator;
pub mod spec;
pub mod workload;

pub use error::{Error, Result};
