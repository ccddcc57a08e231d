//! What one dossier contributes to the counters, and how a change moves it.
//!
//! A [`Standing`] is what the statistics need to know about a dossier after
//! its latest event. From it follow the dossier's levels on every day from
//! that event on: constant, except that an open dossier whose clock runs
//! becomes overdue on its judged due date. A change at day `d` therefore
//! moves the counters by the difference of the two standings from `d` on:
//! the difference of their values at `d`, and the overdue steps that either
//! foresaw after `d`. Days before `d` are never touched, which is what makes
//! a past period's figures the same whenever they are asked.

use jiff::civil::Date;

use super::measure::{Counts, Measure};
use crate::deadline::Classification;
use crate::dossier::{Outcome, ReturnMethod};

/// What the desk recorded about the components at receipt (domain.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReceptionFacts {
    /// At least one component has a digitised file.
    pub digitised: bool,
    /// Every component has a digitised file.
    pub fully_digitised: bool,
    /// At least one component was reused from stored data.
    pub reused: bool,
}

/// How processing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndFacts {
    /// Early, on time or late; `None` for a procedure without a limit.
    pub classification: Option<Classification>,
    /// Result, refusal, stop or withdrawal.
    pub outcome: Outcome,
    /// The result has an electronic file.
    pub result_digitised: bool,
    /// Processing time in office minutes less the suspensions, when the
    /// clock measured it.
    pub minutes: Option<i64>,
}

/// What the statistics know about a dossier after its latest event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Received (the clock started).
    pub received: bool,
    /// Refused before receipt.
    pub refused_at_reception: bool,
    /// Voided: counted nowhere.
    pub voided: bool,
    /// Components at receipt.
    pub reception: ReceptionFacts,
    /// Waiting for the applicant with the clock suspended.
    pub suspended: bool,
    /// The judged due moment's local date while open (none without a limit).
    pub due: Option<Date>,
    /// The end, once processing ended.
    pub end: Option<EndFacts>,
    /// How the result was returned, once it was.
    pub returned: Option<ReturnMethod>,
    /// Apology letters issued.
    pub extensions: u32,
}

impl Standing {
    /// Open: received and processing not ended.
    pub fn is_open(&self) -> bool {
        !self.voided && self.received && self.end.is_none()
    }

    /// The first day at whose end the dossier is overdue, if nothing else
    /// happens: its judged due date while open with the clock running.
    pub fn overdue_from(&self) -> Option<Date> {
        if self.is_open() && !self.suspended {
            self.due
        } else {
            None
        }
    }

    /// The levels that hold on every day from the latest event on, the
    /// overdue level apart (see [`Standing::overdue_from`]).
    pub fn values(&self) -> Counts {
        let mut c = Counts::default();
        if self.voided {
            return c;
        }
        let one = |b: bool| i64::from(b);
        c.add(Measure::RefusedAtReception, one(self.refused_at_reception));
        if !self.received {
            return c;
        }
        c.add(Measure::Received, 1);
        c.add(Measure::ReceivedDigitised, one(self.reception.digitised));
        c.add(
            Measure::ReceivedFullyDigitised,
            one(self.reception.fully_digitised),
        );
        c.add(Measure::ReceivedReused, one(self.reception.reused));
        c.add(Measure::Apologies, i64::from(self.extensions));
        match self.end {
            None => {
                c.add(Measure::Open, 1);
                c.add(Measure::AwaitingApplicant, one(self.suspended));
            }
            Some(end) => {
                c.add(Measure::Resolved, 1);
                c.add(
                    match end.classification {
                        Some(Classification::Early) => Measure::ResolvedEarly,
                        Some(Classification::OnTime) => Measure::ResolvedOnTime,
                        Some(Classification::Late) => Measure::ResolvedLate,
                        None => Measure::ResolvedWithoutLimit,
                    },
                    1,
                );
                c.add(
                    match end.outcome {
                        Outcome::Result => Measure::ResolvedResult,
                        Outcome::Refused => Measure::ResolvedRefused,
                        Outcome::Stopped => Measure::ResolvedStopped,
                        Outcome::Withdrawn => Measure::ResolvedWithdrawn,
                    },
                    1,
                );
                let result = end.outcome == Outcome::Result;
                c.add(
                    Measure::ResultsDigitised,
                    one(result && end.result_digitised),
                );
                c.add(
                    Measure::LateWithApology,
                    one(end.classification == Some(Classification::Late) && self.extensions > 0),
                );
                c.add(
                    Measure::DoneNotCollected,
                    one(result && self.returned.is_none()),
                );
                if let Some(m) = end.minutes {
                    c.add(Measure::ResolvedTimed, 1);
                    c.add(Measure::ProcessingMinutes, m);
                }
            }
        }
        if let Some(method) = self.returned {
            c.add(Measure::Returned, 1);
            c.add(Measure::ReturnedPostal, one(method == ReturnMethod::Postal));
            c.add(Measure::ReturnedOnline, one(method == ReturnMethod::Online));
        }
        c
    }

    /// The overdue level at the end of `day`.
    fn overdue_on(&self, day: Date) -> i64 {
        i64::from(self.overdue_from().is_some_and(|from| from <= day))
    }
}

/// A change of the counters on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayChange {
    /// The day.
    pub day: Date,
    /// What changes on it, per measure.
    pub counts: Counts,
}

/// The counter changes of a dossier moving from `before` to `after` by an
/// event on `day` (local date), oldest day first, without empty days.
pub fn changes(before: &Standing, after: &Standing, day: Date) -> Vec<DayChange> {
    let mut now = after.values().minus(&before.values());
    now.add(
        Measure::Overdue,
        after.overdue_on(day) - before.overdue_on(day),
    );
    let mut out = vec![DayChange { day, counts: now }];
    let mut later = |from: Option<Date>, sign: i64| {
        if let Some(from) = from.filter(|f| *f > day) {
            let mut c = Counts::default();
            c.add(Measure::Overdue, sign);
            out.push(DayChange {
                day: from,
                counts: c,
            });
        }
    };
    later(after.overdue_from(), 1);
    later(before.overdue_from(), -1);
    merge(out)
}

/// The whole contribution of a dossier from its standings after each event
/// (local date of the event, standing after it), in time order.
pub fn trajectory(steps: &[(Date, Standing)]) -> Vec<DayChange> {
    let mut prev = Standing::default();
    let mut out = Vec::new();
    for (day, s) in steps {
        out.extend(changes(&prev, s, *day));
        prev = *s;
    }
    merge(out)
}

/// The changes that undo a contribution (a voided dossier is counted
/// nowhere, in any period).
pub fn negate(changes: &[DayChange]) -> Vec<DayChange> {
    changes
        .iter()
        .map(|c| DayChange {
            day: c.day,
            counts: Counts::default().minus(&c.counts),
        })
        .collect()
}

/// Sums changes of the same day, sorts by day and drops empty ones.
pub fn merge(mut v: Vec<DayChange>) -> Vec<DayChange> {
    v.sort_by_key(|c| c.day);
    let mut out: Vec<DayChange> = Vec::with_capacity(v.len());
    for c in v {
        match out.last_mut() {
            Some(last) if last.day == c.day => last.counts.add_all(&c.counts),
            _ => out.push(c),
        }
    }
    out.retain(|c| !c.counts.is_zero());
    out
}

/// The level of every measure at the end of `day`, from a contribution.
pub fn level_on(changes: &[DayChange], day: Date) -> Counts {
    let mut c = Counts::default();
    for ch in changes.iter().filter(|ch| ch.day <= day) {
        c.add_all(&ch.counts);
    }
    c
}

/// Where an open dossier stood at the end of a day: form 06's column (12)
/// or (13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    /// In progress within the limit (awaiting the applicant counts here).
    WithinLimit,
    /// In progress and overdue.
    Overdue,
}

impl OpenState {
    /// From one dossier's levels at the end of a day ([`level_on`] of its
    /// contribution): the counters' own definition, so that a list of the
    /// dossiers behind a cell counts what the cell does. `None` when the
    /// dossier was not open then.
    pub fn of(levels: &Counts) -> Option<Self> {
        match (levels.get(Measure::Open), levels.get(Measure::Overdue)) {
            (1, 0) => Some(Self::WithinLimit),
            (1, 1) => Some(Self::Overdue),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn received(due: Option<Date>) -> Standing {
        Standing {
            received: true,
            due,
            ..Standing::default()
        }
    }

    #[test]
    fn the_open_state_of_a_day_follows_the_standing_of_that_day() {
        // Received on 3 March, due 10 March, supplement asked on 12 March
        // (clock stopped), resumed on 20 March with a due of 25 March,
        // result on 28 March.
        let due = received(Some(date(2025, 3, 10)));
        let waiting = Standing {
            suspended: true,
            ..due
        };
        let resumed = received(Some(date(2025, 3, 25)));
        let ended = Standing {
            end: Some(EndFacts {
                classification: Some(Classification::Late),
                outcome: Outcome::Result,
                result_digitised: false,
                minutes: None,
            }),
            ..resumed
        };
        let contribution = trajectory(&[
            (date(2025, 3, 3), due),
            (date(2025, 3, 12), waiting),
            (date(2025, 3, 20), resumed),
            (date(2025, 3, 28), ended),
        ]);
        let on = |d: Date| OpenState::of(&level_on(&contribution, d));
        assert_eq!(on(date(2025, 3, 2)), None);
        assert_eq!(on(date(2025, 3, 9)), Some(OpenState::WithinLimit));
        assert_eq!(on(date(2025, 3, 10)), Some(OpenState::Overdue));
        assert_eq!(on(date(2025, 3, 11)), Some(OpenState::Overdue));
        // Awaiting the applicant counts within the limit.
        assert_eq!(on(date(2025, 3, 15)), Some(OpenState::WithinLimit));
        assert_eq!(on(date(2025, 3, 24)), Some(OpenState::WithinLimit));
        assert_eq!(on(date(2025, 3, 25)), Some(OpenState::Overdue));
        assert_eq!(on(date(2025, 3, 28)), None);
    }

    #[test]
    fn a_reception_counts_on_its_day_and_turns_overdue_on_the_due_date() {
        let s = received(Some(date(2025, 3, 10)));
        let ch = changes(&Standing::default(), &s, date(2025, 3, 3));
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].day, date(2025, 3, 3));
        assert_eq!(ch[0].counts.get(Measure::Received), 1);
        assert_eq!(ch[0].counts.get(Measure::Open), 1);
        assert_eq!(ch[0].counts.get(Measure::Overdue), 0);
        assert_eq!(ch[1].day, date(2025, 3, 10));
        assert_eq!(ch[1].counts.get(Measure::Overdue), 1);
        assert_eq!(level_on(&ch, date(2025, 3, 9)).get(Measure::Overdue), 0);
        assert_eq!(level_on(&ch, date(2025, 3, 10)).get(Measure::Overdue), 1);
    }

    #[test]
    fn an_end_before_the_due_date_takes_back_the_foreseen_overdue_step() {
        let open = received(Some(date(2025, 3, 10)));
        let mut ended = open;
        ended.end = Some(EndFacts {
            classification: Some(Classification::Early),
            outcome: Outcome::Result,
            result_digitised: true,
            minutes: Some(600),
        });
        let steps = [(date(2025, 3, 3), open), (date(2025, 3, 5), ended)];
        let t = trajectory(&steps);
        for day in [date(2025, 3, 10), date(2026, 1, 1)] {
            let l = level_on(&t, day);
            assert_eq!(l.get(Measure::Overdue), 0);
            assert_eq!(l.get(Measure::Open), 0);
            assert_eq!(l.get(Measure::Resolved), 1);
            assert_eq!(l.get(Measure::ResolvedEarly), 1);
            assert_eq!(l.get(Measure::DoneNotCollected), 1);
            assert_eq!(l.get(Measure::ResultsDigitised), 1);
            assert_eq!(l.get(Measure::ResolvedTimed), 1);
            assert_eq!(l.get(Measure::ProcessingMinutes), 600);
        }
        assert_eq!(level_on(&t, date(2025, 3, 4)).get(Measure::Open), 1);
        assert_eq!(level_on(&t, date(2025, 3, 4)).get(Measure::Resolved), 0);
    }

    #[test]
    fn an_overdue_dossier_stays_overdue_in_the_past_when_it_ends_late() {
        let open = received(Some(date(2025, 3, 10)));
        let mut ended = open;
        ended.end = Some(EndFacts {
            classification: Some(Classification::Late),
            outcome: Outcome::Refused,
            result_digitised: false,
            minutes: None,
        });
        ended.extensions = 1;
        let t = trajectory(&[(date(2025, 3, 3), open), (date(2025, 3, 14), ended)]);
        assert_eq!(level_on(&t, date(2025, 3, 13)).get(Measure::Overdue), 1);
        let after = level_on(&t, date(2025, 3, 14));
        assert_eq!(after.get(Measure::Overdue), 0);
        assert_eq!(after.get(Measure::ResolvedLate), 1);
        assert_eq!(after.get(Measure::LateWithApology), 1);
        assert_eq!(after.get(Measure::DoneNotCollected), 0);
    }

    #[test]
    fn a_suspension_is_within_the_limit_and_awaits_the_applicant() {
        let open = received(Some(date(2025, 3, 10)));
        let mut waiting = open;
        waiting.suspended = true;
        let mut resumed = open;
        resumed.due = Some(date(2025, 3, 20));
        let t = trajectory(&[
            (date(2025, 3, 3), open),
            (date(2025, 3, 12), waiting),
            (date(2025, 3, 17), resumed),
        ]);
        assert_eq!(level_on(&t, date(2025, 3, 11)).get(Measure::Overdue), 1);
        let w = level_on(&t, date(2025, 3, 12));
        assert_eq!(w.get(Measure::Overdue), 0);
        assert_eq!(w.get(Measure::AwaitingApplicant), 1);
        assert_eq!(level_on(&t, date(2025, 3, 19)).get(Measure::Overdue), 0);
        assert_eq!(level_on(&t, date(2025, 3, 20)).get(Measure::Overdue), 1);
        assert_eq!(
            level_on(&t, date(2025, 3, 20)).get(Measure::AwaitingApplicant),
            0
        );
    }

    #[test]
    fn negating_a_trajectory_leaves_nothing() {
        let open = received(Some(date(2025, 3, 10)));
        let t = trajectory(&[(date(2025, 3, 3), open)]);
        let mut all = t.clone();
        all.extend(negate(&t));
        assert!(merge(all).is_empty());
    }
}
