//! What the storage operations need from a database, written once for both.
//!
//! The operations (`catalog/`, `ports/`, `history_rules`) are generic over
//! [`Conn`], a small driver each backend implements for its connection type
//! (run a statement, fetch rows, take a lock), and over [`Backend`], which
//! hands out connections and write transactions. Statements are [`Sql`]
//! values: portable text with `$n` placeholders and the values to bind, so
//! the same statement runs on both databases; where the dialects differ,
//! [`Dialect`] picks the fragment.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use motcua_domain::audit::StoredEntry;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::AuditContext;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, AssertSqlSafe, Database, Encode, FromRow, Transaction, Type};

use crate::catalog::SearchCache;
use crate::convert;
use crate::error::db;
use crate::health::WriteHealth;
use crate::{audit, sql};

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
    pub(crate) fn id_set(self, n: usize) -> String {
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
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    Bytes(Vec<u8>),
}

/// A statement and its arguments, in placeholder order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sql {
    pub(crate) text: Cow<'static, str>,
    pub(crate) args: Vec<Arg>,
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
    pub(crate) fn assembled(text: String, args: Vec<Arg>) -> Self {
        Self {
            text: Cow::Owned(text),
            args,
        }
    }

    /// Binds a value already made.
    pub(crate) fn arg(mut self, a: Arg) -> Self {
        self.args.push(a);
        self
    }

    pub(crate) fn int(mut self, v: i64) -> Self {
        self.args.push(Arg::Int(v));
        self
    }

    pub(crate) fn opt_int(mut self, v: Option<i64>) -> Self {
        self.args.push(Arg::OptInt(v));
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

    /// The statements as one text of `;`-separated statements, each one's
    /// `$n` placeholders moved past the arguments of those before it, so the
    /// arguments can be bound as one list (SQLite binds `$n` to the n-th
    /// argument of the whole call). `None` for no statements.
    pub(crate) fn joined(qs: Vec<Sql>) -> Option<Sql> {
        if qs.len() <= 1 {
            return qs.into_iter().next();
        }
        let mut text = String::new();
        let mut args = Vec::new();
        for q in qs {
            if !text.is_empty() {
                text.push_str("; ");
            }
            shift_placeholders(&q.text, args.len(), &mut text);
            args.extend(q.args);
        }
        Some(Sql::assembled(text, args))
    }

    /// Single-row inserts `… VALUES (tuple) tail` as inserts of up to
    /// `max_rows` rows each: consecutive statements with the same text are
    /// merged, each row's placeholders moved past the rows before it, and
    /// the tail (an `ON CONFLICT` clause without placeholders) kept once.
    /// Statements of another shape pass unchanged. Why: the bulk import
    /// writes millions of rows, and on SQLite each statement is a round trip
    /// to the connection's thread; a full chunk's text is always the same,
    /// so both databases keep it prepared.
    #[cfg(test)]
    pub(crate) fn multi_row(qs: Vec<Sql>, max_rows: usize) -> Vec<Sql> {
        Self::multi_row_lazily(qs, max_rows).collect()
    }

    /// [`Sql::multi_row`], merging each statement only when it is asked
    /// for: the bulk import builds the next statement while the database
    /// runs the one before ([`Conn::execute_pipelined`]).
    pub(crate) fn multi_row_lazily(qs: Vec<Sql>, max_rows: usize) -> impl Iterator<Item = Sql> {
        let mut rest = qs.into_iter().peekable();
        let mut merged = Vec::new().into_iter();
        std::iter::from_fn(move || {
            loop {
                if let Some(q) = merged.next() {
                    return Some(q);
                }
                let mut run = vec![rest.next()?];
                while run.len() < max_rows.max(1) {
                    match rest.next_if(|q| q.text == run[0].text) {
                        Some(q) => run.push(q),
                        None => break,
                    }
                }
                merged = merge_run(run).into_iter();
            }
        })
    }

    /// The statement text and its arguments encoded for `DB`.
    pub(crate) fn into_parts<DB>(
        self,
    ) -> Result<(AssertSqlSafe<Cow<'static, str>>, DB::Arguments), sqlx::Error>
    where
        DB: Database,
        for<'q> i64: Encode<'q, DB> + Type<DB>,
        for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
        for<'q> String: Encode<'q, DB> + Type<DB>,
        for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
        for<'q> bool: Encode<'q, DB> + Type<DB>,
        for<'q> Vec<u8>: Encode<'q, DB> + Type<DB>,
    {
        let mut args = DB::Arguments::default();
        for a in self.args {
            match a {
                Arg::Int(v) => args.add(v),
                Arg::OptInt(v) => args.add(v),
                Arg::Text(v) => args.add(v),
                Arg::OptText(v) => args.add(v),
                Arg::Bool(v) => args.add(v),
                Arg::Bytes(v) => args.add(v),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        let text = match DB::NAME {
            // A text without `$` (written with `?` already) is used as is.
            "SQLite" if self.text.contains('$') => {
                anonymous_placeholders(&self.text).map_or(self.text, Cow::Owned)
            }
            _ => self.text,
        };
        Ok((AssertSqlSafe(text), args))
    }
}

/// `text` with its placeholders `$1, $2, …, $N` written as SQLite's
/// anonymous `?`, when they appear in exactly that order, each once (most
/// statements); `None` otherwise, and then the text is used as it is.
///
/// Why: sqlx binds each parameter of a SQLite statement after asking its
/// name, which SQLite finds by a linear search of the statement's named
/// parameters, so binding N named parameters costs N². A 200-row upsert of
/// the statistics layer has 6,200: profiled, the bulk import spent 73 % of
/// its time in that search. Anonymous parameters have no name to search.
pub(crate) fn anonymous_placeholders(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut expected = 1usize;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if rest[..digits].parse::<usize>().ok()? != expected {
            return None;
        }
        out.push('?');
        expected += 1;
        rest = &rest[digits..];
    }
    out.push_str(rest);
    Some(out)
}

/// Appends `text` to `out` with every `$n` placeholder raised by `by`. Our
/// statements hold no `$` outside placeholders (values are always bound).
fn shift_placeholders(text: &str, by: usize, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
}

/// `text` split around its `VALUES` tuple: the head up to it, the tuple
/// (balanced parentheses, quotes skipped) and the tail after it; `None`
/// when there is no such tuple or the tail has placeholders.
fn values_tuple(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find(" VALUES (")? + " VALUES ".len();
    let (mut depth, mut quoted) = (0usize, false);
    for (i, ch) in text[start..].char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    let end = start + i + 1;
                    let tail = &text[end..];
                    return (!tail.contains('$'))
                        .then(|| (&text[..start], &text[start..end], tail));
                }
            }
            _ => {}
        }
    }
    None
}

/// Statements with one text merged into one multi-row insert (see
/// [`Sql::multi_row`]); unchanged when the text is not a single-row insert.
fn merge_run(run: Vec<Sql>) -> Vec<Sql> {
    let Some(first) = run.first() else {
        return run;
    };
    if run.len() == 1 {
        return run;
    }
    let Some((head, tuple, tail)) =
        values_tuple(&first.text).map(|(h, t, rest)| (h.to_owned(), t.to_owned(), rest.to_owned()))
    else {
        return run;
    };
    let mut text = String::with_capacity(head.len() + run.len() * (tuple.len() + 8) + tail.len());
    text.push_str(&head);
    let mut args = Vec::with_capacity(run.iter().map(|q| q.args.len()).sum());
    for (i, q) in run.into_iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        shift_placeholders(&tuple, args.len(), &mut text);
        args.extend(q.args);
    }
    text.push_str(&tail);
    vec![Sql::assembled(text, args)]
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

/// What the operations need from a database connection. Implemented for
/// `SqliteConnection` and `PgConnection`; a transaction or a pooled
/// connection derefs to one.
pub(crate) trait Conn: Send + Sized {
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

    /// Runs statements in order, stopping at the first that fails. SQLite
    /// runs them as one multi-statement call (see [`Sql::joined`]): each call
    /// is a round trip to the connection's thread, which costs more than the
    /// statements themselves in a transition. PostgreSQL runs them one by
    /// one.
    fn execute_all(
        &mut self,
        qs: Vec<Sql>,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        async move {
            if Self::DIALECT == Dialect::Sqlite {
                if let Some(q) = Sql::joined(qs) {
                    self.execute(q).await?;
                }
                return Ok(());
            }
            for q in qs {
                self.execute(q).await?;
            }
            Ok(())
        }
    }

    /// Runs statements in order, stopping at the first that fails, and
    /// takes the next one from `qs` while the database runs the one before:
    /// on SQLite the statement runs on the connection's own thread, so the
    /// merging of a bulk import's next multi-row insert (its text and
    /// arguments) overlaps with it instead of leaving that thread idle.
    fn execute_pipelined<I>(
        &mut self,
        qs: I,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send
    where
        I: Iterator<Item = Sql> + Send,
    {
        async move {
            let mut qs = qs;
            let mut next = qs.next();
            while let Some(q) = next {
                let (ran, following) = tokio::join!(self.execute(q), async { qs.next() });
                ran?;
                next = following;
            }
            Ok(())
        }
    }

    /// Inserts many rows: `tables` holds single-row inserts grouped by
    /// statement text. By default (SQLite) they run as multi-row inserts of
    /// up to `max_rows` rows, merged while the one before runs
    /// ([`Conn::execute_pipelined`]); PostgreSQL streams them with `COPY`
    /// where the insert allows it (see [`crate::copy`]).
    fn insert_rows(
        &mut self,
        tables: Vec<Vec<Sql>>,
        max_rows: usize,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        self.execute_pipelined(
            tables
                .into_iter()
                .flat_map(move |t| Sql::multi_row_lazily(t, max_rows)),
        )
    }

    /// Runs many single-row upserts of one table (distinct keys, in the
    /// order their row locks are to be taken). By default as multi-row
    /// upserts of up to `max_rows` rows; PostgreSQL stages large batches
    /// (see [`crate::copy::StagedUpsert`]).
    fn upsert_rows(
        &mut self,
        rows: Vec<Sql>,
        max_rows: usize,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        self.execute_pipelined(Sql::multi_row_lazily(rows, max_rows))
    }

    /// Serialises catalog writers until the transaction ends, so that what a
    /// change reads (the latest version, the next number) cannot move under it.
    fn lock_catalog(&mut self) -> impl Future<Output = ServiceResult<()>> + Send;

    /// Serialises changes to the unit tree (and unit inserts) until the
    /// transaction ends. Taken before the audit chain lock by every writer
    /// that takes both, so the two cannot deadlock.
    fn lock_tree(&mut self) -> impl Future<Output = ServiceResult<()>> + Send;

    /// Serialises appends to the audit chain until the transaction ends, so
    /// the head read before an append cannot move before the commit.
    fn lock_audit_chain(&mut self) -> impl Future<Output = ServiceResult<()>> + Send;

    /// Appends the next audit entry inside the current transaction.
    fn append(
        &mut self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> impl Future<Output = ServiceResult<StoredEntry>> + Send {
        append_entry(self, ctx, action, subject, detail)
    }
}

/// Appends the next audit entry: takes the chain lock, reads the head and
/// inserts the entry that follows it.
async fn append_entry<C: Conn>(
    c: &mut C,
    ctx: &AuditContext,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> ServiceResult<StoredEntry> {
    let e = next_audit(c, &TxState::default(), ctx, action, subject, detail).await?;
    c.execute(insert_audit(&e)).await.map_err(db)?;
    Ok(e)
}

/// The statement that appends `e` to the audit log.
pub(crate) fn insert_audit(e: &StoredEntry) -> Sql {
    Sql::new(sql::INSERT_AUDIT)
        .int(e.seq)
        .int(e.at_ms)
        .text(e.actor.clone())
        .text(e.action.clone())
        .text(e.subject.clone())
        .text(e.detail.clone())
        .text(e.prev_hash.clone())
        .text(e.hash.clone())
}

/// Implements the query half of [`Conn`] for a connection type.
macro_rules! conn_queries {
    ($db:ty) => {
        async fn all<R: $crate::conn::Rows>(
            &mut self,
            q: $crate::conn::Sql,
        ) -> Result<Vec<R>, sqlx::Error> {
            let (text, args) = q.into_parts::<$db>()?;
            sqlx::query_as_with(text, args).fetch_all(self).await
        }

        async fn optional<R: $crate::conn::Rows>(
            &mut self,
            q: $crate::conn::Sql,
        ) -> Result<Option<R>, sqlx::Error> {
            let (text, args) = q.into_parts::<$db>()?;
            sqlx::query_as_with(text, args).fetch_optional(self).await
        }

        async fn one<R: $crate::conn::Rows>(
            &mut self,
            q: $crate::conn::Sql,
        ) -> Result<R, sqlx::Error> {
            let (text, args) = q.into_parts::<$db>()?;
            sqlx::query_as_with(text, args).fetch_one(self).await
        }

        async fn execute(&mut self, q: $crate::conn::Sql) -> Result<u64, sqlx::Error> {
            let (text, args) = q.into_parts::<$db>()?;
            Ok(sqlx::query_with(text, args)
                .execute(self)
                .await?
                .rows_affected())
        }
    };
}
pub(crate) use conn_queries;

/// A store's connections: write transactions, single-statement writes and
/// reads. The operations in `ports/` and `catalog/` run on what it hands out.
pub(crate) trait Backend: Sync {
    type Db: Database<Connection = Self::Conn>;
    type Conn: Conn + sqlx::Connection<Database = Self::Db> + 'static;

    /// Starts a write transaction (SQLite: `BEGIN IMMEDIATE` on the one
    /// writer; PostgreSQL: READ COMMITTED, locks taken as needed).
    fn begin_write(
        &self,
    ) -> impl Future<Output = ServiceResult<Transaction<'static, Self::Db>>> + Send;

    /// Runs `work` in a write transaction and commits it; an error from
    /// `work` changes nothing (`undo` says how). The default is a
    /// transaction of its own; SQLite commits queued writes together (see
    /// `sqlite::group`), which is why the hot writes (receptions,
    /// transitions) come this way.
    fn transact<T, F>(&self, undo: Undo, work: F) -> impl Future<Output = ServiceResult<T>> + Send
    where
        T: Send + 'static,
        F: Work<Self::Conn, T>,
    {
        let _ = undo; // A failed transaction of its own is dropped whole.
        async move {
            let outcome = async move {
                let mut tx = self.begin_write().await?;
                let value = work(&mut *tx, &mut TxState::default()).await?;
                commit(tx).await?;
                Ok::<T, ServiceError>(value)
            }
            .await;
            self.write_health().record(&outcome);
            outcome
        }
    }

    /// How this node's last write transaction ended, for readiness.
    fn write_health(&self) -> &WriteHealth;

    /// A connection for a single write statement run as its own transaction.
    fn write(&self) -> impl Future<Output = ServiceResult<PoolConnection<Self::Db>>> + Send;

    /// A connection for reading.
    fn read(&self) -> impl Future<Output = ServiceResult<PoolConnection<Self::Db>>> + Send;

    /// The procedure search index this node caches.
    fn search(&self) -> &SearchCache;

    /// The tree and grants this node remembers (see `access_cache`).
    fn access(&self) -> &crate::access_cache::AccessCache;
}

/// How a write run by [`Backend::transact`] changes nothing when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undo {
    /// The caller wraps it in a savepoint and rolls back to it.
    Savepoint,
    /// It undoes itself (its statements run inside its own savepoint), which
    /// saves the two round trips of a savepoint the caller would open.
    Itself,
}

/// What a write transaction knows besides its rows; in a SQLite batch it
/// passes from one write to the next.
#[derive(Debug, Clone, Default)]
pub(crate) struct TxState {
    /// The audit chain's head (last sequence and hash, `Some(None)` for an
    /// empty log) once this transaction holds the chain and has read it:
    /// nobody else can append before the commit, so later appends in the
    /// same transaction need not read it again.
    pub(crate) audit_head: Option<Option<(i64, String)>>,
}

/// The audit entry that follows the transaction's chain head, taking the
/// chain's lock and reading the head the first time. Once its insert has
/// succeeded, record it with [`TxState::appended`].
pub(crate) async fn next_audit<C: Conn>(
    c: &mut C,
    st: &TxState,
    ctx: &AuditContext,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> ServiceResult<StoredEntry> {
    audit::check_context(ctx)?;
    let head = match &st.audit_head {
        Some(head) => head.clone(),
        None => {
            c.lock_audit_chain().await?;
            c.optional(Sql::new(sql::AUDIT_HEAD)).await.map_err(db)?
        }
    };
    convert::next_entry(head, ctx, action, subject, detail)
}

impl TxState {
    /// Records the entry just inserted as the chain's head.
    pub(crate) fn appended(&mut self, e: &StoredEntry) {
        self.audit_head = Some(Some((e.seq, e.hash.clone())));
    }
}

/// What [`Backend::transact`] runs: a write on the transaction's connection
/// (of type `C`) and state, answering `T`.
pub(crate) trait Work<C, T>:
    for<'c> FnOnce(&'c mut C, &'c mut TxState) -> ConnFuture<'c, ServiceResult<T>> + Send + 'static
{
}

impl<C, T, F> Work<C, T> for F where
    F: for<'c> FnOnce(&'c mut C, &'c mut TxState) -> ConnFuture<'c, ServiceResult<T>>
        + Send
        + 'static
{
}

/// A future borrowing a connection, as [`Backend::transact`]'s work returns.
pub(crate) type ConnFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Commits a write transaction.
pub(crate) async fn commit<DB: Database>(tx: Transaction<'static, DB>) -> ServiceResult<()> {
    tx.commit().await.map_err(db)
}

#[cfg(test)]
mod tests {
    use super::{Arg, Sql, anonymous_placeholders};

    fn texts(qs: &[Sql]) -> Vec<&str> {
        qs.iter().map(|q| q.text.as_ref()).collect()
    }

    #[test]
    fn single_row_inserts_merge_in_chunks_with_their_arguments_in_order() {
        let ins = |a: i64, b: &str| {
            Sql::new("INSERT INTO t (a, b, s) VALUES ($1, $2, 'x(y)') ON CONFLICT (a) DO NOTHING")
                .int(a)
                .text(b)
        };
        let other = Sql::new("UPDATE u SET v = $1").int(9);
        let qs = vec![ins(1, "p"), ins(2, "q"), ins(3, "r"), other, ins(4, "s")];
        let merged = Sql::multi_row(qs, 2);
        assert_eq!(
            texts(&merged),
            vec![
                "INSERT INTO t (a, b, s) VALUES ($1, $2, 'x(y)'), ($3, $4, 'x(y)') ON CONFLICT (a) DO NOTHING",
                "INSERT INTO t (a, b, s) VALUES ($1, $2, 'x(y)') ON CONFLICT (a) DO NOTHING",
                "UPDATE u SET v = $1",
                "INSERT INTO t (a, b, s) VALUES ($1, $2, 'x(y)') ON CONFLICT (a) DO NOTHING",
            ]
        );
        assert_eq!(
            merged[0].args,
            vec![
                Arg::Int(1),
                Arg::Text("p".into()),
                Arg::Int(2),
                Arg::Text("q".into())
            ]
        );
        assert_eq!(merged[1].args, vec![Arg::Int(3), Arg::Text("r".into())]);
        assert_eq!(merged[3].args, vec![Arg::Int(4), Arg::Text("s".into())]);
        // Merged placeholders still run in order: SQLite binds them anonymously.
        assert!(anonymous_placeholders(&merged[0].text).is_some());
    }

    #[test]
    fn statements_that_are_no_single_row_insert_pass_unchanged() {
        let tail = |v: i64| Sql::new("INSERT INTO t (a) VALUES ($1) RETURNING $1").int(v);
        let select = |v: i64| Sql::new("SELECT $1").int(v);
        let merged = Sql::multi_row(vec![tail(1), tail(2), select(3), select(4)], 10);
        assert_eq!(
            texts(&merged),
            vec![
                "INSERT INTO t (a) VALUES ($1) RETURNING $1",
                "INSERT INTO t (a) VALUES ($1) RETURNING $1",
                "SELECT $1",
                "SELECT $1"
            ]
        );
        assert!(Sql::multi_row(Vec::new(), 5).is_empty());
    }

    #[test]
    fn placeholders_in_order_become_anonymous_and_others_stay() {
        assert_eq!(
            anonymous_placeholders("INSERT INTO t VALUES ($1, $2), ($3, $4)").as_deref(),
            Some("INSERT INTO t VALUES (?, ?), (?, ?)")
        );
        assert_eq!(
            anonymous_placeholders("UPDATE a SET x = $1; UPDATE b SET y = $2 WHERE z = $3")
                .as_deref(),
            Some("UPDATE a SET x = ?; UPDATE b SET y = ? WHERE z = ?")
        );
        assert_eq!(
            anonymous_placeholders("SELECT 1").as_deref(),
            Some("SELECT 1")
        );
        // Repeated, out of order, skipped, or a `$` that is no placeholder.
        assert_eq!(anonymous_placeholders("a = $1 OR b = $1"), None);
        assert_eq!(anonymous_placeholders("a = $2 AND b = $1"), None);
        assert_eq!(anonymous_placeholders("a = $1 AND b = $3"), None);
        assert_eq!(anonymous_placeholders("json_extract(v, '$.x') = $1"), None);
    }
}
