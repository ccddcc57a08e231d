//! Users and role grants, the same on both databases except for the order
//! users are listed in.

use motcua_domain::role::Role;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, NewUser, RoleGrant, User};

use super::units::{unit_code, username};
use crate::catalog::sql::Assemble;
use crate::conn::{Arg, Backend, Conn, Dialect, Sql, commit};
use crate::convert::{self, GrantRow, UserRow};
use crate::error::{db, explain_grant, explain_user_insert, map_db};
use crate::{access_sql, audit, sql};

/// Users in name order; SQLite compares text byte by byte.
const LIST_USERS_SQLITE: &str = "SELECT id, username, full_name, email, password_hash, active, \
     created_at_ms FROM users ORDER BY username LIMIT $1";
const LIST_USERS_AFTER_SQLITE: &str = "SELECT id, username, full_name, email, password_hash, \
     active, created_at_ms FROM users WHERE username > $1 ORDER BY username LIMIT $2";
/// Users in name order, compared byte by byte (`COLLATE "C"`) whatever the
/// database's collation, so pages match SQLite's and the keyset is exact.
const LIST_USERS_PG: &str = "SELECT id, username, full_name, email, password_hash, active, \
     created_at_ms FROM users ORDER BY username COLLATE \"C\" LIMIT $1";
const LIST_USERS_AFTER_PG: &str = "SELECT id, username, full_name, email, password_hash, active, \
     created_at_ms FROM users WHERE username COLLATE \"C\" > $1 \
     ORDER BY username COLLATE \"C\" LIMIT $2";

/// The user name and unit code a grant's audit entry and errors name; either
/// missing is `NotFound`.
async fn grant_names<C: Conn>(
    c: &mut C,
    user_id: i64,
    unit_id: i64,
) -> ServiceResult<(String, String)> {
    let username = username(c, user_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
    let code = unit_code(c, unit_id).await?;
    Ok((username, code))
}

pub(crate) async fn insert_user<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user: &NewUser,
) -> ServiceResult<User> {
    crate::check_username(&user.username)?;
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let (id,): (i64,) = c
        .one(
            Sql::new(sql::INSERT_USER)
                .text(user.username.clone())
                .text(user.full_name.clone())
                .opt_text(user.email.clone())
                .text(user.password_hash.clone())
                .bool(true)
                .int(convert::millis(ctx.at)),
        )
        .await
        .map_err(|e| map_db(e, |b| explain_user_insert(b, &user.username)))?;
    c.append(
        ctx,
        audit::USER_CREATE,
        &audit::user_subject(&user.username),
        &audit::user_detail(id, user),
    )
    .await?;
    commit(tx).await?;
    Ok(crate::user_from_new(id, user, ctx))
}

pub(crate) async fn user_by_id<B: Backend>(b: &B, id: i64) -> ServiceResult<User> {
    let row: Option<UserRow> = b
        .read()
        .await?
        .optional(Sql::new(access_sql::USER_BY_ID).int(id))
        .await
        .map_err(db)?;
    convert::user(row.ok_or_else(|| ServiceError::not_found("user", id.to_string()))?)
}

pub(crate) async fn list_users<B: Backend>(
    b: &B,
    after: Option<&str>,
    limit: u32,
) -> ServiceResult<Vec<User>> {
    let (first, next) = match <B::Conn as Conn>::DIALECT {
        Dialect::Sqlite => (LIST_USERS_SQLITE, LIST_USERS_AFTER_SQLITE),
        Dialect::Postgres => (LIST_USERS_PG, LIST_USERS_AFTER_PG),
    };
    let q = match after {
        Some(after) => Sql::new(next).text(after),
        None => Sql::new(first),
    };
    let rows: Vec<UserRow> = b
        .read()
        .await?
        .all(q.int(access_sql::page_limit(limit)))
        .await
        .map_err(db)?;
    rows.into_iter().map(convert::user).collect()
}

/// Users in name order whose every grant lies on one of `units` and who
/// hold no system-administrator grant (people without a grant included): the
/// accounts a unit administrator manages. The filter is in the query, so
/// pages stay full and the keyset exact.
pub(crate) async fn list_users_within<B: Backend>(
    b: &B,
    units: &[i64],
    after: Option<&str>,
    limit: u32,
) -> ServiceResult<Vec<User>> {
    let dialect = <B::Conn as Conn>::DIALECT;
    let collate = match dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => " COLLATE \"C\"",
    };
    let mut q = Assemble::new(
        "SELECT id, username, full_name, email, password_hash, active, created_at_ms FROM users",
        false,
    );
    let set = q.id_set(dialect, units);
    q.and(&format!(
        "NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = users.id \
         AND (g.role = 'system_admin' OR g.unit_id NOT IN {set}))"
    ));
    if let Some(after) = after {
        let a = q.arg(Arg::Text(after.to_owned()));
        q.and(&format!("username{collate} > {a}"));
    }
    let l = q.arg(Arg::Int(access_sql::page_limit(limit)));
    q.push(&format!("ORDER BY username{collate} LIMIT {l}"));
    let rows: Vec<UserRow> = b.read().await?.all(q.finish()).await.map_err(db)?;
    rows.into_iter().map(convert::user).collect()
}

/// Runs an update that returns the user's name, then appends its entry.
async fn update_user<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    update: Sql,
    action: &str,
    detail: &serde_json::Value,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let username: Option<(String,)> = c.optional(update).await.map_err(db)?;
    let (username,) =
        username.ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
    c.append(ctx, action, &audit::user_subject(&username), detail)
        .await?;
    commit(tx).await
}

pub(crate) async fn set_user_active<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    active: bool,
) -> ServiceResult<()> {
    let update = Sql::new(access_sql::SET_USER_ACTIVE)
        .int(user_id)
        .bool(active);
    let detail = audit::active_detail(active);
    update_user(b, ctx, user_id, update, audit::USER_ACTIVE_SET, &detail).await
}

pub(crate) async fn user_by_username<B: Backend>(b: &B, username: &str) -> ServiceResult<User> {
    let row: Option<UserRow> = b
        .read()
        .await?
        .optional(Sql::new(sql::USER_BY_USERNAME).text(username))
        .await
        .map_err(db)?;
    convert::user(row.ok_or_else(|| ServiceError::not_found("user", username))?)
}

pub(crate) async fn set_password_hash<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    hash: &str,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let username: Option<(String,)> = c
        .optional(Sql::new(sql::SET_PASSWORD_HASH).int(user_id).text(hash))
        .await
        .map_err(db)?;
    let (username,) =
        username.ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
    // Nothing signed in with the old password outlives it.
    let tokens = c
        .execute(
            Sql::new(access_sql::REVOKE_USER_TOKENS)
                .int(user_id)
                .int(convert::millis(ctx.at)),
        )
        .await
        .map_err(db)?;
    c.execute(Sql::new(access_sql::DELETE_USER_SESSIONS).int(user_id))
        .await
        .map_err(db)?;
    let detail = if tokens == 0 {
        serde_json::json!({})
    } else {
        serde_json::json!({ "tokens_revoked": tokens })
    };
    c.append(
        ctx,
        audit::USER_PASSWORD_SET,
        &audit::user_subject(&username),
        &detail,
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn grant_role<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    role: Role,
    unit_id: i64,
) -> ServiceResult<RoleGrant> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let (username, code) = grant_names(c, user_id, unit_id).await?;
    let (id,): (i64,) = c
        .one(
            Sql::new(sql::INSERT_GRANT)
                .int(user_id)
                .text(role.as_str())
                .int(unit_id)
                .int(convert::millis(ctx.at)),
        )
        .await
        .map_err(|e| map_db(e, |b| explain_grant(b, &username, role.as_str(), &code)))?;
    c.append(
        ctx,
        audit::ROLE_GRANT,
        &audit::user_subject(&username),
        &audit::grant_detail(role.as_str(), unit_id, &code),
    )
    .await?;
    commit(tx).await?;
    Ok(RoleGrant {
        id,
        user_id,
        role,
        unit_id,
        granted_at: convert::stored_instant(ctx.at),
    })
}

pub(crate) async fn revoke_role<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    user_id: i64,
    role: Role,
    unit_id: i64,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let (username, code) = grant_names(c, user_id, unit_id).await?;
    let deleted = c
        .execute(
            Sql::new(sql::DELETE_GRANT)
                .int(user_id)
                .text(role.as_str())
                .int(unit_id),
        )
        .await
        .map_err(db)?;
    if deleted == 0 {
        return Err(ServiceError::not_found(
            "role grant",
            format!("{} on {code} for {username}", role.as_str()),
        ));
    }
    c.append(
        ctx,
        audit::ROLE_REVOKE,
        &audit::user_subject(&username),
        &audit::grant_detail(role.as_str(), unit_id, &code),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn grant_scopes<B: Backend>(
    b: &B,
    user_id: i64,
) -> ServiceResult<Vec<(RoleGrant, Vec<i64>)>> {
    let mut c = b.read().await?;
    let memo = b.access().memo(&mut *c).await?;
    if let Some(s) = memo.grants(user_id) {
        return Ok(s.to_vec());
    }
    let rows: Vec<(i64, i64, String, i64, i64, i64)> = c
        .all(Sql::new(sql::GRANT_SCOPES).int(user_id))
        .await
        .map_err(db)?;
    if rows.is_empty() && username(&mut *c, user_id).await?.is_none() {
        return Err(ServiceError::not_found("user", user_id.to_string()));
    }
    let mut scopes: Vec<(RoleGrant, Vec<i64>)> = Vec::new();
    for (id, holder, role, unit_id, granted_at_ms, covered) in rows {
        match scopes.last_mut() {
            Some((g, covers)) if g.id == id => covers.push(covered),
            _ => scopes.push((
                convert::grant((id, holder, role, unit_id, granted_at_ms))?,
                vec![covered],
            )),
        }
    }
    memo.keep_grants(user_id, std::sync::Arc::new(scopes.clone()));
    Ok(scopes)
}

pub(crate) async fn roles_of<B: Backend>(b: &B, user_id: i64) -> ServiceResult<Vec<RoleGrant>> {
    let mut c = b.read().await?;
    let rows: Vec<GrantRow> = c
        .all(Sql::new(sql::GRANTS_OF).int(user_id))
        .await
        .map_err(db)?;
    if rows.is_empty() && username(&mut *c, user_id).await?.is_none() {
        return Err(ServiceError::not_found("user", user_id.to_string()));
    }
    rows.into_iter().map(convert::grant).collect()
}
