//! The testkit's one integration-test binary: the storage contract on every
//! database, and the test-database helpers themselves.

mod contract;
mod testdb;
