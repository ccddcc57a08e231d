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
impl AccessStore for SqliteStore {
    async fn create_session(&self, _s: &SessionRecord) -> ServiceResult<()> {
        Err(pending())
    }

    async fn session(
        &self,
        _id_hash: &str,
        _now: Timestamp,
    ) -> ServiceResult<Option<SessionRecord>> {
        Err(pending())
    }

    async fn delete_session(&self, _id_hash: &str) -> ServiceResult<()> {
        Err(pending())
    }

    async fn delete_user_sessions(&self, _user_id: i64) -> ServiceResult<u64> {
        Err(pending())
    }

    async fn purge_expired_sessions(&self, _now: Timestamp) -> ServiceResult<u64> {
        Err(pending())
    }

    async fn record_login_failure(&self, _key: &str, _at: Timestamp) -> ServiceResult<()> {
        Err(pending())
    }

    async fn login_failures_since(&self, _key: &str, _since: Timestamp) -> ServiceResult<u32> {
        Err(pending())
    }

    async fn clear_login_failures(&self, _key: &str) -> ServiceResult<()> {
        Err(pending())
    }

    async fn create_api_token(
        &self,
        _ctx: &AuditContext,
        _user_id: i64,
        _name: &str,
        _token_hash: &str,
    ) -> ServiceResult<ApiToken> {
        Err(pending())
    }

    async fn api_token_by_hash(&self, _token_hash: &str) -> ServiceResult<Option<ApiToken>> {
        Err(pending())
    }

    async fn api_tokens_of(&self, _user_id: i64) -> ServiceResult<Vec<ApiToken>> {
        Err(pending())
    }

    async fn revoke_api_token(&self, _ctx: &AuditContext, _id: i64) -> ServiceResult<ApiToken> {
        Err(pending())
    }
}
