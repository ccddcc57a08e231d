//! Transitions: one function takes any action on a dossier, asks the state
//! machine whether the actor may take it now, moves the clock and the steps,
//! and writes the change with the version it was computed from.

use jiff::SignedDuration;
use jiff::civil::DateTime;
use motcua_domain::catalog::Money;
use motcua_domain::deadline::{SuspensionPolicy, WorkTime};
use motcua_domain::dossier::{
    Action, Actor as DomainActor, ClockEvent, ExtensionPolicy, Outcome, Proposal, ReturnMethod,
    Status, StepClock, SupplementCheck, SupplementPolicy, TransitionError,
    check_supplement_request, transition,
};
use motcua_domain::role::Role;
use motcua_domain::time::parse_moment;
use serde::Serialize;
use serde_json::{Value, json};

use super::clock::{ClockRecord, local, local_instant};
use super::commands::{Act, ActionInput, MissingItem};
use super::view::{DossierView, moment_text};
use super::{
    DossierService, code_field, components_field, dossier_units, name_field, notices, roles_on,
    start_clock, text_field,
};
use crate::access::{Actor, Permission, deny};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{Dossier, DossierChange, DossierStep, NewEvent, NewStep, StepChange, Unit};
use motcua_domain::bounds;

/// The result of an action: the dossier after it, and a warning to show
/// (a second supplement request, a late apology letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acted {
    /// The dossier now.
    pub dossier: DossierView,
    /// What the user should know.
    pub warning: Option<String>,
    /// Whether the actor may still open the dossier: a hand-over can move
    /// it out of their units (a specialist's to the leader's office), so a
    /// page that would read it again should show this answer instead.
    pub still_visible: bool,
}

/// A short answer to a change: enough to take the next action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Brief {
    /// The dossier's code.
    pub code: String,
    /// Its version now (send it with the next action).
    pub version: i64,
    /// Its status now.
    pub status: Status,
    /// The appointment now.
    pub current_due: Option<jiff::Timestamp>,
    /// What the user should know.
    pub warning: Option<String>,
}

impl Brief {
    /// The brief of a dossier as it now stands.
    pub fn of(d: &Dossier, warning: Option<String>) -> Self {
        Self {
            code: d.code.to_string(),
            version: d.version,
            status: d.state.status,
            current_due: d.state.current_due,
            warning,
        }
    }
}

/// The state machine's action for an input.
/// Who acts on a dossier: staff with their grants, or the dossier's owner
/// through the portal (the state machine lets an applicant supply a
/// supplement, and nothing a member of staff does).
pub(crate) enum Caller<'a> {
    /// A member of staff (or the system).
    Staff(&'a Actor),
    /// The citizen or business who submitted the dossier online.
    Owner(&'a crate::applicants::Applicant),
}

impl Caller<'_> {
    /// The name the timeline and the audit log carry.
    fn name(&self) -> String {
        match self {
            Self::Staff(a) => a.username.clone(),
            Self::Owner(o) => o.audit_name(),
        }
    }

    /// The staff user's id (0 for the system); none for an owner.
    fn user_id(&self) -> Option<i64> {
        match self {
            Self::Staff(a) => Some(a.user_id),
            Self::Owner(_) => None,
        }
    }

    fn is_system(&self) -> bool {
        matches!(self, Self::Staff(a) if a.is_system())
    }
}

fn domain_action(input: &ActionInput, next_step: u32) -> Action {
    match input {
        ActionInput::AcceptOnline {} => Action::AcceptOnline,
        ActionInput::RefuseOnline { .. } => Action::RefuseOnline,
        ActionInput::ReturnForCorrection { .. } => Action::ReturnForCorrection,
        ActionInput::HandOver { to_step, .. } => Action::HandOver {
            to_step: to_step.unwrap_or(next_step),
        },
        ActionInput::CompleteStep {} => Action::CompleteStep,
        ActionInput::Propose { proposal } => Action::Propose {
            proposal: *proposal,
        },
        ActionInput::RejectProposal { .. } => Action::RejectProposal,
        ActionInput::RequestSupplement { .. } => Action::RequestSupplement,
        ActionInput::SupplySupplement { .. } => Action::SupplySupplement,
        ActionInput::RequestFinancialObligation { .. } => Action::RequestFinancialObligation,
        ActionInput::SettleFinancialObligation {} => Action::SettleFinancialObligation,
        ActionInput::SignResult { .. } => Action::SignResult,
        ActionInput::Refuse { .. } => Action::Refuse,
        ActionInput::Stop { .. } => Action::Stop,
        ActionInput::Withdraw {} => Action::Withdraw,
        ActionInput::RecordReturn { .. } => Action::RecordReturn,
        ActionInput::Void { .. } => Action::Void,
        ActionInput::Extend { .. } => Action::Extend,
    }
}

fn missing_items(field: &str, items: &[MissingItem]) -> ServiceResult<()> {
    if items.is_empty() {
        return Err(ServiceError::invalid(field, "list at least one item"));
    }
    if items.len() > bounds::LIST_ITEMS {
        return Err(ServiceError::invalid(
            field,
            format!("at most {} items", bounds::LIST_ITEMS),
        ));
    }
    for (i, it) in items.iter().enumerate() {
        name_field(&format!("{field}[{i}].name"), &it.name, true)?;
        text_field(&format!("{field}[{i}].note"), &it.note, false)?;
    }
    Ok(())
}

/// What an action computes besides the status.
struct Work<'a> {
    d: &'a Dossier,
    unit: Unit,
    now: jiff::Timestamp,
    at: DateTime,
    steps: Vec<DossierStep>,
    changes: Vec<StepChange>,
    detail: Value,
    warning: Option<String>,
}

impl Work<'_> {
    fn open_step(&self) -> Option<&DossierStep> {
        self.steps.iter().rev().find(|s| s.step.ended_at.is_none())
    }

    /// Closes the open step (if any) now, classified against its own due.
    fn close_open_step(&mut self) {
        if let Some(s) = self.open_step() {
            let classification = s
                .step
                .due
                .map(|due| motcua_domain::deadline::classify(self.at, local(due)));
            self.changes.push(StepChange::Close {
                id: s.id,
                ended_at: self.now,
                classification,
            });
        }
    }

    /// Moves open steps' dues for a wait from `from` to now.
    fn shift_open_steps(
        &mut self,
        work: &WorkTime<'_>,
        from: DateTime,
        policy: SuspensionPolicy,
    ) -> ServiceResult<()> {
        let mut shifts = Vec::new();
        for s in self.steps.iter().filter(|s| s.step.ended_at.is_none()) {
            let Some(due) = s.step.due else { continue };
            let due = local(due);
            let new_due = match policy {
                SuspensionPolicy::Pause => {
                    let inside = work.office_time_between(from, self.at)?;
                    work.add_office_time(due, inside.max(SignedDuration::ZERO))?
                }
                SuspensionPolicy::Restart => {
                    let allotted = work
                        .office_time_between(local(s.step.started_at), due)?
                        .max(SignedDuration::ZERO);
                    work.add_office_time(self.at, allotted)?
                }
            };
            shifts.push(StepChange::Due {
                id: s.id,
                due: Some(local_instant(new_due)?),
            });
        }
        self.changes.extend(shifts);
        Ok(())
    }
}

impl DossierService {
    /// Takes an action on a dossier (see [`ActionInput`]). Refused with
    /// `Conflict` when the version is stale or the action does not apply to
    /// the dossier's status (naming it), `Forbidden` when the actor may not
    /// take it, `Invalid` for bad input; nothing changes on any error.
    pub async fn act(&self, actor: &Actor, code: &str, cmd: Act) -> ServiceResult<Acted> {
        let (after, warning) = self.apply(&Caller::Staff(actor), code, cmd).await?;
        let still_visible = dossier_units(&after)
            .iter()
            .any(|&u| actor.may(Permission::ViewDossiers, u));
        Ok(Acted {
            dossier: super::view::build(self, actor, after).await?,
            warning,
            still_visible,
        })
    }

    /// [`act`](Self::act) answering only what a caller needs to go on (the
    /// new version and status): for clients that asked for a minimal
    /// answer, it skips reading the timeline back.
    pub async fn act_brief(&self, actor: &Actor, code: &str, cmd: Act) -> ServiceResult<Brief> {
        let (after, warning) = self.apply(&Caller::Staff(actor), code, cmd).await?;
        Ok(Brief::of(&after, warning))
    }

    /// The owner answers a supplement request online: the files they send
    /// join the dossier as its documents, and the dossier goes back to
    /// processing (the clock resumes), as if the desk recorded it.
    pub async fn supply_online(
        &self,
        owner: &crate::applicants::Applicant,
        code: &str,
        version: i64,
        scans: &[super::particulars::Scan],
        note: &str,
    ) -> ServiceResult<Dossier> {
        let d = self.owned(owner, code).await?;
        if d.state.status != Status::AwaitingSupplement {
            return Err(ServiceError::Conflict(format!(
                "dossier {} is not waiting for a supplement",
                d.code
            )));
        }
        if scans.is_empty() {
            return Err(ServiceError::invalid(
                "files",
                "attach the documents asked for",
            ));
        }
        text_field("note", note, false)?;
        let ctx = crate::store::AuditContext {
            actor: owner.audit_name(),
            at: self.now(),
        };
        for s in scans {
            self.store
                .insert_file(
                    &ctx,
                    d.id,
                    "component",
                    &s.name,
                    &s.content_type,
                    s.size_bytes,
                    &s.sha256,
                )
                .await?;
        }
        let cmd = Act {
            version,
            note: note.to_owned(),
            action: ActionInput::SupplySupplement { components: None },
        };
        Ok(self.apply(&Caller::Owner(owner), code, cmd).await?.0)
    }

    async fn apply(
        &self,
        caller: &Caller<'_>,
        code: &str,
        cmd: Act,
    ) -> ServiceResult<(Dossier, Option<String>)> {
        let d = match caller {
            Caller::Staff(actor) => self.visible(actor, code).await?,
            Caller::Owner(owner) => self.owned(owner, code).await?,
        };
        let now = self.now();
        text_field("note", &cmd.note, false)?;
        if cmd.version != d.version {
            return Err(ServiceError::Conflict(format!(
                "dossier {} is at version {}, not {}: reload it and try again",
                d.code, d.version, cmd.version
            )));
        }
        let units = dossier_units(&d);
        let roles = match caller {
            Caller::Staff(actor) => roles_on(actor, &units),
            Caller::Owner(_) => Vec::new(),
        };
        let next_step = d.state.step_no.map_or(1, |n| n.saturating_add(1));
        let action = domain_action(&cmd.action, next_step);
        let domain_actor = match caller {
            Caller::Staff(_) => DomainActor::Staff(&roles),
            Caller::Owner(_) => DomainActor::Applicant,
        };
        let to = match transition(d.state.status, &action, domain_actor) {
            Ok(to) => to,
            Err(TransitionError::Forbidden { .. }) => {
                let refused = ServiceError::Forbidden(format!(
                    "{} may not {} dossier {}",
                    caller.name(),
                    action.as_str(),
                    d.code
                ));
                let subject = format!("dossier:{}:{}", d.code, action.as_str());
                return match caller {
                    Caller::Staff(actor) => {
                        deny(self.store(), actor, now, Permission::ViewDossiers, &subject)
                            .await
                            .map_err(|_| refused)
                    }
                    Caller::Owner(_) => {
                        self.store
                            .append_audit(
                                &crate::store::AuditContext {
                                    actor: caller.name(),
                                    at: now,
                                },
                                "access.denied",
                                &subject,
                                &json!({ "action": action.as_str() }),
                            )
                            .await?;
                        Err(refused)
                    }
                };
            }
            Err(e @ TransitionError::NotAllowedInState { .. }) => {
                return Err(ServiceError::Conflict(e.to_string()));
            }
        };
        // Whoever holds the dossier's step acts on it; the unit's leader may
        // act for them.
        let step_action = matches!(
            cmd.action,
            ActionInput::CompleteStep {} | ActionInput::Propose { .. }
        ) || (matches!(cmd.action, ActionInput::HandOver { .. })
            && d.state.status == Status::Processing);
        if step_action
            && let Some(holder) = d.state.holder_user_id
            && Some(holder) != caller.user_id()
            && !caller.is_system()
            && !roles.contains(&Role::Leader)
        {
            return Err(ServiceError::Forbidden(format!(
                "dossier {} is held by someone else; only they or a leader may act on this step",
                d.code
            )));
        }
        let unit = self.directory.unit(self.store(), d.unit_id).await?;
        let cal = self.calendars.get(self.store(), &unit).await?;
        let work_time = WorkTime::new(&cal.calendar, &cal.hours);
        let mut w = Work {
            d: &d,
            unit,
            now,
            at: local(now),
            steps: self.store.dossier_steps(d.id).await?,
            changes: Vec::new(),
            detail: json!({}),
            warning: None,
        };
        let mut state = d.state.clone();
        let mut record = state
            .clock
            .as_deref()
            .map(ClockRecord::from_json)
            .transpose()?;
        let mut components = None;
        let mut clock_event: Option<ClockEvent> = None;
        // An apology answers for the unit that caused the delay.
        let answerable = match &cmd.action {
            ActionInput::Extend { .. } => Some(
                self.answerable(&d, &w.steps, |name| proposal_step(name).is_some())
                    .await?,
            ),
            _ => None,
        };
        match &cmd.action {
            ActionInput::AcceptOnline {} => {
                let version = self
                    .store
                    .procedure_version_by_id(d.procedure_version_id)
                    .await?;
                let r = ClockRecord {
                    limit: version
                        .draft
                        .online_time_limit
                        .unwrap_or(version.draft.time_limit),
                    cutoff: None,
                    policy: self.policy(d.procedure_id).await?,
                    receipt: w.at,
                    events: Vec::new(),
                    threshold_minutes: None,
                    minutes: None,
                };
                start_clock(&mut state, &r, &work_time, now)?;
                record = None;
                w.detail = json!({ "due": state.current_due.map(|t| t.to_string()) });
            }
            ActionInput::RefuseOnline { reason } | ActionInput::Refuse { reason } => {
                text_field("reason", reason, true)?;
                w.detail = json!({ "reason": reason.trim() });
                if to == Status::Refused && d.state.status != Status::AwaitingOnlineReception {
                    w.close_open_step();
                    clock_event = Some(ClockEvent::Ended {
                        at: w.at,
                        outcome: Outcome::Refused,
                    });
                    back_to_desk(&mut state, &d);
                }
            }
            ActionInput::ReturnForCorrection { missing } => {
                missing_items("missing", missing)?;
                w.detail = json!({ "missing": missing });
            }
            ActionInput::HandOver {
                to_unit,
                to_user,
                to_step: asked,
            } => {
                let process = self.process_steps(&w).await?;
                // A process whose first step is the desk's own (reception and
                // checking): the hand-over from `received` closes that step,
                // which ran from receipt, and goes to the next.
                let desk_first = d.state.status == Status::Received
                    && process.first().is_some_and(|s| s.role == Role::DeskOfficer);
                let to_step = asked.unwrap_or(if desk_first { 2 } else { next_step });
                // Sending a dossier back to an earlier step says why.
                if d.state.step_no.is_some_and(|cur| to_step < cur) && cmd.note.trim().is_empty() {
                    return Err(ServiceError::invalid(
                        "note",
                        "say why the dossier goes back to an earlier step",
                    ));
                }
                if desk_first
                    && to_step > 1
                    && let (Some(first), Some(received)) = (process.first(), d.state.received_at)
                {
                    let start = local(received);
                    let due = StepClock::start(&work_time, start, first.allotted)?.due();
                    w.changes.push(StepChange::Open(NewStep {
                        step_no: 1,
                        name: first.name.clone(),
                        unit_id: first.unit_id,
                        role: first.role,
                        holder_user_id: caller.user_id().filter(|_| !caller.is_system()),
                        external: first.external,
                        sender_unit_id: d.unit_id,
                        sender: d.received_by.clone(),
                        started_at: received,
                        due: due.map(local_instant).transpose()?,
                        ended_at: Some(now),
                        classification: due.map(|due| motcua_domain::deadline::classify(w.at, due)),
                    }));
                }
                let step = self
                    .next_step(&w, &process, to_step, to_unit.as_deref())
                    .await?;
                let holder = match to_user {
                    Some(name) => Some(self.holder_for(name, &step).await?),
                    None => None,
                };
                let due = StepClock::start(&work_time, w.at, step.allotted)?
                    .due()
                    .map(local_instant)
                    .transpose()?;
                w.close_open_step();
                let sender_unit = d.state.holder_unit_id.unwrap_or(d.unit_id);
                w.detail = json!({
                    "step": to_step,
                    "step_name": step.name,
                    "from_unit": sender_unit,
                    "to_unit": step.unit_id,
                    "to_user": to_user,
                    "external": step.external,
                    "due": due.map(|t| t.to_string()),
                });
                w.changes.push(StepChange::Open(NewStep {
                    step_no: to_step,
                    name: step.name.clone(),
                    unit_id: step.unit_id,
                    role: step.role,
                    holder_user_id: holder,
                    external: step.external,
                    sender_unit_id: sender_unit,
                    sender: caller.name(),
                    started_at: now,
                    due,
                    ended_at: None,
                    classification: None,
                }));
                state.holder_unit_id = Some(step.unit_id);
                state.holder_user_id = holder;
                state.step_no = Some(to_step);
            }
            ActionInput::CompleteStep {} => {
                if w.open_step().is_none() {
                    return Err(ServiceError::Conflict(format!(
                        "dossier {} has no open step to complete",
                        d.code
                    )));
                }
                w.close_open_step();
                state.holder_user_id = None;
            }
            ActionInput::Propose { proposal } => {
                let open = w.open_step().cloned();
                if open
                    .as_ref()
                    .is_some_and(|s| proposal_step(&s.step.name).is_some())
                {
                    return Err(ServiceError::Conflict(format!(
                        "a proposal on dossier {} waits for a decision",
                        d.code
                    )));
                }
                // The decider: the leader of the tree's head for a refusal
                // or an extension, the receiving desk otherwise.
                let (unit_id, role) = match proposal {
                    Proposal::Refusal | Proposal::Extension => (
                        self.directory.head_of(self.store(), d.unit_id).await?.id,
                        Role::Leader,
                    ),
                    Proposal::Supplement | Proposal::FinancialObligation => {
                        (d.unit_id, Role::DeskOfficer)
                    }
                };
                w.close_open_step();
                let sender_unit = d.state.holder_unit_id.unwrap_or(d.unit_id);
                w.changes.push(StepChange::Open(NewStep {
                    step_no: d.state.step_no.unwrap_or(1),
                    name: PROPOSAL_STEPS
                        .iter()
                        .find(|(p, _)| p == proposal)
                        .map(|(_, n)| (*n).to_owned())
                        .unwrap_or_default(),
                    unit_id,
                    role,
                    holder_user_id: None,
                    external: false,
                    sender_unit_id: sender_unit,
                    sender: caller.name(),
                    started_at: now,
                    due: None,
                    ended_at: None,
                    classification: None,
                }));
                state.holder_unit_id = Some(unit_id);
                state.holder_user_id = None;
                w.detail = json!({ "proposal": proposal, "to_unit": unit_id });
            }
            ActionInput::RejectProposal { reason } => {
                text_field("reason", reason, true)?;
                let Some(open) = w.open_step().cloned() else {
                    return Err(no_proposal(&d));
                };
                let Some(proposal) = proposal_step(&open.step.name) else {
                    return Err(no_proposal(&d));
                };
                if !caller.is_system()
                    && !roles.contains(&open.step.role)
                    && !roles.contains(&Role::Leader)
                {
                    return Err(ServiceError::Forbidden(format!(
                        "the proposal on dossier {} is decided by the {}",
                        d.code,
                        open.step.role.as_str()
                    )));
                }
                back_to_proposer(&mut w, &mut state, now);
                w.detail = json!({ "proposal": proposal, "reason": reason.trim() });
            }
            ActionInput::RequestSupplement {
                items,
                reason,
                guidance,
                deadline,
            } => {
                missing_items("items", items)?;
                text_field("reason", reason, true)?;
                text_field("guidance", guidance, false)?;
                if let Some(dl) = deadline
                    && *dl < w.at.date()
                {
                    return Err(ServiceError::invalid("deadline", "is in the past"));
                }
                match check_supplement_request(d.state.supplement_count, SupplementPolicy::Warn) {
                    Ok(SupplementCheck::Warn { nth }) => {
                        w.warning = Some(format!(
                            "Đây là lần yêu cầu bổ sung thứ {nth}: theo Quyết định 766, hồ sơ \
                             yêu cầu bổ sung quá một lần bị tính là quá hạn."
                        ));
                    }
                    Ok(SupplementCheck::Allowed) => {}
                    Err(e) => return Err(ServiceError::Conflict(e.to_string())),
                }
                state.supplement_count = state.supplement_count.saturating_add(1);
                w.detail = json!({
                    "items": items, "reason": reason.trim(), "guidance": guidance.trim(),
                    "deadline": deadline.map(|d| d.to_string()),
                    "nth": state.supplement_count,
                });
                clock_event = Some(ClockEvent::SupplementRequested { at: w.at });
            }
            ActionInput::SupplySupplement { components: c } => {
                if let Some(items) = c {
                    components_field("components", items)?;
                    components = Some(items.clone());
                }
                clock_event = Some(ClockEvent::SupplementSupplied { at: w.at });
            }
            ActionInput::RequestFinancialObligation { amount_dong } => {
                Money::dong(*amount_dong)
                    .map_err(|e| ServiceError::invalid("amount_dong", e.to_string()))?;
                w.detail = json!({ "amount_dong": amount_dong });
                clock_event = Some(ClockEvent::FinancialObligationRequested { at: w.at });
            }
            ActionInput::SettleFinancialObligation {} => {
                clock_event = Some(ClockEvent::FinancialObligationSettled { at: w.at });
            }
            ActionInput::SignResult {
                result_digitised,
                result_number,
                result_date,
            } => {
                text_field("result_number", result_number, false)?;
                if result_number.trim().chars().count() > 100 {
                    return Err(ServiceError::invalid(
                        "result_number",
                        "at most 100 characters",
                    ));
                }
                let today = w.at.date();
                let signed_on = result_date.unwrap_or(today);
                if signed_on > today
                    || d.state
                        .received_at
                        .is_some_and(|r| signed_on < local(r).date())
                {
                    return Err(ServiceError::invalid(
                        "result_date",
                        "the day of signing lies between the reception and today",
                    ));
                }
                // An electronic result is counted as digitised (Decision 766):
                // only with its file attached.
                if *result_digitised
                    && !self
                        .store
                        .dossier_files(d.id)
                        .await?
                        .iter()
                        .any(|f| f.kind == "result")
                {
                    return Err(ServiceError::invalid(
                        "result_digitised",
                        "attach the result's file before marking the result electronic",
                    ));
                }
                w.detail = json!({
                    "result_number": result_number.trim(),
                    "result_date": signed_on.to_string(),
                    "result_digitised": result_digitised,
                });
                w.close_open_step();
                state.result_digitised = *result_digitised;
                clock_event = Some(ClockEvent::Ended {
                    at: w.at,
                    outcome: Outcome::Result,
                });
                back_to_desk(&mut state, &d);
            }
            ActionInput::Stop {
                reason,
                stage,
                fee_settlement,
            } => {
                text_field("reason", reason, true)?;
                text_field("stage", stage, false)?;
                text_field("fee_settlement", fee_settlement, false)?;
                w.detail = json!({
                    "reason": reason.trim(), "stage": stage.trim(),
                    "fee_settlement": fee_settlement.trim(),
                });
                w.close_open_step();
                clock_event = Some(ClockEvent::Ended {
                    at: w.at,
                    outcome: Outcome::Stopped,
                });
                back_to_desk(&mut state, &d);
            }
            ActionInput::Withdraw {} => {
                w.close_open_step();
                clock_event = Some(ClockEvent::Ended {
                    at: w.at,
                    outcome: Outcome::Withdrawn,
                });
                back_to_desk(&mut state, &d);
            }
            ActionInput::RecordReturn {
                method,
                collector_name,
                collector_identity,
                shipment,
            } => {
                let method = method.unwrap_or(d.state.return_method);
                name_field(
                    "collector_name",
                    collector_name,
                    method == ReturnMethod::InPerson,
                )?;
                code_field("collector_identity", collector_identity, false)?;
                code_field("shipment", shipment, method == ReturnMethod::Postal)?;
                state.return_method = method;
                state.returned_at = Some(now);
                let detail = json!({
                    "method": method.as_str(),
                    "collector_name": collector_name.trim(),
                    "collector_identity": collector_identity.trim(),
                    "shipment": shipment.trim(),
                });
                state.return_detail = Some(detail.to_string());
                w.detail = detail;
            }
            ActionInput::Void { reason } => {
                text_field("reason", reason, true)?;
                w.detail = json!({ "reason": reason.trim() });
                w.close_open_step();
                state.clock_running = false;
                state.near_due = None;
            }
            ActionInput::Extend {
                reason,
                new_due,
                signer_name,
                signer_title,
            } => {
                text_field("reason", reason, true)?;
                name_field("signer_name", signer_name, false)?;
                text_field("signer_title", signer_title, false)?;
                let new_due = parse_moment("new_due", new_due)?;
                let Some(r) = &record else {
                    return Err(ServiceError::Conflict(format!(
                        "dossier {} has no deadline to extend",
                        d.code
                    )));
                };
                let clock = r.fold(&work_time)?;
                let check = clock.check_extension(w.at, ExtensionPolicy::default())?;
                if new_due <= w.at {
                    return Err(ServiceError::invalid("new_due", "must be in the future"));
                }
                if let Some(cur) = clock.current_due()
                    && new_due <= cur
                {
                    return Err(ServiceError::invalid(
                        "new_due",
                        format!("must be after the current appointment ({cur})"),
                    ));
                }
                if check.late_letter {
                    w.warning = Some(
                        "Thư xin lỗi được lập sau thời hạn giải quyết ban đầu; báo cáo sẽ ghi nhận \
                         là thư muộn."
                            .to_owned(),
                    );
                }
                state.extension_count = state.extension_count.saturating_add(1);
                w.detail = json!({
                    "reason": reason.trim(),
                    "original_due": clock.original_due().map(|d| d.to_string()),
                    "previous_due": clock.current_due().map(|d| d.to_string()),
                    "new_due": new_due.to_string(),
                    "signer_name": signer_name.trim(),
                    "signer_title": signer_title.trim(),
                    "late_letter": check.late_letter,
                });
                if let Some(a) = &answerable {
                    // Given names win; otherwise the head of the unit at
                    // fault signs.
                    w.detail["unit_at_fault"] = json!(a.unit_code);
                    if signer_name.trim().is_empty() {
                        w.detail["signer_name"] = json!(a.signer_name);
                    }
                    if signer_title.trim().is_empty() {
                        w.detail["signer_title"] = json!(super::DEFAULT_SIGNER_TITLE);
                    }
                }
                clock_event = Some(ClockEvent::Extended { at: w.at, new_due });
            }
        }
        // A decision taken on a proposal gives the dossier back to the
        // specialist who proposed it (a refusal ends it instead).
        if matches!(
            cmd.action,
            ActionInput::Extend { .. }
                | ActionInput::RequestSupplement { .. }
                | ActionInput::RequestFinancialObligation { .. }
        ) && w
            .open_step()
            .is_some_and(|s| proposal_step(&s.step.name).is_some())
        {
            back_to_proposer(&mut w, &mut state, now);
        }
        if let (Some(event), Some(r)) = (clock_event, record.as_mut()) {
            let wait_start = r.events.iter().rev().find_map(|e| match *e {
                ClockEvent::SupplementRequested { at } => Some((at, true)),
                ClockEvent::FinancialObligationRequested { at } => {
                    Some((at, r.policy.financial_obligation_pauses))
                }
                _ => None,
            });
            let clock = r.push(&work_time, event)?;
            if let (
                ClockEvent::SupplementSupplied { .. }
                | ClockEvent::FinancialObligationSettled { .. },
                Some((from, true)),
            ) = (event, wait_start)
            {
                w.shift_open_steps(&work_time, from, r.policy.suspension)?;
            }
            let cols = r.columns(&work_time, &clock)?;
            state.original_due = cols.original_due;
            state.current_due = cols.current_due;
            state.near_due = cols.near_due;
            state.clock_running = cols.running
                && !(to == Status::AwaitingFinancialObligation
                    && r.policy.financial_obligation_pauses);
            state.classification = cols.classification;
            if let Some((end, outcome)) = clock.end() {
                state.ended_at = Some(local_instant(end)?);
                state.outcome = Some(outcome);
            }
            state.clock = Some(r.to_json()?);
        }
        state.status = to;
        if to == Status::Voided {
            state.clock_running = false;
            state.near_due = None;
        }
        let stats = self
            .stat_changes(&d, &state, components.as_deref(), &mut w, &work_time)
            .await?;
        self.write(&caller.name(), &d, w, state, components, stats, &cmd, to)
            .await
    }

    /// How the change moves the statistics counters. A voided dossier is
    /// counted nowhere: its whole contribution, replayed from its history,
    /// is taken back. An online submission accepted now is counted with the
    /// components it has, which the event records for later replays.
    async fn stat_changes(
        &self,
        d: &Dossier,
        after: &crate::store::DossierState,
        replaced: Option<&[crate::store::ReceivedItem]>,
        w: &mut Work<'_>,
        work: &WorkTime<'_>,
    ) -> ServiceResult<Vec<motcua_domain::stats::DayChange>> {
        use crate::stats::track as st;
        if after.status == Status::Voided {
            let events: Vec<NewEvent> = self
                .store
                .dossier_events(d.id)
                .await?
                .into_iter()
                .map(|e| e.event)
                .collect();
            let items = self.store.dossier_components(d.id).await?;
            let whole = st::history_changes(&d.state, &events, &items, work)?;
            return Ok(motcua_domain::stats::track::negate(&whole));
        }
        let mut facts = motcua_domain::stats::ReceptionFacts::default();
        if d.state.received_at.is_none() && after.received_at.is_some() {
            let items = match replaced {
                Some(items) => items.to_vec(),
                None => self.store.dossier_components(d.id).await?,
            };
            facts = st::reception_facts(&items);
            w.detail["reception"] = st::facts_json(facts);
        }
        Ok(st::live_changes(Some(&d.state), after, facts, w.now))
    }

    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        by: &str,
        d: &Dossier,
        w: Work<'_>,
        state: crate::store::DossierState,
        components: Option<Vec<crate::store::ReceivedItem>>,
        stats: Vec<motcua_domain::stats::DayChange>,
        cmd: &Act,
        to: Status,
    ) -> ServiceResult<(Dossier, Option<String>)> {
        let name = cmd.action.name();
        // The procedure's name is read only when a message will carry it.
        let outbox = if self.notices.is_off() {
            Vec::new()
        } else {
            let version = self
                .store
                .procedure_version_by_id(d.procedure_version_id)
                .await?;
            notices::messages(
                &self.notices,
                &notices::Happening {
                    code: d.code.as_str(),
                    action: name,
                    to,
                    from: Some(d.state.status),
                    at: w.now,
                    applicant: &d.applicant,
                    procedure: &version.draft.name,
                    due_text: state.current_due.map(moment_text),
                    status_url: Some(self.status_url(d.code.as_str(), &d.lookup_token)),
                },
            )
        };
        let change = DossierChange {
            id: d.id,
            expected_version: d.version,
            before: d.clone(),
            state,
            event: NewEvent {
                at: w.now,
                actor: by.to_owned(),
                action: name.to_owned(),
                from: Some(d.state.status),
                to,
                note: cmd.note.trim().to_owned(),
                detail: w.detail,
            },
            steps: w.changes,
            components,
            outbox,
            stats,
        };
        let after = self
            .store
            .change_dossier(
                &crate::store::AuditContext {
                    actor: by.to_owned(),
                    at: w.now,
                },
                &change,
            )
            .await?;
        Ok((after, w.warning))
    }

    /// The steps the dossier follows (empty without a process or a default
    /// one; see `route`).
    async fn process_steps(&self, w: &Work<'_>) -> ServiceResult<Vec<crate::store::ProcessStep>> {
        self.route_steps(w.d, &w.unit, w.at.date()).await
    }

    /// The step a hand-over goes to: the process's step `n` (of `steps`,
    /// the dossier's process), or without a process, a step at `to_unit`
    /// done by a specialist.
    async fn next_step(
        &self,
        w: &Work<'_>,
        steps: &[crate::store::ProcessStep],
        n: u32,
        to_unit: Option<&str>,
    ) -> ServiceResult<crate::store::ProcessStep> {
        if !steps.is_empty() {
            if to_unit.is_some() {
                return Err(ServiceError::invalid(
                    "to_unit",
                    "the dossier follows an internal process; name the step instead",
                ));
            }
            let i = usize::try_from(n).unwrap_or(usize::MAX);
            return steps.get(i.wrapping_sub(1)).cloned().ok_or_else(|| {
                ServiceError::invalid(
                    "to_step",
                    format!("the process has steps 1 to {}", steps.len()),
                )
            });
        }
        let unit = match to_unit {
            Some(code) => self.unit_field(code, "to_unit").await?,
            None => w.unit.clone(),
        };
        let head = self.directory.head_of(self.store(), w.d.unit_id).await?;
        Ok(crate::store::ProcessStep {
            name: "Thụ lý, giải quyết".to_owned(),
            unit_id: unit.id,
            role: Role::Specialist,
            allotted: motcua_domain::deadline::TimeLimit::NoLimit,
            // Outside the tree of the People's Committee the receiving
            // unit works for, the step is another agency's (liên thông).
            external: !self
                .directory
                .is_within(self.store(), unit.id, head.id)
                .await?,
        })
    }

    /// The user a step goes to: they must hold the step's role on its unit.
    async fn holder_for(
        &self,
        username: &str,
        step: &crate::store::ProcessStep,
    ) -> ServiceResult<i64> {
        let user = self
            .store
            .user_by_username(username.trim())
            .await
            .map_err(|e| match e {
                ServiceError::NotFound { .. } => {
                    ServiceError::invalid("to_user", format!("no user {username}"))
                }
                other => other,
            })?;
        if !user.active {
            return Err(ServiceError::invalid(
                "to_user",
                format!("{} is not an active user", user.username),
            ));
        }
        // A grant covers the step's unit when it is on the unit or above it.
        let above = self.directory.chain(self.store(), step.unit_id).await?;
        let ok =
            self.store.roles_of(user.id).await?.iter().any(|g| {
                above.contains(&g.unit_id) && (g.role == step.role || g.role == Role::Leader)
            });
        if !ok {
            return Err(ServiceError::invalid(
                "to_user",
                format!(
                    "{} does not hold the role {} on the step's unit",
                    user.username,
                    step.role.as_str()
                ),
            ));
        }
        Ok(user.id)
    }
}

/// The steps a proposal opens for its decider, by what is proposed; a step
/// of one of these names is a proposal waiting for a decision.
const PROPOSAL_STEPS: [(Proposal, &str); 4] = [
    (Proposal::Refusal, "Xem xét đề xuất từ chối giải quyết"),
    (Proposal::Extension, "Xem xét đề xuất gia hạn"),
    (
        Proposal::Supplement,
        "Xem xét đề xuất yêu cầu bổ sung hồ sơ",
    ),
    (
        Proposal::FinancialObligation,
        "Xem xét đề xuất thực hiện nghĩa vụ tài chính",
    ),
];

/// The proposal a step waits on, if it is a proposal's decision step.
pub(super) fn proposal_step(name: &str) -> Option<Proposal> {
    PROPOSAL_STEPS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(p, _)| *p)
}

fn no_proposal(d: &Dossier) -> ServiceError {
    ServiceError::Conflict(format!(
        "no proposal on dossier {} waits for a decision",
        d.code
    ))
}

/// Closes a proposal's decision step and gives the dossier back to the
/// step the proposal came from, with its holder and its due.
fn back_to_proposer(
    w: &mut Work<'_>,
    state: &mut crate::store::DossierState,
    now: jiff::Timestamp,
) {
    let Some(open) = w.open_step().cloned() else {
        return;
    };
    let from = w
        .steps
        .iter()
        .rev()
        .find(|s| s.id < open.id && s.step.ended_at.is_some())
        .cloned();
    w.close_open_step();
    if let Some(prev) = from {
        w.changes.push(StepChange::Open(NewStep {
            started_at: now,
            ended_at: None,
            classification: None,
            sender_unit_id: open.step.unit_id,
            sender: open.step.sender.clone(),
            ..prev.step.clone()
        }));
        state.holder_unit_id = Some(prev.step.unit_id);
        state.holder_user_id = prev.step.holder_user_id;
    }
}

/// After processing ends the dossier goes back to the desk for the return.
fn back_to_desk(state: &mut crate::store::DossierState, d: &Dossier) {
    state.holder_unit_id = Some(d.unit_id);
    state.holder_user_id = None;
}
