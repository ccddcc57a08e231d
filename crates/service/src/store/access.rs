//! Port records and traits for sign-in: sessions, API tokens, login throttling.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
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
    /// Ends: from this moment on the token signs nothing.
    pub expires_at: Timestamp,
    /// When it last signed a request (kept to the minute: written at most
    /// once a minute per token).
    pub last_used_at: Option<Timestamp>,
    /// Revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// One rule of sign-in throttling: how many attempts a key may have in a
/// window, and what happens after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRule {
    /// What is counted: `pair:<name>@<address>`, `ip:<address>` or
    /// `user:<name>` (at most 200 bytes; never raw input of unbounded size).
    pub key: String,
    /// A key's count starts again when this long has passed since the first
    /// attempt of its window.
    pub window: SignedDuration,
    /// Attempts allowed in a window without waiting.
    pub free: u32,
    /// After the free attempts: `None` refuses every further attempt until
    /// the window ends; a backoff lets each further attempt through once a
    /// delay has passed since the previous one.
    pub backoff: Option<Backoff>,
}

/// A delay between attempts that doubles with each attempt, from `base`
/// after the last free one up to `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay.
    pub base: SignedDuration,
    /// The longest delay.
    pub cap: SignedDuration,
}

/// The answer to a reservation of a sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted under every key; the password may be checked.
    Granted,
    /// A rule refused it; nothing was counted.
    Refused {
        /// When an attempt may be granted again, from now.
        retry_after: SignedDuration,
    },
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
    /// Removes sessions that expired before `now`; returns how many.
    async fn purge_expired_sessions(&self, now: Timestamp) -> ServiceResult<u64>;

    /// Counts one sign-in attempt under every rule's key, all or none, if
    /// every rule allows it at `now`: each key's counter is taken and raised
    /// by one guarded statement, so concurrent attempts (on any node) never
    /// pass more than the rules allow. Called before the password is
    /// checked; a refused attempt changes nothing.
    async fn reserve_login_attempt(
        &self,
        rules: &[AttemptRule],
        now: Timestamp,
    ) -> ServiceResult<Reservation>;
    /// Gives back the attempt a successful sign-in reserved: the `release`
    /// keys count one attempt less, the `clear` keys are forgotten.
    async fn release_login_attempt(
        &self,
        release: &[String],
        clear: &[String],
    ) -> ServiceResult<()>;

    /// Stores a new API token ending at `expires_at`.
    async fn create_api_token(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> ServiceResult<ApiToken>;
    /// A token by its hash, revoked or not.
    async fn api_token_by_hash(&self, token_hash: &str) -> ServiceResult<Option<ApiToken>>;
    /// The token with this hash if it is live at `now` (not revoked, not
    /// expired), with its owner, in one read: every token request asks.
    async fn api_token_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> ServiceResult<Option<(ApiToken, crate::store::User)>>;
    /// Records that a token signed a request at `now`, unless its last use
    /// was recorded less than `every` before; answers whether it wrote. Not
    /// audited.
    async fn touch_api_token(
        &self,
        id: i64,
        now: Timestamp,
        every: SignedDuration,
    ) -> ServiceResult<bool>;
    /// A user's tokens, newest first.
    async fn api_tokens_of(&self, user_id: i64) -> ServiceResult<Vec<ApiToken>>;
    /// Revokes a token, or `NotFound`; revoking twice is `Conflict`.
    async fn revoke_api_token(&self, ctx: &AuditContext, id: i64) -> ServiceResult<ApiToken>;
}
