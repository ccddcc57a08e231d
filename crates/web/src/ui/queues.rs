//! `/hang-doi`: work queues for specialists and leaders, and bulk hand-over.
//!
//! Tabs (`?tab=`): `mine` (Giao cho tôi), `unit` (Của đơn vị), `approval`
//! (Chờ tôi phê duyệt, leaders only), `desk` (Chờ chuyển xử lý) and
//! `return` (Chờ trả kết quả) for desk officers; what each holds is defined in
//! [`motcua_service::queues`]. Each can be ordered (`sort=due|due_latest|newest|oldest`) and
//! filtered (`procedure`, `near_due`, `overdue`); htmx swaps the table only
//! (`queue_partial.html`).
//!
//! Bulk hand-over: the table is a form; each row has a checkbox (`pick`)
//! and a hidden `v.<code>` with the version the page showed. `POST
//! /hang-doi/chuyen` hands each picked dossier to the next step with the
//! chosen person through [`DossierService::act`](motcua_service::dossiers::DossierService::act),
//! naming that version: a dossier changed since (or already handed over by
//! an earlier submit of the same form) is refused as stale, so a double
//! submit changes nothing twice. The answer lists what happened to each.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_service::ServiceError;
use motcua_service::dossiers::{Act, ActionInput};
use motcua_service::queues::{self as svc, Colleague, Queue, QueueQuery};
use motcua_service::store::DossierSort;

use super::layout::{Area, Layout};
use super::list::{Choice, Row, rows, sort_choices};
use super::{Staff, is_htmx, render};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;

/// Where the queues live.
pub const PATH: &str = "/hang-doi";
/// Where bulk hand-overs are posted.
pub const HAND_OVER_PATH: &str = "/hang-doi/chuyen";

/// Routes of this module.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(PATH, get(show))
        .route(HAND_OVER_PATH, post(hand_over))
}

/// Most dossiers one bulk hand-over takes.
const MAX_PICKS: usize = 200;

/// The page's filters as given.
#[derive(Default, Clone)]
struct Filters {
    tab: Queue,
    procedure: String,
    near_due: bool,
    overdue: bool,
    sort: String,
    cursor: String,
}

impl Filters {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ServiceError> {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.trim();
            let on = matches!(v, "true" | "on" | "1");
            match k.as_str() {
                "tab" if !v.is_empty() => f.tab = Queue::parse(v)?,
                "procedure" => f.procedure = v.to_owned(),
                "near_due" => f.near_due = on,
                "overdue" => f.overdue = on,
                "sort" => f.sort = v.to_owned(),
                "cursor" => f.cursor = v.to_owned(),
                _ => {}
            }
        }
        Ok(f)
    }

    fn query(&self, tab: Queue, cursor: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("tab", tab.as_str())];
        if !self.procedure.is_empty() {
            pairs.push(("procedure", &self.procedure));
        }
        if self.near_due {
            pairs.push(("near_due", "true"));
        }
        if self.overdue {
            pairs.push(("overdue", "true"));
        }
        if !self.sort.is_empty() {
            pairs.push(("sort", &self.sort));
        }
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    fn to_query(&self) -> Result<QueueQuery, ServiceError> {
        let sort = match self.sort.as_str() {
            "" => DossierSort::Due,
            s => DossierSort::parse(s).ok_or_else(|| {
                ServiceError::invalid("sort", "newest, oldest, due or due_latest")
            })?,
        };
        Ok(QueueQuery {
            queue: self.tab,
            procedure: (!self.procedure.is_empty()).then(|| self.procedure.clone()),
            near_due: self.near_due,
            overdue: self.overdue,
            sort,
            cursor: (!self.cursor.is_empty()).then(|| self.cursor.clone()),
            limit: None,
        })
    }
}

/// A tab.
struct Tab {
    label: String,
    href: String,
    current: bool,
    /// Dossiers it holds with the filters shown: "12", "200+".
    count: String,
    /// Whether it holds any (the count is emphasised).
    busy: bool,
}

/// What one picked dossier came to.
struct Outcome {
    code: String,
    href: String,
    done: bool,
    message: String,
}

/// The table and its hand-over form.
struct Results {
    rows: Vec<Row>,
    next_href: Option<String>,
    error: Option<String>,
    colleagues: Vec<Colleague>,
    back: String,
    csrf: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    t: Texts,
    layout: Layout,
    tabs: Vec<Tab>,
    tab: &'static str,
    procedure: String,
    near_due: bool,
    overdue: bool,
    sorts: Vec<Choice>,
    outcomes: Vec<Outcome>,
    r: Results,
}

#[derive(Template)]
#[template(path = "queue_partial.html")]
struct QueuePartial {
    t: Texts,
    r: Results,
}

/// How many each queue the actor may open holds, with the page's filters
/// (not its cursor); `None` when the filters are bad (the page says so).
async fn counts(
    st: &StaffState,
    staff: &Staff,
    f: &Filters,
    known: Option<(Queue, usize)>,
) -> Result<Vec<(Queue, usize, bool)>, WebError> {
    let mut out = Vec::new();
    for q in Queue::ALL.into_iter().filter(|q| q.open_to(&staff.actor)) {
        // The tab on screen, when its first page held all of it, is not
        // read again (the approval queue is the dearest to read).
        if let Some((k, n)) = known
            && k == q
        {
            out.push((q, n, false));
            continue;
        }
        let Ok(query) = (Filters {
            tab: q,
            cursor: String::new(),
            ..f.clone()
        })
        .to_query() else {
            return Ok(Vec::new());
        };
        match svc::count(st.services.dossiers(), &staff.actor, &query).await {
            Ok((n, more)) => out.push((q, n, more)),
            Err(ServiceError::Invalid { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// The queues the actor may open, each with its count.
fn tabs(t: &Texts, staff: &Staff, f: &Filters, counts: &[(Queue, usize, bool)]) -> Vec<Tab> {
    Queue::ALL
        .into_iter()
        .filter(|q| q.open_to(&staff.actor))
        .map(|q| {
            let (n, more) = counts
                .iter()
                .find(|(c, _, _)| *c == q)
                .map_or((0, false), |(_, n, more)| (*n, *more));
            Tab {
                label: t.get(tab_key(q)).to_owned(),
                href: format!(
                    "{PATH}?{}",
                    Filters {
                        cursor: String::new(),
                        ..f.clone()
                    }
                    .query(q, None)
                ),
                current: q == f.tab,
                count: if counts.is_empty() {
                    String::new()
                } else if more {
                    format!("{n}+")
                } else {
                    n.to_string()
                },
                busy: n > 0,
            }
        })
        .collect()
}

pub(crate) fn tab_key(q: Queue) -> &'static str {
    match q {
        Queue::Mine => "queue.tab_mine",
        Queue::Unit => "queue.tab_unit",
        Queue::Approval => "queue.tab_approval",
        Queue::Desk => "queue.tab_desk",
        Queue::Return => "queue.tab_return",
    }
}

/// `GET /hang-doi?tab=…`.
async fn show(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut f = Filters::from_pairs(&pairs).unwrap_or_default();
    // Without a tab asked for, the queue opens where work waits: the first
    // tab (mine, then the approvals, then the unit's) that holds any.
    let asked = pairs
        .iter()
        .any(|(k, v)| k == "tab" && !v.trim().is_empty());
    // A desk officer has no "mine" queue: start on the first one theirs.
    if !asked
        && !f.tab.open_to(&staff.actor)
        && let Some(q) = Queue::ALL.into_iter().find(|q| q.open_to(&staff.actor))
    {
        f.tab = q;
    }
    if !asked && !is_htmx(&headers) {
        let counts = counts(&st, &staff, &f, None).await?;
        let order = [
            Queue::Mine,
            Queue::Approval,
            Queue::Desk,
            Queue::Return,
            Queue::Unit,
        ];
        if let Some(q) = order
            .into_iter()
            .find(|q| counts.iter().any(|(c, n, _)| c == q && *n > 0))
        {
            f.tab = q;
        }
    }
    page(&st, &staff, &headers, f, Vec::new()).await
}

async fn page(
    st: &StaffState,
    staff: &Staff,
    headers: &HeaderMap,
    f: Filters,
    outcomes: Vec<Outcome>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let (status, r) = results(st, staff, &f).await?;
    if is_htmx(headers) && outcomes.is_empty() {
        return Ok(render(status, &QueuePartial { t, r }));
    }
    let here = format!("{PATH}?{}", f.query(f.tab, None));
    let layout = Layout::staff(st, staff, Area::Queues, t.get("queue.title"), None, &here).await?;
    // A first page that is not full is the whole tab: its count is known.
    let known = (f.cursor.is_empty() && r.next_href.is_none() && r.error.is_none())
        .then_some((f.tab, r.rows.len()));
    let counts = counts(st, staff, &f, known).await?;
    let page = QueuePage {
        tabs: tabs(&t, staff, &f, &counts),
        tab: f.tab.as_str(),
        procedure: f.procedure.clone(),
        near_due: f.near_due,
        overdue: f.overdue,
        sorts: sort_choices(&t, if f.sort.is_empty() { "due" } else { &f.sort }),
        outcomes,
        t,
        layout,
        r,
    };
    Ok(render(status, &page))
}

async fn results(
    st: &StaffState,
    staff: &Staff,
    f: &Filters,
) -> Result<(StatusCode, Results), WebError> {
    let t = staff.lang.texts();
    let back = format!("{PATH}?{}", f.query(f.tab, None));
    let bad = |msg: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Results {
                rows: Vec::new(),
                next_href: None,
                error: Some(msg),
                colleagues: Vec::new(),
                back: back.clone(),
                csrf: staff.csrf.clone(),
            },
        )
    };
    let q = match f.to_query() {
        Ok(q) => q,
        Err(_) => return Ok(bad(t.get("queue.bad_filter").to_owned())),
    };
    let page = match svc::queue(st.services.dossiers(), &staff.actor, &q).await {
        Ok(p) => p,
        Err(ServiceError::Invalid { .. }) => {
            return Ok(bad(t.get("queue.bad_filter").to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    let mut rows = rows(st, staff.lang, &page.items).await?;
    // Each dossier's own step due, beside the dossier's (issue 18, point 4):
    // a specialist's part may be late while the dossier is not.
    let ids: Vec<i64> = page.items.iter().map(|d| d.id).collect();
    let dues: std::collections::HashMap<i64, Option<jiff::Timestamp>> = st
        .services
        .open_step_dues(&ids)
        .await?
        .into_iter()
        .collect();
    let now = st.services.now();
    for (row, d) in rows.iter_mut().zip(&page.items) {
        if let Some(Some(due)) = dues.get(&d.id) {
            row.step_due = super::format::moment(staff.lang, *due);
            row.step_late = *due < now;
        }
    }
    // The hand-over choices only matter when there is something to hand over.
    let colleagues = if rows.is_empty() {
        Vec::new()
    } else {
        let people = svc::colleagues(st.services.dossiers(), &staff.actor).await?;
        let names: Vec<String> = people.iter().map(|c| c.full_name.clone()).collect();
        people
            .into_iter()
            .map(|c| Colleague {
                full_name: super::format::person_label(&c.full_name, &c.username, &names),
                username: c.username,
            })
            .collect()
    };
    Ok((
        StatusCode::OK,
        Results {
            rows,
            next_href: page
                .next
                .as_deref()
                .map(|c| format!("{PATH}?{}", f.query(f.tab, Some(c)))),
            error: None,
            colleagues,
            back,
            csrf: staff.csrf.clone(),
        },
    ))
}

/// `POST /hang-doi/chuyen`: hands each picked dossier to `to_user`.
async fn hand_over(
    State(st): State<StaffState>,
    staff: Staff,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let to_user = field("to_user");
    let back = super::local_path(Some(&field("back")));
    let back_pairs: Vec<(String, String)> = back
        .split_once('?')
        .map(|(_, q)| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    let f = Filters::from_pairs(&back_pairs).unwrap_or_default();
    let mut picks: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "pick")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    picks.dedup();
    let mut outcomes = Vec::new();
    if picks.is_empty() || to_user.is_empty() || picks.len() > MAX_PICKS {
        let key = if picks.is_empty() {
            "queue.none_picked"
        } else if to_user.is_empty() {
            "queue.no_receiver"
        } else {
            "queue.too_many"
        };
        outcomes.push(Outcome {
            code: String::new(),
            href: String::new(),
            done: false,
            message: t.get(key).to_owned(),
        });
        return page(&st, &staff, &headers, f, outcomes).await;
    }
    for code in picks {
        let href = format!("/ho-so/{code}");
        let Some(version) = fields
            .iter()
            .find(|(k, _)| k.strip_prefix("v.") == Some(code.as_str()))
            .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        else {
            outcomes.push(Outcome {
                code,
                href,
                done: false,
                message: t.get("queue.refused_no_version").to_owned(),
            });
            continue;
        };
        let cmd = Act {
            version,
            note: String::new(),
            action: ActionInput::HandOver {
                to_step: None,
                to_unit: None,
                to_user: Some(to_user.clone()),
            },
        };
        let (done, message) = match st.services.dossiers().act(&staff.actor, &code, cmd).await {
            Ok(_) => (true, t.fill("queue.done", &[("user", to_user.as_str())])),
            Err(e) => {
                if matches!(e, ServiceError::Internal(_) | ServiceError::Unavailable(_)) {
                    tracing::error!(error = %e, dossier = %code, "bulk hand-over failed");
                }
                (false, refusal(&t, &e))
            }
        };
        outcomes.push(Outcome {
            code,
            href,
            done,
            message,
        });
    }
    page(&st, &staff, &headers, f, outcomes).await
}

/// Why a hand-over was refused, in the reader's language.
fn refusal(t: &Texts, e: &ServiceError) -> String {
    match e {
        ServiceError::Conflict(m) if m.contains("is at version") => t.get("queue.refused_stale"),
        ServiceError::Conflict(_) => t.get("queue.refused_state"),
        ServiceError::Forbidden(_) => t.get("queue.refused_forbidden"),
        ServiceError::NotFound { .. } => t.get("queue.refused_not_found"),
        ServiceError::Invalid { field, .. } if field == "to_user" => t.get("queue.refused_to_user"),
        ServiceError::Invalid { .. } => t.get("queue.refused_invalid"),
        _ => t.get("queue.refused_error"),
    }
    .to_owned()
}
