//! Work queues (hàng đợi xử lý) for specialists and leaders, and the people
//! a queue's dossiers can be handed to.
//!
//! Five queues, each a keyset-paged list like the dossier list:
//! - **mine** (Giao cho tôi): open dossiers the person holds;
//! - **unit** (Của đơn vị): open dossiers held by a unit the person works on
//!   as a specialist or leader (the granted unit and its subtree), whoever
//!   holds them inside it;
//! - **approval** (Chờ tôi phê duyệt): dossiers in `processing` whose current
//!   step is a leader's step (the process step's role is `leader`) at a unit
//!   the person leads, and not assigned to someone else. domain.md §5 has no
//!   separate "awaiting decision" status: a leader signs the result, approves
//!   a refusal, a stop or an apology at a leader step of the internal
//!   process, so that step is what the leader waits on.
//! - **desk** (Chờ chuyển xử lý), for desk officers: dossiers received at
//!   their desks and not yet handed over, and those a specialist's proposal
//!   (a supplement, a financial obligation) brought back for the desk to
//!   decide;
//! - **return** (Chờ trả kết quả), for desk officers: dossiers whose result
//!   is signed and back at their desks, waiting for the applicant.
//!
//! Access is the list's: a queue shows only dossiers held in units where the
//! person's roles let them read dossiers, and asking for a queue one holds no
//! role for is refused and recorded.

use std::collections::HashSet;

use motcua_domain::dossier::Status;
use motcua_domain::role::Role;

use crate::access::{Actor, Permission, deny};
use crate::dossiers::{DossierService, Page};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{DossierFilter, DossierSort, DossierSummary};

/// Statuses of a dossier someone is working on (received, not ended).
pub const OPEN: [Status; 4] = [
    Status::Received,
    Status::Processing,
    Status::AwaitingSupplement,
    Status::AwaitingFinancialObligation,
];

/// Which queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Queue {
    /// Held by me.
    #[default]
    Mine,
    /// Held by one of my units.
    Unit,
    /// Waiting at a leader's step of my units.
    Approval,
    /// Received at my desks, not handed over yet.
    Desk,
    /// Done, waiting at my desks for the return.
    Return,
}

impl Queue {
    /// Every queue, in tab order.
    pub const ALL: [Queue; 5] = [
        Queue::Mine,
        Queue::Unit,
        Queue::Approval,
        Queue::Desk,
        Queue::Return,
    ];

    /// The name in links (`mine`, `unit`, `approval`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mine => "mine",
            Self::Unit => "unit",
            Self::Approval => "approval",
            Self::Desk => "desk",
            Self::Return => "return",
        }
    }

    /// Reads a name given by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> ServiceResult<Self> {
        Self::ALL
            .into_iter()
            .find(|q| q.as_str() == s.trim())
            .ok_or_else(|| {
                ServiceError::invalid("queue", "not mine, unit, approval, desk or return")
            })
    }

    /// Whether the actor's roles open this queue.
    pub fn open_to(self, actor: &Actor) -> bool {
        match self {
            Self::Mine | Self::Unit => actor.holds(Role::Specialist) || actor.holds(Role::Leader),
            Self::Approval => actor.holds(Role::Leader),
            Self::Desk | Self::Return => actor.holds(Role::DeskOfficer),
        }
    }
}

/// What a queue page asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueQuery {
    /// The queue.
    pub queue: Queue,
    /// Only this procedure (code).
    pub procedure: Option<String>,
    /// Only near-due dossiers.
    pub near_due: bool,
    /// Only overdue dossiers.
    pub overdue: bool,
    /// Order.
    pub sort: DossierSort,
    /// From a previous page.
    pub cursor: Option<String>,
    /// Page size (default 50, 1–200).
    pub limit: Option<u32>,
}

/// Units on which the actor holds one of `roles`, with their subtrees.
fn units_with(actor: &Actor, roles: &[Role]) -> Vec<i64> {
    let mut ids: Vec<i64> = actor
        .grants
        .iter()
        .filter(|g| roles.contains(&g.role))
        .flat_map(|g| g.covers.iter().copied())
        .filter(|u| actor.may(Permission::ViewDossiers, *u))
        .collect::<HashSet<i64>>()
        .into_iter()
        .collect();
    ids.sort_unstable();
    ids
}

/// A page of a queue.
pub async fn queue(svc: &DossierService, actor: &Actor, q: &QueueQuery) -> ServiceResult<Page> {
    let Some(f) = queue_filter(svc, actor, q).await? else {
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    };
    let items = svc.store().list_dossiers(&f).await?;
    let next = (items.len() == f.limit as usize)
        .then(|| items.last().map(|r| cursor(r, q.sort)))
        .flatten();
    Ok(Page { items, next })
}

/// The filter of a queue's page for `actor` (access checked), or `None`
/// when the actor holds no unit the queue reads.
async fn queue_filter(
    svc: &DossierService,
    actor: &Actor,
    q: &QueueQuery,
) -> ServiceResult<Option<DossierFilter>> {
    let store = svc.store();
    let now = svc.now();
    if !q.queue.open_to(actor) {
        return deny(
            store,
            actor,
            now,
            Permission::ViewDossiers,
            &format!("queue:{}", q.queue.as_str()),
        )
        .await;
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ServiceError::invalid("limit", "must be between 1 and 200"));
    }
    let mut f = DossierFilter {
        statuses: OPEN.to_vec(),
        sort: q.sort,
        limit,
        ..DossierFilter::default()
    };
    match q.queue {
        Queue::Mine => f.holder_user_id = Some(actor.user_id),
        Queue::Unit => f.holder_unit_ids = units_with(actor, &[Role::Specialist, Role::Leader]),
        Queue::Approval => {
            // At a leader's step that is the actor's or nobody's.
            f.statuses = vec![Status::Processing];
            f.holder_unit_ids = units_with(actor, &[Role::Leader]);
            f.awaiting_leader = Some(actor.user_id);
        }
        Queue::Desk => {
            f.statuses = vec![Status::Received, Status::Processing];
            f.holder_unit_ids = units_with(actor, &[Role::DeskOfficer]);
            f.awaiting_desk = true;
        }
        Queue::Return => {
            f.statuses = vec![Status::Done];
            f.holder_unit_ids = units_with(actor, &[Role::DeskOfficer]);
        }
    }
    if q.queue != Queue::Mine && f.holder_unit_ids.is_empty() {
        return Ok(None);
    }
    if let Some(p) = q.procedure.as_deref().filter(|p| !p.trim().is_empty()) {
        let code = crate::procedures::parse_code("procedure", p)?;
        let v = store.procedure(&code, None).await.map_err(|e| match e {
            ServiceError::NotFound { .. } => {
                ServiceError::invalid("procedure", format!("no procedure {code}"))
            }
            other => other,
        })?;
        f.procedure_id = Some(v.procedure_id);
    }
    if q.near_due {
        f.near_due_at = Some(now);
    }
    if q.overdue {
        f.overdue_at = Some(now);
    }
    if let Some(c) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        f.after = Some(parse_cursor(c, q.sort)?);
    }
    Ok(Some(f))
}

/// The most dossiers a queue's count reads: a tab says "200+" beyond it.
pub const COUNT_CAP: u32 = 200;

/// How many dossiers a queue holds with the query's filters, up to
/// [`COUNT_CAP`] (`true` when there are more): what a tab shows, so a
/// person sees where work waits without opening each tab.
pub async fn count(
    svc: &DossierService,
    actor: &Actor,
    q: &QueueQuery,
) -> ServiceResult<(usize, bool)> {
    count_up_to(svc, actor, q, COUNT_CAP).await
}

/// As [`count`], up to `cap` (1–200): the home page's tiles say "50+",
/// reading a quarter of what a tab reads.
pub async fn count_up_to(
    svc: &DossierService,
    actor: &Actor,
    q: &QueueQuery,
    cap: u32,
) -> ServiceResult<(usize, bool)> {
    // Counted by the database with the page's own conditions: no row is
    // read back (the tiles and tabs only say how many).
    let q = QueueQuery {
        cursor: None,
        limit: Some(COUNT_CAP),
        ..q.clone()
    };
    let Some(f) = queue_filter(svc, actor, &q).await? else {
        return Ok((0, false));
    };
    let total = svc
        .store()
        .count_dossiers(&f, u64::from(cap.clamp(1, COUNT_CAP)))
        .await?;
    Ok((
        usize::try_from(total.count).unwrap_or(usize::MAX),
        total.more,
    ))
}

/// The opaque cursor after a row: the dossier list's.
fn cursor(row: &DossierSummary, sort: DossierSort) -> String {
    crate::dossiers::view::cursor(row, sort)
}

/// Reads a cursor made by [`cursor`] for the same order.
fn parse_cursor(c: &str, sort: DossierSort) -> ServiceResult<(Option<i64>, i64)> {
    crate::dossiers::view::parse_cursor_of(c, sort, "not a cursor of this queue and order")
}

/// Someone a dossier can be handed to from a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colleague {
    /// User name (what a hand-over names).
    pub username: String,
    /// Full name.
    pub full_name: String,
}

/// Active people holding a specialist's or leader's role on a unit the actor
/// works on, below it or above it, by full name: the "hand over to" choices of the
/// queues. Whether a given dossier may go to them is the hand-over's check.
pub async fn colleagues(svc: &DossierService, actor: &Actor) -> ServiceResult<Vec<Colleague>> {
    let store = svc.store();
    let mut mine: HashSet<i64> = units_with(actor, &[Role::Specialist, Role::Leader])
        .into_iter()
        .collect();
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    // The units above the person's own: a next step is often taken there
    // (the district's leader above its office).
    let granted: Vec<i64> = actor
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Specialist | Role::Leader))
        .map(|g| g.unit_id)
        .collect();
    for id in granted {
        let mut at = store.unit_by_id(id).await?.parent_id;
        let mut hops = 0;
        while let Some(p) = at {
            if !mine.insert(p) || hops > 64 {
                break;
            }
            hops += 1;
            at = store.unit_by_id(p).await?.parent_id;
        }
    }
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    // Bounded: at most 2,000 accounts are looked at.
    for _ in 0..4 {
        let users = store.list_users(after.as_deref(), 500).await?;
        let done = users.len() < 500;
        after = users.last().map(|u| u.username.clone());
        for u in users {
            if !u.active {
                continue;
            }
            let works_here = store.roles_of(u.id).await?.iter().any(|g| {
                matches!(g.role, Role::Specialist | Role::Leader) && mine.contains(&g.unit_id)
            });
            if works_here {
                out.push(Colleague {
                    username: u.username,
                    full_name: u.full_name,
                });
            }
        }
        if done {
            break;
        }
    }
    out.sort_by(|a, b| {
        a.full_name
            .cmp(&b.full_name)
            .then(a.username.cmp(&b.username))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> DossierSummary {
        DossierSummary {
            id: 0,
            code: String::new(),
            unit_id: 0,
            procedure_id: 0,
            procedure_code: String::new(),
            procedure_name: String::new(),
            applicant_name: String::new(),
            channel: motcua_domain::dossier::Channel::InPerson,
            status: Status::Processing,
            version: 0,
            received_at: None,
            current_due: None,
            original_due: None,
            near_due: None,
            clock_running: false,
            holder_unit_id: None,
            holder_user_id: None,
            ended_at: None,
            classification: None,
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_other_orders_and_garbage() {
        let mut r = row();
        r.id = 42;
        let c = cursor(&r, DossierSort::Newest);
        assert_eq!(parse_cursor(&c, DossierSort::Newest).unwrap(), (None, 42));
        assert!(parse_cursor(&c, DossierSort::Due).is_err());
        r.current_due = Some(jiff::Timestamp::from_millisecond(1_000).unwrap());
        let c = cursor(&r, DossierSort::Due);
        assert_eq!(
            parse_cursor(&c, DossierSort::Due).unwrap(),
            (Some(1_000), 42)
        );
        for bad in ["zz", "", &"a".repeat(100), "6e78"] {
            assert!(parse_cursor(bad, DossierSort::Newest).is_err(), "{bad}");
        }
        assert_eq!(Queue::parse("approval").unwrap(), Queue::Approval);
        assert!(Queue::parse("other").is_err());
    }
}
