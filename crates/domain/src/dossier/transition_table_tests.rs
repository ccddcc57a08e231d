//! The state machine checked cell by cell against domain.md §5: every status
//! × every action × every actor (the applicant and staff holding each single
//! role) is either allowed, leading to the status written here, or refused.
//!
//! The expected table is [`SPEC`], written by hand from the text of §5
//! ("Statuses", "Transitions and actors", "Supplements", "Ends"), each rule
//! with the words it comes from; it is not derived from `transition.rs`.
//! Where §5 names no actor or status for something the code allows, the rule
//! says `SILENT` and records the choice the code made, so that a change to
//! it still shows up here.

use super::*;
use crate::role::Role;
use Status as S;

/// Who acts: the applicant, or staff holding exactly one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Applicant,
    Staff(Role),
}

const APPLICANT: Who = Who::Applicant;
const DESK: Who = Who::Staff(Role::DeskOfficer);
const SPECIALIST: Who = Who::Staff(Role::Specialist);
const LEADER: Who = Who::Staff(Role::Leader);
const ADMIN: Who = Who::Staff(Role::SystemAdmin);

/// Where an allowed action leads.
#[derive(Debug, Clone, Copy)]
enum To {
    Status(Status),
    /// The status does not change.
    Same,
}

/// One rule of §5: `action` taken by one of `who` in one of `from`.
struct Rule {
    action: &'static str,
    who: &'static [Who],
    from: &'static [Status],
    to: To,
    /// The words of domain.md §5 this rule is written from.
    spec: &'static str,
}

/// A received dossier whose processing has not ended: "received" and
/// "processing" run the clock, the two waits suspend it; `done`, `refused`,
/// `stopped` and `withdrawn` end processing; `returned` and `voided` are
/// final (§5 "Statuses").
const OPEN: &[Status] = &[
    S::Received,
    S::Processing,
    S::AwaitingSupplement,
    S::AwaitingFinancialObligation,
];

/// Everything but a returned or an already voided dossier.
const VOIDABLE: &[Status] = &[
    S::Draft,
    S::AwaitingOnlineReception,
    S::Received,
    S::Processing,
    S::AwaitingSupplement,
    S::AwaitingFinancialObligation,
    S::Done,
    S::Refused,
    S::Stopped,
    S::Withdrawn,
];

/// The table. Any (status, action, actor) no rule names is refused.
const SPEC: &[Rule] = &[
    // Applicant.
    Rule {
        action: "submit_draft",
        who: &[APPLICANT],
        from: &[S::Draft],
        to: To::Status(S::AwaitingOnlineReception),
        spec: "Applicant: submits a draft (draft, awaiting_online_reception: Chờ tiếp nhận)",
    },
    Rule {
        action: "supply_supplement",
        who: &[APPLICANT, DESK],
        from: &[S::AwaitingSupplement],
        to: To::Status(S::Processing),
        spec: "Applicant: supplies supplements online; One-stop officer: records supplements",
    },
    Rule {
        action: "settle_financial_obligation",
        who: &[APPLICANT, DESK],
        from: &[S::AwaitingFinancialObligation],
        to: To::Status(S::Processing),
        spec: "Applicant: pays. SILENT on who records a payment made elsewhere: the desk",
    },
    Rule {
        action: "withdraw",
        who: &[APPLICANT, DESK],
        from: OPEN,
        to: To::Status(S::Withdrawn),
        spec: "Applicant: asks to withdraw; One-stop officer: records withdrawals; \
               Withdrawal ends processing at the request moment",
    },
    // One-stop officer.
    Rule {
        action: "accept_online",
        who: &[DESK],
        from: &[S::AwaitingOnlineReception],
        to: To::Status(S::Received),
        spec: "One-stop officer: accepts an online submission (→ received)",
    },
    Rule {
        action: "refuse_online",
        who: &[DESK],
        from: &[S::AwaitingOnlineReception],
        to: To::Status(S::Refused),
        spec: "One-stop officer: ... refuses it",
    },
    Rule {
        action: "return_for_correction",
        who: &[DESK],
        from: &[S::AwaitingOnlineReception],
        to: To::Status(S::Draft),
        spec: "One-stop officer: ... or returns it for intake correction (no clock yet)",
    },
    Rule {
        action: "receive",
        who: &[DESK],
        from: &[S::Draft],
        to: To::Status(S::Received),
        spec: "One-stop officer: receives walk-in and postal dossiers",
    },
    Rule {
        action: "hand_over",
        who: &[DESK],
        from: &[S::Received],
        to: To::Status(S::Processing),
        spec: "One-stop officer: hands over to the first step",
    },
    Rule {
        action: "request_supplement",
        who: &[DESK],
        from: &[S::Processing],
        to: To::Status(S::AwaitingSupplement),
        spec: "One-stop officer: issues supplement requests; During processing, a \
               supplement request suspends the clock",
    },
    Rule {
        action: "record_return",
        who: &[DESK],
        from: &[S::Done],
        to: To::Status(S::Returned),
        spec: "One-stop officer: records ... returns; done: ends processing; returned: terminal",
    },
    // Specialist.
    Rule {
        action: "complete_step",
        who: &[SPECIALIST, LEADER],
        from: &[S::Processing],
        to: To::Same,
        spec: "Specialist: completes a step; Leader: approves steps",
    },
    Rule {
        action: "hand_over",
        who: &[SPECIALIST, LEADER],
        from: &[S::Processing],
        to: To::Status(S::Processing),
        spec: "Specialist: completes a step and hands over (possibly to another agency). \
               SILENT on the leader: a leader approving a step hands it on too",
    },
    Rule {
        action: "propose",
        who: &[SPECIALIST],
        from: &[S::Processing],
        to: To::Same,
        spec: "Specialist: proposes supplement, refusal, extension, financial obligation",
    },
    Rule {
        action: "reject_proposal",
        who: &[DESK, LEADER],
        from: &[S::Processing],
        to: To::Same,
        spec: "SILENT on turning a proposal down: the leader \"approves refusal\" and the \
               desk \"issues supplement requests\", so each may also decline what the \
               specialist proposed; nothing changes but the record",
    },
    Rule {
        action: "request_financial_obligation",
        who: &[DESK, SPECIALIST],
        from: &[S::Processing],
        to: To::Status(S::AwaitingFinancialObligation),
        spec: "SILENT on who notifies a financial obligation (the specialist proposes \
               one): the desk or the specialist",
    },
    // Leader.
    Rule {
        action: "sign_result",
        who: &[LEADER],
        from: &[S::Processing],
        to: To::Status(S::Done),
        spec: "Leader: signs the result (→ done)",
    },
    Rule {
        action: "refuse",
        who: &[LEADER],
        from: OPEN,
        to: To::Status(S::Refused),
        spec: "Leader: approves refusal; Refusal after receipt and stop are outcomes",
    },
    Rule {
        action: "stop",
        who: &[LEADER],
        from: OPEN,
        to: To::Status(S::Stopped),
        spec: "Leader: approves ... stop; when it lapses, the leader may stop processing",
    },
    Rule {
        action: "extend",
        who: &[LEADER],
        from: OPEN,
        to: To::Same,
        spec: "Leader: approves ... apology letters; Extensions do not change status",
    },
    // System administrator.
    Rule {
        action: "void",
        who: &[ADMIN],
        from: VOIDABLE,
        to: To::Status(S::Voided),
        spec: "System administrator: voids a mistaken dossier (never one with a returned result)",
    },
];

/// Every action the code knows, with each proposal.
fn every_action() -> Vec<Action> {
    let mut all = vec![
        Action::SubmitDraft,
        Action::AcceptOnline,
        Action::RefuseOnline,
        Action::ReturnForCorrection,
        Action::Receive,
        Action::HandOver { to_step: 1 },
        Action::HandOver { to_step: 2 },
        Action::CompleteStep,
        Action::RequestSupplement,
        Action::SupplySupplement,
        Action::RequestFinancialObligation,
        Action::SettleFinancialObligation,
        Action::SignResult,
        Action::Refuse,
        Action::Stop,
        Action::Withdraw,
        Action::RecordReturn,
        Action::Void,
        Action::Extend,
        Action::RejectProposal,
    ];
    for proposal in [
        Proposal::Supplement,
        Proposal::Refusal,
        Proposal::Extension,
        Proposal::FinancialObligation,
    ] {
        all.push(Action::Propose { proposal });
    }
    all
}

fn every_actor() -> Vec<Who> {
    let mut all = vec![Who::Applicant];
    all.extend(Role::ALL.iter().map(|&r| Who::Staff(r)));
    all
}

/// What the table says for one cell.
fn expected(from: Status, action: &Action, who: Who) -> Option<Status> {
    let rules: Vec<&Rule> = SPEC
        .iter()
        .filter(|r| r.action == action.as_str() && r.who.contains(&who) && r.from.contains(&from))
        .collect();
    assert!(
        rules.len() <= 1,
        "the table has {} rules for {} by {who:?} in {from}",
        rules.len(),
        action.as_str()
    );
    rules.first().map(|r| match r.to {
        To::Status(s) => s,
        To::Same => from,
    })
}

#[test]
fn every_status_action_and_actor_agrees_with_the_spec_table() {
    let mut disagreements = Vec::new();
    let mut cells = 0;
    let mut allowed = 0;
    for &from in Status::ALL {
        for action in every_action() {
            for who in every_actor() {
                cells += 1;
                let roles = match who {
                    Who::Staff(r) => vec![r],
                    Who::Applicant => vec![],
                };
                let actor = match who {
                    Who::Applicant => Actor::Applicant,
                    Who::Staff(_) => Actor::Staff(&roles),
                };
                let want = expected(from, &action, who);
                let got = transition(from, &action, actor);
                if want.is_some() {
                    allowed += 1;
                }
                if want != got.as_ref().ok().copied() {
                    disagreements.push(format!(
                        "{} by {who:?} in {from}: spec {}, code {}",
                        action.as_str(),
                        want.map_or("refuses".to_owned(), |s| format!("→ {s}")),
                        match &got {
                            Ok(s) => format!("→ {s}"),
                            Err(e) => format!("refuses ({e})"),
                        }
                    ));
                }
            }
        }
    }
    // 12 statuses × 24 actions (hand-over to two steps, four proposals,
    // turning one down) × 8 actors.
    assert_eq!(cells, 12 * 24 * 8);
    assert!(
        disagreements.is_empty(),
        "{} of {cells} cells disagree with domain.md §5:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // Sanity of the table itself, counted by hand from the rules above:
    // submit 1; supply 2; settle 2; withdraw 2 actors × 4 statuses; accept,
    // refuse online, correction, receive 1 each; desk hand-over 2 (both
    // steps); supplement request 1; return 1; complete step 2; step
    // hand-over 2 actors × 2 steps; propose 4; reject a proposal 2;
    // financial obligation 2; sign 1; refuse, stop, extend 4 each; void 10.
    assert_eq!(
        allowed,
        1 + 2 + 2 + 8 + 4 + 2 + 1 + 1 + 2 + 4 + 4 + 2 + 2 + 1 + 12 + 10
    );
}

#[test]
fn a_refusal_names_the_role_when_the_actor_may_never_take_the_action() {
    // An actor who appears in no rule for an action gets Forbidden (403)
    // whatever the status; the others get a refusal only where the table
    // has no rule for them.
    for &from in Status::ALL {
        for action in every_action() {
            for who in every_actor() {
                let ever = SPEC
                    .iter()
                    .any(|r| r.action == action.as_str() && r.who.contains(&who));
                if ever {
                    continue;
                }
                let roles = match who {
                    Who::Staff(r) => vec![r],
                    Who::Applicant => vec![],
                };
                let actor = match who {
                    Who::Applicant => Actor::Applicant,
                    Who::Staff(_) => Actor::Staff(&roles),
                };
                assert!(
                    matches!(
                        transition(from, &action, actor),
                        Err(TransitionError::Forbidden { .. })
                    ),
                    "{} by {who:?} in {from}",
                    action.as_str()
                );
            }
        }
    }
}

#[test]
fn every_rule_of_the_table_names_an_action_the_code_knows() {
    let names: Vec<&str> = every_action().iter().map(Action::as_str).collect();
    for r in SPEC {
        assert!(names.contains(&r.action), "{} ({})", r.action, r.spec);
    }
}
