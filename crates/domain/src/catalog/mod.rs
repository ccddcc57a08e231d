//! The procedure catalog (domain.md §4): procedures and their versions,
//! components, internal processes and reviews.
//!
//! Values that come from outside (imports, API bodies) are parsed into these
//! types at the edge; past that point the rules can trust them.

mod code;
mod enums;
pub mod process;
pub mod review;
pub mod routing;
pub mod text;
mod version;

pub use code::ProcedureCode;
pub use enums::{ApplicantKind, ComponentForm, OnlineLevel, Requirement, ResultType};
pub use version::{Component, Money, ProcedureDraft};
