//! What each change records in the audit log: the action verbs, subjects and
//! details, the same on both databases so `motcua audit` reads one vocabulary.
//!
//! Subjects name things the way people look them up (`unit:000.21.30.H99`,
//! `user:lan.nguyen`), not by database id. Details never hold secrets: a
//! password change records that it happened, not the hash.

use motcua_service::store::{AuditContext, CalendarOverride, NewUnit, NewUser, OfficeHoursRow};
use serde_json::{Value, json};

use crate::convert::{day_text, sessions_value};

pub use crate::catalog::audit::*;

/// A unit was added.
pub const UNIT_CREATE: &str = "unit.create";
/// A user was added.
pub const USER_CREATE: &str = "user.create";
/// A user's password hash was replaced.
pub const USER_PASSWORD_SET: &str = "user.password_set";
/// A role was granted on a unit.
pub const ROLE_GRANT: &str = "role.grant";
/// A role grant was removed.
pub const ROLE_REVOKE: &str = "role.revoke";
/// A calendar override was set or replaced.
pub const CALENDAR_OVERRIDE_PUT: &str = "calendar.override_put";
/// A calendar override was removed.
pub const CALENDAR_OVERRIDE_DELETE: &str = "calendar.override_delete";
/// A unit's office hours were set or replaced.
pub const OFFICE_HOURS_PUT: &str = "office_hours.put";
/// A setting was set.
pub const SETTING_PUT: &str = "setting.put";
/// A user was allowed or barred from signing in (`detail.active`).
pub const USER_ACTIVE_SET: &str = "user.active_set";
/// An API token was created (subject: its owner; never the secret or its hash).
pub const TOKEN_CREATE: &str = "token.create";
/// An API token was revoked.
pub const TOKEN_REVOKE: &str = "token.revoke";
/// A unit got a new name and/or code from a date.
pub const UNIT_RENAME: &str = "unit.rename";
/// A unit got a new parent (and possibly level) from a date.
pub const UNIT_MOVE: &str = "unit.move";
/// A unit ended without a successor.
pub const UNIT_ABOLISH: &str = "unit.abolish";
/// Units ended and an existing or new unit carries on their work.
pub const UNIT_MERGE: &str = "unit.merge";
/// A unit ended and new units carry on its work.
pub const UNIT_SPLIT: &str = "unit.split";

/// `unit:<code>`.
pub fn unit_subject(code: &str) -> String {
    format!("unit:{code}")
}

/// `user:<username>`.
pub fn user_subject(username: &str) -> String {
    format!("user:{username}")
}

/// `calendar:global` for every unit, otherwise the unit's subject.
pub fn calendar_subject(unit_code: Option<&str>) -> String {
    unit_code.map_or_else(|| "calendar:global".to_owned(), unit_subject)
}

/// `setting:<scope>:<key>`.
pub fn setting_subject(scope: &str, key: &str) -> String {
    format!("setting:{scope}:{key}")
}

pub(crate) fn unit_detail(id: i64, u: &NewUnit) -> Value {
    json!({
        "id": id,
        "code": u.code.as_str(),
        "name": u.name,
        "kind": u.kind.as_str(),
        "level": u.level.as_str(),
        "parent_id": u.parent_id,
        "valid_from": day_text(u.valid_from),
        "valid_to": u.valid_to.map(day_text),
    })
}

pub(crate) fn user_detail(id: i64, u: &NewUser) -> Value {
    json!({ "id": id, "full_name": u.full_name, "email": u.email })
}

pub(crate) fn token_detail(id: i64, name: &str) -> Value {
    json!({ "id": id, "name": name })
}

pub(crate) fn active_detail(active: bool) -> Value {
    json!({ "active": active })
}

pub(crate) fn grant_detail(role: &str, unit_id: i64, unit_code: &str) -> Value {
    json!({ "role": role, "unit_id": unit_id, "unit_code": unit_code })
}

pub(crate) fn override_detail(o: &CalendarOverride) -> Value {
    json!({
        "unit_id": o.unit_id,
        "date": day_text(o.date),
        "working": o.working,
        "reason": o.reason,
    })
}

pub(crate) fn override_delete_detail(unit_id: Option<i64>, date: jiff::civil::Date) -> Value {
    json!({ "unit_id": unit_id, "date": day_text(date) })
}

pub(crate) fn office_hours_detail(row: &OfficeHoursRow) -> Value {
    json!({
        "unit_id": row.unit_id,
        "valid_from": day_text(row.valid_from),
        "valid_to": row.valid_to.map(day_text),
        "sessions": sessions_value(&row.sessions),
    })
}

pub(crate) fn setting_detail(value: &Value) -> Value {
    json!({ "value": value })
}

/// The actor is who the entry blames, so it must name someone.
pub(crate) fn check_context(ctx: &AuditContext) -> motcua_service::error::ServiceResult<()> {
    if ctx.actor.trim().is_empty() {
        return Err(motcua_service::ServiceError::invalid(
            "actor",
            "an audited change needs an actor",
        ));
    }
    Ok(())
}
