//! Accounts of citizens and businesses, their portal sessions and the
//! one-time codes that prove a contact (issue 19, point 2).

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::contact::Contact;
use serde::Serialize;

use super::{AuditContext, NewMessage, PublicStatus};
use crate::error::ServiceResult;

/// Who an account stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person (công dân).
    Citizen,
    /// An organisation or business (tổ chức, doanh nghiệp).
    Organisation,
}

impl AccountKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Organisation => "organisation",
        }
    }

    /// The kind named by its stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Self::Citizen),
            "organisation" => Some(Self::Organisation),
            _ => None,
        }
    }
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// Person or organisation.
    pub kind: AccountKind,
    /// Full name (of the organisation, for one).
    pub full_name: String,
    /// How it is reached and signed in to.
    pub contact: Contact,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Person or organisation.
    pub kind: AccountKind,
    /// Full name.
    pub full_name: String,
    /// E-mail address, normal form.
    pub email: Option<String>,
    /// Phone number, normal form.
    pub phone: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When the owner proved the contact; none before.
    pub verified_at: Option<Timestamp>,
    /// What an identity provider vouched for, if one did.
    pub identity: Option<VerifiedIdentity>,
    /// Whether the account may sign in.
    pub active: bool,
    /// Created.
    pub created_at: Timestamp,
}

/// An identity provider's word on an account's owner (VNeID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// The provider's stable subject for the person.
    pub subject: String,
    /// Level of assurance (VNeID's levels 1 and 2).
    pub level: u8,
    /// When it was vouched for.
    pub at: Timestamp,
}

/// A portal session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSession {
    /// Hex SHA-256 of the cookie secret.
    pub id_hash: String,
    /// The account.
    pub account_id: i64,
    /// The CSRF token the session's forms echo.
    pub csrf_token: String,
    /// Created.
    pub created_at: Timestamp,
    /// Ends.
    pub expires_at: Timestamp,
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// Proving the contact of a new account.
    Verify,
    /// Setting a new password.
    Reset,
}

impl CodePurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
        }
    }
}

/// A code to keep (its hash) and the message that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    /// Where it was sent.
    pub contact: Contact,
    /// What it is for.
    pub purpose: CodePurpose,
    /// Hex SHA-256 of the code with its contact and purpose.
    pub code_hash: String,
    /// Dead after this.
    pub expires_at: Timestamp,
}

/// What checking a code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code was right and live; it is used up now.
    Accepted,
    /// Wrong: one more try counted.
    Wrong,
    /// No live code (none sent, expired, used, or too many wrong tries).
    Dead,
}

/// A rating to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    /// The dossier rated.
    pub dossier_id: i64,
    /// The overall score, 1 to 5.
    pub overall: u8,
    /// Each SIPAS aspect's score, in `stats::satisfaction::ASPECTS` order,
    /// when answered.
    pub aspects: [Option<u8>; 5],
    /// What the applicant wrote.
    pub comment: String,
    /// `portal` (the owner), `receipt` (through the status page), `kiosk`.
    pub channel: &'static str,
}

/// A payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Our reference.
    pub reference: String,
    /// The amount asked, in đồng.
    pub amount_dong: i64,
    /// What has been refunded of it, or is being refunded, in đồng.
    pub refunded_dong: i64,
    /// When the attempt was opened.
    pub created_at: Timestamp,
    /// `pending`, `paid` or `failed`.
    pub status: String,
    /// The gateway's transaction, once settled.
    pub transaction_no: Option<String>,
    /// When it was settled.
    pub settled_at: Option<Timestamp>,
}

impl Payment {
    /// Whether it counts as paid online: paid, and not refunded in full
    /// (a fee given back whole was, in the end, not paid).
    pub fn counts_as_paid(&self) -> bool {
        self.status == "paid" && self.refunded_dong < self.amount_dong
    }
}

/// What settling a payment found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// It is settled now (paid or not), for this dossier.
    Now {
        /// The dossier's code.
        code: String,
        /// Whether it was paid.
        paid: bool,
    },
    /// It was settled before: a repeated answer changes nothing.
    Already {
        /// The dossier's code.
        code: String,
    },
    /// No payment has this reference.
    Unknown,
    /// The gateway took another amount than was asked.
    AmountMismatch,
}

/// A document an account handed in (or received as a result) before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// The content's hash in the file store.
    pub sha256: String,
    /// The file's name.
    pub name: String,
    /// Its checked type.
    pub content_type: String,
    /// Its size.
    pub size_bytes: i64,
    /// The dossier it came with.
    pub dossier_code: String,
    /// When it was kept.
    pub at: Timestamp,
}

/// What the portal adds to a receiving unit's dossiers received in a
/// period: the 766 figures that start there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PortalCounts {
    /// Dossiers received.
    pub received: i64,
    /// Of which submitted through the portal by an account.
    pub via_portal: i64,
    /// Of which by an account VNeID vouched for (766 §4.5).
    pub identity_verified: i64,
    /// Dossiers received with a fee above zero.
    pub fee_bearing: i64,
    /// Of which paid online through the gateway (and not refunded in
    /// full: a fee given back whole was not, in the end, paid).
    pub paid_online: i64,
}

impl PortalCounts {
    /// Adds another unit's counts.
    pub fn add(&mut self, o: &PortalCounts) {
        self.received += o.received;
        self.via_portal += o.via_portal;
        self.identity_verified += o.identity_verified;
        self.fee_bearing += o.fee_bearing;
        self.paid_online += o.paid_online;
    }
}

/// Accounts, portal sessions and one-time codes. Account changes are
/// audited under the account's id, never its contact or name.
#[async_trait]
pub trait ApplicantStore: Send + Sync {
    /// Creates an account, unverified. A contact already taken is
    /// `Conflict` (the service never tells the caller so).
    async fn insert_account(&self, ctx: &AuditContext, a: &NewAccount) -> ServiceResult<Account>;
    /// The account reached by `contact`, if any.
    async fn account_by_contact(&self, contact: &Contact) -> ServiceResult<Option<Account>>;
    /// An account by id, or `NotFound`.
    async fn account_by_id(&self, id: i64) -> ServiceResult<Account>;
    /// Records that the owner proved the contact (once; later calls keep
    /// the first moment).
    async fn mark_account_verified(&self, ctx: &AuditContext, id: i64) -> ServiceResult<()>;
    /// Sets a new password and ends every session of the account.
    async fn set_account_password(
        &self,
        ctx: &AuditContext,
        id: i64,
        password_hash: &str,
    ) -> ServiceResult<()>;

    /// Stores a session.
    async fn create_account_session(&self, s: &AccountSession) -> ServiceResult<()>;
    /// The session with this hash and its account, if it is live at `now`
    /// and the account active.
    async fn account_session(
        &self,
        id_hash: &str,
        now: Timestamp,
    ) -> ServiceResult<Option<(AccountSession, Account)>>;
    /// Ends a session; absent is fine.
    async fn delete_account_session(&self, id_hash: &str) -> ServiceResult<()>;

    /// Keeps a code (replacing any earlier one for the same contact and
    /// purpose) and queues `message`, which carries it, in one transaction.
    async fn put_code(
        &self,
        code: &NewCode,
        message: &NewMessage,
        now: Timestamp,
    ) -> ServiceResult<()>;
    /// Queues a message to a contact with no code (the note to an owner
    /// that someone tried to register with their contact).
    async fn queue_contact_message(
        &self,
        message: &NewMessage,
        now: Timestamp,
    ) -> ServiceResult<()>;
    /// The dossiers an account submitted, newest first (at most `limit`).
    async fn account_dossiers(
        &self,
        account_id: i64,
        limit: u32,
    ) -> ServiceResult<Vec<PublicStatus>>;
    /// One dossier by code if this account submitted it; none otherwise
    /// (another's dossier and a missing one look the same).
    async fn account_dossier(
        &self,
        account_id: i64,
        code: &str,
    ) -> ServiceResult<Option<PublicStatus>>;
    /// The id of a dossier this account submitted, by code; none otherwise.
    async fn account_dossier_id(&self, account_id: i64, code: &str) -> ServiceResult<Option<i64>>;
    /// The account an identity provider's subject is linked to, if any.
    async fn account_by_identity(&self, subject: &str) -> ServiceResult<Option<Account>>;
    /// Links what an identity provider vouched for to an account (a subject
    /// linked elsewhere is `Conflict`); owning it proves the account's
    /// contact too.
    async fn link_identity(
        &self,
        ctx: &AuditContext,
        account_id: i64,
        identity: &VerifiedIdentity,
    ) -> ServiceResult<()>;
    /// Opens a payment attempt for a dossier, audited.
    async fn insert_payment(
        &self,
        ctx: &AuditContext,
        dossier_id: i64,
        reference: &str,
        amount_dong: i64,
    ) -> ServiceResult<()>;
    /// Settles a pending attempt with the gateway's answer, once, in one
    /// guarded statement.
    async fn settle_payment(
        &self,
        ctx: &AuditContext,
        reference: &str,
        transaction: &str,
        amount_dong: i64,
        paid: bool,
    ) -> ServiceResult<Settled>;
    /// A dossier's payment attempts, newest first.
    async fn dossier_payments(&self, dossier_id: i64) -> ServiceResult<Vec<Payment>>;
    /// Keeps a rating, once per dossier (a second is `Conflict`), with an
    /// audit entry.
    async fn insert_rating(&self, ctx: &AuditContext, r: &NewRating) -> ServiceResult<()>;
    /// Ratings given in `[from, to)`, summed per receiving unit.
    async fn ratings_by_unit(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> ServiceResult<Vec<(i64, motcua_domain::stats::satisfaction::Ratings)>>;
    /// The documents of an account's dossiers, newest first, one per
    /// content: what it handed in, and results of dossiers decided (done
    /// or returned).
    async fn account_documents(
        &self,
        account_id: i64,
        limit: u32,
    ) -> ServiceResult<Vec<StoredDocument>>;
    /// Keeps (or replaces) an account's unfinished application for a
    /// procedure.
    async fn put_draft(
        &self,
        account_id: i64,
        procedure: &str,
        body: &str,
        at: Timestamp,
    ) -> ServiceResult<()>;
    /// An account's unfinished application for a procedure.
    async fn draft(&self, account_id: i64, procedure: &str) -> ServiceResult<Option<String>>;
    /// Drops it (submitted, or given up).
    async fn delete_draft(&self, account_id: i64, procedure: &str) -> ServiceResult<()>;
    /// The procedures an account has unfinished applications for, newest
    /// first.
    async fn account_drafts(&self, account_id: i64) -> ServiceResult<Vec<(String, Timestamp)>>;
    /// Dossiers received in `[from, to)`, per receiving unit, with what
    /// the portal adds ([`PortalCounts`]).
    async fn portal_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> ServiceResult<Vec<(i64, PortalCounts)>>;
    /// Checks a code in one guarded statement: the right hash of a live
    /// code with fewer than `max_attempts` wrong tries uses it up; a wrong
    /// one counts a try.
    async fn check_code(
        &self,
        contact: &Contact,
        purpose: CodePurpose,
        code_hash: &str,
        now: Timestamp,
        max_attempts: u32,
    ) -> ServiceResult<CodeCheck>;
}
