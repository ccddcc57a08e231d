//! The dossier state machine: which action moves a dossier from which status
//! to which, and who may take it (domain.md §5 "Transitions and actors").

use serde::{Deserialize, Serialize};

use super::status::Status;
use crate::error::DomainError;
use crate::role::Role;

/// Something done to a dossier. Every action that succeeds is recorded with
/// actor, time, from, to and note, atomically with its audit entry (the
/// service's job); [`Action::Extend`] changes no status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// The applicant submits an online draft (draft → awaiting online reception).
    SubmitDraft,
    /// The desk accepts an online submission (→ received; the clock starts).
    AcceptOnline,
    /// The desk refuses an online submission (→ refused). Stored as a
    /// refusal at reception, not a received dossier (configurable).
    RefuseOnline,
    /// The desk returns an online submission for intake correction, listing
    /// everything missing once (→ draft; no clock yet).
    ReturnForCorrection,
    /// The desk receives a walk-in or postal dossier (draft → received).
    Receive,
    /// Hands the dossier over to a step of the internal process: the desk to
    /// the first step, a holder to the next (possibly in another agency).
    HandOver {
        /// The step's number in the process version.
        to_step: u32,
    },
    /// A specialist completes a step (or a leader approves it).
    CompleteStep,
    /// The desk issues a supplement request during processing (→ awaiting
    /// supplement; the clock is suspended). See [`check_supplement_request`].
    RequestSupplement,
    /// The applicant supplies the supplement online, or the desk records it
    /// (→ processing).
    SupplySupplement,
    /// A financial obligation is notified (→ awaiting financial obligation).
    RequestFinancialObligation,
    /// The applicant pays, or the desk records the payment (→ processing).
    SettleFinancialObligation,
    /// A leader signs the result (→ done; processing ends).
    SignResult,
    /// A leader approves a refusal after receipt (→ refused).
    Refuse,
    /// A leader stops processing (→ stopped), e.g. when the applicant's
    /// deadline for a supplement lapsed.
    Stop,
    /// The applicant asks to withdraw, or the desk records the withdrawal
    /// (→ withdrawn; processing ends at the request moment).
    Withdraw,
    /// The desk records that the result reached the applicant (done → returned).
    RecordReturn,
    /// A system administrator voids a dossier entered by mistake (→ voided),
    /// never one whose result was returned.
    Void,
    /// A leader approves an apology letter with a new appointment. The
    /// status does not change.
    Extend,
    /// A specialist proposes a decision to the desk or the leader; the
    /// status does not change until it is taken.
    Propose {
        /// What is proposed.
        proposal: Proposal,
    },
    /// Whoever decides a specialist's proposal (the leader for a refusal or
    /// an extension, the desk for a supplement or a financial obligation)
    /// turns it down; the dossier goes back to the specialist. The status
    /// does not change.
    RejectProposal,
}

/// What a specialist may propose during processing (domain.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proposal {
    /// A supplement request, issued by the desk.
    Supplement,
    /// A refusal, approved by the leader.
    Refusal,
    /// An extension (apology letter), approved by the leader.
    Extension,
    /// A financial obligation notice.
    FinancialObligation,
}

impl Action {
    /// The stable name used in logs, audit entries and errors.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SubmitDraft => "submit_draft",
            Self::AcceptOnline => "accept_online",
            Self::RefuseOnline => "refuse_online",
            Self::ReturnForCorrection => "return_for_correction",
            Self::Receive => "receive",
            Self::HandOver { .. } => "hand_over",
            Self::CompleteStep => "complete_step",
            Self::RequestSupplement => "request_supplement",
            Self::SupplySupplement => "supply_supplement",
            Self::RequestFinancialObligation => "request_financial_obligation",
            Self::SettleFinancialObligation => "settle_financial_obligation",
            Self::SignResult => "sign_result",
            Self::Refuse => "refuse",
            Self::Stop => "stop",
            Self::Withdraw => "withdraw",
            Self::RecordReturn => "record_return",
            Self::Void => "void",
            Self::Extend => "extend",
            Self::Propose { .. } => "propose",
            Self::RejectProposal => "reject_proposal",
        }
    }
}

/// Who takes an action: the applicant through the portal, or a member of
/// staff with the roles they hold on the dossier's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// The applicant (công dân, tổ chức) through the portal.
    Applicant,
    /// Staff, with their roles on the unit.
    Staff(&'a [Role]),
}

/// One kind of actor allowed to take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permitted {
    /// The applicant.
    Applicant,
    /// Staff holding this role.
    Role(Role),
}

impl Actor<'_> {
    fn is(&self, who: Permitted) -> bool {
        match (self, who) {
            (Actor::Applicant, Permitted::Applicant) => true,
            (Actor::Staff(roles), Permitted::Role(role)) => roles.contains(&role),
            _ => false,
        }
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action does not apply to the dossier's current status (a 409).
    #[error("cannot {action} a dossier that is {state}")]
    NotAllowedInState {
        /// The action attempted.
        action: &'static str,
        /// The dossier's current status.
        state: Status,
    },
    /// The actor may not take this action (a 403).
    #[error("{action} may be done only by: {}", names(.allowed))]
    Forbidden {
        /// The action attempted.
        action: &'static str,
        /// Who may take it (in this status).
        allowed: &'static [Permitted],
    },
}

fn names(allowed: &[Permitted]) -> String {
    let names: Vec<&str> = allowed
        .iter()
        .map(|p| match p {
            Permitted::Applicant => "applicant",
            Permitted::Role(r) => r.as_str(),
        })
        .collect();
    names.join(", ")
}

use Permitted::Role as R;

const DESK: &[Permitted] = &[R(Role::DeskOfficer)];
const APPLICANT_ONLY: &[Permitted] = &[Permitted::Applicant];
const APPLICANT_OR_DESK: &[Permitted] = &[Permitted::Applicant, R(Role::DeskOfficer)];
const STEP_HOLDERS: &[Permitted] = &[R(Role::Specialist), R(Role::Leader)];
const DESK_OR_STEP_HOLDERS: &[Permitted] =
    &[R(Role::DeskOfficer), R(Role::Specialist), R(Role::Leader)];
const DESK_OR_SPECIALIST: &[Permitted] = &[R(Role::DeskOfficer), R(Role::Specialist)];
const SPECIALIST: &[Permitted] = &[R(Role::Specialist)];
const DESK_OR_LEADER: &[Permitted] = &[R(Role::DeskOfficer), R(Role::Leader)];
const LEADER: &[Permitted] = &[R(Role::Leader)];
const SYSTEM_ADMIN: &[Permitted] = &[R(Role::SystemAdmin)];

/// Statuses in which a received dossier is still open (processing not ended).
const OPEN: &[Status] = &[
    Status::Received,
    Status::Processing,
    Status::AwaitingSupplement,
    Status::AwaitingFinancialObligation,
];

/// Who may ever take an action (in some status).
fn who_may(action: &Action) -> &'static [Permitted] {
    match action {
        Action::SubmitDraft => APPLICANT_ONLY,
        Action::AcceptOnline
        | Action::RefuseOnline
        | Action::ReturnForCorrection
        | Action::Receive
        | Action::RequestSupplement
        | Action::RecordReturn => DESK,
        Action::HandOver { .. } => DESK_OR_STEP_HOLDERS,
        Action::CompleteStep => STEP_HOLDERS,
        Action::Propose { .. } => SPECIALIST,
        Action::RejectProposal => DESK_OR_LEADER,
        Action::SupplySupplement | Action::SettleFinancialObligation | Action::Withdraw => {
            APPLICANT_OR_DESK
        }
        Action::RequestFinancialObligation => DESK_OR_SPECIALIST,
        Action::SignResult | Action::Refuse | Action::Stop | Action::Extend => LEADER,
        Action::Void => SYSTEM_ADMIN,
    }
}

/// The status an action leads to from `from`, or `None` if it does not
/// apply there; with who may take it in that status when that is narrower
/// than [`who_may`].
fn target(from: Status, action: &Action) -> Option<(Status, Option<&'static [Permitted]>)> {
    use Status as S;
    let to = match (action, from) {
        (Action::SubmitDraft, S::Draft) => S::AwaitingOnlineReception,
        (Action::AcceptOnline, S::AwaitingOnlineReception) => S::Received,
        (Action::RefuseOnline, S::AwaitingOnlineReception) => S::Refused,
        (Action::ReturnForCorrection, S::AwaitingOnlineReception) => S::Draft,
        (Action::Receive, S::Draft) => S::Received,
        (Action::HandOver { .. }, S::Received) => return Some((S::Processing, Some(DESK))),
        (Action::HandOver { .. }, S::Processing) => {
            return Some((S::Processing, Some(STEP_HOLDERS)));
        }
        (Action::CompleteStep, S::Processing) => S::Processing,
        (Action::Propose { .. }, S::Processing) => S::Processing,
        (Action::RejectProposal, S::Processing) => S::Processing,
        (Action::RequestSupplement, S::Processing) => S::AwaitingSupplement,
        (Action::SupplySupplement, S::AwaitingSupplement) => S::Processing,
        (Action::RequestFinancialObligation, S::Processing) => S::AwaitingFinancialObligation,
        (Action::SettleFinancialObligation, S::AwaitingFinancialObligation) => S::Processing,
        (Action::SignResult, S::Processing) => S::Done,
        (Action::Refuse, s) if OPEN.contains(&s) => S::Refused,
        (Action::Stop, s) if OPEN.contains(&s) => S::Stopped,
        (Action::Withdraw, s) if OPEN.contains(&s) => S::Withdrawn,
        (Action::Extend, s) if OPEN.contains(&s) => s,
        (Action::RecordReturn, S::Done) => S::Returned,
        (Action::Void, s) if s != S::Returned && s != S::Voided => S::Voided,
        _ => return None,
    };
    Some((to, None))
}

/// The status a dossier moves to when `actor` takes `action` in status
/// `from` (domain.md §5).
///
/// An actor who may never take the action gets [`TransitionError::Forbidden`]
/// whatever the status; an action that does not apply to `from` gets
/// [`TransitionError::NotAllowedInState`]; an action whose actors depend on
/// the status (a hand-over: the desk from `received`, a step holder during
/// processing) gets `Forbidden` for the others. Roles: the one-stop officer
/// is [`Role::DeskOfficer`], the specialist [`Role::Specialist`], the leader
/// [`Role::Leader`] and the system administrator [`Role::SystemAdmin`], who
/// only voids (signing or refusing stays with the unit's leader). Voiding is
/// refused once a result was returned.
pub fn transition(
    from: Status,
    action: &Action,
    actor: Actor<'_>,
) -> Result<Status, TransitionError> {
    let name = action.as_str();
    let allowed = who_may(action);
    if !allowed.iter().any(|&who| actor.is(who)) {
        return Err(TransitionError::Forbidden {
            action: name,
            allowed,
        });
    }
    let Some((to, narrower)) = target(from, action) else {
        return Err(TransitionError::NotAllowedInState {
            action: name,
            state: from,
        });
    };
    if let Some(allowed) = narrower
        && !allowed.iter().any(|&who| actor.is(who))
    {
        return Err(TransitionError::Forbidden {
            action: name,
            allowed,
        });
    }
    Ok(to)
}

/// A reason recorded with a void, a refusal, a stop, an extension or a
/// return for correction: trimmed, not empty, at most
/// [`Reason::MAX_CHARS`] characters. Voiding requires one (domain.md §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    /// The longest reason accepted.
    pub const MAX_CHARS: usize = 2000;

    /// Parses a reason.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(DomainError::invalid("reason", "a reason is required"));
        }
        let n = text.chars().count();
        if n > Self::MAX_CHARS {
            return Err(DomainError::invalid(
                "reason",
                format!(
                    "{n} characters is more than the {} allowed",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The reason as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reason {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Reason> for String {
    fn from(r: Reason) -> String {
        r.0
    }
}

/// What to do with a second and later supplement request during processing
/// (configurable per procedure; default [`SupplementPolicy::Warn`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementPolicy {
    /// Allow it with a warning.
    #[default]
    Warn,
    /// Refuse it.
    Block,
}

/// The verdict on a supplement request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum SupplementCheck {
    /// The first request: fine.
    Allowed,
    /// A later request, allowed, but the Decision 766 index counts the
    /// dossier as late; show the warning before confirming.
    Warn {
        /// Which request this would be (2 for the second).
        nth: u32,
    },
}

/// Refused: a later supplement request under [`SupplementPolicy::Block`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this would be supplement request number {nth}; the procedure allows only one during processing"
)]
pub struct SupplementBlocked {
    /// Which request this would be.
    pub nth: u32,
}

/// Checks a new supplement request against the requests already issued
/// during processing. Decision 766/QĐ-TTg counts a dossier with more than
/// one request as late, so the second and later requests warn (default) or
/// are blocked (domain.md §5 "Supplements"). Intake corrections before
/// receipt do not count.
pub fn check_supplement_request(
    issued_before: u32,
    policy: SupplementPolicy,
) -> Result<SupplementCheck, SupplementBlocked> {
    let nth = issued_before.saturating_add(1);
    match (nth, policy) {
        (1, _) => Ok(SupplementCheck::Allowed),
        (_, SupplementPolicy::Warn) => Ok(SupplementCheck::Warn { nth }),
        (_, SupplementPolicy::Block) => Err(SupplementBlocked { nth }),
    }
}
