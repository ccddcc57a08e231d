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
mod rows;
mod search;
mod sql;
mod work;

use std::borrow::Cow;

use motcua_service::error::ServiceResult;
use motcua_service::store::AuditContext;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, AssertSqlSafe, Database, Encode, FromRow, Type};

pub(crate) use procedures::{
    add_procedure_version, import_procedures, insert_procedure, list_procedures, procedure,
    procedure_versions,
};
pub(crate) use search::{SearchCache, search_procedures};
pub(crate) use work::{
    assign_procedure, catalog_counts, insert_process, insert_review, procedure_units, processes,
    reviews, unassign_procedure,
};

/// Where the two databases' SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Dialect {
    /// A subquery yielding the ids of a JSON array bound as parameter `$n`.
    fn id_set(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("(SELECT value FROM json_each(${n}))"),
            Dialect::Postgres => {
                format!("(SELECT value::bigint FROM jsonb_array_elements_text(${n}::jsonb))")
            }
        }
    }
}

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
}

/// A statement and its arguments, in placeholder order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sql {
    text: Cow<'static, str>,
    args: Vec<Arg>,
}

impl Sql {
    /// A fixed statement.
    pub(crate) fn new(text: &'static str) -> Self {
        Self {
            text: Cow::Borrowed(text),
            args: Vec::new(),
        }
    }

    /// A statement assembled at run time from fixed pieces; values are
    /// always bound, never pasted in.
    fn assembled(text: String, args: Vec<Arg>) -> Self {
        Self {
            text: Cow::Owned(text),
            args,
        }
    }

    pub(crate) fn int(mut self, v: i64) -> Self {
        self.args.push(Arg::Int(v));
        self
    }

    pub(crate) fn text(mut self, v: impl Into<String>) -> Self {
        self.args.push(Arg::Text(v.into()));
        self
    }

    pub(crate) fn opt_text(mut self, v: Option<String>) -> Self {
        self.args.push(Arg::OptText(v));
        self
    }

    pub(crate) fn bool(mut self, v: bool) -> Self {
        self.args.push(Arg::Bool(v));
        self
    }

    /// The statement text and its arguments encoded for `DB`.
    pub(crate) fn into_parts<DB>(
        self,
    ) -> Result<(AssertSqlSafe<Cow<'static, str>>, DB::Arguments), sqlx::Error>
    where
        DB: Database,
        for<'q> i64: Encode<'q, DB> + Type<DB>,
        for<'q> String: Encode<'q, DB> + Type<DB>,
        for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
        for<'q> bool: Encode<'q, DB> + Type<DB>,
    {
        let mut args = DB::Arguments::default();
        for a in self.args {
            match a {
                Arg::Int(v) => args.add(v),
                Arg::Text(v) => args.add(v),
                Arg::OptText(v) => args.add(v),
                Arg::Bool(v) => args.add(v),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok((AssertSqlSafe(self.text), args))
    }
}

/// Row types both databases can decode (tuples and the row structs here).
pub(crate) trait Rows:
    Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{
}

impl<T> Rows for T where
    T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{
}

/// What the catalog needs from a database connection. Implemented for
/// `SqliteConnection` and `PgConnection`; a transaction or a pooled
/// connection derefs to one.
pub(crate) trait Conn: Send {
    /// Which SQL dialect the connection speaks.
    const DIALECT: Dialect;

    /// Every row.
    fn all<R: Rows>(&mut self, q: Sql) -> impl Future<Output = Result<Vec<R>, sqlx::Error>> + Send;

    /// The first row, if any.
    fn optional<R: Rows>(
        &mut self,
        q: Sql,
    ) -> impl Future<Output = Result<Option<R>, sqlx::Error>> + Send;

    /// Exactly one row (`RowNotFound` otherwise).
    fn one<R: Rows>(&mut self, q: Sql) -> impl Future<Output = Result<R, sqlx::Error>> + Send;

    /// Runs a statement and returns how many rows it changed.
    fn execute(&mut self, q: Sql) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    /// Appends the next audit entry inside the current transaction.
    fn append(
        &mut self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> impl Future<Output = ServiceResult<()>> + Send;

    /// Serialises catalog writers until the transaction ends, so that what a
    /// change reads (the latest version, the next number) cannot move under it.
    fn lock_catalog(&mut self) -> impl Future<Output = ServiceResult<()>> + Send;
}
