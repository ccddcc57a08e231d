//! `/api/units/{code}/sectors` and `/api/default-processes`: routing for
//! procedures without an internal process (issue 18, point 3): the fields
//! each office handles, and default processes per field and level.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::catalog::routing::{Allotment, DefaultProcess, DefaultStep, StepPlace};
use motcua_domain::role::Role;
use motcua_domain::unit::Level;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::ApiJson;
use crate::query::ApiQuery;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/units/{code}/sectors",
            get(get_sectors).put(put_sectors),
        )
        .route(
            "/api/default-processes",
            get(list_defaults).put(put_default).delete(delete_default),
        )
}

/// The fields (lĩnh vực) an office handles.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectorsIo {
    /// Field names as the catalog writes them ("Hộ tịch").
    #[schema(max_items = 100)]
    pub sectors: Vec<String>,
}

/// The fields an office handles.
#[utoipa::path(get, path = "/api/units/{code}/sectors", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = SectorsIo), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_sectors(
    State(st): State<ApiState>,
    a: Authed,
    Path(code): Path<String>,
) -> Result<Json<SectorsIo>, WebError> {
    let services = &st.services;
    let unit = services.units().find_unit("code", &code).await?;
    let sectors = services.routing().sectors_of(&a.actor, unit.id).await?;
    Ok(Json(SectorsIo { sectors }))
}

/// Sets the fields an office handles (an empty list clears them); a
/// hand-over of a dossier without a process offers the offices handling
/// its procedure's field.
#[utoipa::path(put, path = "/api/units/{code}/sectors", tag = "catalog", params(("code" = String, Path)), request_body = SectorsIo,
    responses((status = 200, body = SectorsIo), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_sectors(
    State(st): State<ApiState>,
    a: Authed,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<SectorsIo>,
) -> Result<Json<SectorsIo>, WebError> {
    let services = &st.services;
    let unit = services.units().find_unit("code", &code).await?;
    let sectors = services
        .routing()
        .set_unit_sectors(&a.actor, unit.id, &b.sectors)
        .await?;
    Ok(Json(SectorsIo { sectors }))
}

/// A step of a default process.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultStepIo {
    /// What is done.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Where: the receiving desk, the office handling the field, or the
    /// People's Committee at the head of the tree.
    #[schema(pattern = r"^(desk|office|head)$")]
    pub place: String,
    /// Who holds it.
    #[schema(pattern = r"^(desk_officer|specialist|leader)$")]
    pub role: String,
    /// `4 working_hours`, `1 working_days`, or `rest` (what the
    /// procedure's limit leaves after the other steps; one step at most).
    #[schema(pattern = r"^(rest|[1-9][0-9]{0,3} (working_hours|working_days))$")]
    pub allotted: String,
}

/// A default process for a field at a level.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultProcessIo {
    /// The field.
    #[schema(min_length = 1, max_length = 200)]
    pub sector: String,
    /// The level of the receiving units.
    #[schema(pattern = r"^(central|province|district|commune)$")]
    pub level: String,
    /// The steps in order (1 to 10).
    #[schema(min_items = 1, max_items = 10)]
    pub steps: Vec<DefaultStepIo>,
}

fn out(p: &DefaultProcess) -> DefaultProcessIo {
    DefaultProcessIo {
        sector: p.sector.clone(),
        level: p.level.as_str().to_owned(),
        steps: p
            .steps
            .iter()
            .map(|s| DefaultStepIo {
                name: s.name.clone(),
                place: s.place.as_str().to_owned(),
                role: s.role.as_str().to_owned(),
                allotted: s.allotted.as_text(),
            })
            .collect(),
    }
}

/// Reads a default process from its input, naming the field at fault.
pub fn parse_default(b: &DefaultProcessIo) -> Result<DefaultProcess, WebError> {
    let level = Level::parse(&b.level).map_err(|e| WebError::invalid("level", e.to_string()))?;
    if b.steps.len() > motcua_domain::catalog::routing::MAX_DEFAULT_STEPS {
        return Err(WebError::invalid("steps", "at most 10 steps"));
    }
    let mut steps = Vec::with_capacity(b.steps.len());
    for (i, s) in b.steps.iter().enumerate() {
        let bad = |part: &str, e: motcua_domain::DomainError| {
            WebError::invalid(format!("steps[{i}].{part}"), e.to_string())
        };
        steps.push(DefaultStep {
            name: s.name.clone(),
            place: StepPlace::parse(&s.place).map_err(|e| bad("place", e))?,
            role: Role::parse(&s.role).map_err(|e| bad("role", e))?,
            allotted: Allotment::parse(&s.allotted).map_err(|e| bad("allotted", e))?,
        });
    }
    Ok(DefaultProcess {
        sector: b.sector.clone(),
        level,
        steps,
    })
}

/// Every default process.
#[utoipa::path(get, path = "/api/default-processes", tag = "catalog",
    responses((status = 200, body = Vec<DefaultProcessIo>), (status = 403, body = crate::error::Problem)))]
pub async fn list_defaults(
    State(st): State<ApiState>,
    a: Authed,
) -> Result<Json<Vec<DefaultProcessIo>>, WebError> {
    let list = st.services.routing().list_defaults(&a.actor).await?;
    Ok(Json(list.iter().map(out).collect()))
}

/// Sets the default process of a field and level (replacing one there):
/// dossiers of procedures in that field, received at units of that level
/// and without an internal process, follow it from their next hand-over.
#[utoipa::path(put, path = "/api/default-processes", tag = "catalog", request_body = DefaultProcessIo,
    responses((status = 200, body = DefaultProcessIo), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_default(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(b): ApiJson<DefaultProcessIo>,
) -> Result<Json<DefaultProcessIo>, WebError> {
    let p = parse_default(&b)?;
    let saved = st.services.routing().set_default(&a.actor, p).await?;
    Ok(Json(out(&saved)))
}

/// Which default process.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DefaultKey {
    /// The field.
    pub sector: String,
    /// The level.
    pub level: String,
}

/// Removes the default process of a field and level.
#[utoipa::path(delete, path = "/api/default-processes", tag = "catalog", params(DefaultKey),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn delete_default(
    State(st): State<ApiState>,
    a: Authed,
    ApiQuery(q): ApiQuery<DefaultKey>,
) -> Result<StatusCode, WebError> {
    let level = Level::parse(&q.level).map_err(|e| WebError::invalid("level", e.to_string()))?;
    st.services
        .routing()
        .remove_default(&a.actor, &q.sector, level)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
