//! What readers get: a dossier with everything its page and its forms show,
//! pages of lists with their cursors.

use jiff::Timestamp;
use motcua_domain::deadline::{OpenStatus, WorkTime};
use motcua_domain::dossier::{Action, Actor as DomainActor, Proposal, transition};
use serde::Serialize;

use super::clock::{ClockRecord, local};
use super::{DossierService, dossier_units, roles_on};
use crate::access::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::store::{
    Dossier, DossierEvent, DossierSort, DossierStep, DossierSummary, FileRecord, ReceivedItem,
};

/// A page of a list and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    /// The rows.
    pub items: Vec<DossierSummary>,
    /// Pass as `cursor` for the next page; none on the last page.
    pub next: Option<String>,
}

/// A step instance with its names resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    /// The stored step.
    #[serde(flatten)]
    pub step: DossierStep,
    /// Its unit's code.
    pub unit_code: String,
    /// Its unit's name.
    pub unit_name: String,
    /// The sending unit's name.
    pub sender_unit_name: String,
    /// The holder's user name.
    pub holder: Option<String>,
    /// Where an open step stands now.
    pub open_status: Option<OpenStatus>,
}

/// A dossier with what its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierView {
    /// The dossier.
    #[serde(flatten)]
    pub dossier: Dossier,
    /// Receiving unit's code.
    pub unit_code: String,
    /// Receiving unit's name.
    pub unit_name: String,
    /// The unit above the receiving one (the form headings' first line).
    pub parent_unit_name: Option<String>,
    /// Holder unit's name.
    pub holder_unit_name: Option<String>,
    /// Holder's user name.
    pub holder: Option<String>,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure name in the version in force at receipt.
    pub procedure_name: String,
    /// The time limit as it reads (e.g. "15 ngày làm việc").
    pub time_limit: Option<String>,
    /// Components received.
    pub components: Vec<ReceivedItem>,
    /// Who handed it in for the applicant and any fee reduction, as the
    /// reception recorded them.
    pub particulars: super::particulars::Particulars,
    /// Every transition, oldest first.
    pub events: Vec<DossierEvent>,
    /// Step instances, oldest first.
    pub steps: Vec<StepView>,
    /// Files.
    pub files: Vec<FileRecord>,
    /// Where the deadline stands now, for an open dossier with a due moment.
    pub open_status: Option<OpenStatus>,
    /// The actions the reader may take now.
    pub actions: Vec<&'static str>,
    /// Whether the reader may attach a file now (the rule of
    /// [`DossierService::attach_file`](super::DossierService::attach_file)),
    /// so pages offer the form only to those it would not refuse.
    pub may_attach: bool,
    /// Whether the reader may correct the applicant's details and the
    /// components now, and whether a reason is required
    /// ([`corrections`](super::corrections)).
    pub correction: Option<super::corrections::CorrectionRight>,
    /// The public status page.
    pub status_url: String,
}

/// A moment as Vietnamese forms write it: "09 giờ 00, ngày 06/05/2025".
pub fn moment_text(t: Timestamp) -> String {
    let dt = local(t);
    format!(
        "{:02} giờ {:02}, ngày {:02}/{:02}/{}",
        dt.hour(),
        dt.minute(),
        dt.day(),
        dt.month(),
        dt.year()
    )
}

/// The opaque cursor after a row (hex of `n<id>`, `o<id>`, `d<due ms>.<id>`
/// or `l<due ms>.<id>`, `-` for no due moment).
pub fn cursor(row: &DossierSummary, sort: DossierSort) -> String {
    let due = || {
        row.current_due
            .map(|t| t.as_millisecond().to_string())
            .unwrap_or_else(|| "-".into())
    };
    let text = match sort {
        DossierSort::Newest => format!("n{}", row.id),
        DossierSort::Oldest => format!("o{}", row.id),
        DossierSort::Due => format!("d{}.{}", due(), row.id),
        DossierSort::DueLatest => format!("l{}.{}", due(), row.id),
    };
    hex_encode(text.as_bytes())
}

/// Reads a cursor made by [`cursor`] for the same order.
pub fn parse_cursor(c: &str, sort: DossierSort) -> ServiceResult<(Option<i64>, i64)> {
    parse_cursor_of(c, sort, "not a cursor of this list and order")
}

/// As [`parse_cursor`], refusing with `detail`.
pub(crate) fn parse_cursor_of(
    c: &str,
    sort: DossierSort,
    detail: &'static str,
) -> ServiceResult<(Option<i64>, i64)> {
    let bad = || ServiceError::invalid("cursor", detail);
    let bytes = hex_decode(c.trim()).ok_or_else(bad)?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let keyed = |rest: &str| -> ServiceResult<(Option<i64>, i64)> {
        let (key, id) = rest.split_once('.').ok_or_else(bad)?;
        let key = if key == "-" {
            None
        } else {
            Some(key.parse().map_err(|_| bad())?)
        };
        Ok((key, id.parse().map_err(|_| bad())?))
    };
    match (sort, text.split_at_checked(1)) {
        (DossierSort::Newest, Some(("n", id))) | (DossierSort::Oldest, Some(("o", id))) => {
            Ok((None, id.parse().map_err(|_| bad())?))
        }
        (DossierSort::Due, Some(("d", rest))) | (DossierSort::DueLatest, Some(("l", rest))) => {
            keyed(rest)
        }
        _ => Err(bad()),
    }
}

fn hex_encode(b: &[u8]) -> String {
    hex::encode(b)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() > 64 {
        return None;
    }
    hex::decode(s).ok()
}

/// Every action a reader might be offered, with a representative input for
/// the state machine's check.
pub(super) const OFFERED: &[Action] = &[
    Action::AcceptOnline,
    Action::RefuseOnline,
    Action::ReturnForCorrection,
    Action::HandOver { to_step: 1 },
    Action::CompleteStep,
    Action::Propose {
        proposal: Proposal::Refusal,
    },
    Action::RequestSupplement,
    Action::SupplySupplement,
    Action::RequestFinancialObligation,
    Action::SettleFinancialObligation,
    Action::SignResult,
    Action::Refuse,
    Action::Stop,
    Action::Withdraw,
    Action::RecordReturn,
    Action::Extend,
    Action::Void,
    Action::RejectProposal,
];

pub(super) async fn build(
    svc: &DossierService,
    actor: &Actor,
    d: Dossier,
) -> ServiceResult<DossierView> {
    let store = svc.store();
    let dir = &svc.directory;
    let unit = dir.unit(store, d.unit_id).await?;
    let parent_unit_name = match unit.parent_id {
        Some(p) => Some(dir.unit(store, p).await?.name),
        None => None,
    };
    let holder_unit_name = match d.state.holder_unit_id {
        Some(h) => Some(dir.unit(store, h).await?.name),
        None => None,
    };
    let holder = match d.state.holder_user_id {
        Some(u) => Some(dir.username(store, u).await?),
        None => None,
    };
    let version = store
        .procedure_version_by_id(d.procedure_version_id)
        .await?;
    let now = svc.now();
    let at = local(now);
    let (open_status, work_cal) = match &d.state.clock {
        Some(text) if !d.state.status.ends_processing() && d.state.status.is_received() => {
            let record = ClockRecord::from_json(text)?;
            let cal = svc.calendars.get(store, &unit).await?;
            let work = WorkTime::new(&cal.calendar, &cal.hours);
            let clock = record.fold(&work)?;
            let status = clock.open_status_at(&work, at, None)?;
            (status, Some(cal))
        }
        _ => (None, None),
    };
    let mut steps = Vec::new();
    for s in store.dossier_steps(d.id).await? {
        let u = dir.unit(store, s.step.unit_id).await?;
        let sender = dir.unit(store, s.step.sender_unit_id).await?;
        let holder = match s.step.holder_user_id {
            Some(id) => Some(dir.username(store, id).await?),
            None => None,
        };
        let open_status = match (&work_cal, s.step.ended_at, s.step.due) {
            (Some(cal), None, Some(due)) => {
                let work = WorkTime::new(&cal.calendar, &cal.hours);
                let due = local(due);
                if at > due {
                    Some(OpenStatus::Overdue)
                } else {
                    let start = local(s.step.started_at);
                    let threshold = work.default_near_due_threshold(start.min(due), due)?;
                    Some(work.open_status(at, due, threshold, !d.state.clock_running)?)
                }
            }
            _ => None,
        };
        steps.push(StepView {
            unit_code: u.code.to_string(),
            unit_name: u.name,
            sender_unit_name: sender.name,
            holder,
            open_status,
            step: s,
        });
    }
    let roles = roles_on(actor, &dossier_units(&d));
    let who = DomainActor::Staff(&roles);
    let mut actions: Vec<&'static str> = OFFERED
        .iter()
        .filter(|a| transition(d.state.status, a, who).is_ok())
        .map(|a| a.as_str())
        .collect();
    actions.dedup();
    // One proposal at a time, and turning one down only while one waits.
    let pending = steps
        .iter()
        .rev()
        .find(|s| s.step.step.ended_at.is_none())
        .and_then(|s| super::act::proposal_step(&s.step.step.name));
    actions.retain(|a| match *a {
        "reject_proposal" => pending.is_some(),
        "propose" => pending.is_none(),
        _ => true,
    });
    let may_attach = super::may_attach(actor, &roles, d.state.status);
    let correction = super::corrections::right(actor, &d);
    let status_url = svc.status_url(d.code.as_str(), &d.lookup_token);
    let events = store.dossier_events(d.id).await?;
    Ok(DossierView {
        unit_code: unit.code.to_string(),
        unit_name: unit.name,
        parent_unit_name,
        holder_unit_name,
        holder,
        procedure_code: version.draft.code.to_string(),
        procedure_name: version.draft.name.clone(),
        time_limit: d
            .state
            .clock
            .as_deref()
            .map(ClockRecord::from_json)
            .transpose()?
            .map(|r| limit_text(r.limit)),
        components: store.dossier_components(d.id).await?,
        particulars: super::particulars::read(&events),
        events,
        files: store.dossier_files(d.id).await?,
        steps,
        open_status,
        actions,
        may_attach,
        correction,
        status_url,
        dossier: d,
    })
}

/// A time limit as Vietnamese forms write it.
pub fn limit_text(l: motcua_domain::deadline::TimeLimit) -> String {
    use motcua_domain::deadline::TimeLimit as L;
    match l {
        L::WorkingDays(n) => format!("{n} ngày làm việc"),
        L::WorkingHours(n) => format!("{n} giờ làm việc"),
        L::CalendarDays(n) => format!("{n} ngày"),
        L::Months(n) => format!("{n} tháng"),
        L::SameDay => "Trong ngày".to_owned(),
        L::NoLimit => "Không quy định".to_owned(),
    }
}
