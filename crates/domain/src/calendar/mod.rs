//! The working-day calendar of public offices (domain.md §6).
//!
//! Three layers decide whether a date is a working day, each overriding the
//! one before it date by date:
//!
//! 1. **rules**: Saturdays and Sundays off; the statutory holidays of the
//!    Labour Code (Art. 112) with their effective years; compensatory days
//!    for holidays on a weekend (Art. 111(3));
//! 2. **official schedules**: the government's yearly notices (exact Tết
//!    days, the National Day adjacent day, day swaps), shipped as data;
//! 3. **overrides**: administrators' corrections, global ones then a unit's
//!    own, applied in order so the later wins.
//!
//! A [`WorkCalendar`] builds each year's table once, on first use, and shares
//! it between clones and threads.

mod hours;
mod official;
mod rules;

use std::fmt;
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;

pub use hours::{OfficeHours, OfficeSchedule};
pub use official::{OFFICIAL_CSV, OfficialDay, official_days, parse_official_csv};

use crate::error::DomainError;
pub use crate::lunar::{FIRST_YEAR, LAST_YEAR};

/// An administrator's correction of one date (from the database). It beats
/// the official schedule and the rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayOverride {
    /// The local date corrected.
    pub date: Date,
    /// Whether offices work that day.
    pub working: bool,
    /// Why, in Vietnamese; shown with the day.
    pub reason: String,
}

/// Why a day is a working day or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary working day.
    Workday,
    /// Saturday or Sunday (nghỉ hằng tuần).
    Weekend,
    /// A statutory holiday by the rules (ngày lễ, Tết).
    Holiday,
    /// A compensatory day off for a holiday on a weekend (nghỉ bù).
    Compensatory,
    /// A day given by the official schedule file; its reason says which kind
    /// (holiday, compensatory day, swap, a working Saturday).
    Official,
    /// An administrator's override.
    Override,
}

/// The status of one date: whether offices work, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayStatus {
    /// The local date.
    pub date: Date,
    /// Whether offices work that day.
    pub working: bool,
    /// Which layer decided, and how.
    pub kind: DayKind,
    /// Vietnamese text naming the weekend day, holiday, swap or correction
    /// (`Thứ Bảy`, `Tết Nguyên đán`, `Nghỉ bù ...`); empty on an ordinary
    /// working day.
    pub reason: String,
}

/// The working-day calendar: rules, official schedules and overrides.
///
/// Cloning is cheap (one reference count) and clones share the per-year
/// cache; the type is `Send + Sync`.
#[derive(Clone)]
pub struct WorkCalendar {
    inner: Arc<Inner>,
}

struct Inner {
    official: Vec<OfficialDay>,
    overrides: Vec<DayOverride>,
    culture_day_from: Option<i16>,
    years: Vec<OnceLock<Result<Vec<DayStatus>, DomainError>>>,
}

impl Inner {
    fn new(
        official: Vec<OfficialDay>,
        overrides: Vec<DayOverride>,
        culture_day_from: Option<i16>,
    ) -> Self {
        let count = usize::try_from(LAST_YEAR - FIRST_YEAR + 1).unwrap_or(0);
        Self {
            official,
            overrides,
            culture_day_from,
            years: (0..count).map(|_| OnceLock::new()).collect(),
        }
    }
}

impl fmt::Debug for WorkCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkCalendar")
            .field("official_days", &self.inner.official.len())
            .field("overrides", &self.inner.overrides.len())
            .field("culture_day_from", &self.inner.culture_day_from)
            .finish()
    }
}

impl WorkCalendar {
    /// The rules plus the official schedules shipped with motcua. Fails only
    /// if the embedded file is malformed, which a unit test rules out.
    pub fn official() -> Result<Self, DomainError> {
        Ok(Self::rules_only().with_official(official_days()?))
    }

    /// The rules alone: weekends, statutory holidays with their default
    /// days, and compensatory days.
    pub fn rules_only() -> Self {
        Self {
            inner: Arc::new(Inner::new(Vec::new(), Vec::new(), None)),
        }
    }

    /// Adds official schedule rows (later rows for the same date win).
    pub fn with_official(self, days: impl IntoIterator<Item = OfficialDay>) -> Self {
        let mut official = self.inner.official.clone();
        official.extend(days);
        Self {
            inner: Arc::new(Inner::new(
                official,
                self.inner.overrides.clone(),
                self.inner.culture_day_from,
            )),
        }
    }

    /// Adds administrators' overrides after any already present; for one
    /// date the last one wins, so pass global ones before a unit's own.
    pub fn with_overrides(self, overrides: impl IntoIterator<Item = DayOverride>) -> Self {
        let mut all = self.inner.overrides.clone();
        all.extend(overrides);
        Self {
            inner: Arc::new(Inner::new(
                self.inner.official.clone(),
                all,
                self.inner.culture_day_from,
            )),
        }
    }

    /// Makes Vietnam Culture Day (24 November, Resolution 80-NQ/TW) a
    /// holiday from the given year on; `None` (the default) leaves it a
    /// working day.
    pub fn with_culture_day_from(self, year: Option<i16>) -> Self {
        Self {
            inner: Arc::new(Inner::new(
                self.inner.official.clone(),
                self.inner.overrides.clone(),
                year,
            )),
        }
    }

    /// The year from which Vietnam Culture Day is a holiday, if switched on.
    pub fn culture_day_from(&self) -> Option<i16> {
        self.inner.culture_day_from
    }

    /// The status of a date. Dates outside 1900–2100 are an error.
    pub fn status(&self, date: Date) -> Result<DayStatus, DomainError> {
        let days = self.year(date.year())?;
        let index = usize::try_from(date.day_of_year() - 1).unwrap_or(usize::MAX);
        days.get(index).cloned().ok_or_else(|| {
            DomainError::invalid("date", format!("{date} is not in its year's table"))
        })
    }

    /// Whether offices work on a date.
    pub fn is_working(&self, date: Date) -> Result<bool, DomainError> {
        let days = self.year(date.year())?;
        let index = usize::try_from(date.day_of_year() - 1).unwrap_or(usize::MAX);
        days.get(index).map(|d| d.working).ok_or_else(|| {
            DomainError::invalid("date", format!("{date} is not in its year's table"))
        })
    }

    /// Every day of a year, in order.
    pub fn year_statuses(&self, year: i16) -> Result<Vec<DayStatus>, DomainError> {
        Ok(self.year(year)?.to_vec())
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: Date) -> Result<Date, DomainError> {
        self.working_day_on_or_after(rules::shift(date, 1)?)
    }

    /// `date` if it is a working day, else the next working day.
    pub fn working_day_on_or_after(&self, date: Date) -> Result<Date, DomainError> {
        let mut day = date;
        while !self.is_working(day)? {
            day = rules::shift(day, 1)?;
        }
        Ok(day)
    }

    /// The last working day strictly before `date`.
    pub fn previous_working_day(&self, date: Date) -> Result<Date, DomainError> {
        let mut day = rules::shift(date, -1)?;
        while !self.is_working(day)? {
            day = rules::shift(day, -1)?;
        }
        Ok(day)
    }

    /// The `n`-th working day after `date` (`n = 0` gives `date` itself
    /// whether or not it is a working day), e.g. a report due on the 5th
    /// working day after a period.
    pub fn nth_working_day_after(&self, date: Date, n: u32) -> Result<Date, DomainError> {
        let mut day = date;
        for _ in 0..n {
            day = self.next_working_day(day)?;
        }
        Ok(day)
    }

    /// How many working days fall after `from` up to and including `to`
    /// (0 when `to` is not after `from`): how late a dossier due on `from`
    /// is on `to`, counted as the limits are, in working days. At most
    /// `cap`, so a dossier forgotten for years costs no more than that.
    pub fn working_days_after(&self, from: Date, to: Date, cap: u32) -> Result<u32, DomainError> {
        let mut n = 0;
        let mut day = from;
        while n < cap {
            day = rules::shift(day, 1)?;
            if day > to {
                break;
            }
            if self.is_working(day)? {
                n += 1;
            }
        }
        Ok(n)
    }

    fn year(&self, year: i16) -> Result<&[DayStatus], DomainError> {
        let index = year
            .checked_sub(FIRST_YEAR)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.inner.years.get(i))
            .ok_or_else(|| {
                DomainError::invalid(
                    "date",
                    format!(
                        "year {year} is outside the calendar's range {FIRST_YEAR}..={LAST_YEAR}"
                    ),
                )
            })?;
        match index.get_or_init(|| self.build_year(year)) {
            Ok(days) => Ok(days),
            Err(e) => Err(e.clone()),
        }
    }

    fn build_year(&self, year: i16) -> Result<Vec<DayStatus>, DomainError> {
        let first = Date::new(year, 1, 1)
            .map_err(|e| DomainError::invalid("date", format!("{year}-01-01: {e}")))?;
        let mut days: Vec<DayStatus> = first
            .series(jiff::Span::new().days(1))
            .take_while(|d| d.year() == year)
            .map(|date| {
                let weekend = rules::is_weekend(date);
                DayStatus {
                    date,
                    working: !weekend,
                    kind: if weekend {
                        DayKind::Weekend
                    } else {
                        DayKind::Workday
                    },
                    reason: if weekend {
                        rules::weekday_name(date).to_owned()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let mut set = |date: Date, working: bool, kind: DayKind, reason: &str| {
            if date.year() != year {
                return;
            }
            let index = usize::try_from(date.day_of_year() - 1).unwrap_or(usize::MAX);
            if let Some(day) = days.get_mut(index) {
                *day = DayStatus {
                    date,
                    working,
                    kind,
                    reason: reason.to_owned(),
                };
            }
        };
        for day in rules::days_off(year, self.inner.culture_day_from)? {
            set(day.date, false, day.kind, &day.reason);
        }
        for day in self.inner.official.iter().filter(|d| d.date.year() == year) {
            set(day.date, day.working, DayKind::Official, &day.reason);
        }
        for day in self
            .inner
            .overrides
            .iter()
            .filter(|d| d.date.year() == year)
        {
            set(day.date, day.working, DayKind::Override, &day.reason);
        }
        Ok(days)
    }
}

#[cfg(test)]
mod tests;
