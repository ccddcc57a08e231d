//! The dossier part of the storage port: records and the traits for
//! dossiers, the notification outbox, idempotency keys and file metadata.
//!
//! The service decides (state machine, clock, access); storage writes what
//! it decided in one transaction: the new state with `version + 1` if the
//! version the change was computed from is still current, the event, step
//! changes, outbox messages and the audit entry. A stale version is
//! `Conflict` and nothing is written.

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::deadline::Classification;
use motcua_domain::dossier::{Channel, DossierCode, Outcome, ReturnMethod, Status};
use motcua_domain::role::Role;
use motcua_domain::unit::UnitCode;
use serde::{Deserialize, Serialize};

use super::AuditContext;
use crate::error::ServiceResult;

/// Stands for the dossier's code in the subject and body of messages
/// written with a new dossier, whose code storage assigns in the same
/// transaction.
pub const CODE_PLACEHOLDER: &str = "{{code}}";

/// The audit subject of a dossier.
pub fn dossier_subject(code: &str) -> String {
    format!("dossier:{code}")
}

/// Whether the applicant is a person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// A citizen (công dân).
    Citizen,
    /// A business or other organisation (tổ chức, doanh nghiệp).
    Organisation,
}

impl ApplicantType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Organisation => "organisation",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Self::Citizen),
            "organisation" => Some(Self::Organisation),
            _ => None,
        }
    }
}

/// Who asks for the procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Person or organisation.
    pub kind: ApplicantType,
    /// Full name, NFC.
    pub name: String,
    /// Citizen identity number, passport, or the enterprise code.
    pub identity: String,
    /// Phone number as given.
    pub phone: String,
    /// E-mail address, possibly empty.
    pub email: String,
    /// Postal address.
    pub address: String,
}

/// How a component was handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentCopy {
    /// Bản chính.
    Original,
    /// Bản sao.
    Copy,
    /// Bản sao chứng thực.
    CertifiedCopy,
    /// Submitted as an electronic file only.
    Electronic,
}

impl ComponentCopy {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Copy => "copy",
            Self::CertifiedCopy => "certified_copy",
            Self::Electronic => "electronic",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "original" => Some(Self::Original),
            "copy" => Some(Self::Copy),
            "certified_copy" => Some(Self::CertifiedCopy),
            "electronic" => Some(Self::Electronic),
            _ => None,
        }
    }

    /// As printed on the forms.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Original => "Bản chính",
            Self::Copy => "Bản sao",
            Self::CertifiedCopy => "Bản sao chứng thực",
            Self::Electronic => "Bản điện tử",
        }
    }
}

/// A component received with a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedItem {
    /// The document's name as in the catalog (or as written by the desk).
    pub name: String,
    /// Original, copy, certified copy or electronic.
    pub form: ComponentCopy,
    /// Number of copies handed in.
    pub copies: u32,
    /// Whether a digitised file is attached (Circular 01/2023).
    pub digitised: bool,
    /// Whether it was reused from stored data rather than submitted again.
    pub reused: bool,
    /// The attached file, if any.
    pub file_id: Option<i64>,
}

/// The parts of a dossier that change over its life; the service computes
/// them and storage writes them whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierState {
    /// Current status.
    pub status: Status,
    /// How the result goes back.
    pub return_method: ReturnMethod,
    /// When the online submission arrived.
    pub submitted_at: Option<Timestamp>,
    /// Receipt moment (the clock's start before normalisation).
    pub received_at: Option<Timestamp>,
    /// Due moment moved only by suspensions.
    pub original_due: Option<Timestamp>,
    /// The appointment after extensions.
    pub current_due: Option<Timestamp>,
    /// The moment the dossier becomes near due, while its clock runs.
    pub near_due: Option<Timestamp>,
    /// Whether the clock runs now (received, not suspended, not ended).
    pub clock_running: bool,
    /// The clock's input as JSON (see `dossiers::clock`), none before receipt.
    #[serde(skip)]
    pub clock: Option<String>,
    /// The unit holding the dossier now.
    pub holder_unit_id: Option<i64>,
    /// The person holding it, when assigned.
    pub holder_user_id: Option<i64>,
    /// The process step it is at.
    pub step_no: Option<u32>,
    /// Supplement requests issued during processing.
    pub supplement_count: u32,
    /// Extensions (apology letters) granted.
    pub extension_count: u32,
    /// End of processing.
    pub ended_at: Option<Timestamp>,
    /// How processing ended.
    pub outcome: Option<Outcome>,
    /// Early, on time or late, judged at the end.
    pub classification: Option<Classification>,
    /// Whether an electronic result is attached.
    pub result_digitised: bool,
    /// When the result reached the applicant (or was made available online).
    pub returned_at: Option<Timestamp>,
    /// How it was returned: collector and identity, shipment, download (JSON).
    pub return_detail: Option<String>,
}

/// A dossier to insert; storage assigns the code from the unit's daily
/// sequence, unless it carries one (an import of history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDossier {
    /// The code to keep: an imported dossier keeps the code the old system
    /// gave it (printed on receipts the applicant holds). `None` assigns the
    /// next code of the unit's day; [`DossierStore::import_dossiers`]
    /// requires one.
    pub code: Option<DossierCode>,
    /// The receiving unit.
    pub unit_id: i64,
    /// Its code, the code's first part.
    pub unit_code: UnitCode,
    /// The civil date in the code (the receipt or submission date in Vietnam).
    pub code_date: jiff::civil::Date,
    /// The procedure version in force at receipt.
    pub procedure_id: i64,
    /// That version's id.
    pub procedure_version_id: i64,
    /// The internal process followed, if the unit has one.
    pub process_id: Option<i64>,
    /// How it arrived.
    pub channel: Channel,
    /// Who asks.
    pub applicant: Applicant,
    /// Sets of the dossier handed in.
    pub sets: u32,
    /// Fee due in đồng.
    pub fee_dong: i64,
    /// Components received.
    pub components: Vec<ReceivedItem>,
    /// Files scanned at the counter, kept in the file store already: their
    /// rows are written with the dossier and each component named gets its
    /// file (`file_id`).
    pub scans: Vec<crate::dossiers::particulars::Scan>,
    /// The state at creation.
    pub state: DossierState,
    /// The unguessable token of the public status page.
    pub lookup_token: String,
    /// The portal account that submitted it online, whose owner follows it
    /// there; none for the desk's, postal and imported dossiers.
    pub owner_account_id: Option<i64>,
    /// Whether that account's owner was vouched for by VNeID when it was
    /// submitted (766 indicator 4.5).
    pub owner_identity_verified: bool,
    /// Loaded from another system rather than received here.
    pub imported: bool,
    /// The user name of whoever received it.
    pub received_by: String,
    /// The creation event.
    pub event: NewEvent,
    /// Steps already taken (only for imports of history).
    pub steps: Vec<NewStep>,
    /// Further events after the creation one (only for imports).
    pub more_events: Vec<NewEvent>,
    /// Messages to send.
    pub outbox: Vec<NewMessage>,
    /// What the dossier adds to the statistics counters (see
    /// `crate::stats`), written in the same transaction.
    pub stats: Vec<motcua_domain::stats::DayChange>,
}

/// A dossier as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dossier {
    /// Database id.
    pub id: i64,
    /// Public code.
    pub code: DossierCode,
    /// Token of the public status page.
    pub lookup_token: String,
    /// Receiving unit.
    pub unit_id: i64,
    /// Procedure.
    pub procedure_id: i64,
    /// Procedure version in force at receipt.
    pub procedure_version_id: i64,
    /// Internal process followed.
    pub process_id: Option<i64>,
    /// How it arrived.
    pub channel: Channel,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Who asks.
    pub applicant: Applicant,
    /// Sets handed in.
    pub sets: u32,
    /// Fee in đồng.
    pub fee_dong: i64,
    /// The changing part.
    #[serde(flatten)]
    pub state: DossierState,
    /// Imported from another system.
    pub imported: bool,
    /// Who received it.
    pub received_by: String,
    /// When the row was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A transition to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEvent {
    /// When it happened.
    pub at: Timestamp,
    /// Who did it (user name, `applicant`, `system`, `import`).
    pub actor: String,
    /// The action's stable name.
    pub action: String,
    /// Status before (none at creation).
    pub from: Option<Status>,
    /// Status after.
    pub to: Status,
    /// Free text note (reason, instructions).
    pub note: String,
    /// The action's own details (JSON object).
    pub detail: serde_json::Value,
}

/// A recorded transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierEvent {
    /// Database id, increasing.
    pub id: i64,
    /// The event.
    #[serde(flatten)]
    pub event: NewEvent,
}

/// A step instance to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewStep {
    /// Position of the step in the process.
    pub step_no: u32,
    /// The step's name.
    pub name: String,
    /// The unit doing it.
    pub unit_id: i64,
    /// The role doing it.
    pub role: Role,
    /// The person assigned, if any.
    pub holder_user_id: Option<i64>,
    /// Done by another agency (liên thông).
    pub external: bool,
    /// Who handed it over: unit.
    pub sender_unit_id: i64,
    /// Who handed it over: user name.
    pub sender: String,
    /// Hand-over moment.
    pub started_at: Timestamp,
    /// Due moment from the allotted time.
    pub due: Option<Timestamp>,
    /// End, for an imported step that already ended.
    pub ended_at: Option<Timestamp>,
    /// Classification of an ended step.
    pub classification: Option<Classification>,
}

/// A step instance as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierStep {
    /// Database id.
    pub id: i64,
    /// The step.
    #[serde(flatten)]
    pub step: NewStep,
}

/// What to do with steps in a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepChange {
    /// Open a new step instance.
    Open(NewStep),
    /// Close an open instance.
    Close {
        /// The instance.
        id: i64,
        /// When.
        ended_at: Timestamp,
        /// Against its own due.
        classification: Option<Classification>,
    },
    /// Move every open step's due moment (a suspension), by instance id.
    Due {
        /// The instance.
        id: i64,
        /// The new due moment.
        due: Option<Timestamp>,
    },
}

/// A computed change to one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierChange {
    /// The dossier.
    pub id: i64,
    /// The version the change was computed from.
    pub expected_version: i64,
    /// The dossier at that version: storage writes only the state columns
    /// that differ, and answers the dossier after without reading it back.
    pub before: Dossier,
    /// The state after.
    pub state: DossierState,
    /// The transition.
    pub event: NewEvent,
    /// Step instances opened or closed.
    pub steps: Vec<StepChange>,
    /// Component rows to replace (supplements received, files attached); none
    /// keeps them.
    pub components: Option<Vec<ReceivedItem>>,
    /// Messages to send.
    pub outbox: Vec<NewMessage>,
    /// How the change moves the statistics counters, written in the same
    /// transaction.
    pub stats: Vec<motcua_domain::stats::DayChange>,
}

impl DossierChange {
    /// The dossier once the change is written at `at`: the new state, the
    /// next version, the update moment as stored (whole milliseconds).
    pub fn after(&self, at: Timestamp) -> Dossier {
        Dossier {
            state: self.state.clone(),
            version: self.before.version + 1,
            updated_at: Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at),
            ..self.before.clone()
        }
    }
}

/// A computed correction of what the desk typed (issue 18, point 2): the
/// applicant's details and the components as they should read, written
/// with the event that says what changed. Unlike a [`DossierChange`] it
/// moves no status, step or counter; storage rewrites the search terms
/// the search box finds the dossier by when the name or a number changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierCorrection {
    /// The dossier.
    pub id: i64,
    /// The version the correction was computed from.
    pub expected_version: i64,
    /// The dossier at that version.
    pub before: Dossier,
    /// The applicant as they should read (the same as before when only the
    /// components change).
    pub applicant: Applicant,
    /// Component rows to replace; none keeps them.
    pub components: Option<Vec<ReceivedItem>>,
    /// The correction's event (from and to the dossier's status).
    pub event: NewEvent,
}

impl DossierCorrection {
    /// The dossier once the correction is written at `at`.
    pub fn after(&self, at: Timestamp) -> Dossier {
        Dossier {
            applicant: self.applicant.clone(),
            version: self.before.version + 1,
            updated_at: Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at),
            ..self.before.clone()
        }
    }
}

/// The channels notifications go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageChannel {
    /// E-mail over SMTP.
    Email,
    /// SMS through an HTTP gateway.
    Sms,
    /// A webhook signed with HMAC.
    Webhook,
    /// A log file (the demo).
    Log,
}

impl MessageChannel {
    /// Every channel.
    pub const ALL: &'static [MessageChannel] = &[Self::Email, Self::Sms, Self::Webhook, Self::Log];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Webhook => "webhook",
            Self::Log => "log",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// A message to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMessage {
    /// Where it goes.
    pub channel: MessageChannel,
    /// E-mail address, phone number, webhook name.
    pub recipient: String,
    /// Subject line (e-mail), event type (webhook).
    pub subject: String,
    /// Body text, or the JSON payload of a webhook.
    pub body: String,
}

/// Delivery state of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Waiting for (another) attempt.
    Pending,
    /// Delivered.
    Sent,
    /// Given up after the last attempt; visible to administrators.
    Failed,
}

impl MessageStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    /// Database id.
    pub id: i64,
    /// The dossier it is about, if any.
    pub dossier_id: Option<i64>,
    /// The message.
    #[serde(flatten)]
    pub message: NewMessage,
    /// Delivery state.
    pub status: MessageStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub sent_at: Option<Timestamp>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// The most messages a dossier's page lists (a dossier gets a handful: one
/// per channel at reception, supplement, result and return).
pub const DOSSIER_MESSAGES: u32 = 200;

/// The result of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered at this moment.
    Sent(Timestamp),
    /// Failed; try again at this moment.
    Retry {
        /// Why it failed.
        error: String,
        /// When to try again.
        at: Timestamp,
    },
    /// Failed for good.
    Failed {
        /// Why.
        error: String,
    },
}

/// How dossier lists are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierSort {
    /// Newest first (by id).
    #[default]
    Newest,
    /// Soonest appointment first (dossiers without one last).
    Due,
    /// Oldest first (by id): the reverse of `Newest`.
    Oldest,
    /// Latest appointment first (dossiers without one last).
    DueLatest,
}

impl DossierSort {
    /// Every order, as links name them.
    pub const ALL: [DossierSort; 4] = [
        DossierSort::Newest,
        DossierSort::Oldest,
        DossierSort::Due,
        DossierSort::DueLatest,
    ];

    /// The name in links and the API (`newest`, `oldest`, `due`,
    /// `due_latest`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Due => "due",
            Self::DueLatest => "due_latest",
        }
    }

    /// Reads a name given by [`as_str`](Self::as_str); `None` for any other.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    /// Whether the order is by appointment (its cursor carries the due
    /// moment).
    pub fn by_due(self) -> bool {
        matches!(self, Self::Due | Self::DueLatest)
    }
}

/// How many dossiers a list's filters select, read up to a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Total {
    /// The number, at most the cap.
    pub count: u64,
    /// There are more than `count` (the cap was reached).
    pub more: bool,
}

/// A unit that left a scope, and the start of its first day outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Departed {
    /// The unit.
    pub unit_id: i64,
    /// Dossiers it received before this instant still count in the scope.
    pub before: Timestamp,
}

/// Filters of a dossier list. Every filter narrows; empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DossierFilter {
    /// Dossiers received by, or now held by, one of these units (the actor's
    /// subtree); empty means any unit (only for system actors).
    pub unit_ids: Vec<i64>,
    /// Also dossiers received by one of these units before the instant:
    /// units that left the scope keep their past in it
    /// ([`crate::units::departures`]). Used only with `unit_ids`.
    pub departed: Vec<Departed>,
    /// Only dossiers in these statuses (voided are excluded unless named).
    pub statuses: Vec<Status>,
    /// Only this procedure.
    pub procedure_id: Option<i64>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Appointment at or after.
    pub due_from: Option<Timestamp>,
    /// Appointment before.
    pub due_to: Option<Timestamp>,
    /// Open and near due at this moment (not overdue).
    pub near_due_at: Option<Timestamp>,
    /// Open and overdue at this moment.
    pub overdue_at: Option<Timestamp>,
    /// Held by this person.
    pub holder_user_id: Option<i64>,
    /// Held by one of these units (a queue), regardless of receiving unit.
    pub holder_unit_ids: Vec<i64>,
    /// Waiting at a leader's step for this person: the latest open step is
    /// a leader's, and the dossier is held by this person or by nobody (the
    /// approval queue).
    pub awaiting_leader: Option<i64>,
    /// Only dossiers waiting at the desk: received and not handed over, or
    /// at a desk officer's step (a proposal the desk decides).
    pub awaiting_desk: bool,
    /// Received in `[from, to)`.
    pub received_from: Option<Timestamp>,
    /// See `received_from`.
    pub received_to: Option<Timestamp>,
    /// Ended in `[from, to)`.
    pub ended_from: Option<Timestamp>,
    /// See `ended_from`.
    pub ended_to: Option<Timestamp>,
    /// Only dossiers classified as one of these when they ended.
    pub classifications: Vec<Classification>,
    /// With `unit_ids`: only dossiers those units received, not those they
    /// merely hold (how reports attribute a dossier).
    pub received_only: bool,
    /// Open at this instant: received before it, processing not ended
    /// before it (a report's carried over and in progress).
    pub open_at: Option<Timestamp>,
    /// Only dossiers of one of these procedures (empty: any).
    pub procedure_ids: Vec<i64>,
    /// Only dossiers the search box's query finds (code, number or name).
    pub text: Option<motcua_domain::search::dossier::DossierQuery>,
    /// Order.
    pub sort: DossierSort,
    /// Keyset position: the last row of the previous page (sort key, id).
    pub after: Option<(Option<i64>, i64)>,
    /// Page size.
    pub limit: u32,
}

/// A row of a dossier list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierSummary {
    /// Database id.
    pub id: i64,
    /// Public code.
    pub code: String,
    /// Receiving unit.
    pub unit_id: i64,
    /// Procedure.
    pub procedure_id: i64,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure name (the version in force at receipt).
    pub procedure_name: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Channel.
    pub channel: Channel,
    /// Status.
    pub status: Status,
    /// Version.
    pub version: i64,
    /// Receipt.
    pub received_at: Option<Timestamp>,
    /// Appointment.
    pub current_due: Option<Timestamp>,
    /// Original due.
    pub original_due: Option<Timestamp>,
    /// Near due from.
    pub near_due: Option<Timestamp>,
    /// Clock running now.
    pub clock_running: bool,
    /// Holder unit.
    pub holder_unit_id: Option<i64>,
    /// Holder person.
    pub holder_user_id: Option<i64>,
    /// End of processing.
    pub ended_at: Option<Timestamp>,
    /// Classification at the end.
    pub classification: Option<Classification>,
}

/// What the public status page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStatus {
    /// Code.
    pub code: String,
    /// Token that must match.
    #[serde(skip)]
    pub lookup_token: String,
    /// Status.
    pub status: Status,
    /// Procedure name.
    pub procedure_name: String,
    /// Receiving unit's name.
    pub unit_name: String,
    /// Receipt.
    pub received_at: Option<Timestamp>,
    /// Appointment.
    pub current_due: Option<Timestamp>,
    /// End of processing.
    pub ended_at: Option<Timestamp>,
    /// Return.
    pub returned_at: Option<Timestamp>,
    /// The overall score it was rated, once rated.
    #[serde(skip)]
    pub rating: Option<u8>,
}

/// Metadata of a stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRecord {
    /// Database id.
    pub id: i64,
    /// The dossier.
    pub dossier_id: i64,
    /// `component` or `result`.
    pub kind: String,
    /// File name as uploaded.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// Content hash (hex), the key in the file store.
    pub sha256: String,
    /// Who uploaded it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

/// A stored answer for an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new and now reserved for this request.
    Claimed,
    /// The same key with the same request is still being processed.
    InProgress,
    /// The same key was used for a different request.
    Mismatch,
    /// The answer to replay: status code and body.
    Done(u16, String),
}

/// Dossiers.
#[allow(clippy::too_many_arguments)]
#[async_trait]
pub trait DossierStore: Send + Sync {
    /// Inserts a dossier with its components, events and steps, assigning
    /// the next code of the unit's day; returns it.
    async fn insert_dossier(&self, ctx: &AuditContext, d: &NewDossier) -> ServiceResult<Dossier>;
    /// Inserts dossiers imported from another system, each with the code it
    /// carries, all in one transaction: any refusal writes nothing. A code
    /// already taken (by a dossier in the database or earlier in the list)
    /// or missing is `Invalid` with the dossier's index in `field`
    /// (`dossiers[3].code`), like other batch imports. Each unit's daily
    /// sequence is raised to the highest imported number of its day, so a
    /// dossier received later never gets an imported code. One audit entry
    /// (`dossier.import`, subject `import:<source>`) records the batch; the
    /// dossiers' own events carry their history. Returns how many were
    /// inserted.
    async fn import_dossiers(
        &self,
        ctx: &AuditContext,
        source: &str,
        dossiers: &[NewDossier],
    ) -> ServiceResult<usize>;
    /// Applies a change if the dossier is still at `expected_version`
    /// (otherwise `Conflict`, nothing written); returns the new state.
    async fn change_dossier(&self, ctx: &AuditContext, c: &DossierChange)
    -> ServiceResult<Dossier>;
    /// Writes a correction if the dossier is still at `expected_version`
    /// (otherwise `Conflict`, nothing written): the applicant's columns and
    /// search terms, the components when given, the event and the audit
    /// entry (`dossier.correct`), in one transaction; returns the dossier.
    async fn correct_dossier(
        &self,
        ctx: &AuditContext,
        c: &DossierCorrection,
    ) -> ServiceResult<Dossier>;
    /// A dossier by code, or `NotFound`.
    async fn dossier_by_code(&self, code: &str) -> ServiceResult<Dossier>;
    /// A procedure version by its id (the one a dossier keeps), or `NotFound`.
    async fn procedure_version_by_id(
        &self,
        version_id: i64,
    ) -> ServiceResult<super::ProcedureVersion>;
    /// A dossier's components.
    async fn dossier_components(&self, id: i64) -> ServiceResult<Vec<ReceivedItem>>;
    /// A dossier's events, oldest first.
    async fn dossier_events(&self, id: i64) -> ServiceResult<Vec<DossierEvent>>;
    /// A dossier's step instances, oldest first.
    async fn dossier_steps(&self, id: i64) -> ServiceResult<Vec<DossierStep>>;
    /// A page of dossiers.
    async fn list_dossiers(&self, f: &DossierFilter) -> ServiceResult<Vec<DossierSummary>>;
    /// How many dossiers `f` selects, with the very conditions of
    /// [`list_dossiers`](Self::list_dossiers) (its `sort`, `after` and
    /// `limit` ignored), counting at most `cap` (then `more`).
    async fn count_dossiers(&self, f: &DossierFilter, cap: u64) -> ServiceResult<Total>;
    /// The public status by code, if the dossier exists and is not a draft
    /// or voided.
    async fn public_status(&self, code: &str) -> ServiceResult<Option<PublicStatus>>;
    /// Records a file's metadata for a dossier.
    async fn insert_file(
        &self,
        ctx: &AuditContext,
        dossier_id: i64,
        kind: &str,
        name: &str,
        content_type: &str,
        size_bytes: i64,
        sha256: &str,
    ) -> ServiceResult<FileRecord>;
    /// A dossier's files.
    async fn dossier_files(&self, dossier_id: i64) -> ServiceResult<Vec<FileRecord>>;
}

/// The notification outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` pending messages due at `now` for delivery,
    /// pushing their next attempt to `lease_until` so another node does not
    /// take them meanwhile.
    async fn claim_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> ServiceResult<Vec<OutboxMessage>>;
    /// Records the outcome of an attempt.
    async fn record_delivery(&self, id: i64, outcome: &Delivery) -> ServiceResult<()>;
    /// Messages by status, newest first, a page after id `before`. With
    /// `units`, only messages about a dossier received or held by one of
    /// them (messages without a dossier are left out); `None` is every message.
    async fn outbox_messages(
        &self,
        units: Option<&[i64]>,
        status: Option<MessageStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<OutboxMessage>>;
    /// The messages about one dossier, oldest first (at most
    /// [`DOSSIER_MESSAGES`]).
    async fn dossier_messages(&self, dossier_id: i64) -> ServiceResult<Vec<OutboxMessage>>;
    /// The due moment of each listed dossier's open step (a dossier without
    /// an open step is left out; a step without a limit has none).
    async fn open_step_dues(&self, ids: &[i64]) -> ServiceResult<Vec<(i64, Option<Timestamp>)>>;
    /// Puts a failed message back in the queue for `at`, or `NotFound`; with
    /// `units`, a message outside them (as in
    /// [`outbox_messages`](Self::outbox_messages)) is `NotFound` too.
    async fn retry_message(
        &self,
        ctx: &AuditContext,
        units: Option<&[i64]>,
        id: i64,
        at: Timestamp,
    ) -> ServiceResult<()>;
}

/// Idempotency keys of API writes.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `actor` with a request fingerprint.
    async fn claim_idempotency_key(
        &self,
        actor: &str,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
    ) -> ServiceResult<IdempotencyClaim>;
    /// Stores the answer to replay.
    async fn complete_idempotency_key(
        &self,
        actor: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> ServiceResult<()>;
    /// Forgets a claim whose request failed before changing anything, so it
    /// may be retried.
    async fn release_idempotency_key(&self, actor: &str, key: &str) -> ServiceResult<()>;
}
