//! Port records and traits for sign-in: sessions, API tokens, login throttling.

use async_trait::async_trait;
use jiff::Timestamp;
use serde::Serialize;

use super::AuditContext;
use crate::error::ServiceResult;

/// A signed-in browser session. The cookie holds a random secret; only its
/// SHA-256 hash is stored, so a database leak does not hand out sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hex SHA-256 of the cookie secret.
    pub id_hash: String,
    /// The user.
    pub user_id: i64,
    /// The CSRF token forms of this session must echo.
    pub csrf_token: String,
    /// Created.
    pub created_at: Timestamp,
    /// Ends; a session past this moment does not exist.
    pub expires_at: Timestamp,
}

/// A token for machine clients (`Authorization: Bearer …`). Only the hash of
/// the secret is stored; the secret is shown once at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Database id.
    pub id: i64,
    /// Owner; the token acts with the owner's roles.
    pub user_id: i64,
    /// What the token is for, e.g. "đồng bộ Cổng DVCQG".
    pub name: String,
    /// Hex SHA-256 of the secret.
    #[serde(skip)]
    pub token_hash: String,
    /// Created.
    pub created_at: Timestamp,
    /// Revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// Sessions, API tokens and failed-login counts. Kept in the database so that
/// several nodes share them.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Stores a new session (not audited: a sign-in is audited by the caller
    /// through `append_audit`).
    async fn create_session(&self, s: &SessionRecord) -> ServiceResult<()>;
    /// The session with this hash if it has not expired at `now`, with its
    /// user, in one read: every signed-in request asks for both.
    async fn session_user(
        &self,
        id_hash: &str,
        now: Timestamp,
    ) -> ServiceResult<Option<(SessionRecord, crate::store::User)>>;
    /// [`session_user`](Self::session_user) without the user.
    async fn session(&self, id_hash: &str, now: Timestamp) -> ServiceResult<Option<SessionRecord>> {
        Ok(self.session_user(id_hash, now).await?.map(|(s, _)| s))
    }
    /// Ends a session (logout); absent is fine.
    async fn delete_session(&self, id_hash: &str) -> ServiceResult<()>;
    /// Ends every session of a user (password reset, deactivation).
    async fn delete_user_sessions(&self, user_id: i64) -> ServiceResult<u64>;
    /// Revokes every live API token of a user at `at` (password reset):
    /// a token must not outlive the password that made it. Returns how many.
    async fn revoke_user_tokens(&self, user_id: i64, at: Timestamp) -> ServiceResult<u64>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_expired_sessions(&self, now: Timestamp) -> ServiceResult<u64>;

    /// Records a failed login under a key (`user:<name>` or `ip:<address>`).
    async fn record_login_failure(&self, key: &str, at: Timestamp) -> ServiceResult<()>;
    /// Failed logins under a key since a moment.
    async fn login_failures_since(&self, key: &str, since: Timestamp) -> ServiceResult<u32>;
    /// Forgets a key's failures (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> ServiceResult<()>;

    /// Stores a new API token.
    async fn create_api_token(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> ServiceResult<ApiToken>;
    /// A token by its hash, revoked or not.
    async fn api_token_by_hash(&self, token_hash: &str) -> ServiceResult<Option<ApiToken>>;
    /// A user's tokens, newest first.
    async fn api_tokens_of(&self, user_id: i64) -> ServiceResult<Vec<ApiToken>>;
    /// Revokes a token, or `NotFound`; revoking twice is `Conflict`.
    async fn revoke_api_token(&self, ctx: &AuditContext, id: i64) -> ServiceResult<ApiToken>;
}
