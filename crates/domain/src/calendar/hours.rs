//! Office hours: when the deadline clock runs on a working day.
//!
//! Public offices work a morning and an afternoon session; each unit sets its
//! own (domain.md §6, default 07:00–11:30 and 13:30–17:00), and may change
//! them for a period (summer hours, a move). Deadlines in working days and
//! hours count only time inside these sessions on working days.

use std::fmt;
use std::str::FromStr;

use jiff::SignedDuration;
use jiff::civil::{Date, Time};

use crate::error::{DomainError, shorten};

/// The most sessions a day may have; more is surely a data-entry error.
const MAX_SESSIONS: usize = 8;

/// A working day's sessions: at least one, each starting before it ends, in
/// order and not overlapping. A session `(start, end)` includes both ends:
/// a due moment may be exactly the closing time. Serialised as the text
/// [`OfficeHours::parse`] reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficeHours {
    sessions: Vec<(Time, Time)>,
}

impl OfficeHours {
    /// Validates sessions given in order.
    pub fn new(sessions: Vec<(Time, Time)>) -> Result<Self, DomainError> {
        let invalid = |reason: String| DomainError::invalid("office_hours", reason);
        if sessions.is_empty() {
            return Err(invalid("a working day needs at least one session".into()));
        }
        if sessions.len() > MAX_SESSIONS {
            return Err(invalid(format!(
                "{} sessions is more than the {MAX_SESSIONS} allowed",
                sessions.len()
            )));
        }
        for (i, &(start, end)) in sessions.iter().enumerate() {
            if start >= end {
                return Err(invalid(format!(
                    "session {} starts at {} but ends at {}",
                    i + 1,
                    hm(start),
                    hm(end)
                )));
            }
            if let Some(&(_, previous_end)) = i.checked_sub(1).and_then(|p| sessions.get(p))
                && start < previous_end
            {
                return Err(invalid(format!(
                    "session {} starts at {}, before the previous one ends at {}",
                    i + 1,
                    hm(start),
                    hm(previous_end)
                )));
            }
        }
        Ok(Self { sessions })
    }

    /// Parses `07:00-11:30,13:30-17:00` (sessions separated by commas).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                "office_hours",
                format!(
                    "'{}' is not a list of sessions such as 07:00-11:30,13:30-17:00",
                    shorten(input)
                ),
            )
        };
        let sessions = input
            .split(',')
            .map(|part| {
                let (start, end) = part.trim().split_once('-').ok_or_else(bad)?;
                let start: Time = start.trim().parse().map_err(|_| bad())?;
                let end: Time = end.trim().parse().map_err(|_| bad())?;
                Ok((start, end))
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Self::new(sessions)
    }

    /// The sessions, in order.
    pub fn sessions(&self) -> &[(Time, Time)] {
        &self.sessions
    }

    /// When the first session opens.
    pub fn opening(&self) -> Time {
        self.sessions.first().map_or(Time::midnight(), |s| s.0)
    }

    /// When the last session closes.
    pub fn closing(&self) -> Time {
        self.sessions.last().map_or(Time::midnight(), |s| s.1)
    }

    /// The office time of one full working day (8 hours by default).
    pub fn daily_total(&self) -> SignedDuration {
        self.sessions
            .iter()
            .map(|&(start, end)| end.duration_since(start))
            .fold(SignedDuration::ZERO, |a, b| a.saturating_add(b))
    }
}

impl Default for OfficeHours {
    /// 07:00–11:30 and 13:30–17:00.
    fn default() -> Self {
        Self {
            sessions: vec![
                (Time::constant(7, 0, 0, 0), Time::constant(11, 30, 0, 0)),
                (Time::constant(13, 30, 0, 0), Time::constant(17, 0, 0, 0)),
            ],
        }
    }
}

impl fmt::Display for OfficeHours {
    /// `07:00-11:30,13:30-17:00`, the form [`OfficeHours::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(start, end)) in self.sessions.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}-{}", hm(start), hm(end))?;
        }
        Ok(())
    }
}

impl TryFrom<String> for OfficeHours {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<OfficeHours> for String {
    fn from(hours: OfficeHours) -> Self {
        hours.to_string()
    }
}

impl FromStr for OfficeHours {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn hm(t: Time) -> String {
    if t.second() == 0 && t.subsec_nanosecond() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        t.to_string()
    }
}

/// A unit's office hours over time: a default, and date ranges with other
/// hours. When ranges overlap, the one added last wins.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficeSchedule {
    default: OfficeHours,
    ranges: Vec<(Date, Option<Date>, OfficeHours)>,
}

impl OfficeSchedule {
    /// The same hours every working day.
    pub fn uniform(hours: OfficeHours) -> Self {
        Self {
            default: hours,
            ranges: Vec::new(),
        }
    }

    /// Other hours from `from` to `to` inclusive (open-ended when `to` is
    /// `None`). Refuses a range that ends before it starts.
    pub fn with_range(
        mut self,
        from: Date,
        to: Option<Date>,
        hours: OfficeHours,
    ) -> Result<Self, DomainError> {
        if let Some(to) = to
            && to < from
        {
            return Err(DomainError::invalid(
                "office_hours",
                format!("the range {from} to {to} ends before it starts"),
            ));
        }
        self.ranges.push((from, to, hours));
        Ok(self)
    }

    /// The hours that apply on a date.
    pub fn hours_on(&self, date: Date) -> &OfficeHours {
        self.ranges
            .iter()
            .rev()
            .find(|(from, to, _)| *from <= date && to.is_none_or(|to| date <= to))
            .map_or(&self.default, |(_, _, hours)| hours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn default_hours_make_an_eight_hour_day() {
        let hours = OfficeHours::default();
        // 4 h 30 in the morning and 3 h 30 in the afternoon.
        assert_eq!(hours.daily_total(), SignedDuration::from_hours(8));
        assert_eq!(hours.to_string(), "07:00-11:30,13:30-17:00");
        assert_eq!(
            OfficeHours::parse("07:00-11:30, 13:30-17:00").unwrap(),
            hours
        );
    }

    #[test]
    fn invalid_sessions_are_refused() {
        let t = |h, m| time(h, m, 0, 0);
        assert!(OfficeHours::new(vec![]).is_err());
        assert!(OfficeHours::new(vec![(t(11, 0), t(7, 0))]).is_err());
        assert!(OfficeHours::new(vec![(t(7, 0), t(7, 0))]).is_err());
        let overlap = OfficeHours::new(vec![(t(7, 0), t(12, 0)), (t(11, 0), t(17, 0))]);
        assert!(
            overlap
                .unwrap_err()
                .to_string()
                .contains("before the previous one ends")
        );
        assert!(OfficeHours::new(vec![(t(7, 0), t(8, 0)); 9]).is_err());
        assert!(OfficeHours::parse("7h-11h").is_err());
        assert!(OfficeHours::parse("").is_err());
    }

    #[test]
    fn later_ranges_win() {
        let summer = OfficeHours::parse("06:30-11:00,13:00-16:30").unwrap();
        let short = OfficeHours::parse("08:00-12:00").unwrap();
        let schedule = OfficeSchedule::uniform(OfficeHours::default())
            .with_range(date(2025, 5, 1), Some(date(2025, 9, 30)), summer.clone())
            .unwrap()
            .with_range(date(2025, 9, 1), None, short.clone())
            .unwrap();
        assert_eq!(
            schedule.hours_on(date(2025, 4, 30)),
            &OfficeHours::default()
        );
        assert_eq!(schedule.hours_on(date(2025, 5, 1)), &summer);
        assert_eq!(schedule.hours_on(date(2025, 9, 1)), &short);
        assert_eq!(schedule.hours_on(date(2030, 1, 1)), &short);
        let reversed =
            OfficeSchedule::default().with_range(date(2025, 2, 1), Some(date(2025, 1, 1)), short);
        assert!(reversed.is_err());
    }
}
