//! Pure rules of motcua.
//!
//! Nothing here performs I/O or reads a clock: every function is fed the data it
//! needs (a holiday schedule, office hours, a moment), so the rules can be tested
//! in milliseconds and reused by the CLI, importers and the web layer alike.

pub mod audit;
pub mod bounds;
pub mod calendar;
pub mod catalog;
pub mod contact;
pub mod deadline;
pub mod dossier;
pub mod error;
pub mod feedback;
pub mod lunar;
pub mod role;
pub mod search;
pub mod stats;
pub mod time;
pub mod unit;

pub use error::DomainError;
