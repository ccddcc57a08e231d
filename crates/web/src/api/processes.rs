//! `/api/processes`, `/api/reviews`, `/api/catalog/stats`: internal processes,
//! procedure reviews with their figures, and catalog figures by level.

use crate::query::ApiQuery;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_service::procedures;
use motcua_service::store::{NewProcess, NewReview, Process, ProcessStep, Review};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{date, opt_date};
use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::ApiJson;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/processes", get(list_processes).post(create_process))
        .route("/api/reviews", get(list_reviews).post(create_review))
        .route("/api/catalog/stats", get(catalog_stats))
}

fn limit(field: String, s: &str) -> Result<TimeLimit, WebError> {
    s.parse::<TimeLimit>().map_err(|e| match e {
        motcua_domain::DomainError::Invalid { reason, .. } => WebError::invalid(field, reason),
    })
}

/// A step of a process.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepIo {
    /// What is done.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// Unit code responsible.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// Role holding the step.
    #[schema(
        pattern = r"^(desk_officer|specialist|leader|unit_admin|reform_evaluator|viewer|system_admin)$"
    )]
    pub role: String,
    /// Allotted time: `4 working_hours` or `2 working_days`.
    #[schema(pattern = r"^[1-9][0-9]{0,3} (working_hours|working_days)$")]
    pub allotted: String,
    /// Belongs to another agency (liên thông).
    #[serde(default)]
    pub external: bool,
}

/// A process to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessIn {
    /// Procedure code.
    #[schema(pattern = r"^[12]\.[0-9]{6}(\.[0-9A-Z]{1,8})*$", max_length = 40)]
    pub procedure: String,
    /// Unit code whose process it is.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub unit: String,
    /// Approving decision.
    #[schema(min_length = 1, max_length = 500)]
    pub decision: String,
    /// First day in force (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub effective_from: String,
    /// Steps in order.
    pub steps: Vec<StepIo>,
}

/// A recorded process.
#[derive(Serialize, ToSchema)]
pub struct ProcessOut {
    /// Id.
    pub id: i64,
    /// Procedure code.
    pub procedure: String,
    /// Unit id.
    pub unit_id: i64,
    /// Version per procedure and unit.
    pub version_no: u32,
    /// Decision.
    pub decision: String,
    /// First day.
    pub effective_from: String,
    /// Steps (unit given by id).
    pub steps: Vec<StepOut>,
}

/// A stored step.
#[derive(Serialize, ToSchema)]
pub struct StepOut {
    /// Name.
    pub name: String,
    /// Unit id.
    pub unit_id: i64,
    /// Role.
    pub role: String,
    /// Allotted time.
    pub allotted: String,
    /// External agency.
    pub external: bool,
}

fn process_out(p: &Process) -> ProcessOut {
    ProcessOut {
        id: p.id,
        procedure: p.procedure_code.to_string(),
        unit_id: p.unit_id,
        version_no: p.version_no,
        decision: p.decision.clone(),
        effective_from: p.effective_from.to_string(),
        steps: p
            .steps
            .iter()
            .map(|s| StepOut {
                name: s.name.clone(),
                unit_id: s.unit_id,
                role: s.role.as_str().to_owned(),
                allotted: s.allotted.to_string(),
                external: s.external,
            })
            .collect(),
    }
}

/// Records an approved internal process; the steps' allotted times must fit
/// within the procedure's legal limit.
#[utoipa::path(post, path = "/api/processes", tag = "catalog", request_body = ProcessIn,
    responses((status = 201, body = ProcessOut), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_process(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(b): ApiJson<ProcessIn>,
) -> Result<(StatusCode, Json<ProcessOut>), WebError> {
    let services = &st.services;
    let unit = services.units().find_unit("unit", &b.unit).await?;
    let mut steps = Vec::with_capacity(b.steps.len());
    for (i, s) in b.steps.iter().enumerate() {
        let step_unit = services.units().find_unit("steps.unit", &s.unit).await?;
        steps.push(ProcessStep {
            name: s.name.trim().to_owned(),
            unit_id: step_unit.id,
            role: Role::parse(&s.role)
                .map_err(|e| WebError::invalid(format!("steps[{i}].role"), e.to_string()))?,
            allotted: limit(format!("steps[{i}].allotted"), &s.allotted)?,
            external: s.external,
        });
    }
    let p = services
        .processes()
        .add_process(
            &a.actor,
            NewProcess {
                procedure_code: procedures::parse_code("procedure", &b.procedure)?,
                unit_id: unit.id,
                decision: b.decision.trim().to_owned(),
                effective_from: date("effective_from", &b.effective_from)?,
                steps,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(process_out(&p))))
}

/// Unit and date.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitOnQuery {
    /// Unit code (its subtree is included).
    pub unit: String,
    /// Date (YYYY-MM-DD), default today.
    pub on: Option<String>,
}

/// Processes in force in a unit's subtree on a date.
#[utoipa::path(get, path = "/api/processes", tag = "catalog", params(UnitOnQuery),
    responses((status = 200, body = Vec<ProcessOut>), (status = 403, body = crate::error::Problem)))]
pub async fn list_processes(
    State(st): State<ApiState>,
    a: Authed,
    ApiQuery(q): ApiQuery<UnitOnQuery>,
) -> Result<Json<Vec<ProcessOut>>, WebError> {
    let unit = st.services.units().find_unit("unit", &q.unit).await?;
    let on = opt_date("on", q.on.as_deref())?.unwrap_or_else(|| st.today());
    let list = st
        .services
        .processes()
        .processes(&a.actor, unit.id, on)
        .await?;
    Ok(Json(list.iter().map(process_out).collect()))
}

/// A review item.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIo {
    /// Unit code that reviewed.
    pub unit: String,
    /// Procedure code.
    pub procedure: String,
    /// Year of the review.
    pub year: i16,
    /// Limit before (`15 working_days`).
    pub limit_before: String,
    /// Limit after.
    pub limit_after: String,
    /// Components removed.
    #[serde(default)]
    pub components_removed: u32,
    /// Approving decision.
    pub decision: String,
    /// Date the cut takes effect.
    pub effective: String,
}

fn review_out(r: &Review, unit_code: &str) -> ReviewIo {
    ReviewIo {
        unit: unit_code.to_owned(),
        procedure: r.procedure_code.to_string(),
        year: r.year,
        limit_before: r.limit_before.to_string(),
        limit_after: r.limit_after.to_string(),
        components_removed: r.components_removed,
        decision: r.decision.clone(),
        effective: r.effective.to_string(),
    }
}

/// Records a review item (rà soát).
#[utoipa::path(post, path = "/api/reviews", tag = "catalog", request_body = ReviewIo,
    responses((status = 201, body = ReviewIo), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_review(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(b): ApiJson<ReviewIo>,
) -> Result<(StatusCode, Json<ReviewIo>), WebError> {
    let unit = st.services.units().find_unit("unit", &b.unit).await?;
    let r = st
        .services
        .processes()
        .add_review(
            &a.actor,
            NewReview {
                unit_id: unit.id,
                procedure_code: procedures::parse_code("procedure", &b.procedure)?,
                year: b.year,
                limit_before: limit("limit_before".into(), &b.limit_before)?,
                limit_after: limit("limit_after".into(), &b.limit_after)?,
                components_removed: b.components_removed,
                decision: b.decision.trim().to_owned(),
                effective: date("effective", &b.effective)?,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(review_out(&r, unit.code.as_str())),
    ))
}

/// Unit and year.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitYearQuery {
    /// Unit code (subtree included).
    pub unit: String,
    /// Year.
    pub year: i16,
}

/// Review figures: "N procedures reviewed, M days cut".
#[derive(Serialize, ToSchema)]
pub struct ReviewReport {
    /// Review items.
    pub items: Vec<ReviewIo>,
    /// Items reviewed.
    pub reviewed: u32,
    /// Days cut (working and calendar days, never converted).
    pub days_cut: i64,
    /// Of which working days.
    pub working_days_cut: i64,
    /// Of which calendar days.
    pub calendar_days_cut: i64,
    /// Hours cut, shown apart.
    pub hours_cut: i64,
    /// Months cut, shown apart.
    pub months_cut: i64,
    /// Items whose before and after limits are of different kinds.
    pub not_comparable: u32,
    /// Relative cut: days cut ÷ day-valued limits before, with its base.
    pub relative_cut: Option<String>,
}

/// Review items and figures for a unit's subtree and a year.
#[utoipa::path(get, path = "/api/reviews", tag = "catalog", params(UnitYearQuery),
    responses((status = 200, body = ReviewReport), (status = 403, body = crate::error::Problem)))]
pub async fn list_reviews(
    State(st): State<ApiState>,
    a: Authed,
    ApiQuery(q): ApiQuery<UnitYearQuery>,
) -> Result<Json<ReviewReport>, WebError> {
    let services = &st.services;
    let unit = services.units().find_unit("unit", &q.unit).await?;
    let (items, f) = services
        .processes()
        .review_report(&a.actor, unit.id, q.year)
        .await?;
    let mut out = Vec::with_capacity(items.len());
    for r in &items {
        let code = services.unit(r.unit_id).await?.code;
        out.push(review_out(r, code.as_str()));
    }
    let rc = &f.relative_cut;
    Ok(Json(ReviewReport {
        items: out,
        reviewed: f.reviewed,
        days_cut: f.days_cut,
        working_days_cut: f.working_days_cut,
        calendar_days_cut: f.calendar_days_cut,
        hours_cut: f.hours_cut,
        months_cut: f.months_cut,
        not_comparable: f.not_comparable,
        relative_cut: rc.hundredths_of_percent().map(|h| {
            format!(
                "{},{:02}% ({}/{})",
                h / 100,
                h % 100,
                rc.days_cut,
                rc.days_before
            )
        }),
    }))
}

/// Catalog figures at one level.
#[derive(Serialize, ToSchema)]
pub struct LevelCountsOut {
    /// Level.
    pub level: String,
    /// Procedures in force assigned at this level.
    pub procedures: u32,
    /// Full-process online.
    pub full_process: u32,
    /// Partial online.
    pub partial: u32,
    /// Not online.
    pub not_online: u32,
    /// With a fee.
    pub with_fee: u32,
    /// Internal processes in force.
    pub processes: u32,
}

/// Procedures by level and online level, and processes, for a unit's subtree
/// on a date ("261 district procedures: 111 full-process, 150 partial").
#[utoipa::path(get, path = "/api/catalog/stats", tag = "catalog", params(UnitOnQuery),
    responses((status = 200, body = Vec<LevelCountsOut>), (status = 403, body = crate::error::Problem)))]
pub async fn catalog_stats(
    State(st): State<ApiState>,
    a: Authed,
    ApiQuery(q): ApiQuery<UnitOnQuery>,
) -> Result<Json<Vec<LevelCountsOut>>, WebError> {
    let unit = st.services.units().find_unit("unit", &q.unit).await?;
    let on = opt_date("on", q.on.as_deref())?.unwrap_or_else(|| st.today());
    let counts = st
        .services
        .procedures()
        .catalog_stats(&a.actor, unit.id, on)
        .await?;
    Ok(Json(
        counts
            .iter()
            .map(|c| LevelCountsOut {
                level: c.level.as_str().to_owned(),
                procedures: c.procedures,
                full_process: c.full_process,
                partial: c.partial,
                not_online: c.not_online,
                with_fee: c.with_fee,
                processes: c.processes,
            })
            .collect(),
    ))
}
