//! Units of the organisation tree on PostgreSQL.

use async_trait::async_trait;
use motcua_domain::unit::UnitCode;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, NewUnit, Unit, UnitStore};

use super::{PgStore, append};
use crate::convert::{self, UnitRow};
use crate::error::{db, explain_unit_insert, map_db};
use crate::history_rules::{TreeTx, first_version};
use crate::{audit, sql};

#[async_trait]
impl UnitStore for PgStore {
    async fn insert_unit(&self, ctx: &AuditContext, unit: &NewUnit) -> ServiceResult<Unit> {
        let mut tx = self.begin_write().await?;
        super::history::lock_tree(&mut tx).await?;
        // The code must be free on every day the unit exists, also from
        // units that held it in an earlier version.
        if !tx
            .code_holders(unit.code.as_str(), -1, unit.valid_from, unit.valid_to)
            .await?
            .is_empty()
        {
            return Err(ServiceError::Conflict(format!(
                "a unit with code {} already exists",
                unit.code
            )));
        }
        let id: i64 = sqlx::query_scalar(sql::INSERT_UNIT)
            .bind(unit.code.as_str())
            .bind(&unit.name)
            .bind(unit.kind.as_str())
            .bind(unit.level.as_str())
            .bind(unit.parent_id)
            .bind(convert::day_text(unit.valid_from))
            .bind(unit.valid_to.map(convert::day_text))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_db(e, |b| explain_unit_insert(b, unit.code.as_str())))?;
        tx.insert_version(&first_version(id, unit)).await?;
        append(
            &mut tx,
            ctx,
            audit::UNIT_CREATE,
            &audit::unit_subject(unit.code.as_str()),
            &audit::unit_detail(id, unit),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(crate::unit_from_new(id, unit))
    }

    async fn unit_by_id(&self, id: i64) -> ServiceResult<Unit> {
        let row: Option<UnitRow> = sqlx::query_as(sql::UNIT_BY_ID)
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        convert::unit(row.ok_or_else(|| ServiceError::not_found("unit", id.to_string()))?)
    }

    async fn unit_by_code(&self, code: &UnitCode) -> ServiceResult<Unit> {
        let row: Option<UnitRow> = sqlx::query_as(sql::UNIT_BY_CODE)
            .bind(code.as_str())
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        convert::unit(row.ok_or_else(|| ServiceError::not_found("unit", code.as_str()))?)
    }

    async fn list_units(&self) -> ServiceResult<Vec<Unit>> {
        let rows: Vec<UnitRow> = sqlx::query_as(sql::LIST_UNITS)
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        rows.into_iter().map(convert::unit).collect()
    }

    async fn subtree_ids(&self, root: i64) -> ServiceResult<Vec<i64>> {
        let ids: Vec<i64> = sqlx::query_scalar(sql::SUBTREE_IDS)
            .bind(root)
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        if ids.is_empty() {
            return Err(ServiceError::not_found("unit", root.to_string()));
        }
        Ok(ids)
    }
}
