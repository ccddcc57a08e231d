//! The default processes per field and level on the processes page
//! (issue 18, point 3): listed for everyone who sees the page, set and
//! removed by whoever may (a system administrator, or someone managing
//! processes on every root). A template's steps are rows: name, place (the
//! desk, the office handling the field, the People's Committee at the
//! head), role and time (working hours, working days, or the rest of the
//! procedure's limit).

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use motcua_domain::catalog::routing::{Allotment, DefaultProcess, DefaultStep, StepPlace};
use motcua_domain::role::Role;
use motcua_domain::unit::Level;
use motcua_service::ServiceError;

use super::super::units::Opt;
use super::super::users::role_key;
use super::super::{FieldError, done, field, field_error};
use super::{FORM_ROWS, PATH, TypedStep, row_of, row_time, typed_steps};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::Staff;
use crate::ui::StaffState;
use crate::ui::dossier::limit_label;

/// Where a default process is set.
pub const SET_PATH: &str = "/quan-tri/quy-trinh/mac-dinh";
/// Where one is removed.
pub const REMOVE_PATH: &str = "/quan-tri/quy-trinh/mac-dinh/xoa";

pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(SET_PATH, post(set))
        .route(REMOVE_PATH, post(remove))
}

/// The form as typed.
#[derive(Default)]
pub struct Typed {
    pub sector: String,
    pub level: String,
    pub steps: Vec<TypedStep>,
}

/// A stored default, as listed.
pub struct Row {
    pub sector: String,
    pub level: String,
    pub level_label: String,
    pub steps: Vec<RowStep>,
}

pub struct RowStep {
    pub name: String,
    pub place: String,
    pub role: String,
    pub allotted: String,
}

/// What the page shows of the default processes.
pub struct Section {
    pub rows: Vec<Row>,
    pub may_edit: bool,
    pub typed: Typed,
    pub error: FieldError,
    /// The catalog's fields, for the form's list.
    pub sectors: Vec<String>,
    pub levels: Vec<Opt>,
    pub places: Vec<Opt>,
}

fn place_key(p: StepPlace) -> &'static str {
    match p {
        StepPlace::Desk => "admin.defaults.place_desk",
        StepPlace::Office => "admin.defaults.place_office",
        StepPlace::Head => "admin.defaults.place_head",
    }
}

fn level_key(l: Level) -> &'static str {
    match l {
        Level::Central => "admin.defaults.level_central",
        Level::Province => "admin.defaults.level_province",
        Level::District => "admin.defaults.level_district",
        Level::Commune => "admin.defaults.level_commune",
    }
}

/// The section for the page; `typed` re-shows a refused form.
pub async fn section(
    st: &StaffState,
    staff: &Staff,
    typed: Option<(Typed, FieldError)>,
) -> Result<Section, WebError> {
    let t = staff.lang.texts();
    let services = &st.services;
    let list = services.routing().list_defaults(&staff.actor).await?;
    let may_edit = services.routing().may_set_defaults(&staff.actor).await?;
    let rows = list
        .iter()
        .map(|p| Row {
            sector: p.sector.clone(),
            level: p.level.as_str().to_owned(),
            level_label: t.get(level_key(p.level)).to_owned(),
            steps: p
                .steps
                .iter()
                .map(|s| RowStep {
                    name: s.name.clone(),
                    place: t.get(place_key(s.place)).to_owned(),
                    role: t.get(role_key(s.role)).to_owned(),
                    allotted: match s.allotted {
                        Allotment::Fixed(l) => limit_label(&t, l),
                        Allotment::Rest => t.get("admin.defaults.rest").to_owned(),
                    },
                })
                .collect(),
        })
        .collect();
    let (typed, error) = typed.unwrap_or_else(|| (blank(), FieldError::default()));
    let sectors = if may_edit {
        services.stats().catalog_sectors().await?
    } else {
        Vec::new()
    };
    Ok(Section {
        rows,
        may_edit,
        levels: [Level::Commune, Level::Province, Level::District]
            .into_iter()
            .map(|l| Opt {
                value: l.as_str().to_owned(),
                label: t.get(level_key(l)).to_owned(),
                selected: l.as_str() == typed.level,
            })
            .collect(),
        places: places(&t),
        typed,
        error,
        sectors,
    })
}

fn places(t: &Texts) -> Vec<Opt> {
    StepPlace::ALL
        .into_iter()
        .map(|p| Opt {
            value: p.as_str().to_owned(),
            label: t.get(place_key(p)).to_owned(),
            selected: false,
        })
        .collect()
}

/// The usual template, to start from: the desk half a day, the office the
/// rest, the leader one day.
fn blank() -> Typed {
    let mut steps = vec![
        row_of(
            "Tiếp nhận, kiểm tra và chuyển hồ sơ",
            "desk".into(),
            Role::DeskOfficer,
            Some(motcua_domain::deadline::TimeLimit::WorkingHours(4)),
        ),
        row_of(
            "Thẩm định hồ sơ, trình ký",
            "office".into(),
            Role::Specialist,
            None,
        ),
        row_of(
            "Phê duyệt, ký kết quả",
            "head".into(),
            Role::Leader,
            Some(motcua_domain::deadline::TimeLimit::WorkingDays(1)),
        ),
    ];
    steps.resize(FORM_ROWS, TypedStep::default());
    Typed {
        sector: String::new(),
        level: Level::Commune.as_str().to_owned(),
        steps,
    }
}

/// Reads the form into a template; the error names the row.
fn parse(typed: &Typed) -> Result<DefaultProcess, (String, &'static str, usize)> {
    let level = Level::parse(&typed.level)
        .map_err(|_| ("level".to_owned(), "admin.defaults.err_level", 0))?;
    let mut steps = Vec::new();
    for (i, row) in typed.steps.iter().enumerate() {
        let n = i + 1;
        if row.name.is_empty() {
            continue;
        }
        let place = StepPlace::parse(&row.unit)
            .map_err(|_| ("steps".to_owned(), "admin.defaults.err_place", n))?;
        let role = Role::parse(&row.role)
            .map_err(|_| ("steps".to_owned(), "admin.processes.err_role", n))?;
        let allotted = match row_time(row) {
            None => Allotment::Rest,
            Some(Ok(l)) => Allotment::Fixed(l),
            Some(Err(())) => return Err(("steps".to_owned(), "admin.processes.err_allotted", n)),
        };
        steps.push(DefaultStep {
            name: row.name.clone(),
            place,
            role,
            allotted,
        });
    }
    Ok(DefaultProcess {
        sector: typed.sector.clone(),
        level,
        steps,
    })
}

/// The page again with the refused form and its message.
async fn refused(
    st: &StaffState,
    staff: &Staff,
    unit: &str,
    typed: Typed,
    error: FieldError,
) -> Result<Response, WebError> {
    super::page(
        st,
        staff,
        Some(unit),
        None,
        super::Typed::default(),
        FieldError::default(),
        Some((typed, error)),
    )
    .await
}

/// `POST /quan-tri/quy-trinh/mac-dinh`: sets the default of a field and
/// level.
async fn set(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let unit = field(&fields, "unit");
    let typed = Typed {
        sector: field(&fields, "sector"),
        level: field(&fields, "level"),
        steps: typed_steps(&fields),
    };
    let process = match parse(&typed) {
        Ok(p) => p,
        Err((f, key, row)) => {
            let error = FieldError {
                field: f,
                message: t.fill(key, &[("line", row.to_string())]),
            };
            return refused(&st, &staff, &unit, typed, error).await;
        }
    };
    match st
        .services
        .routing()
        .set_default(&staff.actor, process)
        .await
    {
        Ok(_) => Ok(done(&format!("{PATH}?unit={unit}"), "saved")),
        Err(e @ ServiceError::Invalid { .. }) => {
            let error = field_error(
                &t,
                e,
                &[
                    ("sector", "sector", "admin.defaults.err_sector"),
                    ("steps", "steps", "admin.defaults.err_steps"),
                ],
            )?;
            refused(&st, &staff, &unit, typed, error).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /quan-tri/quy-trinh/mac-dinh/xoa`: removes the default of a field
/// and level.
async fn remove(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let unit = field(&fields, "unit");
    let level = Level::parse(&field(&fields, "level"))
        .map_err(|e| WebError::invalid("level", e.to_string()))?;
    st.services
        .routing()
        .remove_default(&staff.actor, &field(&fields, "sector"), level)
        .await?;
    Ok(done(&format!("{PATH}?unit={unit}"), "removed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_template_reads_back_as_desk_office_head() {
        let mut typed = blank();
        typed.sector = "Hộ tịch".into();
        let p = parse(&typed).unwrap().checked().unwrap();
        let places: Vec<StepPlace> = p.steps.iter().map(|s| s.place).collect();
        assert_eq!(places, StepPlace::ALL.to_vec());
        assert_eq!(p.steps[1].allotted, Allotment::Rest);
        assert_eq!(p.level, Level::Commune);
    }

    #[test]
    fn a_bad_place_or_time_names_its_row() {
        let mut typed = blank();
        typed.steps[1].unit = "elsewhere".into();
        assert_eq!(parse(&typed).unwrap_err().2, 2);
        let mut typed = blank();
        typed.steps[2].amount = "x".into();
        assert_eq!(parse(&typed).unwrap_err().1, "admin.processes.err_allotted");
        let mut typed = blank();
        typed.level = "hamlet".into();
        assert_eq!(parse(&typed).unwrap_err().0, "level");
    }
}
