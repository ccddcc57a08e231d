//! `/api/dossiers/…`: reception, the lifecycle's actions, lists with
//! cursors and filters, and the public status lookup.

use crate::query::ApiQuery;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::deadline::Classification;
use motcua_domain::dossier::{Channel, Status};
use motcua_domain::stats::OpenState;
use motcua_domain::unit::Level;
use motcua_service::dossiers::{Act, Acted, Brief, DossierView, ListQuery, Page, Receive};
use motcua_service::store::{DossierSort, PublicStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::opt_date;
use crate::api::ApiState;
use crate::auth::{Authed, ClientAddress};
use crate::error::WebError;
use crate::idempotency;
use crate::json::{parse_json, require_json};

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/dossiers", get(list).post(receive))
        .route("/api/dossiers/{code}", get(get_one))
        .route("/api/dossiers/{code}/actions", post(act))
        .route(
            "/api/dossiers/{code}/files",
            post(attach).layer(axum::extract::DefaultBodyLimit::max(21 << 20)),
        )
        .route("/api/dossiers/{code}/files/{id}", get(download))
        .route("/api/public/dossiers/{code}", get(public_status))
}

/// An applicant, as sent.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ApplicantDoc {
    /// `citizen` or `organisation`.
    #[schema(pattern = r"^(citizen|organisation)$")]
    pub kind: String,
    /// Full name.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// Citizen identity number, passport or enterprise code.
    #[schema(max_length = 64)]
    pub identity: String,
    /// Phone.
    #[schema(max_length = 64)]
    pub phone: String,
    /// E-mail (may be empty).
    #[schema(max_length = 500)]
    pub email: String,
    /// Address.
    #[schema(max_length = 500)]
    pub address: String,
}

/// A component received.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReceivedItemDoc {
    /// The document.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// `original`, `copy`, `certified_copy`, `electronic`.
    #[schema(pattern = r"^(original|copy|certified_copy|electronic)$")]
    pub form: String,
    /// Copies.
    #[schema(maximum = 1000)]
    pub copies: u32,
    /// A digitised file is attached.
    pub digitised: bool,
    /// Reused from stored data.
    pub reused: bool,
    /// The attached file's id.
    #[schema(minimum = 1)]
    pub file_id: Option<i64>,
}

/// One item a supplement request or a correction asks for.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct MissingItemDoc {
    /// The document.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// What is wrong or missing about it.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A dossier to receive (in person or by post: the clock starts) or an
/// online submission to record (it waits for the desk to accept it).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReceiveDoc {
    /// The receiving unit's code (`000.00.21.H40`).
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// The procedure's code (`1.001193`).
    #[schema(pattern = r"^[12]\.[0-9]{6}(\.[0-9A-Z]{1,8})*$", max_length = 40)]
    pub procedure: String,
    /// `in_person`, `online`, `postal`.
    #[schema(pattern = r"^(in_person|online|postal)$")]
    pub channel: String,
    /// `in_person` (default), `postal`, `online`.
    #[schema(pattern = r"^(in_person|postal|online)$")]
    pub return_method: Option<String>,
    /// Who asks.
    pub applicant: ApplicantDoc,
    /// Sets handed in (default 1).
    #[schema(minimum = 1, maximum = 100)]
    pub sets: Option<u32>,
    /// Components received (required for in-person and postal reception).
    #[schema(max_items = 200)]
    pub components: Vec<ReceivedItemDoc>,
    /// A fee lower than the catalog's (exemption at 0, reduction above),
    /// in đồng; `fee_reason` is then required.
    #[schema(minimum = 0)]
    pub fee_dong: Option<i64>,
    /// Why the fee is exempted or reduced.
    #[schema(max_length = 500)]
    pub fee_reason: Option<String>,
    /// Who hands the dossier in for the applicant, if not the applicant.
    pub representative: Option<RepresentativeDoc>,
    /// A note for the timeline.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// An authorised or legal representative who hands a dossier in.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RepresentativeDoc {
    /// Full name.
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    /// Personal identification number (12 digits) or passport.
    #[schema(max_length = 50)]
    pub identity: Option<String>,
    /// Phone.
    #[schema(max_length = 20)]
    pub phone: Option<String>,
    /// The grounds: power of attorney (number, date) or legal relation.
    #[schema(min_length = 1, max_length = 300)]
    pub basis: String,
}

/// An action on a dossier. `action` names it; the other fields are those
/// the action needs (see the descriptions); a field another action needs
/// is refused. `version` is the dossier version the caller read: a stale
/// one gets 409 and nothing changes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActionDoc {
    /// `accept_online`, `refuse_online` (reason), `return_for_correction`
    /// (missing), `hand_over` (to_step | to_unit, to_user), `complete_step`,
    /// `propose` (proposal), `request_supplement` (items, reason, guidance,
    /// deadline), `supply_supplement` (components), `request_financial_obligation`
    /// (amount_dong), `settle_financial_obligation`, `sign_result`
    /// (result_digitised, result_number, result_date), `refuse` (reason), `stop` (reason, stage,
    /// fee_settlement), `withdraw`, `record_return` (method, collector_name,
    /// collector_identity, shipment), `void` (reason), `extend` (reason,
    /// new_due, signer_name, signer_title), `reject_proposal` (reason).
    #[schema(
        pattern = r"^(accept_online|refuse_online|return_for_correction|hand_over|complete_step|propose|request_supplement|supply_supplement|request_financial_obligation|settle_financial_obligation|sign_result|refuse|stop|withdraw|record_return|void|extend|reject_proposal)$"
    )]
    pub action: String,
    /// The version read.
    #[schema(minimum = 1)]
    pub version: i64,
    /// A note for the timeline.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Why (refusals, stops, voids, extensions, supplement requests).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// Everything missing (`return_for_correction`).
    #[schema(max_items = 200)]
    pub missing: Option<Vec<MissingItemDoc>>,
    /// What is missing (`request_supplement`).
    #[schema(max_items = 200)]
    pub items: Option<Vec<MissingItemDoc>>,
    /// How to supply it (`request_supplement`).
    #[schema(max_length = 2000)]
    pub guidance: Option<String>,
    /// The applicant's deadline (`request_supplement`).
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<String>,
    /// The components as they now stand (`supply_supplement`).
    #[schema(max_items = 200)]
    pub components: Option<Vec<ReceivedItemDoc>>,
    /// What a specialist proposes (`propose`).
    #[schema(pattern = r"^(supplement|refusal|extension|financial_obligation)$")]
    pub proposal: Option<String>,
    /// The amount notified, in đồng (`request_financial_obligation`).
    #[schema(minimum = 0)]
    pub amount_dong: Option<i64>,
    /// The result is electronic; its file must be attached (`sign_result`).
    pub result_digitised: Option<bool>,
    /// The result's number and symbol (`sign_result`).
    #[schema(max_length = 100)]
    pub result_number: Option<String>,
    /// The day the result was signed, default today (`sign_result`).
    #[schema(value_type = Option<String>, format = Date)]
    pub result_date: Option<String>,
    /// The stage reached (`stop`).
    #[schema(max_length = 2000)]
    pub stage: Option<String>,
    /// How fees are settled (`stop`).
    #[schema(max_length = 2000)]
    pub fee_settlement: Option<String>,
    /// How the result went back (`record_return`).
    #[schema(pattern = r"^(in_person|postal|online)$")]
    pub method: Option<String>,
    /// Who collected it (`record_return`).
    #[schema(max_length = 500)]
    pub collector_name: Option<String>,
    /// Their identity number (`record_return`).
    #[schema(max_length = 64)]
    pub collector_identity: Option<String>,
    /// The postal shipment code (`record_return`).
    #[schema(max_length = 64)]
    pub shipment: Option<String>,
    /// Step number of the process to hand over to (default: the next).
    #[schema(minimum = 1, maximum = 100)]
    pub to_step: Option<u32>,
    /// Unit to hand over to when there is no process.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub to_unit: Option<String>,
    /// User who takes the step.
    #[schema(pattern = r"^[a-z0-9._-]{3,64}$")]
    pub to_user: Option<String>,
    /// New appointment for an extension (`2025-05-06T09:00`, local time).
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$")]
    pub new_due: Option<String>,
    /// Who signs the apology letter (`extend`).
    #[schema(max_length = 500)]
    pub signer_name: Option<String>,
    /// Their title (`extend`).
    #[schema(max_length = 500)]
    pub signer_title: Option<String>,
}

/// A dossier with its components, timeline, steps, files, deadline
/// standing and the actions the caller may take. Fields as in the
/// service's `DossierView`, flattened.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DossierDoc {
    /// Database id.
    pub id: i64,
    /// Public code.
    pub code: String,
    /// Version to name in the next action.
    pub version: i64,
    /// Status.
    pub status: String,
    /// Receipt moment (RFC 3339).
    pub received_at: Option<String>,
    /// Due moment moved only by suspensions.
    pub original_due: Option<String>,
    /// Appointment after extensions.
    pub current_due: Option<String>,
    /// `not_yet_due`, `near_due`, `overdue` while open.
    pub open_status: Option<String>,
    /// Actions the caller may take now.
    pub actions: Vec<String>,
    /// Whether the caller may attach a file (`POST …/files`) now.
    pub may_attach: bool,
    /// The representative who handed it in (`representative`) and a fee
    /// exemption or reduction (`fee_reduction`: catalog, due, reason), as
    /// reception recorded them.
    #[schema(value_type = Object)]
    pub particulars: serde_json::Value,
    /// Transitions, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
    /// Step instances.
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<serde_json::Value>,
}

/// The answer to an action.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActedDoc {
    /// The dossier after the action.
    pub dossier: DossierDoc,
    /// A warning to show (second supplement request, late apology letter).
    pub warning: Option<String>,
}

/// A page of dossiers.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PageDoc {
    /// Rows.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    /// Cursor of the next page, absent on the last.
    pub next: Option<String>,
    /// With `count=true`: how many dossiers the filters select in all, at
    /// most 10,000 (absent for `within_limit_on`/`overdue_on`, judged from
    /// each dossier's history).
    pub total: Option<u64>,
    /// With `count=true`: there are more than `total`.
    pub total_more: Option<bool>,
}

/// A page, with its total when asked.
#[derive(Serialize)]
pub struct CountedPage {
    #[serde(flatten)]
    page: Page,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_more: Option<bool>,
}

/// What the public status page shows.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PublicStatusDoc {
    /// Code.
    pub code: String,
    /// Status.
    pub status: String,
    /// Procedure.
    pub procedure_name: String,
    /// Receiving unit.
    pub unit_name: String,
    /// Receipt.
    pub received_at: Option<String>,
    /// Appointment.
    pub current_due: Option<String>,
}

/// Filters of the list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A unit's code: its subtree (default: every unit the caller sees).
    pub unit: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
    /// Procedure code.
    pub procedure: Option<String>,
    /// `in_person`, `online`, `postal`.
    pub channel: Option<String>,
    /// Appointment on or after this date.
    #[param(format = Date)]
    pub due_from: Option<String>,
    /// Appointment on or before this date.
    #[param(format = Date)]
    pub due_to: Option<String>,
    /// Received on or after this date.
    #[param(format = Date)]
    pub received_from: Option<String>,
    /// Received on or before this date.
    #[param(format = Date)]
    pub received_to: Option<String>,
    /// Ended (result ready, refused, withdrawn or stopped) on or after this date.
    #[param(format = Date)]
    pub ended_from: Option<String>,
    /// Ended on or before this date.
    #[param(format = Date)]
    pub ended_to: Option<String>,
    /// How it ended against its appointment, comma-separated: `early`, `on_time`, `late`.
    pub classification: Option<String>,
    /// With `unit`: only the dossiers its subtree received, not those it
    /// only holds (`true`; how reports count).
    pub received_only: Option<bool>,
    /// Open at the end of this date: received by then, processing not
    /// ended by then.
    #[param(format = Date)]
    pub open_on: Option<String>,
    /// Only dossiers of procedures in this sector (field), as reports
    /// group them.
    pub sector: Option<String>,
    /// With `unit`: only dossiers received by its subtree's units of this
    /// level (`central`, `province`, `district`, `commune`) on the tree of
    /// `tree_on`, as a report's level row counts them.
    pub level: Option<String>,
    /// With `unit` (`true`): only dossiers the unit itself received (with
    /// its predecessors'), as a report's row of the unit itself counts them.
    pub own: Option<bool>,
    /// The day whose unit tree `level` and `own` follow (default today).
    #[param(format = Date)]
    pub tree_on: Option<String>,
    /// Open at the end of this date and within the limit then, as the
    /// dossier's history stood (a report's column 12).
    #[param(format = Date)]
    pub within_limit_on: Option<String>,
    /// Open at the end of this date and overdue then (a report's column 13).
    #[param(format = Date)]
    pub overdue_on: Option<String>,
    /// The search box: a dossier code, an identity or phone number, or an
    /// applicant's name without diacritics, each matched by its beginning
    /// (at most 200 characters).
    pub q: Option<String>,
    /// Only near-due dossiers (`true`).
    pub near_due: Option<bool>,
    /// Only overdue dossiers (`true`).
    pub overdue: Option<bool>,
    /// Only dossiers the caller holds (`true`).
    pub mine: Option<bool>,
    /// `newest` (default; newest first by registration), `oldest`, `due`
    /// (soonest appointment first) or `due_latest` (latest first); dossiers
    /// without an appointment come last in both due orders.
    #[param(pattern = r"^(newest|oldest|due|due_latest)$")]
    pub sort: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `true`: the answer also says how many dossiers the filters select
    /// in all (`total`, counted up to 10,000; `total_more` when there are
    /// more).
    pub count: Option<bool>,
}

/// The token printed on the receipt.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParams {
    /// The token from the receipt's QR code.
    pub t: Option<String>,
}

/// The longest sector name a list filter takes (catalog fields are short).
const MAX_SECTOR_CHARS: usize = 200;

pub(crate) fn parse_list(p: ListParams) -> Result<ListQuery, WebError> {
    let statuses = match p.status.as_deref().map(str::trim) {
        None | Some("") => Vec::new(),
        Some(s) => s
            .split(',')
            .map(|x| {
                Status::parse(x.trim()).map_err(|e| WebError::invalid("status", e.to_string()))
            })
            .collect::<Result<_, _>>()?,
    };
    let channel = p
        .channel
        .as_deref()
        .map(|c| Channel::parse(c.trim()).map_err(|e| WebError::invalid("channel", e.to_string())))
        .transpose()?;
    let classifications = match p.classification.as_deref().map(str::trim) {
        None | Some("") => Vec::new(),
        Some(s) => s
            .split(',')
            .map(|x| {
                Classification::parse(x.trim()).ok_or_else(|| {
                    WebError::invalid(
                        "classification",
                        format!("{:?} is not early, on_time or late", x.trim()),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let sort = match p.sort.as_deref().map(str::trim) {
        None | Some("") => DossierSort::Newest,
        Some(s) => DossierSort::parse(s).ok_or_else(|| {
            WebError::invalid(
                "sort",
                format!("{s:?} is not newest, oldest, due or due_latest"),
            )
        })?,
    };
    let level = match p.level.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => Some(Level::parse(l).map_err(|e| WebError::invalid("level", e.to_string()))?),
    };
    let sector = p
        .sector
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if sector
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SECTOR_CHARS)
    {
        return Err(WebError::invalid(
            "sector",
            format!("longer than {MAX_SECTOR_CHARS} characters"),
        ));
    }
    let open_state_on = match (
        opt_date("within_limit_on", p.within_limit_on.as_deref())?,
        opt_date("overdue_on", p.overdue_on.as_deref())?,
    ) {
        (Some(_), Some(_)) => {
            return Err(WebError::invalid(
                "overdue_on",
                "cannot be combined with within_limit_on",
            ));
        }
        (Some(d), None) => Some((OpenState::WithinLimit, d)),
        (None, Some(d)) => Some((OpenState::Overdue, d)),
        (None, None) => None,
    };
    Ok(ListQuery {
        sector,
        level,
        own: p.own.unwrap_or(false),
        tree_on: opt_date("tree_on", p.tree_on.as_deref())?,
        open_state_on,
        unit: p.unit.filter(|u| !u.trim().is_empty()),
        statuses,
        procedure: p.procedure.filter(|u| !u.trim().is_empty()),
        channel,
        due_from: opt_date("due_from", p.due_from.as_deref())?,
        due_to: opt_date("due_to", p.due_to.as_deref())?,
        received_from: opt_date("received_from", p.received_from.as_deref())?,
        received_to: opt_date("received_to", p.received_to.as_deref())?,
        ended_from: opt_date("ended_from", p.ended_from.as_deref())?,
        ended_to: opt_date("ended_to", p.ended_to.as_deref())?,
        classifications,
        received_only: p.received_only.unwrap_or(false),
        open_on: opt_date("open_on", p.open_on.as_deref())?,
        text: p.q.filter(|q| !q.trim().is_empty()),
        near_due: p.near_due.unwrap_or(false),
        overdue: p.overdue.unwrap_or(false),
        mine: p.mine.unwrap_or(false),
        sort,
        cursor: p.cursor.filter(|c| !c.is_empty()),
        limit: p.limit,
    })
}

/// Dossiers the caller sees, newest or oldest first or by appointment, a
/// page at a time, with their total on asking.
#[utoipa::path(get, path = "/api/dossiers", tag = "dossiers", params(ListParams),
    responses((status = 200, body = PageDoc), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<ApiState>,
    auth: Authed,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<CountedPage>, WebError> {
    let cap = p
        .count
        .unwrap_or(false)
        .then_some(motcua_service::dossiers::LIST_COUNT_CAP);
    let q = parse_list(p)?;
    let (page, total) = s
        .services
        .dossiers()
        .list_counted(&auth.actor, &q, cap)
        .await?;
    Ok(Json(CountedPage {
        page,
        total: total.map(|t| t.count),
        total_more: total.map(|t| t.more),
    }))
}

/// Receives a dossier at the desk, or records an online submission.
/// Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/dossiers", tag = "dossiers", request_body = ReceiveDoc,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe"),
        ("Prefer" = Option<String>, Header, description = "`return=minimal`: answer only code, version, status, current_due and warning")),
    responses((status = 201, body = DossierDoc), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn receive(
    State(s): State<ApiState>,
    auth: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let cmd: Receive = parse_json(&body)?;
    let svc = s.services.dossiers();
    let actor = auth.actor;
    let username = actor.username.clone();
    if wants_minimal(&headers) {
        let r = idempotency::once(
            &s,
            &username,
            &headers,
            "POST /api/dossiers return=minimal",
            &body,
            StatusCode::CREATED,
            async move { Ok::<Brief, WebError>(svc.receive_brief(&actor, cmd).await?) },
        )
        .await?;
        return Ok(minimal_applied(r));
    }
    idempotency::once(
        &s,
        &username,
        &headers,
        "POST /api/dossiers",
        &body,
        StatusCode::CREATED,
        async move { Ok::<DossierView, WebError>(svc.receive(&actor, cmd).await?) },
    )
    .await
}

/// A dossier with its timeline, steps, files and the actions allowed now.
#[utoipa::path(get, path = "/api/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = DossierDoc), (status = 404, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn get_one(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
) -> Result<Json<DossierView>, WebError> {
    Ok(Json(s.services.dossiers().view(&auth.actor, &code).await?))
}

/// Takes an action on a dossier. 409 names the current status when the
/// action does not apply, or the current version when the one sent is
/// stale. Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/dossiers/{code}/actions", tag = "dossiers", request_body = ActionDoc,
    params(("code" = String, Path, description = "Dossier code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request safe"),
        ("Prefer" = Option<String>, Header, description = "`return=minimal`: answer only code, version, status, current_due and warning")),
    responses((status = 200, body = ActedDoc), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn act(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_json(&headers)?;
    let cmd: Act = parse_json(&body)?;
    let svc = s.services.dossiers();
    let actor = auth.actor;
    let username = actor.username.clone();
    if wants_minimal(&headers) {
        let route = format!("POST /api/dossiers/{code}/actions return=minimal");
        let r = idempotency::once(
            &s,
            &username,
            &headers,
            &route,
            &body,
            StatusCode::OK,
            async move { Ok::<Brief, WebError>(svc.act_brief(&actor, &code, cmd).await?) },
        )
        .await?;
        return Ok(minimal_applied(r));
    }
    let route = format!("POST /api/dossiers/{code}/actions");
    idempotency::once(
        &s,
        &username,
        &headers,
        &route,
        &body,
        StatusCode::OK,
        async move { Ok::<Acted, WebError>(svc.act(&actor, &code, cmd).await?) },
    )
    .await
}

/// Whether the caller asked for a short answer (`Prefer: return=minimal`,
/// RFC 7240): the code, version, status and appointment instead of the whole
/// dossier, which saves reading its timeline back after every change.
fn wants_minimal(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .any(|p| p.trim().eq_ignore_ascii_case("return=minimal"))
}

/// Marks an answer as shortened (RFC 7240's `Preference-Applied`).
fn minimal_applied(mut r: Response) -> Response {
    r.headers_mut().insert(
        "preference-applied",
        axum::http::HeaderValue::from_static("return=minimal"),
    );
    r
}

/// The public status of a dossier, by its code and the token on its
/// receipt. Limited per address; an unknown code and a wrong token both
/// answer 404.
#[utoipa::path(get, path = "/api/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, description = "Dossier code"), TokenParams),
    responses((status = 200, body = PublicStatusDoc), (status = 404, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub async fn public_status(
    State(s): State<ApiState>,
    ClientAddress(addr): ClientAddress,
    Path(code): Path<String>,
    ApiQuery(t): ApiQuery<TokenParams>,
) -> Result<Json<PublicStatus>, WebError> {
    s.lookups.check(&addr).map_err(|secs| {
        WebError::from(motcua_service::ServiceError::RateLimited {
            retry_after_secs: secs,
        })
    })?;
    let token = t.t.unwrap_or_default();
    Ok(Json(
        s.services.dossiers().public_status(&code, &token).await?,
    ))
}

/// What an attached file is.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// `component` (a digitised document) or `result`.
    pub kind: Option<String>,
    /// The file name.
    pub name: Option<String>,
}

/// Metadata of an attached file.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FileDoc {
    /// Id.
    pub id: i64,
    /// `component` or `result`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256 of the content.
    pub sha256: String,
}

/// Attaches a file (the raw body, with its Content-Type: PDF, JPEG, PNG or
/// XML, at most 20 MiB) to a dossier. The content must be of the declared
/// type; the body is streamed to the file store, never held whole.
#[utoipa::path(post, path = "/api/dossiers/{code}/files", tag = "dossiers", params(("code" = String, Path, description = "Dossier code"), FileParams),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 201, body = FileDoc), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn attach(
    State(s): State<ApiState>,
    auth: Authed,
    Path(code): Path<String>,
    ApiQuery(p): ApiQuery<FileParams>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<motcua_service::store::FileRecord>), WebError> {
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    // A body announced larger than the limit is refused before it is read.
    let announced = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let max = motcua_service::dossiers::MAX_FILE as u64;
    if announced.is_some_and(|n| n > max) {
        return Err(WebError::too_large(format!("at most {max} bytes")).with_field("body"));
    }
    let rec = s
        .services
        .dossiers()
        .attach_stream(
            &auth.actor,
            &code,
            p.kind.as_deref().unwrap_or(""),
            p.name.as_deref().unwrap_or(""),
            Some(&declared),
            &mut crate::stream::BodySource(body),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rec)))
}

/// Downloads an attached file.
#[utoipa::path(get, path = "/api/dossiers/{code}/files/{id}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("id" = i64, Path, description = "File id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
pub async fn download(
    State(s): State<ApiState>,
    auth: Authed,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::invalid("id", "not a file id"))?;
    let (rec, content) = s.services.dossiers().file(&auth.actor, &code, id).await?;
    Ok(file_response(&rec, content))
}

/// A stored file as a download: its checked type, an ASCII file name (the
/// browser saves it under), and no sniffing.
pub(crate) fn file_response(rec: &motcua_service::store::FileRecord, content: Vec<u8>) -> Response {
    named_download(&rec.name, &rec.content_type, content)
}

/// A download of `content` saved as `name` (in ASCII), typed
/// `content_type`, never sniffed.
pub(crate) fn named_download(name: &str, content_type: &str, content: Vec<u8>) -> Response {
    let mut r = Response::new(axum::body::Body::from(content));
    let h = r.headers_mut();
    if let Ok(v) = axum::http::HeaderValue::from_str(content_type) {
        h.insert(axum::http::header::CONTENT_TYPE, v);
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    r
}
