//! Test support for motcua: fresh databases on SQLite and PostgreSQL
//! ([`TestDb`]) and the storage contract suite ([`contract`]) that every
//! `Store` implementation must pass.
//!
//! Run the suite on PostgreSQL too by setting `MOTCUA_TEST_DATABASE_URL`, for
//! example `postgres://postgres@127.0.0.1:5432/postgres`.

mod app;
pub mod contract;
mod db;

pub use app::{Client, Options, TEST_PASSWORD, TestApp, codes};
pub use db::{Backend, DATABASE_URL_VAR, TestDb, server_url};
