//! `/api/feedback`: feedback and complaints (phản ánh, kiến nghị) sent to
//! the caller's units, and the actions that handle them; and
//! `/api/reports/feedback`, 766 indicators 5.1–5.3 over a period.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_service::feedback::{FeedbackReport, StaffAction};
use motcua_service::store::FeedbackRecord;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::ApiJson;
use crate::query::ApiQuery;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/feedback", get(list))
        .route("/api/feedback/{code}", get(get_one))
        .route("/api/feedback/{code}/actions", post(act))
        .route("/api/reports/feedback", get(report))
}

/// Filters of the feedback list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackParams {
    /// Only in this status.
    #[param(
        pattern = r"^(received|awaiting_supplement|accepted|assigned|answered|published|refused)$"
    )]
    pub status: Option<String>,
    /// Feedback with a smaller id (the previous page's last id).
    pub before: Option<i64>,
}

/// Feedback sent to the caller's units (where they hold a role that handles
/// feedback), newest first, 50 a page.
#[utoipa::path(get, path = "/api/feedback", tag = "feedback", params(FeedbackParams),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<FeedbackParams>,
) -> Result<Json<Vec<FeedbackRecord>>, WebError> {
    Ok(Json(
        s.services
            .feedback()
            .list(&auth.actor, p.status.as_deref(), p.before)
            .await?,
    ))
}

/// One feedback of the caller's units; another unit's answers 404.
#[utoipa::path(get, path = "/api/feedback/{code}", tag = "feedback",
    params(("code" = String, Path, description = "Feedback code, PA-YYYY-NNNNNN")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_one(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
) -> Result<Json<FeedbackRecord>, WebError> {
    Ok(Json(s.services.feedback().view(&auth.actor, &code).await?))
}

/// An action on a feedback.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackActionIn {
    /// What to do.
    #[schema(pattern = r"^(accept|refuse|request_supplement|assign|answer|publish)$")]
    pub action: String,
    /// Why it is refused, or what the sender must add (5–2000 characters).
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// The answer (10–8000 characters).
    #[schema(max_length = 8000)]
    pub answer: Option<String>,
    /// Whom to assign it to: a user name of someone who handles the unit's
    /// feedback.
    #[schema(max_length = 64)]
    pub handler: Option<String>,
}

/// Handles a feedback: accept or refuse it (within 2 working days), ask the
/// sender for more (within 5), assign it, answer it (within 15 of
/// acceptance), publish the answer (within 2, only with the sender's
/// consent). 422 names the field at fault or the action that does not
/// apply; 409 when someone changed it first.
#[utoipa::path(post, path = "/api/feedback/{code}/actions", tag = "feedback", request_body = FeedbackActionIn,
    params(("code" = String, Path, description = "Feedback code")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn act(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<FeedbackActionIn>,
) -> Result<Json<FeedbackRecord>, WebError> {
    let input = StaffAction {
        action: b.action,
        note: b.note.unwrap_or_default(),
        answer: b.answer.unwrap_or_default(),
        handler: b.handler.unwrap_or_default(),
    };
    Ok(Json(
        s.services
            .feedback()
            .act(&auth.actor, &code, &input)
            .await?,
    ))
}

/// Feedback received over a period by the units of a subtree (766 §5):
/// counts by category (5.1), the share handled on time at every stage
/// (5.2), and satisfaction (5.3: first-time feedback less the disliked,
/// the late and the repeated, over first-time feedback), judged as of the
/// period's end.
#[utoipa::path(get, path = "/api/reports/feedback", tag = "reports", params(super::reports::SatisfactionParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn report(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<super::reports::SatisfactionParams>,
) -> Result<Json<FeedbackReport>, WebError> {
    let from = super::reports::date("from", &p.from)?;
    let to = super::reports::date("to", &p.to)?;
    Ok(Json(
        s.services
            .stats()
            .feedback_report(&auth.actor, &p.unit, from, to)
            .await?,
    ))
}
