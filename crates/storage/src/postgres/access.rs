//! Sessions, failed logins and API tokens on PostgreSQL, shared by every
//! node. Single-statement writes run on the pool as their own transaction;
//! the token changes, which are audited, run in a transaction with their entry
//! (a revocation updates only a live token, so two nodes revoking at once
//! cannot both succeed).

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AccessStore, ApiToken, AuditContext, SessionRecord};

use super::{PgStore, append};
use crate::access_sql::{self as q, SessionRow, TokenRow};
use crate::convert::{self, millis};
use crate::error::{db, map_db};
use crate::{audit, sql};

#[async_trait]
impl AccessStore for PgStore {
    async fn create_session(&self, s: &SessionRecord) -> ServiceResult<()> {
        q::check_hash("id_hash", &s.id_hash)?;
        sqlx::query(q::INSERT_SESSION)
            .bind(&s.id_hash)
            .bind(s.user_id)
            .bind(&s.csrf_token)
            .bind(millis(s.created_at))
            .bind(millis(s.expires_at))
            .execute(&self.pool)
            .await
            .map_err(|e| map_db(e, |b| q::explain_session(b, s.user_id)))?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, now: Timestamp) -> ServiceResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = sqlx::query_as(q::SESSION)
            .bind(id_hash)
            .bind(millis(now))
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        row.map(q::session).transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> ServiceResult<()> {
        sqlx::query(q::DELETE_SESSION)
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: i64) -> ServiceResult<u64> {
        Ok(sqlx::query(q::DELETE_USER_SESSIONS)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected())
    }

    async fn purge_expired_sessions(&self, now: Timestamp) -> ServiceResult<u64> {
        Ok(sqlx::query(q::PURGE_SESSIONS)
            .bind(millis(now))
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected())
    }

    async fn record_login_failure(&self, key: &str, at: Timestamp) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(q::PRUNE_LOGIN_FAILURES)
            .bind(q::failure_cutoff_ms(at))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(q::INSERT_LOGIN_FAILURE)
            .bind(key)
            .bind(millis(at))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn login_failures_since(&self, key: &str, since: Timestamp) -> ServiceResult<u32> {
        let n: i64 = sqlx::query_scalar(q::COUNT_LOGIN_FAILURES)
            .bind(key)
            .bind(millis(since))
            .fetch_one(self.reader())
            .await
            .map_err(db)?;
        Ok(q::failure_count(n))
    }

    async fn clear_login_failures(&self, key: &str) -> ServiceResult<()> {
        sqlx::query(q::CLEAR_LOGIN_FAILURES)
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_api_token(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> ServiceResult<ApiToken> {
        q::check_token_name(name)?;
        q::check_hash("token_hash", token_hash)?;
        let mut tx = self.begin_write().await?;
        let username: Option<String> = sqlx::query_scalar(sql::USERNAME)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let username =
            username.ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
        let id: i64 = sqlx::query_scalar(q::INSERT_TOKEN)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(millis(ctx.at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_db(e, |b| q::explain_token(b, user_id)))?;
        append(
            &mut tx,
            ctx,
            audit::TOKEN_CREATE,
            &audit::user_subject(&username),
            &audit::token_detail(id, name),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(ApiToken {
            id,
            user_id,
            name: name.to_owned(),
            token_hash: token_hash.to_owned(),
            created_at: convert::stored_instant(ctx.at),
            revoked_at: None,
        })
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> ServiceResult<Option<ApiToken>> {
        let row: Option<TokenRow> = sqlx::query_as(q::TOKEN_BY_HASH)
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        row.map(q::token).transpose()
    }

    async fn api_tokens_of(&self, user_id: i64) -> ServiceResult<Vec<ApiToken>> {
        let rows: Vec<TokenRow> = sqlx::query_as(q::TOKENS_OF)
            .bind(user_id)
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        rows.into_iter().map(q::token).collect()
    }

    async fn revoke_api_token(&self, ctx: &AuditContext, id: i64) -> ServiceResult<ApiToken> {
        let mut tx = self.begin_write().await?;
        let revoked = sqlx::query(q::REVOKE_TOKEN)
            .bind(id)
            .bind(millis(ctx.at))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let row: Option<TokenRow> = sqlx::query_as(q::TOKEN_BY_ID)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let token =
            q::token(row.ok_or_else(|| ServiceError::not_found("api token", id.to_string()))?)?;
        if revoked == 0 {
            return Err(q::already_revoked(&token));
        }
        let username: Option<String> = sqlx::query_scalar(sql::USERNAME)
            .bind(token.user_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let username = username.unwrap_or_else(|| token.user_id.to_string());
        append(
            &mut tx,
            ctx,
            audit::TOKEN_REVOKE,
            &audit::user_subject(&username),
            &audit::token_detail(token.id, &token.name),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(token)
    }
}
