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
use crate::store::{
    ApiToken, AttemptRule, AuditContext, Backoff, Reservation, SessionRecord, Store, User,
};

/// How long a browser session lasts without signing in again (a working day
/// and a half, so a desk officer is not logged out mid-shift).
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// The longest password looked at, in bytes: argon2 hashes any length, and
/// nothing longer is needed, so a megabyte "password" costs nothing.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// How often a token's last use is written at most: the request path reads
/// the token on every call but writes its use once a minute.
pub const TOKEN_USE_RESOLUTION: SignedDuration = SignedDuration::from_mins(1);

/// How sign-in attempts are throttled, counted in the database (shared by
/// all nodes). An attempt is reserved under three keys before the password
/// is checked: the account with the address (a hard limit, so one address
/// guessing at one account is held), the address (a hard limit, so one
/// address spraying many accounts is held) and the account alone (a
/// backoff, not a lock, so that failures from elsewhere slow guessing at the
/// account down without shutting its owner out for the whole window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInLimits {
    /// The window in which attempts are counted.
    pub window: SignedDuration,
    /// Failed attempts per account and address within the window.
    pub per_pair: u32,
    /// Failed attempts per address within the window.
    pub per_address: u32,
    /// Failed attempts per account, from any address, before each further
    /// attempt for it waits.
    pub account_free: u32,
    /// The first wait, doubling with each further attempt…
    pub backoff_base: SignedDuration,
    /// …up to this.
    pub backoff_cap: SignedDuration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            window: SignedDuration::from_mins(15),
            per_pair: 5,
            per_address: 20,
            account_free: 10,
            backoff_base: SignedDuration::from_secs(2),
            backoff_cap: SignedDuration::from_mins(5),
        }
    }
}

impl SignInLimits {
    /// The rules an attempt for `name` from `address` is reserved under, in
    /// the one order every attempt takes its keys (pair, address, account),
    /// so two attempts never wait on each other's keys crosswise.
    pub fn rules(&self, name: &str, address: &str) -> [AttemptRule; 3] {
        [
            AttemptRule {
                key: pair_key(name, address),
                window: self.window,
                free: self.per_pair,
                backoff: None,
            },
            AttemptRule {
                key: address_key(address),
                window: self.window,
                free: self.per_address,
                backoff: None,
            },
            AttemptRule {
                key: account_key(name),
                window: self.window,
                free: self.account_free,
                backoff: Some(Backoff {
                    base: self.backoff_base,
                    cap: self.backoff_cap,
                }),
            },
        ]
    }
}

/// The throttling key of an account from an address.
pub fn pair_key(name: &str, address: &str) -> String {
    format!("pair:{name}@{address}")
}

/// The throttling key of an address.
pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// The throttling key of an account.
pub fn account_key(name: &str) -> String {
    format!("user:{name}")
}

/// How long API tokens last, in days: `default_days` when the request names
/// none, never more than `max_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime {
    /// Lifetime of a token made without asking for one.
    pub default_days: u32,
    /// The longest lifetime that may be asked for.
    pub max_days: u32,
}

impl Default for TokenLifetime {
    fn default() -> Self {
        Self {
            default_days: 90,
            max_days: 365,
        }
    }
}

/// Prefix of API token secrets, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "mct_";

/// A hash for unknown users, so a login for a name that does not exist costs
/// the same time as a wrong password (no probing for user names).
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Bv1bWf2pHn0E0b8qVvYb3cU7b0P3CqkqkzN6Jb4tDk";

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

/// Checks a user name and password, with throttling per account and
/// address, per address and per account ([`SignInLimits`]). The attempt is
/// reserved before the password is checked, so no more than the limits are
/// ever checked, however many arrive at once. Unknown users, wrong passwords
/// and disabled accounts get the same answer. A name that cannot be a user
/// name or an overlong password is refused before anything is written.
pub async fn login(
    store: &dyn Store,
    now: Timestamp,
    username: &str,
    password: &str,
    address: &str,
    limits: &SignInLimits,
) -> ServiceResult<SignedIn> {
    let name = crate::users::parse_username(username)?;
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::invalid(
            "password",
            format!("at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    // The web layer hands over a parsed IP address; anything else is one key.
    let address = if address.len() <= 45 {
        address
    } else {
        "unknown"
    };
    let rules = limits.rules(&name, address);
    if let Reservation::Refused { retry_after } = store.reserve_login_attempt(&rules, now).await? {
        return Err(ServiceError::RateLimited {
            retry_after_secs: whole_seconds(retry_after),
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
        actor: name.clone(),
        at: now,
    };
    let user = match user {
        Some(u) if matches && u.active => u,
        _ => {
            // The reservation stays: it counts as the failure.
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
    let [pair, by_address, by_account] = rules.map(|r| r.key);
    store
        .release_login_attempt(&[by_address, by_account], &[pair])
        .await?;
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

/// Seconds to wait, rounded up (a client retrying on the second would be early).
pub(crate) fn whole_seconds(d: SignedDuration) -> u64 {
    u64::try_from((d.as_millis().max(0) + 999) / 1000).unwrap_or(u64::MAX)
}

/// The actor behind a session cookie, if the session exists and has not expired.
pub(crate) async fn session_actor(
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

/// The actor behind an API token (`Authorization: Bearer mct_…`), if the
/// token exists, is neither revoked nor expired at `now`, and its owner is
/// active. The token's last use is recorded at most once a
/// [`TOKEN_USE_RESOLUTION`]; a failure to record it does not refuse the call.
pub(crate) async fn token_actor(
    store: &dyn Store,
    now: Timestamp,
    token: &str,
) -> ServiceResult<Option<Actor>> {
    let Some((t, user)) = store
        .api_token_user(&secret_hash(token.trim()), now)
        .await?
    else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    if t.last_used_at
        .is_none_or(|at| now.duration_since(at) > TOKEN_USE_RESOLUTION)
        && let Err(e) = store.touch_api_token(t.id, now, TOKEN_USE_RESOLUTION).await
    {
        tracing::warn!(token = t.id, error = %e, "could not record a token's use");
    }
    Ok(Some(Actor::load(store, user.id, &user.username).await?))
}

/// Creates an API token for the actor; the secret is returned once.
pub async fn create_token(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    name: &str,
    days: Option<u32>,
    lifetime: &TokenLifetime,
) -> ServiceResult<(String, ApiToken)> {
    let name = name.trim();
    let days = days.unwrap_or(lifetime.default_days);
    if days == 0 || days > lifetime.max_days {
        return Err(ServiceError::invalid(
            "expires_in_days",
            format!("a token lasts 1 to {} days", lifetime.max_days),
        ));
    }
    let expires_at = now + SignedDuration::from_hours(24 * i64::from(days));
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
            expires_at,
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

/// Sets a password (administrator reset or change); the store ends the
/// user's sessions and revokes their API tokens with it.
pub(crate) async fn set_password(
    store: &dyn Store,
    ctx: &AuditContext,
    user_id: i64,
    new: &str,
) -> ServiceResult<()> {
    let pw = new.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hash: {e}")))??;
    store.set_password_hash(ctx, user_id, &hash).await
}

impl crate::services::Auth<'_> {
    /// Checks a user name and password, with throttling per account and
    /// address, per address and per account ([`SignInLimits`]). The attempt is
    /// reserved before the password is checked, so no more than the limits are
    /// ever checked, however many arrive at once. Unknown users, wrong passwords
    /// and disabled accounts get the same answer. A name that cannot be a user
    /// name or an overlong password is refused before anything is written.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
        limits: &SignInLimits,
    ) -> ServiceResult<SignedIn> {
        self::login(
            self.store(),
            self.services().sign_in_now(),
            username,
            password,
            address,
            limits,
        )
        .await
    }

    /// The actor behind a session cookie, if the session exists and has not expired.
    pub async fn session_actor(
        &self,
        secret: &str,
    ) -> ServiceResult<Option<(Actor, SessionRecord)>> {
        self::session_actor(self.store(), self.services().sign_in_now(), secret).await
    }

    /// Ends a session.
    pub async fn logout(&self, secret: &str) -> ServiceResult<()> {
        self::logout(self.store(), secret).await
    }

    /// The actor behind an API token (`Authorization: Bearer mct_…`), if the
    /// token exists, is neither revoked nor expired at `now`, and its owner is
    /// active. The token's last use is recorded at most once a
    /// [`TOKEN_USE_RESOLUTION`]; a failure to record it does not refuse the call.
    pub async fn token_actor(&self, token: &str) -> ServiceResult<Option<Actor>> {
        self::token_actor(self.store(), self.services().sign_in_now(), token).await
    }

    /// Creates an API token for the actor; the secret is returned once.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        days: Option<u32>,
        lifetime: &TokenLifetime,
    ) -> ServiceResult<(String, ApiToken)> {
        self::create_token(
            self.store(),
            actor,
            self.services().sign_in_now(),
            name,
            days,
            lifetime,
        )
        .await
    }

    /// Revokes one of the actor's tokens (system administrators may revoke any).
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> ServiceResult<ApiToken> {
        self::revoke_token(self.store(), actor, self.services().sign_in_now(), id).await
    }

    /// Changes the actor's own password after checking the current one; other
    /// sessions of the user end.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> ServiceResult<()> {
        self::change_password(
            self.store(),
            actor,
            self.services().sign_in_now(),
            current,
            new,
        )
        .await
    }
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
