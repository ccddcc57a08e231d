//! The `Store` port on SQLite: one file, one writer, many readers.
//!
//! Writes go through a pool of exactly one connection and start with
//! `BEGIN IMMEDIATE`, so they queue in the application instead of failing with
//! "database is locked", and the audit chain head read inside a write
//! transaction cannot move before the commit. Reads use a separate pool of
//! query-only connections, which WAL lets run alongside the writer. The hot
//! writes (receptions, transitions) go through [`group::GroupCommit`], which
//! commits the writes queued for the writer together.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AdminStore, MigrationReport, Readiness};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

mod group;

use crate::catalog::SearchCache;
use crate::conn::{Backend, Conn, Dialect, Undo, Work, conn_queries};
use crate::error::db;
use crate::ports::store_ports;
use crate::{migrations, sql};

/// How long a connection waits for SQLite's lock (another process, or a
/// checkpoint) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write waits for its turn at the single writer connection.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(60);
/// Readers: enough for a node's concurrent page loads on a small machine.
const READERS: u32 = 8;
/// The writer's page cache (negative: KiB), 64 MiB. SQLite's default is
/// 2 MiB, less than the table page and index leaves a batch of dossier
/// changes touches at a million dossiers. The figures in BENCHMARKS.md are
/// measured with it; on its own it did not move the transitions figure
/// (the round trips to the connection's thread did).
const WRITER_CACHE: &str = "-65536";
/// Prepared statements the writer keeps: a change's update lists only the
/// columns it changes and its other statements run as one text, so the
/// writer sees a few hundred distinct texts where a reader sees dozens.
const WRITER_STATEMENTS: usize = 512;
/// Each reader's page cache, 16 MiB: the upper levels of every index stay in
/// it, and eight of them stay within a small machine's memory.
const READER_CACHE: &str = "-16384";

/// The SQLite store.
pub(crate) struct SqliteStore {
    writer: SqlitePool,
    /// Group commit in front of `writer`.
    group: group::GroupCommit,
    reader: SqlitePool,
    /// The procedure search index, rebuilt when the catalog revision moves.
    search: SearchCache,
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite:` URL names.
    pub(crate) async fn open_url(url: &str) -> ServiceResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| ServiceError::invalid("database_url", format!("not a SQLite URL: {e}")))?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        Self::open(options, in_memory).await
    }

    /// Opens (creating if missing) the database file at `path`.
    pub(crate) async fn open_path(path: &Path) -> ServiceResult<Self> {
        Self::open(SqliteConnectOptions::new().filename(path), false).await
    }

    async fn open(options: SqliteConnectOptions, in_memory: bool) -> ServiceResult<Self> {
        let base = options
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Normal);
        if in_memory {
            // A private in-memory database lives in its one connection, so
            // readers and writer must share it, and it must never be closed.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(WRITE_QUEUE_TIMEOUT)
                .connect_with(base)
                .await
                .map_err(unavailable)?;
            return Ok(Self {
                group: group::GroupCommit::new(pool.clone()),
                writer: pool.clone(),
                reader: pool,
                search: Default::default(),
            });
        }
        if let Some(dir) = base.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            tokio::fs::create_dir_all(dir).await.map_err(|e| {
                ServiceError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        // The writer is connected first: it creates the file and switches it
        // to WAL, which the query-only readers cannot do.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(WRITE_QUEUE_TIMEOUT)
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .pragma("cache_size", WRITER_CACHE)
                    .statement_cache_capacity(WRITER_STATEMENTS),
            )
            .await
            .map_err(unavailable)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            // sqlx pings a connection before handing it out, by default: a
            // round trip to its SQLite thread that doubled the cost of a
            // one-statement read. A file connection cannot go stale the way
            // a network one can; a broken one still fails its statement.
            .test_before_acquire(false)
            .connect_with(
                base.pragma("query_only", "ON")
                    .pragma("cache_size", READER_CACHE),
            )
            .await
            .map_err(unavailable)?;
        Ok(Self {
            group: group::GroupCommit::new(writer.clone()),
            writer,
            reader,
            search: Default::default(),
        })
    }
}

/// Opening failures are about reaching the file, whatever sqlx calls them.
fn unavailable(e: sqlx::Error) -> ServiceError {
    match db(e) {
        ServiceError::Internal(m) => ServiceError::Unavailable(m),
        other => other,
    }
}

impl Backend for SqliteStore {
    type Db = Sqlite;
    type Conn = SqliteConnection;

    /// Starts a write transaction holding SQLite's write lock from the start.
    async fn begin_write(&self) -> ServiceResult<Transaction<'static, Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// Queued to the writer's group commit.
    async fn transact<T, F>(&self, undo: Undo, work: F) -> ServiceResult<T>
    where
        T: Send + 'static,
        F: Work<SqliteConnection, T>,
    {
        self.group.run(undo, work).await
    }

    /// The one writer connection: single statements queue for it too.
    async fn write(&self) -> ServiceResult<PoolConnection<Sqlite>> {
        self.writer.acquire().await.map_err(db)
    }

    async fn read(&self) -> ServiceResult<PoolConnection<Sqlite>> {
        self.reader.acquire().await.map_err(db)
    }

    fn search(&self) -> &SearchCache {
        &self.search
    }
}

/// Every lock is already held: a write transaction begins with
/// `BEGIN IMMEDIATE`, which takes the database's one write lock, so nobody
/// else can change the catalog, the tree or the audit chain head between
/// reading it and committing.
impl Conn for SqliteConnection {
    const DIALECT: Dialect = Dialect::Sqlite;

    conn_queries!(Sqlite);

    async fn lock_catalog(&mut self) -> ServiceResult<()> {
        Ok(())
    }

    async fn lock_tree(&mut self) -> ServiceResult<()> {
        Ok(())
    }

    async fn lock_audit_chain(&mut self) -> ServiceResult<()> {
        Ok(())
    }
}

store_ports!(SqliteStore);

#[async_trait]
impl AdminStore for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> ServiceResult<MigrationReport> {
        let m = migrations::sqlite();
        // sqlx takes no lock on SQLite, and other processes (nodes, the CLI)
        // may migrate the same file: one IMMEDIATE transaction around the
        // whole run serialises them, and each migration's own transaction
        // becomes a savepoint inside it.
        let mut tx = self.begin_write().await?;
        let applied_now = migrations::run(&m, &mut *tx).await?;
        tx.commit().await.map_err(db)?;
        let r = self.readiness().await?;
        Ok(MigrationReport {
            applied_now,
            total: r.applied_migrations,
        })
    }

    async fn readiness(&self) -> ServiceResult<Readiness> {
        let has_table: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        let applied: Vec<i64> = if has_table > 0 {
            sqlx::query_scalar(sql::APPLIED_VERSIONS)
                .fetch_all(&self.reader)
                .await
                .map_err(db)?
        } else {
            Vec::new()
        };
        Ok(migrations::readiness(
            "sqlite",
            &migrations::sqlite(),
            &applied,
        ))
    }
}
