//! Property tests of the invariants in domain.md §6, over 2024–2026 with the
//! official calendar (swaps, Tết, compensatory days) and two sets of hours.

use super::*;
use crate::calendar::{OfficeHours, OfficeSchedule, WorkCalendar};
use jiff::civil::{DateTime, Time, date};
use jiff::{SignedDuration, Span};
use proptest::prelude::*;
use std::sync::OnceLock;

fn calendar() -> &'static WorkCalendar {
    static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
    CALENDAR.get_or_init(|| WorkCalendar::official().unwrap())
}

fn schedules() -> &'static [OfficeSchedule; 2] {
    static SCHEDULES: OnceLock<[OfficeSchedule; 2]> = OnceLock::new();
    SCHEDULES.get_or_init(|| {
        let three = OfficeHours::parse("07:30-11:00,13:00-16:30,17:00-18:15").unwrap();
        [OfficeSchedule::default(), OfficeSchedule::uniform(three)]
    })
}

/// A moment between 2024-01-01 and about 2026-10, to the minute.
fn moment() -> impl Strategy<Value = DateTime> {
    (0i64..1000 * 24 * 60).prop_map(|minutes| {
        date(2024, 1, 1)
            .at(0, 0, 0, 0)
            .checked_add(Span::new().minutes(minutes))
            .unwrap()
    })
}

fn limit() -> impl Strategy<Value = TimeLimit> {
    prop_oneof![
        (1u32..40).prop_map(TimeLimit::WorkingDays),
        (1u32..200).prop_map(TimeLimit::WorkingHours),
        (1u32..60).prop_map(TimeLimit::CalendarDays),
        (1u32..6).prop_map(TimeLimit::Months),
        Just(TimeLimit::SameDay),
    ]
}

fn cutoff() -> impl Strategy<Value = Option<Time>> {
    prop_oneof![Just(None), Just(Some(Time::constant(15, 0, 0, 0)))]
}

proptest! {
    #[test]
    fn due_is_never_on_a_day_off_nor_outside_office_hours(
        receipt in moment(), limit in limit(), cutoff in cutoff(), s in 0usize..2,
    ) {
        let work = WorkTime::new(calendar(), &schedules()[s]);
        let due = work.due_moment(receipt, limit, cutoff).unwrap().unwrap();
        prop_assert!(calendar().is_working(due.date()).unwrap(), "{due} is a day off");
        prop_assert!(work.is_office_time(due).unwrap(), "{due} is outside office hours");
        prop_assert!(due >= receipt);
    }

    #[test]
    fn a_then_b_working_days_equals_a_plus_b(
        receipt in moment(), a in 1u32..25, b in 1u32..25, s in 0usize..2,
    ) {
        let work = WorkTime::new(calendar(), &schedules()[s]);
        let due = |from, n| work.due_moment(from, TimeLimit::WorkingDays(n), None).unwrap().unwrap();
        prop_assert_eq!(due(due(receipt, a), b), due(receipt, a + b));
    }

    #[test]
    fn a_later_receipt_never_gives_an_earlier_due(
        first in moment(), gap in 0i64..20_000, limit in limit(), cutoff in cutoff(), s in 0usize..2,
    ) {
        let work = WorkTime::new(calendar(), &schedules()[s]);
        let later = first.checked_add(Span::new().minutes(gap)).unwrap();
        let due_first = work.due_moment(first, limit, cutoff).unwrap();
        let due_later = work.due_moment(later, limit, cutoff).unwrap();
        prop_assert!(due_first <= due_later, "{first} → {due_first:?}, {later} → {due_later:?}");
    }

    #[test]
    fn pause_shifts_the_due_by_exactly_the_office_time_inside(
        receipt in moment(), limit in limit(), start_after in 0i64..30_000,
        length in 0i64..20_000, s in 0usize..2,
    ) {
        let work = WorkTime::new(calendar(), &schedules()[s]);
        let mut tracker = DueTracker::start(&work, receipt, limit, None).unwrap();
        let before = tracker.original_due().unwrap();
        let start = receipt.checked_add(Span::new().minutes(start_after)).unwrap();
        let end = start.checked_add(Span::new().minutes(length)).unwrap();
        tracker.suspend(&work, start, end, SuspensionPolicy::Pause).unwrap();
        let after = tracker.original_due().unwrap();
        let inside = work.office_time_between(start, end).unwrap();
        prop_assert_eq!(work.office_time_between(before, after).unwrap(), inside);
        prop_assert!(work.is_office_time(after).unwrap());
        prop_assert_eq!(tracker.current_due(), Some(after));
    }

    #[test]
    fn adding_office_time_then_measuring_it_gives_it_back(
        from in moment(), minutes in 0i64..30_000, s in 0usize..2,
    ) {
        let work = WorkTime::new(calendar(), &schedules()[s]);
        let to = work.add_office_minutes(from, minutes).unwrap();
        prop_assert_eq!(work.office_time_between(from, to).unwrap(), SignedDuration::from_mins(minutes));
    }

    /// Where a dossier turns near due: exactly the threshold of office time
    /// before the due moment, and the latest such moment (one minute later
    /// leaves less than the threshold).
    #[test]
    fn subtracting_office_time_is_the_latest_moment_that_far_before(
        due in moment(), minutes in 1i64..30_000, s in 0usize..2,
    ) {
        let work = WorkTime::new(calendar(), &schedules()[s]);
        let d = SignedDuration::from_mins(minutes);
        let at = work.sub_office_time(due, d).unwrap();
        prop_assert!(at <= due);
        prop_assert_eq!(work.office_time_between(at, due).unwrap(), d);
        let later = at.checked_add(SignedDuration::from_mins(1)).unwrap();
        prop_assert!(work.office_time_between(later, due).unwrap() < d);
    }
}

/// A moment anywhere from 1900 to 2099, to the minute.
fn any_moment() -> impl Strategy<Value = DateTime> {
    (0i64..200 * 365 * 24 * 60).prop_map(|minutes| {
        date(1900, 1, 1)
            .at(0, 0, 0, 0)
            .checked_add(Span::new().minutes(minutes))
            .unwrap()
    })
}

proptest! {
    #[test]
    fn over_the_whole_range_dues_are_in_office_time_and_ordered(
        receipt in any_moment(), gap in 0i64..5_000, limit in limit(),
    ) {
        let work = WorkTime::new(calendar(), &schedules()[0]);
        let later = receipt.checked_add(Span::new().minutes(gap)).unwrap();
        let due = work.due_moment(receipt, limit, None).unwrap().unwrap();
        let due_later = work.due_moment(later, limit, None).unwrap().unwrap();
        prop_assert!(work.is_office_time(due).unwrap(), "{due}");
        prop_assert!(due <= due_later);
    }
}
