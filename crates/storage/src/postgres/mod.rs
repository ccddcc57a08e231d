//! The `Store` port on PostgreSQL: a pool per node, several nodes per database.
//!
//! Appends to the audit chain are serialised across nodes with a
//! transaction-scoped advisory lock taken just before the chain head is read;
//! it is released at commit or rollback, so the next writer reads the head
//! this one committed and the chain never forks.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AdminStore, MigrationReport, Readiness};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Postgres, Transaction};

use crate::catalog::SearchCache;
use crate::conn::{Backend, Conn, Dialect, Sql, Undo, conn_queries};
use crate::copy::CopyForm;
use crate::error::db;
use crate::health::{self, WriteHealth};
use crate::ports::store_ports;
use crate::{migrations, sql};

/// Connections per node; PostgreSQL's default limit of 100 leaves room for
/// several nodes and the operators' tools.
const POOL_SIZE: u32 = 10;
/// How long a request waits for a connection before the store reports the
/// database unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// The advisory lock key that guards the audit chain head ("motcua" + 1).
const AUDIT_CHAIN_LOCK: i64 = 0x6d6f_7463_7561_0001;
/// The advisory lock key that serialises changes to the unit tree ("motcua" + 2).
const UNIT_TREE_LOCK: i64 = 0x6d6f_7463_7561_0002;

/// The PostgreSQL store.
pub(crate) struct PgStore {
    pool: PgPool,
    /// How this node's last write transaction ended.
    health: WriteHealth,
    /// The procedure search index, rebuilt when the catalog revision moves.
    search: SearchCache,
    /// The tree and grants, remembered while the access revision stays.
    access: crate::access_cache::AccessCache,
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names.
    pub(crate) async fn open(url: &str) -> ServiceResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            ServiceError::invalid("database_url", format!("not a PostgreSQL URL: {e}"))
        })?;
        let unavailable = |e: sqlx::Error| match db(e) {
            ServiceError::Internal(m) => ServiceError::Unavailable(m),
            other => other,
        };
        // One direct attempt first: the pool retries a refused connection
        // until its acquire timeout, which would make a wrong URL or a
        // stopped server look like a hang at start.
        options
            .connect()
            .await
            .map_err(unavailable)?
            .close()
            .await
            .map_err(unavailable)?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(unavailable)?;
        Ok(Self {
            pool,
            health: WriteHealth::default(),
            search: Default::default(),
            access: Default::default(),
        })
    }

    /// Why this node cannot write, if its last write transaction failed for
    /// a fault of the server and a probe write fails still. The database's
    /// disk is the server's, out of this node's sight, so only writes tell.
    async fn write_problem(&self) -> Option<String> {
        self.health.failure()?;
        let probe = self.transact(Undo::Itself, |c, _| {
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

    /// Reads go to the same pool as writes.
    fn reader(&self) -> &PgPool {
        &self.pool
    }
}

impl Backend for PgStore {
    type Db = Postgres;
    type Conn = PgConnection;

    /// Starts a write transaction (READ COMMITTED; each operation takes the
    /// locks it needs, released at commit or rollback).
    async fn begin_write(&self) -> ServiceResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db)
    }

    async fn write(&self) -> ServiceResult<PoolConnection<Postgres>> {
        self.pool.acquire().await.map_err(db)
    }

    async fn read(&self) -> ServiceResult<PoolConnection<Postgres>> {
        self.reader().acquire().await.map_err(db)
    }

    fn search(&self) -> &SearchCache {
        &self.search
    }

    fn access(&self) -> &crate::access_cache::AccessCache {
        &self.access
    }

    fn write_health(&self) -> &WriteHealth {
        &self.health
    }
}

/// Takes a transaction-scoped advisory lock.
async fn advisory_lock(conn: &mut PgConnection, key: i64) -> ServiceResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// How much COPY data is sent at once: PostgreSQL works on one part while
/// the next is encoded.
const COPY_PART_BYTES: usize = 1 << 20;

/// Writes `rows`, all of `form`'s insert, with one `COPY`. A row that does not fit the form aborts the copy (nothing of it is kept)
/// and is returned as an error, like a refused statement.
async fn copy_rows(
    conn: &mut PgConnection,
    form: &CopyForm,
    rows: &[Sql],
) -> Result<(), sqlx::Error> {
    let mut copy = conn.copy_in_raw(&form.statement).await?;
    let mut part = Vec::with_capacity(COPY_PART_BYTES + 4096);
    for (i, q) in rows.iter().enumerate() {
        if let Err(e) = form.write_row(i, q, &mut part) {
            copy.abort(e.clone()).await?;
            return Err(sqlx::Error::Protocol(format!("{}: {e}", form.statement)));
        }
        if part.len() >= COPY_PART_BYTES {
            copy.send(std::mem::take(&mut part)).await?;
            part.reserve(COPY_PART_BYTES + 4096);
        }
    }
    if !part.is_empty() {
        copy.send(part).await?;
    }
    copy.finish().await.map(|_| ())
}

impl Conn for PgConnection {
    const DIALECT: Dialect = Dialect::Postgres;

    conn_queries!(Postgres);

    /// Locks the revision row until the transaction ends: catalog writers on
    /// every node queue here, and each then reads what the one before it
    /// committed (READ COMMITTED takes a new snapshot per statement).
    async fn lock_catalog(&mut self) -> ServiceResult<()> {
        sqlx::query("SELECT revision FROM catalog_revision WHERE id = 1 FOR UPDATE")
            .execute(self)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn lock_tree(&mut self) -> ServiceResult<()> {
        advisory_lock(self, UNIT_TREE_LOCK).await
    }

    /// Streams each table's rows with `COPY` when its insert allows it.
    async fn insert_rows(
        &mut self,
        tables: Vec<Vec<Sql>>,
        max_rows: usize,
    ) -> Result<(), sqlx::Error> {
        for rows in tables {
            match rows.first().and_then(|q| crate::copy::copy_form(&q.text)) {
                Some(form) => copy_rows(self, &form, &rows).await?,
                None => {
                    self.execute_pipelined(Sql::multi_row_lazily(rows, max_rows))
                        .await?
                }
            }
        }
        Ok(())
    }

    /// Stages the rows and upserts them with one statement when there are
    /// more than one multi-row upsert's worth (see
    /// [`crate::copy::StagedUpsert`]).
    async fn upsert_rows(&mut self, rows: Vec<Sql>, max_rows: usize) -> Result<(), sqlx::Error> {
        let staged = rows
            .first()
            .and_then(|q| crate::copy::staged_upsert(&q.text))
            .filter(|_| rows.len() > max_rows);
        let Some(f) = staged else {
            return self
                .execute_pipelined(Sql::multi_row_lazily(rows, max_rows))
                .await;
        };
        let made: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
            .bind(format!("pg_temp.{}", f.stage))
            .fetch_one(&mut *self)
            .await?;
        if made.is_none() {
            sqlx::query(AssertSqlSafe(f.create.clone()))
                .execute(&mut *self)
                .await?;
        }
        copy_rows(self, f.copy(), &rows).await?;
        for sql in [f.merge, f.clear] {
            sqlx::query(AssertSqlSafe(sql)).execute(&mut *self).await?;
        }
        Ok(())
    }

    /// Held until the transaction ends, so the next writer on any node reads
    /// the head this one committed and the chain never forks.
    async fn lock_audit_chain(&mut self) -> ServiceResult<()> {
        advisory_lock(self, AUDIT_CHAIN_LOCK).await
    }
}

store_ports!(PgStore);

#[async_trait]
impl AdminStore for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> ServiceResult<MigrationReport> {
        let m = migrations::postgres();
        let applied_now = {
            let mut conn = self.pool.acquire().await.map_err(db)?;
            migrations::run(&m, &mut *conn).await?
        };
        let r = self.readiness().await?;
        Ok(MigrationReport {
            applied_now,
            total: r.applied_migrations,
        })
    }

    async fn readiness(&self) -> ServiceResult<Readiness> {
        let has_table: bool =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(self.reader())
                .await
                .map_err(db)?;
        let applied: Vec<i64> = if has_table {
            sqlx::query_scalar(sql::APPLIED_VERSIONS)
                .fetch_all(self.reader())
                .await
                .map_err(db)?
        } else {
            Vec::new()
        };
        let mut r = migrations::readiness("postgres", &migrations::postgres(), &applied);
        if r.applied_migrations >= r.expected_migrations {
            r.write_problem = self.write_problem().await;
        }
        Ok(r)
    }
}
