//! The testkit's one integration-test binary: the storage contract on every
//! database, the file store contract on both stores, and the test-database
//! helpers themselves.

// A test binary: a failed unwrap is a failed test, with its cause shown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod contract;
mod files;
mod testdb;
