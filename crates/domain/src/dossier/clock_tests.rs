//! Hand-computed clock examples. Default office hours 07:00–11:30 and
//! 13:30–17:00 (eight hours a day); March 2025 has no holiday, so Mon 03/03
//! to Fri 07/03 and Mon 10/03 onward are working days.

use super::*;
use crate::calendar::{OfficeSchedule, WorkCalendar};
use crate::deadline::{Classification, OpenStatus, SuspensionPolicy, TimeLimit, WorkTime};
use jiff::SignedDuration;
use jiff::civil::{DateTime, date};

fn at(m: i8, d: i8, h: i8, min: i8) -> DateTime {
    date(2025, m, d).at(h, min, 0, 0)
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

    /// Received Mon 03/03 09:00 with 3 working days: due Thu 06/03 09:00.
    fn clock(&self, policy: ClockPolicy, events: &[ClockEvent]) -> DossierClock {
        DossierClock::fold(
            &self.work(),
            at(3, 3, 9, 0),
            TimeLimit::WorkingDays(3),
            None,
            policy,
            events,
        )
        .unwrap()
    }
}

fn ended(at: DateTime) -> ClockEvent {
    ClockEvent::Ended {
        at,
        outcome: Outcome::Result,
    }
}

#[test]
fn an_end_is_early_on_time_or_late_against_the_due() {
    let f = Fixture::new();
    let open = f.clock(ClockPolicy::default(), &[]);
    // Mon 09:00 + 3 working days = Thu 06/03 09:00.
    assert_eq!(open.original_due(), Some(at(3, 6, 9, 0)));
    assert_eq!(open.classify_end(), None);
    for (end, expected) in [
        (at(3, 5, 16, 0), Classification::Early), // Wednesday: a date before
        (at(3, 6, 9, 0), Classification::OnTime), // exactly at the due moment
        (at(3, 6, 9, 1), Classification::Late),   // a minute after
    ] {
        let c = f.clock(ClockPolicy::default(), &[ended(end)]);
        assert_eq!(c.classify_end(), Some(expected), "{end}");
    }
}

#[test]
fn supplement_pause_moves_due_by_office_time_inside_interval() {
    let f = Fixture::new();
    // Waiting Mon 03/03 14:00 → Tue 04/03 10:00: Mon 14:00–17:00 is 3 h,
    // Tue 07:00–10:00 is 3 h; 6 h of office time. From Thu 06/03 09:00,
    // 6 h: 09:00–11:30 (2.5 h) and 13:30–17:00 (3.5 h): due Thu 17:00.
    let c = f.clock(
        ClockPolicy::default(),
        &[
            ClockEvent::SupplementRequested {
                at: at(3, 3, 14, 0),
            },
            ClockEvent::SupplementSupplied {
                at: at(3, 4, 10, 0),
            },
        ],
    );
    assert_eq!(c.original_due(), Some(at(3, 6, 17, 0)));
    assert_eq!(c.current_due(), Some(at(3, 6, 17, 0)));
    let shift = f
        .work()
        .office_time_between(at(3, 6, 9, 0), at(3, 6, 17, 0))
        .unwrap();
    assert_eq!(shift, SignedDuration::from_hours(6));
}

#[test]
fn supplement_restart_counts_the_full_limit_from_resumption() {
    let f = Fixture::new();
    // Resumed Tue 04/03 10:00 + 3 working days: Fri 07/03 10:00.
    let policy = ClockPolicy {
        suspension: SuspensionPolicy::Restart,
        ..ClockPolicy::default()
    };
    let c = f.clock(
        policy,
        &[
            ClockEvent::SupplementRequested {
                at: at(3, 3, 14, 0),
            },
            ClockEvent::SupplementSupplied {
                at: at(3, 4, 10, 0),
            },
        ],
    );
    assert_eq!(c.original_due(), Some(at(3, 7, 10, 0)));
}

#[test]
fn a_financial_wait_pauses_by_default_and_can_let_the_clock_run() {
    let f = Fixture::new();
    let events = [
        ClockEvent::FinancialObligationRequested {
            at: at(3, 3, 14, 0),
        },
        ClockEvent::FinancialObligationSettled {
            at: at(3, 4, 10, 0),
        },
    ];
    // Same 6 h interval as the supplement: Thu 17:00.
    let paused = f.clock(ClockPolicy::default(), &events);
    assert_eq!(paused.original_due(), Some(at(3, 6, 17, 0)));
    let running = ClockPolicy {
        financial_obligation_pauses: false,
        ..ClockPolicy::default()
    };
    let c = f.clock(running, &events[..1]);
    assert!(!c.is_suspended());
    let c = f.clock(running, &events);
    assert_eq!(c.original_due(), Some(at(3, 6, 9, 0)));
}

#[test]
fn an_extension_keeps_original_due_and_lateness_is_judged_on_it_by_default() {
    let f = Fixture::new();
    // Apology letter Wed 05/03 10:00 with a new appointment Mon 10/03 09:00;
    // result signed Fri 07/03 10:00.
    let events = [
        ClockEvent::Extended {
            at: at(3, 5, 10, 0),
            new_due: at(3, 10, 9, 0),
        },
        ended(at(3, 7, 10, 0)),
    ];
    let c = f.clock(ClockPolicy::default(), &events);
    assert_eq!(c.original_due(), Some(at(3, 6, 9, 0)));
    assert_eq!(c.current_due(), Some(at(3, 10, 9, 0)));
    assert_eq!(c.tracker().extensions(), 1);
    // Fri 07/03 10:00 > Thu 06/03 09:00: late.
    assert_eq!(c.classify_end(), Some(Classification::Late));
    // Against the new appointment, Friday is a date before Monday: early.
    let current = ClockPolicy {
        judge_against: DueBasis::Current,
        ..ClockPolicy::default()
    };
    let c = f.clock(current, &events);
    assert_eq!(c.classify_end(), Some(Classification::Early));
}

#[test]
fn open_status_uses_the_default_threshold_and_a_suspended_dossier_is_not_yet_due() {
    let f = Fixture::new();
    let w = f.work();
    let c = f.clock(ClockPolicy::default(), &[]);
    // Limit Mon 09:00 → Thu 09:00 = 24 h of office time; a quarter is 6 h,
    // less than a working day (8 h): threshold 6 h.
    // Wed 09:00: left Wed 09:00–17:00 (6 h) + Thu 07:00–09:00 (2 h) = 8 h.
    assert_eq!(
        c.open_status_at(&w, at(3, 5, 9, 0), None).unwrap(),
        Some(OpenStatus::NotYetDue)
    );
    // Wed 13:30: left 3.5 h + 2 h = 5.5 h ≤ 6 h.
    assert_eq!(
        c.open_status_at(&w, at(3, 5, 13, 30), None).unwrap(),
        Some(OpenStatus::NearDue)
    );
    assert_eq!(
        c.open_status_at(&w, at(3, 6, 9, 1), None).unwrap(),
        Some(OpenStatus::Overdue)
    );
    // With a 1 h threshold Wed 13:30 is not yet due.
    assert_eq!(
        c.open_status_at(&w, at(3, 5, 13, 30), Some(SignedDuration::from_hours(1)))
            .unwrap(),
        Some(OpenStatus::NotYetDue)
    );
    let waiting = f.clock(
        ClockPolicy::default(),
        &[ClockEvent::SupplementRequested {
            at: at(3, 5, 14, 0),
        }],
    );
    assert!(waiting.is_suspended());
    assert_eq!(
        waiting.open_status_at(&w, at(3, 7, 10, 0), None).unwrap(),
        Some(OpenStatus::NotYetDue)
    );
    let done = f.clock(ClockPolicy::default(), &[ended(at(3, 5, 9, 0))]);
    assert_eq!(
        done.open_status_at(&w, at(3, 7, 10, 0), None).unwrap(),
        None
    );
}

#[test]
fn ending_during_a_wait_closes_it_at_the_end_moment() {
    let f = Fixture::new();
    // Waiting from Wed 05/03 14:00; stopped Thu 06/03 10:00. Inside: Wed
    // 14:00–17:00 (3 h) + Thu 07:00–10:00 (3 h) = 6 h; due Thu 09:00 + 6 h
    // = Thu 17:00; the end at Thu 10:00 is on time (same date, before).
    let c = f.clock(
        ClockPolicy::default(),
        &[
            ClockEvent::SupplementRequested {
                at: at(3, 5, 14, 0),
            },
            ClockEvent::Ended {
                at: at(3, 6, 10, 0),
                outcome: Outcome::Stopped,
            },
        ],
    );
    assert_eq!(c.original_due(), Some(at(3, 6, 17, 0)));
    assert_eq!(c.end(), Some((at(3, 6, 10, 0), Outcome::Stopped)));
    assert_eq!(c.classify_end(), Some(Classification::OnTime));
    assert_eq!(c.wait(), None);
}

#[test]
fn a_timeline_out_of_order_is_refused_and_changes_nothing() {
    let f = Fixture::new();
    let w = f.work();
    let mut c = f.clock(ClockPolicy::default(), &[]);
    let before = c.clone();
    for bad in [
        ClockEvent::SupplementSupplied {
            at: at(3, 4, 10, 0),
        },
        ClockEvent::SupplementRequested { at: at(3, 3, 8, 0) },
        ClockEvent::Extended {
            at: at(3, 4, 10, 0),
            new_due: at(3, 5, 9, 0),
        },
    ] {
        let e = c.apply(&w, &bad).unwrap_err().to_string();
        assert!(
            e.starts_with("timeline:") || e.starts_with("extension:"),
            "{e}"
        );
        assert_eq!(c, before);
    }
    c.apply(&w, &ClockEvent::SupplementRequested { at: at(3, 4, 9, 0) })
        .unwrap();
    assert!(
        c.apply(
            &w,
            &ClockEvent::FinancialObligationRequested {
                at: at(3, 4, 10, 0)
            }
        )
        .is_err()
    );
    c.apply(&w, &ended(at(3, 4, 11, 0))).unwrap();
    assert!(c.apply(&w, &ended(at(3, 4, 12, 0))).is_err());
}

#[test]
fn a_procedure_without_a_limit_has_no_due_and_no_classification() {
    let f = Fixture::new();
    let c = DossierClock::fold(
        &f.work(),
        at(3, 3, 9, 0),
        TimeLimit::NoLimit,
        None,
        ClockPolicy::default(),
        &[ended(at(3, 20, 9, 0))],
    )
    .unwrap();
    assert_eq!(c.original_due(), None);
    assert_eq!(c.classify_end(), None);
}

#[test]
fn step_dues_come_from_allotted_times_and_step_lateness_leaves_the_dossier_due() {
    let f = Fixture::new();
    let w = f.work();
    // Step 1 from Mon 03/03 09:00, 8 working hours: Mon 09:00–11:30 (2.5 h),
    // 13:30–17:00 (3.5 h), Tue 07:00–09:00 (2 h): Tue 04/03 09:00. Step 2,
    // 1 working day from Tue 09:00: Wed 05/03 09:00.
    let dues = planned_step_dues(
        &w,
        at(3, 3, 9, 0),
        &[TimeLimit::WorkingHours(8), TimeLimit::WorkingDays(1)],
    )
    .unwrap();
    assert_eq!(dues, [Some(at(3, 4, 9, 0)), Some(at(3, 5, 9, 0))]);
    let dossier = f.clock(ClockPolicy::default(), &[]);
    let step = StepClock::start(&w, at(3, 3, 9, 0), TimeLimit::WorkingHours(8)).unwrap();
    assert_eq!(step.due(), Some(at(3, 4, 9, 0)));
    // The step finishes late (Tue 10:00) yet the dossier is still due Thu 09:00.
    assert_eq!(
        step.classify_end(at(3, 4, 10, 0)),
        Some(Classification::Late)
    );
    assert_eq!(dossier.original_due(), Some(at(3, 6, 9, 0)));
    // A 1 h wait inside the step (Mon 10:00–11:00) moves its due to Tue 10:00.
    let mut paused = step.clone();
    paused
        .suspend(
            &w,
            at(3, 3, 10, 0),
            at(3, 3, 11, 0),
            SuspensionPolicy::Pause,
        )
        .unwrap();
    assert_eq!(paused.due(), Some(at(3, 4, 10, 0)));
    assert_eq!(
        step.open_status_at(&w, at(3, 4, 9, 30), None, false)
            .unwrap(),
        Some(OpenStatus::Overdue)
    );
}

#[test]
fn a_late_apology_letter_is_flagged_and_the_extension_limit_holds() {
    let f = Fixture::new();
    let w = f.work();
    // Original due Thu 06/03 09:00; with a one-hour lead time letters after
    // Thu 08:00 are late.
    let policy = ExtensionPolicy {
        lead_time: SignedDuration::from_hours(1),
        max_extensions: Some(1),
    };
    let mut c = f.clock(ClockPolicy::default(), &[]);
    let early = c.check_extension(at(3, 6, 8, 0), policy).unwrap();
    assert!(!early.late_letter);
    let late = c.check_extension(at(3, 6, 8, 1), policy).unwrap();
    assert!(late.late_letter);
    // Default: lead time 0, unlimited.
    assert!(
        !c.check_extension(at(3, 6, 9, 0), ExtensionPolicy::default())
            .unwrap()
            .late_letter
    );
    c.apply(
        &w,
        &ClockEvent::Extended {
            at: at(3, 6, 8, 0),
            new_due: at(3, 10, 9, 0),
        },
    )
    .unwrap();
    let e = c.check_extension(at(3, 7, 8, 0), policy).unwrap_err();
    assert!(e.to_string().contains("most allowed (1)"), "{e}");
    assert!(
        c.check_extension(at(3, 7, 8, 0), ExtensionPolicy::default())
            .is_ok()
    );
}

mod props {
    use super::*;
    use jiff::Span;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_supplement_pause_shifts_the_due_by_the_office_time_inside(
            wait_start in 0i64..20 * 24 * 60,
            wait_len in 0i64..10 * 24 * 60,
            days in 1u32..30,
        ) {
            let f = Fixture::new();
            let w = f.work();
            let receipt = at(3, 3, 9, 0);
            let start = receipt.checked_add(Span::new().minutes(wait_start)).unwrap();
            let end = start.checked_add(Span::new().minutes(wait_len)).unwrap();
            let limit = TimeLimit::WorkingDays(days);
            let plain = DossierClock::receive(&w, receipt, limit, None, ClockPolicy::default())
                .unwrap();
            let paused = DossierClock::fold(
                &w,
                receipt,
                limit,
                None,
                ClockPolicy::default(),
                &[
                    ClockEvent::SupplementRequested { at: start },
                    ClockEvent::SupplementSupplied { at: end },
                ],
            )
            .unwrap();
            let (before, after) = (plain.original_due().unwrap(), paused.original_due().unwrap());
            prop_assert_eq!(
                w.office_time_between(before, after).unwrap(),
                w.office_time_between(start, end).unwrap()
            );
            prop_assert!(after >= before);
        }
    }
}

#[test]
fn processing_time_is_office_time_to_the_end_less_the_suspensions() {
    let f = Fixture::new();
    let work = f.work();
    let open = f.clock(ClockPolicy::default(), &[]);
    assert_eq!(open.net_minutes(&work).unwrap(), None);
    // Mon 09:00 → Wed 05/03 10:00: Mon 09:00–11:30 and 13:30–17:00 (6 h),
    // Tue 8 h, Wed 07:00–10:00 (3 h): 17 h = 1,020 minutes.
    let plain = f.clock(ClockPolicy::default(), &[ended(at(3, 5, 10, 0))]);
    assert_eq!(plain.net_minutes(&work).unwrap(), Some(1_020));
    // The same end with a supplement wait Mon 14:00 → Tue 10:00 (3 h on
    // Monday, 3 h on Tuesday): 6 h less, 660 minutes.
    let waited = f.clock(
        ClockPolicy::default(),
        &[
            ClockEvent::SupplementRequested {
                at: at(3, 3, 14, 0),
            },
            ClockEvent::SupplementSupplied {
                at: at(3, 4, 10, 0),
            },
            ended(at(3, 5, 10, 0)),
        ],
    );
    assert_eq!(waited.net_minutes(&work).unwrap(), Some(660));
    // A financial obligation that does not pause the clock counts in full.
    let paid = f.clock(
        ClockPolicy {
            financial_obligation_pauses: false,
            ..ClockPolicy::default()
        },
        &[
            ClockEvent::FinancialObligationRequested {
                at: at(3, 3, 14, 0),
            },
            ClockEvent::FinancialObligationSettled {
                at: at(3, 4, 10, 0),
            },
            ended(at(3, 5, 10, 0)),
        ],
    );
    assert_eq!(paid.net_minutes(&work).unwrap(), Some(1_020));
    // Ended while waiting: the wait closes at the end and counts as
    // suspended (Mon 14:00 → Wed 10:00 is 3 + 8 + 3 = 14 h of 17).
    let ended_waiting = f.clock(
        ClockPolicy::default(),
        &[
            ClockEvent::SupplementRequested {
                at: at(3, 3, 14, 0),
            },
            ClockEvent::Ended {
                at: at(3, 5, 10, 0),
                outcome: Outcome::Withdrawn,
            },
        ],
    );
    assert_eq!(ended_waiting.net_minutes(&work).unwrap(), Some(180));
}
