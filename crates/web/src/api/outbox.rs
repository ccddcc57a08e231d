//! `/api/admin/outbox`: notifications as administrators see them, failures
//! first of all, and putting a failed one back in the queue.

use crate::query::ApiQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_service::store::{MessageStatus, OutboxMessage};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/admin/outbox", get(list))
        .route("/api/admin/outbox/{id}/retry", post(retry))
}

/// Filters of the outbox list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    /// `pending`, `sent` or `failed`.
    pub status: Option<String>,
    /// Messages with a smaller id (the previous page's last id).
    pub before: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
}

/// Notification messages, newest first; `status=failed` shows what could not
/// be delivered and why.
#[utoipa::path(get, path = "/api/admin/outbox", tag = "notifications", params(OutboxParams),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> Result<Json<Vec<OutboxMessage>>, WebError> {
    let status = p
        .status
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            MessageStatus::parse(v)
                .ok_or_else(|| WebError::invalid("status", "pending, sent or failed"))
        })
        .transpose()?;
    Ok(Json(
        s.services
            .outbox()
            .list_messages(&auth.actor, status, p.before, p.limit.unwrap_or(50))
            .await?,
    ))
}

/// Puts a failed message back in the queue for another attempt now.
#[utoipa::path(post, path = "/api/admin/outbox/{id}/retry", tag = "notifications",
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn retry(
    State(s): State<ApiState>,
    auth: Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::invalid("id", "not a message id"))?;
    s.services.outbox().retry(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
