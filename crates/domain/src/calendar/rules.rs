//! The statutory holidays of a year and the compensatory days they give.
//!
//! Labour Code 2019, Art. 112(1): New Year's Day (1/1), Tết (5 days),
//! Reunification Day (30/4), Labour Day (1/5), National Day (2/9 and one
//! adjacent day) and the Hùng Kings' Commemoration (10/3 lunar). The list has
//! effective years, following the codes that set it:
//!
//! - Tết was four days under the Labour Code 1994 and five from 2013
//!   (Labour Code 2012, Art. 115);
//! - the Hùng Kings' Commemoration became a paid holiday in 2007 (the 2007
//!   amendment of the Labour Code 1994);
//! - National Day gained its adjacent day in 2021 (Labour Code 2019);
//! - Vietnam Culture Day (24 November, Resolution 80-NQ/TW of January 2026)
//!   applies from a year the administrator sets, since the date it binds
//!   public offices depends on the amended law or the government's notice.
//!
//! Years before 1995 use the oldest list modelled here, and every year has
//! the two-day weekend public offices have kept since October 1999; no
//! dossier handled by motcua predates either.
//!
//! Until the government announces a year (see `official`), the exact Tết days
//! and the National Day adjacent day follow the defaults of domain.md §6:
//! Tết runs from the last day of the old lunar year, and the adjacent day is
//! the one that bridges to a weekend, else 1 September. A holiday on a
//! Saturday or Sunday gives a compensatory day off (nghỉ bù) on the next
//! working day (Art. 111(3)); several stack onto successive working days.

use jiff::civil::{Date, Weekday};

use super::DayKind;
use crate::error::DomainError;
use crate::lunar::{self, LunarDate};

/// A day off that the rules give: a holiday or a compensatory day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleDay {
    pub(crate) date: Date,
    pub(crate) kind: DayKind,
    pub(crate) reason: String,
}

/// Whether a date is a weekly rest day of public offices.
pub(crate) fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Vietnamese name of a weekday, as the interface writes it.
pub(crate) fn weekday_name(date: Date) -> &'static str {
    match date.weekday() {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ nhật",
    }
}

/// The weekday's name inside a sentence: `thứ Bảy`, `Chủ nhật`.
fn weekday_name_inline(date: Date) -> String {
    let name = weekday_name(date);
    match name.strip_prefix("Thứ") {
        Some(rest) => format!("thứ{rest}"),
        None => name.to_owned(),
    }
}

const NEW_YEAR: &str = "Tết Dương lịch";
const TET: &str = "Tết Nguyên đán";
const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
const REUNIFICATION: &str = "Ngày Chiến thắng";
const LABOUR_DAY: &str = "Ngày Quốc tế Lao động";
const NATIONAL_DAY: &str = "Quốc khánh";
const CULTURE_DAY: &str = "Ngày Văn hóa Việt Nam";

/// The statutory holidays of `year`, one entry per date (two holidays on one
/// date share it), in date order, followed by no compensatory days.
fn statutory(year: i16, culture_day_from: Option<i16>) -> Result<Vec<(Date, String)>, DomainError> {
    let day = |month: i8, day: i8| {
        Date::new(year, month, day)
            .map_err(|e| DomainError::invalid("date", format!("{year}-{month}-{day}: {e}")))
    };
    let mut days: Vec<(Date, &str)> = vec![(day(1, 1)?, NEW_YEAR)];

    let tet = lunar::tet(year)?;
    let tet_days = if year >= 2013 { 5 } else { 4 };
    // From the last day of the old lunar year (the day before Tết).
    for offset in -1..tet_days - 1 {
        days.push((shift(tet, offset)?, TET));
    }
    if year >= 2007 {
        days.push((
            lunar::lunar_to_solar(LunarDate::new(year, 3, 10))?,
            HUNG_KINGS,
        ));
    }
    days.push((day(4, 30)?, REUNIFICATION));
    days.push((day(5, 1)?, LABOUR_DAY));
    days.push((day(9, 2)?, NATIONAL_DAY));
    if year >= 2021 {
        days.push((national_day_adjacent(year)?, NATIONAL_DAY));
    }
    if culture_day_from.is_some_and(|from| year >= from) {
        days.push((day(11, 24)?, CULTURE_DAY));
    }

    days.sort_by_key(|(date, _)| *date);
    let mut merged: Vec<(Date, String)> = Vec::with_capacity(days.len());
    for (date, name) in days {
        match merged.last_mut() {
            Some((last, names)) if *last == date => {
                if !names.split("; ").any(|n| n == name) {
                    names.push_str("; ");
                    names.push_str(name);
                }
            }
            _ => merged.push((date, name.to_owned())),
        }
    }
    Ok(merged)
}

/// The default National Day adjacent day: the one of 1 and 3 September that
/// is a weekday next to a weekend (making a long weekend), else the weekday
/// one when the other falls on a weekend, else 1 September.
fn national_day_adjacent(year: i16) -> Result<Date, DomainError> {
    let before = Date::new(year, 9, 1)
        .map_err(|e| DomainError::invalid("date", format!("{year}-09-01: {e}")))?;
    let after = Date::new(year, 9, 3)
        .map_err(|e| DomainError::invalid("date", format!("{year}-09-03: {e}")))?;
    let bridges = |d: Date| -> Result<bool, DomainError> {
        Ok(!is_weekend(d) && (is_weekend(shift(d, -1)?) || is_weekend(shift(d, 1)?)))
    };
    Ok(if bridges(before)? {
        before
    } else if bridges(after)? || (is_weekend(before) && !is_weekend(after)) {
        after
    } else {
        before
    })
}

/// The date `days` days after `date`.
pub(crate) fn shift(date: Date, days: i32) -> Result<Date, DomainError> {
    date.checked_add(jiff::Span::new().days(days))
        .map_err(|e| DomainError::invalid("date", format!("{date} + {days} days: {e}")))
}

/// The rule days off of `year`: statutory holidays, then for each holiday on
/// a weekend a compensatory day on the next weekday that is neither a holiday
/// nor already a compensatory day (Art. 111(3)). No holiday lies within a
/// month of 31 December, so compensatory days never cross into the next year.
pub(crate) fn days_off(
    year: i16,
    culture_day_from: Option<i16>,
) -> Result<Vec<RuleDay>, DomainError> {
    let holidays = statutory(year, culture_day_from)?;
    let mut out: Vec<RuleDay> = holidays
        .iter()
        .map(|(date, name)| RuleDay {
            date: *date,
            kind: DayKind::Holiday,
            reason: name.clone(),
        })
        .collect();
    let taken = |d: Date, out: &[RuleDay]| out.iter().any(|r| r.date == d);
    for (date, name) in holidays.iter().filter(|(d, _)| is_weekend(*d)) {
        let mut candidate = shift(*date, 1)?;
        while is_weekend(candidate) || taken(candidate, &out) {
            candidate = shift(candidate, 1)?;
        }
        out.push(RuleDay {
            date: candidate,
            kind: DayKind::Compensatory,
            reason: format!(
                "Nghỉ bù {name} ({} {})",
                weekday_name_inline(*date),
                date.strftime("%d/%m/%Y")
            ),
        });
    }
    out.sort_by_key(|r| r.date);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn off(year: i16) -> Vec<(Date, DayKind)> {
        days_off(year, None)
            .unwrap()
            .into_iter()
            .map(|r| (r.date, r.kind))
            .collect()
    }

    #[test]
    fn tet_2025_runs_from_the_last_day_of_giap_thin_by_default() {
        // Tết Ất Tỵ is Wednesday 29 January 2025; by the default rule the
        // five days are 28 January (29 Chạp) to 1 February (mùng 4), a
        // Saturday, which gives Monday 3 February as a compensatory day.
        let days = off(2025);
        let tet: Vec<_> = days
            .iter()
            .filter(|(d, _)| (date(2025, 1, 2)..=date(2025, 2, 28)).contains(d))
            .copied()
            .collect();
        assert_eq!(
            tet,
            vec![
                (date(2025, 1, 28), DayKind::Holiday),
                (date(2025, 1, 29), DayKind::Holiday),
                (date(2025, 1, 30), DayKind::Holiday),
                (date(2025, 1, 31), DayKind::Holiday),
                (date(2025, 2, 1), DayKind::Holiday),
                (date(2025, 2, 3), DayKind::Compensatory),
            ]
        );
    }

    #[test]
    fn weekend_holidays_stack_onto_successive_working_days() {
        // 2023: Hùng Kings' Day is Saturday 29 April, 30 April a Sunday and
        // 1 May a Monday: compensatory days Tuesday 2 and Wednesday 3 May.
        let days = off(2023);
        let spring: Vec<_> = days
            .iter()
            .filter(|(d, _)| (4..=5).contains(&d.month()))
            .copied()
            .collect();
        assert_eq!(
            spring,
            vec![
                (date(2023, 4, 29), DayKind::Holiday),
                (date(2023, 4, 30), DayKind::Holiday),
                (date(2023, 5, 1), DayKind::Holiday),
                (date(2023, 5, 2), DayKind::Compensatory),
                (date(2023, 5, 3), DayKind::Compensatory),
            ]
        );
    }

    #[test]
    fn national_day_adjacent_day_bridges_to_the_weekend() {
        // 2/9 weekday → expected adjacent day, worked out from the rule.
        let cases = [
            (2024, date(2024, 9, 3)), // Monday: 1/9 is a Sunday, take 3/9
            (2025, date(2025, 9, 1)), // Tuesday: Monday 1/9 bridges
            (2026, date(2026, 9, 1)), // Wednesday: neither bridges, 1/9
            (2021, date(2021, 9, 3)), // Thursday: Friday 3/9 bridges
            (2022, date(2022, 9, 1)), // Friday: 3/9 is a Saturday, 1/9
            (2023, date(2023, 9, 1)), // Saturday: Friday 1/9 bridges
            (2029, date(2029, 9, 3)), // Sunday: Monday 3/9 bridges
        ];
        for (year, want) in cases {
            assert_eq!(national_day_adjacent(year).unwrap(), want, "{year}");
        }
        // Before the Labour Code 2019, National Day was one day.
        assert!(!off(2020).iter().any(|(d, _)| *d == date(2020, 9, 1)));
    }

    #[test]
    fn holiday_list_follows_its_effective_years() {
        // Hùng Kings' Day 2006 (10/3 Bính Tuất = 7 April 2006) was not yet
        // a holiday; Tết 2012 was four days (22 to 25 January 2012).
        assert!(!off(2006).iter().any(|(d, _)| *d == date(2006, 4, 7)));
        assert!(off(2007).iter().any(|(d, _)| *d == date(2007, 4, 26)));
        let tet_2012: Vec<_> = off(2012)
            .into_iter()
            .filter(|(d, k)| d.month() == 1 && d.day() > 1 && *k == DayKind::Holiday)
            .map(|(d, _)| d.day())
            .collect();
        assert_eq!(tet_2012, vec![22, 23, 24, 25]);
    }

    #[test]
    fn culture_day_applies_only_from_its_year() {
        let culture = date(2027, 11, 24);
        let with = |from| {
            days_off(2027, from)
                .unwrap()
                .iter()
                .any(|r| r.date == culture)
        };
        assert!(!with(None));
        assert!(!with(Some(2028)));
        assert!(with(Some(2027)));
        // 24 November 2029 is a Saturday: Monday 26 November is off instead.
        let days = days_off(2029, Some(2026)).unwrap();
        let comp = days.iter().find(|r| r.date == date(2029, 11, 26)).unwrap();
        assert_eq!(comp.kind, DayKind::Compensatory);
        assert_eq!(
            comp.reason,
            "Nghỉ bù Ngày Văn hóa Việt Nam (thứ Bảy 24/11/2029)"
        );
    }
}
