//! The counted measures of the statistics layer and their sums.
//!
//! Every measure is kept as a *level* over days: a dossier's contribution
//! to measure `m` on day `d` is its value at the end of `d`. Flows
//! (received, resolved, returned, letters) are cumulative levels, so the
//! flow over `[from, to]` is the level at `to` minus the level the day
//! before `from`; states (open, overdue, awaiting the applicant, done and
//! not collected) are levels as they are. Storage keeps the day-to-day
//! changes of these levels, so any period is two prefix sums.

use serde::{Deserialize, Serialize};

macro_rules! measures {
    ($($(#[$m:meta])* $v:ident => $col:literal),+ $(,)?) => {
        /// A counted measure; its name is the column that stores it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Measure { $($(#[$m])* $v),+ }

        impl Measure {
            /// Every measure, in column order.
            pub const ALL: &'static [Measure] = &[$(Measure::$v),+];

            /// The storage column (and CSV name) of the measure.
            pub fn column(self) -> &'static str {
                match self { $(Measure::$v => $col),+ }
            }
        }
    };
}

measures! {
    /// Received (flow, on the receipt day).
    Received => "received",
    /// Received with at least one digitised component (flow, at receipt).
    ReceivedDigitised => "received_digitised",
    /// Received with every component digitised (flow, at receipt).
    ReceivedFullyDigitised => "received_fully_digitised",
    /// Received with at least one reused component (flow, at receipt).
    ReceivedReused => "received_reused",
    /// Refused before receipt (an online submission refused by the desk).
    RefusedAtReception => "refused_at_reception",
    /// Processing ended (flow, on the end day).
    Resolved => "resolved",
    /// Ended before the due date.
    ResolvedEarly => "resolved_early",
    /// Ended on the due date, not after the due moment.
    ResolvedOnTime => "resolved_on_time",
    /// Ended after the due moment.
    ResolvedLate => "resolved_late",
    /// Ended without a time limit (shown apart from on-time figures).
    ResolvedWithoutLimit => "resolved_without_limit",
    /// Ended with a result.
    ResolvedResult => "resolved_result",
    /// Refused after receipt.
    ResolvedRefused => "resolved_refused",
    /// Processing stopped.
    ResolvedStopped => "resolved_stopped",
    /// Withdrawn by the applicant.
    ResolvedWithdrawn => "resolved_withdrawn",
    /// Ended with a result that has an electronic file.
    ResultsDigitised => "results_digitised",
    /// Ended late with an apology letter issued.
    LateWithApology => "late_with_apology",
    /// Apology letters issued (flow, on the letter's day).
    Apologies => "apologies",
    /// Results returned (flow, on the return day).
    Returned => "returned",
    /// Returned by post.
    ReturnedPostal => "returned_postal",
    /// Returned online.
    ReturnedOnline => "returned_online",
    /// Open: received and processing not ended (state).
    Open => "open",
    /// Open, clock running, judged due date passed (state).
    Overdue => "overdue",
    /// Open and waiting for the applicant: supplement or a pausing
    /// financial obligation (state).
    AwaitingApplicant => "awaiting_applicant",
    /// Ended with a result not yet returned (state).
    DoneNotCollected => "done_not_collected",
    /// Ended with its processing time measured (flow, on the end day; the
    /// base of the average processing time).
    ResolvedTimed => "resolved_timed",
    /// Processing time of the dossiers ended, in office minutes less the
    /// suspensions (flow, on the end day; migration 0010).
    ProcessingMinutes => "processing_minutes",
}

/// How many measures there are.
pub const MEASURES: usize = 26;

/// One value per measure, in [`Measure::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Counts(pub [i64; MEASURES]);

impl Counts {
    /// The value of a measure.
    pub fn get(&self, m: Measure) -> i64 {
        self.0[m as usize]
    }

    /// Adds `n` to a measure.
    pub fn add(&mut self, m: Measure, n: i64) {
        self.0[m as usize] += n;
    }

    /// Adds every measure of `other`.
    pub fn add_all(&mut self, other: &Counts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += *b;
        }
    }

    /// `self - other`, measure by measure.
    pub fn minus(&self, other: &Counts) -> Counts {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a -= *b;
        }
        out
    }

    /// Whether every measure is zero.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    /// Builds counts from values in [`Measure::ALL`] order (storage rows).
    pub fn from_values(values: &[i64]) -> Option<Counts> {
        <[i64; MEASURES]>::try_from(values).ok().map(Counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_has_its_own_slot_and_column() {
        assert_eq!(Measure::ALL.len(), MEASURES);
        for (i, m) in Measure::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
        }
        let mut cols: Vec<&str> = Measure::ALL.iter().map(|m| m.column()).collect();
        cols.sort_unstable();
        cols.dedup();
        assert_eq!(cols.len(), MEASURES);
    }

    #[test]
    fn counts_add_and_subtract_per_measure() {
        let mut a = Counts::default();
        a.add(Measure::Received, 3);
        a.add(Measure::Overdue, -1);
        let mut b = Counts::default();
        b.add(Measure::Received, 1);
        let d = a.minus(&b);
        assert_eq!(d.get(Measure::Received), 2);
        assert_eq!(d.get(Measure::Overdue), -1);
        assert_eq!(d.get(Measure::Open), 0);
        let mut c = b;
        c.add_all(&d);
        assert_eq!(c, a);
        assert!(Counts::default().is_zero());
        assert!(!a.is_zero());
    }
}
