//! The unit tree through time on SQLite. The rules are shared
//! ([`crate::history_rules`]); this file runs their queries. A change runs in
//! one `BEGIN IMMEDIATE` transaction, which holds SQLite's write lock from the
//! first read, so the state the checks see cannot change before the commit.

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, NewUnit, Succession, Unit, UnitChange, UnitHistoryStore, UnitVersion,
};
use serde_json::Value;
use sqlx::SqliteConnection;

use super::{SqliteStore, append};
use crate::convert::{self, UnitRow, day_text};
use crate::error::{db, explain_unit_insert, map_db};
use crate::history_rules::{self as rules, SuccessionRow, TreeTx, VersionRow};
use crate::sql;

#[async_trait]
impl TreeTx for SqliteConnection {
    async fn unit(&mut self, id: i64) -> ServiceResult<Option<Unit>> {
        let row: Option<UnitRow> = sqlx::query_as(sql::UNIT_BY_ID)
            .bind(id)
            .fetch_optional(&mut *self)
            .await
            .map_err(db)?;
        row.map(convert::unit).transpose()
    }

    async fn versions(&mut self, id: i64) -> ServiceResult<Vec<UnitVersion>> {
        let rows: Vec<VersionRow> = sqlx::query_as(rules::VERSIONS_OF)
            .bind(id)
            .fetch_all(&mut *self)
            .await
            .map_err(db)?;
        rows.into_iter().map(rules::version).collect()
    }

    async fn live_children(&mut self, id: i64, from: Date) -> ServiceResult<Vec<(i64, String)>> {
        sqlx::query_as(rules::LIVE_CHILDREN)
            .bind(id)
            .bind(day_text(from))
            .fetch_all(&mut *self)
            .await
            .map_err(db)
    }

    async fn code_holders(
        &mut self,
        code: &str,
        except: i64,
        from: Date,
        to: Option<Date>,
    ) -> ServiceResult<Vec<i64>> {
        sqlx::query_scalar(rules::CODE_HOLDERS)
            .bind(code)
            .bind(except)
            .bind(day_text(from))
            .bind(to.map(day_text))
            .fetch_all(&mut *self)
            .await
            .map_err(db)
    }

    async fn subtree_on(&mut self, root: i64, on: Date) -> ServiceResult<Vec<i64>> {
        sqlx::query_scalar(rules::SUBTREE_ON)
            .bind(root)
            .bind(day_text(on))
            .fetch_all(&mut *self)
            .await
            .map_err(db)
    }

    async fn subtree_latest(&mut self, root: i64) -> ServiceResult<Vec<i64>> {
        sqlx::query_scalar(sql::SUBTREE_IDS)
            .bind(root)
            .fetch_all(&mut *self)
            .await
            .map_err(db)
    }

    async fn set_version_end(
        &mut self,
        unit_id: i64,
        valid_from: Date,
        valid_to: Option<Date>,
    ) -> ServiceResult<()> {
        sqlx::query(rules::SET_VERSION_END)
            .bind(unit_id)
            .bind(day_text(valid_from))
            .bind(valid_to.map(day_text))
            .execute(&mut *self)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn insert_version(&mut self, v: &UnitVersion) -> ServiceResult<()> {
        sqlx::query(rules::INSERT_VERSION)
            .bind(v.unit_id)
            .bind(day_text(v.valid_from))
            .bind(v.valid_to.map(day_text))
            .bind(v.code.as_str())
            .bind(&v.name)
            .bind(v.parent_id)
            .bind(v.kind.as_str())
            .bind(v.level.as_str())
            .execute(&mut *self)
            .await
            .map_err(|e| map_db(e, |b| rules::explain_tree_write(b, v.code.as_str())))?;
        Ok(())
    }

    async fn update_unit(&mut self, u: &Unit) -> ServiceResult<()> {
        sqlx::query(rules::UPDATE_UNIT)
            .bind(u.id)
            .bind(u.code.as_str())
            .bind(&u.name)
            .bind(u.level.as_str())
            .bind(u.parent_id)
            .bind(u.valid_to.map(day_text))
            .execute(&mut *self)
            .await
            .map_err(|e| map_db(e, |b| rules::explain_tree_write(b, u.code.as_str())))?;
        Ok(())
    }

    async fn insert_unit_row(&mut self, u: &NewUnit) -> ServiceResult<i64> {
        sqlx::query_scalar(sql::INSERT_UNIT)
            .bind(u.code.as_str())
            .bind(&u.name)
            .bind(u.kind.as_str())
            .bind(u.level.as_str())
            .bind(u.parent_id)
            .bind(day_text(u.valid_from))
            .bind(u.valid_to.map(day_text))
            .fetch_one(&mut *self)
            .await
            .map_err(|e| map_db(e, |b| explain_unit_insert(b, u.code.as_str())))
    }

    async fn insert_succession(&mut self, s: &Succession) -> ServiceResult<()> {
        sqlx::query(rules::INSERT_SUCCESSION)
            .bind(s.predecessor_id)
            .bind(s.successor_id)
            .bind(s.kind.as_str())
            .bind(day_text(s.effective))
            .execute(&mut *self)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn append(
        &mut self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &Value,
    ) -> ServiceResult<()> {
        append(self, ctx, action, subject, detail).await?;
        Ok(())
    }
}

impl SqliteStore {
    async fn unit_exists(&self, id: i64) -> ServiceResult<()> {
        let n: i64 = sqlx::query_scalar(rules::UNIT_EXISTS)
            .bind(id)
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        if n == 0 {
            return Err(ServiceError::not_found("unit", id.to_string()));
        }
        Ok(())
    }
}

#[async_trait]
impl UnitHistoryStore for SqliteStore {
    async fn apply_unit_change(
        &self,
        ctx: &AuditContext,
        change: &UnitChange,
    ) -> ServiceResult<Vec<Unit>> {
        let mut tx = self.begin_write().await?;
        let units = rules::apply(&mut *tx, ctx, change).await?;
        tx.commit().await.map_err(db)?;
        Ok(units)
    }

    async fn unit_versions(&self, unit_id: i64) -> ServiceResult<Vec<UnitVersion>> {
        let rows: Vec<VersionRow> = sqlx::query_as(rules::VERSIONS_OF)
            .bind(unit_id)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        if rows.is_empty() {
            self.unit_exists(unit_id).await?;
        }
        rows.into_iter().map(rules::version).collect()
    }

    async fn units_on(&self, on: Date) -> ServiceResult<Vec<UnitVersion>> {
        let rows: Vec<VersionRow> = sqlx::query_as(rules::UNITS_ON)
            .bind(day_text(on))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.into_iter().map(rules::version).collect()
    }

    async fn subtree_ids_on(&self, root: i64, on: Date) -> ServiceResult<Vec<i64>> {
        sqlx::query_scalar(rules::SUBTREE_ON)
            .bind(root)
            .bind(day_text(on))
            .fetch_all(&self.reader)
            .await
            .map_err(db)
    }

    async fn successions_of(&self, unit_id: i64) -> ServiceResult<Vec<Succession>> {
        let rows: Vec<SuccessionRow> = sqlx::query_as(rules::SUCCESSIONS_OF)
            .bind(unit_id)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        if rows.is_empty() {
            self.unit_exists(unit_id).await?;
        }
        rows.into_iter().map(rules::succession).collect()
    }
}
