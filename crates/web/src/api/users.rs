//! `/api/users/…`: accounts and role grants.

use crate::query::ApiQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use motcua_domain::role::Role;
use motcua_service::store::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::ApiJson;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/users", get(list_users).post(create_user))
        .route("/api/users/{username}/grants", post(grant))
        .route("/api/users/{username}/grants/{role}/{unit}", delete(revoke))
        .route("/api/users/{username}/password", post(reset_password))
}

/// A user as listed (never the password hash).
#[derive(Serialize, ToSchema)]
pub struct UserOut {
    /// Id.
    pub id: i64,
    /// User name.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Whether the account may sign in.
    pub active: bool,
}

fn out(u: &User) -> UserOut {
    UserOut {
        id: u.id,
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        email: u.email.clone(),
        active: u.active,
    }
}

/// Keyset page.
#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    /// The last user name of the previous page.
    pub after: Option<String>,
    /// Page size (1–500, default 100).
    pub limit: Option<u32>,
}

/// Users, by user name (for those who manage users).
#[utoipa::path(get, path = "/api/users", tag = "users", params(PageQuery),
    responses((status = 200, body = Vec<UserOut>), (status = 403, body = crate::error::Problem)))]
pub async fn list_users(
    State(st): State<ApiState>,
    a: Authed,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Vec<UserOut>>, WebError> {
    let list = st
        .services
        .users()
        .list_as(&a.actor, q.after.as_deref(), q.limit.unwrap_or(100))
        .await?;
    Ok(Json(list.iter().map(out).collect()))
}

fn role(field: &str, r: &str) -> Result<Role, WebError> {
    Role::parse(r).map_err(|e| WebError::invalid(field, e.to_string()))
}

/// A user to create, with the role they start with.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    /// User name (a-z, digits, . - _).
    #[schema(pattern = r"^[a-z0-9._-]{3,64}$")]
    pub username: String,
    /// Full name.
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// E-mail.
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Initial password (at least 8 characters).
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    /// Role key (`desk_officer`, `specialist`, `leader`, `unit_admin`, `reform_evaluator`, `viewer`, `system_admin`).
    #[schema(
        pattern = r"^(desk_officer|specialist|leader|unit_admin|reform_evaluator|viewer|system_admin)$"
    )]
    pub role: String,
    /// Unit code the role is granted on.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
}

/// Creates a user with a first role.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = UserIn,
    responses((status = 201, body = UserOut), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(b): ApiJson<UserIn>,
) -> Result<(StatusCode, Json<UserOut>), WebError> {
    let role = role("role", &b.role)?;
    let unit = st.services.units().find_unit("unit", &b.unit).await?;
    let (user, _) = st
        .services
        .users()
        .add_user_as(
            &a.actor,
            &b.username,
            &b.full_name,
            b.email.as_deref(),
            &b.password,
            role,
            unit.id,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(out(&user))))
}

/// A grant.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    /// Role key.
    #[schema(
        pattern = r"^(desk_officer|specialist|leader|unit_admin|reform_evaluator|viewer|system_admin)$"
    )]
    pub role: String,
    /// Unit code.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
}

/// Grants a role on a unit.
#[utoipa::path(post, path = "/api/users/{username}/grants", tag = "users", params(("username" = String, Path)), request_body = GrantIn,
    responses((status = 201), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn grant(
    State(st): State<ApiState>,
    a: Authed,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<GrantIn>,
) -> Result<StatusCode, WebError> {
    let role = role("role", &b.role)?;
    let unit = st.services.units().find_unit("unit", &b.unit).await?;
    st.services
        .users()
        .grant_as(&a.actor, &username, role, unit.id)
        .await?;
    Ok(StatusCode::CREATED)
}

/// Revokes a role on a unit; the user's sessions end.
#[utoipa::path(delete, path = "/api/users/{username}/grants/{role}/{unit}", tag = "users",
    params(("username" = String, Path), ("role" = String, Path), ("unit" = String, Path, description = "unit code")),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn revoke(
    State(st): State<ApiState>,
    a: Authed,
    Path((username, r, unit)): Path<(String, String, String)>,
) -> Result<StatusCode, WebError> {
    let role = role("role", &r)?;
    let unit = st.services.units().find_unit("unit", &unit).await?;
    st.services
        .users()
        .revoke_as(&a.actor, &username, role, unit.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new password set by an administrator.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetIn {
    /// The new password.
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
}

/// Resets a user's password; their sessions and API tokens end.
#[utoipa::path(post, path = "/api/users/{username}/password", tag = "users", params(("username" = String, Path)), request_body = ResetIn,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn reset_password(
    State(st): State<ApiState>,
    a: Authed,
    Path(username): Path<String>,
    ApiJson(b): ApiJson<ResetIn>,
) -> Result<StatusCode, WebError> {
    st.services
        .users()
        .reset_password_as(&a.actor, &username, &b.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
