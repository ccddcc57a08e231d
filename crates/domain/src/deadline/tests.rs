//! Hand-computed examples. Default office hours: 07:00–11:30 and 13:30–17:00,
//! eight hours a day. Calendar: the official one (2025: Sat 26/04 worked in
//! exchange for Fri 02/05; 30/04 and 01/05 holidays).

use super::*;
use crate::calendar::{OfficeHours, OfficeSchedule, WorkCalendar};
use jiff::SignedDuration;
use jiff::civil::{DateTime, date, time};

fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> DateTime {
    date(y, m, d).at(h, min, 0, 0)
}

struct Fixture {
    calendar: WorkCalendar,
    schedule: OfficeSchedule,
}

impl Fixture {
    fn new() -> Self {
        Self {
            calendar: WorkCalendar::official().unwrap(),
            schedule: OfficeSchedule::default(),
        }
    }

    fn work(&self) -> WorkTime<'_> {
        WorkTime::new(&self.calendar, &self.schedule)
    }

    fn due(&self, receipt: DateTime, limit: TimeLimit) -> DateTime {
        self.work()
            .due_moment(receipt, limit, None)
            .unwrap()
            .unwrap()
    }
}

#[test]
fn five_working_days_from_friday_25_april_2025_skip_the_holidays() {
    // Working days after Fri 25/04: Sat 26/04 (swapped) 1, Mon 28 2, Tue 29
    // 3; 30/04, 01/05, 02/05 off, 03–04/05 weekend; Mon 05/05 4, Tue 06/05 5.
    let f = Fixture::new();
    let due = f.due(at(2025, 4, 25, 9, 0), TimeLimit::WorkingDays(5));
    assert_eq!(due, at(2025, 5, 6, 9, 0));
}

#[test]
fn working_days_keep_the_receipt_time_of_day() {
    let f = Fixture::new();
    // Mon 03/03/2025 09:00 + 3 working days: Thu 06/03 09:00.
    assert_eq!(
        f.due(at(2025, 3, 3, 9, 0), TimeLimit::WorkingDays(3)),
        at(2025, 3, 6, 9, 0)
    );
    // 13:30 opens the afternoon: due at 13:30, not at the morning's 11:30.
    assert_eq!(
        f.due(at(2025, 3, 3, 13, 30), TimeLimit::WorkingDays(1)),
        at(2025, 3, 4, 13, 30)
    );
    // Received in the lunch break: the clock starts at 13:30.
    assert_eq!(
        f.due(at(2025, 3, 3, 12, 0), TimeLimit::WorkingDays(1)),
        at(2025, 3, 4, 13, 30)
    );
}

#[test]
fn a_receipt_at_opening_is_due_at_a_close() {
    let f = Fixture::new();
    // Mon 03/03 07:00, 1 working day: the whole of Monday, due 17:00.
    assert_eq!(
        f.due(at(2025, 3, 3, 7, 0), TimeLimit::WorkingDays(1)),
        at(2025, 3, 3, 17, 0)
    );
    // 3 working days: Monday, Tuesday, Wednesday.
    assert_eq!(
        f.due(at(2025, 3, 3, 7, 0), TimeLimit::WorkingDays(3)),
        at(2025, 3, 5, 17, 0)
    );
    // Received Saturday 08/03 at a weekend desk: counts from Mon 10/03 07:00.
    assert_eq!(
        f.due(at(2025, 3, 8, 8, 0), TimeLimit::WorkingDays(1)),
        at(2025, 3, 10, 17, 0)
    );
    // After closing on Friday 07/03: also from Monday's opening.
    assert_eq!(
        f.due(at(2025, 3, 7, 17, 30), TimeLimit::WorkingDays(2)),
        at(2025, 3, 11, 17, 0)
    );
}

#[test]
fn late_day_cutoff_counts_from_the_next_opening() {
    let f = Fixture::new();
    let w = f.work();
    let cutoff = Some(time(15, 0, 0, 0));
    let limit = TimeLimit::WorkingDays(1);
    // 15:30 is after the cut-off: from Tue 04/03 07:00, due Tue 17:00.
    let due = w.due_moment(at(2025, 3, 3, 15, 30), limit, cutoff).unwrap();
    assert_eq!(due, Some(at(2025, 3, 4, 17, 0)));
    // 15:00 exactly is not after it: due Tue 15:00.
    let due = w.due_moment(at(2025, 3, 3, 15, 0), limit, cutoff).unwrap();
    assert_eq!(due, Some(at(2025, 3, 4, 15, 0)));
}

#[test]
fn normalize_moves_to_the_next_opening() {
    let f = Fixture::new();
    let w = f.work();
    let n = |m| w.normalize(m, None).unwrap();
    assert_eq!(n(at(2025, 3, 3, 9, 15)), at(2025, 3, 3, 9, 15));
    assert_eq!(n(at(2025, 3, 3, 6, 0)), at(2025, 3, 3, 7, 0));
    assert_eq!(n(at(2025, 3, 3, 11, 30)), at(2025, 3, 3, 13, 30));
    assert_eq!(n(at(2025, 3, 3, 17, 0)), at(2025, 3, 4, 7, 0));
    // The swapped Saturday 26/04/2025 is a working day.
    assert_eq!(n(at(2025, 4, 26, 8, 0)), at(2025, 4, 26, 8, 0));
    // Tue 29/04 evening: 30/04 to 04/05 are off, next opening Mon 05/05.
    assert_eq!(n(at(2025, 4, 29, 20, 0)), at(2025, 5, 5, 7, 0));
}

#[test]
fn working_hours_count_office_time_only() {
    let f = Fixture::new();
    // Mon 03/03 10:00 + 4 h: 1 h 30 to 11:30, 2 h 30 from 13:30, so 16:00.
    assert_eq!(
        f.due(at(2025, 3, 3, 10, 0), TimeLimit::WorkingHours(4)),
        at(2025, 3, 3, 16, 0)
    );
    // + 8 h, one full office day: Tue 10:00.
    assert_eq!(
        f.due(at(2025, 3, 3, 10, 0), TimeLimit::WorkingHours(8)),
        at(2025, 3, 4, 10, 0)
    );
    // 07:00 + 4 h 30 would be 11:30; 4 h ends at 11:00.
    assert_eq!(
        f.due(at(2025, 3, 3, 7, 0), TimeLimit::WorkingHours(4)),
        at(2025, 3, 3, 11, 0)
    );
}

#[test]
fn same_day_is_due_at_the_close_of_the_receipt_day() {
    let f = Fixture::new();
    assert_eq!(
        f.due(at(2025, 3, 3, 10, 0), TimeLimit::SameDay),
        at(2025, 3, 3, 17, 0)
    );
    assert_eq!(
        f.due(at(2025, 3, 3, 18, 0), TimeLimit::SameDay),
        at(2025, 3, 4, 17, 0)
    );
}

#[test]
fn calendar_days_and_months_move_off_days_off() {
    let f = Fixture::new();
    // Periods in days end at the close of their last day (Civil Code
    // Art. 148). Mon 21/04/2025 09:00 + 10 days = Thu 01/05, a holiday;
    // 02/05 is off (swap) and 03–04/05 a weekend: Mon 05/05 17:00.
    assert_eq!(
        f.due(at(2025, 4, 21, 9, 0), TimeLimit::CalendarDays(10)),
        at(2025, 5, 5, 17, 0)
    );
    // Month ends clamp: Thu 31/07/2025 + 2 months = Tue 30/09/2025.
    assert_eq!(
        f.due(at(2025, 7, 31, 10, 0), TimeLimit::Months(2)),
        at(2025, 9, 30, 17, 0)
    );
    // Fri 31/01/2025 is a Tết day: the clock starts Mon 03/02 07:00, and
    // one month later is Mon 03/03.
    assert_eq!(
        f.due(at(2025, 1, 31, 10, 0), TimeLimit::Months(1)),
        at(2025, 3, 3, 17, 0)
    );
    // 31/01/2024 + 1 month = Thu 29/02/2024 (leap year).
    assert_eq!(
        f.due(at(2024, 1, 31, 10, 0), TimeLimit::Months(1)),
        at(2024, 2, 29, 17, 0)
    );
    // Mon 31/03/2025 + 2 months = Sat 31/05: Mon 02/06.
    assert_eq!(
        f.due(at(2025, 3, 31, 10, 0), TimeLimit::Months(2)),
        at(2025, 6, 2, 17, 0)
    );
    // Wed 04/01/2040 07:01 and 17:00 (counted from Thu 07:00) + 3 days both
    // end on the weekend: both due Mon 09/01/2040 17:00.
    let early = f.due(at(2040, 1, 4, 7, 1), TimeLimit::CalendarDays(3));
    let late = f.due(at(2040, 1, 4, 17, 0), TimeLimit::CalendarDays(3));
    assert_eq!(
        (early, late),
        (at(2040, 1, 9, 17, 0), at(2040, 1, 9, 17, 0))
    );
}

#[test]
fn calendar_day_periods_end_at_that_days_close() {
    // From Mon 09/06/2025 the unit works 08:00–12:00 only. Mon 02/06 16:00
    // + 7 days = Mon 09/06, which closes at 12:00.
    let short = OfficeHours::parse("08:00-12:00").unwrap();
    let schedule = OfficeSchedule::default()
        .with_range(date(2025, 6, 9), None, short)
        .unwrap();
    let calendar = WorkCalendar::official().unwrap();
    let w = WorkTime::new(&calendar, &schedule);
    let due = w.due_moment(at(2025, 6, 2, 16, 0), TimeLimit::CalendarDays(7), None);
    assert_eq!(due.unwrap(), Some(at(2025, 6, 9, 12, 0)));
    // Same day: Mon 09/06 09:00 is due at 12:00.
    let due = w.due_moment(at(2025, 6, 9, 9, 0), TimeLimit::SameDay, None);
    assert_eq!(due.unwrap(), Some(at(2025, 6, 9, 12, 0)));
}

#[test]
fn no_limit_has_no_due_and_bad_limits_are_errors() {
    let f = Fixture::new();
    let w = f.work();
    assert_eq!(
        w.due_moment(at(2025, 3, 3, 9, 0), TimeLimit::NoLimit, None)
            .unwrap(),
        None
    );
    assert!(
        w.due_moment(at(2025, 3, 3, 9, 0), TimeLimit::WorkingDays(0), None)
            .is_err()
    );
    assert!(
        w.due_moment(
            at(2025, 3, 3, 9, 0),
            TimeLimit::WorkingHours(1_000_000),
            None
        )
        .is_err()
    );
    // Beyond the calendar's range: an error, not a panic or an endless loop.
    let e = w.due_moment(at(2100, 12, 30, 9, 0), TimeLimit::WorkingDays(5), None);
    assert!(e.unwrap_err().to_string().contains("2100"));
    assert!(
        w.due_moment(at(2101, 1, 1, 9, 0), TimeLimit::SameDay, None)
            .is_err()
    );
}

#[test]
fn office_minutes_between_and_add_agree_with_hand_counts() {
    let f = Fixture::new();
    let w = f.work();
    // Fri 25/04 09:00 → Mon 28/04 09:00: Friday 150 + 210 minutes, the
    // swapped Saturday 480, Monday 07:00–09:00 120: 960 minutes.
    let (a, b) = (at(2025, 4, 25, 9, 0), at(2025, 4, 28, 9, 0));
    assert_eq!(w.office_minutes_between(a, b).unwrap(), 960);
    assert_eq!(w.office_minutes_between(b, a).unwrap(), -960);
    assert_eq!(w.office_minutes_between(a, a).unwrap(), 0);
    // Fri 16:00 + 90 minutes: 60 to 17:00, then Sat 26/04 07:00 + 30.
    assert_eq!(
        w.add_office_minutes(at(2025, 4, 25, 16, 0), 90).unwrap(),
        at(2025, 4, 26, 7, 30)
    );
    // Ending exactly at a session's end gives that end.
    assert_eq!(
        w.add_office_minutes(at(2025, 3, 3, 11, 0), 30).unwrap(),
        at(2025, 3, 3, 11, 30)
    );
    assert_eq!(
        w.add_office_minutes(at(2025, 3, 3, 12, 0), 0).unwrap(),
        at(2025, 3, 3, 13, 30)
    );
    assert!(w.add_office_minutes(a, -1).is_err());
    assert!(w.add_office_minutes(a, i64::MAX).is_err());
}

#[test]
fn pause_moves_the_due_by_the_office_time_inside_the_suspension() {
    let f = Fixture::new();
    let w = f.work();
    let mut due =
        DueTracker::start(&w, at(2025, 4, 25, 9, 0), TimeLimit::WorkingDays(5), None).unwrap();
    assert_eq!(due.original_due(), Some(at(2025, 5, 6, 9, 0)));
    // Suspended Mon 28/04 10:00 to Tue 29/04 10:00: Monday 1 h 30 + 3 h 30,
    // Tuesday 3 h, 8 hours, one office day: Wed 07/05 09:00.
    let (start, end) = (at(2025, 4, 28, 10, 0), at(2025, 4, 29, 10, 0));
    due.suspend(&w, start, end, SuspensionPolicy::Pause)
        .unwrap();
    assert_eq!(due.original_due(), Some(at(2025, 5, 7, 9, 0)));
    assert_eq!(due.current_due(), Some(at(2025, 5, 7, 9, 0)));
    // A suspension over a weekend night moves nothing.
    due.suspend(
        &w,
        at(2025, 5, 9, 17, 0),
        at(2025, 5, 12, 7, 0),
        SuspensionPolicy::Pause,
    )
    .unwrap();
    assert_eq!(due.original_due(), Some(at(2025, 5, 7, 9, 0)));
    assert!(
        due.suspend(&w, end, start, SuspensionPolicy::Pause)
            .is_err()
    );
}

#[test]
fn restart_counts_the_full_limit_from_resumption() {
    let f = Fixture::new();
    let w = f.work();
    let mut due =
        DueTracker::start(&w, at(2025, 4, 25, 9, 0), TimeLimit::WorkingDays(5), None).unwrap();
    // Resumed Mon 05/05 14:00: Tue 06 1, Wed 07 2, Thu 08 3, Fri 09 4,
    // Mon 12 5, so Mon 12/05 14:00.
    due.suspend(
        &w,
        at(2025, 4, 28, 10, 0),
        at(2025, 5, 5, 14, 0),
        SuspensionPolicy::Restart,
    )
    .unwrap();
    assert_eq!(due.original_due(), Some(at(2025, 5, 12, 14, 0)));
    assert_eq!(due.current_due(), Some(at(2025, 5, 12, 14, 0)));
}

#[test]
fn extension_moves_the_appointment_and_keeps_the_original() {
    let f = Fixture::new();
    let w = f.work();
    let mut due =
        DueTracker::start(&w, at(2025, 4, 25, 9, 0), TimeLimit::WorkingDays(5), None).unwrap();
    due.extend(at(2025, 5, 9, 17, 0)).unwrap();
    assert_eq!(due.original_due(), Some(at(2025, 5, 6, 9, 0)));
    assert_eq!(due.current_due(), Some(at(2025, 5, 9, 17, 0)));
    assert_eq!(due.extensions(), 1);
    assert!(due.extend(at(2025, 5, 8, 9, 0)).is_err());
    // Finished Thu 08/05: late against the original, early against the
    // extended appointment.
    let end = at(2025, 5, 8, 10, 0);
    assert_eq!(
        classify(end, due.original_due().unwrap()),
        Classification::Late
    );
    assert_eq!(
        classify(end, due.current_due().unwrap()),
        Classification::Early
    );
    // A later pause moves both.
    due.suspend(
        &w,
        at(2025, 5, 7, 7, 0),
        at(2025, 5, 7, 17, 0),
        SuspensionPolicy::Pause,
    )
    .unwrap();
    assert_eq!(due.original_due(), Some(at(2025, 5, 7, 9, 0)));
    assert_eq!(due.current_due(), Some(at(2025, 5, 12, 17, 0)));
    let mut none = DueTracker::start(&w, at(2025, 4, 25, 9, 0), TimeLimit::NoLimit, None).unwrap();
    assert!(none.extend(at(2025, 5, 9, 17, 0)).is_err());
    none.suspend(
        &w,
        at(2025, 5, 7, 7, 0),
        at(2025, 5, 8, 7, 0),
        SuspensionPolicy::Pause,
    )
    .unwrap();
    assert_eq!(none.original_due(), None);
}

#[test]
fn classification_compares_moments_then_dates() {
    let due = at(2025, 5, 6, 9, 0);
    assert_eq!(classify(at(2025, 5, 6, 9, 1), due), Classification::Late);
    assert_eq!(classify(due, due), Classification::OnTime);
    assert_eq!(classify(at(2025, 5, 6, 8, 0), due), Classification::OnTime);
    assert_eq!(classify(at(2025, 5, 5, 16, 59), due), Classification::Early);
}

#[test]
fn open_status_uses_the_near_due_threshold() {
    let f = Fixture::new();
    let w = f.work();
    let receipt = at(2025, 4, 25, 9, 0);
    let due = at(2025, 5, 6, 9, 0);
    // The limit is 5 office days, 40 hours; a quarter is 10 hours; one day
    // is 8 hours: the threshold is 8 hours.
    let threshold = w.default_near_due_threshold(receipt, due).unwrap();
    assert_eq!(threshold, SignedDuration::from_hours(8));
    let status = |t| w.open_status(t, due, threshold, false).unwrap();
    // Mon 05/05 09:00: 8 hours left, near due; a minute earlier, not yet.
    assert_eq!(status(at(2025, 5, 5, 9, 0)), OpenStatus::NearDue);
    assert_eq!(status(at(2025, 5, 5, 8, 59)), OpenStatus::NotYetDue);
    assert_eq!(status(at(2025, 5, 6, 9, 1)), OpenStatus::Overdue);
    let suspended = w.open_status(at(2025, 5, 6, 9, 1), due, threshold, true);
    assert_eq!(suspended.unwrap(), OpenStatus::NotYetDue);
    // One working day (8 hours): a quarter, 2 hours, is the smaller.
    let one_day = w.default_near_due_threshold(at(2025, 3, 3, 9, 0), at(2025, 3, 4, 9, 0));
    assert_eq!(one_day.unwrap(), SignedDuration::from_hours(2));
}
