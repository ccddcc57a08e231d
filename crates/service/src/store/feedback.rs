//! The feedback port (phản ánh, kiến nghị; migration 0017): feedback sent on
//! the portal, its handling and the likes and dislikes of published
//! answers.

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::feedback::{Action, Category, Status};

use super::AuditContext;
use crate::error::ServiceResult;

/// A feedback to keep, checked by the service.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    /// The unit it is sent to.
    pub unit_id: i64,
    /// The sender's account.
    pub account_id: i64,
    /// The sender's dossier it is about, if any.
    pub dossier_id: Option<i64>,
    /// What it is about.
    pub category: Category,
    /// A short title.
    pub title: String,
    /// What the sender writes.
    pub content: String,
    /// Whether the sender agrees that the answer be published.
    pub consent_publish: bool,
    /// The sender's earlier feedback on the same matter, if any.
    pub repeat_of: Option<i64>,
    /// When it arrived.
    pub received_at: Timestamp,
    /// When the first decision is due.
    pub due: Timestamp,
}

/// A kept feedback with what its pages show.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedbackRecord {
    /// Row id.
    pub id: i64,
    /// Its public code (`PA-2026-000012`).
    pub code: String,
    /// The unit it was sent to.
    pub unit_id: i64,
    /// That unit's code.
    pub unit_code: String,
    /// That unit's name.
    pub unit_name: String,
    /// The sender's account.
    pub account_id: i64,
    /// The linked dossier's id and code.
    pub dossier: Option<(i64, String)>,
    /// What it is about.
    pub category: Category,
    /// Its title.
    pub title: String,
    /// What the sender wrote.
    pub content: String,
    /// Whether the answer may be published.
    pub consent_publish: bool,
    /// Where it stands.
    pub status: Status,
    /// The earlier feedback it repeats.
    pub repeat_of: Option<i64>,
    /// When it arrived.
    pub received_at: Timestamp,
    /// When the stage now open is due (none while the sender is asked for
    /// more, or once handling ended).
    pub due: Option<Timestamp>,
    /// The first due that was missed.
    pub late_at: Option<Timestamp>,
    /// When it was accepted or refused.
    pub decided_at: Option<Timestamp>,
    /// When it was answered.
    pub answered_at: Option<Timestamp>,
    /// When the answer was published.
    pub published_at: Option<Timestamp>,
    /// Who was given it to answer.
    pub handler_user_id: Option<i64>,
    /// The unit's note: why it was refused, or what the sender must add.
    pub note: Option<String>,
    /// What the sender added.
    pub supplement: Option<String>,
    /// The answer.
    pub answer: Option<String>,
    /// Bumped by every change, so that two changes cannot cross.
    pub revision: i64,
    /// Likes of the published answer.
    pub likes: i64,
    /// Dislikes of the published answer.
    pub dislikes: i64,
}

/// A change to a feedback, written only if it is still at `revision`.
#[derive(Debug, Clone)]
pub struct FeedbackChange {
    /// Which feedback.
    pub id: i64,
    /// The revision the change was decided on.
    pub revision: i64,
    /// What was done (for the audit trail).
    pub action: Action,
    /// The new status.
    pub status: Status,
    /// The next due.
    pub due: Option<Timestamp>,
    /// The first missed due.
    pub late_at: Option<Timestamp>,
    /// When it was decided.
    pub decided_at: Option<Timestamp>,
    /// When it was answered.
    pub answered_at: Option<Timestamp>,
    /// When it was published.
    pub published_at: Option<Timestamp>,
    /// Who answers it.
    pub handler_user_id: Option<i64>,
    /// The unit's note.
    pub note: Option<String>,
    /// The sender's supplement.
    pub supplement: Option<String>,
    /// The answer.
    pub answer: Option<String>,
    /// What to tell the sender, queued in the change's transaction.
    pub notice: Option<super::NewMessage>,
}

/// Whose feedback a list holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackScope {
    /// Sent to these units (a member of staff's).
    Units(Vec<i64>),
    /// Sent by this account.
    Account(i64),
    /// Published answers, for everyone.
    Published,
}

/// A page of feedback, newest first.
#[derive(Debug, Clone)]
pub struct FeedbackFilter {
    /// Whose.
    pub scope: FeedbackScope,
    /// Only in this status.
    pub status: Option<Status>,
    /// Only older than this id (the next page).
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

/// What the 766 figures need of one feedback received in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackFact {
    /// The unit it was sent to.
    pub unit_id: i64,
    /// Its category.
    pub category: Category,
    /// Not a repeat.
    pub first_time: bool,
    /// The earlier of the first missed due and the open stage's due: late
    /// as of any moment at or after it.
    pub late_from: Option<Timestamp>,
    /// Likes given before the period's end.
    pub likes: i64,
    /// Dislikes given before the period's end.
    pub dislikes: i64,
}

/// Feedback and its handling. Every change is audited under
/// `feedback:<id>`.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Keeps a new feedback and gives it its code, in one transaction.
    async fn insert_feedback(
        &self,
        ctx: &AuditContext,
        f: &NewFeedback,
    ) -> ServiceResult<FeedbackRecord>;
    /// One feedback by code, or `NotFound`.
    async fn feedback_by_code(&self, code: &str) -> ServiceResult<FeedbackRecord>;
    /// The account's first feedback to the unit on the same matter (the same
    /// dossier, or the same title when no dossier is named), if any.
    async fn first_feedback_on(
        &self,
        account_id: i64,
        unit_id: i64,
        dossier_id: Option<i64>,
        title: &str,
    ) -> ServiceResult<Option<i64>>;
    /// How many feedbacks the account sent since `since`.
    async fn feedback_sent_since(&self, account_id: i64, since: Timestamp) -> ServiceResult<i64>;
    /// Writes a change (and queues its notice) if the feedback is still at
    /// the change's revision; `Conflict` when someone changed it first.
    async fn update_feedback(&self, ctx: &AuditContext, c: &FeedbackChange) -> ServiceResult<()>;
    /// A page of feedback.
    async fn list_feedback(&self, f: &FeedbackFilter) -> ServiceResult<Vec<FeedbackRecord>>;
    /// The account likes (or dislikes) a feedback's answer; a second vote
    /// replaces the first.
    async fn vote_feedback(
        &self,
        ctx: &AuditContext,
        feedback_id: i64,
        account_id: i64,
        liked: bool,
    ) -> ServiceResult<()>;
    /// What the figures need of every feedback received in `[from, to)`,
    /// with the votes given before `to`.
    async fn feedback_facts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> ServiceResult<Vec<FeedbackFact>>;
}
