//! `/quan-tri/lich`: the working calendar of a year, for every unit or one:
//! holidays, compensatory days and swapped days from the rules and the
//! official schedules, with the administrators' corrections (add one: a
//! date off or worked, with its reason; remove one). `/quan-tri/gio-lam-viec`:
//! a unit's office hours from a date.
//!
//! A correction changes due moments computed from then on; the dossier
//! service's calendar cache is cleared after each change.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::calendar::DayKind;
use motcua_service::store::Unit;
use motcua_service::{ServiceError, calendar};
use serde::Deserialize;

use super::units::Opt;
use super::{FieldError, Section, SectionLink, done, field, field_error, form_date, notice};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;
use crate::ui::layout::Layout;
use crate::ui::{Staff, format, render};

/// The calendar page.
pub const PATH: &str = "/quan-tri/lich";
/// The office-hours page.
pub const HOURS_PATH: &str = "/quan-tri/gio-lam-viec";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show).post(add))
        .route("/quan-tri/lich/xoa", post(remove))
        .route(HOURS_PATH, get(show_hours).post(set_hours))
}

#[derive(Deserialize, Default)]
struct CalendarQuery {
    year: Option<String>,
    unit: Option<String>,
    ok: Option<String>,
}

struct DayRow {
    date: String,
    weekday: String,
    working: bool,
    reason: String,
    kind: String,
}

struct CorrectionRow {
    date: String,
    iso: String,
    working: bool,
    reason: String,
}

#[derive(Default)]
struct Typed {
    date: String,
    working: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    year: i16,
    prev_href: String,
    next_href: String,
    unit: String,
    units: Vec<Opt>,
    scope: String,
    days: Vec<DayRow>,
    corrections: Vec<CorrectionRow>,
    notice: Option<String>,
    typed: Typed,
    error: FieldError,
}

fn weekday(t: &Texts, d: jiff::civil::Date) -> String {
    use jiff::civil::Weekday as W;
    t.get(match d.weekday() {
        W::Monday => "admin.calendar.mon",
        W::Tuesday => "admin.calendar.tue",
        W::Wednesday => "admin.calendar.wed",
        W::Thursday => "admin.calendar.thu",
        W::Friday => "admin.calendar.fri",
        W::Saturday => "admin.calendar.sat",
        W::Sunday => "admin.calendar.sun",
    })
    .to_owned()
}

fn kind_key(k: DayKind) -> &'static str {
    match k {
        DayKind::Workday | DayKind::Weekend | DayKind::Official => "admin.calendar.kind_official",
        DayKind::Holiday => "admin.calendar.kind_holiday",
        DayKind::Compensatory => "admin.calendar.kind_compensatory",
        DayKind::Override => "admin.calendar.kind_override",
    }
}

async fn scope_unit(st: &StaffState, code: &str) -> Result<Option<Unit>, WebError> {
    if code.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(st.services.units().find_unit("unit", code).await?))
}

async fn unit_options(st: &StaffState, staff: &Staff, current: &str) -> Result<Vec<Opt>, WebError> {
    let t = staff.lang.texts();
    let now = st.services.now();
    let today = motcua_domain::time::to_local(now).date();
    let tree = st.services.admin().unit_tree(&staff.actor, today).await?;
    let mut out = vec![Opt {
        value: String::new(),
        label: t.get("admin.calendar.every_unit").to_owned(),
        selected: current.is_empty(),
    }];
    out.extend(
        tree.iter()
            .filter(|u| {
                staff.actor.may(
                    motcua_service::access::Permission::ManageCalendar,
                    u.unit_id,
                )
            })
            .map(|u| Opt {
                value: u.code.to_string(),
                label: format!("{} ({})", u.name, u.code),
                selected: current == u.code.as_str(),
            }),
    );
    Ok(out)
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    q: &CalendarQuery,
    typed: Typed,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let lang = staff.lang;
    let now = st.services.now();
    let this_year = motcua_domain::time::to_local(now).date().year();
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i16>().ok())
        .unwrap_or(this_year);
    let unit_code = q.unit.clone().unwrap_or_default();
    let unit = scope_unit(st, &unit_code).await?;
    let (days, own) = st
        .services
        .admin()
        .year(&staff.actor, unit.as_ref(), year)
        .await?;
    let days = days
        .into_iter()
        .map(|d| DayRow {
            date: format::date(lang, d.date),
            weekday: weekday(&t, d.date),
            working: d.working,
            kind: t.get(kind_key(d.kind)).to_owned(),
            reason: d.reason,
        })
        .collect();
    let corrections = own
        .into_iter()
        .map(|o| CorrectionRow {
            date: format::date(lang, o.date),
            iso: format::iso_date(o.date),
            working: o.working,
            reason: o.reason,
        })
        .collect();
    let link = |y: i16| {
        let mut pairs = vec![("year", y.to_string())];
        if !unit_code.is_empty() {
            pairs.push(("unit", unit_code.clone()));
        }
        format!(
            "{PATH}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let here = link(year);
    let layout = super::layout(st, staff, Section::Calendar, &here).await?;
    Ok(render(
        status,
        &CalendarPage {
            sections: super::sections(&t, staff, Some(Section::Calendar)),
            prev_href: link(year.saturating_sub(1)),
            next_href: link(year.saturating_add(1)),
            year,
            units: unit_options(st, staff, &unit_code).await?,
            scope: match &unit {
                Some(u) => u.name.clone(),
                None => t.get("admin.calendar.every_unit").to_owned(),
            },
            unit: unit_code,
            days,
            corrections,
            notice: notice(&t, q.ok.as_deref()),
            typed,
            error,
            t,
            layout,
        },
    ))
}

/// `GET /quan-tri/lich?year=2026&unit=CODE`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, WebError> {
    page(&st, &staff, &q, Typed::default(), FieldError::default()).await
}

fn back(unit: &str, year: Option<i16>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(y) = year {
        pairs.push(("year", y.to_string()));
    }
    if !unit.is_empty() {
        pairs.push(("unit", unit.to_owned()));
    }
    format!(
        "{PATH}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// `POST /quan-tri/lich`: a correction (`date`, `working`, `reason`).
async fn add(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let unit_code = field(&fields, "unit");
    let typed = Typed {
        date: field(&fields, "date"),
        working: field(&fields, "working") == "true",
        reason: field(&fields, "reason"),
    };
    let unit = scope_unit(&st, &unit_code).await?;
    let day = form_date(&typed.date);
    let result = match day {
        None => Err(ServiceError::invalid("date", "not a date")),
        Some(d) => {
            st.services
                .admin()
                .set_day_as(&staff.actor, unit.as_ref(), d, typed.working, &typed.reason)
                .await
        }
    };
    match result {
        Ok(()) => Ok(done(&back(&unit_code, day.map(|d| d.year())), "saved")),
        Err(e) => {
            let error = field_error(
                &t,
                e,
                &[
                    ("date", "date", "admin.calendar.err_date"),
                    ("reason", "reason", "admin.calendar.err_reason"),
                ],
            )?;
            let q = CalendarQuery {
                year: day.map(|d| d.year().to_string()),
                unit: Some(unit_code),
                ok: None,
            };
            page(&st, &staff, &q, typed, error).await
        }
    }
}

/// `POST /quan-tri/lich/xoa`: removes the correction of `date`.
async fn remove(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let unit_code = field(&fields, "unit");
    let unit = scope_unit(&st, &unit_code).await?;
    let Some(day) = form_date(&field(&fields, "date")) else {
        return Err(ServiceError::invalid("date", "not a date").into());
    };
    st.services
        .admin()
        .unset_day_as(&staff.actor, unit.as_ref(), day)
        .await?;
    Ok(done(&back(&unit_code, Some(day.year())), "removed"))
}

struct HoursRow {
    from: String,
    to: String,
    sessions: String,
}

#[derive(Default)]
struct HoursTyped {
    from: String,
    to: String,
    sessions: String,
}

#[derive(Template)]
#[template(path = "admin_hours.html")]
struct HoursPage {
    t: Texts,
    layout: Layout,
    sections: Vec<SectionLink>,
    units: Vec<Opt>,
    unit: String,
    rows: Vec<HoursRow>,
    notice: Option<String>,
    typed: HoursTyped,
    error: FieldError,
}

async fn hours_page(
    st: &StaffState,
    staff: &Staff,
    q: &CalendarQuery,
    typed: HoursTyped,
    error: FieldError,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let mut units = unit_options(st, staff, q.unit.as_deref().unwrap_or(""))
        .await?
        .into_iter()
        .skip(1)
        .collect::<Vec<_>>();
    let code = match q.unit.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => c.to_owned(),
        None => match units.first_mut() {
            Some(o) => {
                o.selected = true;
                o.value.clone()
            }
            None => {
                // Nobody's calendar to manage: the service says so.
                let any = st.services.all_units().await?;
                let Some(u) = any.first() else {
                    return Err(ServiceError::not_found("unit", "any").into());
                };
                st.services.admin().office_hours(&staff.actor, u).await?;
                u.code.to_string()
            }
        },
    };
    let unit = st.services.units().find_unit("unit", &code).await?;
    let rows = st
        .services
        .admin()
        .office_hours(&staff.actor, &unit)
        .await?
        .into_iter()
        .map(|r| HoursRow {
            from: format::date(staff.lang, r.valid_from),
            to: r
                .valid_to
                .map(|d| format::date(staff.lang, d))
                .unwrap_or_default(),
            sessions: r
                .sessions
                .iter()
                .map(|(a, b)| {
                    format!(
                        "{:02}:{:02}–{:02}:{:02}",
                        a.hour(),
                        a.minute(),
                        b.hour(),
                        b.minute()
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let status = if error.message.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = super::layout(st, staff, Section::Hours, HOURS_PATH).await?;
    Ok(render(
        status,
        &HoursPage {
            sections: super::sections(&t, staff, Some(Section::Hours)),
            units,
            unit: code,
            rows,
            notice: notice(&t, q.ok.as_deref()),
            typed,
            error,
            t,
            layout,
        },
    ))
}

/// `GET /quan-tri/gio-lam-viec?unit=CODE`.
async fn show_hours(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, WebError> {
    hours_page(
        &st,
        &staff,
        &q,
        HoursTyped::default(),
        FieldError::default(),
    )
    .await
}

/// `POST /quan-tri/gio-lam-viec`: a unit's sessions from a date.
async fn set_hours(
    State(st): State<StaffState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let code = field(&fields, "unit");
    let typed = HoursTyped {
        from: field(&fields, "from"),
        to: field(&fields, "to"),
        sessions: field(&fields, "sessions"),
    };
    let unit = st.services.units().find_unit("unit", &code).await?;
    let result = async {
        let from =
            form_date(&typed.from).ok_or_else(|| ServiceError::invalid("from", "not a date"))?;
        let to = if typed.to.is_empty() {
            None
        } else {
            Some(form_date(&typed.to).ok_or_else(|| ServiceError::invalid("to", "not a date"))?)
        };
        let sessions = calendar::parse_sessions("sessions", &typed.sessions)?;
        st.services
            .admin()
            .set_office_hours_as(&staff.actor, &unit, from, to, sessions)
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(done(&format!("{HOURS_PATH}?unit={code}"), "saved")),
        Err(e) => {
            let error = field_error(
                &t,
                e,
                &[
                    ("from", "from", "admin.hours.err_from"),
                    ("to", "to", "admin.hours.err_to"),
                    ("sessions", "sessions", "admin.hours.err_sessions"),
                    ("hours", "sessions", "admin.hours.err_sessions"),
                ],
            )?;
            let q = CalendarQuery {
                unit: Some(code),
                ..CalendarQuery::default()
            };
            hours_page(&st, &staff, &q, typed, error).await
        }
    }
}
