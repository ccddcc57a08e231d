//! Sign-in state both databases store the same way: sessions, failed logins
//! and API tokens (the SQL, the rows and their conversions), and the user
//! queries added with them. Only hashes of secrets are stored.

use jiff::{SignedDuration, Timestamp};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{ApiToken, AttemptRule, SessionRecord};

use crate::conn::Sql;

use crate::convert::{instant, millis};
use crate::error::Broken;

/// How long attempt counters are kept after their window started: far
/// longer than any window they are counted over, short enough that a flood
/// of attempts under many keys cannot grow the table without bound. Older
/// rows are pruned whenever an attempt is reserved.
pub(crate) const ATTEMPT_RETENTION_MS: i64 = 24 * 60 * 60 * 1000;

pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions \
     (id_hash, user_id, csrf_token, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)";
/// A session with its user's columns (as [`USER_BY_ID`] lists them); a
/// session exists while its end is after the moment asked about, which the
/// caller checks. Not in the statement: every request binds another moment,
/// and with the statistics of `sessions_expires_at_ms_idx` SQLite re-plans a
/// statement whose bound value may change the plan, so the moment made
/// every request prepare this join again (7 % of a list page's CPU, seen
/// with callgrind).
pub(crate) const SESSION_USER: &str = "SELECT s.id_hash, s.user_id, s.csrf_token, \
     s.created_at_ms, s.expires_at_ms, u.id, u.username, u.full_name, u.email, \
     u.password_hash, u.active, u.created_at_ms FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id_hash = $1";
pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";
pub(crate) const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";
/// Sessions whose end is not after `now` (the ones [`SESSION_USER`] no longer finds).
pub(crate) const PURGE_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at_ms <= $1";

/// The new attempt count of a key whose window starts at `$3` or later
/// (`$3` is `now - window`): one after an ended window, else one more.
macro_rules! attempts_after {
    () => {
        "CASE WHEN login_attempts.window_start_ms < $3 THEN 1 \
         ELSE login_attempts.attempts + 1 END"
    };
}

/// The delay after the attempt being counted: none before the `$5`-th
/// attempt of a window, then `$6`, doubling up to `$7`.
macro_rules! delay_after {
    () => {
        concat!(
            "CASE WHEN ",
            attempts_after!(),
            " < $5 THEN 0 \
             WHEN login_attempts.window_start_ms < $3 OR login_attempts.delay_ms = 0 THEN $6 \
             WHEN login_attempts.delay_ms * 2 > $7 THEN $7 \
             ELSE login_attempts.delay_ms * 2 END"
        )
    };
}

/// Counts one attempt under key `$1` at `$2` if its rule allows: its window
/// (since `$3`) has ended, or it has had fewer than `$4` attempts and its
/// backoff (`not_before_ms`) has passed. A first attempt makes the row. The
/// update's guard is evaluated on the row as locked (PostgreSQL re-reads it
/// after a concurrent update; SQLite has one writer), so concurrent
/// attempts are counted one after the other and none passes a full key.
/// Returns the new count, or no row when refused.
pub(crate) const RESERVE_ATTEMPT: &str = concat!(
    "INSERT INTO login_attempts (key, window_start_ms, attempts, delay_ms, not_before_ms) \
     VALUES ($1, $2, 1, CASE WHEN 1 < $5 THEN 0 ELSE $6 END, \
     CASE WHEN 1 < $5 THEN 0 ELSE $2 + $6 END) \
     ON CONFLICT (key) DO UPDATE SET \
     window_start_ms = CASE WHEN login_attempts.window_start_ms < $3 THEN $2 \
     ELSE login_attempts.window_start_ms END, \
     attempts = ",
    attempts_after!(),
    ", delay_ms = ",
    delay_after!(),
    ", not_before_ms = CASE WHEN (",
    delay_after!(),
    ") = 0 THEN 0 ELSE $2 + (",
    delay_after!(),
    ") END \
     WHERE login_attempts.window_start_ms < $3 \
     OR (login_attempts.attempts < $4 AND login_attempts.not_before_ms <= $2) \
     RETURNING attempts"
);
/// A key's counter, to say when a refused attempt may come again.
pub(crate) const ATTEMPT_STATE: &str =
    "SELECT window_start_ms, attempts, not_before_ms FROM login_attempts WHERE key = $1";
/// Gives back one attempt of a key.
pub(crate) const RELEASE_ATTEMPT: &str =
    "UPDATE login_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0";
/// Forgets a key.
pub(crate) const CLEAR_ATTEMPTS: &str = "DELETE FROM login_attempts WHERE key = $1";
/// Removes up to 100 counters whose window started before `$1` and whose
/// backoff has passed at `$2` (they count as absent anyway).
pub(crate) const PRUNE_ATTEMPTS_SQLITE: &str = "DELETE FROM login_attempts WHERE key IN \
     (SELECT key FROM login_attempts WHERE window_start_ms < $1 AND not_before_ms < $2 LIMIT 100)";
/// [`PRUNE_ATTEMPTS_SQLITE`] on PostgreSQL, passing over rows another
/// attempt holds, so the prune never waits on (or deadlocks with) a sign-in.
pub(crate) const PRUNE_ATTEMPTS_POSTGRES: &str = "DELETE FROM login_attempts WHERE key IN \
     (SELECT key FROM login_attempts WHERE window_start_ms < $1 AND not_before_ms < $2 \
     LIMIT 100 FOR UPDATE SKIP LOCKED)";
/// The longest key stored (the table checks it too).
pub(crate) const MAX_ATTEMPT_KEY_BYTES: usize = 200;

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO api_tokens \
     (user_id, name, token_hash, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5) \
     RETURNING id";
pub(crate) const TOKEN_BY_HASH: &str = "SELECT id, user_id, name, token_hash, created_at_ms, \
     expires_at_ms, last_used_at_ms, revoked_at_ms FROM api_tokens WHERE token_hash = $1";
pub(crate) const TOKEN_BY_ID: &str = "SELECT id, user_id, name, token_hash, created_at_ms, \
     expires_at_ms, last_used_at_ms, revoked_at_ms FROM api_tokens WHERE id = $1";
pub(crate) const TOKENS_OF: &str = "SELECT id, user_id, name, token_hash, created_at_ms, \
     expires_at_ms, last_used_at_ms, revoked_at_ms FROM api_tokens WHERE user_id = $1 \
     ORDER BY created_at_ms DESC, id DESC";
/// A live token (not revoked, ending after `$2`) with its owner's columns
/// (as [`USER_BY_ID`] lists them).
pub(crate) const TOKEN_USER: &str = "SELECT t.id, t.user_id, t.name, t.token_hash, \
     t.created_at_ms, t.expires_at_ms, t.last_used_at_ms, t.revoked_at_ms, u.id, u.username, \
     u.full_name, u.email, u.password_hash, u.active, u.created_at_ms \
     FROM api_tokens t JOIN users u ON u.id = t.user_id \
     WHERE t.token_hash = $1 AND t.revoked_at_ms IS NULL";
/// Records a use at `$2` unless one at `$3` or later is recorded.
pub(crate) const TOUCH_TOKEN: &str = "UPDATE api_tokens SET last_used_at_ms = $2 \
     WHERE id = $1 AND (last_used_at_ms IS NULL OR last_used_at_ms < $3)";
/// Revokes every live token of a user (their password changed).
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

/// `id, user_id, name, token_hash, created_at_ms, expires_at_ms,
/// last_used_at_ms, revoked_at_ms`.
pub(crate) type TokenRow = (i64, i64, String, String, i64, i64, Option<i64>, Option<i64>);

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
    let (
        id,
        user_id,
        name,
        token_hash,
        created_at_ms,
        expires_at_ms,
        last_used_at_ms,
        revoked_at_ms,
    ) = r;
    Ok(ApiToken {
        id,
        user_id,
        name,
        token_hash,
        created_at: instant(created_at_ms, "api_tokens.created_at_ms")?,
        expires_at: instant(expires_at_ms, "api_tokens.expires_at_ms")?,
        last_used_at: last_used_at_ms
            .map(|ms| instant(ms, "api_tokens.last_used_at_ms"))
            .transpose()?,
        revoked_at: revoked_at_ms
            .map(|ms| instant(ms, "api_tokens.revoked_at_ms"))
            .transpose()?,
    })
}

/// The moment before which attempt counters are pruned when one is reserved at `at`.
pub(crate) fn attempt_cutoff_ms(at: Timestamp) -> i64 {
    millis(at).saturating_sub(ATTEMPT_RETENTION_MS)
}

/// Milliseconds of a duration, saturating (rules hold minutes, not ages).
fn ms(d: SignedDuration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// [`RESERVE_ATTEMPT`] for a rule at `at` (Unix ms). A rule without a
/// backoff has a hard limit and never waits; a rule with one has no limit
/// and waits after its free attempts.
pub(crate) fn reserve(r: &AttemptRule, at: i64) -> Sql {
    let free = i64::from(r.free);
    let (limit, threshold, base, cap) = match r.backoff {
        None => (free, i64::MAX, 0, 0),
        Some(b) => (i64::MAX, free, ms(b.base).max(1), ms(b.cap).max(1)),
    };
    Sql::new(RESERVE_ATTEMPT)
        .text(r.key.clone())
        .int(at)
        .int(at.saturating_sub(ms(r.window)))
        .int(limit)
        .int(threshold)
        .int(base)
        .int(cap)
}

/// How long until a refused rule may grant again, from its counter
/// (`window_start_ms, attempts, not_before_ms`): the end of its window for a
/// hard limit, the end of its backoff otherwise; at least a second.
pub(crate) fn retry_after(
    r: &AttemptRule,
    state: Option<(i64, i64, i64)>,
    at: i64,
) -> SignedDuration {
    let until = match (state, r.backoff) {
        (Some((start, _, _)), None) => start.saturating_add(ms(r.window)),
        (Some((_, _, not_before)), Some(_)) => not_before,
        (None, _) => at,
    };
    SignedDuration::from_millis(until.saturating_sub(at)).max(SignedDuration::from_secs(1))
}

/// A throttling key is short by construction; a long one is refused
/// before anything is written.
pub(crate) fn check_attempt_key(key: &str) -> ServiceResult<()> {
    if key.is_empty() || key.len() > MAX_ATTEMPT_KEY_BYTES {
        return Err(ServiceError::invalid(
            "key",
            format!("a throttling key has 1 to {MAX_ATTEMPT_KEY_BYTES} bytes"),
        ));
    }
    Ok(())
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
