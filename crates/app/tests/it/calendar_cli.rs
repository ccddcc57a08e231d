//! `motcua calendar due|days`: the expected values are worked out by hand from
//! the official 2024 and 2025 schedules (see each comment).

use crate::{motcua, stdout};

fn due(args: &[&str]) -> String {
    let mut all = vec!["calendar", "due"];
    all.extend_from_slice(args);
    let o = motcua(&all);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "exactly one line: {out:?}");
    out.trim_end().to_owned()
}

#[test]
fn five_working_days_over_the_2025_reunification_holidays() {
    // Fri 25/04 09:00. Sat 26/04 is worked (swap for Fri 02/05): day 1; Mon 28/04: 2;
    // Tue 29/04: 3; 30/04, 01/05, 02/05 off and 03-04/05 weekend; Mon 05/05: 4; Tue 06/05: 5.
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--working-days", "5"]),
        "2025-05-06T09:00:00+07:00"
    );
    // The same receipt given as an RFC 3339 instant.
    assert_eq!(
        due(&["--from", "2025-04-25T02:00:00Z", "--working-days", "5"]),
        "2025-05-06T09:00:00+07:00"
    );
}

#[test]
fn calendar_days_landing_on_a_swapped_day_off_move_to_the_next_working_day() {
    // A period in days ends at the end of its last day (Civil Code 2015, Art. 148(1)),
    // for an office its close. 25/04 + 7 days = Fri 02/05, given off by the 2025 swap,
    // so the period ends at the close of the next working day, Mon 05/05 (Art. 148(5)).
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--calendar-days", "7"]),
        "2025-05-05T17:00:00+07:00"
    );
    // 25/04 + 10 days = Mon 05/05, a working day: its close.
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--calendar-days", "10"]),
        "2025-05-05T17:00:00+07:00"
    );
    // 25/04 + 5 days = Wed 30/04, a holiday, then 01/05, 02/05 and the weekend: Mon 05/05.
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--calendar-days", "5"]),
        "2025-05-05T17:00:00+07:00"
    );
    // 25/04 + 3 days = Mon 28/04, a working day.
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--calendar-days", "3"]),
        "2025-04-28T17:00:00+07:00"
    );
}

#[test]
fn working_hours_run_into_the_swapped_saturday() {
    // Fri 25/04 from 09:00: 2h30 to 11:30 and 3h30 in the afternoon = 6h; the
    // remaining 2h start at 07:00 on Sat 26/04 (a working day by swap): 09:00.
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--hours", "8"]),
        "2025-04-26T09:00:00+07:00"
    );
}

#[test]
fn same_day_is_the_close_of_the_receipt_day() {
    assert_eq!(
        due(&["--from", "2025-04-25T09:00", "--same-day"]),
        "2025-04-25T17:00:00+07:00"
    );
}

#[test]
fn a_receipt_after_hours_counts_from_the_next_opening() {
    // Sat 26/04 18:00 is after closing; the clock starts at the next opening, Mon 28/04
    // 07:00, and one working day of office time ends at Monday's close. (Monday 17:00
    // and Tuesday 07:00 are the same point in office time; the close of the day is
    // what the appointment slip shows, and a result on Monday is on time, not early.)
    assert_eq!(
        due(&["--from", "2025-04-26T18:00", "--working-days", "1"]),
        "2025-04-28T17:00:00+07:00"
    );
    // With a 15:00 cut-off, Fri 25/04 15:30 counts from Sat 26/04 07:00 (a working day
    // by swap): due at Saturday's close.
    assert_eq!(
        due(&[
            "--from",
            "2025-04-25T15:30",
            "--working-days",
            "1",
            "--cutoff",
            "15:00"
        ]),
        "2025-04-26T17:00:00+07:00"
    );
    // Without the cut-off the same receipt is due at 15:30 the next working day.
    assert_eq!(
        due(&["--from", "2025-04-25T15:30", "--working-days", "1"]),
        "2025-04-26T15:30:00+07:00"
    );
}

#[test]
fn the_nine_day_tet_break_of_2025_is_skipped() {
    // Fri 24/01/2025 10:00; offices closed from Sat 25/01 to Sun 02/02 (Tết Mon 27/01
    // to Fri 31/01 between two weekends); one working day later is Mon 03/02 10:00.
    assert_eq!(
        due(&["--from", "2025-01-24T10:00", "--working-days", "1"]),
        "2025-02-03T10:00:00+07:00"
    );
}

#[test]
fn days_of_2024_as_csv() {
    let o = motcua(&[
        "calendar",
        "days",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rdr.headers().unwrap(), vec!["date", "status", "reason"]);
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 366, "2024 is a leap year");
    let row = |d: &str| rows.iter().find(|r| &r[0] == d).unwrap().clone();
    for (d, status) in [
        ("2024-01-01", "off"), // New Year's Day, Monday
        ("2024-01-02", "working"),
        ("2024-01-06", "off"), // Saturday
        ("2024-02-08", "off"), // Tết Giáp Thìn: Thu 08/02 to Wed 14/02
        ("2024-02-14", "off"),
        ("2024-02-15", "working"),
        ("2024-04-18", "off"),     // Hùng Kings, 10/3 lunar, Thursday
        ("2024-04-29", "off"),     // Monday given off by swap
        ("2024-05-04", "working"), // Saturday worked in exchange
        ("2024-09-02", "off"),
        ("2024-09-03", "off"), // the adjacent National Day holiday
    ] {
        assert_eq!(&row(d)[1], status, "{d}");
    }
    for d in [
        "2024-01-01",
        "2024-01-06",
        "2024-02-08",
        "2024-04-29",
        "2024-05-04",
        "2024-09-03",
    ] {
        assert!(!row(d)[2].is_empty(), "{d} has no reason");
    }
    assert!(
        row("2024-01-02")[2].is_empty(),
        "an ordinary working day needs no reason"
    );
    // 366 days − 104 weekend days − 12 weekdays off (1/1; 8, 9, 12, 13, 14/2; 18/4;
    // 29/4, 30/4, 1/5; 2/9, 3/9) + 1 worked Saturday (4/5) = 251 working days.
    assert_eq!(rows.iter().filter(|r| &r[1] == "working").count(), 251);
}
