//! Test support for motcua: fresh databases on SQLite and PostgreSQL
//! ([`TestDb`]) and the storage contract suite ([`contract`]) that every
//! `Store` implementation must pass, and the file store contract ([`files`])
//! on a local directory and a real S3-compatible server ([`s3`]).
//!
//! The PostgreSQL half runs on the server `MOTCUA_TEST_DATABASE_URL` names (for
//! example `postgres://postgres@127.0.0.1:5432/postgres`), else on a throwaway
//! cluster the kit starts for the run from the installed server binaries
//! ([`cluster`]); when neither can be had, those tests fail saying so.

mod app;
pub mod cluster;
pub mod contract;
mod db;
pub mod files;
pub mod s3;

pub use app::{
    Client, Files, Gateway, Identity, Options, TEST_PASSWORD, TestApp, codes, system,
    system_services,
};
pub use db::{Backend, DATABASE_URL_VAR, TestDb, postgres_server, server_url};
/// The file store `TestApp` uses, for a service a test builds itself.
pub use motcua_storage::LocalFileStore;
/// Opens a second store over a test database (a second node).
pub use motcua_storage::open as open_store;
