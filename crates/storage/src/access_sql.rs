//! Sign-in state both databases store the same way: sessions, failed logins
//! and API tokens (the SQL, the rows and their conversions), and the user
//! queries added with them. Only hashes of secrets are stored.

use jiff::Timestamp;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{ApiToken, SessionRecord};

use crate::convert::{instant, millis};
use crate::error::Broken;

/// How long failed logins are kept: far longer than any window they are
/// counted over, short enough that a flood of failures cannot grow the table
/// without bound. Older rows are pruned whenever a failure is recorded.
pub(crate) const LOGIN_FAILURE_RETENTION_MS: i64 = 24 * 60 * 60 * 1000;

pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions \
     (id_hash, user_id, csrf_token, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)";
/// A session with its user's columns (as [`USER_BY_ID`] lists them); a
/// session exists while its end is after the moment asked about.
pub(crate) const SESSION_USER: &str = "SELECT s.id_hash, s.user_id, s.csrf_token, \
     s.created_at_ms, s.expires_at_ms, u.id, u.username, u.full_name, u.email, \
     u.password_hash, u.active, u.created_at_ms FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id_hash = $1 AND s.expires_at_ms > $2";
pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";
pub(crate) const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";
/// Sessions whose end is not after `now` (the ones [`SESSION_USER`] no longer finds).
pub(crate) const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at_ms <= $1";

pub(crate) const INSERT_LOGIN_FAILURE: &str =
    "INSERT INTO login_failures (key, at_ms) VALUES ($1, $2)";
pub(crate) const PRUNE_LOGIN_FAILURES: &str = "DELETE FROM login_failures WHERE at_ms < $1";
pub(crate) const COUNT_LOGIN_FAILURES: &str =
    "SELECT count(*) FROM login_failures WHERE key = $1 AND at_ms >= $2";
pub(crate) const CLEAR_LOGIN_FAILURES: &str = "DELETE FROM login_failures WHERE key = $1";

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO api_tokens \
     (user_id, name, token_hash, created_at_ms) VALUES ($1, $2, $3, $4) RETURNING id";
pub(crate) const TOKEN_BY_HASH: &str = "SELECT id, user_id, name, token_hash, created_at_ms, \
     revoked_at_ms FROM api_tokens WHERE token_hash = $1";
pub(crate) const TOKEN_BY_ID: &str = "SELECT id, user_id, name, token_hash, created_at_ms, \
     revoked_at_ms FROM api_tokens WHERE id = $1";
pub(crate) const TOKENS_OF: &str = "SELECT id, user_id, name, token_hash, created_at_ms, \
     revoked_at_ms FROM api_tokens WHERE user_id = $1 ORDER BY created_at_ms DESC, id DESC";
/// Revokes every live token of a user (password reset).
pub(crate) const REVOKE_USER_TOKENS: &str = "UPDATE api_tokens SET revoked_at_ms = $2 \
     WHERE user_id = $1 AND revoked_at_ms IS NULL";
/// Revokes a live token only, so two concurrent revocations cannot both succeed.
pub(crate) const REVOKE_TOKEN: &str = "UPDATE api_tokens SET revoked_at_ms = $2 \
     WHERE id = $1 AND revoked_at_ms IS NULL";

pub(crate) const USER_BY_ID: &str = "SELECT id, username, full_name, email, \
     password_hash, active, created_at_ms FROM users WHERE id = $1";
pub(crate) const SET_USER_ACTIVE: &str =
    "UPDATE users SET active = $2 WHERE id = $1 RETURNING username";

/// `id_hash, user_id, csrf_token, created_at_ms, expires_at_ms`.
pub(crate) type SessionRow = (String, i64, String, i64, i64);

/// `id, user_id, name, token_hash, created_at_ms, revoked_at_ms`.
pub(crate) type TokenRow = (i64, i64, String, String, i64, Option<i64>);

pub(crate) fn session(r: SessionRow) -> ServiceResult<SessionRecord> {
    let (id_hash, user_id, csrf_token, created_at_ms, expires_at_ms) = r;
    Ok(SessionRecord {
        id_hash,
        user_id,
        csrf_token,
        created_at: instant(created_at_ms, "sessions.created_at_ms")?,
        expires_at: instant(expires_at_ms, "sessions.expires_at_ms")?,
    })
}

pub(crate) fn token(r: TokenRow) -> ServiceResult<ApiToken> {
    let (id, user_id, name, token_hash, created_at_ms, revoked_at_ms) = r;
    Ok(ApiToken {
        id,
        user_id,
        name,
        token_hash,
        created_at: instant(created_at_ms, "api_tokens.created_at_ms")?,
        revoked_at: revoked_at_ms
            .map(|ms| instant(ms, "api_tokens.revoked_at_ms"))
            .transpose()?,
    })
}

/// The moment before which failed logins are pruned when one is recorded at `at`.
pub(crate) fn failure_cutoff_ms(at: Timestamp) -> i64 {
    millis(at).saturating_sub(LOGIN_FAILURE_RETENTION_MS)
}

/// Counts read back as the port's `u32`.
pub(crate) fn failure_count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A session or token must name a real user and carry a hash.
pub(crate) fn check_hash(field: &'static str, hash: &str) -> ServiceResult<()> {
    if hash.trim().is_empty() {
        return Err(ServiceError::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// A token needs a name saying what it is for.
pub(crate) fn check_token_name(name: &str) -> ServiceResult<()> {
    if name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "name",
            "a token needs a name saying what it is for",
        ));
    }
    Ok(())
}

/// What a failed session insert means: an unknown user or a hash in use.
pub(crate) fn explain_session(b: &Broken, user_id: i64) -> Option<ServiceError> {
    match b {
        Broken::ForeignKey(_) => Some(ServiceError::not_found("user", user_id.to_string())),
        Broken::Unique(n) if n == "sessions_pkey" || n == "sessions.id_hash" => Some(
            ServiceError::Conflict("a session with this secret already exists".into()),
        ),
        _ => None,
    }
}

/// What a failed token insert means: a hash in use (the user was checked in
/// the same transaction).
pub(crate) fn explain_token(b: &Broken, user_id: i64) -> Option<ServiceError> {
    match b {
        Broken::Unique(n) if n == "api_tokens_token_hash_key" || n == "api_tokens.token_hash" => {
            Some(ServiceError::Conflict(
                "a token with this secret already exists".into(),
            ))
        }
        Broken::ForeignKey(_) => Some(ServiceError::not_found("user", user_id.to_string())),
        Broken::Check(n) if n == "api_tokens_name_check" => Some(ServiceError::invalid(
            "name",
            "a token needs a name saying what it is for",
        )),
        _ => None,
    }
}

/// Keyset paging: page size as bound, zero meaning an empty page.
pub(crate) fn page_limit(limit: u32) -> i64 {
    i64::from(limit)
}

/// Revoking a token twice: the second is refused, naming when the first was.
pub(crate) fn already_revoked(t: &ApiToken) -> ServiceError {
    let when = t
        .revoked_at
        .map_or_else(String::new, |at| format!(" at {at}"));
    ServiceError::Conflict(format!(
        "api token {} ({}) was already revoked{when}",
        t.id, t.name
    ))
}
