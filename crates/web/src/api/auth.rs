//! `/api/auth/…`: sign in and out, the current user, passwords, API tokens.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use motcua_service::auth as svc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiState;
use crate::auth::{Authed, ClientAddress};
use crate::error::WebError;
use crate::json::ApiJson;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/auth/password", post(change_password))
        .route("/api/auth/tokens", post(create_token).get(list_tokens))
        .route("/api/auth/tokens/{id}", delete(revoke_token))
}

/// Credentials. A user name that cannot be one (3 to 64 of a-z, 0-9, `.`,
/// `-`, `_` after trimming) or a password over 1024 bytes is refused with
/// 422 naming the field, and nothing is recorded.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    /// User name.
    #[schema(min_length = 3, max_length = 64)]
    pub username: String,
    /// Password.
    #[schema(max_length = 1024)]
    pub password: String,
}

/// A grant as shown to its holder.
#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    /// Role key.
    pub role: String,
    /// Role label in Vietnamese.
    pub role_label: String,
    /// Unit id.
    pub unit_id: i64,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct MeOut {
    /// User name.
    pub username: String,
    /// Roles.
    pub grants: Vec<GrantOut>,
    /// Send this in `x-csrf-token` with every change made with the session cookie.
    pub csrf_token: Option<String>,
}

fn me_out(a: &Authed) -> MeOut {
    MeOut {
        username: a.actor.username.clone(),
        grants: a
            .actor
            .grants
            .iter()
            .map(|g| GrantOut {
                role: g.role.as_str().to_owned(),
                role_label: g.role.label_vi().to_owned(),
                unit_id: g.unit_id,
            })
            .collect(),
        csrf_token: a.session.as_ref().map(|s| s.csrf_token.clone()),
    }
}

/// Signs in; sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginIn,
    responses((status = 200, body = MeOut), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub async fn login(
    State(st): State<ApiState>,
    ClientAddress(addr): ClientAddress,
    ApiJson(body): ApiJson<LoginIn>,
) -> Result<Response, WebError> {
    let signed = st
        .services
        .auth()
        .login(&body.username, &body.password, &addr, &st.auth.limits)
        .await?;
    let actor = st
        .services
        .actor(signed.user.id, &signed.user.username)
        .await?;
    let out = me_out(&Authed {
        actor,
        session: Some(signed.session.clone()),
        secret: None,
    });
    let cookie = st
        .auth
        .session_cookie(&signed.secret, svc::SESSION_LIFETIME.as_secs());
    Ok(([(header::SET_COOKIE, cookie)], Json(out)).into_response())
}

/// Signs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(st): State<ApiState>, a: Authed) -> Result<Response, WebError> {
    if let Some(secret) = &a.secret {
        st.services.auth().logout(secret).await?;
    }
    let clear = st.auth.session_cookie("", 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// The signed-in user and their roles.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", responses((status = 200, body = MeOut), (status = 401, body = crate::error::Problem)))]
pub async fn me(a: Authed) -> Json<MeOut> {
    Json(me_out(&a))
}

/// A password change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 8 characters).
    pub new_password: String,
}

/// Changes the signed-in user's password; every session of the user ends.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordIn,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn change_password(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(body): ApiJson<PasswordIn>,
) -> Result<StatusCode, WebError> {
    st.services
        .auth()
        .change_password(&a.actor, &body.current_password, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A token to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What the token is for.
    pub name: String,
    /// Days the token lasts (the server's default when absent; more than
    /// the server's maximum is refused with 422).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub expires_in_days: Option<u32>,
}

/// A token; `secret` is present only in the answer that creates it.
#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Ends (RFC 3339): from then on the token signs nothing.
    pub expires_at: String,
    /// When it last signed a request (RFC 3339, to the minute), if ever.
    pub last_used_at: Option<String>,
    /// Revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
    /// The secret, shown once: `Authorization: Bearer <secret>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn token_out(t: &motcua_service::store::ApiToken, secret: Option<String>) -> TokenOut {
    TokenOut {
        id: t.id,
        name: t.name.clone(),
        created_at: t.created_at.to_string(),
        expires_at: t.expires_at.to_string(),
        last_used_at: t.last_used_at.map(|r| r.to_string()),
        revoked_at: t.revoked_at.map(|r| r.to_string()),
        secret,
    }
}

/// Creates an API token for the signed-in user.
#[utoipa::path(post, path = "/api/auth/tokens", tag = "auth", request_body = TokenIn,
    responses((status = 201, body = TokenOut), (status = 422, body = crate::error::Problem)))]
pub async fn create_token(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(body): ApiJson<TokenIn>,
) -> Result<(StatusCode, Json<TokenOut>), WebError> {
    let (secret, token) = st
        .services
        .auth()
        .create_token(&a.actor, &body.name, body.expires_in_days, &st.auth.tokens)
        .await?;
    Ok((StatusCode::CREATED, Json(token_out(&token, Some(secret)))))
}

/// The signed-in user's tokens.
#[utoipa::path(get, path = "/api/auth/tokens", tag = "auth", responses((status = 200, body = Vec<TokenOut>)))]
pub async fn list_tokens(
    State(st): State<ApiState>,
    a: Authed,
) -> Result<Json<Vec<TokenOut>>, WebError> {
    let list = st.services.auth().tokens_of(&a.actor).await?;
    Ok(Json(list.iter().map(|t| token_out(t, None)).collect()))
}

/// Revokes a token; it stops working at once.
#[utoipa::path(delete, path = "/api/auth/tokens/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 200, body = TokenOut), (status = 404, body = crate::error::Problem)))]
pub async fn revoke_token(
    State(st): State<ApiState>,
    a: Authed,
    Path(id): Path<i64>,
) -> Result<Json<TokenOut>, WebError> {
    let t = st.services.auth().revoke_token(&a.actor, id).await?;
    Ok(Json(token_out(&t, None)))
}
