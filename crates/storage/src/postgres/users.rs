//! Users and role grants on PostgreSQL.

use async_trait::async_trait;
use motcua_domain::role::Role;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, NewUser, RoleGrant, User, UserStore};
use sqlx::PgConnection;

use super::{PgStore, append};
use crate::convert::{self, GrantRow, UserRow};
use crate::error::{db, explain_grant, explain_user_insert, map_db};
use crate::{access_sql, audit, sql};

/// Users in name order, compared byte by byte (`COLLATE "C"`) whatever the
/// database's collation, so pages match SQLite's and the keyset is exact.
const LIST_USERS: &str = "SELECT id, username, full_name, email, password_hash, active, \
     created_at_ms FROM users ORDER BY username COLLATE \"C\" LIMIT $1";
const LIST_USERS_AFTER: &str = "SELECT id, username, full_name, email, password_hash, active, \
     created_at_ms FROM users WHERE username COLLATE \"C\" > $1 \
     ORDER BY username COLLATE \"C\" LIMIT $2";

/// The user name and unit code a grant's audit entry and errors name; either
/// missing is `NotFound`.
async fn grant_names(
    conn: &mut PgConnection,
    user_id: i64,
    unit_id: i64,
) -> ServiceResult<(String, String)> {
    let username: Option<String> = sqlx::query_scalar(sql::USERNAME)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let username = username.ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
    let code: Option<String> = sqlx::query_scalar(sql::UNIT_CODE)
        .bind(unit_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let code = code.ok_or_else(|| ServiceError::not_found("unit", unit_id.to_string()))?;
    Ok((username, code))
}

#[async_trait]
impl UserStore for PgStore {
    async fn insert_user(&self, ctx: &AuditContext, user: &NewUser) -> ServiceResult<User> {
        crate::check_username(&user.username)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(sql::INSERT_USER)
            .bind(&user.username)
            .bind(&user.full_name)
            .bind(&user.email)
            .bind(&user.password_hash)
            .bind(true)
            .bind(convert::millis(ctx.at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_db(e, |b| explain_user_insert(b, &user.username)))?;
        append(
            &mut tx,
            ctx,
            audit::USER_CREATE,
            &audit::user_subject(&user.username),
            &audit::user_detail(id, user),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(crate::user_from_new(id, user, ctx))
    }

    async fn user_by_id(&self, id: i64) -> ServiceResult<User> {
        let row: Option<UserRow> = sqlx::query_as(access_sql::USER_BY_ID)
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        convert::user(row.ok_or_else(|| ServiceError::not_found("user", id.to_string()))?)
    }

    async fn list_users(&self, after: Option<&str>, limit: u32) -> ServiceResult<Vec<User>> {
        let rows: Vec<UserRow> = match after {
            Some(after) => sqlx::query_as(LIST_USERS_AFTER)
                .bind(after)
                .bind(access_sql::page_limit(limit))
                .fetch_all(self.reader())
                .await
                .map_err(db)?,
            None => sqlx::query_as(LIST_USERS)
                .bind(access_sql::page_limit(limit))
                .fetch_all(self.reader())
                .await
                .map_err(db)?,
        };
        rows.into_iter().map(convert::user).collect()
    }

    async fn set_user_active(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        active: bool,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        let username: Option<String> = sqlx::query_scalar(access_sql::SET_USER_ACTIVE)
            .bind(user_id)
            .bind(active)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let username =
            username.ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
        append(
            &mut tx,
            ctx,
            audit::USER_ACTIVE_SET,
            &audit::user_subject(&username),
            &audit::active_detail(active),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn user_by_username(&self, username: &str) -> ServiceResult<User> {
        let row: Option<UserRow> = sqlx::query_as(sql::USER_BY_USERNAME)
            .bind(username)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        convert::user(row.ok_or_else(|| ServiceError::not_found("user", username))?)
    }

    async fn set_password_hash(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        hash: &str,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        let username: Option<String> = sqlx::query_scalar(sql::SET_PASSWORD_HASH)
            .bind(user_id)
            .bind(hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let username =
            username.ok_or_else(|| ServiceError::not_found("user", user_id.to_string()))?;
        append(
            &mut tx,
            ctx,
            audit::USER_PASSWORD_SET,
            &audit::user_subject(&username),
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn grant_role(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<RoleGrant> {
        let mut tx = self.begin_write().await?;
        let (username, code) = grant_names(&mut tx, user_id, unit_id).await?;
        let id: i64 = sqlx::query_scalar(sql::INSERT_GRANT)
            .bind(user_id)
            .bind(role.as_str())
            .bind(unit_id)
            .bind(convert::millis(ctx.at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_db(e, |b| explain_grant(b, &username, role.as_str(), &code)))?;
        append(
            &mut tx,
            ctx,
            audit::ROLE_GRANT,
            &audit::user_subject(&username),
            &audit::grant_detail(role.as_str(), unit_id, &code),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(RoleGrant {
            id,
            user_id,
            role,
            unit_id,
            granted_at: convert::stored_instant(ctx.at),
        })
    }

    async fn revoke_role(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<()> {
        let mut tx = self.begin_write().await?;
        let (username, code) = grant_names(&mut tx, user_id, unit_id).await?;
        let deleted = sqlx::query(sql::DELETE_GRANT)
            .bind(user_id)
            .bind(role.as_str())
            .bind(unit_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if deleted == 0 {
            return Err(ServiceError::not_found(
                "role grant",
                format!("{} on {code} for {username}", role.as_str()),
            ));
        }
        append(
            &mut tx,
            ctx,
            audit::ROLE_REVOKE,
            &audit::user_subject(&username),
            &audit::grant_detail(role.as_str(), unit_id, &code),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn roles_of(&self, user_id: i64) -> ServiceResult<Vec<RoleGrant>> {
        let rows: Vec<GrantRow> = sqlx::query_as(sql::GRANTS_OF)
            .bind(user_id)
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        if rows.is_empty() {
            let exists: Option<String> = sqlx::query_scalar(sql::USERNAME)
                .bind(user_id)
                .fetch_optional(self.reader())
                .await
                .map_err(db)?;
            if exists.is_none() {
                return Err(ServiceError::not_found("user", user_id.to_string()));
            }
        }
        rows.into_iter().map(convert::grant).collect()
    }
}
