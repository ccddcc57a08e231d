//! The procedure catalog, written once for both databases.
//!
//! The catalog's rules (versions that close the day before the next starts,
//! all-or-nothing imports, process versions, counts) are long enough that two
//! copies would drift. So the operations here are generic over [`Conn`], a
//! small driver that `sqlite/catalog.rs` and `postgres/catalog.rs` implement
//! for their connection type: run a statement, fetch rows, append the audit
//! entry, take the catalog lock. The SQL is portable except where
//! [`Dialect`] picks a fragment (a set of ids bound as one JSON parameter).
//!
//! Every change runs in the caller's write transaction, takes the catalog lock
//! first ([`Conn::lock_catalog`]: a row lock on PostgreSQL, the single writer
//! on SQLite), appends its audit entries and adds 1 to `catalog_revision`, so
//! the search index each node caches ([`SearchCache`]) is rebuilt after any
//! change on any node and never otherwise.

pub mod audit;
mod procedures;
pub(crate) mod rows;
mod search;
pub(crate) mod sql;
mod work;

pub(crate) use crate::conn::{Arg, Conn, Dialect, Sql};

pub(crate) use procedures::{
    add_procedure_version, import_procedures, insert_procedure, list_procedures, procedure,
    procedure_versions,
};
pub(crate) use search::{SearchCache, search_procedures};
pub(crate) use work::{
    assign_procedure, catalog_counts, insert_process, insert_review, procedure_units, processes,
    reviews, unassign_procedure,
};
