//! Conversions between the port's records and the plain column values that
//! both databases store: instants as Unix milliseconds, civil dates as
//! `YYYY-MM-DD` text, enums as their `as_str` text, JSON as canonical text.
//! Rows are read as tuples so the same conversion serves both backends.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use motcua_domain::audit::{AuditFields, GENESIS_HASH, StoredEntry, entry_hash};
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, CalendarOverride, OfficeHoursRow, RoleGrant, Unit, User,
};

use crate::error::corrupt;

/// `id, code, name, kind, level, parent_id, valid_from, valid_to`.
pub(crate) type UnitRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
);

/// `id, username, full_name, email, password_hash, active, created_at_ms`.
pub(crate) type UserRow = (i64, String, String, Option<String>, String, bool, i64);

/// `id, user_id, role, unit_id, granted_at_ms`.
pub(crate) type GrantRow = (i64, i64, String, i64, i64);

/// `unit_id, day, working, reason`.
pub(crate) type OverrideRow = (Option<i64>, String, bool, String);

/// `unit_id, valid_from, valid_to, sessions`.
pub(crate) type OfficeHoursDbRow = (i64, String, Option<String>, String);

/// `seq, at_ms, actor, action, subject, detail, prev_hash, hash`.
pub(crate) type AuditRow = (i64, i64, String, String, String, String, String, String);

/// Milliseconds since the Unix epoch, the stored form of an instant.
pub(crate) fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// The instant as it will read back: whole milliseconds.
pub(crate) fn stored_instant(t: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t)
}

/// Reads a stored instant.
pub(crate) fn instant(ms: i64, column: &str) -> ServiceResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt(column, &ms.to_string(), e))
}

/// The stored form of a civil date, `YYYY-MM-DD`.
pub(crate) fn day_text(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

/// Reads a stored civil date.
pub(crate) fn day(s: &str, column: &str) -> ServiceResult<Date> {
    s.parse::<Date>().map_err(|e| corrupt(column, s, e))
}

fn opt_day(s: Option<&str>, column: &str) -> ServiceResult<Option<Date>> {
    s.map(|s| day(s, column)).transpose()
}

pub(crate) fn unit(r: UnitRow) -> ServiceResult<Unit> {
    let (id, code, name, kind, level, parent_id, valid_from, valid_to) = r;
    Ok(Unit {
        id,
        code: UnitCode::parse(&code).map_err(|e| corrupt("units.code", &code, e))?,
        name,
        kind: UnitKind::parse(&kind).map_err(|e| corrupt("units.kind", &kind, e))?,
        level: Level::parse(&level).map_err(|e| corrupt("units.level", &level, e))?,
        parent_id,
        valid_from: day(&valid_from, "units.valid_from")?,
        valid_to: opt_day(valid_to.as_deref(), "units.valid_to")?,
    })
}

pub(crate) fn user(r: UserRow) -> ServiceResult<User> {
    let (id, username, full_name, email, password_hash, active, created_at_ms) = r;
    Ok(User {
        id,
        username,
        full_name,
        email,
        password_hash,
        active,
        created_at: instant(created_at_ms, "users.created_at_ms")?,
    })
}

pub(crate) fn grant(r: GrantRow) -> ServiceResult<RoleGrant> {
    let (id, user_id, role, unit_id, granted_at_ms) = r;
    Ok(RoleGrant {
        id,
        user_id,
        role: Role::parse(&role).map_err(|e| corrupt("role_grants.role", &role, e))?,
        unit_id,
        granted_at: instant(granted_at_ms, "role_grants.granted_at_ms")?,
    })
}

pub(crate) fn calendar_override(r: OverrideRow) -> ServiceResult<CalendarOverride> {
    let (unit_id, d, working, reason) = r;
    Ok(CalendarOverride {
        unit_id,
        date: day(&d, "calendar_overrides.day")?,
        working,
        reason,
    })
}

pub(crate) fn office_hours(r: OfficeHoursDbRow) -> ServiceResult<OfficeHoursRow> {
    let (unit_id, valid_from, valid_to, sessions) = r;
    Ok(OfficeHoursRow {
        unit_id,
        valid_from: day(&valid_from, "office_hours.valid_from")?,
        valid_to: opt_day(valid_to.as_deref(), "office_hours.valid_to")?,
        sessions: sessions_from_json(&sessions)?,
    })
}

pub(crate) fn audit_entry(r: AuditRow) -> StoredEntry {
    let (seq, at_ms, actor, action, subject, detail, prev_hash, hash) = r;
    StoredEntry {
        seq,
        at_ms,
        actor,
        action,
        subject,
        detail,
        prev_hash,
        hash,
    }
}

/// `HH:MM`, or `HH:MM:SS` when the time has seconds, as people write office hours.
fn time_text(t: Time) -> String {
    if t.second() == 0 && t.subsec_nanosecond() == 0 {
        t.strftime("%H:%M").to_string()
    } else {
        t.strftime("%H:%M:%S").to_string()
    }
}

/// Sessions as a JSON value: `[["07:00","11:30"],["13:30","17:00"]]`.
pub(crate) fn sessions_value(sessions: &[(Time, Time)]) -> serde_json::Value {
    sessions
        .iter()
        .map(|(open, close)| serde_json::json!([time_text(*open), time_text(*close)]))
        .collect()
}

/// Sessions as the stored JSON text.
pub(crate) fn sessions_to_json(sessions: &[(Time, Time)]) -> String {
    sessions_value(sessions).to_string()
}

fn sessions_from_json(text: &str) -> ServiceResult<Vec<(Time, Time)>> {
    const COLUMN: &str = "office_hours.sessions";
    let pairs: Vec<(String, String)> =
        serde_json::from_str(text).map_err(|e| corrupt(COLUMN, text, e))?;
    let time = |s: &str| s.parse::<Time>().map_err(|e| corrupt(COLUMN, s, e));
    pairs
        .iter()
        .map(|(open, close)| Ok((time(open)?, time(close)?)))
        .collect()
}

/// Detail stored as canonical JSON text, the form the hash covers.
pub(crate) fn detail_text(detail: &serde_json::Value) -> ServiceResult<String> {
    serde_json::to_string(detail).map_err(|e| ServiceError::Internal(format!("audit detail: {e}")))
}

/// The entry that follows the chain head `(seq, hash)`, or the first entry.
pub(crate) fn next_entry(
    head: Option<(i64, String)>,
    ctx: &AuditContext,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> ServiceResult<StoredEntry> {
    let (prev_seq, prev_hash) = head.unwrap_or_else(|| (0, GENESIS_HASH.to_owned()));
    let detail = detail_text(detail)?;
    let seq = prev_seq + 1;
    let at_ms = millis(ctx.at);
    let hash = entry_hash(
        &prev_hash,
        &AuditFields {
            seq,
            at_ms,
            actor: &ctx.actor,
            action,
            subject,
            detail: &detail,
        },
    );
    Ok(StoredEntry {
        seq,
        at_ms,
        actor: ctx.actor.clone(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        detail,
        prev_hash,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_round_trip_through_the_documented_json() {
        let s = vec![
            (Time::constant(7, 0, 0, 0), Time::constant(11, 30, 0, 0)),
            (Time::constant(13, 30, 0, 0), Time::constant(17, 0, 15, 0)),
        ];
        let text = sessions_to_json(&s);
        assert_eq!(text, r#"[["07:00","11:30"],["13:30","17:00:15"]]"#);
        assert_eq!(sessions_from_json(&text).unwrap(), s);
    }

    #[test]
    fn dates_are_stored_as_iso_text() {
        let d = Date::constant(2025, 9, 2);
        assert_eq!(day_text(d), "2025-09-02");
        assert_eq!(day("2025-09-02", "t.c").unwrap(), d);
        assert!(day("02/09/2025", "t.c").is_err());
    }

    #[test]
    fn the_first_entry_links_to_genesis_and_the_next_to_its_head() {
        let ctx = AuditContext {
            actor: "admin".into(),
            at: Timestamp::from_millisecond(1_700_000_000_000).unwrap(),
        };
        let first = next_entry(None, &ctx, "a", "s", &serde_json::json!({"k": 1})).unwrap();
        assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS_HASH));
        assert_eq!(first.detail, r#"{"k":1}"#);
        let second = next_entry(
            Some((first.seq, first.hash.clone())),
            &ctx,
            "a",
            "s",
            &serde_json::Value::Null,
        )
        .unwrap();
        assert_eq!(second.seq, 2);
        let chain = [first, second];
        assert_eq!(motcua_domain::audit::verify_chain(&chain), Ok(2));
    }
}
