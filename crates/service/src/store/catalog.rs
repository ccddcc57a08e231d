//! Port records and traits for the procedure catalog (domain.md §4).

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::catalog::{OnlineLevel, ProcedureCode, ProcedureDraft};
use motcua_domain::deadline::TimeLimit;
use motcua_domain::role::Role;
use motcua_domain::search::SearchHit;
use motcua_domain::unit::Level;
use serde::Serialize;

use super::AuditContext;
use crate::error::ServiceResult;

/// One version of a procedure as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureVersion {
    /// The procedure (stable across versions).
    pub procedure_id: i64,
    /// This version's row.
    pub version_id: i64,
    /// 1, 2, … per procedure.
    pub version_no: u32,
    /// Everything the version says; `effective_from` is its first day.
    pub draft: ProcedureDraft,
    /// Last day, none while current.
    pub effective_to: Option<Date>,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// Filters for listing procedures; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFilter {
    /// Versions in force on this date (default: each procedure's latest version).
    pub on: Option<Date>,
    /// Handled at this level.
    pub level: Option<Level>,
    /// In this field (exact name).
    pub field: Option<String>,
    /// Offered online at this level.
    pub online_level: Option<OnlineLevel>,
    /// Assigned to one of these units (empty: any).
    pub unit_ids: Vec<i64>,
}

/// Keyset pagination by procedure code: a page starts after `after`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodePage {
    /// Last code of the previous page.
    pub after: Option<String>,
    /// At most this many (1 to 500).
    pub limit: u32,
}

/// What an import did, for its report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Codes that were new.
    pub created: u32,
    /// Codes that got a new version.
    pub versioned: u32,
    /// Codes whose content was identical to their latest version.
    pub unchanged: u32,
}

/// A step of an internal process (quy trình nội bộ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessStep {
    /// What is done ("Thẩm định hồ sơ").
    pub name: String,
    /// The unit responsible for the step.
    pub unit_id: i64,
    /// The role that holds it.
    pub role: Role,
    /// Allotted time: `WorkingHours` or `WorkingDays`.
    pub allotted: TimeLimit,
    /// Whether the step belongs to another agency (liên thông).
    pub external: bool,
}

/// An approved internal process for a procedure at a unit, versioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Process {
    /// Database id.
    pub id: i64,
    /// The procedure.
    pub procedure_id: i64,
    /// The procedure code, for display.
    pub procedure_code: ProcedureCode,
    /// The unit whose process this is.
    pub unit_id: i64,
    /// 1, 2, … per (procedure, unit).
    pub version_no: u32,
    /// Approving decision ("Quyết định số 123/QĐ-UBND ngày …").
    pub decision: String,
    /// First day in force.
    pub effective_from: Date,
    /// Steps in order.
    pub steps: Vec<ProcessStep>,
}

/// A process to add (its version number follows the latest for the pair).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProcess {
    /// The procedure.
    pub procedure_code: ProcedureCode,
    /// The unit.
    pub unit_id: i64,
    /// Approving decision.
    pub decision: String,
    /// First day in force.
    pub effective_from: Date,
    /// Steps in order (already checked against the legal limit by the service).
    pub steps: Vec<ProcessStep>,
}

/// One reviewed procedure (rà soát): the limit before and after, with the
/// decision that approved the cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Database id.
    pub id: i64,
    /// The unit that reviewed.
    pub unit_id: i64,
    /// The procedure reviewed.
    pub procedure_code: ProcedureCode,
    /// Review year (the figures' year).
    pub year: i16,
    /// Limit before.
    pub limit_before: TimeLimit,
    /// Limit after.
    pub limit_after: TimeLimit,
    /// Components removed by the review.
    pub components_removed: u32,
    /// Approving decision.
    pub decision: String,
    /// Date the cut takes effect.
    pub effective: Date,
}

/// A review to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    /// The unit that reviewed.
    pub unit_id: i64,
    /// The procedure.
    pub procedure_code: ProcedureCode,
    /// Year.
    pub year: i16,
    /// Limit before.
    pub limit_before: TimeLimit,
    /// Limit after.
    pub limit_after: TimeLimit,
    /// Components removed.
    pub components_removed: u32,
    /// Decision.
    pub decision: String,
    /// Effective date.
    pub effective: Date,
}

/// Catalog counts for one level: the Đô Lương article's "261 district
/// procedures, 111 full-process online, 150 partial".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    /// The level of the units procedures are assigned to.
    pub level: Level,
    /// Distinct procedures in force and assigned at this level.
    pub procedures: u32,
    /// Of which full-process online.
    pub full_process: u32,
    /// Of which partial online.
    pub partial: u32,
    /// Of which not online.
    pub not_online: u32,
    /// Of which with a fee above zero.
    pub with_fee: u32,
    /// Internal processes in force at units of this level.
    pub processes: u32,
}

/// The procedure catalog.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Adds a procedure with its first version. A code that exists is `Conflict`.
    async fn insert_procedure(
        &self,
        ctx: &AuditContext,
        draft: &ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion>;
    /// Adds a version to an existing procedure (`NotFound` otherwise). Its
    /// `effective_from` must be after the latest version's (`Invalid` on
    /// `effective_from`); the latest version then ends the day before.
    async fn add_procedure_version(
        &self,
        ctx: &AuditContext,
        draft: &ProcedureDraft,
    ) -> ServiceResult<ProcedureVersion>;
    /// Imports drafts all-or-nothing in one transaction: a new code is
    /// inserted, a changed one versioned, an identical one left alone. Any
    /// refusal rolls everything back and names the draft's index in `field`
    /// (`rows[3].effective_from`). `assignments` pairs a draft's index with a
    /// unit it is assigned to, in the same transaction, so a file's column U
    /// is all-or-nothing with the rest.
    async fn import_procedures(
        &self,
        ctx: &AuditContext,
        drafts: &[ProcedureDraft],
        assignments: &[(usize, i64)],
    ) -> ServiceResult<ImportOutcome>;
    /// The version in force on a date (default: the latest), or `NotFound`.
    async fn procedure(
        &self,
        code: &ProcedureCode,
        on: Option<Date>,
    ) -> ServiceResult<ProcedureVersion>;
    /// Every version of a procedure, oldest first.
    async fn procedure_versions(
        &self,
        code: &ProcedureCode,
    ) -> ServiceResult<Vec<ProcedureVersion>>;
    /// A page of procedures in code order.
    async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        page: &CodePage,
    ) -> ServiceResult<Vec<ProcedureVersion>>;
    /// Ranked Vietnamese search over current versions (see
    /// `motcua_domain::search`): the same answers on every backend.
    async fn search_procedures(
        &self,
        query: &str,
        filter: &ProcedureFilter,
        limit: u32,
    ) -> ServiceResult<Vec<SearchHit>>;

    /// Assigns a procedure to a unit that handles it (idempotent).
    async fn assign_procedure(
        &self,
        ctx: &AuditContext,
        code: &ProcedureCode,
        unit_id: i64,
    ) -> ServiceResult<()>;
    /// Removes an assignment, or `NotFound`.
    async fn unassign_procedure(
        &self,
        ctx: &AuditContext,
        code: &ProcedureCode,
        unit_id: i64,
    ) -> ServiceResult<()>;
    /// Units a procedure is assigned to.
    async fn procedure_units(&self, code: &ProcedureCode) -> ServiceResult<Vec<i64>>;

    /// Adds a process version.
    async fn insert_process(&self, ctx: &AuditContext, p: &NewProcess) -> ServiceResult<Process>;
    /// Processes in force on a date (latest version per procedure and unit)
    /// at the given units (empty: all), ordered by procedure code then unit.
    async fn processes(&self, unit_ids: &[i64], on: Date) -> ServiceResult<Vec<Process>>;

    /// Adds a review item.
    async fn insert_review(&self, ctx: &AuditContext, r: &NewReview) -> ServiceResult<Review>;
    /// Review items of the given units (empty: all) in a year (none: all years).
    async fn reviews(&self, unit_ids: &[i64], year: Option<i16>) -> ServiceResult<Vec<Review>>;

    /// Catalog counts by level for procedures assigned within the units on a date.
    async fn catalog_counts(&self, unit_ids: &[i64], on: Date) -> ServiceResult<Vec<LevelCounts>>;
}
