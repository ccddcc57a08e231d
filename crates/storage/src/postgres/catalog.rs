//! Temporary: being implemented.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::catalog::{ProcedureCode, ProcedureDraft};
use motcua_domain::search::SearchHit;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::*;

use super::PgStore;

fn pending() -> ServiceError {
    ServiceError::Internal("not implemented yet".into())
}

#[async_trait]
impl CatalogStore for PgStore {
    async fn insert_procedure(
        &self,
        _ctx: &AuditContext,
        _draft: &ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion> {
        Err(pending())
    }

    async fn add_procedure_version(
        &self,
        _ctx: &AuditContext,
        _draft: &ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion> {
        Err(pending())
    }

    async fn import_procedures(
        &self,
        _ctx: &AuditContext,
        _drafts: &[ProcedureDraft],
    ) -> ServiceResult<ImportOutcome> {
        Err(pending())
    }

    async fn procedure(
        &self,
        _code: &ProcedureCode,
        _on: Option<Date>,
    ) -> ServiceResult<ProcedureVersion> {
        Err(pending())
    }

    async fn procedure_versions(
        &self,
        _code: &ProcedureCode,
    ) -> ServiceResult<Vec<ProcedureVersion>> {
        Err(pending())
    }

    async fn list_procedures(
        &self,
        _filter: &ProcedureFilter,
        _page: &CodePage,
    ) -> ServiceResult<Vec<ProcedureVersion>> {
        Err(pending())
    }

    async fn search_procedures(
        &self,
        _query: &str,
        _filter: &ProcedureFilter,
        _limit: u32,
    ) -> ServiceResult<Vec<SearchHit>> {
        Err(pending())
    }

    async fn assign_procedure(
        &self,
        _ctx: &AuditContext,
        _code: &ProcedureCode,
        _unit_id: i64,
    ) -> ServiceResult<()> {
        Err(pending())
    }

    async fn unassign_procedure(
        &self,
        _ctx: &AuditContext,
        _code: &ProcedureCode,
        _unit_id: i64,
    ) -> ServiceResult<()> {
        Err(pending())
    }

    async fn procedure_units(&self, _code: &ProcedureCode) -> ServiceResult<Vec<i64>> {
        Err(pending())
    }

    async fn insert_process(&self, _ctx: &AuditContext, _p: &NewProcess) -> ServiceResult<Process> {
        Err(pending())
    }

    async fn processes(&self, _unit_ids: &[i64], _on: Date) -> ServiceResult<Vec<Process>> {
        Err(pending())
    }

    async fn insert_review(&self, _ctx: &AuditContext, _r: &NewReview) -> ServiceResult<Review> {
        Err(pending())
    }

    async fn reviews(&self, _unit_ids: &[i64], _year: Option<i16>) -> ServiceResult<Vec<Review>> {
        Err(pending())
    }

    async fn catalog_counts(
        &self,
        _unit_ids: &[i64],
        _on: Date,
    ) -> ServiceResult<Vec<LevelCounts>> {
        Err(pending())
    }
}
