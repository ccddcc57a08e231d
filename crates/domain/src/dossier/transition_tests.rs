//! The state machine: hand-written journeys and refusals, then properties
//! over every (status, action, actor).

use super::*;
use crate::role::Role;
use proptest::prelude::*;

const DESK: Actor<'static> = Actor::Staff(&[Role::DeskOfficer]);
const SPECIALIST: Actor<'static> = Actor::Staff(&[Role::Specialist]);
const LEADER: Actor<'static> = Actor::Staff(&[Role::Leader]);
const ADMIN: Actor<'static> = Actor::Staff(&[Role::SystemAdmin]);

fn step(from: Status, action: Action, actor: Actor<'_>) -> Status {
    transition(from, &action, actor).unwrap()
}

#[test]
fn happy_path_received_processing_done_returned() {
    // Walk-in: the desk receives, hands over to step 1; the specialist
    // completes it and hands over to step 2; the leader signs; the desk
    // records the return.
    let s = step(Status::Draft, Action::Receive, DESK);
    assert_eq!(s, Status::Received);
    let s = step(s, Action::HandOver { to_step: 1 }, DESK);
    assert_eq!(s, Status::Processing);
    let s = step(s, Action::CompleteStep, SPECIALIST);
    let s = step(s, Action::HandOver { to_step: 2 }, SPECIALIST);
    assert_eq!(s, Status::Processing);
    let s = step(s, Action::SignResult, LEADER);
    assert_eq!(s, Status::Done);
    assert!(s.ends_processing());
    let s = step(s, Action::RecordReturn, DESK);
    assert_eq!(s, Status::Returned);
    assert!(s.is_terminal());
}

#[test]
fn online_submission_is_accepted_returned_for_correction_or_refused_by_the_desk() {
    let s = step(Status::Draft, Action::SubmitDraft, Actor::Applicant);
    assert_eq!(s, Status::AwaitingOnlineReception);
    assert_eq!(step(s, Action::ReturnForCorrection, DESK), Status::Draft);
    assert_eq!(step(s, Action::AcceptOnline, DESK), Status::Received);
    assert_eq!(step(s, Action::RefuseOnline, DESK), Status::Refused);
    // The applicant cannot accept their own submission.
    assert!(matches!(
        transition(s, &Action::AcceptOnline, Actor::Applicant),
        Err(TransitionError::Forbidden { .. })
    ));
}

#[test]
fn supplements_and_financial_obligations_go_back_to_processing() {
    let s = step(Status::Processing, Action::RequestSupplement, DESK);
    assert_eq!(s, Status::AwaitingSupplement);
    assert_eq!(
        step(s, Action::SupplySupplement, Actor::Applicant),
        Status::Processing
    );
    assert_eq!(step(s, Action::SupplySupplement, DESK), Status::Processing);
    let s = step(
        Status::Processing,
        Action::RequestFinancialObligation,
        SPECIALIST,
    );
    assert_eq!(s, Status::AwaitingFinancialObligation);
    assert_eq!(
        step(s, Action::SettleFinancialObligation, Actor::Applicant),
        Status::Processing
    );
    // The leader may stop a dossier whose applicant never supplied.
    assert_eq!(
        step(Status::AwaitingSupplement, Action::Stop, LEADER),
        Status::Stopped
    );
}

#[test]
fn extension_changes_no_status_and_needs_a_leader() {
    for s in [
        Status::Received,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::AwaitingFinancialObligation,
    ] {
        assert_eq!(step(s, Action::Extend, LEADER), s);
    }
    assert!(matches!(
        transition(Status::Processing, &Action::Extend, SPECIALIST),
        Err(TransitionError::Forbidden {
            action: "extend",
            ..
        })
    ));
}

#[test]
fn a_role_refusal_is_forbidden_and_a_state_refusal_names_the_state() {
    // A specialist may never sign: 403 whatever the status.
    let e = transition(Status::Processing, &Action::SignResult, SPECIALIST).unwrap_err();
    assert_eq!(
        e,
        TransitionError::Forbidden {
            action: "sign_result",
            allowed: &[Permitted::Role(Role::Leader)],
        }
    );
    assert_eq!(e.to_string(), "sign_result may be done only by: leader");
    // A leader may sign, but not a dossier still waiting for a supplement: 409.
    let e = transition(Status::AwaitingSupplement, &Action::SignResult, LEADER).unwrap_err();
    assert_eq!(
        e,
        TransitionError::NotAllowedInState {
            action: "sign_result",
            state: Status::AwaitingSupplement,
        }
    );
    assert_eq!(
        e.to_string(),
        "cannot sign_result a dossier that is awaiting_supplement"
    );
    // Hand-over from `received` is the desk's; during processing the holder's.
    assert!(matches!(
        transition(
            Status::Received,
            &Action::HandOver { to_step: 1 },
            SPECIALIST
        ),
        Err(TransitionError::Forbidden { .. })
    ));
    assert!(matches!(
        transition(Status::Processing, &Action::HandOver { to_step: 3 }, DESK),
        Err(TransitionError::Forbidden { .. })
    ));
    // Several roles: any one that fits is enough.
    let both = Actor::Staff(&[Role::Viewer, Role::Leader]);
    assert_eq!(
        step(Status::Processing, Action::SignResult, both),
        Status::Done
    );
    // Staff without a role is not the applicant.
    assert!(matches!(
        transition(Status::Draft, &Action::SubmitDraft, Actor::Staff(&[])),
        Err(TransitionError::Forbidden { .. })
    ));
}

#[test]
fn void_is_refused_after_return_and_allowed_before() {
    assert_eq!(
        transition(Status::Returned, &Action::Void, ADMIN),
        Err(TransitionError::NotAllowedInState {
            action: "void",
            state: Status::Returned,
        })
    );
    assert!(transition(Status::Voided, &Action::Void, ADMIN).is_err());
    for s in [
        Status::Draft,
        Status::Processing,
        Status::Done,
        Status::Refused,
    ] {
        assert_eq!(step(s, Action::Void, ADMIN), Status::Voided);
    }
    // Only the system administrator voids; not even a leader.
    assert!(matches!(
        transition(Status::Processing, &Action::Void, LEADER),
        Err(TransitionError::Forbidden { action: "void", .. })
    ));
}

#[test]
fn a_specialist_proposes_without_changing_the_status() {
    let propose = Action::Propose {
        proposal: Proposal::Refusal,
    };
    assert_eq!(
        step(Status::Processing, propose, SPECIALIST),
        Status::Processing
    );
    assert!(matches!(
        transition(Status::Processing, &propose, DESK),
        Err(TransitionError::Forbidden {
            action: "propose",
            ..
        })
    ));
    assert!(matches!(
        transition(Status::Done, &propose, SPECIALIST),
        Err(TransitionError::NotAllowedInState {
            state: Status::Done,
            ..
        })
    ));
}

#[test]
fn a_reason_is_trimmed_required_and_bounded() {
    assert_eq!(
        Reason::parse("  nhập sai mã thủ tục ").unwrap().as_str(),
        "nhập sai mã thủ tục"
    );
    assert!(
        Reason::parse("   ")
            .unwrap_err()
            .to_string()
            .contains("required")
    );
    let long = "a".repeat(2001);
    let e = Reason::parse(&long).unwrap_err().to_string();
    assert!(e.contains("2001 characters") && e.contains("2000"), "{e}");
    assert!(Reason::parse(&"ă".repeat(2000)).is_ok());
}

#[test]
fn the_second_supplement_request_warns_or_is_blocked() {
    assert_eq!(
        check_supplement_request(0, SupplementPolicy::Block),
        Ok(SupplementCheck::Allowed)
    );
    assert_eq!(
        check_supplement_request(1, SupplementPolicy::default()),
        Ok(SupplementCheck::Warn { nth: 2 })
    );
    let e = check_supplement_request(1, SupplementPolicy::Block).unwrap_err();
    assert_eq!(e, SupplementBlocked { nth: 2 });
    assert!(e.to_string().contains("number 2"), "{e}");
}

fn any_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::SubmitDraft),
        Just(Action::AcceptOnline),
        Just(Action::RefuseOnline),
        Just(Action::ReturnForCorrection),
        Just(Action::Receive),
        any::<u32>().prop_map(|to_step| Action::HandOver { to_step }),
        Just(Action::CompleteStep),
        Just(Action::RequestSupplement),
        Just(Action::SupplySupplement),
        Just(Action::RequestFinancialObligation),
        Just(Action::SettleFinancialObligation),
        Just(Action::SignResult),
        Just(Action::Refuse),
        Just(Action::Stop),
        Just(Action::Withdraw),
        Just(Action::RecordReturn),
        Just(Action::Void),
        Just(Action::Extend),
        Just(Action::RejectProposal),
        proptest::sample::select(vec![
            Proposal::Supplement,
            Proposal::Refusal,
            Proposal::Extension,
            Proposal::FinancialObligation,
        ])
        .prop_map(|proposal| Action::Propose { proposal }),
    ]
}

fn any_roles() -> impl Strategy<Value = Option<Vec<Role>>> {
    proptest::option::of(proptest::sample::subsequence(Role::ALL.to_vec(), 0..=7))
}

fn actor(roles: &Option<Vec<Role>>) -> Actor<'_> {
    match roles {
        None => Actor::Applicant,
        Some(roles) => Actor::Staff(roles),
    }
}

proptest! {
    #[test]
    fn no_action_leaves_a_terminal_status_except_void(
        from in any_status(), action in any_action(), roles in any_roles(),
    ) {
        if let Ok(to) = transition(from, &action, actor(&roles))
            && from.is_terminal()
        {
            prop_assert_eq!(action, Action::Void);
            prop_assert_eq!(to, Status::Voided);
            prop_assert!(from != Status::Returned && from != Status::Voided);
        }
    }

    #[test]
    fn transition_answers_for_every_input_and_only_staff_roles_listed_succeed(
        from in any_status(), action in any_action(), roles in any_roles(),
    ) {
        let result = transition(from, &action, actor(&roles));
        if let Ok(to) = result {
            // Viewers, unit administrators and evaluators never move a dossier.
            if let Some(roles) = &roles {
                prop_assert!(roles.iter().any(|r| matches!(
                    r,
                    Role::DeskOfficer | Role::Specialist | Role::Leader | Role::SystemAdmin
                )));
            }
            // Only an extension or a step action keeps the status.
            if to == from {
                let keeps = matches!(
                    action,
                    Action::Extend
                        | Action::CompleteStep
                        | Action::HandOver { .. }
                        | Action::Propose { .. }
                        | Action::RejectProposal
                );
                prop_assert!(keeps, "{:?} kept {:?}", action, from);
            }
        }
    }

    #[test]
    fn processing_ended_statuses_are_exactly_done_refused_stopped_withdrawn(s in any_status()) {
        let expected = matches!(
            s,
            Status::Done | Status::Refused | Status::Stopped | Status::Withdrawn
        );
        prop_assert_eq!(s.ends_processing(), expected);
        prop_assert_eq!(s.outcome().is_some(), expected);
    }
}
