//! The deadline engine (domain.md §6): due moments from legal time limits on
//! office time, suspensions, extensions, and how a dossier or step met or
//! stands against its due moment.
//!
//! Everything works on local civil date-times in Vietnam
//! (`jiff::civil::DateTime`); convert instants with [`crate::time`].

mod limit;
mod status;
mod tracker;
mod work_time;

pub use limit::TimeLimit;
pub use status::{Classification, OpenStatus, classify};
pub use tracker::{DueTracker, SuspensionPolicy};
pub use work_time::WorkTime;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
