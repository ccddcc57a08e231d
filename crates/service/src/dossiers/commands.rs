//! What callers ask of the dossier use cases: typed commands, parsed by the
//! web layer (JSON), the CLI and the importer alike.

use jiff::civil::Date;
use motcua_domain::deadline::Classification;
use motcua_domain::dossier::{Channel, Proposal, ReturnMethod, Status};
use serde::{Deserialize, Serialize};

use crate::store::{Applicant, DossierSort, ReceivedItem};

/// Receive a dossier at the desk (in person, by post) or record an online
/// submission waiting for the desk.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    /// The receiving unit's code (the desk's unit).
    pub unit: String,
    /// The procedure's code.
    pub procedure: String,
    /// How the dossier arrived.
    pub channel: Channel,
    /// How the result goes back (default in person).
    #[serde(default)]
    pub return_method: Option<ReturnMethod>,
    /// Who asks.
    pub applicant: Applicant,
    /// Sets handed in (default 1).
    #[serde(default)]
    pub sets: Option<u32>,
    /// Components received; an empty list is refused for in-person and
    /// postal reception.
    #[serde(default)]
    pub components: Vec<ReceivedItem>,
    /// The fee due when lower than the catalog's (an exemption at 0, a
    /// reduction above), in đồng.
    #[serde(default)]
    pub fee_dong: Option<i64>,
    /// Why the fee is exempted or reduced; required when `fee_dong` is
    /// below the catalog's fee.
    #[serde(default)]
    pub fee_reason: String,
    /// Who hands the dossier in for the applicant, if not the applicant.
    #[serde(default)]
    pub representative: Option<super::particulars::Representative>,
    /// A note for the timeline.
    #[serde(default)]
    pub note: String,
    /// Files scanned at the counter, each tied to a component
    /// ([`DossierService::stage_scan`](super::DossierService::stage_scan));
    /// set by the desk's page, never read from JSON.
    #[serde(skip)]
    pub scans: Vec<super::particulars::Scan>,
}

/// One item a supplement request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingItem {
    /// The document.
    pub name: String,
    /// What is wrong or missing about it.
    #[serde(default)]
    pub note: String,
}

/// An action on a dossier, with the version it was decided on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Act {
    /// The dossier version the caller read; a stale one is refused.
    pub version: i64,
    /// A note for the timeline.
    #[serde(default)]
    pub note: String,
    /// What to do.
    #[serde(flatten)]
    pub action: ActionInput,
}

/// The actions, with what each needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionInput {
    /// The desk accepts an online submission; the clock starts.
    AcceptOnline {},
    /// The desk refuses an online submission.
    RefuseOnline {
        /// Why (printed on form 03).
        reason: String,
    },
    /// The desk returns an online submission listing everything missing.
    ReturnForCorrection {
        /// Everything missing, once.
        missing: Vec<MissingItem>,
    },
    /// Hand over to a step of the process (default: the next one), or to a
    /// unit when the procedure has no process.
    HandOver {
        /// The step number in the process.
        #[serde(default)]
        to_step: Option<u32>,
        /// The unit, when there is no process.
        #[serde(default)]
        to_unit: Option<String>,
        /// The person who takes it (user name).
        #[serde(default)]
        to_user: Option<String>,
    },
    /// The step holder completes the step.
    CompleteStep {},
    /// A specialist proposes a decision; the dossier goes to whoever
    /// decides it (the leader for a refusal or an extension, the desk for a
    /// supplement or a financial obligation), who takes the decision (the
    /// action itself) or turns it down.
    Propose {
        /// What.
        proposal: Proposal,
    },
    /// The decider turns a proposal down; the dossier goes back to the
    /// specialist who proposed it.
    RejectProposal {
        /// Why (told to the specialist in the timeline).
        reason: String,
    },
    /// The desk asks the applicant for a supplement; the clock is suspended.
    RequestSupplement {
        /// What is missing.
        items: Vec<MissingItem>,
        /// Why.
        reason: String,
        /// How to supply it.
        #[serde(default)]
        guidance: String,
        /// The applicant's deadline, if the procedure sets one.
        #[serde(default)]
        deadline: Option<Date>,
    },
    /// The supplement arrived; processing resumes.
    SupplySupplement {
        /// The components as they now stand, if they changed.
        #[serde(default)]
        components: Option<Vec<ReceivedItem>>,
    },
    /// A financial obligation is notified.
    RequestFinancialObligation {
        /// Amount in đồng, as notified by the tax office.
        amount_dong: i64,
    },
    /// The financial obligation was paid.
    SettleFinancialObligation {},
    /// The leader signs the result; processing ends.
    SignResult {
        /// Whether the result is electronic (digitised); a result file
        /// must be attached to the dossier first.
        #[serde(default)]
        result_digitised: bool,
        /// The result's number and symbol as signed ("125/GCN-UBND");
        /// recorded in the timeline, printed on the register.
        #[serde(default)]
        result_number: String,
        /// The day the result was signed (`YYYY-MM-DD`; default today,
        /// never later than today).
        #[serde(default)]
        result_date: Option<jiff::civil::Date>,
    },
    /// The leader refuses after receipt.
    Refuse {
        /// Why (form 03).
        reason: String,
    },
    /// The leader stops processing.
    Stop {
        /// Why.
        reason: String,
        /// The stage reached.
        #[serde(default)]
        stage: String,
        /// How fees are settled.
        #[serde(default)]
        fee_settlement: String,
    },
    /// The applicant withdraws; processing ends at the request.
    Withdraw {},
    /// The result reached the applicant.
    RecordReturn {
        /// How (default: the dossier's return method).
        #[serde(default)]
        method: Option<ReturnMethod>,
        /// Who collected it (in person).
        #[serde(default)]
        collector_name: String,
        /// Their identity number.
        #[serde(default)]
        collector_identity: String,
        /// Postal shipment code.
        #[serde(default)]
        shipment: String,
    },
    /// A system administrator voids a dossier entered by mistake.
    Void {
        /// Why.
        reason: String,
    },
    /// The leader approves an apology letter with a new appointment.
    Extend {
        /// Why the appointment is missed.
        reason: String,
        /// The new appointment, local time (`2025-05-06T09:00`).
        new_due: String,
        /// Who signs the letter.
        #[serde(default)]
        signer_name: String,
        /// Their title.
        #[serde(default)]
        signer_title: String,
    },
}

impl ActionInput {
    /// The action's stable name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AcceptOnline {} => "accept_online",
            Self::RefuseOnline { .. } => "refuse_online",
            Self::ReturnForCorrection { .. } => "return_for_correction",
            Self::HandOver { .. } => "hand_over",
            Self::CompleteStep {} => "complete_step",
            Self::Propose { .. } => "propose",
            Self::RejectProposal { .. } => "reject_proposal",
            Self::RequestSupplement { .. } => "request_supplement",
            Self::SupplySupplement { .. } => "supply_supplement",
            Self::RequestFinancialObligation { .. } => "request_financial_obligation",
            Self::SettleFinancialObligation {} => "settle_financial_obligation",
            Self::SignResult { .. } => "sign_result",
            Self::Refuse { .. } => "refuse",
            Self::Stop { .. } => "stop",
            Self::Withdraw {} => "withdraw",
            Self::RecordReturn { .. } => "record_return",
            Self::Void { .. } => "void",
            Self::Extend { .. } => "extend",
        }
    }
}

/// Filters of a dossier list, as callers give them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    /// Only dossiers of this unit's subtree (default: every unit the actor sees).
    pub unit: Option<String>,
    /// Statuses.
    pub statuses: Vec<Status>,
    /// Procedure code.
    pub procedure: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Appointment from (inclusive), local date.
    pub due_from: Option<Date>,
    /// Appointment to (inclusive), local date.
    pub due_to: Option<Date>,
    /// Received from (inclusive), local date.
    pub received_from: Option<Date>,
    /// Received to (inclusive), local date.
    pub received_to: Option<Date>,
    /// Ended (result ready, refused, withdrawn or stopped) from (inclusive),
    /// local date: with `ended_to`, the dossiers behind a period's
    /// on-time rate.
    pub ended_from: Option<Date>,
    /// Ended to (inclusive), local date.
    pub ended_to: Option<Date>,
    /// Only dossiers that ended with one of these classifications.
    pub classifications: Vec<Classification>,
    /// With `unit`: only the dossiers its subtree received (the attribution
    /// of reports and of the dashboard's month), not those it only holds.
    pub received_only: bool,
    /// Open at the end of this local date: received by then and not ended
    /// by then (a report's in progress at its end; its carried over with
    /// the day before it).
    pub open_on: Option<Date>,
    /// Only dossiers of procedures in this sector (field), as reports
    /// group them (the latest version's field).
    pub sector: Option<String>,
    /// With `unit`: only the dossiers received by the units of this level
    /// in its subtree, as a report's level row counts them on the tree of
    /// `tree_on` (predecessors count at their successor's level).
    pub level: Option<motcua_domain::unit::Level>,
    /// With `unit`: only the dossiers the unit itself received (with its
    /// predecessors'), not its children's: a report's row of the root.
    pub own: bool,
    /// With `unit`: the unit's subtree as a report grouped it on this day
    /// (units that ended count under their successors), counting what
    /// those units received; the day whose tree `level` and `own` follow
    /// (default: today's tree).
    pub tree_on: Option<Date>,
    /// Open at the end of the date and, as the dossier's history stood
    /// then, within the limit or overdue (a report's columns (12) and (13)
    /// at a past period's end).
    pub open_state_on: Option<(motcua_domain::stats::OpenState, Date)>,
    /// What the search box was given: a code, an identity or phone number
    /// or an applicant's name, each matched by its beginning.
    pub text: Option<String>,
    /// Only near-due dossiers.
    pub near_due: bool,
    /// Only overdue dossiers.
    pub overdue: bool,
    /// Only those held by the caller.
    pub mine: bool,
    /// Order.
    pub sort: DossierSort,
    /// The cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size (default 50, at most 200).
    pub limit: Option<u32>,
}
