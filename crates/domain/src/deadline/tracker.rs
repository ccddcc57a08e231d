//! A dossier's (or step's) due moments as suspensions and extensions move
//! them.

use jiff::civil::{DateTime, Time};

use super::limit::TimeLimit;
use super::work_time::WorkTime;
use crate::error::DomainError;

/// What a suspension (waiting for a supplement or, by default, a financial
/// obligation) does to the clock; configurable per procedure, default
/// [`SuspensionPolicy::Pause`]. Decree 118/2025/NĐ-CP does not settle this in
/// any text we could read (domain.md §6).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionPolicy {
    /// The clock stops: the due moment moves by the office time inside the
    /// suspension.
    #[default]
    Pause,
    /// The clock restarts: the full limit counts again from resumption.
    Restart,
}

/// The due moments of one dossier or step, folded from its events.
///
/// `original_due` moves only with suspensions; `current_due` is the
/// appointment the applicant holds, which an extension (an apology letter,
/// form 04, with a new appointment) moves later. Which one classification
/// uses is configurable (default `original_due`, so an extended dossier
/// counts late). Both are `None` for a procedure without a time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTracker {
    limit: TimeLimit,
    cutoff: Option<Time>,
    original_due: Option<DateTime>,
    current_due: Option<DateTime>,
    extensions: u32,
}

impl DueTracker {
    /// Starts the clock at receipt.
    pub fn start(
        work: &WorkTime<'_>,
        receipt: DateTime,
        limit: TimeLimit,
        cutoff: Option<Time>,
    ) -> Result<Self, DomainError> {
        let due = work.due_moment(receipt, limit, cutoff)?;
        Ok(Self {
            limit,
            cutoff,
            original_due: due,
            current_due: due,
            extensions: 0,
        })
    }

    /// Restores a tracker from stored values (e.g. database columns).
    pub fn from_parts(
        limit: TimeLimit,
        cutoff: Option<Time>,
        original_due: Option<DateTime>,
        current_due: Option<DateTime>,
        extensions: u32,
    ) -> Result<Self, DomainError> {
        let limit = limit.validate()?;
        if original_due.is_some() != current_due.is_some() {
            return Err(DomainError::invalid(
                "due",
                "original and current due must both be set or both be empty",
            ));
        }
        Ok(Self {
            limit,
            cutoff,
            original_due,
            current_due,
            extensions,
        })
    }

    /// The time limit.
    pub fn limit(&self) -> TimeLimit {
        self.limit
    }

    /// The late-day cut-off applied at receipt (and at a restart).
    pub fn cutoff(&self) -> Option<Time> {
        self.cutoff
    }

    /// The due moment moved only by suspensions.
    pub fn original_due(&self) -> Option<DateTime> {
        self.original_due
    }

    /// The appointment currently held, after any extensions.
    pub fn current_due(&self) -> Option<DateTime> {
        self.current_due
    }

    /// How many extensions (apology letters) were applied.
    pub fn extensions(&self) -> u32 {
        self.extensions
    }

    /// Applies a suspension from `start` to `end` (the resumption).
    ///
    /// Under [`SuspensionPolicy::Pause`] both due moments move by the office
    /// time inside the interval. Under [`SuspensionPolicy::Restart`] the
    /// full limit counts again from `end`; an extended appointment later
    /// than that is kept, since the applicant holds it. Refuses an interval
    /// that ends before it starts; on error nothing changes.
    pub fn suspend(
        &mut self,
        work: &WorkTime<'_>,
        start: DateTime,
        end: DateTime,
        policy: SuspensionPolicy,
    ) -> Result<(), DomainError> {
        if end < start {
            return Err(DomainError::invalid(
                "suspension",
                format!("the suspension ends ({end}) before it starts ({start})"),
            ));
        }
        let (Some(original), Some(current)) = (self.original_due, self.current_due) else {
            return Ok(());
        };
        let (original, current) = match policy {
            SuspensionPolicy::Pause => {
                let inside = work.office_time_between(start, end)?;
                (
                    work.add_office_time(original, inside)?,
                    work.add_office_time(current, inside)?,
                )
            }
            SuspensionPolicy::Restart => {
                let Some(restarted) = work.due_moment(end, self.limit, self.cutoff)? else {
                    return Ok(());
                };
                let current = if self.extensions > 0 {
                    current.max(restarted)
                } else {
                    restarted
                };
                (restarted, current)
            }
        };
        self.original_due = Some(original);
        self.current_due = Some(current);
        Ok(())
    }

    /// Extends the appointment to `new_due` (an apology letter with a new
    /// appointment). It must be later than the current appointment; the
    /// original due moment is kept.
    pub fn extend(&mut self, new_due: DateTime) -> Result<(), DomainError> {
        let Some(current) = self.current_due else {
            return Err(DomainError::invalid(
                "extension",
                "a procedure without a time limit cannot be extended",
            ));
        };
        if new_due <= current {
            return Err(DomainError::invalid(
                "extension",
                format!("the new appointment {new_due} is not after the current one {current}"),
            ));
        }
        self.current_due = Some(new_due);
        self.extensions = self.extensions.saturating_add(1);
        Ok(())
    }
}
