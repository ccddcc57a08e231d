//! `/api/procedures/…`: the catalog. Reading is public (procedures must be
//! published); changing needs the catalog keeper's role.

use crate::query::ApiQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use motcua_domain::catalog::{
    ApplicantKind, Component, ComponentForm, Money, OnlineLevel, ProcedureCode, ProcedureDraft,
    Requirement, ResultType,
};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::search::SearchHit;
use motcua_domain::unit::Level;
use motcua_service::store::{ProcedureFilter, ProcedureVersion};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{date, opt_date};
use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::ApiJson;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/procedures", get(list).post(create))
        .route("/api/procedures/search", get(search))
        .route("/api/procedures/{code}", get(get_one))
        .route(
            "/api/procedures/{code}/versions",
            get(versions).post(add_version),
        )
        .route("/api/procedures/{code}/units/{unit}", post(assign))
        .route("/api/procedures/{code}/units/{unit}", delete(unassign))
        .route(
            "/api/procedures/{code}/templates/{name}",
            put(put_template).layer(axum::extract::DefaultBodyLimit::max(
                motcua_service::templates::MAX_TEMPLATE_BYTES,
            )),
        )
}

/// The name a template file is saved under.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateParams {
    /// The file's name, e.g. `to-khai-dang-ky-khai-sinh.docx` (its
    /// extension tells Word and Excel files apart).
    #[param(min_length = 1, max_length = 200)]
    pub file_name: String,
}

/// Puts the file of a form template of a procedure (the name a component
/// gives as its form template), replacing any earlier one; the portal's
/// procedure page then offers it. PDF, DOC, DOCX, XLS, XLSX or ODT, told by
/// the content, at most 10 MiB. Catalog keepers only.
#[utoipa::path(put, path = "/api/procedures/{code}/templates/{name}", tag = "catalog",
    params(("code" = String, Path, description = "Procedure code"), ("name" = String, Path, description = "The template's name as the components give it"), TemplateParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_template(
    State(s): State<ApiState>,
    auth: Authed,
    Path((code, name)): Path<(String, String)>,
    ApiQuery(p): ApiQuery<TemplateParams>,
    body: axum::body::Bytes,
) -> Result<Json<motcua_service::store::TemplateFile>, WebError> {
    Ok(Json(
        s.services
            .procedures()
            .put_template(&auth.actor, &code, &name, &p.file_name, &body)
            .await?,
    ))
}

/// A component of the dossier a procedure requires.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ComponentIo {
    /// Name.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// `original`, `copy`, `certified_copy`, `original_or_copy`.
    #[schema(pattern = r"^(original|copy|certified_copy|original_or_copy)$")]
    pub form: String,
    /// Copies (1–20).
    #[schema(minimum = 1, maximum = 20)]
    pub copies: u8,
    /// `mandatory`, `optional`, `conditional`.
    #[schema(pattern = r"^(mandatory|optional|conditional)$")]
    pub requirement: String,
    /// Must be digitised at reception.
    pub must_digitise: bool,
    /// Form template to download.
    #[schema(max_length = 500)]
    pub form_template: Option<String>,
}

/// A procedure version as sent and received.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProcedureIo {
    /// Code (`1.001193`); in the path for new versions.
    #[schema(pattern = r"^[12]\.[0-9]{6}(\.[0-9A-Z]{1,8})*$", max_length = 40)]
    pub code: String,
    /// Name.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// Field (lĩnh vực).
    #[schema(min_length = 1, max_length = 500)]
    pub field: String,
    /// Levels: `province`, `district`, `commune`.
    pub levels: Vec<String>,
    /// Implementing agency.
    #[schema(max_length = 500)]
    pub agency: String,
    /// Legal limit: `5 working_days`, `15 calendar_days`, `8 working_hours`, `3 months`, `same_day`, `none`.
    #[schema(
        pattern = r"^([1-9][0-9]{0,3} (working_days|calendar_days|working_hours|months)|same_day|none)$"
    )]
    pub time_limit: String,
    /// Shorter limit for online submissions.
    #[schema(
        pattern = r"^([1-9][0-9]{0,3} (working_days|calendar_days|working_hours|months)|same_day|none)$"
    )]
    pub online_time_limit: Option<String>,
    /// `none`, `partial`, `full_process`.
    #[schema(pattern = r"^(none|partial|full_process)$")]
    pub online_level: String,
    /// Fee in đồng.
    #[schema(minimum = 0)]
    pub fee: i64,
    /// Fee details.
    #[serde(default)]
    pub fee_note: String,
    /// `decision`, `certificate`, `licence`, `reply`, `certified_copy`, `other`.
    #[schema(pattern = r"^(decision|certificate|licence|reply|certified_copy|other)$")]
    pub result_type: String,
    /// Legal basis.
    #[serde(default)]
    pub legal_basis: String,
    /// `citizen`, `organisation`, `both`.
    #[schema(pattern = r"^(citizen|organisation|both)$")]
    pub applicant: String,
    /// First day in force (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub effective_from: String,
    /// Components in order.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub components: Vec<ComponentIo>,
    /// Version number (answers only).
    #[serde(default, deserialize_with = "answers_only")]
    #[schema(read_only)]
    pub version_no: u32,
    /// Last day in force (answers only).
    #[serde(default, deserialize_with = "answers_only")]
    #[schema(read_only)]
    pub effective_to: Option<String>,
}

/// Refuses, naming the field, a value only answers carry. (Not
/// `skip_deserializing`: utoipa would then leave the field out of the
/// document, whose answers it is in.)
fn answers_only<'de, D: serde::Deserializer<'de>, T>(_: D) -> Result<T, D::Error> {
    Err(serde::de::Error::custom(
        "is set by the server: leave it out",
    ))
}

fn bad(field: String) -> impl Fn(motcua_domain::DomainError) -> WebError {
    move |e| match e {
        motcua_domain::DomainError::Invalid { reason, .. } => {
            WebError::invalid(field.clone(), reason)
        }
    }
}

fn limit(field: &str, s: &str) -> Result<TimeLimit, WebError> {
    s.parse::<TimeLimit>().map_err(bad(field.to_owned()))
}

fn to_draft(p: ProcedureIo) -> Result<ProcedureDraft, WebError> {
    let levels = p
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| Level::parse(l).map_err(bad(format!("levels[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    let components = p
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(Component {
                name: c.name.trim().to_owned(),
                form: ComponentForm::parse(&c.form)
                    .map_err(bad(format!("components[{i}].form")))?,
                copies: c.copies,
                requirement: Requirement::parse(&c.requirement)
                    .map_err(bad(format!("components[{i}].requirement")))?,
                must_digitise: c.must_digitise,
                form_template: c.form_template.clone().filter(|t| !t.trim().is_empty()),
            })
        })
        .collect::<Result<Vec<_>, WebError>>()?;
    let draft = ProcedureDraft {
        code: ProcedureCode::parse(&p.code).map_err(bad("code".into()))?,
        name: p.name.trim().to_owned(),
        field: p.field.trim().to_owned(),
        levels,
        agency: p.agency.trim().to_owned(),
        time_limit: limit("time_limit", &p.time_limit)?,
        online_time_limit: p
            .online_time_limit
            .as_deref()
            .map(|s| limit("online_time_limit", s))
            .transpose()?,
        online_level: OnlineLevel::parse(&p.online_level).map_err(bad("online_level".into()))?,
        fee: Money::dong(p.fee).map_err(bad("fee".into()))?,
        fee_note: p.fee_note.trim().to_owned(),
        result_type: ResultType::parse(&p.result_type).map_err(bad("result_type".into()))?,
        legal_basis: p.legal_basis.trim().to_owned(),
        applicant: ApplicantKind::parse(&p.applicant).map_err(bad("applicant".into()))?,
        effective_from: date("effective_from", &p.effective_from)?,
        components,
    };
    draft.validate().map_err(|e| match e {
        motcua_domain::DomainError::Invalid { field, reason } => WebError::invalid(field, reason),
    })?;
    Ok(draft)
}

/// The answer form of a stored version.
pub fn from_version(v: &ProcedureVersion) -> ProcedureIo {
    let d = &v.draft;
    ProcedureIo {
        code: d.code.to_string(),
        name: d.name.clone(),
        field: d.field.clone(),
        levels: d.levels.iter().map(|l| l.as_str().to_owned()).collect(),
        agency: d.agency.clone(),
        time_limit: d.time_limit.to_string(),
        online_time_limit: d.online_time_limit.map(|l| l.to_string()),
        online_level: d.online_level.as_str().to_owned(),
        fee: d.fee.get(),
        fee_note: d.fee_note.clone(),
        result_type: d.result_type.as_str().to_owned(),
        legal_basis: d.legal_basis.clone(),
        applicant: d.applicant.as_str().to_owned(),
        effective_from: d.effective_from.to_string(),
        components: d
            .components
            .iter()
            .map(|c| ComponentIo {
                name: c.name.clone(),
                form: c.form.as_str().to_owned(),
                copies: c.copies,
                requirement: c.requirement.as_str().to_owned(),
                must_digitise: c.must_digitise,
                form_template: c.form_template.clone(),
            })
            .collect(),
        version_no: v.version_no,
        effective_to: v.effective_to.map(|d| d.to_string()),
    }
}

/// Filters for lists and search.
#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct FilterQuery {
    /// Search text (search only).
    pub q: Option<String>,
    /// Versions in force on this date (YYYY-MM-DD).
    pub on: Option<String>,
    /// Level: `province`, `district`, `commune`.
    pub level: Option<String>,
    /// Field, exactly.
    pub field: Option<String>,
    /// `none`, `partial`, `full_process`.
    pub online_level: Option<String>,
    /// Only procedures assigned to this unit (code).
    pub unit: Option<String>,
    /// The last code of the previous page.
    pub after: Option<String>,
    /// Page size (1–500; search 1–100).
    pub limit: Option<u32>,
}

async fn filter(st: &ApiState, q: &FilterQuery) -> Result<ProcedureFilter, WebError> {
    Ok(ProcedureFilter {
        on: opt_date("on", q.on.as_deref())?,
        level: q
            .level
            .as_deref()
            .map(Level::parse)
            .transpose()
            .map_err(bad("level".into()))?,
        field: q.field.clone(),
        online_level: q
            .online_level
            .as_deref()
            .map(OnlineLevel::parse)
            .transpose()
            .map_err(bad("online_level".into()))?,
        unit_ids: match &q.unit {
            Some(c) => vec![st.services.units().find_unit("unit", c).await?.id],
            None => Vec::new(),
        },
    })
}

/// A page of procedures.
#[derive(Serialize, ToSchema)]
pub struct ProcedurePage {
    /// Procedures in code order.
    pub items: Vec<ProcedureIo>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Procedures in code order, filtered, a page at a time.
#[utoipa::path(get, path = "/api/procedures", tag = "procedures", params(FilterQuery),
    responses((status = 200, body = ProcedurePage), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    State(st): State<ApiState>,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Json<ProcedurePage>, WebError> {
    let f = filter(&st, &q).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = st
        .services
        .procedures()
        .list(&f, q.after.clone(), limit)
        .await?;
    let next = if items.len() as u32 == limit {
        items.last().map(|v| v.draft.code.to_string())
    } else {
        None
    };
    Ok(Json(ProcedurePage {
        items: items.iter().map(from_version).collect(),
        next,
    }))
}

/// A search result.
#[derive(Serialize, ToSchema)]
pub struct HitOut {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Field.
    pub field: String,
    /// Relevance (higher is better).
    pub score: u32,
}

fn hit(h: &SearchHit) -> HitOut {
    HitOut {
        code: h.code.clone(),
        name: h.name.clone(),
        field: h.field.clone(),
        score: h.score,
    }
}

/// Ranked search that forgives missing diacritics, case and small typos
/// ("giay phep xay dung" finds "Cấp giấy phép xây dựng").
#[utoipa::path(get, path = "/api/procedures/search", tag = "procedures", params(FilterQuery),
    responses((status = 200, body = Vec<HitOut>), (status = 422, body = crate::error::Problem)))]
pub async fn search(
    State(st): State<ApiState>,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Json<Vec<HitOut>>, WebError> {
    let f = filter(&st, &q).await?;
    let text = q.q.clone().unwrap_or_default();
    let hits = st
        .services
        .procedures()
        .search(&text, &f, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(hits.iter().map(hit).collect()))
}

/// Date query.
#[derive(Deserialize, IntoParams)]
pub struct OnQuery {
    /// Version in force on this date (default: latest).
    pub on: Option<String>,
}

/// One procedure (the version in force on `on`, or the latest).
#[utoipa::path(get, path = "/api/procedures/{code}", tag = "procedures", params(("code" = String, Path), OnQuery),
    responses((status = 200, body = ProcedureIo), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_one(
    State(st): State<ApiState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> Result<Json<ProcedureIo>, WebError> {
    let on = opt_date("on", q.on.as_deref())?;
    Ok(Json(from_version(
        &st.services.procedures().get(&code, on).await?,
    )))
}

/// Every version of a procedure, oldest first.
#[utoipa::path(get, path = "/api/procedures/{code}/versions", tag = "procedures", params(("code" = String, Path)),
    responses((status = 200, body = Vec<ProcedureIo>), (status = 404, body = crate::error::Problem)))]
pub async fn versions(
    State(st): State<ApiState>,
    Path(code): Path<String>,
) -> Result<Json<Vec<ProcedureIo>>, WebError> {
    Ok(Json(
        st.services
            .procedures()
            .versions(&code)
            .await?
            .iter()
            .map(from_version)
            .collect(),
    ))
}

/// Adds a procedure with its first version.
#[utoipa::path(post, path = "/api/procedures", tag = "procedures", request_body = ProcedureIo,
    responses((status = 201, body = ProcedureIo), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(body): ApiJson<ProcedureIo>,
) -> Result<(StatusCode, Json<ProcedureIo>), WebError> {
    let draft = to_draft(body)?;
    let v = st.services.procedures().create(&a.actor, draft).await?;
    Ok((StatusCode::CREATED, Json(from_version(&v))))
}

/// Adds a version from its `effective_from`; the dossiers received before keep theirs.
#[utoipa::path(post, path = "/api/procedures/{code}/versions", tag = "procedures", params(("code" = String, Path)), request_body = ProcedureIo,
    responses((status = 201, body = ProcedureIo), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_version(
    State(st): State<ApiState>,
    a: Authed,
    Path(code): Path<String>,
    ApiJson(mut body): ApiJson<ProcedureIo>,
) -> Result<(StatusCode, Json<ProcedureIo>), WebError> {
    body.code = code;
    let draft = to_draft(body)?;
    let v = st
        .services
        .procedures()
        .add_version(&a.actor, draft)
        .await?;
    Ok((StatusCode::CREATED, Json(from_version(&v))))
}

/// Assigns a procedure to a unit that handles it.
#[utoipa::path(post, path = "/api/procedures/{code}/units/{unit}", tag = "procedures", params(("code" = String, Path), ("unit" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn assign(
    State(st): State<ApiState>,
    a: Authed,
    Path((code, unit)): Path<(String, String)>,
) -> Result<StatusCode, WebError> {
    let u = st.services.units().find_unit("unit", &unit).await?;
    st.services
        .procedures()
        .assign(&a.actor, &code, u.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an assignment.
#[utoipa::path(delete, path = "/api/procedures/{code}/units/{unit}", tag = "procedures", params(("code" = String, Path), ("unit" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn unassign(
    State(st): State<ApiState>,
    a: Authed,
    Path((code, unit)): Path<(String, String)>,
) -> Result<StatusCode, WebError> {
    let u = st.services.units().find_unit("unit", &unit).await?;
    st.services
        .procedures()
        .unassign(&a.actor, &code, u.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
