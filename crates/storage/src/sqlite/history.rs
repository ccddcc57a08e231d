//! Temporary: being implemented.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::catalog::{ProcedureCode, ProcedureDraft};
use motcua_domain::search::SearchHit;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::*;

use super::SqliteStore;

fn pending() -> ServiceError {
    ServiceError::Internal("not implemented yet".into())
}

#[async_trait]
impl UnitHistoryStore for SqliteStore {
    async fn apply_unit_change(
        &self,
        _ctx: &AuditContext,
        _change: &UnitChange,
    ) -> ServiceResult<Vec<Unit>> {
        Err(pending())
    }

    async fn unit_versions(&self, _unit_id: i64) -> ServiceResult<Vec<UnitVersion>> {
        Err(pending())
    }

    async fn units_on(&self, _on: Date) -> ServiceResult<Vec<UnitVersion>> {
        Err(pending())
    }

    async fn subtree_ids_on(&self, _root: i64, _on: Date) -> ServiceResult<Vec<i64>> {
        Err(pending())
    }

    async fn successions_of(&self, _unit_id: i64) -> ServiceResult<Vec<Succession>> {
        Err(pending())
    }
}
