//! `GET /ho-so`: the dossier list with the filters of the JSON list API
//! (`unit`, `status`, `procedure`, `channel`, `received_from`/`received_to`,
//! `due_from`/`due_to`, `ended_from`/`ended_to`, `classification`,
//! `near_due`, `overdue`, `mine`, `sort`, `cursor`),
//! parsed by the API's own [`parse_list`](crate::api::dossiers::parse_list),
//! so a dashboard link shows exactly the dossiers it counted.
//!
//! The filter form is a GET form that works without JavaScript; with htmx
//! it swaps only the results (`list_partial.html`) and keeps the URL. A
//! status may come as a comma-separated list (`status=received,processing`)
//! or repeated (`status=a&status=b`). Paging is by cursor: the "next page"
//! link carries the filters, the cursor and the page number (`page`, shown
//! only). The list says how many dossiers match, counted with the list's
//! own conditions up to [`LIST_COUNT_CAP`]. The search box, unit, status
//! and order sit on one line; the other filters fold into "Bộ lọc khác",
//! open when one of them is set. The received and due columns' headers
//! sort by them (`aria-sort` on the sorted one); they load the whole page,
//! so that the form's order follows.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use jiff::Timestamp;
use motcua_domain::dossier::{Channel, Status};
use motcua_service::ServiceError;
use motcua_service::dossiers::LIST_COUNT_CAP;
use motcua_service::store::{DossierSort, DossierSummary, Total, Unit};

use super::dashboard::status_label;
use super::layout::{Area, Layout};
use super::{Staff, format, is_htmx, render};
use crate::api::dossiers::{ListParams, parse_list};
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::ui::StaffState;

/// Where the list lives.
pub const PATH: &str = "/ho-so";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show))
        .route(super::list_export::PATH, get(super::list_export::export))
}

/// The filters as the form shows them (text as given).
#[derive(Default, Clone)]
pub struct Filters {
    /// The search box's text.
    pub q: String,
    pub unit: String,
    pub status: String,
    pub procedure: String,
    pub channel: String,
    pub received_from: String,
    pub received_to: String,
    pub due_from: String,
    pub due_to: String,
    pub ended_from: String,
    pub ended_to: String,
    pub classification: String,
    pub open_on: String,
    pub sector: String,
    pub level: String,
    pub own: bool,
    pub tree_on: String,
    pub within_limit_on: String,
    pub overdue_on: String,
    pub received_only: bool,
    pub near_due: bool,
    pub overdue: bool,
    pub mine: bool,
    pub sort: String,
    pub cursor: String,
    /// The page number the cursor stands at (links only; shown, not read
    /// by the list).
    pub page: String,
    /// Page size (links only; default 50).
    pub limit: String,
    /// The cursors of the pages before this one, oldest first (`back`,
    /// links only): a keyset cursor cannot walk backwards, so the "previous
    /// page" link pops the last of them. At most [`TRAIL`] are kept; a
    /// longer walk still offers the first page.
    pub back: Vec<String>,
}

/// How many earlier pages the "previous page" link can step back through.
pub const TRAIL: usize = 20;

/// Whether `c` may be a cursor (hex, bounded): the trail carries only
/// those, so a made-up `back` cannot grow a link without bound.
fn cursor_like(c: &str) -> bool {
    !c.is_empty() && c.len() <= 96 && c.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Filters {
    /// Reads query pairs: empty values are "no filter", repeated statuses
    /// join, unknown names are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = Self::default();
        let mut statuses: Vec<String> = Vec::new();
        for (k, v) in pairs {
            let v = v.trim();
            let on = matches!(v, "true" | "on" | "1");
            match k.as_str() {
                "q" => f.q = v.to_owned(),
                "unit" => f.unit = v.to_owned(),
                "status" => statuses.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                ),
                "procedure" => f.procedure = v.to_owned(),
                "channel" => f.channel = v.to_owned(),
                "received_from" => f.received_from = v.to_owned(),
                "received_to" => f.received_to = v.to_owned(),
                "due_from" => f.due_from = v.to_owned(),
                "due_to" => f.due_to = v.to_owned(),
                "near_due" => f.near_due = on,
                "overdue" => f.overdue = on,
                "mine" => f.mine = on,
                "sort" => f.sort = v.to_owned(),
                "cursor" => f.cursor = v.to_owned(),
                "page" => f.page = v.to_owned(),
                "back" => {
                    // "-" stands for the first page (no cursor).
                    f.back = v
                        .split(',')
                        .filter(|c| *c == "-" || cursor_like(c))
                        .map(str::to_owned)
                        .collect();
                    let extra = f.back.len().saturating_sub(TRAIL);
                    f.back.drain(..extra);
                }
                "limit" => f.limit = v.to_owned(),
                "ended_from" => f.ended_from = v.to_owned(),
                "ended_to" => f.ended_to = v.to_owned(),
                "classification" => f.classification = v.to_owned(),
                "open_on" => f.open_on = v.to_owned(),
                "received_only" => f.received_only = on,
                "sector" => f.sector = v.to_owned(),
                "level" => f.level = v.to_owned(),
                "own" => f.own = on,
                "tree_on" => f.tree_on = v.to_owned(),
                "within_limit_on" => f.within_limit_on = v.to_owned(),
                "overdue_on" => f.overdue_on = v.to_owned(),
                _ => {}
            }
        }
        statuses.dedup();
        f.status = statuses.join(",");
        f
    }

    fn some(s: &str) -> Option<String> {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    }

    /// The API's parameters; `None` when the page size is not a number.
    pub(crate) fn params(&self) -> Option<ListParams> {
        let limit = match Self::some(&self.limit) {
            None => None,
            Some(l) => Some(l.parse::<u32>().ok()?),
        };
        Some(ListParams {
            q: Self::some(&self.q),
            unit: Self::some(&self.unit),
            status: Self::some(&self.status),
            procedure: Self::some(&self.procedure),
            channel: Self::some(&self.channel),
            due_from: Self::some(&self.due_from),
            due_to: Self::some(&self.due_to),
            received_from: Self::some(&self.received_from),
            received_to: Self::some(&self.received_to),
            ended_from: Self::some(&self.ended_from),
            ended_to: Self::some(&self.ended_to),
            classification: Self::some(&self.classification),
            received_only: self.received_only.then_some(true),
            open_on: Self::some(&self.open_on),
            sector: Self::some(&self.sector),
            level: Self::some(&self.level),
            own: self.own.then_some(true),
            tree_on: Self::some(&self.tree_on),
            within_limit_on: Self::some(&self.within_limit_on),
            overdue_on: Self::some(&self.overdue_on),
            near_due: self.near_due.then_some(true),
            overdue: self.overdue.then_some(true),
            mine: self.mine.then_some(true),
            sort: Self::some(&self.sort),
            cursor: Self::some(&self.cursor),
            limit,
            count: None,
        })
    }

    /// The filters a report's links set that the form has no field for:
    /// kept as hidden fields, so that changing the order or another filter
    /// keeps the report cell's dossiers.
    pub fn report_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = self
            .report_texts()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, v.clone()))
            .collect();
        for (k, on) in [("received_only", self.received_only), ("own", self.own)] {
            if on {
                out.push((k, "true".to_owned()));
            }
        }
        out
    }

    /// The text filters only a report's links set.
    fn report_texts(&self) -> [(&'static str, &String); 6] {
        [
            ("open_on", &self.open_on),
            ("sector", &self.sector),
            ("level", &self.level),
            ("tree_on", &self.tree_on),
            ("within_limit_on", &self.within_limit_on),
            ("overdue_on", &self.overdue_on),
        ]
    }

    /// The report cell's conditions in words, for the note above the list.
    pub fn report_scope(&self, t: &Texts) -> Vec<String> {
        let mut out = Vec::new();
        if self.own {
            out.push(t.get("list.scope_own").to_owned());
        } else if self.received_only {
            out.push(t.get("list.scope_received").to_owned());
        }
        if !self.level.is_empty() {
            let name = format!("admin.levels.{}", self.level);
            let label = match t.get(&name) {
                missing if missing == name => self.level.as_str(),
                label => label,
            };
            // Mid-sentence: "các đơn vị cấp xã".
            out.push(t.fill("list.scope_level", &[("level", label.to_lowercase())]));
        }
        if !self.sector.is_empty() {
            out.push(t.fill("list.scope_sector", &[("sector", &self.sector)]));
        }
        for (key, v) in [
            ("list.scope_open_on", &self.open_on),
            ("list.scope_within_limit_on", &self.within_limit_on),
            ("list.scope_overdue_on", &self.overdue_on),
            ("list.scope_tree_on", &self.tree_on),
        ] {
            if !v.is_empty() {
                let shown = v
                    .parse::<jiff::civil::Date>()
                    .map(|d| super::format::date(t.lang(), d))
                    .unwrap_or_else(|_| v.clone());
                out.push(t.fill(key, &[("date", shown)]));
            }
        }
        out
    }

    /// How many of the folded filters ("Bộ lọc khác") are set.
    pub fn folded_set(&self) -> usize {
        let texts = [
            &self.procedure,
            &self.channel,
            &self.received_from,
            &self.received_to,
            &self.due_from,
            &self.due_to,
            &self.ended_from,
            &self.ended_to,
            &self.classification,
        ];
        texts.iter().filter(|v| !v.is_empty()).count()
            + [self.near_due, self.overdue, self.mine]
                .iter()
                .filter(|on| **on)
                .count()
    }

    /// The page number shown: the `page` a link carried with its cursor, 1
    /// without a cursor or with no number.
    pub fn page_number(&self) -> u64 {
        if self.cursor.is_empty() {
            return 1;
        }
        self.page
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// The query string of the next page: these filters at `cursor`,
    /// page `page`, with this page's own cursor added to the trail.
    pub fn page_query(&self, cursor: &str, page: u64) -> String {
        let mut back = self.back.clone();
        back.push(if self.cursor.is_empty() {
            "-".to_owned()
        } else {
            self.cursor.clone()
        });
        let extra = back.len().saturating_sub(TRAIL);
        back.drain(..extra);
        Self::at(self.query(Some(cursor)), page, &back)
    }

    /// The query string of the page before this one, when the trail knows
    /// it: its cursor is the trail's last ("-": the first page, no cursor).
    pub fn previous_query(&self) -> Option<String> {
        let (last, rest) = self.back.split_last()?;
        let page = self.page_number().saturating_sub(1).max(1);
        Some(if last == "-" {
            self.query(None)
        } else {
            Self::at(self.query(Some(last)), page, rest)
        })
    }

    fn at(mut q: String, page: u64, back: &[String]) -> String {
        q.push_str(&format!("&page={page}"));
        if !back.is_empty() {
            q.push_str("&back=");
            q.push_str(&back.join("%2C"));
        }
        q
    }

    /// The query string of these filters in another order (first page).
    pub fn sorted_query(&self, sort: DossierSort) -> String {
        Self {
            sort: sort.as_str().to_owned(),
            ..self.clone()
        }
        .query(None)
    }

    /// The query string of these filters, with another cursor.
    pub fn query(&self, cursor: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("unit", &self.unit),
            ("status", &self.status),
            ("procedure", &self.procedure),
            ("channel", &self.channel),
            ("received_from", &self.received_from),
            ("received_to", &self.received_to),
            ("due_from", &self.due_from),
            ("due_to", &self.due_to),
            ("ended_from", &self.ended_from),
            ("ended_to", &self.ended_to),
            ("classification", &self.classification),
        ]
        .into_iter()
        .chain(self.report_texts())
        {
            if !v.is_empty() {
                pairs.push((k, v));
            }
        }
        for (k, on) in [
            ("received_only", self.received_only),
            ("own", self.own),
            ("near_due", self.near_due),
            ("overdue", self.overdue),
            ("mine", self.mine),
        ] {
            if on {
                pairs.push((k, "true"));
            }
        }
        if !self.sort.is_empty() {
            pairs.push(("sort", &self.sort));
        }
        if !self.limit.is_empty() {
            pairs.push(("limit", &self.limit));
        }
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A row of the table.
pub struct Row {
    pub code: String,
    pub href: String,
    pub version: i64,
    pub applicant: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub received: String,
    pub due: String,
    /// `ok`, `warn`, `bad` or `paused`; empty when there is no mark.
    pub tone: &'static str,
    pub mark: String,
    pub status: String,
    pub holder: String,
    /// The due moment of the open step (queues only; empty elsewhere).
    pub step_due: String,
    /// Whether the open step is past its due (queues only).
    pub step_late: bool,
}

/// A sortable column's header: where it leads and how the list stands.
pub struct SortHead {
    pub href: String,
    /// `ascending` or `descending` on the column the list is sorted by;
    /// empty elsewhere.
    pub aria: &'static str,
    /// `↑`, `↓` or empty.
    pub arrow: &'static str,
    /// What the link does, for screen readers and the tooltip.
    pub label: String,
}

impl SortHead {
    /// The header of a column sorted `up` or `down` (the first order a click
    /// gives), with the list in `current`.
    fn of(
        t: &Texts,
        f: &Filters,
        column: &str,
        current: DossierSort,
        (up, down): (DossierSort, DossierSort),
        first: DossierSort,
    ) -> Self {
        let (aria, arrow, next) = if current == up {
            ("ascending", "↑", down)
        } else if current == down {
            ("descending", "↓", up)
        } else {
            ("", "", first)
        };
        Self {
            href: format!("{PATH}?{}", f.sorted_query(next)),
            aria,
            arrow,
            label: t.fill("list.sort_by", &[("column", column)]),
        }
    }
}

/// The results: rows and the next page.
pub struct Results {
    pub rows: Vec<Row>,
    pub next_href: Option<String>,
    pub previous_href: Option<String>,
    pub first_href: Option<String>,
    /// "1.234 hồ sơ", "Hơn 10.000 hồ sơ"; none when the list cannot be
    /// counted (a report's cell judged from histories) or is bad.
    pub total: Option<String>,
    /// "Trang 2 / 13" ("Trang 2" when the total is capped or unknown).
    pub page: Option<String>,
    /// The received and due columns' headers.
    pub received_head: Option<SortHead>,
    pub due_head: Option<SortHead>,
    pub error: Option<String>,
    /// The list as files and the register to print; `None` when the
    /// filters are bad.
    pub files: Option<Files>,
}

/// The list's files, with the filters shown.
pub struct Files {
    pub csv_href: String,
    pub xlsx_href: String,
    /// The register (form 06) of the unit for the reception dates chosen,
    /// when a unit and both dates are.
    pub register_href: Option<String>,
}

impl Files {
    fn of(f: &Filters) -> Self {
        let filters = f.query(None);
        let sep = if filters.is_empty() { "" } else { "&" };
        let export = super::list_export::PATH;
        let register_href = (!f.unit.is_empty()
            && !f.received_from.is_empty()
            && !f.received_to.is_empty())
        .then(|| {
            let q = serde_urlencoded::to_string([
                ("unit", f.unit.as_str()),
                ("from", f.received_from.as_str()),
                ("to", f.received_to.as_str()),
            ])
            .unwrap_or_default();
            format!("/api/registers/dossiers?{q}")
        });
        Self {
            csv_href: format!("{export}?{filters}{sep}format=csv"),
            xlsx_href: format!("{export}?{filters}{sep}format=xlsx"),
            register_href,
        }
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    t: Texts,
    layout: Layout,
    f: Filters,
    units: Vec<Choice>,
    statuses: Vec<Choice>,
    channels: Vec<Choice>,
    sorts: Vec<Choice>,
    classifications: Vec<Choice>,
    /// How many folded filters are set (then "Bộ lọc khác" is open).
    folded: usize,
    folded_text: String,
    /// A report cell's conditions in words, and their hidden fields.
    scope: Vec<String>,
    hidden: Vec<(&'static str, String)>,
    r: Results,
}

#[derive(Template)]
#[template(path = "list_partial.html")]
struct ListPartial {
    t: Texts,
    r: Results,
}

/// `GET /ho-so?…`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let f = Filters::from_pairs(&pairs);
    let (status, r) = results(&st, &staff, &f).await?;
    if is_htmx(&headers) {
        return Ok(render(status, &ListPartial { t, r }));
    }
    let units = st.services.dashboards().units(&staff.actor).await?;
    let here = format!("{PATH}?{}", f.query(None));
    let layout = Layout::staff(
        &st,
        &staff,
        Area::Dossiers,
        t.get("list.title"),
        None,
        &here,
    )
    .await?;
    let page = ListPage {
        units: unit_choices(&t, &units, &f.unit),
        statuses: status_choices(&t, &f.status),
        channels: channel_choices(&t, &f.channel),
        sorts: sort_choices(&t, &f.sort),
        classifications: classification_choices(&t, &f.classification),
        folded: f.folded_set(),
        folded_text: t.fill(
            "list.more_filters_set",
            &[("n", f.folded_set().to_string())],
        ),
        scope: f.report_scope(&t),
        hidden: f.report_pairs(),
        t,
        layout,
        f,
        r,
    };
    Ok(render(status, &page))
}

/// Runs the list; a bad filter gives the page with a message and 422, a
/// refusal stays an error page.
async fn results(
    st: &StaffState,
    staff: &Staff,
    f: &Filters,
) -> Result<(StatusCode, Results), WebError> {
    let t = staff.lang.texts();
    let bad = |msg: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Results {
                rows: Vec::new(),
                next_href: None,
                previous_href: None,
                first_href: None,
                total: None,
                page: None,
                received_head: None,
                due_head: None,
                error: Some(msg),
                files: None,
            },
        )
    };
    let q = match f.params().map(parse_list) {
        Some(Ok(q)) => q,
        Some(Err(e)) if e.field() == Some("sort") => {
            return Ok(bad(
                t.fill("list.bad_field", &[("field", field_label(&t, "sort"))])
            ));
        }
        _ => return Ok(bad(t.get("list.bad_filter").to_owned())),
    };
    let (page, total) = match st
        .services
        .dossiers()
        .list_counted(&staff.actor, &q, Some(LIST_COUNT_CAP))
        .await
    {
        Ok(p) => p,
        Err(ServiceError::Invalid { field, .. }) => {
            return Ok(bad(
                t.fill("list.bad_field", &[("field", field_label(&t, &field))])
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let rows = rows(st, staff.lang, &page.items).await?;
    let number = f.page_number();
    let limit = u64::from(q.limit.unwrap_or(50)).max(1);
    let (total_text, page_text) = page_texts(&t, total, number, limit);
    let received = t.get("list.col_received").to_owned();
    let due = t.get("list.col_due").to_owned();
    Ok((
        StatusCode::OK,
        Results {
            rows,
            next_href: page
                .next
                .as_deref()
                .map(|c| format!("{PATH}?{}", f.page_query(c, number + 1))),
            // From page 2 the first page is the previous one: one link.
            previous_href: f
                .previous_query()
                .filter(|_| number > 2)
                .map(|q| format!("{PATH}?{q}")),
            first_href: (!f.cursor.is_empty()).then(|| format!("{PATH}?{}", f.query(None))),
            total: total_text,
            page: Some(page_text),
            received_head: Some(SortHead::of(
                &t,
                f,
                &received,
                q.sort,
                (DossierSort::Oldest, DossierSort::Newest),
                DossierSort::Newest,
            )),
            due_head: Some(SortHead::of(
                &t,
                f,
                &due,
                q.sort,
                (DossierSort::Due, DossierSort::DueLatest),
                DossierSort::Due,
            )),
            error: None,
            files: Some(Files::of(f)),
        },
    ))
}

/// "1.234 hồ sơ" and "Trang 2 / 13" for page `number` of `limit` rows;
/// a capped or unknown total gives the page number alone.
fn page_texts(
    t: &Texts,
    total: Option<Total>,
    number: u64,
    limit: u64,
) -> (Option<String>, String) {
    let lang = t.lang();
    let shown = |n: u64| format::count(lang, n);
    match total {
        Some(Total { count, more: false }) => {
            let pages = count.div_ceil(limit).max(1);
            let page = number.min(pages);
            (
                Some(t.fill("list.total", &[("n", shown(count))])),
                t.fill(
                    "list.page_of",
                    &[("page", shown(page)), ("pages", shown(pages))],
                ),
            )
        }
        Some(Total { count, more: true }) => (
            Some(t.fill("list.total_more", &[("n", shown(count))])),
            t.fill("list.page_n", &[("page", shown(number))]),
        ),
        None => (None, t.fill("list.page_n", &[("page", shown(number))])),
    }
}

fn field_label(t: &Texts, field: &str) -> String {
    match field {
        "sort" => t.get("list.sort"),
        "unit" => t.get("list.unit"),
        "procedure" => t.get("list.procedure"),
        "cursor" => t.get("list.cursor"),
        "q" => t.get("search.label"),
        _ => field,
    }
    .to_owned()
}

/// Where an open dossier's deadline stands, as the list filters judge it:
/// overdue once the appointment passed while the clock runs (by `late`
/// working days, see `DossierService::overdue_days`), near due from its
/// near-due moment, paused while the clock is stopped.
pub fn mark(
    t: &Texts,
    d: &DossierSummary,
    now: Timestamp,
    late: Option<u32>,
) -> (&'static str, String) {
    let open = matches!(
        d.status,
        Status::Received
            | Status::Processing
            | Status::AwaitingSupplement
            | Status::AwaitingFinancialObligation
    );
    if !open || d.current_due.is_none() {
        return ("", String::new());
    }
    if !d.clock_running {
        return ("paused", t.get("list.mark_paused").to_owned());
    }
    match (d.current_due, d.near_due) {
        (Some(due), _) if due < now => (
            "bad",
            match late {
                Some(0) | None => t.get("list.mark_overdue_today").to_owned(),
                Some(n) if n >= 1000 => t.get("list.mark_overdue_long").to_owned(),
                Some(n) => t.fill("list.mark_overdue_days", &[("n", n.to_string())]),
            },
        ),
        (_, Some(near)) if near <= now => ("warn", t.get("list.mark_near_due").to_owned()),
        _ => ("ok", t.get("list.mark_on_track").to_owned()),
    }
}

/// Table rows with holders' names, each name read once per page, and how
/// late each overdue one is in working days.
pub async fn rows(
    st: &StaffState,
    lang: Lang,
    items: &[DossierSummary],
) -> Result<Vec<Row>, WebError> {
    let services = &st.services;
    let now = st.services.now();
    let late = st.services.dossiers().overdue_days(items).await?;
    let t = lang.texts();
    let mut users: HashMap<i64, String> = HashMap::new();
    let mut units: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for d in items {
        let holder = match (d.holder_user_id, d.holder_unit_id) {
            (Some(u), _) => {
                if let Entry::Vacant(e) = users.entry(u) {
                    e.insert(services.display_name(u).await?);
                }
                users.get(&u).cloned().unwrap_or_default()
            }
            (None, Some(unit)) => {
                if let Entry::Vacant(e) = units.entry(unit) {
                    e.insert(services.unit(unit).await?.name);
                }
                units.get(&unit).cloned().unwrap_or_default()
            }
            (None, None) => String::new(),
        };
        let (tone, mark) = mark(&t, d, now, late.get(&d.id).copied());
        out.push(Row {
            code: d.code.clone(),
            href: format!("{PATH}/{}", d.code),
            version: d.version,
            applicant: d.applicant_name.clone(),
            procedure_code: d.procedure_code.clone(),
            procedure_name: d.procedure_name.clone(),
            received: d
                .received_at
                .map(|r| format::moment(lang, r))
                .unwrap_or_default(),
            due: d
                .current_due
                .map(|r| format::moment(lang, r))
                .unwrap_or_default(),
            tone,
            mark,
            status: status_label(&t, d.status),
            holder,
            step_due: String::new(),
            step_late: false,
        });
    }
    Ok(out)
}

fn unit_choices(t: &Texts, units: &[Unit], current: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: t.get("list.any_unit").to_owned(),
        selected: current.is_empty(),
    }];
    let mut found = current.is_empty();
    for u in units {
        let selected = u.code.as_str() == current;
        found |= selected;
        out.push(Choice {
            value: u.code.as_str().to_owned(),
            label: format!("{} ({})", u.name, u.code.as_str()),
            selected,
        });
    }
    if !found {
        out.push(Choice {
            value: current.to_owned(),
            label: current.to_owned(),
            selected: true,
        });
    }
    out
}

fn status_choices(t: &Texts, current: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: t.get("list.any_status").to_owned(),
        selected: current.is_empty(),
    }];
    let mut found = current.is_empty();
    for s in Status::ALL {
        let selected = s.as_str() == current;
        found |= selected;
        out.push(Choice {
            value: s.as_str().to_owned(),
            label: status_label(t, *s),
            selected,
        });
    }
    if !found {
        // A list from a dashboard link (`received,processing`).
        let label = current
            .split(',')
            .map(|s| {
                Status::parse(s)
                    .map(|s| status_label(t, s))
                    .unwrap_or_else(|_| s.to_owned())
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Choice {
            value: current.to_owned(),
            label,
            selected: true,
        });
    }
    out
}

fn channel_choices(t: &Texts, current: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: t.get("list.any_channel").to_owned(),
        selected: current.is_empty(),
    }];
    for c in Channel::ALL {
        out.push(Choice {
            value: c.as_str().to_owned(),
            label: t.get(channel_key(*c)).to_owned(),
            selected: c.as_str() == current,
        });
    }
    out
}

fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::InPerson => "list.channel_in_person",
        Channel::Online => "list.channel_online",
        Channel::Postal => "list.channel_postal",
    }
}

/// The orders a list can take.
pub fn sort_choices(t: &Texts, current: &str) -> Vec<Choice> {
    DossierSort::ALL
        .into_iter()
        .map(|o| {
            let v = o.as_str();
            Choice {
                value: v.to_owned(),
                label: t.get(&format!("list.sort_{v}")).to_owned(),
                selected: current == v || (current.is_empty() && v == "newest"),
            }
        })
        .collect()
}

/// The classification choices: any, in time (early or on time, the
/// on-time rate's numerator), and each one alone.
pub fn classification_choices(t: &Texts, current: &str) -> Vec<Choice> {
    [
        ("", "list.any_classification"),
        ("early,on_time", "list.classification_in_time"),
        ("early", "list.classification_early"),
        ("on_time", "list.classification_on_time"),
        ("late", "list.classification_late"),
        ("early,on_time,late", "list.classification_ended"),
    ]
    .into_iter()
    .map(|(v, k)| Choice {
        value: v.to_owned(),
        label: t.get(k).to_owned(),
        selected: current == v,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap()
    }

    #[test]
    fn filters_join_repeated_statuses_drop_empty_values_and_keep_the_rest() {
        let f = Filters::from_pairs(&pairs(
            "unit=000.01.21.H40&status=received&status=processing&channel=&near_due=true&overdue=&sort=due&ended_from=2025-11-01&junk=1",
        ));
        assert_eq!(f.status, "received,processing");
        let p = f.params().unwrap();
        assert_eq!(p.channel, None);
        assert_eq!(p.near_due, Some(true));
        assert_eq!(p.overdue, None);
        assert_eq!(p.ended_from.as_deref(), Some("2025-11-01"));
        assert_eq!(
            f.query(Some("ab")),
            "unit=000.01.21.H40&status=received%2Cprocessing&ended_from=2025-11-01&near_due=true&sort=due&cursor=ab"
        );
        assert!(parse_list(p).is_ok());
        let bad = Filters::from_pairs(&pairs("received_from=24/11/2025"));
        assert!(
            parse_list(bad.params().unwrap()).is_err(),
            "dates are ISO in links"
        );
        assert!(Filters::from_pairs(&pairs("limit=x")).params().is_none());
    }

    #[test]
    fn totals_and_page_numbers_read_as_staff_read_them() {
        let vi = Lang::Vi.texts();
        let total = |count, more| Some(Total { count, more });
        let texts = |t: &Texts, total, page, limit| {
            let (n, p) = page_texts(t, total, page, limit);
            (n.unwrap_or_default(), p)
        };
        assert_eq!(
            texts(&vi, total(1234, false), 2, 100),
            ("1.234 hồ sơ".to_owned(), "Trang 2 / 13".to_owned())
        );
        assert_eq!(
            texts(&vi, total(10_000, true), 3, 50),
            ("Hơn 10.000 hồ sơ".to_owned(), "Trang 3".to_owned())
        );
        assert_eq!(
            texts(&vi, None, 4, 50),
            (String::new(), "Trang 4".to_owned())
        );
        assert_eq!(texts(&vi, total(0, false), 1, 50).1, "Trang 1 / 1");
        assert_eq!(texts(&vi, total(100, false), 1, 50).1, "Trang 1 / 2");
        assert_eq!(texts(&vi, total(101, false), 3, 50).1, "Trang 3 / 3");
        // A number past the end (dossiers left the filter meanwhile).
        assert_eq!(texts(&vi, total(10, false), 9, 50).1, "Trang 1 / 1");
        let en = Lang::En.texts();
        assert_eq!(
            texts(&en, total(10_000, true), 2, 50),
            ("More than 10,000 dossiers".to_owned(), "Page 2".to_owned())
        );
        assert_eq!(texts(&en, total(51, false), 2, 50).1, "Page 2 of 2");
        // The number rides with a cursor only.
        assert_eq!(Filters::from_pairs(&pairs("page=3")).page_number(), 1);
        assert_eq!(
            Filters::from_pairs(&pairs("cursor=6e31&page=3")).page_number(),
            3
        );
        for bad in ["0", "x", "-2", ""] {
            let f = Filters::from_pairs(&pairs(&format!("cursor=6e31&page={bad}")));
            assert_eq!(f.page_number(), 1, "{bad}");
        }
        let f = Filters::from_pairs(&pairs("status=received&sort=due&page=2&cursor=ab"));
        assert_eq!(
            f.page_query("cd", 3),
            "status=received&sort=due&cursor=cd&page=3&back=ab"
        );
        assert_eq!(
            f.sorted_query(DossierSort::DueLatest),
            "status=received&sort=due_latest"
        );
    }

    #[test]
    fn the_trail_steps_back_page_by_page_and_stays_bounded() {
        // Page 1 (no cursor) leads to page 2, whose trail names the first
        // page; page 2 leads to page 3, whose trail adds page 2's cursor.
        let p1 = Filters::from_pairs(&pairs("status=received"));
        let q2 = p1.page_query("a2", 2);
        assert_eq!(q2, "status=received&cursor=a2&page=2&back=-");
        let p2 = Filters::from_pairs(&pairs(&q2));
        assert_eq!(p2.previous_query().as_deref(), Some("status=received"));
        let q3 = p2.page_query("a3", 3);
        assert_eq!(q3, "status=received&cursor=a3&page=3&back=-%2Ca2");
        let p3 = Filters::from_pairs(&pairs(&q3));
        assert_eq!(
            p3.previous_query().as_deref(),
            Some("status=received&cursor=a2&page=2&back=-")
        );
        // What is not a cursor is dropped; the trail keeps its last TRAIL.
        let junk = Filters::from_pairs(&pairs("cursor=ff&page=4&back=-,zz,%3Cb%3E,0a"));
        assert_eq!(junk.back, ["-", "0a"]);
        let long: Vec<String> = (0..TRAIL + 5).map(|i| format!("{i:x}0")).collect();
        let deep = Filters::from_pairs(&pairs(&format!(
            "cursor=ff&page=40&back={}",
            long.join("%2C")
        )));
        assert_eq!(deep.back.len(), TRAIL);
        assert_eq!(deep.back.first().map(String::as_str), Some("50"));
        let next = Filters::from_pairs(&pairs(&deep.page_query("ee", 41)));
        assert_eq!(next.back.len(), TRAIL);
        assert_eq!(next.back.last().map(String::as_str), Some("ff"));
        // Without a trail there is no previous link (the first page is).
        assert_eq!(
            Filters::from_pairs(&pairs("cursor=ff&page=9")).previous_query(),
            None
        );
    }

    #[test]
    fn the_folded_filters_are_counted_when_set() {
        assert_eq!(Filters::default().folded_set(), 0);
        let line = Filters::from_pairs(&pairs("q=an&unit=x&status=received&sort=due"));
        assert_eq!(line.folded_set(), 0);
        let folded = Filters::from_pairs(&pairs(
            "channel=postal&received_from=2025-01-01&overdue=true&mine=on&classification=late",
        ));
        assert_eq!(folded.folded_set(), 5);
    }

    #[test]
    fn a_report_cells_filters_are_described_and_kept_through_the_form() {
        use motcua_domain::stats::OpenState;
        let q = "unit=000.00.00.H40&received_only=true&level=commune&tree_on=2026-11-30&overdue_on=2026-11-30&sector=H%E1%BB%99+t%E1%BB%8Bch";
        let f = Filters::from_pairs(&pairs(q));
        let t = Lang::Vi.texts();
        assert_eq!(
            f.report_scope(&t),
            vec![
                "do đơn vị và các đơn vị trực thuộc tiếp nhận",
                "các đơn vị cấp xã",
                "lĩnh vực Hộ tịch",
                "đang giải quyết quá hạn cuối ngày 30/11/2026",
                "theo cây đơn vị ngày 30/11/2026",
            ]
        );
        let mut hidden: Vec<String> = f
            .report_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        hidden.sort();
        assert_eq!(
            hidden,
            [
                "level=commune",
                "overdue_on=2026-11-30",
                "received_only=true",
                "sector=Hộ tịch",
                "tree_on=2026-11-30"
            ]
        );
        let p = parse_list(f.params().unwrap()).unwrap();
        assert_eq!(
            p.open_state_on,
            Some((OpenState::Overdue, jiff::civil::date(2026, 11, 30)))
        );
        assert_eq!(p.sector.as_deref(), Some("Hộ tịch"));
        // The next page's link keeps them.
        let again = Filters::from_pairs(&pairs(&f.query(Some("ab"))));
        assert_eq!(again.report_pairs(), f.report_pairs());
        assert!(Filters::default().report_scope(&t).is_empty());
    }
}
