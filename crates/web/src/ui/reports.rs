//! `GET /bao-cao`: the dossier report for leaders and the reform office
//! (issue 17, point 6): a unit's subtree over a period picked from presets
//! (month, quarter, six months, year, the Decree 09/2019 cut-off month) or
//! any range, grouped by a breakdown; form 06's columns in a table whose
//! counts link to the dossiers behind them (every row, the root's own and
//! those by sector or level included); charts of
//! the on-time rate by month, the channel mix and the groups side by side;
//! exports in CSV, XLSX and PDF from the API. Figures come from the
//! statistics layer only (`motcua_service::stats::report`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use jiff::ToSpan;
use jiff::civil::Date;
use motcua_domain::stats::{Breakdown, Figures, Period};
use motcua_service::access::Permission;
use motcua_service::stats::report::{Report, ReportQuery};
use serde::Deserialize;

use super::charts::{self, Bar};
use super::dashboard::DOSSIERS_PATH;
use super::format;
use super::layout::{Area, Layout};
use super::{Staff, render};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

/// Where the page lives.
pub const PATH: &str = "/bao-cao";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new().route(PATH, get(show))
}

#[derive(Deserialize, Default)]
struct ReportForm {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

/// A choice of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A cell: its text and, when the dossier list can show exactly the
/// dossiers counted, a link.
struct Cell {
    text: String,
    href: Option<String>,
}

struct Line {
    key: String,
    label: String,
    cells: Vec<Cell>,
    total: bool,
}

struct Preset {
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    t: Texts,
    layout: Layout,
    units: Vec<Choice>,
    breakdowns: Vec<Choice>,
    from: String,
    to: String,
    presets: Vec<Preset>,
    heading: String,
    lines: Vec<Line>,
    exports: Vec<Preset>,
    trend_chart: String,
    channel_chart: String,
    groups_chart: String,
    catalog: Vec<CatalogLine>,
    reviews: Option<String>,
    /// Citizens' ratings per receiving unit over the period.
    satisfaction: Vec<SatisfactionLine>,
    error: Option<String>,
}

/// One receiving unit's ratings (the total last).
struct SatisfactionLine {
    name: String,
    responses: String,
    satisfied: String,
    mean: String,
    aspects: Vec<String>,
    index: String,
    rank: String,
    total: bool,
}

/// Procedures of one level on the period's last day.
struct CatalogLine {
    level: String,
    procedures: String,
    full_process: String,
    partial: String,
    not_online: String,
    processes: String,
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The presets around `today`: this and last month, the Decree 09 cut-off
/// month, this and last quarter, the first or second six months, this and
/// last year.
fn presets(t: &Texts, today: Date) -> Vec<(String, Period)> {
    let mut out = Vec::new();
    let year = today.year();
    let month_start = today.first_of_month();
    if let Ok(p) = Period::new(month_start, today) {
        out.push((t.get("reports.preset_month").to_owned(), p));
    }
    if let Ok(prev) = month_start.checked_sub(1.month())
        && let Ok(p) = Period::month(prev.year(), prev.month())
    {
        out.push((t.get("reports.preset_last_month").to_owned(), p));
    }
    if let Ok(p) = Period::cutoff_month(year, today.month()) {
        out.push((t.get("reports.preset_cutoff").to_owned(), p));
    }
    let q = (today.month() - 1) / 3 + 1;
    if let Ok(p) = Period::quarter(year, q) {
        out.push((t.get("reports.preset_quarter").to_owned(), p));
    }
    let last = if q == 1 {
        Period::quarter(year - 1, 4)
    } else {
        Period::quarter(year, q - 1)
    };
    if let Ok(p) = last {
        out.push((t.get("reports.preset_last_quarter").to_owned(), p));
    }
    let (first, last) = if today.month() <= 6 { (1, 6) } else { (7, 12) };
    let half = Date::new(year, first, 1)
        .and_then(|a| Ok((a, Date::new(year, last, 1)?.last_of_month())))
        .ok()
        .and_then(|(a, b)| Period::new(a, b).ok());
    if let Some(p) = half {
        out.push((t.get("reports.preset_half").to_owned(), p));
    }
    if let Ok(p) = Period::new(today.first_of_year(), today.last_of_year()) {
        out.push((t.get("reports.preset_year").to_owned(), p));
    }
    if let (Ok(a), Ok(b)) = (
        today.first_of_year().checked_sub(1.year()),
        today.first_of_year().yesterday(),
    ) && let Ok(p) = Period::new(a, b)
    {
        out.push((t.get("reports.preset_last_year").to_owned(), p));
    }
    out
}

fn breakdown_label(t: &Texts, b: Breakdown) -> String {
    t.get(&format!("reports.by_{}", b.as_str())).to_owned()
}

/// The list filters that show exactly the dossiers of a row's receipts
/// and ends, or `None` when the row's group is not a list filter.
fn row_filters(report: &Report, key: &str) -> Option<Vec<(&'static str, String)>> {
    // Every link follows the tree the report grouped by (`tree_on`).
    let mut f = report_base(report);
    match report.by {
        // The root's own row: what the root itself (and its predecessors)
        // received.
        Breakdown::Unit if key == report.unit => f.push(("own", "true".to_owned())),
        // A child's row: the child's subtree on the report's tree.
        Breakdown::Unit => f[0].1 = key.to_owned(),
        Breakdown::Procedure => f.push(("procedure", key.to_owned())),
        Breakdown::Channel => f.push(("channel", key.to_owned())),
        // A month's row: the same filters over the month's days.
        Breakdown::Month => {}
        // The group of a procedure or unit the report could not name has
        // no filter.
        Breakdown::Sector | Breakdown::Level if key == "?" || key.starts_with('(') => return None,
        Breakdown::Sector => f.push(("sector", key.to_owned())),
        Breakdown::Level => f.push(("level", key.to_owned())),
    }
    Some(f)
}

/// The filters of the report's whole subtree, as it grouped it.
fn report_base(report: &Report) -> Vec<(&'static str, String)> {
    vec![
        ("unit", report.unit.clone()),
        ("received_only", "true".to_owned()),
        ("tree_on", format::iso_date(report.tree_on)),
    ]
}

/// The days of the month `key` (`YYYY-MM`) within the report's period.
fn month_days(report: &Report, key: &str) -> Option<(Date, Date)> {
    let (y, m) = key.split_once('-')?;
    let first = Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
    Some((first.max(report.from), first.last_of_month().min(report.to)))
}

fn line(lang: Lang, report: &Report, key: &str, label: &str, f: &Figures, total: bool) -> Line {
    let n = |v: i64| format::number(lang, v);
    let base = if total {
        Some(report_base(report))
    } else {
        row_filters(report, key)
    };
    // The days the row counts: a month's row its month within the period.
    let (first, last) = if report.by == Breakdown::Month && !total {
        month_days(report, key).unwrap_or((report.from, report.to))
    } else {
        (report.from, report.to)
    };
    let (from, to) = (format::iso_date(first), format::iso_date(last));
    let href = |extra: &[(&'static str, &str)]| -> Option<String> {
        let mut pairs: Vec<(&str, String)> = base.clone()?;
        pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Some(format!("{DOSSIERS_PATH}?{}", query(&refs)))
    };
    let received = [
        ("received_from", from.as_str()),
        ("received_to", to.as_str()),
    ];
    let ended = [("ended_from", from.as_str()), ("ended_to", to.as_str())];
    // Open at the end of the day before the period (carried over) and at
    // its end (in progress).
    let eve = first.yesterday().map(format::iso_date).unwrap_or_default();
    let with =
        |a: &[(&'static str, &str)], b: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            a.iter()
                .chain(b.iter())
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect()
        };
    let link = |pairs: Vec<(&'static str, String)>| {
        let refs: Vec<(&'static str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        href(&refs)
    };
    let cells = vec![
        Cell {
            text: n(f.received_total),
            href: None,
        },
        Cell {
            text: n(f.received_online),
            href: if report.by == Breakdown::Channel && !total {
                None
            } else {
                link(with(&received, &[("channel", "online")]))
            },
        },
        Cell {
            text: n(f.received_in_person_or_postal),
            href: None,
        },
        Cell {
            text: n(f.carried_over),
            href: link(with(&[("open_on", eve.as_str())], &[])),
        },
        Cell {
            text: n(f.resolved),
            href: link(with(&ended, &[])),
        },
        Cell {
            text: n(f.early),
            href: link(with(&ended, &[("classification", "early")])),
        },
        Cell {
            text: n(f.on_time),
            href: link(with(&ended, &[("classification", "on_time")])),
        },
        Cell {
            text: n(f.late),
            href: link(with(&ended, &[("classification", "late")])),
        },
        Cell {
            text: n(f.in_progress),
            href: link(with(&[("open_on", to.as_str())], &[])),
        },
        Cell {
            text: n(f.within_limit),
            href: link(with(&[("within_limit_on", to.as_str())], &[])),
        },
        Cell {
            text: n(f.overdue),
            href: link(with(&[("overdue_on", to.as_str())], &[])),
        },
        Cell {
            text: f.rates()[0]
                .percent()
                .map(|p| format!("{p:.2}"))
                .unwrap_or_else(|| "—".to_owned()),
            href: None,
        },
        Cell {
            text: f
                .average_days()
                .map(|d| format!("{d:.2}"))
                .unwrap_or_else(|| "—".to_owned()),
            href: None,
        },
    ];
    Line {
        key: key.to_owned(),
        label: label.to_owned(),
        cells,
        total,
    }
}

/// `GET /bao-cao?unit=&from=&to=&by=`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    Query(q): Query<ReportForm>,
) -> Result<Response, WebError> {
    let lang = staff.lang;
    let t = lang.texts();
    let services = &st.services;
    let now = st.services.now();
    let today = motcua_domain::time::to_local(now).date();
    // Units the person may read figures of: their grants with the permission.
    let mut units = Vec::new();
    for g in &staff.actor.grants {
        if motcua_service::access::role_permits(g.role, Permission::ViewStatistics)
            && !units
                .iter()
                .any(|(id, _, _): &(i64, String, String)| *id == g.unit_id)
        {
            let u = services.unit(g.unit_id).await?;
            units.push((u.id, u.code.to_string(), u.name.clone()));
        }
    }
    let unit = q
        .unit
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| units.first().map(|(_, c, _)| c.clone()))
        .unwrap_or_default();
    let from = q
        .from
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format::iso_date(today.first_of_year()));
    let to =
        q.to.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format::iso_date(today));
    let by_text =
        q.by.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unit".to_owned());
    let mut error = None;
    let parsed = (|| -> Result<ReportQuery, String> {
        let bad = |field: &str| {
            format!(
                "{}: {}",
                t.get(&format!("reports.{field}")),
                t.get("reports.bad_date")
            )
        };
        let from: Date = from.parse().map_err(|_| bad("from"))?;
        let to: Date = to.parse().map_err(|_| bad("to"))?;
        let by = Breakdown::parse(&by_text).map_err(|e| e.to_string())?;
        Ok(ReportQuery {
            unit: unit.clone(),
            from,
            to,
            by,
        })
    })();
    let report = match parsed {
        Ok(rq) if !unit.is_empty() => {
            match services.stats().dossier_report(&staff.actor, &rq).await {
                Ok(r) => Some(r),
                Err(motcua_service::ServiceError::Invalid { field, reason }) => {
                    error = Some(format!("{field}: {reason}"));
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(_) => {
            error = Some(t.get("reports.no_units").to_owned());
            None
        }
        Err(e) => {
            error = Some(e);
            None
        }
    };
    let mut lines = Vec::new();
    let (mut trend_chart, mut channel_chart, mut groups_chart) =
        (String::new(), String::new(), String::new());
    let mut exports = Vec::new();
    let mut heading = String::new();
    if let Some(r) = &report {
        heading = t.fill(
            "reports.heading",
            &[
                ("unit", r.unit_name.as_str()),
                ("from", format::date(lang, r.from).as_str()),
                ("to", format::date(lang, r.to).as_str()),
            ],
        );
        for row in &r.rows {
            lines.push(line(lang, r, &row.key, &row.label, &row.figures, false));
        }
        lines.push(line(
            lang,
            r,
            "TOTAL",
            t.get("reports.total"),
            &r.total,
            true,
        ));
        for (fmt, label) in [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("pdf", "PDF")] {
            exports.push(Preset {
                label: label.to_owned(),
                href: format!(
                    "/api/reports/dossiers?{}",
                    query(&[
                        ("unit", r.unit.as_str()),
                        ("from", &format::iso_date(r.from)),
                        ("to", &format::iso_date(r.to)),
                        ("by", r.by.as_str()),
                        ("format", fmt),
                    ])
                ),
            });
        }
        // On-time rate by month over the period.
        let monthly = services
            .stats()
            .dossier_report(
                &staff.actor,
                &ReportQuery {
                    unit: r.unit.clone(),
                    from: r.from,
                    to: r.to,
                    by: Breakdown::Month,
                },
            )
            .await?;
        let bars: Vec<Bar> = monthly
            .rows
            .iter()
            .map(|m| Bar {
                label: m
                    .key
                    .get(5..7)
                    .map(|mm| format!("{mm}/{}", &m.key[2..4]))
                    .unwrap_or_default(),
                value: m.figures.rates()[0]
                    .percent()
                    .map_or(0, |p| p.round() as u64),
                highlight: false,
            })
            .collect();
        trend_chart = charts::columns(
            "trend",
            t.get("reports.chart_trend"),
            t.get("reports.chart_trend_desc"),
            &bars,
        );
        let f = &r.total;
        let mix = [
            (t.get("reports.channel_online"), f.received_online),
            (
                t.get("reports.channel_in_person"),
                f.received_in_person_or_postal - f.received_postal,
            ),
            (t.get("reports.channel_postal"), f.received_postal),
        ];
        let bars: Vec<Bar> = mix
            .iter()
            .map(|(l, v)| Bar {
                label: (*l).to_owned(),
                value: u64::try_from(*v).unwrap_or(0),
                highlight: false,
            })
            .collect();
        channel_chart = charts::rows(
            "channels",
            t.get("reports.chart_channels"),
            t.get("reports.chart_channels_desc"),
            &bars,
        );
        let bars: Vec<Bar> = r
            .rows
            .iter()
            .take(30)
            .map(|row| Bar {
                label: row.label.chars().take(28).collect(),
                value: row.figures.rates()[0]
                    .percent()
                    .map_or(0, |p| p.round() as u64),
                highlight: false,
            })
            .collect();
        groups_chart = charts::rows(
            "groups",
            t.get("reports.chart_groups"),
            t.get("reports.chart_groups_desc"),
            &bars,
        );
    }
    // The catalog and its reviews beside the dossiers (issue 17, point 7).
    let mut catalog = Vec::new();
    let mut reviews = None;
    if let Some(r) = &report {
        let unit_id = services
            .unit_by_code(&r.unit.parse().map_err(motcua_service::ServiceError::from)?)
            .await?
            .id;
        let n = |v: u32| format::number(lang, i64::from(v));
        for c in services
            .procedures()
            .catalog_stats(&staff.actor, unit_id, r.to)
            .await?
        {
            catalog.push(CatalogLine {
                level: motcua_service::stats::report::level_label(c.level).to_owned(),
                procedures: n(c.procedures),
                full_process: n(c.full_process),
                partial: n(c.partial),
                not_online: n(c.not_online),
                processes: n(c.processes),
            });
        }
        let (_, f) = services
            .processes()
            .review_report(&staff.actor, unit_id, r.to.year())
            .await?;
        reviews = Some(t.fill(
            "reports.reviews",
            &[
                ("year", r.to.year().to_string()),
                ("reviewed", format::number(lang, i64::from(f.reviewed))),
                ("days", format::number(lang, f.days_cut)),
            ],
        ));
    }
    // Citizens' satisfaction from the ratings given in the period.
    let mut satisfaction = Vec::new();
    if let Some(r) = &report
        && let Ok(sat) = services
            .stats()
            .satisfaction(&staff.actor, &r.unit, r.from, r.to)
            .await
        && sat.total.ratings.responses > 0
    {
        let pct = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |p| format!("{p:.1} %"));
        let row = |name: String, x: &motcua_service::ratings::SatisfactionRow, total: bool| {
            SatisfactionLine {
                name,
                responses: format::number(lang, i64::try_from(x.ratings.responses).unwrap_or(0)),
                satisfied: pct(x.satisfied_percent),
                mean: x.mean.map_or_else(|| "—".to_owned(), |m| format!("{m:.2}")),
                aspects: x.aspect_percents.iter().map(|a| pct(*a)).collect(),
                index: pct(x.index),
                rank: x.rank.map_or_else(|| "—".to_owned(), |r| r.to_string()),
                total,
            }
        };
        for x in &sat.rows {
            satisfaction.push(row(x.name.clone(), x, false));
        }
        satisfaction.push(row(t.get("reports.sat_total").to_owned(), &sat.total, true));
    }
    let presets = presets(&t, today)
        .into_iter()
        .map(|(label, p)| Preset {
            label,
            href: format!(
                "{PATH}?{}",
                query(&[
                    ("unit", unit.as_str()),
                    ("from", &format::iso_date(p.from)),
                    ("to", &format::iso_date(p.to)),
                    ("by", by_text.as_str()),
                ])
            ),
        })
        .collect();
    let unit_choices = units
        .iter()
        .map(|(_, code, name)| Choice {
            value: code.clone(),
            label: name.clone(),
            selected: *code == unit,
        })
        .collect();
    let breakdowns = Breakdown::ALL
        .iter()
        .map(|b| Choice {
            value: b.as_str().to_owned(),
            label: breakdown_label(&t, *b),
            selected: b.as_str() == by_text,
        })
        .collect();
    let here = format!(
        "{PATH}?{}",
        query(&[
            ("unit", unit.as_str()),
            ("from", &from),
            ("to", &to),
            ("by", &by_text)
        ])
    );
    let layout = Layout::staff(
        &st,
        &staff,
        Area::Reports,
        t.get("reports.title"),
        None,
        &here,
    )
    .await?;
    Ok(render(
        StatusCode::OK,
        &ReportsPage {
            t,
            layout,
            units: unit_choices,
            breakdowns,
            from,
            to,
            presets,
            heading,
            lines,
            exports,
            trend_chart,
            channel_chart,
            groups_chart,
            catalog,
            reviews,
            satisfaction,
            error,
        },
    ))
}
