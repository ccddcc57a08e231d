//! `/quan-tri/quy-trinh`: internal processes (quy trình nội bộ) in force
//! under a unit, and a form to record an approved one with its steps, one a
//! line: `name | unit code | role | allotted time` (e.g. `Thẩm định |
//! 000.02.21.H40 | specialist | 24 working_hours`). The service checks the
//! steps' times against the procedure's legal limit.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_service::store::{NewProcess, ProcessStep};
use motcua_service::{ServiceError, admin as svc, procedures, processes, units};
use serde::Deserialize;

use super::units::Opt;
use super::users::role_key;
use super::{FieldError, Section, SectionLink, done, field, field_error, form_date, notice};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::dossier::limit_label;
use crate::ui::layout::Layout;
use crate::ui::{Staff, format, render};

/// The processes page.
pub const PATH: &str = "/quan-tri/quy-trinh";

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show).post(create))
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
    steps: String,
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
}

async fn page(
    st: &AppState,
    staff: &Staff,
    unit_code: Option<&str>,
    ok: Option<&str>,
    typed: Typed,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let now = st.dossiers.now();
    let store = st.store.as_ref();
    let today = motcua_domain::time::to_local(now).date();
    let tree = svc::unit_tree(store, &staff.actor, now, today).await?;
    let mine: Vec<_> = tree
        .iter()
        .filter(|u| {
            staff.actor.may(
                motcua_service::access::Permission::ManageProcesses,
                u.unit_id,
            )
        })
        .collect();
    motcua_service::access::require_somewhere(
        store,
        &staff.actor,
        now,
        motcua_service::access::Permission::ManageProcesses,
    )
    .await?;
    let chosen = match unit_code.filter(|c| !c.is_empty()) {
        Some(c) => units::find_unit(store, "unit", c).await?,
        None => match mine.first() {
            Some(u) => store.unit_by_id(u.unit_id).await?,
            None => return Err(ServiceError::not_found("unit", "with processes").into()),
        },
    };
    let list = svc::processes(store, &staff.actor, now, &chosen, today).await?;
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
    let status = if error.message.is_empty() {
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
            typed,
            error,
            t,
            layout,
        },
    ))
}

/// `GET /quan-tri/quy-trinh?unit=CODE`.
async fn show(
    State(st): State<AppState>,
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
    )
    .await
}

/// Reads the steps, one a line; the error names the line.
fn parse_steps(
    text: &str,
    unit_ids: &[(String, i64)],
) -> Result<Vec<ProcessStep>, (usize, &'static str)> {
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let n = i + 1;
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [name, unit, role, allotted] = parts.as_slice() else {
            return Err((n, "admin.processes.err_line"));
        };
        let unit_id = unit_ids
            .iter()
            .find(|(c, _)| c == unit)
            .map(|(_, id)| *id)
            .ok_or((n, "admin.processes.err_unit"))?;
        let role = Role::parse(role).map_err(|_| (n, "admin.processes.err_role"))?;
        let allotted = allotted
            .parse::<TimeLimit>()
            .map_err(|_| (n, "admin.processes.err_allotted"))?;
        out.push(ProcessStep {
            name: (*name).to_owned(),
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
    State(st): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let unit_code = field(&fields, "unit");
    let typed = Typed {
        procedure: field(&fields, "procedure"),
        decision: field(&fields, "decision"),
        effective_from: field(&fields, "effective_from"),
        steps: fields
            .iter()
            .find(|(k, _)| k == "steps")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    };
    let now = st.dossiers.now();
    let store = st.store.as_ref();
    let unit = units::find_unit(store, "unit", &unit_code).await?;
    let today = motcua_domain::time::to_local(now).date();
    let codes: Vec<(String, i64)> = svc::unit_tree(store, &staff.actor, now, today)
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
            return page(&st, &staff, Some(&unit_code), None, typed, error).await;
        }
    };
    let result = async {
        let procedure_code = procedures::parse_code("procedure", &typed.procedure)?;
        let effective_from = form_date(&typed.effective_from)
            .ok_or_else(|| ServiceError::invalid("effective_from", "not a date"))?;
        processes::add_process(
            store,
            &staff.actor,
            now,
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
            page(&st, &staff, Some(&unit_code), None, typed, error).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_read_one_a_line_and_bad_lines_are_named() {
        let units = vec![("000.02.21.H40".to_owned(), 4)];
        let s = parse_steps(
            "Thẩm định | 000.02.21.H40 | specialist | 24 working_hours\n\n Phê duyệt|000.02.21.H40|leader|8 working_hours ",
            &units,
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!((s[1].name.as_str(), s[1].role), ("Phê duyệt", Role::Leader));
        assert_eq!(
            parse_steps("a | b", &units).unwrap_err(),
            (1, "admin.processes.err_line")
        );
        assert_eq!(
            parse_steps("x | 000.02.21.H40 | chef | 1 working_days", &units).unwrap_err(),
            (1, "admin.processes.err_role")
        );
        assert_eq!(
            parse_steps("x | 999 | leader | 1 working_days", &units).unwrap_err(),
            (1, "admin.processes.err_unit")
        );
        assert_eq!(
            parse_steps("  ", &units).unwrap_err().1,
            "admin.processes.err_no_steps"
        );
    }
}
