//! A dossier's deadline clock folded from its timeline, and step clocks
//! (domain.md §5 "Steps", §6).

use jiff::SignedDuration;
use jiff::civil::{DateTime, Time};
use serde::{Deserialize, Serialize};

use super::status::Outcome;
use crate::deadline::{
    Classification, DueTracker, OpenStatus, SuspensionPolicy, TimeLimit, WorkTime, classify,
};
use crate::error::DomainError;

/// Which due moment lateness is judged against (configurable per province;
/// default [`DueBasis::Original`], so an extended dossier counts late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueBasis {
    /// The due moment moved only by suspensions.
    #[default]
    Original,
    /// The appointment after extensions (apology letters).
    Current,
}

/// A procedure's clock settings (domain.md Appendix A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockPolicy {
    /// What a supplement wait (and a pausing financial wait) does: pause
    /// (default) or restart.
    pub suspension: SuspensionPolicy,
    /// Whether waiting for a financial obligation suspends the clock
    /// (default yes); when not, the clock runs through the wait.
    pub financial_obligation_pauses: bool,
    /// The due moment an end is classified against.
    pub judge_against: DueBasis,
}

impl Default for ClockPolicy {
    fn default() -> Self {
        Self {
            suspension: SuspensionPolicy::Pause,
            financial_obligation_pauses: true,
            judge_against: DueBasis::Original,
        }
    }
}

/// A moment of a dossier's timeline after receipt that matters to its clock,
/// in local civil time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ClockEvent {
    /// A supplement request was issued during processing.
    SupplementRequested {
        /// When.
        at: DateTime,
    },
    /// The supplement was supplied; processing resumes.
    SupplementSupplied {
        /// When.
        at: DateTime,
    },
    /// A financial obligation was notified.
    FinancialObligationRequested {
        /// When.
        at: DateTime,
    },
    /// The financial obligation was settled.
    FinancialObligationSettled {
        /// When.
        at: DateTime,
    },
    /// An apology letter gave a new appointment.
    Extended {
        /// When the letter was issued.
        at: DateTime,
        /// The new appointment.
        new_due: DateTime,
    },
    /// Processing ended (done, refused, stopped or withdrawn at the request).
    Ended {
        /// When.
        at: DateTime,
        /// How.
        outcome: Outcome,
    },
}

impl ClockEvent {
    /// The event's moment.
    pub fn at(&self) -> DateTime {
        match *self {
            Self::SupplementRequested { at }
            | Self::SupplementSupplied { at }
            | Self::FinancialObligationRequested { at }
            | Self::FinancialObligationSettled { at }
            | Self::Extended { at, .. }
            | Self::Ended { at, .. } => at,
        }
    }
}

/// What a dossier is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wait {
    /// A supplement.
    Supplement,
    /// A financial obligation.
    FinancialObligation,
}

/// A dossier's deadline state: its due moments as its timeline moved them,
/// the wait it is in, and its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierClock {
    policy: ClockPolicy,
    start: DateTime,
    tracker: DueTracker,
    wait: Option<(Wait, DateTime)>,
    last: DateTime,
    end: Option<(DateTime, Outcome)>,
    /// Office minutes inside the suspensions so far (the waits that stop
    /// the clock), subtracted from the processing time.
    suspended_minutes: i64,
}

impl DossierClock {
    /// Starts the clock at receipt with the procedure's limit and late-day
    /// cut-off.
    pub fn receive(
        work: &WorkTime<'_>,
        receipt: DateTime,
        limit: TimeLimit,
        cutoff: Option<Time>,
        policy: ClockPolicy,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            policy,
            start: work.normalize(receipt, cutoff)?,
            tracker: DueTracker::start(work, receipt, limit, cutoff)?,
            wait: None,
            last: receipt,
            end: None,
            suspended_minutes: 0,
        })
    }

    /// Receipt then every event, in order (see [`Self::apply`]).
    pub fn fold(
        work: &WorkTime<'_>,
        receipt: DateTime,
        limit: TimeLimit,
        cutoff: Option<Time>,
        policy: ClockPolicy,
        events: &[ClockEvent],
    ) -> Result<Self, DomainError> {
        let mut clock = Self::receive(work, receipt, limit, cutoff, policy)?;
        for event in events {
            clock.apply(work, event)?;
        }
        Ok(clock)
    }

    /// Applies the next event of the timeline. Refuses an event earlier than
    /// the previous one, any event after the end, a request while another
    /// wait is open, and a resumption without its request; on error nothing
    /// changes. Ending during a wait closes the wait at the end moment.
    pub fn apply(&mut self, work: &WorkTime<'_>, event: &ClockEvent) -> Result<(), DomainError> {
        let at = event.at();
        if let Some((ended, _)) = self.end {
            return Err(DomainError::invalid(
                "timeline",
                format!("processing ended at {ended}; nothing can follow"),
            ));
        }
        if at < self.last {
            return Err(DomainError::invalid(
                "timeline",
                format!(
                    "an event at {at} comes before the previous one at {}",
                    self.last
                ),
            ));
        }
        let mut next = self.clone();
        match *event {
            ClockEvent::SupplementRequested { .. } => next.open(Wait::Supplement, at)?,
            ClockEvent::FinancialObligationRequested { .. } => {
                next.open(Wait::FinancialObligation, at)?;
            }
            ClockEvent::SupplementSupplied { .. } => next.close(work, Wait::Supplement, at)?,
            ClockEvent::FinancialObligationSettled { .. } => {
                next.close(work, Wait::FinancialObligation, at)?;
            }
            ClockEvent::Extended { new_due, .. } => next.tracker.extend(new_due)?,
            ClockEvent::Ended { outcome, .. } => {
                if let Some((wait, _)) = next.wait {
                    next.close(work, wait, at)?;
                }
                next.end = Some((at, outcome));
            }
        }
        next.last = at;
        *self = next;
        Ok(())
    }

    fn open(&mut self, wait: Wait, at: DateTime) -> Result<(), DomainError> {
        if let Some((open, since)) = self.wait {
            return Err(DomainError::invalid(
                "timeline",
                format!("already waiting for {open:?} since {since}"),
            ));
        }
        self.wait = Some((wait, at));
        Ok(())
    }

    fn close(&mut self, work: &WorkTime<'_>, wait: Wait, at: DateTime) -> Result<(), DomainError> {
        let Some((open, since)) = self.wait.filter(|&(open, _)| open == wait) else {
            return Err(DomainError::invalid(
                "timeline",
                format!("no {wait:?} wait is open at {at}"),
            ));
        };
        if open == Wait::Supplement || self.policy.financial_obligation_pauses {
            self.tracker
                .suspend(work, since, at, self.policy.suspension)?;
            self.suspended_minutes += work.office_minutes_between(since, at)?;
        }
        self.wait = None;
        Ok(())
    }

    /// The policy the clock runs under.
    pub fn policy(&self) -> ClockPolicy {
        self.policy
    }

    /// Where the clock started: the receipt normalised (cut-off, next
    /// opening).
    pub fn start(&self) -> DateTime {
        self.start
    }

    /// The due moments (original, current, extensions).
    pub fn tracker(&self) -> &DueTracker {
        &self.tracker
    }

    /// The due moment moved only by suspensions; `None` without a limit.
    pub fn original_due(&self) -> Option<DateTime> {
        self.tracker.original_due()
    }

    /// The appointment after extensions; `None` without a limit.
    pub fn current_due(&self) -> Option<DateTime> {
        self.tracker.current_due()
    }

    /// The due moment lateness is judged against, per the policy.
    pub fn judged_due(&self) -> Option<DateTime> {
        match self.policy.judge_against {
            DueBasis::Original => self.original_due(),
            DueBasis::Current => self.current_due(),
        }
    }

    /// The wait the dossier is in, and since when.
    pub fn wait(&self) -> Option<(Wait, DateTime)> {
        self.wait
    }

    /// Whether the clock is suspended now: a supplement wait, or a financial
    /// wait when it pauses.
    pub fn is_suspended(&self) -> bool {
        match self.wait {
            Some((Wait::Supplement, _)) => true,
            Some((Wait::FinancialObligation, _)) => self.policy.financial_obligation_pauses,
            None => false,
        }
    }

    /// When and how processing ended.
    pub fn end(&self) -> Option<(DateTime, Outcome)> {
        self.end
    }

    /// The processing time once ended (domain.md §9, average processing
    /// time): office minutes from the clock's start to the end, less the
    /// office minutes inside suspensions. `None` while open.
    pub fn net_minutes(&self, work: &WorkTime<'_>) -> Result<Option<i64>, DomainError> {
        let Some((end, _)) = self.end else {
            return Ok(None);
        };
        let gross = if end > self.start {
            work.office_minutes_between(self.start, end)?
        } else {
            0
        };
        Ok(Some((gross - self.suspended_minutes).max(0)))
    }

    /// How the end met the judged due moment (domain.md §6): `None` while
    /// open or for a procedure without a limit (excluded from on-time
    /// figures).
    pub fn classify_end(&self) -> Option<Classification> {
        let (end, _) = self.end?;
        Some(classify(end, self.judged_due()?))
    }

    /// Where the open dossier stands at `at` (at or after its last event)
    /// against the judged due moment: overdue, near due or not yet due; a
    /// suspended dossier is not yet due. `threshold` is the unit's near-due
    /// threshold, or `None` for the default (the smaller of one working day
    /// and a quarter of the limit). `None` once ended or without a limit.
    pub fn open_status_at(
        &self,
        work: &WorkTime<'_>,
        at: DateTime,
        threshold: Option<SignedDuration>,
    ) -> Result<Option<OpenStatus>, DomainError> {
        if self.end.is_some() {
            return Ok(None);
        }
        let Some(due) = self.judged_due() else {
            return Ok(None);
        };
        let threshold = match threshold {
            Some(t) => t,
            None => work.default_near_due_threshold(self.start, due)?,
        };
        work.open_status(at, due, threshold, self.is_suspended())
            .map(Some)
    }
}

/// Province settings for apology letters (domain.md §6 "Extension and
/// apology"; defaults: lead time 0, extensions unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ExtensionPolicy {
    /// A letter later than the original due moment minus this lead time is
    /// flagged.
    pub lead_time: SignedDuration,
    /// The most extensions a dossier may have; `None` for unlimited.
    pub max_extensions: Option<u32>,
}

/// The verdict on a new apology letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtensionCheck {
    /// The letter comes later than the original due moment minus the lead
    /// time: allowed, but flagged in reports.
    pub late_letter: bool,
}

impl DossierClock {
    /// Checks an apology letter issued at `letter_at` before it is applied:
    /// refused once the dossier has ended, has no time limit, or already has
    /// the most extensions allowed; flagged when late.
    pub fn check_extension(
        &self,
        letter_at: DateTime,
        policy: ExtensionPolicy,
    ) -> Result<ExtensionCheck, DomainError> {
        if self.end.is_some() {
            return Err(DomainError::invalid(
                "extension",
                "processing has ended; there is no appointment left to extend",
            ));
        }
        let Some(original) = self.original_due() else {
            return Err(DomainError::invalid(
                "extension",
                "a procedure without a time limit cannot be extended",
            ));
        };
        let done = self.tracker.extensions();
        if let Some(max) = policy.max_extensions
            && done >= max
        {
            return Err(DomainError::invalid(
                "extension",
                format!("the dossier already has {done} extensions, the most allowed ({max})"),
            ));
        }
        let latest = original.checked_sub(policy.lead_time).map_err(|e| {
            DomainError::invalid("extension", format!("lead time {}: {e}", policy.lead_time))
        })?;
        Ok(ExtensionCheck {
            late_letter: letter_at > latest,
        })
    }
}

/// One step instance's clock: its due moment from its start and the step's
/// allotted time, on the same engine as the dossier (no late-day cut-off).
/// Step lateness never moves the dossier's due moment: the two clocks are
/// separate values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepClock {
    start: DateTime,
    tracker: DueTracker,
}

impl StepClock {
    /// Starts a step at its hand-over moment.
    pub fn start(
        work: &WorkTime<'_>,
        start: DateTime,
        allotted: TimeLimit,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            start: work.normalize(start, None)?,
            tracker: DueTracker::start(work, start, allotted, None)?,
        })
    }

    /// The step's due moment, moved by suspensions; `None` without an
    /// allotted time.
    pub fn due(&self) -> Option<DateTime> {
        self.tracker.original_due()
    }

    /// Moves the due moment for a wait inside the step, as for the dossier.
    pub fn suspend(
        &mut self,
        work: &WorkTime<'_>,
        from: DateTime,
        to: DateTime,
        policy: SuspensionPolicy,
    ) -> Result<(), DomainError> {
        self.tracker.suspend(work, from, to, policy)
    }

    /// How a step ending at `end` met its own due moment.
    pub fn classify_end(&self, end: DateTime) -> Option<Classification> {
        Some(classify(end, self.due()?))
    }

    /// Where the open step stands at `at` (see
    /// [`DossierClock::open_status_at`]).
    pub fn open_status_at(
        &self,
        work: &WorkTime<'_>,
        at: DateTime,
        threshold: Option<SignedDuration>,
        suspended: bool,
    ) -> Result<Option<OpenStatus>, DomainError> {
        let Some(due) = self.due() else {
            return Ok(None);
        };
        let threshold = match threshold {
            Some(t) => t,
            None => work.default_near_due_threshold(self.start, due)?,
        };
        work.open_status(at, due, threshold, suspended).map(Some)
    }
}

/// The planned due moments of a process's steps when each starts at the
/// previous one's due moment (or, for a step without a limit, at the same
/// start as the step before): what a control slip plans before hand-overs
/// happen.
pub fn planned_step_dues(
    work: &WorkTime<'_>,
    start: DateTime,
    allotted: &[TimeLimit],
) -> Result<Vec<Option<DateTime>>, DomainError> {
    let mut at = start;
    let mut dues = Vec::with_capacity(allotted.len());
    for &limit in allotted {
        let due = StepClock::start(work, at, limit)?.due();
        if let Some(due) = due {
            at = due;
        }
        dues.push(due);
    }
    Ok(dues)
}
