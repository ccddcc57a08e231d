//! Office time: the clock that deadlines run on.

use std::cmp::{max, min};

use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Span};

use super::limit::TimeLimit;
use crate::calendar::{OfficeSchedule, WorkCalendar};
use crate::error::DomainError;

/// A unit's working days and office hours together: the moments when the
/// deadline clock runs. All moments are local civil times in Vietnam.
///
/// Session ends are included: a due moment may be exactly 17:00. A receipt
/// at a session end is treated as received at the next opening.
#[derive(Debug, Clone, Copy)]
pub struct WorkTime<'a> {
    calendar: &'a WorkCalendar,
    schedule: &'a OfficeSchedule,
}

impl<'a> WorkTime<'a> {
    /// Combines a calendar and a unit's office schedule.
    pub fn new(calendar: &'a WorkCalendar, schedule: &'a OfficeSchedule) -> Self {
        Self { calendar, schedule }
    }

    /// The working-day calendar.
    pub fn calendar(&self) -> &'a WorkCalendar {
        self.calendar
    }

    /// The office schedule.
    pub fn schedule(&self) -> &'a OfficeSchedule {
        self.schedule
    }

    /// The sessions on a date: none on a day off.
    fn sessions(&self, date: Date) -> Result<&'a [(Time, Time)], DomainError> {
        if self.calendar.is_working(date)? {
            Ok(self.schedule.hours_on(date).sessions())
        } else {
            Ok(&[])
        }
    }

    /// Whether a moment lies in office time (a session, ends included, on a
    /// working day).
    pub fn is_office_time(&self, at: DateTime) -> Result<bool, DomainError> {
        let t = at.time();
        Ok(self
            .sessions(at.date())?
            .iter()
            .any(|&(start, end)| start <= t && t <= end))
    }

    /// Where the clock starts for a moment (domain.md §6): the moment itself
    /// inside a session; the next opening when outside office time or on a
    /// day off (a desk open on Saturday morning still starts the clock on
    /// Monday); and with a late-day `cutoff` (per procedure and unit), a
    /// moment after the cut-off on a working day counts from the next
    /// working day's opening.
    pub fn normalize(&self, at: DateTime, cutoff: Option<Time>) -> Result<DateTime, DomainError> {
        let (date, t) = (at.date(), at.time());
        let late = cutoff.is_some_and(|c| t > c);
        if !late {
            for &(start, end) in self.sessions(date)? {
                if t < start {
                    return Ok(date.to_datetime(start));
                }
                if t < end {
                    return Ok(at);
                }
            }
        }
        let next = self.calendar.next_working_day(date)?;
        Ok(next.to_datetime(self.schedule.hours_on(next).opening()))
    }

    /// The earliest moment at or after `from` by which `duration` of office
    /// time has passed; a zero duration gives the first moment in office
    /// time. Negative durations are refused.
    pub fn add_office_time(
        &self,
        from: DateTime,
        duration: SignedDuration,
    ) -> Result<DateTime, DomainError> {
        if duration.is_negative() {
            return Err(DomainError::invalid(
                "office_time",
                format!("cannot add a negative duration ({duration})"),
            ));
        }
        let mut remaining = duration;
        let (mut date, mut t) = (from.date(), from.time());
        loop {
            for &(start, end) in self.sessions(date)? {
                if t > end {
                    continue;
                }
                let start = max(t, start);
                let available = end.duration_since(start);
                if remaining <= available {
                    let at = start
                        .checked_add(remaining)
                        .map_err(|e| DomainError::invalid("office_time", e.to_string()))?;
                    return Ok(date.to_datetime(at));
                }
                remaining = remaining.saturating_sub(available);
            }
            date = next_day(date)?;
            t = Time::midnight();
        }
    }

    /// The latest moment at or before `from` with `duration` of office time
    /// between it and `from`: where a dossier due at `from` becomes near due
    /// for a threshold of `duration`. A zero duration gives the last moment
    /// in office time at or before `from`. Negative durations are refused.
    pub fn sub_office_time(
        &self,
        from: DateTime,
        duration: SignedDuration,
    ) -> Result<DateTime, DomainError> {
        if duration.is_negative() {
            return Err(DomainError::invalid(
                "office_time",
                format!("cannot subtract a negative duration ({duration})"),
            ));
        }
        let mut remaining = duration;
        let (mut date, mut t) = (from.date(), from.time());
        loop {
            for &(start, end) in self.sessions(date)?.iter().rev() {
                if t < start {
                    continue;
                }
                let end = min(t, end);
                let available = end.duration_since(start);
                if remaining <= available {
                    let at = end
                        .checked_sub(remaining)
                        .map_err(|e| DomainError::invalid("office_time", e.to_string()))?;
                    return Ok(date.to_datetime(at));
                }
                remaining = remaining.saturating_sub(available);
            }
            date = date
                .yesterday()
                .map_err(|e| DomainError::invalid("date", format!("before {date}: {e}")))?;
            t = Time::MAX;
        }
    }

    /// [`Self::add_office_time`] in whole minutes.
    pub fn add_office_minutes(
        &self,
        from: DateTime,
        minutes: i64,
    ) -> Result<DateTime, DomainError> {
        let duration = SignedDuration::try_from_mins(minutes).ok_or_else(|| {
            DomainError::invalid("office_time", format!("{minutes} minutes is out of range"))
        })?;
        self.add_office_time(from, duration)
    }

    /// The office time between two moments; negative when `b` is before `a`.
    pub fn office_time_between(
        &self,
        a: DateTime,
        b: DateTime,
    ) -> Result<SignedDuration, DomainError> {
        if b < a {
            return Ok(-self.office_time_between(b, a)?);
        }
        let mut total = SignedDuration::ZERO;
        let mut date = a.date();
        while date <= b.date() {
            for &(start, end) in self.sessions(date)? {
                let lo = if date == a.date() {
                    max(start, a.time())
                } else {
                    start
                };
                let hi = if date == b.date() {
                    min(end, b.time())
                } else {
                    end
                };
                if lo < hi {
                    total = total.saturating_add(hi.duration_since(lo));
                }
            }
            date = next_day(date)?;
        }
        Ok(total)
    }

    /// [`Self::office_time_between`] in whole minutes (truncated toward zero).
    pub fn office_minutes_between(&self, a: DateTime, b: DateTime) -> Result<i64, DomainError> {
        Ok(self.office_time_between(a, b)?.as_mins())
    }

    /// The due moment of a limit for a receipt (domain.md §6), or `None` for
    /// [`TimeLimit::NoLimit`]. The receipt is first normalised (see
    /// [`Self::normalize`]); then:
    ///
    /// - *N working days*: the same point of the office day N working days
    ///   later (received 09:00, 3 working days: 09:00 on the third working
    ///   day after); a receipt at the day's opening is due at the close of
    ///   the N-th working day counting the receipt's day as the first, the
    ///   same office time and the natural reading of "N days";
    /// - *N working hours*: the earliest moment after N hours of office time;
    /// - *same day*: the close of the receipt's working day;
    /// - *N calendar days / months*: added to the receipt (month ends
    ///   clamped), due at the close of office hours on that date, or on the
    ///   next working day when it is a day off. Civil Code 2015, Art. 148
    ///   ends a period counted in days at the end of its last day (cl. 1 and
    ///   6), or of the next working day when the last day is a day off
    ///   (cl. 5); office close stands in for midnight. domain.md §6 keeps the
    ///   receipt's clock time instead, but that breaks "a later receipt
    ///   never gives an earlier due": receipts at 07:01 and (normalised)
    ///   07:00 the next morning whose ends both fall on a weekend would be
    ///   due Monday 07:01 and 07:00.
    pub fn due_moment(
        &self,
        receipt: DateTime,
        limit: TimeLimit,
        cutoff: Option<Time>,
    ) -> Result<Option<DateTime>, DomainError> {
        let limit = limit.validate()?;
        if limit == TimeLimit::NoLimit {
            return Ok(None);
        }
        let r = self.normalize(receipt, cutoff)?;
        let due = match limit {
            TimeLimit::WorkingDays(n) => self.add_working_days(r, n)?,
            TimeLimit::WorkingHours(h) => {
                self.add_office_time(r, SignedDuration::from_hours(i64::from(h)))?
            }
            TimeLimit::SameDay => self.close_of(r.date()),
            TimeLimit::CalendarDays(n) => self.settle(add_span(r, Span::new().days(n))?)?,
            TimeLimit::Months(n) => self.settle(add_span(r, Span::new().months(n))?)?,
            TimeLimit::NoLimit => return Ok(None),
        };
        Ok(Some(due))
    }

    /// N working days after a normalised moment (see [`Self::due_moment`]).
    fn add_working_days(&self, r: DateTime, n: u32) -> Result<DateTime, DomainError> {
        if n == 0 {
            return Ok(r);
        }
        let elapsed = self.elapsed_on_day(r);
        if elapsed.is_zero() {
            let last = self.calendar.nth_working_day_after(r.date(), n - 1)?;
            return Ok(self.close_of(last));
        }
        let day = self.calendar.nth_working_day_after(r.date(), n)?;
        Ok(self.moment_with_elapsed(day, elapsed))
    }

    /// Office time on `at`'s day before `at`.
    fn elapsed_on_day(&self, at: DateTime) -> SignedDuration {
        let t = at.time();
        self.schedule
            .hours_on(at.date())
            .sessions()
            .iter()
            .filter(|&&(start, _)| start < t)
            .map(|&(start, end)| min(end, t).duration_since(start))
            .fold(SignedDuration::ZERO, |a, b| a.saturating_add(b))
    }

    /// The latest moment of a working day at which `elapsed` office time has
    /// passed since its opening (a session's start rather than the previous
    /// session's end), or its close if the day is shorter.
    fn moment_with_elapsed(&self, date: Date, elapsed: SignedDuration) -> DateTime {
        let sessions = self.schedule.hours_on(date).sessions();
        let mut left = elapsed;
        for &(start, end) in sessions {
            let length = end.duration_since(start);
            if left < length
                && let Ok(at) = start.checked_add(left)
            {
                return date.to_datetime(at);
            }
            left = left.saturating_sub(length);
        }
        self.close_of(date)
    }

    /// The close of a date's last session.
    fn close_of(&self, date: Date) -> DateTime {
        date.to_datetime(self.schedule.hours_on(date).closing())
    }

    /// The end of a period counted in calendar days or months: the close of
    /// its last day, or of the next working day when that day is off.
    fn settle(&self, end: DateTime) -> Result<DateTime, DomainError> {
        let date = self.calendar.working_day_on_or_after(end.date())?;
        Ok(self.close_of(date))
    }

    /// The default near-due threshold (domain.md §6, configurable per unit):
    /// the smaller of one working day of office time and a quarter of the
    /// limit's office time, the limit being measured from the normalised
    /// receipt `start` to the `due` moment.
    pub fn default_near_due_threshold(
        &self,
        start: DateTime,
        due: DateTime,
    ) -> Result<SignedDuration, DomainError> {
        let limit = self.office_time_between(start, due)?;
        let quarter = limit.checked_div(4).unwrap_or(SignedDuration::ZERO);
        let day = self.schedule.hours_on(due.date()).daily_total();
        Ok(min(day, quarter))
    }
}

fn next_day(date: Date) -> Result<Date, DomainError> {
    date.tomorrow()
        .map_err(|e| DomainError::invalid("date", format!("after {date}: {e}")))
}

fn add_span(at: DateTime, span: Span) -> Result<DateTime, DomainError> {
    at.checked_add(span)
        .map_err(|e| DomainError::invalid("due_moment", format!("{at} + {span}: {e}")))
}
