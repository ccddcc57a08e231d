//! `/quan-tri/don-vi`: the unit tree (codes, kinds, levels, validity) as it
//! stands on a date, a form to create a unit, and per unit its history with
//! a form to rename it or give it a new code from a date (the old version is
//! kept for past reports).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::store::{NewUnit, Unit, UnitChange, UnitVersion};
use motcua_service::{ServiceError, units};
use serde::Deserialize;

use super::{FieldError, Section, SectionLink, done, field, field_error, form_date, notice};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::layout::Layout;
use crate::ui::{Staff, format, render};

/// The units page.
pub const PATH: &str = "/quan-tri/don-vi";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show).post(create))
        .route("/quan-tri/don-vi/{code}", get(show_unit).post(rename))
        .route("/quan-tri/don-vi/{code}/linh-vuc", post(set_sectors))
}

#[derive(Deserialize, Default)]
struct TreeQuery {
    on: Option<String>,
    ok: Option<String>,
}

/// A unit in the tree.
struct Node {
    depth: usize,
    code: String,
    name: String,
    kind: String,
    level: String,
    validity: String,
    href: String,
}

/// An option of a select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The create form as typed.
#[derive(Default)]
struct NewForm {
    code: String,
    name: String,
    kind: String,
    level: String,
    parent: String,
    valid_from: String,
}

#[derive(Template)]
#[template(path = "admin_units.html")]
struct UnitsPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    on: String,
    nodes: Vec<Node>,
    notice: Option<String>,
    form: NewForm,
    kinds: Vec<Opt>,
    levels: Vec<Opt>,
    parents: Vec<Opt>,
    error: FieldError,
}

/// The kind of a unit in the reader's language.
pub fn kind_label(t: &Texts, k: UnitKind) -> String {
    t.get(match k {
        UnitKind::Province => "admin.kinds.province",
        UnitKind::Department => "admin.kinds.department",
        UnitKind::ServiceCentre => "admin.kinds.service_centre",
        UnitKind::District => "admin.kinds.district",
        UnitKind::DistrictOffice => "admin.kinds.district_office",
        UnitKind::Commune => "admin.kinds.commune",
        UnitKind::PublicServiceUnit => "admin.kinds.public_service_unit",
        UnitKind::CentralBranch => "admin.kinds.central_branch",
        UnitKind::Desk => "admin.kinds.desk",
    })
    .to_owned()
}

/// The tree in depth-first order, children by code.
fn ordered(versions: &[UnitVersion]) -> Vec<(usize, &UnitVersion)> {
    let mut children: HashMap<Option<i64>, Vec<&UnitVersion>> = HashMap::new();
    let ids: std::collections::HashSet<i64> = versions.iter().map(|v| v.unit_id).collect();
    for v in versions {
        // A unit whose parent is not in the tree that day shows as a root.
        let parent = v.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(v);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    }
    let mut out = Vec::with_capacity(versions.len());
    let mut stack: Vec<(usize, &UnitVersion)> = children
        .get(&None)
        .map(|r| r.iter().rev().map(|v| (0, *v)).collect())
        .unwrap_or_default();
    while let Some((depth, v)) = stack.pop() {
        out.push((depth, v));
        if depth > 32 {
            continue;
        }
        if let Some(kids) = children.get(&Some(v.unit_id)) {
            stack.extend(kids.iter().rev().map(|k| (depth + 1, *k)));
        }
    }
    out
}

fn validity(
    t: &Texts,
    staff: &Staff,
    from: jiff::civil::Date,
    to: Option<jiff::civil::Date>,
) -> String {
    let lang = staff.lang;
    match to {
        Some(to) => t.fill(
            "admin.units.valid_range",
            &[
                ("from", format::date(lang, from)),
                ("to", format::date(lang, to)),
            ],
        ),
        None => t.fill(
            "admin.units.valid_from",
            &[("from", format::date(lang, from))],
        ),
    }
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    on_text: &str,
    ok: Option<&str>,
    form: NewForm,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let now = st.services.now();
    let today = motcua_domain::time::to_local(now).date();
    let on = form_date(on_text).unwrap_or(today);
    let tree = st.services.admin().unit_tree(&staff.actor, on).await?;
    let nodes = ordered(&tree)
        .into_iter()
        .map(|(depth, v)| Node {
            depth,
            code: v.code.to_string(),
            name: v.name.clone(),
            kind: kind_label(&t, v.kind),
            level: t.get(level_key(v.level)).to_owned(),
            validity: validity(&t, staff, v.valid_from, v.valid_to),
            href: format!("{PATH}/{}", v.code),
        })
        .collect();
    let kinds = UnitKind::ALL
        .into_iter()
        .map(|k| Opt {
            value: k.as_str().to_owned(),
            label: kind_label(&t, k),
            selected: form.kind == k.as_str(),
        })
        .collect();
    let mut levels = vec![Opt {
        value: String::new(),
        label: t.get("admin.units.level_default").to_owned(),
        selected: form.level.is_empty(),
    }];
    levels.extend(Level::ALL.into_iter().map(|l| Opt {
        value: l.as_str().to_owned(),
        label: t.get(level_key(l)).to_owned(),
        selected: form.level == l.as_str(),
    }));
    let mut parents = vec![Opt {
        value: String::new(),
        label: t.get("admin.units.no_parent").to_owned(),
        selected: form.parent.is_empty(),
    }];
    parents.extend(ordered(&tree).into_iter().map(|(depth, v)| Opt {
        value: v.code.to_string(),
        label: format!("{}{} ({})", "· ".repeat(depth), v.name, v.code),
        selected: form.parent == v.code.as_str(),
    }));
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = super::layout(st, staff, Section::Units, PATH).await?;
    Ok(render(
        status,
        &UnitsPage {
            sections: super::sections(&t, staff, Some(Section::Units)),
            on: format::iso_date(on),
            nodes,
            notice: notice(&t, ok),
            form,
            kinds,
            levels,
            parents,
            error,
            t,
            layout,
        },
    ))
}

/// The catalog key of a level's name.
pub fn level_key(l: Level) -> &'static str {
    match l {
        Level::Central => "admin.levels.central",
        Level::Province => "admin.levels.province",
        Level::District => "admin.levels.district",
        Level::Commune => "admin.levels.commune",
    }
}

/// `GET /quan-tri/don-vi?on=YYYY-MM-DD`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<TreeQuery>,
) -> Result<Response, WebError> {
    page(
        &st,
        &staff,
        q.on.as_deref().unwrap_or(""),
        q.ok.as_deref(),
        NewForm::default(),
        FieldError::default(),
    )
    .await
}

/// The service fields of a unit and their form fields and messages.
const UNIT_FIELDS: &[(&str, &str, &str)] = &[
    ("code", "code", "admin.units.err_code"),
    ("name", "name", "admin.units.err_name"),
    ("kind", "kind", "admin.units.err_kind"),
    ("level", "level", "admin.units.err_level"),
    ("parent_id", "parent", "admin.units.err_parent"),
    ("parent", "parent", "admin.units.err_parent"),
    ("valid_from", "valid_from", "admin.units.err_valid_from"),
    ("valid_to", "valid_from", "admin.units.err_valid_from"),
    ("unit", "code", "admin.units.err_exists"),
];

/// `POST /quan-tri/don-vi`: creates a unit.
async fn create(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let form = NewForm {
        code: field(&fields, "code"),
        name: field(&fields, "name"),
        kind: field(&fields, "kind"),
        level: field(&fields, "level"),
        parent: field(&fields, "parent"),
        valid_from: field(&fields, "valid_from"),
    };
    let result = async {
        let code = UnitCode::parse(&form.code)
            .map_err(|e| ServiceError::invalid("code", e.to_string()))?;
        let kind = UnitKind::parse(&form.kind)
            .map_err(|e| ServiceError::invalid("kind", e.to_string()))?;
        let level = if form.level.is_empty() {
            units::default_level(kind)
        } else {
            Level::parse(&form.level).map_err(|e| ServiceError::invalid("level", e.to_string()))?
        };
        let parent_id = if form.parent.is_empty() {
            None
        } else {
            Some(
                st.services
                    .units()
                    .find_unit("parent", &form.parent)
                    .await?
                    .id,
            )
        };
        let valid_from = form_date(&form.valid_from)
            .ok_or_else(|| ServiceError::invalid("valid_from", "not a date"))?;
        st.services
            .units()
            .add_unit(
                &staff.actor,
                NewUnit {
                    code,
                    name: form.name.clone(),
                    kind,
                    level,
                    parent_id,
                    valid_from,
                    valid_to: None,
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(done(PATH, "created")),
        Err(ServiceError::Conflict(_)) => {
            let error = FieldError {
                field: "code".to_owned(),
                message: t.get("admin.units.err_exists").to_owned(),
            };
            page(&st, &staff, "", None, form, error).await
        }
        Err(ServiceError::NotFound { .. }) => {
            let error = FieldError {
                field: "parent".to_owned(),
                message: t.get("admin.units.err_parent").to_owned(),
            };
            page(&st, &staff, "", None, form, error).await
        }
        Err(e) => {
            let error = field_error(&t, e, UNIT_FIELDS)?;
            page(&st, &staff, "", None, form, error).await
        }
    }
}

/// A version of a unit in its history.
struct VersionRow {
    code: String,
    name: String,
    kind: String,
    validity: String,
}

#[derive(Template)]
#[template(path = "admin_unit.html")]
struct UnitPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    code: String,
    name: String,
    versions: Vec<VersionRow>,
    notice: Option<String>,
    new_name: String,
    new_code: String,
    effective: String,
    error: FieldError,
    /// The fields the office handles, for an office whose processes the
    /// reader manages (issue 18, point 3).
    sectors: Option<Vec<Opt>>,
}

/// The fields an office may handle, ticked where it does: the catalog's
/// and any set before that the catalog no longer has.
async fn sector_choices(
    st: &StaffState,
    staff: &Staff,
    unit: &Unit,
) -> Result<Option<Vec<Opt>>, WebError> {
    if !motcua_service::routing::is_office(unit.kind)
        || !staff
            .actor
            .may(motcua_service::access::Permission::ManageProcesses, unit.id)
    {
        return Ok(None);
    }
    let services = &st.services;
    let set = services.routing().unit_sectors(unit.id).await?;
    let mut all = services.stats().catalog_sectors().await?;
    for s in &set {
        if !all.contains(s) {
            all.push(s.clone());
        }
    }
    Ok(Some(
        all.into_iter()
            .map(|s| Opt {
                selected: set.contains(&s),
                label: s.clone(),
                value: s,
            })
            .collect(),
    ))
}

/// `POST /quan-tri/don-vi/{code}/linh-vuc`: the fields an office handles.
async fn set_sectors(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let unit = st.services.units().find_unit("code", &code).await?;
    let sectors: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "sector")
        .map(|(_, v)| v.clone())
        .collect();
    st.services
        .routing()
        .set_unit_sectors(&staff.actor, unit.id, &sectors)
        .await?;
    Ok(done(&format!("{PATH}/{}", unit.code), "saved"))
}

async fn unit_page(
    st: &StaffState,
    staff: &Staff,
    code: &str,
    ok: Option<&str>,
    typed: (String, String, String),
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    st.services.admin().require_admin(&staff.actor).await?;
    let unit = st.services.units().find_unit("code", code).await?;
    let (versions, _) = st.services.units().history(unit.id).await?;
    let rows = versions
        .iter()
        .map(|v| VersionRow {
            code: v.code.to_string(),
            name: v.name.clone(),
            kind: kind_label(&t, v.kind),
            validity: validity(&t, staff, v.valid_from, v.valid_to),
        })
        .collect();
    let here = format!("{PATH}/{}", unit.code);
    let sectors = sector_choices(st, staff, &unit).await?;
    let layout = super::layout(st, staff, Section::Units, &here).await?;
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (new_name, new_code, effective) = typed;
    Ok(render(
        status,
        &UnitPage {
            sections: super::sections(&t, staff, Some(Section::Units)),
            code: unit.code.to_string(),
            new_name: if new_name.is_empty() && error.message.is_empty() {
                unit.name.clone()
            } else {
                new_name
            },
            name: unit.name,
            versions: rows,
            notice: notice(&t, ok),
            new_code,
            effective,
            error,
            sectors,
            t,
            layout,
        },
    ))
}

/// `GET /quan-tri/don-vi/{code}`.
async fn show_unit(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<TreeQuery>,
) -> Result<Response, WebError> {
    unit_page(
        &st,
        &staff,
        &code,
        q.ok.as_deref(),
        (String::new(), String::new(), String::new()),
        FieldError::default(),
    )
    .await
}

/// `POST /quan-tri/don-vi/{code}`: a new name and/or code from a date.
async fn rename(
    State(st): State<StaffState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let unit = st.services.units().find_unit("code", &code).await?;
    let typed = (
        field(&fields, "name"),
        field(&fields, "new_code"),
        field(&fields, "effective"),
    );
    let result = async {
        let new_code = if typed.1.is_empty() {
            None
        } else {
            Some(
                UnitCode::parse(&typed.1)
                    .map_err(|e| ServiceError::invalid("code", e.to_string()))?,
            )
        };
        let name = (!typed.0.is_empty() && typed.0 != unit.name).then(|| typed.0.clone());
        let effective =
            form_date(&typed.2).ok_or_else(|| ServiceError::invalid("effective", "not a date"))?;
        st.services
            .units()
            .change(
                &staff.actor,
                UnitChange::Rename {
                    unit_id: unit.id,
                    name,
                    code: new_code,
                    effective,
                },
            )
            .await
    }
    .await;
    match result {
        Ok(changed) => {
            let code = changed.first().map(|u| u.code.to_string()).unwrap_or(code);
            Ok(done(&format!("{PATH}/{code}"), "saved"))
        }
        Err(e) => {
            let error = field_error(
                &t,
                e,
                &[
                    ("code", "new_code", "admin.units.err_code"),
                    ("name", "name", "admin.units.err_rename"),
                    ("effective", "effective", "admin.units.err_effective"),
                ],
            )?;
            unit_page(&st, &staff, &code, None, typed, error).await
        }
    }
}
