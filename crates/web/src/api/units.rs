//! `/api/units/…`: the organisation tree as of any date, and its changes.

use crate::query::ApiQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::store::{MergeTarget, NewUnit, Unit, UnitChange, UnitVersion};
use motcua_service::units as svc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{date, opt_date};
use crate::api::ApiState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::json::ApiJson;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/units", get(list_units).post(create_unit))
        .route("/api/units/{code}", get(get_unit))
        .route("/api/units/{code}/changes", post(change_unit))
}

/// A unit as it stood on a date.
#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    /// Id.
    pub id: i64,
    /// Official code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind (`province`, `district`, `commune`, `desk`, …).
    pub kind: String,
    /// Level (`province`, `district`, `commune`).
    pub level: String,
    /// Parent id.
    pub parent_id: Option<i64>,
    /// First day of this state.
    pub valid_from: String,
    /// Last day of this state, if it ended.
    pub valid_to: Option<String>,
}

fn from_version(v: &UnitVersion) -> UnitOut {
    UnitOut {
        id: v.unit_id,
        code: v.code.to_string(),
        name: v.name.clone(),
        kind: v.kind.as_str().to_owned(),
        level: v.level.as_str().to_owned(),
        parent_id: v.parent_id,
        valid_from: v.valid_from.to_string(),
        valid_to: v.valid_to.map(|d| d.to_string()),
    }
}

fn from_unit(u: &Unit) -> UnitOut {
    UnitOut {
        id: u.id,
        code: u.code.to_string(),
        name: u.name.clone(),
        kind: u.kind.as_str().to_owned(),
        level: u.level.as_str().to_owned(),
        parent_id: u.parent_id,
        valid_from: u.valid_from.to_string(),
        valid_to: u.valid_to.map(|d| d.to_string()),
    }
}

/// Query for the tree.
#[derive(Deserialize, IntoParams)]
pub struct OnQuery {
    /// The date (YYYY-MM-DD); default today.
    pub on: Option<String>,
}

/// Every unit as the tree stood on a date (default today), ordered by code.
#[utoipa::path(get, path = "/api/units", tag = "units", params(OnQuery), responses((status = 200, body = Vec<UnitOut>)))]
pub async fn list_units(
    State(st): State<ApiState>,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> Result<Json<Vec<UnitOut>>, WebError> {
    let on = opt_date("on", q.on.as_deref())?.unwrap_or_else(|| st.today());
    Ok(Json(
        st.services
            .units()
            .tree_on(on)
            .await?
            .iter()
            .map(from_version)
            .collect(),
    ))
}

/// A unit with its versions and successions.
#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    /// Current state.
    pub unit: UnitOut,
    /// Every version, oldest first.
    pub versions: Vec<UnitOut>,
    /// Merges and splits from or to this unit: (predecessor id, successor id, kind, effective).
    pub successions: Vec<(i64, i64, String, String)>,
}

/// One unit by code, with its history.
#[utoipa::path(get, path = "/api/units/{code}", tag = "units", params(("code" = String, Path)),
    responses((status = 200, body = UnitDetail), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_unit(
    State(st): State<ApiState>,
    Path(code): Path<String>,
) -> Result<Json<UnitDetail>, WebError> {
    let unit = st.services.units().find_unit("code", &code).await?;
    let (versions, successions) = st.services.units().history(unit.id).await?;
    Ok(Json(UnitDetail {
        unit: from_unit(&unit),
        versions: versions.iter().map(from_version).collect(),
        successions: successions
            .iter()
            .map(|s| {
                (
                    s.predecessor_id,
                    s.successor_id,
                    s.kind.as_str().to_owned(),
                    s.effective.to_string(),
                )
            })
            .collect(),
    }))
}

/// A unit to create.
#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    /// Official code `000.00.00.H00`.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub code: String,
    /// Name.
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    /// Kind.
    #[schema(
        pattern = r"^(province|department|service_centre|district|district_office|commune|public_service_unit|central_branch|desk)$"
    )]
    pub kind: String,
    /// Level (default from the kind).
    #[schema(pattern = r"^(central|province|district|commune)$")]
    pub level: Option<String>,
    /// Parent code.
    #[schema(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")]
    pub parent: Option<String>,
    /// First day (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub valid_from: String,
}

async fn new_unit(st: &ApiState, u: &UnitIn, prefix: &str) -> Result<NewUnit, WebError> {
    let f = |n: &str| format!("{prefix}{n}");
    let code = UnitCode::parse(&u.code).map_err(|e| WebError::invalid(f("code"), e.to_string()))?;
    let kind = UnitKind::parse(&u.kind).map_err(|e| WebError::invalid(f("kind"), e.to_string()))?;
    let level = match &u.level {
        Some(l) => Level::parse(l).map_err(|e| WebError::invalid(f("level"), e.to_string()))?,
        None => svc::default_level(kind),
    };
    let parent_id = match &u.parent {
        Some(p) => Some(st.services.units().find_unit("parent", p).await?.id),
        None => None,
    };
    Ok(NewUnit {
        code,
        name: u.name.clone(),
        kind,
        level,
        parent_id,
        valid_from: date("valid_from", &u.valid_from)?,
        valid_to: None,
    })
}

/// Creates a unit (system administrators, or unit managers under the parent).
#[utoipa::path(post, path = "/api/units", tag = "units", request_body = UnitIn,
    responses((status = 201, body = UnitOut), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_unit(
    State(st): State<ApiState>,
    a: Authed,
    ApiJson(body): ApiJson<UnitIn>,
) -> Result<(StatusCode, Json<UnitOut>), WebError> {
    let unit = new_unit(&st, &body, "").await?;
    let u = st.services.units().add_unit(&a.actor, unit).await?;
    Ok((StatusCode::CREATED, Json(from_unit(&u))))
}

/// A change to the tree from a date on.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChangeIn {
    /// New name and/or code.
    Rename {
        /// New name.
        name: Option<String>,
        /// New code.
        code: Option<String>,
        /// First day (YYYY-MM-DD).
        effective: String,
    },
    /// New parent (code; none for a root) and optionally level.
    Move {
        /// New parent code.
        parent: Option<String>,
        /// New level.
        level: Option<String>,
        /// First day.
        effective: String,
    },
    /// The unit ends the day before `effective`.
    Abolish {
        /// First day without it.
        effective: String,
    },
    /// This unit and `with` merge into `into` (an existing unit code) or a new unit.
    Merge {
        /// Other units merged with this one.
        with: Vec<String>,
        /// An existing unit that absorbs them.
        into: Option<String>,
        /// Or a new unit created for the merge.
        new_unit: Option<UnitIn>,
        /// First day.
        effective: String,
    },
    /// This unit splits into new units.
    Split {
        /// The new units.
        into: Vec<UnitIn>,
        /// First day.
        effective: String,
    },
}

/// Renames, moves, abolishes, merges or splits a unit from a date on; the
/// history before the date is kept for past reports.
#[utoipa::path(post, path = "/api/units/{code}/changes", tag = "units", params(("code" = String, Path)), request_body = ChangeIn,
    responses((status = 200, body = Vec<UnitOut>), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn change_unit(
    State(st): State<ApiState>,
    a: Authed,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<ChangeIn>,
) -> Result<Json<Vec<UnitOut>>, WebError> {
    let services = &st.services;
    let unit = services.units().find_unit("code", &code).await?;
    let change = match body {
        ChangeIn::Rename {
            name,
            code,
            effective,
        } => UnitChange::Rename {
            unit_id: unit.id,
            name,
            code: code
                .map(|c| UnitCode::parse(&c))
                .transpose()
                .map_err(|e| WebError::invalid("code", e.to_string()))?,
            effective: date("effective", &effective)?,
        },
        ChangeIn::Move {
            parent,
            level,
            effective,
        } => UnitChange::Move {
            unit_id: unit.id,
            parent_id: match parent {
                Some(p) => Some(services.units().find_unit("parent", &p).await?.id),
                None => None,
            },
            level: level
                .map(|l| Level::parse(&l))
                .transpose()
                .map_err(|e| WebError::invalid("level", e.to_string()))?,
            effective: date("effective", &effective)?,
        },
        ChangeIn::Abolish { effective } => UnitChange::Abolish {
            unit_id: unit.id,
            effective: date("effective", &effective)?,
        },
        ChangeIn::Merge {
            with,
            into,
            new_unit: new,
            effective,
        } => {
            let effective = date("effective", &effective)?;
            let mut sources = vec![unit.id];
            for c in &with {
                sources.push(services.units().find_unit("with", c).await?.id);
            }
            let target = match (into, new) {
                (Some(c), None) => {
                    MergeTarget::Existing(services.units().find_unit("into", &c).await?.id)
                }
                (None, Some(u)) => {
                    let mut nu = new_unit(&st, &u, "new_unit.").await?;
                    nu.valid_from = effective;
                    MergeTarget::New(nu)
                }
                _ => {
                    return Err(WebError::invalid(
                        "into",
                        "give either `into` (an existing unit) or `new_unit`",
                    ));
                }
            };
            UnitChange::Merge {
                sources,
                target,
                effective,
            }
        }
        ChangeIn::Split { into, effective } => {
            let effective = date("effective", &effective)?;
            let mut units = Vec::new();
            for (i, u) in into.iter().enumerate() {
                let mut nu = new_unit(&st, u, &format!("into[{i}].")).await?;
                nu.valid_from = effective;
                units.push(nu);
            }
            UnitChange::Split {
                source: unit.id,
                into: units,
                effective,
            }
        }
    };
    let changed = services.units().change(&a.actor, change).await?;
    Ok(Json(changed.iter().map(from_unit).collect()))
}
