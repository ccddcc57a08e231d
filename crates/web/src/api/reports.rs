//! `/api/reports/dossiers`: form 06/VPCP/KSTT's figures and the rest of
//! §9 for a unit's subtree over a period, as JSON, CSV, XLSX or PDF (by
//! `format=` or `Accept`).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use motcua_domain::stats::Breakdown;
use motcua_service::stats::report::ReportQuery;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::query::ApiQuery;
use crate::reports::{Format, render};

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/reports/dossiers", get(dossiers))
        .route("/api/reports/satisfaction", get(satisfaction))
        .route("/api/reports/portal", get(portal))
}

/// What the report is asked for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// The unit's code: its subtree as it stood during the period.
    #[param(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// First day (YYYY-MM-DD).
    #[param(value_type = String, format = Date)]
    pub from: String,
    /// Last day (YYYY-MM-DD), not before `from`.
    #[param(value_type = String, format = Date)]
    pub to: String,
    /// `unit` (default), `sector`, `level`, `procedure`, `channel`, `month`.
    #[param(pattern = r"^(unit|sector|level|procedure|channel|month)$")]
    pub by: Option<String>,
    /// `json` (default), `csv`, `xlsx`, `pdf`; or ask by `Accept`.
    #[param(pattern = r"^(json|csv|xlsx|pdf)$")]
    pub format: Option<String>,
}

pub(super) fn date(field: &str, s: &str) -> Result<jiff::civil::Date, WebError> {
    s.trim()
        .parse()
        .map_err(|_| WebError::invalid(field, "a date YYYY-MM-DD"))
}

/// The format asked for: `format=` first, then the `Accept` header.
fn format_of(p: &ReportParams, headers: &HeaderMap) -> Result<Format, WebError> {
    if let Some(f) = p.format.as_deref().filter(|f| !f.is_empty()) {
        return match Format::parse(f) {
            Ok(Format::Table) | Err(_) => {
                Err(WebError::invalid("format", "json, csv, xlsx or pdf"))
            }
            Ok(f) => Ok(f),
        };
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for f in [Format::Csv, Format::Xlsx, Format::Pdf] {
        let media = f.content_type().split(';').next().unwrap_or("");
        if accept.contains(media) {
            return Ok(f);
        }
    }
    Ok(Format::Json)
}

/// Dossiers received, resolved and in progress over a period (form
/// 06/VPCP/KSTT's columns 3–13, then the other counts and the rates), one
/// row per group and the total. Past periods give the same figures
/// whenever they are asked.
#[utoipa::path(get, path = "/api/reports/dossiers", tag = "reports", params(ReportParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn dossiers(
    State(s): State<ApiState>,
    auth: Authed,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> Result<Response, WebError> {
    let from = date("from", &p.from)?;
    let to = date("to", &p.to)?;
    let by = match p.by.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Breakdown::parse(b).map_err(motcua_service::ServiceError::from)?,
        None => Breakdown::Unit,
    };
    let format = format_of(&p, &headers)?;
    let q = ReportQuery {
        unit: p.unit.clone(),
        from,
        to,
        by,
    };
    let report = s.services.stats().dossier_report(&auth.actor, &q).await?;
    let today = s.services.today();
    let bytes = render(&s.services, &report, format, today).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if format != Format::Json {
        let name = format!(
            "attachment; filename=\"bao-cao-ho-so-{}-{}-{}.{}\"",
            report.unit,
            report.from,
            report.to,
            format.extension()
        );
        if let Ok(v) = HeaderValue::from_str(&name) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(resp)
}

/// The period and subtree of a report of ratings, portal figures or
/// feedback.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SatisfactionParams {
    /// The unit's code: its subtree.
    #[param(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// First day (YYYY-MM-DD).
    #[param(value_type = String, format = Date)]
    pub from: String,
    /// Last day (YYYY-MM-DD), not before `from`.
    #[param(value_type = String, format = Date)]
    pub to: String,
}

/// Citizens' ratings given over a period to the receiving units of a
/// subtree: responses, the share satisfied (4 or 5 of 5) overall and for
/// each SIPAS aspect (access, procedure, civil servant, result, feedback),
/// the index (the mean of the aspects) and the rank among units with at
/// least `min_sample` responses.
#[utoipa::path(get, path = "/api/reports/satisfaction", tag = "reports", params(SatisfactionParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn satisfaction(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<SatisfactionParams>,
) -> Result<Response, WebError> {
    let from = date("from", &p.from)?;
    let to = date("to", &p.to)?;
    let report = s
        .services
        .stats()
        .satisfaction(&auth.actor, &p.unit, from, to)
        .await?;
    Ok(axum::Json(report).into_response())
}

/// What the portal adds to the dossiers received over a period in a
/// subtree: submitted there, by an account VNeID vouched for (766 §4.5),
/// paid online (the online-payment rate: paid online ÷ received with a fee).
#[utoipa::path(get, path = "/api/reports/portal", tag = "reports", params(SatisfactionParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn portal(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<SatisfactionParams>,
) -> Result<Response, WebError> {
    let from = date("from", &p.from)?;
    let to = date("to", &p.to)?;
    let figures = s
        .services
        .stats()
        .portal_figures(&auth.actor, &p.unit, from, to)
        .await?;
    Ok(axum::Json(figures).into_response())
}
