//! The `Store` port on SQLite: one file, one writer, many readers.
//!
//! Writes go through a pool of exactly one connection and start with
//! `BEGIN IMMEDIATE`, so they queue in the application instead of failing with
//! "database is locked", and the audit chain head read inside a write
//! transaction cannot move before the commit. Reads use a separate pool of
//! query-only connections, which WAL lets run alongside the writer. The hot
//! writes (receptions, transitions) go through [`group::GroupCommit`], which
//! commits the writes queued for the writer together.
//!
//! The writer runs with `synchronous = FULL` unless the URL says
//! `?synchronous=normal`: in WAL mode FULL syncs the WAL at each commit, so
//! an acknowledged write survives a power cut, not only a crash of the
//! process (BENCHMARKS.md has what it costs; group commit pays it once per
//! batch).

use std::path::{Path, PathBuf};
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
use sqlx::{Connection, Sqlite, Transaction};

#[cfg(test)]
mod full_disk;
mod group;

use crate::catalog::SearchCache;
use crate::conn::{Backend, Conn, Dialect, Undo, Work, conn_queries};
use crate::error::db;
use crate::health::{self, WriteHealth};
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
    /// The database file, for readiness to ask its file system; none in memory.
    file: Option<PathBuf>,
    /// The procedure search index, rebuilt when the catalog revision moves.
    search: SearchCache,
    /// The tree and grants, remembered while the access revision stays.
    access: crate::access_cache::AccessCache,
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite:` URL names.
    pub(crate) async fn open_url(url: &str) -> ServiceResult<Self> {
        let (url, synchronous) = split_synchronous(url)?;
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| ServiceError::invalid("database_url", format!("not a SQLite URL: {e}")))?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        Self::open(options, in_memory, synchronous).await
    }

    /// Opens (creating if missing) the database file at `path`.
    pub(crate) async fn open_path(path: &Path) -> ServiceResult<Self> {
        Self::open(
            SqliteConnectOptions::new().filename(path),
            false,
            SqliteSynchronous::Full,
        )
        .await
    }

    async fn open(
        options: SqliteConnectOptions,
        in_memory: bool,
        synchronous: SqliteSynchronous,
    ) -> ServiceResult<Self> {
        let base = options
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(synchronous);
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
                file: None,
                search: Default::default(),
                access: Default::default(),
            });
        }
        if let Some(dir) = base.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            tokio::fs::create_dir_all(dir).await.map_err(|e| {
                ServiceError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let file = base.get_filename().to_owned();
        // The writer is connected first: it creates the file and switches it
        // to WAL, which the query-only readers cannot do.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            // A transaction its ROLLBACK could not end (after a failed
            // COMMIT on a full disk) would make every later BEGIN on this
            // connection fail: such a connection is closed, which rolls
            // back what SQLite still holds, and the pool opens a new one.
            // A dropped transaction's ROLLBACK is queued to the connection's
            // thread; the ping waits for it, and only then.
            .after_release(|conn, _| {
                Box::pin(async move {
                    if conn.is_in_transaction() {
                        conn.ping().await?;
                    }
                    Ok(!conn.is_in_transaction())
                })
            })
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
            file: Some(file),
            search: Default::default(),
            access: Default::default(),
        })
    }

    /// Why this node cannot write, if it cannot: a writer stuck in one
    /// transaction, a read-only or full file system, or a last write that
    /// failed for the server's fault and a probe write that fails still.
    async fn write_problem(&self) -> Option<String> {
        let health = self.group.health();
        if let Some(stuck) = health.stuck() {
            return Some(stuck);
        }
        if let Some(problem) = self.file.as_deref().and_then(health::disk_problem) {
            return Some(problem);
        }
        health.failure()?;
        let probe = self.group.run(Undo::Itself, |c, _| {
            Box::pin(async move {
                sqlx::query(health::PROBE)
                    .bind(jiff::Timestamp::now().as_millisecond())
                    .execute(c)
                    .await
                    .map_err(db)?;
                Ok(())
            })
        });
        match tokio::time::timeout(health::PROBE_TIMEOUT, probe).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("a probe write did not finish in time".to_owned()),
        }
    }
}

/// Takes this store's own `synchronous` parameter (`full`, the default, or
/// `normal`) off a SQLite URL; sqlx refuses parameters it does not know.
fn split_synchronous(url: &str) -> ServiceResult<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SqliteSynchronous::Full));
    };
    let mut synchronous = SqliteSynchronous::Full;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("synchronous", v)) => {
                synchronous = match v.to_ascii_lowercase().as_str() {
                    "full" => SqliteSynchronous::Full,
                    "normal" => SqliteSynchronous::Normal,
                    _ => {
                        return Err(ServiceError::invalid(
                            "database_url",
                            format!("synchronous={v}: use full or normal"),
                        ));
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, synchronous))
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

    fn access(&self) -> &crate::access_cache::AccessCache {
        &self.access
    }

    fn write_health(&self) -> &WriteHealth {
        self.group.health()
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
        let mut r = migrations::readiness("sqlite", &migrations::sqlite(), &applied);
        if r.applied_migrations >= r.expected_migrations {
            r.write_problem = self.write_problem().await;
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronous_is_full_unless_the_url_says_normal_and_other_parameters_stay() {
        let (url, s) = split_synchronous("sqlite:///data/m.db").expect("plain");
        assert_eq!(
            (url.as_str(), s),
            ("sqlite:///data/m.db", SqliteSynchronous::Full)
        );
        let (url, s) =
            split_synchronous("sqlite:///data/m.db?mode=rwc&synchronous=NORMAL").expect("normal");
        assert_eq!(
            (url.as_str(), s),
            ("sqlite:///data/m.db?mode=rwc", SqliteSynchronous::Normal)
        );
        let e = split_synchronous("sqlite:///data/m.db?synchronous=off").expect_err("off");
        assert!(
            matches!(&e, ServiceError::Invalid { field, .. } if field == "database_url"),
            "{e}"
        );
    }
}
