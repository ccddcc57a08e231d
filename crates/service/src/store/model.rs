//! Records that cross the storage port.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use serde::Serialize;

/// Who makes a change and when it is recorded; every write carries one so the
/// audit entry is written in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// A user name, `system`, or `cli` for the command line.
    pub actor: String,
    /// The moment recorded for the change.
    pub at: Timestamp,
}

/// The outcome of `migrate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationReport {
    /// Migrations applied by this call.
    pub applied_now: u32,
    /// Migrations applied in total.
    pub total: u32,
}

/// The state `/readyz` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Migrations known to this binary.
    pub expected_migrations: u32,
    /// Migrations applied in the database.
    pub applied_migrations: u32,
    /// Why this node cannot write now (disk full, read-only file system,
    /// a stuck writer, the last write failing for a fault of the server);
    /// `None` when it can.
    pub write_problem: Option<String>,
}

impl Readiness {
    /// Ready when the database has every migration this binary knows and
    /// this node can write to it.
    pub fn is_ready(&self) -> bool {
        self.applied_migrations >= self.expected_migrations && self.write_problem.is_none()
    }
}

/// A unit of the organisation tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// Database id.
    pub id: i64,
    /// Official agency code.
    pub code: UnitCode,
    /// Official name in Vietnamese, NFC.
    pub name: String,
    /// Kind of body.
    pub kind: UnitKind,
    /// Administrative level.
    pub level: Level,
    /// Parent unit, none for a root.
    pub parent_id: Option<i64>,
    /// First day the unit exists.
    pub valid_from: Date,
    /// Last day the unit exists, none while it does.
    pub valid_to: Option<Date>,
}

/// A unit to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// Official agency code, unique.
    pub code: UnitCode,
    /// Official name.
    pub name: String,
    /// Kind of body.
    pub kind: UnitKind,
    /// Administrative level.
    pub level: Level,
    /// Parent unit id.
    pub parent_id: Option<i64>,
    /// First day.
    pub valid_from: Date,
    /// Last day.
    pub valid_to: Option<Date>,
}

/// A unit to add whose parent is named by its code, so that a tree can be
/// added in one call (`unit.parent_id` is not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnitUnder {
    /// The unit.
    pub unit: NewUnit,
    /// The parent's code: a unit earlier in the same call or in the database.
    pub parent: Option<UnitCode>,
}

/// A person who signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Login name, lower-case, unique.
    pub username: String,
    /// Full name in Vietnamese.
    pub full_name: String,
    /// E-mail for notifications.
    pub email: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether the account may sign in.
    pub active: bool,
    /// When the account was created.
    pub created_at: Timestamp,
}

/// A user to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Login name, lower-case, unique.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A role held on a unit (and so on its subtree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    /// Database id.
    pub id: i64,
    /// Holder.
    pub user_id: i64,
    /// Role.
    pub role: Role,
    /// Unit whose subtree the role covers.
    pub unit_id: i64,
    /// When it was granted.
    pub granted_at: Timestamp,
}

/// An administrator's correction of one date's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarOverride {
    /// The unit it applies to; none for every unit.
    pub unit_id: Option<i64>,
    /// The date.
    pub date: Date,
    /// Whether offices work that day.
    pub working: bool,
    /// Why (shown in the calendar and the CSV), in Vietnamese.
    pub reason: String,
}

/// A unit's office hours from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficeHoursRow {
    /// The unit.
    pub unit_id: i64,
    /// First day these hours apply.
    pub valid_from: Date,
    /// Last day, none while in force.
    pub valid_to: Option<Date>,
    /// Sessions as (open, close) pairs in order, e.g. 07:00–11:30 and 13:30–17:00.
    pub sessions: Vec<(Time, Time)>,
}
