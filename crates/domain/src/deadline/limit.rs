//! Legal time limits (thời hạn giải quyết) as procedures state them.

use std::fmt;
use std::str::FromStr;

use crate::error::{DomainError, shorten};

/// A procedure's (or a step's) time limit, in the units the catalogue uses
/// (domain.md §4): `working_days`, `calendar_days`, `working_hours`,
/// `months`, `same_day`, `none`.
///
/// Counted limits must be at least 1: a limit of zero working days is what
/// `same_day` says, and a positive length keeps the near-due threshold (a
/// share of the limit) meaningful. Values above ten years' worth
/// ([`TimeLimit::MAX_DAYS`], [`TimeLimit::MAX_HOURS`],
/// [`TimeLimit::MAX_MONTHS`]) are refused as data-entry errors. The variants
/// are public for matching; build values with [`TimeLimit::parse`] or the
/// checked constructors, and the engine re-checks any value it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TimeLimit {
    /// N working days of office time (ngày làm việc).
    WorkingDays(u32),
    /// N calendar days (ngày), the end moved off days off (Civil Code 2015,
    /// Art. 148).
    CalendarDays(u32),
    /// N hours of office time (giờ làm việc).
    WorkingHours(u32),
    /// N months (tháng), month ends clamped.
    Months(u32),
    /// By the close of the receipt's working day (trong ngày).
    SameDay,
    /// No limit: no due moment, excluded from on-time figures.
    NoLimit,
}

impl TimeLimit {
    /// The most working or calendar days accepted (about ten years).
    pub const MAX_DAYS: u32 = 3650;
    /// The most working hours accepted.
    pub const MAX_HOURS: u32 = 20_000;
    /// The most months accepted.
    pub const MAX_MONTHS: u32 = 120;

    /// `n` working days, checked.
    pub fn working_days(n: u32) -> Result<Self, DomainError> {
        Self::WorkingDays(n).validate()
    }

    /// `n` calendar days, checked.
    pub fn calendar_days(n: u32) -> Result<Self, DomainError> {
        Self::CalendarDays(n).validate()
    }

    /// `n` working hours, checked.
    pub fn working_hours(n: u32) -> Result<Self, DomainError> {
        Self::WorkingHours(n).validate()
    }

    /// `n` months, checked.
    pub fn months(n: u32) -> Result<Self, DomainError> {
        Self::Months(n).validate()
    }

    /// Returns the limit if its count lies in `1..=max` for its unit.
    pub fn validate(self) -> Result<Self, DomainError> {
        let (n, max, unit) = match self {
            Self::WorkingDays(n) => (n, Self::MAX_DAYS, "working_days"),
            Self::CalendarDays(n) => (n, Self::MAX_DAYS, "calendar_days"),
            Self::WorkingHours(n) => (n, Self::MAX_HOURS, "working_hours"),
            Self::Months(n) => (n, Self::MAX_MONTHS, "months"),
            Self::SameDay | Self::NoLimit => return Ok(self),
        };
        if n == 0 {
            return Err(DomainError::invalid(
                "time_limit",
                format!("0 {unit} is not a limit; use same_day for results due the day received"),
            ));
        }
        if n > max {
            return Err(DomainError::invalid(
                "time_limit",
                format!("{n} {unit} is more than the {max} allowed"),
            ));
        }
        Ok(self)
    }

    /// Parses `5 working_days`, `1 working_day`, `30 calendar_days`,
    /// `8 working_hours`, `3 months`, `same_day` or `none` (case and spaces
    /// around the words do not matter).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let text = input.trim().to_ascii_lowercase();
        let bad = || {
            DomainError::invalid(
                "time_limit",
                format!(
                    "'{}' is not a time limit; use e.g. '5 working_days', '30 calendar_days', \
                     '8 working_hours', '3 months', 'same_day' or 'none'",
                    shorten(input)
                ),
            )
        };
        match text.as_str() {
            "same_day" => return Ok(Self::SameDay),
            "none" => return Ok(Self::NoLimit),
            _ => {}
        }
        let mut words = text.split_whitespace();
        let (Some(count), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let n: u32 = count.parse().map_err(|_| bad())?;
        let limit = match unit {
            "working_days" | "working_day" => Self::WorkingDays(n),
            "calendar_days" | "calendar_day" => Self::CalendarDays(n),
            "working_hours" | "working_hour" => Self::WorkingHours(n),
            "months" | "month" => Self::Months(n),
            _ => return Err(bad()),
        };
        limit.validate()
    }
}

impl fmt::Display for TimeLimit {
    /// The form [`TimeLimit::parse`] reads: `5 working_days`, `same_day`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WorkingDays(n) => write!(f, "{n} working_days"),
            Self::CalendarDays(n) => write!(f, "{n} calendar_days"),
            Self::WorkingHours(n) => write!(f, "{n} working_hours"),
            Self::Months(n) => write!(f, "{n} months"),
            Self::SameDay => f.write_str("same_day"),
            Self::NoLimit => f.write_str("none"),
        }
    }
}

impl FromStr for TimeLimit {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for TimeLimit {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TimeLimit> for String {
    fn from(limit: TimeLimit) -> Self {
        limit.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_and_print_the_same_text() {
        for text in [
            "5 working_days",
            "30 calendar_days",
            "8 working_hours",
            "3 months",
            "same_day",
            "none",
        ] {
            assert_eq!(TimeLimit::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            TimeLimit::parse(" 1 Working_Day ").unwrap(),
            TimeLimit::WorkingDays(1)
        );
        let json = serde_json::to_string(&TimeLimit::WorkingDays(5)).unwrap();
        assert_eq!(json, "\"5 working_days\"");
        let back: TimeLimit = serde_json::from_str(&json).unwrap();
        assert_eq!(back, TimeLimit::WorkingDays(5));
    }

    #[test]
    fn absurd_limits_are_refused() {
        for text in [
            "0 working_days",
            "3651 calendar_days",
            "20001 working_hours",
            "121 months",
            "-1 working_days",
            "5 days",
            "5",
            "5 working_days extra",
            "",
            "99999999999 months",
        ] {
            let e = TimeLimit::parse(text).unwrap_err().to_string();
            assert!(e.starts_with("time_limit:"), "{text}: {e}");
        }
        assert!(TimeLimit::working_days(3650).is_ok());
        assert!(
            TimeLimit::months(0)
                .unwrap_err()
                .to_string()
                .contains("same_day")
        );
        assert!(serde_json::from_str::<TimeLimit>("\"0 months\"").is_err());
    }
}
