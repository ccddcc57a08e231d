//! Dossiers (hồ sơ), domain.md §5: codes, statuses, the state machine of who
//! may move a dossier where, and the dossier's clock folded from its
//! timeline.

mod clock;
mod code;
mod identity;
mod status;
mod transition;

pub use clock::{
    ClockEvent, ClockPolicy, DossierClock, DueBasis, ExtensionCheck, ExtensionPolicy, StepClock,
    Wait, planned_step_dues,
};
pub use code::{CodeFormat, DossierCode, OfficialForm, Regime};
pub use identity::{IdentityKind, check_identity};
pub use status::{Channel, ClockState, Outcome, ReturnMethod, Status};
pub use transition::{
    Action, Actor, Permitted, Proposal, Reason, SupplementBlocked, SupplementCheck,
    SupplementPolicy, TransitionError, check_supplement_request, transition,
};

#[cfg(test)]
mod clock_tests;
#[cfg(test)]
mod transition_table_tests;
#[cfg(test)]
mod transition_tests;
