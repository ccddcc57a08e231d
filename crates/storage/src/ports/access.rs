//! Sessions, failed logins and API tokens, the same on both databases.
//! Single-statement writes run on a write connection as their own
//! transaction; the token changes, which are audited, run in a write
//! transaction with their entry (a revocation updates only a live token, so
//! two revoking at once cannot both succeed).

use jiff::{SignedDuration, Timestamp};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    ApiToken, AttemptRule, AuditContext, Reservation, SessionRecord, User,
};

use super::units::username;
use crate::access_sql::{self as q, TokenRow};
use crate::audit;
use crate::conn::{Backend, Conn, Dialect, Sql, commit};
use crate::convert::{self, millis};
use crate::error::{db, map_db};

/// Runs one write statement as its own transaction.
async fn write<B: Backend>(b: &B, q: Sql) -> ServiceResult<u64> {
    b.write().await?.execute(q).await.map_err(db)
}

pub(crate) async fn create_session<B: Backend>(b: &B, s: &SessionRecord) -> ServiceResult<()> {
    q::check_hash("id_hash", &s.id_hash)?;
    b.write()
        .await?
        .execute(
            Sql::new(q::INSERT_SESSION)
                .text(s.id_hash.clone())
                .int(s.user_id)
                .text(s.csrf_token.clone())
                .int(millis(s.created_at))
                .int(millis(s.expires_at)),
        )
        .await
        .map_err(|e| map_db(e, |b| q::explain_session(b, s.user_id)))?;
    Ok(())
}

/// A session row followed by its user's row.
type SessionUserRow = (
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    bool,
    i64,
);

pub(crate) async fn session_user<B: Backend>(
    b: &B,
    id_hash: &str,
    now: Timestamp,
) -> ServiceResult<Option<(SessionRecord, User)>> {
    let row: Option<SessionUserRow> = b
        .read()
        .await?
        .optional(Sql::new(q::SESSION_USER).text(id_hash))
        .await
        .map_err(db)?;
    // The end is compared here, not bound in the statement (see SESSION_USER).
    let row = row.filter(|r| r.4 > millis(now));
    row.map(
        |(h, uid, csrf, created, expires, id, name, full, email, hash, active, at)| {
            Ok((
                q::session((h, uid, csrf, created, expires))?,
                convert::user((id, name, full, email, hash, active, at))?,
            ))
        },
    )
    .transpose()
}

pub(crate) async fn delete_session<B: Backend>(b: &B, id_hash: &str) -> ServiceResult<()> {
    write(b, Sql::new(q::DELETE_SESSION).text(id_hash)).await?;
    Ok(())
}

pub(crate) async fn delete_user_sessions<B: Backend>(b: &B, user_id: i64) -> ServiceResult<u64> {
    write(b, Sql::new(q::DELETE_USER_SESSIONS).int(user_id)).await
}

pub(crate) async fn purge_expired_sessions<B: Backend>(
    b: &B,
    now: Timestamp,
) -> ServiceResult<u64> {
    write(b, Sql::new(q::PURGE_SESSIONS).int(millis(now))).await
}

pub(crate) async fn reserve_login_attempt<B: Backend>(
    b: &B,
    rules: &[AttemptRule],
    now: Timestamp,
) -> ServiceResult<Reservation> {
    for r in rules {
        q::check_attempt_key(&r.key)?;
    }
    let at = millis(now);
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    for r in rules {
        let granted: Option<(i64,)> = c.optional(q::reserve(r, at)).await.map_err(db)?;
        if granted.is_none() {
            let state: Option<(i64, i64, i64)> = c
                .optional(Sql::new(q::ATTEMPT_STATE).text(r.key.clone()))
                .await
                .map_err(db)?;
            // Dropping the transaction rolls back the keys counted before.
            return Ok(Reservation::Refused {
                retry_after: q::retry_after(r, state, at),
            });
        }
    }
    commit(tx).await?;
    let prune = match <B::Conn as Conn>::DIALECT {
        Dialect::Sqlite => q::PRUNE_ATTEMPTS_SQLITE,
        Dialect::Postgres => q::PRUNE_ATTEMPTS_POSTGRES,
    };
    write(b, Sql::new(prune).int(q::attempt_cutoff_ms(now)).int(at)).await?;
    Ok(Reservation::Granted)
}

pub(crate) async fn release_login_attempt<B: Backend>(
    b: &B,
    release: &[String],
    clear: &[String],
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    for key in clear {
        c.execute(Sql::new(q::CLEAR_ATTEMPTS).text(key.clone()))
            .await
            .map_err(db)?;
    }
    for key in release {
        c.execute(Sql::new(q::RELEASE_ATTEMPT).text(key.clone()))
            .await
            .map_err(db)?;
    }
    commit(tx).await
}

pub(crate) async fn create_api_token<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    name: &str,
    token_hash: &str,
    expires_at: Timestamp,
) -> ServiceResult<ApiToken> {
    q::check_token_name(name)?;
    q::check_hash("token_hash", token_hash)?;
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let username = username(c, user_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
    let (id,): (i64,) = c
        .one(
            Sql::new(q::INSERT_TOKEN)
                .int(user_id)
                .text(name)
                .text(token_hash)
                .int(millis(ctx.at))
                .int(millis(expires_at)),
        )
        .await
        .map_err(|e| map_db(e, |b| q::explain_token(b, user_id)))?;
    c.append(
        ctx,
        audit::TOKEN_CREATE,
        &audit::user_subject(&username),
        &audit::token_detail(id, name),
    )
    .await?;
    commit(tx).await?;
    Ok(ApiToken {
        id,
        user_id,
        name: name.to_owned(),
        token_hash: token_hash.to_owned(),
        created_at: convert::stored_instant(ctx.at),
        expires_at: convert::stored_instant(expires_at),
        last_used_at: None,
        revoked_at: None,
    })
}

pub(crate) async fn api_token_by_hash<B: Backend>(
    b: &B,
    token_hash: &str,
) -> ServiceResult<Option<ApiToken>> {
    let row: Option<TokenRow> = b
        .read()
        .await?
        .optional(Sql::new(q::TOKEN_BY_HASH).text(token_hash))
        .await
        .map_err(db)?;
    row.map(q::token).transpose()
}

/// A token row followed by its owner's row.
type TokenUserRow = (
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    String,
    String,
    Option<String>,
    String,
    bool,
    i64,
);

pub(crate) async fn api_token_user<B: Backend>(
    b: &B,
    token_hash: &str,
    now: Timestamp,
) -> ServiceResult<Option<(ApiToken, User)>> {
    let row: Option<TokenUserRow> = b
        .read()
        .await?
        .optional(Sql::new(q::TOKEN_USER).text(token_hash))
        .await
        .map_err(db)?;
    // The end is compared here, as for sessions (see SESSION_USER).
    let row = row.filter(|r| r.5 > millis(now));
    row.map(
        |(
            tid,
            uid,
            tname,
            hash,
            created,
            expires,
            used,
            revoked,
            id,
            name,
            full,
            email,
            pw,
            active,
            at,
        )| {
            Ok((
                q::token((tid, uid, tname, hash, created, expires, used, revoked))?,
                convert::user((id, name, full, email, pw, active, at))?,
            ))
        },
    )
    .transpose()
}

pub(crate) async fn touch_api_token<B: Backend>(
    b: &B,
    id: i64,
    now: Timestamp,
    every: SignedDuration,
) -> ServiceResult<bool> {
    let at = millis(now);
    let since = at.saturating_sub(i64::try_from(every.as_millis()).unwrap_or(i64::MAX));
    let n = write(b, Sql::new(q::TOUCH_TOKEN).int(id).int(at).int(since)).await?;
    Ok(n > 0)
}

pub(crate) async fn api_tokens_of<B: Backend>(b: &B, user_id: i64) -> ServiceResult<Vec<ApiToken>> {
    let rows: Vec<TokenRow> = b
        .read()
        .await?
        .all(Sql::new(q::TOKENS_OF).int(user_id))
        .await
        .map_err(db)?;
    rows.into_iter().map(q::token).collect()
}

pub(crate) async fn revoke_api_token<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    id: i64,
) -> ServiceResult<ApiToken> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let revoked = c
        .execute(Sql::new(q::REVOKE_TOKEN).int(id).int(millis(ctx.at)))
        .await
        .map_err(db)?;
    let row: Option<TokenRow> = c
        .optional(Sql::new(q::TOKEN_BY_ID).int(id))
        .await
        .map_err(db)?;
    let token = q::token(row.ok_or_else(|| ServiceError::not_found("api token", id.to_string()))?)?;
    if revoked == 0 {
        return Err(q::already_revoked(&token));
    }
    let username = username(c, token.user_id)
        .await?
        .unwrap_or_else(|| token.user_id.to_string());
    c.append(
        ctx,
        audit::TOKEN_REVOKE,
        &audit::user_subject(&username),
        &audit::token_detail(token.id, &token.name),
    )
    .await?;
    commit(tx).await?;
    Ok(token)
}
