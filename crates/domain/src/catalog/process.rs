//! Internal processes (quy trình nội bộ): the approved steps a unit follows for
//! a procedure, each with an allotted time, which together must fit within
//! the procedure's legal time limit (domain.md §4).
//!
//! Steps are timed in working hours or working days because the deadline
//! engine schedules them on office time (domain.md §6). To compare their sum
//! with the legal limit, everything is counted in working hours at
//! [`HOURS_PER_WORKING_DAY`].

use std::fmt;

use serde::Serialize;

use crate::deadline::TimeLimit;
use crate::error::DomainError;

/// Working hours in one working day. The Labour Code 2019, Art. 105(1) caps
/// normal working hours at 8 a day, and public offices work 8 hours (our
/// default office day, 07:00–11:30 and 13:30–17:00, is 8 h).
pub const HOURS_PER_WORKING_DAY: u32 = 8;

/// Days counted for a month when a legal limit in months caps the steps: the
/// longest month, so a process that fits never fails for a short month.
const DAYS_PER_MONTH_CAP: u32 = 31;

/// The most steps a process may have. Real processes have a handful to a
/// dozen; a longer list is a data-entry error, and the bound lets every step
/// error name its field (`steps[i].allotted`).
pub const MAX_STEPS: usize = 40;

/// The field path of each step's allotted time, for error messages.
const STEP_FIELDS: [&str; MAX_STEPS] = [
    "steps[0].allotted",
    "steps[1].allotted",
    "steps[2].allotted",
    "steps[3].allotted",
    "steps[4].allotted",
    "steps[5].allotted",
    "steps[6].allotted",
    "steps[7].allotted",
    "steps[8].allotted",
    "steps[9].allotted",
    "steps[10].allotted",
    "steps[11].allotted",
    "steps[12].allotted",
    "steps[13].allotted",
    "steps[14].allotted",
    "steps[15].allotted",
    "steps[16].allotted",
    "steps[17].allotted",
    "steps[18].allotted",
    "steps[19].allotted",
    "steps[20].allotted",
    "steps[21].allotted",
    "steps[22].allotted",
    "steps[23].allotted",
    "steps[24].allotted",
    "steps[25].allotted",
    "steps[26].allotted",
    "steps[27].allotted",
    "steps[28].allotted",
    "steps[29].allotted",
    "steps[30].allotted",
    "steps[31].allotted",
    "steps[32].allotted",
    "steps[33].allotted",
    "steps[34].allotted",
    "steps[35].allotted",
    "steps[36].allotted",
    "steps[37].allotted",
    "steps[38].allotted",
    "steps[39].allotted",
];

/// The most working hours a legal time limit leaves for a process's steps;
/// `None` when the limit sets no cap.
///
/// - `WorkingDays(n)`: 8n h; `WorkingHours(n)`: n h; `SameDay`: one working
///   day, 8 h.
/// - `CalendarDays(n)`: at most 8n h, since at most n of the n calendar days
///   are working days (the real number depends on the receipt date and the
///   holidays, which a process approved in advance cannot know).
/// - `Months(n)`: at most 8 × 31n h, by the same reasoning with the longest
///   months.
/// - `NoLimit`: no cap.
pub fn cap_hours(legal: TimeLimit) -> Option<u32> {
    let d = HOURS_PER_WORKING_DAY;
    match legal {
        TimeLimit::WorkingDays(n) | TimeLimit::CalendarDays(n) => Some(n.saturating_mul(d)),
        TimeLimit::WorkingHours(n) => Some(n),
        TimeLimit::SameDay => Some(d),
        TimeLimit::Months(n) => Some(n.saturating_mul(DAYS_PER_MONTH_CAP).saturating_mul(d)),
        TimeLimit::NoLimit => None,
    }
}

/// The steps' allotted times of an accepted process, summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AllottedTotal {
    /// The steps' allotted times together, in working hours.
    pub hours: u32,
    /// The most the legal limit allows, in working hours (see [`cap_hours`]);
    /// `None` when the procedure has no limit.
    pub cap_hours: Option<u32>,
}

impl AllottedTotal {
    /// Working hours the steps leave unused within the legal limit; `None`
    /// when there is no limit.
    pub fn spare_hours(&self) -> Option<u32> {
        self.cap_hours.map(|cap| cap.saturating_sub(self.hours))
    }
}

/// Checks a process's steps against the procedure's legal limit and returns
/// their total.
///
/// Each step must be timed in working hours or working days (the units the
/// engine schedules steps in; a step in calendar days or months would end on
/// a date unrelated to office time) with a valid count; there must be between
/// 1 and [`MAX_STEPS`] steps; and the total, in working hours at
/// [`HOURS_PER_WORKING_DAY`], must not exceed [`cap_hours`] of the legal
/// limit (domain.md §4: "allotted times must sum to at most the legal
/// limit"). Errors name the step (`steps[2].allotted`) or, for an excess,
/// say by how much the steps overrun: "steps total 17 working hours, 1
/// working hour more than the legal limit of 2 working days (16 h)".
pub fn check_allotted(legal: TimeLimit, steps: &[TimeLimit]) -> Result<AllottedTotal, DomainError> {
    let legal = legal.validate()?;
    if steps.is_empty() {
        return Err(DomainError::invalid(
            "steps",
            "a process needs at least one step",
        ));
    }
    if steps.len() > MAX_STEPS {
        return Err(DomainError::invalid(
            "steps",
            format!("{} steps is more than the {MAX_STEPS} allowed", steps.len()),
        ));
    }
    let mut hours: u32 = 0;
    for (field, step) in STEP_FIELDS.iter().zip(steps) {
        hours = hours.saturating_add(step_hours(field, *step)?);
    }
    let cap = cap_hours(legal);
    if let Some(cap) = cap
        && hours > cap
    {
        return Err(DomainError::invalid(
            "steps",
            format!(
                "steps total {}, {} more than the legal limit of {} ({})",
                Hours(hours),
                Hours(hours - cap),
                LegalLimit(legal),
                CapFigure(legal, cap),
            ),
        ));
    }
    Ok(AllottedTotal {
        hours,
        cap_hours: cap,
    })
}

/// One step's allotted time in working hours, or why it is refused.
fn step_hours(field: &'static str, step: TimeLimit) -> Result<u32, DomainError> {
    let refuse = |reason: String| DomainError::invalid(field, reason);
    let step = step.validate().map_err(|e| match e {
        DomainError::Invalid { reason, .. } => refuse(reason),
    })?;
    match step {
        TimeLimit::WorkingHours(n) => Ok(n),
        TimeLimit::WorkingDays(n) => Ok(n.saturating_mul(HOURS_PER_WORKING_DAY)),
        other => Err(refuse(format!(
            "{other} is not a step time; allot working_hours or working_days"
        ))),
    }
}

/// A number of working hours, singular or plural.
struct Hours(u32);

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 working hour"),
            n => write!(f, "{n} working hours"),
        }
    }
}

/// A legal limit in words: "2 working days", "30 calendar days", "same day".
struct LegalLimit(TimeLimit);

impl fmt::Display for LegalLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u32, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let text = match self.0 {
            TimeLimit::WorkingDays(n) => plural(n, "working day", "working days"),
            TimeLimit::CalendarDays(n) => plural(n, "calendar day", "calendar days"),
            TimeLimit::WorkingHours(n) => plural(n, "working hour", "working hours"),
            TimeLimit::Months(n) => plural(n, "month", "months"),
            TimeLimit::SameDay => "the same day".to_owned(),
            TimeLimit::NoLimit => "no limit".to_owned(),
        };
        f.write_str(&text)
    }
}

/// The cap in hours as the excess message shows it: exact for working time
/// ("16 h"), an upper bound for calendar time ("at most 240 h").
struct CapFigure(TimeLimit, u32);

impl fmt::Display for CapFigure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            TimeLimit::CalendarDays(_) | TimeLimit::Months(_) => {
                write!(f, "at most {} h", self.1)
            }
            _ => write!(f, "{} h", self.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimeLimit::*;

    fn reason(e: DomainError) -> (&'static str, String) {
        match e {
            DomainError::Invalid { field, reason } => (field, reason),
        }
    }

    #[test]
    fn steps_within_working_days_are_accepted_with_their_total() {
        // 4 h + 1 day (8 h) + 2 days (16 h) = 28 h; 5 working days = 40 h.
        let total = check_allotted(
            WorkingDays(5),
            &[WorkingHours(4), WorkingDays(1), WorkingDays(2)],
        )
        .unwrap();
        assert_eq!(
            total,
            AllottedTotal {
                hours: 28,
                cap_hours: Some(40)
            }
        );
        assert_eq!(total.spare_hours(), Some(12));
    }

    #[test]
    fn steps_exactly_filling_the_limit_are_accepted() {
        // 2 working days = 16 h = 8 h + 4 h + 4 h.
        let total = check_allotted(
            WorkingDays(2),
            &[WorkingHours(8), WorkingHours(4), WorkingHours(4)],
        )
        .unwrap();
        assert_eq!(total.hours, 16);
        assert_eq!(total.spare_hours(), Some(0));
    }

    #[test]
    fn excess_over_working_days_says_by_how_much() {
        // 1 day (8 h) + 9 h = 17 h against 2 working days = 16 h: 1 h over.
        let (field, reason) =
            reason(check_allotted(WorkingDays(2), &[WorkingDays(1), WorkingHours(9)]).unwrap_err());
        assert_eq!(field, "steps");
        assert_eq!(
            reason,
            "steps total 17 working hours, 1 working hour more than the legal limit of \
             2 working days (16 h)"
        );
    }

    #[test]
    fn each_legal_unit_caps_the_steps_as_documented() {
        // Working hours: 6 h cap; 4 h + 2 h fits, 4 h + 3 h is 1 h over.
        assert!(check_allotted(WorkingHours(6), &[WorkingHours(4), WorkingHours(2)]).is_ok());
        let (_, r) = reason(
            check_allotted(WorkingHours(6), &[WorkingHours(4), WorkingHours(3)]).unwrap_err(),
        );
        assert!(
            r.contains(
                "7 working hours, 1 working hour more than the legal limit of 6 working hours (6 h)"
            ),
            "{r}"
        );
        // Same day: 8 h; one working day fits, 9 h does not.
        assert_eq!(check_allotted(SameDay, &[WorkingDays(1)]).unwrap().hours, 8);
        let (_, r) = reason(check_allotted(SameDay, &[WorkingHours(9)]).unwrap_err());
        assert!(
            r.ends_with("1 working hour more than the legal limit of the same day (8 h)"),
            "{r}"
        );
        // 15 calendar days: at most 15 × 8 = 120 h; 15 working days fit, 16 do not.
        assert_eq!(
            check_allotted(CalendarDays(15), &[WorkingDays(15)]).unwrap(),
            AllottedTotal {
                hours: 120,
                cap_hours: Some(120)
            }
        );
        let (_, r) = reason(check_allotted(CalendarDays(15), &[WorkingDays(16)]).unwrap_err());
        assert_eq!(
            r,
            "steps total 128 working hours, 8 working hours more than the legal limit of \
             15 calendar days (at most 120 h)"
        );
        // 1 month: at most 8 × 31 = 248 h; 31 working days fit, 249 h do not.
        assert_eq!(
            check_allotted(Months(1), &[WorkingDays(31)])
                .unwrap()
                .cap_hours,
            Some(248)
        );
        assert!(check_allotted(Months(1), &[WorkingHours(249)]).is_err());
        // No limit: any total, no cap.
        assert_eq!(
            check_allotted(NoLimit, &[WorkingDays(400), WorkingDays(400)]).unwrap(),
            AllottedTotal {
                hours: 6400,
                cap_hours: None
            }
        );
    }

    #[test]
    fn steps_in_other_units_are_refused_naming_the_step() {
        let (field, r) = reason(
            check_allotted(
                WorkingDays(30),
                &[WorkingDays(1), WorkingHours(4), CalendarDays(3)],
            )
            .unwrap_err(),
        );
        assert_eq!(field, "steps[2].allotted");
        assert!(r.starts_with("3 calendar_days is not a step time"), "{r}");
        for bad in [Months(1), SameDay, NoLimit] {
            let (field, _) = reason(check_allotted(WorkingDays(30), &[bad]).unwrap_err());
            assert_eq!(field, "steps[0].allotted", "{bad}");
        }
    }

    #[test]
    fn invalid_step_counts_are_refused_naming_the_step() {
        let (field, r) =
            reason(check_allotted(WorkingDays(3), &[WorkingDays(1), WorkingHours(0)]).unwrap_err());
        assert_eq!(field, "steps[1].allotted");
        assert!(r.starts_with("0 working_hours is not a limit"), "{r}");
    }

    #[test]
    fn a_process_needs_between_one_and_forty_steps() {
        let (field, r) = reason(check_allotted(WorkingDays(3), &[]).unwrap_err());
        assert_eq!(
            (field, r.as_str()),
            ("steps", "a process needs at least one step")
        );
        assert!(check_allotted(NoLimit, &[WorkingHours(1); 40]).is_ok());
        let (field, r) = reason(check_allotted(NoLimit, &[WorkingHours(1); 41]).unwrap_err());
        assert_eq!(
            (field, r.as_str()),
            ("steps", "41 steps is more than the 40 allowed")
        );
    }

    #[test]
    fn an_invalid_legal_limit_is_refused() {
        let (field, _) = reason(check_allotted(WorkingDays(0), &[WorkingHours(1)]).unwrap_err());
        assert_eq!(field, "time_limit");
    }

    #[test]
    fn step_fields_name_their_index() {
        for (i, field) in STEP_FIELDS.iter().enumerate() {
            assert_eq!(*field, format!("steps[{i}].allotted"));
        }
    }
}
