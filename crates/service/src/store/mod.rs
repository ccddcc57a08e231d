//! The storage port, split by area. `motcua-storage` implements every trait
//! here once for SQLite and once for PostgreSQL; the contract suite in
//! `motcua-testkit` runs the same cases against both.
//!
//! Every method that changes data takes an [`AuditContext`] and appends the
//! audit entry in the same database transaction as the change, so no change
//! can exist without its trail.

mod access;
mod applicants;
mod catalog;
mod dashboard;
mod dossier;
mod feedback;
mod history;
mod model;
mod payments;
mod stats;
mod templates;

pub use access::*;
pub use applicants::*;
pub use catalog::*;
pub use dashboard::*;
pub use dossier::*;
pub use feedback::*;
pub use history::*;
pub use model::*;
pub use payments::*;
pub use stats::*;
pub use templates::*;

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_domain::audit::StoredEntry;
use motcua_domain::role::Role;
use motcua_domain::unit::UnitCode;

use crate::error::ServiceResult;

/// Connection health and schema state, for `/readyz` and `motcua migrate`.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Which database this is (`sqlite` or `postgres`), for logs and metrics.
    fn backend(&self) -> &'static str;
    /// Applies pending migrations; several nodes may call this at once.
    async fn migrate(&self) -> ServiceResult<MigrationReport>;
    /// Answers when the database is reachable and every known migration is applied.
    async fn readiness(&self) -> ServiceResult<Readiness>;
}

/// Units of the organisation tree.
#[async_trait]
pub trait UnitStore: Send + Sync {
    /// Adds a unit. A duplicate code is `Conflict`; an unknown parent is `Invalid` on `parent_id`.
    async fn insert_unit(&self, ctx: &AuditContext, unit: &NewUnit) -> ServiceResult<Unit>;
    /// Adds units in one transaction, in order, each parent named by code
    /// among the units before it or in the database (`parent_id` of each
    /// unit is ignored). Any failure adds none.
    async fn insert_units(
        &self,
        ctx: &AuditContext,
        units: &[NewUnitUnder],
    ) -> ServiceResult<Vec<Unit>>;
    /// Whether some user holds the system administrator's role.
    async fn system_admin_exists(&self) -> ServiceResult<bool>;
    /// A unit by id, or `NotFound`.
    async fn unit_by_id(&self, id: i64) -> ServiceResult<Unit>;
    /// A unit by its official code, or `NotFound`.
    async fn unit_by_code(&self, code: &UnitCode) -> ServiceResult<Unit>;
    /// All units ordered by code. Unit trees hold thousands of rows, not millions.
    async fn list_units(&self) -> ServiceResult<Vec<Unit>>;
    /// How many units there are (a list asks on every page whether the
    /// actor sees them all; counting is cheaper than reading them).
    async fn unit_count(&self) -> ServiceResult<usize>;
    /// Ids of the unit and everything below it, the unit first.
    async fn subtree_ids(&self, root: i64) -> ServiceResult<Vec<i64>>;
}

/// People, their passwords and their role grants.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Adds a user. A duplicate user name is `Conflict`.
    async fn insert_user(&self, ctx: &AuditContext, user: &NewUser) -> ServiceResult<User>;
    /// A user by name (exact, case-sensitive as stored lower-case), or `NotFound`.
    async fn user_by_username(&self, username: &str) -> ServiceResult<User>;
    /// A user by id, or `NotFound`.
    async fn user_by_id(&self, id: i64) -> ServiceResult<User>;
    /// Users in user-name order, a page after `after` (keyset), at most `limit`.
    async fn list_users(&self, after: Option<&str>, limit: u32) -> ServiceResult<Vec<User>>;
    /// Users in user-name order whose every grant lies on one of `units`
    /// and who hold no `system_admin` grant (people without grants too): the
    /// accounts a unit administrator manages. A page after `after`.
    async fn list_users_within(
        &self,
        units: &[i64],
        after: Option<&str>,
        limit: u32,
    ) -> ServiceResult<Vec<User>>;
    /// Enables or disables sign-in for a user, or `NotFound`.
    async fn set_user_active(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        active: bool,
    ) -> ServiceResult<()>;
    /// Replaces a user's password hash, or `NotFound`; in the same
    /// transaction every session of the user ends and every live API token
    /// of theirs is revoked (at `ctx.at`), so no way of acting as them
    /// outlives the old password, whoever set the new one.
    async fn set_password_hash(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        hash: &str,
    ) -> ServiceResult<()>;
    /// Grants a role on a unit. The same grant twice is `Conflict`; an unknown
    /// user or unit is `NotFound`.
    async fn grant_role(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<RoleGrant>;
    /// Revokes a grant, or `NotFound` if there is none.
    async fn revoke_role(
        &self,
        ctx: &AuditContext,
        user_id: i64,
        role: Role,
        unit_id: i64,
    ) -> ServiceResult<()>;
    /// The grants a user holds.
    async fn roles_of(&self, user_id: i64) -> ServiceResult<Vec<RoleGrant>>;
    /// A user's grants in `roles_of`'s order, each with the ids of the units
    /// it covers (its unit and every unit below, as `subtree_ids` lists
    /// them), in one read: every signed-in request needs them. `NotFound`
    /// for an unknown user.
    async fn grant_scopes(&self, user_id: i64) -> ServiceResult<Vec<(RoleGrant, Vec<i64>)>>;
}

/// Administrators' calendar corrections and units' office hours.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Sets the status of a date, for every unit (`unit_id` none) or one unit,
    /// replacing an earlier override for the same date and scope.
    async fn put_calendar_override(
        &self,
        ctx: &AuditContext,
        o: &CalendarOverride,
    ) -> ServiceResult<()>;
    /// Removes an override, or `NotFound`.
    async fn delete_calendar_override(
        &self,
        ctx: &AuditContext,
        unit_id: Option<i64>,
        date: Date,
    ) -> ServiceResult<()>;
    /// Overrides between two dates inclusive: the global ones, and the unit's
    /// own when a unit is given. Ordered by date, global before unit.
    async fn calendar_overrides(
        &self,
        unit_id: Option<i64>,
        from: Date,
        to: Date,
    ) -> ServiceResult<Vec<CalendarOverride>>;
    /// Sets a unit's office hours from a date, replacing a row with the same start.
    async fn put_office_hours(&self, ctx: &AuditContext, row: &OfficeHoursRow)
    -> ServiceResult<()>;
    /// A unit's office-hour rows ordered by start date.
    async fn office_hours(&self, unit_id: i64) -> ServiceResult<Vec<OfficeHoursRow>>;
    /// A number that moves, in the changing transaction, with every change
    /// to what a calendar is built from (corrections, office hours,
    /// settings): a node's cached calendars are current while it stays.
    async fn calendar_revision(&self) -> ServiceResult<i64>;
}

/// Settings by scope (`global`, `unit:<id>`, `procedure:<id>`).
#[async_trait]
pub trait SettingStore: Send + Sync {
    /// A setting's value, if set.
    async fn get_setting(&self, scope: &str, key: &str)
    -> ServiceResult<Option<serde_json::Value>>;
    /// Sets a setting.
    async fn put_setting(
        &self,
        ctx: &AuditContext,
        scope: &str,
        key: &str,
        value: &serde_json::Value,
    ) -> ServiceResult<()>;
}

/// The append-only, hash-chained audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry for an event that changes nothing else (a refused
    /// access, a login), with the chain kept under concurrent writers.
    async fn append_audit(
        &self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> ServiceResult<StoredEntry>;
    /// Entries with `seq > after`, in order, at most `limit`.
    async fn audit_entries(&self, after: i64, limit: u32) -> ServiceResult<Vec<StoredEntry>>;
}

/// Everything storage offers; what `Arc<dyn Store>` hands to the use cases.
pub trait Store:
    AdminStore
    + UnitStore
    + UnitHistoryStore
    + UserStore
    + AccessStore
    + CalendarStore
    + SettingStore
    + AuditStore
    + CatalogStore
    + DossierStore
    + OutboxStore
    + IdempotencyStore
    + ApplicantStore
    + FeedbackStore
    + PaymentStore
    + TemplateStore
    + DashboardStore
    + StatsStore
{
}

impl<T> Store for T where
    T: AdminStore
        + UnitStore
        + UnitHistoryStore
        + UserStore
        + AccessStore
        + CalendarStore
        + SettingStore
        + AuditStore
        + CatalogStore
        + DossierStore
        + OutboxStore
        + IdempotencyStore
        + ApplicantStore
        + FeedbackStore
        + PaymentStore
        + TemplateStore
        + DashboardStore
        + StatsStore
{
}
