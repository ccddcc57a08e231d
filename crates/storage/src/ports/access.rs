//! Sessions, failed logins and API tokens, the same on both databases.
//! Single-statement writes run on a write connection as their own
//! transaction; the token changes, which are audited, run in a write
//! transaction with their entry (a revocation updates only a live token, so
//! two revoking at once cannot both succeed).

use jiff::Timestamp;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{ApiToken, AuditContext, SessionRecord, User};

use super::units::username;
use crate::access_sql::{self as q, TokenRow};
use crate::audit;
use crate::conn::{Backend, Conn, Sql, commit};
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
        .optional(Sql::new(q::SESSION_USER).text(id_hash).int(millis(now)))
        .await
        .map_err(db)?;
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

pub(crate) async fn revoke_user_tokens<B: Backend>(
    b: &B,
    user_id: i64,
    at: Timestamp,
) -> ServiceResult<u64> {
    write(
        b,
        Sql::new(q::REVOKE_USER_TOKENS).int(user_id).int(millis(at)),
    )
    .await
}

pub(crate) async fn purge_expired_sessions<B: Backend>(
    b: &B,
    now: Timestamp,
) -> ServiceResult<u64> {
    write(b, Sql::new(q::PURGE_SESSIONS).int(millis(now))).await
}

pub(crate) async fn record_login_failure<B: Backend>(
    b: &B,
    key: &str,
    at: Timestamp,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(Sql::new(q::PRUNE_LOGIN_FAILURES).int(q::failure_cutoff_ms(at)))
        .await
        .map_err(db)?;
    c.execute(Sql::new(q::INSERT_LOGIN_FAILURE).text(key).int(millis(at)))
        .await
        .map_err(db)?;
    commit(tx).await
}

pub(crate) async fn login_failures_since<B: Backend>(
    b: &B,
    key: &str,
    since: Timestamp,
) -> ServiceResult<u32> {
    let (n,): (i64,) = b
        .read()
        .await?
        .one(
            Sql::new(q::COUNT_LOGIN_FAILURES)
                .text(key)
                .int(millis(since)),
        )
        .await
        .map_err(db)?;
    Ok(q::failure_count(n))
}

pub(crate) async fn clear_login_failures<B: Backend>(b: &B, key: &str) -> ServiceResult<()> {
    write(b, Sql::new(q::CLEAR_LOGIN_FAILURES).text(key)).await?;
    Ok(())
}

pub(crate) async fn create_api_token<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    name: &str,
    token_hash: &str,
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
                .int(millis(ctx.at)),
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
