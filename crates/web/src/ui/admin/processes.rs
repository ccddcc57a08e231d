//! `/quan-tri/quy-trinh`: internal processes (quy trình nội bộ) in force
//! under a unit, and a form to record an approved one, one row per step
//! (name, unit, role, time in working hours or days; empty rows are
//! skipped). The service checks the steps' times against the procedure's
//! legal limit. Below them, the default processes per field and level
//! (issue 18, point 3; see [`defaults`]).

pub mod defaults;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_service::store::{NewProcess, ProcessStep};
use motcua_service::{ServiceError, procedures};
use serde::Deserialize;

use super::units::Opt;
use super::users::role_key;
use super::{FieldError, Section, SectionLink, done, field, field_error, form_date, notice};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::dossier::limit_label;
use crate::ui::layout::Layout;
use crate::ui::{Staff, format, render};

/// The processes page.
pub const PATH: &str = "/quan-tri/quy-trinh";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show).post(create))
        .merge(defaults::routes())
}

/// Rows a step form offers (a process rarely has more; a longer one is
/// recorded through the API).
pub const FORM_ROWS: usize = 8;

/// One step row as typed.
#[derive(Default, Clone)]
pub struct TypedStep {
    pub name: String,
    /// The unit code (internal process) or the place (default process).
    pub unit: String,
    pub role: String,
    pub amount: String,
    /// `hours`, `days` or (default process) `rest`.
    pub measure: String,
}

/// The step rows of a posted form, in order, padded to [`FORM_ROWS`].
pub fn typed_steps(fields: &[(String, String)]) -> Vec<TypedStep> {
    let all = |k: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(name, _)| name == k)
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    };
    let (names, units, roles, amounts, measures) = (
        all("step_name"),
        all("step_unit"),
        all("step_role"),
        all("step_amount"),
        all("step_measure"),
    );
    let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    let n = names.len().min(FORM_ROWS * 4);
    let mut out: Vec<TypedStep> = (0..n)
        .map(|i| TypedStep {
            name: at(&names, i),
            unit: at(&units, i),
            role: at(&roles, i),
            amount: at(&amounts, i),
            measure: at(&measures, i),
        })
        .collect();
    while out.len() < FORM_ROWS {
        out.push(TypedStep::default());
    }
    out
}

/// A step's time from its row: `amount` working hours or days, or the rest.
pub fn row_time(s: &TypedStep) -> Option<Result<TimeLimit, ()>> {
    if s.measure == "rest" {
        return None;
    }
    let n: u32 = match s.amount.parse() {
        Ok(n) if n >= 1 => n,
        _ => return Some(Err(())),
    };
    Some(match s.measure.as_str() {
        "hours" => TimeLimit::working_hours(n).map_err(|_| ()),
        "days" => TimeLimit::working_days(n).map_err(|_| ()),
        _ => Err(()),
    })
}

/// A row's time as the form shows it.
pub fn row_of(name: &str, unit: String, role: Role, allotted: Option<TimeLimit>) -> TypedStep {
    let (amount, measure) = match allotted {
        Some(TimeLimit::WorkingHours(n)) => (n.to_string(), "hours"),
        Some(TimeLimit::WorkingDays(n)) => (n.to_string(), "days"),
        Some(_) => (String::new(), "hours"),
        None => (String::new(), "rest"),
    };
    TypedStep {
        name: name.to_owned(),
        unit,
        role: role.as_str().to_owned(),
        amount,
        measure: measure.to_owned(),
    }
}

#[derive(Deserialize, Default)]
struct ProcessQuery {
    unit: Option<String>,
    ok: Option<String>,
}

struct StepRow {
    name: String,
    unit: String,
    role: String,
    allotted: String,
}

struct ProcessRow {
    procedure: String,
    version: u32,
    decision: String,
    effective: String,
    steps: Vec<StepRow>,
}

#[derive(Default)]
struct Typed {
    procedure: String,
    decision: String,
    effective_from: String,
    steps: Vec<TypedStep>,
}

#[derive(Template)]
#[template(path = "admin_processes.html")]
struct ProcessesPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    units: Vec<Opt>,
    unit_name: String,
    rows: Vec<ProcessRow>,
    notice: Option<String>,
    typed: Typed,
    error: FieldError,
    /// The units a step may be done at, for the rows' choice.
    step_units: Vec<Opt>,
    roles: Vec<Opt>,
    defaults: defaults::Section,
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    unit_code: Option<&str>,
    ok: Option<&str>,
    typed: Typed,
    error: FieldError,
    default_form: Option<(defaults::Typed, FieldError)>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let now = st.services.now();
    let services = &st.services;
    let today = motcua_domain::time::to_local(now).date();
    let tree = services.admin().unit_tree(&staff.actor, today).await?;
    let mine: Vec<_> = tree
        .iter()
        .filter(|u| {
            staff.actor.may(
                motcua_service::access::Permission::ManageProcesses,
                u.unit_id,
            )
        })
        .collect();
    services
        .require_somewhere(
            &staff.actor,
            motcua_service::access::Permission::ManageProcesses,
        )
        .await?;
    let chosen = match unit_code.filter(|c| !c.is_empty()) {
        Some(c) => services.units().find_unit("unit", c).await?,
        None => match mine.first() {
            Some(u) => services.unit(u.unit_id).await?,
            None => return Err(ServiceError::not_found("unit", "with processes").into()),
        },
    };
    let list = services
        .admin()
        .processes(&staff.actor, &chosen, today)
        .await?;
    let name_of = |id: i64| {
        tree.iter()
            .find(|u| u.unit_id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows = list
        .iter()
        .map(|p| ProcessRow {
            procedure: p.procedure_code.to_string(),
            version: p.version_no,
            decision: p.decision.clone(),
            effective: format::date(staff.lang, p.effective_from),
            steps: p
                .steps
                .iter()
                .map(|s| StepRow {
                    name: s.name.clone(),
                    unit: name_of(s.unit_id),
                    role: t.get(role_key(s.role)).to_owned(),
                    allotted: limit_label(&t, s.allotted),
                })
                .collect(),
        })
        .collect();
    let units = mine
        .iter()
        .map(|u| Opt {
            value: u.code.to_string(),
            label: format!("{} ({})", u.name, u.code),
            selected: u.unit_id == chosen.id,
        })
        .collect();
    // Steps are done in the chosen unit's tree or above it.
    let parent_of = |id: i64| {
        tree.iter()
            .find(|u| u.unit_id == id)
            .and_then(|u| u.parent_id)
    };
    let related = |id: i64| {
        let mut at = Some(id);
        for _ in 0..64 {
            match at {
                Some(x) if x == chosen.id => return true,
                Some(x) => at = parent_of(x),
                None => break,
            }
        }
        let mut up = Some(chosen.id);
        for _ in 0..64 {
            match up {
                Some(x) if x == id => return true,
                Some(x) => up = parent_of(x),
                None => break,
            }
        }
        false
    };
    let step_units = tree
        .iter()
        .filter(|u| related(u.unit_id))
        .map(|u| Opt {
            value: u.code.to_string(),
            label: u.name.clone(),
            selected: false,
        })
        .collect();
    let defaults = defaults::section(st, staff, default_form).await?;
    let status = if error.message.is_empty() && defaults.error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = super::layout(st, staff, Section::Processes, PATH).await?;
    Ok(render(
        status,
        &ProcessesPage {
            sections: super::sections(&t, staff, Some(Section::Processes)),
            units,
            unit_name: t.fill(
                "admin.processes.in_force",
                &[("unit", chosen.name.as_str())],
            ),
            rows,
            notice: notice(&t, ok),
            typed: Typed {
                steps: if typed.steps.is_empty() {
                    vec![TypedStep::default(); FORM_ROWS]
                } else {
                    typed.steps
                },
                ..typed
            },
            error,
            step_units,
            roles: step_roles(&t),
            defaults,
            t,
            layout,
        },
    ))
}

/// The roles a step may be held by, for the rows' choice.
pub fn step_roles(t: &Texts) -> Vec<Opt> {
    [Role::DeskOfficer, Role::Specialist, Role::Leader]
        .into_iter()
        .map(|r| Opt {
            value: r.as_str().to_owned(),
            label: t.get(role_key(r)).to_owned(),
            selected: false,
        })
        .collect()
}

/// `GET /quan-tri/quy-trinh?unit=CODE`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<ProcessQuery>,
) -> Result<Response, WebError> {
    page(
        &st,
        &staff,
        q.unit.as_deref(),
        q.ok.as_deref(),
        Typed::default(),
        FieldError::default(),
        None,
    )
    .await
}

/// Reads the step rows (rows without a name are skipped); the error
/// names the row.
fn parse_steps(
    rows: &[TypedStep],
    unit_ids: &[(String, i64)],
) -> Result<Vec<ProcessStep>, (usize, &'static str)> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        if row.name.is_empty() {
            continue;
        }
        let unit_id = unit_ids
            .iter()
            .find(|(c, _)| *c == row.unit)
            .map(|(_, id)| *id)
            .ok_or((n, "admin.processes.err_unit"))?;
        let role = Role::parse(&row.role).map_err(|_| (n, "admin.processes.err_role"))?;
        let allotted = match row_time(row) {
            Some(Ok(l)) => l,
            _ => return Err((n, "admin.processes.err_allotted")),
        };
        out.push(ProcessStep {
            name: row.name.clone(),
            unit_id,
            role,
            allotted,
            external: false,
        });
    }
    if out.is_empty() {
        return Err((0, "admin.processes.err_no_steps"));
    }
    Ok(out)
}

/// `POST /quan-tri/quy-trinh`: records a process for the chosen unit.
async fn create(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let unit_code = field(&fields, "unit");
    let typed = Typed {
        procedure: field(&fields, "procedure"),
        decision: field(&fields, "decision"),
        effective_from: field(&fields, "effective_from"),
        steps: typed_steps(&fields),
    };
    let now = st.services.now();
    let services = &st.services;
    let unit = services.units().find_unit("unit", &unit_code).await?;
    let today = motcua_domain::time::to_local(now).date();
    let codes: Vec<(String, i64)> = services
        .admin()
        .unit_tree(&staff.actor, today)
        .await?
        .into_iter()
        .map(|u| (u.code.to_string(), u.unit_id))
        .collect();
    let steps = match parse_steps(&typed.steps, &codes) {
        Ok(s) => s,
        Err((line, key)) => {
            let error = FieldError {
                field: "steps".to_owned(),
                message: t.fill(key, &[("line", line.to_string())]),
            };
            return page(&st, &staff, Some(&unit_code), None, typed, error, None).await;
        }
    };
    let result = async {
        let procedure_code = procedures::parse_code("procedure", &typed.procedure)?;
        let effective_from = form_date(&typed.effective_from)
            .ok_or_else(|| ServiceError::invalid("effective_from", "not a date"))?;
        services
            .processes()
            .add_process(
                &staff.actor,
                NewProcess {
                    procedure_code,
                    unit_id: unit.id,
                    decision: typed.decision.clone(),
                    effective_from,
                    steps,
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(done(&format!("{PATH}?unit={unit_code}"), "created")),
        Err(e) => {
            let error = match e {
                ServiceError::NotFound { .. } => FieldError {
                    field: "procedure".to_owned(),
                    message: t.get("admin.processes.err_procedure").to_owned(),
                },
                e => field_error(
                    &t,
                    e,
                    &[
                        ("procedure", "procedure", "admin.processes.err_procedure"),
                        ("decision", "decision", "admin.processes.err_decision"),
                        (
                            "effective_from",
                            "effective_from",
                            "admin.processes.err_effective",
                        ),
                        ("steps", "steps", "admin.processes.err_steps"),
                        ("allotted", "steps", "admin.processes.err_steps"),
                    ],
                )?,
            };
            page(&st, &staff, Some(&unit_code), None, typed, error, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, unit: &str, role: &str, amount: &str, measure: &str) -> TypedStep {
        TypedStep {
            name: name.into(),
            unit: unit.into(),
            role: role.into(),
            amount: amount.into(),
            measure: measure.into(),
        }
    }

    #[test]
    fn steps_are_read_one_a_row_and_bad_rows_are_named() {
        let units = vec![("000.02.21.H40".to_owned(), 4)];
        let rows = vec![
            row("Thẩm định", "000.02.21.H40", "specialist", "24", "hours"),
            TypedStep::default(),
            row("Phê duyệt", "000.02.21.H40", "leader", "1", "days"),
        ];
        let s = parse_steps(&rows, &units).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[1].name.as_str(), s[1].role), ("Phê duyệt", Role::Leader));
        assert_eq!(s[0].allotted, TimeLimit::WorkingHours(24));
        assert_eq!(s[1].allotted, TimeLimit::WorkingDays(1));
        let bad = |r: TypedStep| parse_steps(&[TypedStep::default(), r], &units).unwrap_err();
        assert_eq!(
            bad(row("x", "000.02.21.H40", "chef", "1", "days")),
            (2, "admin.processes.err_role")
        );
        assert_eq!(
            bad(row("x", "999", "leader", "1", "days")),
            (2, "admin.processes.err_unit")
        );
        assert_eq!(
            bad(row("x", "000.02.21.H40", "leader", "0", "days")),
            (2, "admin.processes.err_allotted")
        );
        assert_eq!(
            bad(row("x", "000.02.21.H40", "leader", "2", "weeks")),
            (2, "admin.processes.err_allotted")
        );
        assert_eq!(
            parse_steps(&[TypedStep::default()], &units).unwrap_err().1,
            "admin.processes.err_no_steps"
        );
    }

    #[test]
    fn posted_rows_line_up_by_position() {
        let f = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let fields = vec![
            f("step_name", "A"),
            f("step_unit", "u1"),
            f("step_role", "leader"),
            f("step_amount", "3"),
            f("step_measure", "days"),
            f("step_name", ""),
            f("step_unit", "u2"),
            f("step_role", "specialist"),
            f("step_amount", ""),
            f("step_measure", "hours"),
        ];
        let rows = typed_steps(&fields);
        assert_eq!(rows.len(), FORM_ROWS);
        assert_eq!((rows[0].name.as_str(), rows[0].amount.as_str()), ("A", "3"));
        assert_eq!(rows[1].unit, "u2");
        assert!(rows[2].name.is_empty());
    }
}
