//! Signing in: password logins with throttling, browser sessions, API tokens.
//!
//! Secrets (session cookies, API tokens) are 32 random bytes shown once; the
//! database keeps only their SHA-256 hashes, so a copy of the database cannot
//! be used to act as anyone.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::passwords::{hash_password, verify_password};
use crate::store::{ApiToken, AuditContext, SessionRecord, Store, User};

/// How long a browser session lasts without signing in again (a working day
/// and a half, so a desk officer is not logged out mid-shift).
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// The window in which failed logins are counted.
pub const FAILURE_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Failed logins per account within the window before the account is held.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failed logins per network address within the window before it is held.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// Prefix of API token secrets, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "mct_";

/// A hash for unknown users, so a login for a name that does not exist costs
/// the same time as a wrong password (no probing for user names).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Bv1bWf2pHn0E0b8qVvYb3cU7b0P3CqkqkzN6Jb4tDk";

/// A new random secret as lower-case hex.
pub fn new_secret() -> ServiceResult<String> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

/// The stored form of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A successful sign-in: the cookie secret (shown once) and the session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Goes into the session cookie; never stored.
    pub secret: String,
    /// The stored session (hash, CSRF token, expiry).
    pub session: SessionRecord,
    /// The user.
    pub user: User,
}

/// Checks a user name and password, with throttling per account and per
/// address counted in the database (shared by all nodes). Unknown users,
/// wrong passwords and disabled accounts get the same answer.
pub async fn login(
    store: &dyn Store,
    now: Timestamp,
    username: &str,
    password: &str,
    address: &str,
) -> ServiceResult<SignedIn> {
    let name = username.trim().to_ascii_lowercase();
    let since = now - FAILURE_WINDOW;
    let user_key = format!("user:{name}");
    let addr_key = format!("ip:{address}");
    if store.login_failures_since(&user_key, since).await? >= MAX_FAILURES_PER_ACCOUNT
        || store.login_failures_since(&addr_key, since).await? >= MAX_FAILURES_PER_ADDRESS
    {
        return Err(ServiceError::RateLimited {
            retry_after_secs: FAILURE_WINDOW.as_secs().unsigned_abs(),
        });
    }
    let user = match store.user_by_username(&name).await {
        Ok(u) => Some(u),
        Err(ServiceError::NotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    let hash = user
        .as_ref()
        .map_or(DUMMY_HASH, |u| u.password_hash.as_str())
        .to_owned();
    let pw = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| ServiceError::Internal(format!("password check: {e}")))?;
    let ctx = AuditContext {
        actor: if name.is_empty() {
            "anonymous".to_owned()
        } else {
            name.clone()
        },
        at: now,
    };
    let user = match user {
        Some(u) if matches && u.active => u,
        _ => {
            store.record_login_failure(&user_key, now).await?;
            store.record_login_failure(&addr_key, now).await?;
            store
                .append_audit(
                    &ctx,
                    "auth.login_failed",
                    &format!("user:{name}"),
                    &json!({ "address": address }),
                )
                .await?;
            return Err(ServiceError::Unauthenticated(
                "wrong user name or password".into(),
            ));
        }
    };
    store.clear_login_failures(&user_key).await?;
    let secret = new_secret()?;
    let session = SessionRecord {
        id_hash: secret_hash(&secret),
        user_id: user.id,
        csrf_token: new_secret()?,
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
    };
    store.create_session(&session).await?;
    store
        .append_audit(
            &ctx,
            "auth.login",
            &format!("user:{name}"),
            &json!({ "address": address }),
        )
        .await?;
    Ok(SignedIn {
        secret,
        session,
        user,
    })
}

/// The actor behind a session cookie, if the session exists and has not expired.
pub async fn session_actor(
    store: &dyn Store,
    now: Timestamp,
    secret: &str,
) -> ServiceResult<Option<(Actor, SessionRecord)>> {
    let Some((session, user)) = store.session_user(&secret_hash(secret), now).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    let actor = Actor::load(store, user.id, &user.username).await?;
    Ok(Some((actor, session)))
}

/// Ends a session.
pub async fn logout(store: &dyn Store, secret: &str) -> ServiceResult<()> {
    store.delete_session(&secret_hash(secret)).await
}

/// The actor behind an API token (`Authorization: Bearer mct_…`), if the token
/// exists, is not revoked and its owner is active.
pub async fn token_actor(store: &dyn Store, token: &str) -> ServiceResult<Option<Actor>> {
    let Some(t) = store.api_token_by_hash(&secret_hash(token.trim())).await? else {
        return Ok(None);
    };
    if t.revoked_at.is_some() {
        return Ok(None);
    }
    let user = store.user_by_id(t.user_id).await?;
    if !user.active {
        return Ok(None);
    }
    Ok(Some(Actor::load(store, user.id, &user.username).await?))
}

/// Creates an API token for the actor; the secret is returned once.
pub async fn create_token(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    name: &str,
) -> ServiceResult<(String, ApiToken)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::invalid(
            "name",
            "give the token a name of 1 to 100 characters",
        ));
    }
    if actor.is_system() {
        return Err(ServiceError::invalid("user", "tokens belong to a user"));
    }
    let secret = format!("{TOKEN_PREFIX}{}", new_secret()?);
    let token = store
        .create_api_token(
            &actor.context(now),
            actor.user_id,
            name,
            &secret_hash(&secret),
        )
        .await?;
    Ok((secret, token))
}

/// Revokes one of the actor's tokens (system administrators may revoke any).
pub async fn revoke_token(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    id: i64,
) -> ServiceResult<ApiToken> {
    if !actor.holds(motcua_domain::role::Role::SystemAdmin) {
        let mine = store.api_tokens_of(actor.user_id).await?;
        if !mine.iter().any(|t| t.id == id) {
            return Err(ServiceError::not_found("token", id.to_string()));
        }
    }
    store.revoke_api_token(&actor.context(now), id).await
}

/// Changes the actor's own password after checking the current one; other
/// sessions of the user end.
pub async fn change_password(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    current: &str,
    new: &str,
) -> ServiceResult<()> {
    let user = store.user_by_id(actor.user_id).await?;
    let hash = user.password_hash.clone();
    let cur = current.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&cur, &hash))
        .await
        .map_err(|e| ServiceError::Internal(format!("password check: {e}")))?;
    if !ok {
        return Err(ServiceError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    }
    set_password(store, &actor.context(now), user.id, new).await
}

/// Sets a password (administrator reset or change) and ends the user's sessions.
pub async fn set_password(
    store: &dyn Store,
    ctx: &AuditContext,
    user_id: i64,
    new: &str,
) -> ServiceResult<()> {
    let pw = new.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hash: {e}")))??;
    store.set_password_hash(ctx, user_id, &hash).await?;
    store.delete_user_sessions(user_id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_only_their_hash_is_kept() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        let h = secret_hash(&a);
        assert_eq!(h.len(), 64);
        assert_ne!(h, a);
        assert_eq!(h, secret_hash(&a));
    }

    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_string_that_matches_nothing_typed() {
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("", DUMMY_HASH));
        assert!(!verify_password("motcua-demo", DUMMY_HASH));
    }
}
