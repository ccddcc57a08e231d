//! `GET /`: the home dashboard of the person's unit (or of the unit picked
//! among those they hold roles on). Each figure links to the dossier list
//! (`/ho-so`) with the filters of the JSON list API (`unit`, `status`,
//! `received_from`/`received_to`, `due_from`/`due_to`, `near_due`,
//! `overdue`, `channel`) that show exactly the dossiers counted.
//!
//! With htmx, picking another unit swaps in `dashboard_partial.html` only.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;
use motcua_domain::dossier::Status;
use motcua_service::dashboard::{self as svc, Dashboard};
use serde::Deserialize;

use super::charts::{self, Bar};
use super::format;
use super::layout::{Area, Layout};
use super::{Staff, is_htmx, render};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

/// Where the dossier list lives.
pub const DOSSIERS_PATH: &str = "/ho-so";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route("/", get(show))
        .route(WORK_PATH, get(work))
}

/// The person's work tiles, loaded by the home page after it shows (each
/// tile counts a queue, which is the costly part of the page).
pub const WORK_PATH: &str = "/viec-cua-toi";

#[derive(Template)]
#[template(path = "work_tiles.html")]
struct WorkTiles {
    work: Vec<Figure>,
}

/// The most dossiers a tile counts ("50+" beyond).
const TILE_CAP: u32 = 50;

/// `GET /viec-cua-toi`: the tiles alone (an empty answer for someone
/// without a queue).
async fn work(State(st): State<StaffState>, staff: Staff) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let work = work_tiles(&st, &staff, &t).await?;
    Ok(render(StatusCode::OK, &WorkTiles { work }))
}

#[derive(Deserialize)]
struct DashboardQuery {
    unit: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Texts,
    layout: Layout,
    /// Whether the person has a queue (their tiles load after the page).
    has_work: bool,
    body: Option<Body>,
    /// Whether the header's unit is swapped too (htmx answers only).
    oob: bool,
}

#[derive(Template)]
#[template(path = "dashboard_partial.html")]
struct DashboardPartial {
    t: Texts,
    body: Option<Body>,
    oob: bool,
}

/// A unit to pick.
struct Choice {
    code: String,
    name: String,
    selected: bool,
}

/// A count with its link.
struct Figure {
    label: String,
    value: String,
    href: String,
    /// `warn` or `bad` for figures that ask for action, else empty.
    tone: &'static str,
}

/// A rate with its base, each part linked.
struct Rate {
    label: String,
    percent: Option<String>,
    part: String,
    part_label: String,
    part_href: String,
    whole: String,
    whole_label: String,
    whole_href: String,
}

/// A row of a chart's table.
struct Row {
    label: String,
    value: String,
    href: String,
}

/// What the dashboard shows for one unit.
struct Body {
    unit_name: String,
    today: String,
    choices: Vec<Choice>,
    figures: Vec<Figure>,
    month: String,
    rates: Vec<Rate>,
    received_chart: String,
    received_title: String,
    received_rows: Vec<Row>,
    status_chart: String,
    status_title: String,
    status_rows: Vec<Row>,
}

/// `GET /?unit=CODE`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let services = &st.services;
    let units = services.dashboards().units(&staff.actor).await?;
    let (body, unit) = if units.is_empty() && q.unit.is_none() {
        (None, None)
    } else {
        let d = services
            .dashboards()
            .dashboard(&staff.actor, q.unit.as_deref())
            .await?;
        let choices = units
            .iter()
            .map(|u| Choice {
                code: u.code.as_str().to_owned(),
                name: u.name.clone(),
                selected: u.id == d.unit.id,
            })
            .collect();
        let unit = d.unit.clone();
        (Some(body(staff.lang, &d, choices)), Some(unit))
    };
    if is_htmx(&headers) {
        return Ok(render(
            StatusCode::OK,
            &DashboardPartial { t, body, oob: true },
        ));
    }
    let here = match &unit {
        Some(u) if q.unit.is_some() => format!("/?{}", link(&[("unit", u.code.as_str())])),
        _ => "/".to_owned(),
    };
    let has_work = motcua_service::queues::Queue::ALL
        .iter()
        .any(|q| q.open_to(&staff.actor));
    let layout = Layout::staff(
        &st,
        &staff,
        Area::Dashboard,
        t.get("dashboard.title"),
        unit.as_ref(),
        &here,
    )
    .await?;
    Ok(render(
        StatusCode::OK,
        &DashboardPage {
            t,
            layout,
            has_work,
            body,
            oob: false,
        },
    ))
}

/// A tile per queue open to the person (what waits for them, for their
/// approval, at their desk to hand over or to return), counted as the
/// queue's tab counts it, linking to the tab.
async fn work_tiles(st: &StaffState, staff: &Staff, t: &Texts) -> Result<Vec<Figure>, WebError> {
    use motcua_service::queues::{self, Queue, QueueQuery};
    let mut out = Vec::new();
    for q in Queue::ALL.into_iter().filter(|q| q.open_to(&staff.actor)) {
        let query = QueueQuery {
            queue: q,
            ..QueueQuery::default()
        };
        let (n, more) =
            queues::count_up_to(st.services.dossiers(), &staff.actor, &query, TILE_CAP).await?;
        out.push(Figure {
            label: t.get(super::queues::tab_key(q)).to_owned(),
            value: if more { format!("{n}+") } else { n.to_string() },
            href: format!("/hang-doi?tab={}", q.as_str()),
            tone: if n > 0 && q == Queue::Approval {
                "warn"
            } else {
                ""
            },
        });
    }
    Ok(out)
}

/// `?k=v&…`, encoded.
fn link(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The dossier list with filters, always within the dashboard's unit.
fn list_href(unit: &str, filters: &[(&str, &str)]) -> String {
    let mut pairs = vec![("unit", unit)];
    pairs.extend_from_slice(filters);
    format!("{DOSSIERS_PATH}?{}", link(&pairs))
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Draft => "status.draft",
        Status::AwaitingOnlineReception => "status.awaiting_online_reception",
        Status::Received => "status.received",
        Status::Processing => "status.processing",
        Status::AwaitingSupplement => "status.awaiting_supplement",
        Status::AwaitingFinancialObligation => "status.awaiting_financial_obligation",
        Status::Done => "status.done",
        Status::Returned => "status.returned",
        Status::Refused => "status.refused",
        Status::Stopped => "status.stopped",
        Status::Withdrawn => "status.withdrawn",
        Status::Voided => "status.voided",
    }
}

/// The text of a status in the reader's language.
pub fn status_label(t: &Texts, s: Status) -> String {
    t.get(status_key(s)).to_owned()
}

fn body(lang: Lang, d: &Dashboard, choices: Vec<Choice>) -> Body {
    let t = lang.texts();
    let c = &d.counts;
    let unit = d.unit.code.as_str();
    let today_iso = format::iso_date(d.today);
    let month_iso = format::iso_date(d.month_start);
    let (today, month_from) = (today_iso.as_str(), month_iso.as_str());
    let n = |v: u64| format::count(lang, v);
    let figure = |label: &str, v: u64, filters: &[(&str, &str)], tone: &'static str| Figure {
        label: label.to_owned(),
        value: n(v),
        href: list_href(unit, filters),
        tone: if v > 0 { tone } else { "" },
    };
    let figures = vec![
        figure(
            t.get("dashboard.received_today"),
            c.received_today,
            &[("received_from", today), ("received_to", today)],
            "",
        ),
        figure(
            t.get("dashboard.due_today"),
            c.due_today,
            &[
                ("status", "received,processing"),
                ("due_from", today),
                ("due_to", today),
            ],
            "warn",
        ),
        figure(
            t.get("dashboard.near_due"),
            c.near_due,
            &[("near_due", "true")],
            "warn",
        ),
        figure(
            t.get("dashboard.overdue"),
            c.overdue,
            &[("overdue", "true")],
            "bad",
        ),
        figure(
            t.get("dashboard.awaiting_supplement"),
            c.in_status(Status::AwaitingSupplement),
            &[("status", "awaiting_supplement")],
            "",
        ),
        figure(
            t.get("dashboard.awaiting_online"),
            c.in_status(Status::AwaitingOnlineReception),
            &[("status", "awaiting_online_reception")],
            "warn",
        ),
    ];
    let (in_time, resolved) = d.on_time();
    let (online, received) = d.online();
    // The month's ends, as the list filters them: the on-time rate's
    // numerator and denominator each link to their dossiers.
    // The month comes from the statistics layer, which counts what the
    // subtree received: the links say so (`received_only`).
    let resolved_filters = [
        ("ended_from", month_from),
        ("ended_to", today),
        ("received_only", "true"),
    ];
    let rates = vec![
        Rate {
            label: t.get("dashboard.on_time_rate").to_owned(),
            percent: format::percent(lang, in_time, resolved),
            part: n(in_time),
            part_label: t.get("dashboard.on_time_part").to_owned(),
            part_href: list_href(
                unit,
                &[
                    resolved_filters[0],
                    resolved_filters[1],
                    resolved_filters[2],
                    ("classification", "early,on_time"),
                ],
            ),
            whole: n(resolved),
            whole_label: t.get("dashboard.on_time_whole").to_owned(),
            whole_href: list_href(
                unit,
                &[
                    resolved_filters[0],
                    resolved_filters[1],
                    resolved_filters[2],
                    ("classification", "early,on_time,late"),
                ],
            ),
        },
        Rate {
            label: t.get("dashboard.online_rate").to_owned(),
            percent: format::percent(lang, online, received),
            part: n(online),
            part_label: t.get("dashboard.online_part").to_owned(),
            part_href: list_href(
                unit,
                &[
                    ("received_from", month_from),
                    ("received_to", today),
                    ("received_only", "true"),
                    ("channel", "online"),
                ],
            ),
            whole: n(received),
            whole_label: t.get("dashboard.online_whole").to_owned(),
            whole_href: list_href(
                unit,
                &[
                    ("received_from", month_from),
                    ("received_to", today),
                    ("received_only", "true"),
                ],
            ),
        },
    ];
    let series = d.series();
    let (received_chart, received_title, received_rows) =
        received_chart(lang, &t, unit, d, &series);
    let status_bars: Vec<Bar> = c
        .in_progress
        .iter()
        .map(|(s, v)| Bar {
            label: status_label(&t, *s),
            value: *v,
            highlight: false,
        })
        .collect();
    let status_total: u64 = c.in_progress.iter().map(|(_, v)| v).sum();
    let status_title = t.get("dashboard.chart_status").to_owned();
    let status_chart = charts::rows(
        "chart-status",
        &status_title,
        &t.fill("dashboard.chart_status_desc", &[("total", n(status_total))]),
        &status_bars,
    );
    let status_rows = c
        .in_progress
        .iter()
        .map(|(s, v)| Row {
            label: status_label(&t, *s),
            value: n(*v),
            href: list_href(unit, &[("status", s.as_str())]),
        })
        .collect();
    Body {
        unit_name: d.unit.name.clone(),
        today: t.fill("dashboard.today", &[("date", format::date(lang, d.today))]),
        choices,
        figures,
        month: t.fill(
            "dashboard.month",
            &[("month", format::month(lang, d.today))],
        ),
        rates,
        received_chart,
        received_title,
        received_rows,
        status_chart,
        status_title,
        status_rows,
    }
}

fn received_chart(
    lang: Lang,
    t: &Texts,
    unit: &str,
    d: &Dashboard,
    series: &[(Date, u64)],
) -> (String, String, Vec<Row>) {
    let n = |v: u64| format::count(lang, v);
    let bars: Vec<Bar> = series
        .iter()
        .map(|(day, v)| Bar {
            label: format::day_month(lang, *day),
            value: *v,
            highlight: *day == d.today,
        })
        .collect();
    let total: u64 = series.iter().map(|(_, v)| v).sum();
    let max = series.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let title = t.fill(
        "dashboard.chart_received",
        &[("days", svc::SERIES_DAYS.to_string())],
    );
    let desc = t.fill(
        "dashboard.chart_received_desc",
        &[
            ("from", format::date(lang, d.series_from)),
            ("to", format::date(lang, d.today)),
            ("total", n(total)),
            ("max", n(max)),
        ],
    );
    let svg = charts::columns("chart-received", &title, &desc, &bars);
    let rows = series
        .iter()
        .map(|(day, v)| {
            let iso = format::iso_date(*day);
            Row {
                label: format::date(lang, *day),
                value: n(*v),
                href: list_href(
                    unit,
                    &[
                        ("received_from", iso.as_str()),
                        ("received_to", iso.as_str()),
                    ],
                ),
            }
        })
        .collect();
    (svg, title, rows)
}
