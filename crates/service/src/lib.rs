//! Use cases of motcua and the ports they need.
//!
//! The service layer is where access checks live, so a page or API handler
//! that forgets one cannot leak data. It talks to the database only through the
//! [`store::Store`] port, implemented for SQLite and PostgreSQL in
//! `motcua-storage`, and reads time only through [`clock::Clock`].

pub mod access;
pub mod admin;
pub mod applicants;
pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod dashboard;
pub mod dossiers;
pub mod error;
pub mod feedback;
pub mod fields;
pub mod files;
pub mod identity;
pub mod notify;
pub mod passwords;
pub mod payments;
pub mod portal;
pub mod procedures;
pub mod processes;
pub mod queues;
pub mod ratings;
pub mod routing;
pub mod services;
pub mod stats;
pub mod store;
pub mod templates;
pub mod unit_import;
pub mod units;
pub mod users;

pub use error::{ServiceError, ServiceResult};
pub use services::Services;
