//! The figures of a period (domain.md §9), defined once from the counters:
//! every report, export and page reads them from here.

use serde::Serialize;

use super::measure::{Counts, Measure};
use crate::catalog::OnlineLevel;
use crate::dossier::Channel;

/// The figures of one group (a unit, a sector, a procedure…) for a period.
/// The first twelve are form 06/VPCP/KSTT's columns (3)–(13) in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Figures {
    /// (3) To process: received online + in person or postal + carried over.
    pub received_total: i64,
    /// (4) Received online in the period.
    pub received_online: i64,
    /// (5) Received in person or by post in the period.
    pub received_in_person_or_postal: i64,
    /// (6) Carried over: received before the period, not ended before it.
    pub carried_over: i64,
    /// (7) Resolved in the period.
    pub resolved: i64,
    /// (8) Resolved before the due date.
    pub early: i64,
    /// (9) Resolved on time.
    pub on_time: i64,
    /// (10) Resolved late.
    pub late: i64,
    /// (11) In progress at the period's end.
    pub in_progress: i64,
    /// (12) In progress within the limit (awaiting the applicant included).
    pub within_limit: i64,
    /// (13) In progress and overdue.
    pub overdue: i64,
    /// Resolved without a time limit (in (7), apart from (8)–(10)).
    pub resolved_without_limit: i64,
    /// In progress and waiting for the applicant (in (12)).
    pub awaiting_applicant: i64,
    /// Received by post in the period (in (5)).
    pub received_postal: i64,
    /// Received in the period for procedures offering online service.
    pub received_online_eligible: i64,
    /// Received in the period for full-process online procedures.
    pub received_full_process: i64,
    /// Of those, received online.
    pub received_full_process_online: i64,
    /// Resolved with a result.
    pub resolved_result: i64,
    /// Refused after receipt.
    pub refused: i64,
    /// Stopped.
    pub stopped: i64,
    /// Withdrawn.
    pub withdrawn: i64,
    /// Done but not returned at the period's end.
    pub done_not_collected: i64,
    /// Online submissions refused before receipt in the period.
    pub refused_at_reception: i64,
    /// Apology letters issued in the period.
    pub apologies: i64,
    /// Late dossiers (resolved in the period) with an apology letter.
    pub late_with_apology: i64,
    /// Received with at least one digitised component.
    pub received_digitised: i64,
    /// Received with every component digitised.
    pub received_fully_digitised: i64,
    /// Received with a reused component.
    pub received_reused: i64,
    /// Results with an electronic file.
    pub results_digitised: i64,
    /// Results returned in the period.
    pub returned: i64,
    /// Returned by post.
    pub returned_postal: i64,
    /// Returned online.
    pub returned_online: i64,
    /// Resolved with a measured processing time (the average's base).
    pub resolved_timed: i64,
    /// Their processing time: office minutes less suspensions.
    pub processing_minutes: i64,
}

/// Office minutes in a working day (07:00–11:30 and 13:30–17:00, the
/// default schedule): averages are shown in working days of this length.
pub const WORKING_DAY_MINUTES: i64 = 480;

/// A rate with its base: every percentage shows it (domain.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate {
    /// Numerator.
    pub num: i64,
    /// Denominator.
    pub den: i64,
}

impl Rate {
    /// The rate in percent, `None` when the base is zero.
    pub fn percent(&self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 * 100.0 / self.den as f64)
    }

    /// The percentage with two decimals, empty when the base is zero.
    pub fn display(&self) -> String {
        self.percent()
            .map(|p| format!("{p:.2}"))
            .unwrap_or_default()
    }
}

/// The names of the rates, in the order [`Figures::rates`] gives them.
pub const RATE_NAMES: [&str; 13] = [
    "on_time_rate",
    "on_time_rate_workload",
    "online_rate",
    "online_rate_eligible",
    "full_process_online_rate",
    "postal_rate",
    "returned_postal_rate",
    "digitised_rate",
    "fully_digitised_rate",
    "results_digitised_rate",
    "reuse_rate",
    "apology_rate",
    "resolved_rate",
];

impl Figures {
    /// Adds one counter group: its channel, its procedure's online service
    /// level, and its levels at the end of the day before the period and at
    /// the end of the period.
    pub fn add_group(
        &mut self,
        channel: Channel,
        online: OnlineLevel,
        before: &Counts,
        at_end: &Counts,
    ) {
        let flow = at_end.minus(before);
        let f = |m: Measure| flow.get(m);
        let received = f(Measure::Received);
        match channel {
            Channel::Online => self.received_online += received,
            Channel::Postal => {
                self.received_in_person_or_postal += received;
                self.received_postal += received;
            }
            Channel::InPerson => self.received_in_person_or_postal += received,
        }
        if online != OnlineLevel::None {
            self.received_online_eligible += received;
        }
        if online == OnlineLevel::FullProcess {
            self.received_full_process += received;
            if channel == Channel::Online {
                self.received_full_process_online += received;
            }
        }
        let carried = before.get(Measure::Open);
        self.carried_over += carried;
        self.received_total += received + carried;
        self.resolved += f(Measure::Resolved);
        self.early += f(Measure::ResolvedEarly);
        self.on_time += f(Measure::ResolvedOnTime);
        self.late += f(Measure::ResolvedLate);
        self.resolved_without_limit += f(Measure::ResolvedWithoutLimit);
        let open = at_end.get(Measure::Open);
        let overdue = at_end.get(Measure::Overdue);
        self.in_progress += open;
        self.overdue += overdue;
        self.within_limit += open - overdue;
        self.awaiting_applicant += at_end.get(Measure::AwaitingApplicant);
        self.resolved_result += f(Measure::ResolvedResult);
        self.refused += f(Measure::ResolvedRefused);
        self.stopped += f(Measure::ResolvedStopped);
        self.withdrawn += f(Measure::ResolvedWithdrawn);
        self.done_not_collected += at_end.get(Measure::DoneNotCollected);
        self.refused_at_reception += f(Measure::RefusedAtReception);
        self.apologies += f(Measure::Apologies);
        self.late_with_apology += f(Measure::LateWithApology);
        self.received_digitised += f(Measure::ReceivedDigitised);
        self.received_fully_digitised += f(Measure::ReceivedFullyDigitised);
        self.received_reused += f(Measure::ReceivedReused);
        self.results_digitised += f(Measure::ResultsDigitised);
        self.returned += f(Measure::Returned);
        self.returned_postal += f(Measure::ReturnedPostal);
        self.returned_online += f(Measure::ReturnedOnline);
        self.resolved_timed += f(Measure::ResolvedTimed);
        self.processing_minutes += f(Measure::ProcessingMinutes);
    }

    /// Adds another group's figures (totals sum counts, never rates).
    pub fn add(&mut self, o: &Figures) {
        macro_rules! sum {
            ($($f:ident),+) => { $(self.$f += o.$f;)+ };
        }
        sum!(
            received_total,
            received_online,
            received_in_person_or_postal,
            carried_over,
            resolved,
            early,
            on_time,
            late,
            in_progress,
            within_limit,
            overdue,
            resolved_without_limit,
            awaiting_applicant,
            received_postal,
            received_online_eligible,
            received_full_process,
            received_full_process_online,
            resolved_result,
            refused,
            stopped,
            withdrawn,
            done_not_collected,
            refused_at_reception,
            apologies,
            late_with_apology,
            received_digitised,
            received_fully_digitised,
            received_reused,
            results_digitised,
            returned,
            returned_postal,
            returned_online,
            resolved_timed,
            processing_minutes
        );
    }

    /// The average processing time (domain.md §9) in working days of
    /// [`WORKING_DAY_MINUTES`], `None` without a base.
    pub fn average_days(&self) -> Option<f64> {
        (self.resolved_timed > 0).then(|| {
            self.processing_minutes as f64 / self.resolved_timed as f64 / WORKING_DAY_MINUTES as f64
        })
    }

    /// [`Figures::average_days`] with two decimals, empty without a base.
    pub fn average_days_display(&self) -> String {
        self.average_days()
            .map(|d| format!("{d:.2}"))
            .unwrap_or_default()
    }

    /// Dossiers received in the period, by any channel.
    pub fn received(&self) -> i64 {
        self.received_online + self.received_in_person_or_postal
    }

    /// The rates of §9, named by [`RATE_NAMES`]:
    /// - on time, resolved-based: (early + on time) ÷ resolved with a limit;
    /// - on time, workload-based: (early + on time + within the limit) ÷
    ///   to process with a limit;
    /// - online: online ÷ received; and ÷ received for procedures offering
    ///   online service; full-process online ÷ their received;
    /// - postal: postal ÷ received; returned by post ÷ returned;
    /// - digitisation (§7): ÷ received, results ÷ resolved with a result;
    /// - apology compliance: late with a letter ÷ late;
    /// - resolved ÷ to process.
    pub fn rates(&self) -> [Rate; 13] {
        let r = |num, den| Rate { num, den };
        let in_time = self.early + self.on_time;
        let judged = in_time + self.late;
        let received = self.received();
        [
            r(in_time, judged),
            r(
                in_time + self.within_limit,
                self.received_total - self.resolved_without_limit,
            ),
            r(self.received_online, received),
            r(self.received_online, self.received_online_eligible),
            r(
                self.received_full_process_online,
                self.received_full_process,
            ),
            r(self.received_postal, received),
            r(self.returned_postal, self.returned),
            r(self.received_digitised, received),
            r(self.received_fully_digitised, received),
            r(self.results_digitised, self.resolved_result),
            r(self.received_reused, received),
            r(self.late_with_apology, self.late),
            r(self.resolved, self.received_total),
        ]
    }

    /// The identities of form 06: (3) = (4)+(5)+(6) = (7)+(11),
    /// (7) = (8)+(9)+(10) + without limit, (11) = (12)+(13).
    pub fn identities_hold(&self) -> bool {
        self.received_total
            == self.received_online + self.received_in_person_or_postal + self.carried_over
            && self.received_total == self.resolved + self.in_progress
            && self.resolved == self.early + self.on_time + self.late + self.resolved_without_limit
            && self.in_progress == self.within_limit + self.overdue
    }

    /// The counts in CSV order after the form's columns: the names, then
    /// [`Figures::values`] in the same order.
    pub const NAMES: [&'static str; 34] = [
        "received_total",
        "received_online",
        "received_in_person_or_postal",
        "carried_over",
        "resolved",
        "early",
        "on_time",
        "late",
        "in_progress",
        "within_limit",
        "overdue",
        "resolved_without_limit",
        "awaiting_applicant",
        "received_postal",
        "received_online_eligible",
        "received_full_process",
        "received_full_process_online",
        "resolved_result",
        "refused",
        "stopped",
        "withdrawn",
        "done_not_collected",
        "refused_at_reception",
        "apologies",
        "late_with_apology",
        "received_digitised",
        "received_fully_digitised",
        "received_reused",
        "results_digitised",
        "returned",
        "returned_postal",
        "returned_online",
        "resolved_timed",
        "processing_minutes",
    ];

    /// The counts in [`Figures::NAMES`] order.
    pub fn values(&self) -> [i64; 34] {
        [
            self.received_total,
            self.received_online,
            self.received_in_person_or_postal,
            self.carried_over,
            self.resolved,
            self.early,
            self.on_time,
            self.late,
            self.in_progress,
            self.within_limit,
            self.overdue,
            self.resolved_without_limit,
            self.awaiting_applicant,
            self.received_postal,
            self.received_online_eligible,
            self.received_full_process,
            self.received_full_process_online,
            self.resolved_result,
            self.refused,
            self.stopped,
            self.withdrawn,
            self.done_not_collected,
            self.refused_at_reception,
            self.apologies,
            self.late_with_apology,
            self.received_digitised,
            self.received_fully_digitised,
            self.received_reused,
            self.results_digitised,
            self.returned,
            self.returned_postal,
            self.returned_online,
            self.resolved_timed,
            self.processing_minutes,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(Measure, i64)]) -> Counts {
        let mut c = Counts::default();
        for (m, n) in pairs {
            c.add(*m, *n);
        }
        c
    }

    #[test]
    fn the_form_columns_follow_from_two_levels() {
        // Before the period: 10 received, 7 ended (3 open, 1 of them overdue).
        let before = counts(&[
            (Measure::Received, 10),
            (Measure::Resolved, 7),
            (Measure::ResolvedOnTime, 7),
            (Measure::Open, 3),
            (Measure::Overdue, 1),
        ]);
        // At its end: 15 received, 13 ended (4 early, 8 on time, 1 late
        // in the period), 2 open, 1 overdue.
        let end = counts(&[
            (Measure::Received, 15),
            (Measure::Resolved, 13),
            (Measure::ResolvedEarly, 4),
            (Measure::ResolvedOnTime, 8),
            (Measure::ResolvedLate, 1),
            (Measure::Open, 2),
            (Measure::Overdue, 1),
        ]);
        let mut f = Figures::default();
        f.add_group(Channel::Online, OnlineLevel::FullProcess, &before, &end);
        assert_eq!(f.received_online, 5);
        assert_eq!(f.received_in_person_or_postal, 0);
        assert_eq!(f.carried_over, 3);
        assert_eq!(f.received_total, 8);
        assert_eq!(f.resolved, 6);
        assert_eq!((f.early, f.on_time, f.late), (4, 1, 1));
        assert_eq!((f.in_progress, f.within_limit, f.overdue), (2, 1, 1));
        assert!(f.identities_hold());
        let rates = f.rates();
        assert_eq!(rates[0], Rate { num: 5, den: 6 });
        assert_eq!(rates[2], Rate { num: 5, den: 5 });
        assert_eq!(rates[0].display(), "83.33");
        assert_eq!(Rate { num: 0, den: 0 }.display(), "");
    }

    #[test]
    fn the_average_processing_time_is_in_working_days() {
        let before = counts(&[
            (Measure::ResolvedTimed, 1),
            (Measure::ProcessingMinutes, 100),
        ]);
        // Two more ended in the period: 480 + 240 office minutes.
        let end = counts(&[
            (Measure::ResolvedTimed, 3),
            (Measure::ProcessingMinutes, 820),
        ]);
        let mut f = Figures::default();
        f.add_group(Channel::InPerson, OnlineLevel::None, &before, &end);
        assert_eq!((f.resolved_timed, f.processing_minutes), (2, 720));
        assert_eq!(f.average_days(), Some(0.75));
        assert_eq!(f.average_days_display(), "0.75");
        assert_eq!(Figures::default().average_days_display(), "");
    }

    #[test]
    fn names_and_values_line_up() {
        let f = Figures {
            carried_over: 7,
            returned_online: 9,
            ..Figures::default()
        };
        let v = f.values();
        let at = |n: &str| Figures::NAMES.iter().position(|x| *x == n).unwrap();
        assert_eq!(v[at("carried_over")], 7);
        assert_eq!(v[at("returned_online")], 9);
        assert_eq!(
            Figures::NAMES[..11],
            [
                "received_total",
                "received_online",
                "received_in_person_or_postal",
                "carried_over",
                "resolved",
                "early",
                "on_time",
                "late",
                "in_progress",
                "within_limit",
                "overdue",
            ]
        );
        let mut sum = Figures::default();
        sum.add(&f);
        sum.add(&f);
        assert_eq!(sum.carried_over, 14);
    }
}
