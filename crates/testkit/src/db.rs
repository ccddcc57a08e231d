//! Fresh databases for tests: a SQLite file in a temporary directory, and a
//! PostgreSQL database of its own per test, on the server that
//! `MOTCUA_TEST_DATABASE_URL` names or else on the run's throwaway cluster
//! ([`crate::cluster`]). A PostgreSQL test never passes without running: when
//! no server can be had, opening its database fails and says why.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use motcua_service::store::Store;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};
use tempfile::TempDir;

/// The variable that names a PostgreSQL server for tests, for example
/// `postgres://postgres@127.0.0.1:5432/postgres`. Each test creates a database
/// of its own on it and drops it afterwards. Unset, the test kit starts a
/// throwaway cluster for the run.
pub const DATABASE_URL_VAR: &str = "MOTCUA_TEST_DATABASE_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on the server in [`DATABASE_URL_VAR`], or on the
    /// run's throwaway cluster.
    Postgres,
}

impl Backend {
    /// The name `AdminStore::backend` reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What must be removed when the test is done.
enum Cleanup {
    /// The directory holding the SQLite file; removed when dropped.
    Sqlite(TempDir),
    /// A database created on the test server.
    Postgres { server_url: String, name: String },
}

/// A fresh database with a store open on it.
///
/// ```no_run
/// # async fn example() -> anyhow::Result<()> {
/// use motcua_testkit::{Backend, TestDb};
/// // Fails (never skips) when no PostgreSQL server can be had.
/// let db = TestDb::migrated(Backend::Postgres).await?;
/// let units = db.store().list_units().await?;
/// db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").await?;
/// db.close().await;
/// # Ok(()) }
/// ```
pub struct TestDb {
    backend: Backend,
    url: String,
    store: Arc<dyn Store>,
    /// Declared after `store`, so the store is dropped before its database.
    guard: Guard,
}

impl TestDb {
    /// A fresh, migrated SQLite database.
    pub async fn sqlite() -> anyhow::Result<Self> {
        Self::open_sqlite(true).await
    }

    /// A fresh, migrated PostgreSQL database; an error saying what is
    /// missing when no server can be had.
    pub async fn postgres() -> anyhow::Result<Self> {
        Self::migrated(Backend::Postgres).await
    }

    /// A fresh, migrated database on `backend`.
    pub async fn migrated(backend: Backend) -> anyhow::Result<Self> {
        Self::fresh(backend, true).await
    }

    /// A fresh database on which no migration has run, for tests of
    /// `migrate` and readiness, and of a server that migrates on start.
    pub async fn unmigrated(backend: Backend) -> anyhow::Result<Self> {
        Self::fresh(backend, false).await
    }

    async fn fresh(backend: Backend, migrate: bool) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => Self::open_sqlite(migrate).await,
            Backend::Postgres => Self::open_postgres(&postgres_server()?, migrate).await,
        }
    }

    async fn open_sqlite(migrate: bool) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("motcua-test-")
            .tempdir()
            .context("creating a temporary directory")?;
        let url = format!("sqlite://{}", dir.path().join("motcua.db").display());
        let store = motcua_storage::open(&url).await?;
        let db = Self {
            backend: Backend::Sqlite,
            url,
            store,
            guard: Guard(Some(Cleanup::Sqlite(dir))),
        };
        db.finish_opening(migrate).await
    }

    async fn open_postgres(server: &str, migrate: bool) -> anyhow::Result<Self> {
        let name = unique_name();
        let mut admin = admin_connection(server).await?;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .with_context(|| format!("creating test database {name}"))?;
        let _ = admin.close().await;
        let url = with_database(server, &name);
        // From here on the database exists: the guard removes it even when
        // opening or migrating fails.
        let guard = Guard(Some(Cleanup::Postgres {
            server_url: server.to_owned(),
            name,
        }));
        let store = motcua_storage::open(&url).await?;
        let db = Self {
            backend: Backend::Postgres,
            url,
            store,
            guard,
        };
        db.finish_opening(migrate).await
    }

    async fn finish_opening(self, migrate: bool) -> anyhow::Result<Self> {
        if migrate {
            self.store.migrate().await?;
        }
        Ok(self)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The store open on this database.
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// The URL of this database, for `motcua_storage::open` or a server
    /// started over it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs SQL on the database directly, bypassing the store (to play an
    /// intruder who edits the audit log); returns the rows affected.
    pub async fn execute(&self, sql: &str) -> anyhow::Result<u64> {
        let q = || AssertSqlSafe(sql.to_owned());
        let rows = match self.backend {
            Backend::Sqlite => {
                let mut c = self.sqlite_connection().await?;
                let r = sqlx::query(q()).execute(&mut c).await?.rows_affected();
                let _ = c.close().await;
                r
            }
            Backend::Postgres => {
                let mut c = PgConnection::connect(&self.url).await?;
                let r = sqlx::query(q()).execute(&mut c).await?.rows_affected();
                let _ = c.close().await;
                r
            }
        };
        Ok(rows)
    }

    /// Drops the append-only triggers on `audit_log`, as an intruder with the
    /// database owner's rights could, so tests can tamper with the log and show
    /// that the hash chain still finds it.
    pub async fn drop_audit_guards(&self) -> anyhow::Result<()> {
        let on = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " ON audit_log",
        };
        for t in ["audit_log_no_update", "audit_log_no_delete"] {
            self.execute(&format!("DROP TRIGGER {t}{on}")).await?;
        }
        Ok(())
    }

    /// Runs a query that returns one integer, such as a `count(*)`.
    pub async fn query_i64(&self, sql: &str) -> anyhow::Result<i64> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let mut c = self.sqlite_connection().await?;
                let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.to_owned()));
                let v = q.fetch_one(&mut c).await?;
                let _ = c.close().await;
                v
            }
            Backend::Postgres => {
                let mut c = PgConnection::connect(&self.url).await?;
                let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.to_owned()));
                let v = q.fetch_one(&mut c).await?;
                let _ = c.close().await;
                v
            }
        })
    }

    async fn sqlite_connection(&self) -> anyhow::Result<SqliteConnection> {
        Ok(SqliteConnectOptions::from_str(&self.url)?
            .busy_timeout(Duration::from_secs(10))
            .connect()
            .await?)
    }

    /// Removes the database now. Dropping a `TestDb` does the same, blocking
    /// briefly; a test that can await should call this.
    pub async fn close(mut self) {
        if let Some(c) = self.guard.0.take() {
            remove(c).await;
        }
    }
}

/// Removes the database when dropped, unless [`TestDb::close`] already has.
struct Guard(Option<Cleanup>);

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(cleanup) = self.0.take() else {
            return;
        };
        if let Cleanup::Sqlite(dir) = cleanup {
            drop(dir);
            return;
        }
        // Drop cannot await, and may run inside a runtime that must not be
        // blocked on itself: remove the database from a thread of its own.
        let job = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(remove(cleanup));
            }
        });
        let _ = job.join();
    }
}

/// Best effort: a database left behind only costs disk on a test server.
async fn remove(cleanup: Cleanup) {
    match cleanup {
        Cleanup::Sqlite(dir) => drop(dir),
        Cleanup::Postgres { server_url, name } => {
            if let Ok(mut admin) = admin_connection(&server_url).await {
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if let Err(e) = sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await {
                    eprintln!("could not drop test database {name}: {e}");
                }
                let _ = admin.close().await;
            }
        }
    }
}

/// The server named in [`DATABASE_URL_VAR`], if any. The benchmarks use
/// only such a server (the throwaway cluster runs without durability, so its
/// figures would mislead).
pub fn server_url() -> Option<String> {
    std::env::var(DATABASE_URL_VAR)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// The server PostgreSQL tests run on: [`server_url`], else the run's
/// throwaway cluster, else an error naming what is missing.
pub fn postgres_server() -> anyhow::Result<String> {
    match server_url() {
        Some(url) => Ok(url),
        None => crate::cluster::url(),
    }
}

async fn admin_connection(server: &str) -> anyhow::Result<PgConnection> {
    PgConnectOptions::from_str(server)
        .with_context(|| format!("{DATABASE_URL_VAR} is not a PostgreSQL URL"))?
        .connect()
        .await
        .with_context(|| format!("connecting to the PostgreSQL test server ({DATABASE_URL_VAR} or the throwaway cluster)"))
}

/// `motcua_t_<pid>_<counter>_<nanos>`: unique across the tests of one run and
/// across runs that share a server.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("motcua_t_{}_{n}_{nanos}", std::process::id())
}

/// The server URL with its database replaced by `name`, keeping the
/// user, host, port and parameters.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t1"),
            "postgres://u:p@h/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }
}
