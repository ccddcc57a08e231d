//! `POST /api/dossiers/{code}/corrections`: corrects the applicant's
//! details and the components of a received dossier (the service's
//! `dossiers::corrections` says who may, and when a reason is required).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use motcua_service::dossiers::DossierView;
use motcua_service::dossiers::corrections::Correct;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::{ApplicantDoc, ReceivedItemDoc};
use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::idempotency;
use crate::json::{parse_json, require_json};

pub fn routes() -> Router<ApiState> {
    Router::new().route("/api/dossiers/{code}/corrections", post(correct))
}

/// A correction of what the desk typed. `applicant` and `components`, each
/// whole as they should read, may be sent alone or together; at least one
/// must change something. `version` is the dossier version the caller
/// read: a stale one gets 409 and nothing changes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CorrectionDoc {
    /// The version read.
    #[schema(minimum = 1)]
    pub version: i64,
    /// The applicant as they should read (left out: unchanged).
    #[schema(nullable = false)]
    pub applicant: Option<ApplicantDoc>,
    /// The components as they should read (left out: unchanged).
    #[schema(max_items = 200, nullable = false)]
    pub components: Option<Vec<ReceivedItemDoc>>,
    /// Why; required once the dossier left the desk (handed over).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Corrects the applicant's details or the components of a received
/// dossier. While it is at the desk (received, not handed over) the desk
/// officers and leaders of the receiving unit may; afterwards only those who
/// may act on it now, with a `reason` (422 naming `reason` without one). A
/// dossier whose processing ended cannot be corrected (409). Each
/// correction is in the timeline and the audit log, and moves no figure.
/// Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/dossiers/{code}/corrections", tag = "dossiers", request_body = CorrectionDoc,
    params(("code" = String, Path, description = "Dossier code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe")),
    responses((status = 200, body = super::dossiers::DossierDoc), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn correct(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let cmd: Correct = parse_json(&body)?;
    let svc = s.services.dossiers();
    let actor = auth.actor;
    let username = actor.username.clone();
    let route = format!("POST /api/dossiers/{code}/corrections");
    idempotency::once(
        &s,
        &username,
        &headers,
        &route,
        &body,
        StatusCode::OK,
        async move { Ok::<DossierView, WebError>(svc.correct(&actor, &code, cmd).await?) },
    )
    .await
}
