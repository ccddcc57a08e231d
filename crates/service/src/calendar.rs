//! Calendar use cases: the working calendar and office hours in force for a
//! unit, built from the national rules, the official schedules shipped with
//! motcua, and what administrators recorded in the database.

use jiff::civil::{Date, date};
use motcua_domain::calendar::{
    DayOverride, FIRST_YEAR, LAST_YEAR, OfficeHours, OfficeSchedule, WorkCalendar,
};

use crate::error::{ServiceError, ServiceResult};
use crate::store::{OfficeHoursRow, Store, Unit};

/// The global setting that switches on Vietnam Culture Day (24 November) as a
/// day off from a year on (Resolution 80-NQ/TW, 2026); unset means off.
pub const CULTURE_DAY_SETTING: &str = "calendar.culture_day_from";

/// A working calendar with the office hours that go with it.
#[derive(Debug, Clone)]
pub struct UnitCalendar {
    /// Days off and working days.
    pub calendar: WorkCalendar,
    /// Office sessions by date.
    pub hours: OfficeSchedule,
}

/// The national calendar with no database: rules plus official schedules and
/// the default office hours.
pub fn national() -> ServiceResult<UnitCalendar> {
    Ok(UnitCalendar {
        calendar: WorkCalendar::official()?,
        hours: OfficeSchedule::default(),
    })
}

/// The calendar for every unit (global corrections only), or for one unit
/// (global corrections, then the unit's own, which win; and its office hours).
pub async fn load(store: &dyn Store, unit: Option<&Unit>) -> ServiceResult<UnitCalendar> {
    let mut calendar = WorkCalendar::official()?;
    if let Some(v) = store.get_setting("global", CULTURE_DAY_SETTING).await? {
        let year = v
            .as_i64()
            .and_then(|y| i16::try_from(y).ok())
            .ok_or_else(|| {
                ServiceError::invalid(CULTURE_DAY_SETTING, format!("{v} is not a year"))
            })?;
        calendar = calendar.with_culture_day_from(Some(year));
    }
    let (first, last) = (date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31));
    let rows = store
        .calendar_overrides(unit.map(|u| u.id), first, last)
        .await?;
    // Global rows come before the unit's own, so the unit's win.
    calendar = calendar.with_overrides(rows.into_iter().map(|o| DayOverride {
        date: o.date,
        working: o.working,
        reason: o.reason,
    }));
    let hours = match unit {
        Some(u) => schedule(&store.office_hours(u.id).await?)?,
        None => OfficeSchedule::default(),
    };
    Ok(UnitCalendar { calendar, hours })
}

/// Office hours from stored rows; days outside every row keep the default.
fn schedule(rows: &[OfficeHoursRow]) -> ServiceResult<OfficeSchedule> {
    let mut s = OfficeSchedule::default();
    for r in rows {
        let hours = OfficeHours::new(r.sessions.clone())?;
        s = s.with_range(r.valid_from, r.valid_to, hours)?;
    }
    Ok(s)
}

/// Checks a date range for listing: ordered, within the calendar's years, and
/// at most `max_days` long so one request cannot ask for centuries.
pub fn check_range(from: Date, to: Date, max_days: i32) -> ServiceResult<()> {
    if to < from {
        return Err(ServiceError::invalid(
            "to",
            format!("{to} is before from {from}"),
        ));
    }
    for (field, d) in [("from", from), ("to", to)] {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
            return Err(ServiceError::invalid(
                field,
                format!("{d} is outside the calendar's years {FIRST_YEAR}–{LAST_YEAR}"),
            ));
        }
    }
    let days = (to - from).get_days();
    if days >= max_days {
        return Err(ServiceError::invalid(
            "to",
            format!(
                "the range spans {} days; at most {max_days} at a time",
                days + 1
            ),
        ));
    }
    Ok(())
}

/// Records an administrator's correction of a date, for every unit or one.
pub(crate) async fn set_day(
    store: &dyn Store,
    ctx: &crate::store::AuditContext,
    unit: Option<&Unit>,
    day: Date,
    working: bool,
    reason: &str,
) -> ServiceResult<()> {
    check_range(day, day, 1).map_err(|e| match e {
        ServiceError::Invalid { reason, .. } => ServiceError::invalid("date", reason),
        other => other,
    })?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "reason",
            "give a reason of 1 to 200 characters, e.g. the notice that decided it",
        ));
    }
    store
        .put_calendar_override(
            ctx,
            &crate::store::CalendarOverride {
                unit_id: unit.map(|u| u.id),
                date: day,
                working,
                reason: reason.to_owned(),
            },
        )
        .await
}

/// Removes a correction, so the date follows the rules and official schedule again.
pub(crate) async fn unset_day(
    store: &dyn Store,
    ctx: &crate::store::AuditContext,
    unit: Option<&Unit>,
    day: Date,
) -> ServiceResult<()> {
    store
        .delete_calendar_override(ctx, unit.map(|u| u.id), day)
        .await
}

/// Sets a unit's office hours from a date on (to a date, or open-ended).
pub(crate) async fn set_office_hours(
    store: &dyn Store,
    ctx: &crate::store::AuditContext,
    unit: &Unit,
    from: Date,
    to: Option<Date>,
    sessions: Vec<(jiff::civil::Time, jiff::civil::Time)>,
) -> ServiceResult<()> {
    if let Some(to) = to {
        check_range(from, to, 366 * 200)?;
    }
    OfficeHours::new(sessions.clone())?;
    store
        .put_office_hours(
            ctx,
            &OfficeHoursRow {
                unit_id: unit.id,
                valid_from: from,
                valid_to: to,
                sessions,
            },
        )
        .await
}

/// Parses sessions written as `07:00-11:30,13:30-17:00`.
pub fn parse_sessions(
    field: &'static str,
    text: &str,
) -> ServiceResult<Vec<(jiff::civil::Time, jiff::civil::Time)>> {
    let bad = || {
        ServiceError::invalid(
            field,
            format!(
                "'{}' is not a list of sessions such as 07:00-11:30,13:30-17:00",
                motcua_domain::error::shorten(text)
            ),
        )
    };
    text.split(',')
        .map(|part| {
            let (a, b) = part.trim().split_once('-').ok_or_else(bad)?;
            let a = a.trim().parse().map_err(|_| bad())?;
            let b = b.trim().parse().map_err(|_| bad())?;
            Ok((a, b))
        })
        .collect()
}

impl crate::services::Calendars<'_> {
    /// The calendar for every unit (global corrections only), or for one unit
    /// (global corrections, then the unit's own, which win; and its office hours).
    pub async fn load(&self, unit: Option<&Unit>) -> ServiceResult<UnitCalendar> {
        self::load(self.store(), unit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    #[test]
    fn sessions_parse_in_order_and_garbage_names_the_field() {
        assert_eq!(
            parse_sessions("sessions", "07:30-11:30, 13:00-17:00").unwrap(),
            vec![
                (time(7, 30, 0, 0), time(11, 30, 0, 0)),
                (time(13, 0, 0, 0), time(17, 0, 0, 0))
            ]
        );
        let e = parse_sessions("sessions", "7h-11h")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("sessions:"), "{e}");
    }

    #[test]
    fn ranges_must_be_ordered_bounded_and_inside_the_years() {
        assert!(check_range(date(2024, 1, 1), date(2024, 12, 31), 366).is_ok());
        assert!(check_range(date(2024, 1, 1), date(2025, 1, 1), 366).is_err());
        assert!(check_range(date(2024, 2, 1), date(2024, 1, 1), 366).is_err());
        assert!(check_range(date(1899, 12, 31), date(1900, 1, 1), 366).is_err());
    }
}
