//! The `Store` port on PostgreSQL: a pool per node, several nodes per database.
//!
//! Appends to the audit chain are serialised across nodes with a
//! transaction-scoped advisory lock taken just before the chain head is read;
//! it is released at commit or rollback, so the next writer reads the head
//! this one committed and the chain never forks.

mod access;
mod calendar;
mod catalog;
mod history;
mod units;
mod users;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use motcua_domain::audit::StoredEntry;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AdminStore, AuditContext, AuditStore, MigrationReport, Readiness, SettingStore,
};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Postgres, Transaction};

use crate::convert::{self, AuditRow};
use crate::error::db;
use crate::{audit, migrations, sql};

/// Connections per node; PostgreSQL's default limit of 100 leaves room for
/// several nodes and the operators' tools.
const POOL_SIZE: u32 = 10;
/// How long a request waits for a connection before the store reports the
/// database unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// The advisory lock key that guards the audit chain head ("motcua" + 1).
const AUDIT_CHAIN_LOCK: i64 = 0x6d6f_7463_7561_0001;

/// The PostgreSQL store.
pub(crate) struct PgStore {
    pool: PgPool,
    /// The procedure search index, rebuilt when the catalog revision moves.
    search: crate::catalog::SearchCache,
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
            search: Default::default(),
        })
    }

    /// Starts a write transaction (READ COMMITTED; the audit lock is taken by
    /// [`append`]).
    async fn begin_write(&self) -> ServiceResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db)
    }

    /// Reads go to the same pool as writes.
    fn reader(&self) -> &PgPool {
        &self.pool
    }
}

/// Appends the next audit entry inside the caller's transaction, holding the
/// chain lock until that transaction ends.
async fn append(
    conn: &mut PgConnection,
    ctx: &AuditContext,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> ServiceResult<StoredEntry> {
    audit::check_context(ctx)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_CHAIN_LOCK)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let head: Option<(i64, String)> = sqlx::query_as(sql::AUDIT_HEAD)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let e = convert::next_entry(head, ctx, action, subject, detail)?;
    sqlx::query(sql::INSERT_AUDIT)
        .bind(e.seq)
        .bind(e.at_ms)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.detail)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(e)
}

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
        Ok(migrations::readiness(
            "postgres",
            &migrations::postgres(),
            &applied,
        ))
    }
}

#[async_trait]
impl SettingStore for PgStore {
    async fn get_setting(
        &self,
        scope: &str,
        key: &str,
    ) -> ServiceResult<Option<serde_json::Value>> {
        let text: Option<String> = sqlx::query_scalar(sql::GET_SETTING)
            .bind(scope)
            .bind(key)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| crate::error::corrupt("settings.value", &t, e))
        })
        .transpose()
    }

    async fn put_setting(
        &self,
        ctx: &AuditContext,
        scope: &str,
        key: &str,
        value: &serde_json::Value,
    ) -> ServiceResult<()> {
        crate::check_setting_key(scope, key)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(sql::PUT_SETTING)
            .bind(scope)
            .bind(key)
            .bind(convert::detail_text(value)?)
            .bind(convert::millis(ctx.at))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        append(
            &mut tx,
            ctx,
            audit::SETTING_PUT,
            &audit::setting_subject(scope, key),
            &audit::setting_detail(value),
        )
        .await?;
        tx.commit().await.map_err(db)
    }
}

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(
        &self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> ServiceResult<StoredEntry> {
        let mut tx = self.begin_write().await?;
        let e = append(&mut tx, ctx, action, subject, detail).await?;
        tx.commit().await.map_err(db)?;
        Ok(e)
    }

    async fn audit_entries(&self, after: i64, limit: u32) -> ServiceResult<Vec<StoredEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(sql::AUDIT_AFTER)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        Ok(rows.into_iter().map(convert::audit_entry).collect())
    }
}
