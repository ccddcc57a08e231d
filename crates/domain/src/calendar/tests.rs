use super::*;
use jiff::civil::{Weekday, date};

fn official() -> WorkCalendar {
    WorkCalendar::official().unwrap()
}

/// Weekdays off and weekend days worked in a year, as (month, day).
type Exceptions = (Vec<(i8, i8)>, Vec<(i8, i8)>);

/// A year with its weekdays off and weekend days worked.
type Notice<'a> = (i16, &'a [(i8, i8)], &'a [(i8, i8)]);

fn exceptions(calendar: &WorkCalendar, year: i16) -> Exceptions {
    let mut off = Vec::new();
    let mut worked = Vec::new();
    for day in calendar.year_statuses(year).unwrap() {
        let weekend = matches!(day.date.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !weekend && !day.working {
            off.push((day.date.month(), day.date.day()));
        }
        if weekend && day.working {
            worked.push((day.date.month(), day.date.day()));
        }
    }
    (off, worked)
}

#[test]
fn official_schedule_2025_swaps_26_april_for_2_may() {
    let calendar = official();
    let saturday = calendar.status(date(2025, 4, 26)).unwrap();
    assert!(saturday.working);
    assert_eq!(saturday.kind, DayKind::Official);
    let friday = calendar.status(date(2025, 5, 2)).unwrap();
    assert!(!friday.working);
    assert_eq!(
        friday.reason,
        "Hoán đổi ngày làm việc (làm bù thứ Bảy 26/04/2025)"
    );
    assert!(calendar.is_working(date(2025, 4, 28)).unwrap());
}

#[test]
fn official_years_match_the_notices() {
    // Each year's weekdays off and weekend days worked for public offices,
    // written out from the notices (see data/calendar/README.md).
    let years: [Notice; 7] = [
        (
            2020,
            // Tết 23–29 January; one day for National Day (Labour Code 2012).
            &[
                (1, 1),
                (1, 23),
                (1, 24),
                (1, 27),
                (1, 28),
                (1, 29),
                (4, 2),
                (4, 30),
                (5, 1),
                (9, 2),
            ],
            &[],
        ),
        (
            2021,
            // Tết 10–16 February; 1 May a Saturday, made up on 3 May.
            &[
                (1, 1),
                (2, 10),
                (2, 11),
                (2, 12),
                (2, 15),
                (2, 16),
                (4, 21),
                (4, 30),
                (5, 3),
                (9, 2),
                (9, 3),
            ],
            &[],
        ),
        (
            2022,
            &[
                (1, 3),
                (1, 31),
                (2, 1),
                (2, 2),
                (2, 3),
                (2, 4),
                (4, 11),
                (5, 2),
                (5, 3),
                (9, 1),
                (9, 2),
            ],
            &[],
        ),
        (
            2023,
            &[
                (1, 2),
                (1, 20),
                (1, 23),
                (1, 24),
                (1, 25),
                (1, 26),
                (5, 1),
                (5, 2),
                (5, 3),
                (9, 1),
                (9, 4),
            ],
            &[],
        ),
        (
            2024,
            &[
                (1, 1),
                (2, 8),
                (2, 9),
                (2, 12),
                (2, 13),
                (2, 14),
                (4, 18),
                (4, 29),
                (4, 30),
                (5, 1),
                (9, 2),
                (9, 3),
            ],
            &[(5, 4)],
        ),
        (
            2025,
            &[
                (1, 1),
                (1, 27),
                (1, 28),
                (1, 29),
                (1, 30),
                (1, 31),
                (4, 7),
                (4, 30),
                (5, 1),
                (5, 2),
                (9, 1),
                (9, 2),
            ],
            &[(4, 26)],
        ),
        (
            2026,
            &[
                (1, 1),
                (1, 2),
                (2, 16),
                (2, 17),
                (2, 18),
                (2, 19),
                (2, 20),
                (4, 27),
                (4, 30),
                (5, 1),
                (8, 31),
                (9, 1),
                (9, 2),
            ],
            &[(1, 10), (8, 22)],
        ),
    ];
    let calendar = official();
    for (year, off, worked) in years {
        let (found_off, found_worked) = exceptions(&calendar, year);
        assert_eq!(found_off, off, "{year}: weekdays off");
        assert_eq!(found_worked, worked, "{year}: weekend days worked");
    }
}

#[test]
fn rules_alone_give_the_default_tet_and_compensatory_days() {
    // 2027 has no official rows. Tết Đinh Mùi is Saturday 6 February 2027:
    // holidays Friday 5 (last day of Bính Ngọ) to Tuesday 9 February, and
    // the Saturday and Sunday among them give Wednesday 10 and Thursday 11.
    let calendar = official();
    let (off, worked) = exceptions(&calendar, 2027);
    let february: Vec<_> = off.iter().filter(|(m, _)| *m == 2).copied().collect();
    assert_eq!(february, vec![(2, 5), (2, 8), (2, 9), (2, 10), (2, 11)]);
    assert!(worked.is_empty());
    let comp = calendar.status(date(2027, 2, 10)).unwrap();
    assert_eq!(comp.kind, DayKind::Compensatory);
    assert_eq!(comp.reason, "Nghỉ bù Tết Nguyên đán (thứ Bảy 06/02/2027)");
}

#[test]
fn statuses_name_the_day_in_vietnamese() {
    let calendar = official();
    let s = |y, m, d| calendar.status(date(y, m, d)).unwrap();
    assert_eq!(s(2025, 1, 29).reason, "Tết Nguyên đán");
    assert_eq!(s(2025, 4, 7).reason, "Giỗ Tổ Hùng Vương");
    assert_eq!(s(2025, 9, 2).reason, "Quốc khánh");
    assert_eq!(s(2025, 4, 27).reason, "Chủ nhật");
    assert_eq!(s(2025, 5, 3).reason, "Thứ Bảy");
    assert_eq!(s(2025, 5, 3).kind, DayKind::Weekend);
    let ordinary = s(2025, 5, 5);
    assert!(ordinary.working);
    assert_eq!(ordinary.kind, DayKind::Workday);
    assert_eq!(ordinary.reason, "");
    // Rules for years before the file: 2 September 2019 was a Monday.
    let rule = s(2019, 9, 2);
    assert_eq!((rule.working, rule.kind), (false, DayKind::Holiday));
}

#[test]
fn overrides_beat_the_file_and_the_last_one_wins() {
    let global = DayOverride {
        date: date(2025, 5, 2),
        working: true,
        reason: "Tỉnh giữ ngày làm việc".into(),
    };
    let unit = DayOverride {
        date: date(2025, 5, 2),
        working: false,
        reason: "Đơn vị nghỉ".into(),
    };
    let saturday = DayOverride {
        date: date(2025, 5, 10),
        working: true,
        reason: "Làm việc thứ Bảy".into(),
    };
    let calendar = official().with_overrides([global.clone()]);
    assert!(calendar.is_working(date(2025, 5, 2)).unwrap());
    let calendar = calendar.with_overrides([unit, saturday]);
    let status = calendar.status(date(2025, 5, 2)).unwrap();
    assert_eq!((status.working, status.kind), (false, DayKind::Override));
    assert_eq!(status.reason, "Đơn vị nghỉ");
    assert!(calendar.is_working(date(2025, 5, 10)).unwrap());
    // The original calendar is unchanged.
    assert!(!official().is_working(date(2025, 5, 10)).unwrap());
}

#[test]
fn culture_day_is_off_by_default_and_can_be_switched_on() {
    let day = date(2027, 11, 24); // a Wednesday
    assert!(official().is_working(day).unwrap());
    let on = official().with_culture_day_from(Some(2027));
    assert_eq!(on.culture_day_from(), Some(2027));
    let status = on.status(day).unwrap();
    assert_eq!(
        (status.working, status.reason.as_str()),
        (false, "Ngày Văn hóa Việt Nam")
    );
    assert!(
        official()
            .with_culture_day_from(Some(2028))
            .is_working(day)
            .unwrap()
    );
}

#[test]
fn years_outside_the_range_are_errors() {
    let calendar = official();
    for day in [
        date(1899, 12, 31),
        date(2101, 1, 1),
        date(-5, 1, 1),
        date(9999, 12, 31),
    ] {
        let e = calendar.status(day).unwrap_err().to_string();
        assert!(e.contains("1900..=2100"), "{e}");
        assert!(calendar.is_working(day).is_err());
    }
    assert!(calendar.status(date(1900, 1, 1)).is_ok());
    assert!(calendar.status(date(2100, 12, 31)).is_ok());
    assert!(calendar.next_working_day(date(2100, 12, 31)).is_err());
    assert!(calendar.previous_working_day(date(1900, 1, 1)).is_err());
}

#[test]
fn working_day_steps_skip_days_off() {
    let calendar = official();
    // Friday 24 January 2025 → Monday 3 February (Tết 27–31, weekends).
    assert_eq!(
        calendar.next_working_day(date(2025, 1, 24)).unwrap(),
        date(2025, 2, 3)
    );
    assert_eq!(
        calendar.previous_working_day(date(2025, 2, 3)).unwrap(),
        date(2025, 1, 24)
    );
    assert_eq!(
        calendar.working_day_on_or_after(date(2025, 5, 1)).unwrap(),
        date(2025, 5, 5)
    );
    assert_eq!(
        calendar.working_day_on_or_after(date(2025, 5, 5)).unwrap(),
        date(2025, 5, 5)
    );
    // Friday 25 April 2025 + 3 working days: Sat 26 (swapped), Mon 28, Tue 29.
    assert_eq!(
        calendar
            .nth_working_day_after(date(2025, 4, 25), 3)
            .unwrap(),
        date(2025, 4, 29)
    );
}

#[test]
fn calendar_is_shareable_between_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<WorkCalendar>();
    let calendar = official();
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let calendar = calendar.clone();
            std::thread::spawn(move || calendar.is_working(date(2025 + i, 5, 2)).unwrap())
        })
        .collect();
    let results: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // 2 May 2025 is a swapped day off; 2 May 2026 is a Saturday.
    assert_eq!(results, vec![false, false]);
}

#[test]
fn lateness_counts_the_working_days_after_the_due_day() {
    let c = official();
    // Due Friday 25/04/2025; on Monday 05/05: Saturday 26/04 was worked
    // (the swap), 28 and 29/04 worked, 30/04–02/05 off, 05/05 worked.
    assert_eq!(
        c.working_days_after(date(2025, 4, 25), date(2025, 5, 5), 100)
            .unwrap(),
        4
    );
    assert_eq!(
        c.working_days_after(date(2025, 4, 25), date(2025, 4, 25), 100)
            .unwrap(),
        0
    );
    assert_eq!(
        c.working_days_after(date(2025, 5, 5), date(2025, 4, 25), 100)
            .unwrap(),
        0
    );
    // Over a weekend only: not late by a working day yet.
    assert_eq!(
        c.working_days_after(date(2025, 5, 9), date(2025, 5, 11), 100)
            .unwrap(),
        0
    );
    assert_eq!(
        c.working_days_after(date(2025, 1, 2), date(2025, 12, 31), 10)
            .unwrap(),
        10
    );
}
