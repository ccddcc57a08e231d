//! The dossier clock as stored: the inputs the domain's [`DossierClock`]
//! folds (limit, cut-off, policy, receipt, clock events), kept whole as
//! JSON in the dossier row, and what the service derives from it for the
//! row's columns (due moments, near-due moment, whether the clock runs).

use jiff::civil::{DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use motcua_domain::deadline::{Classification, TimeLimit, WorkTime};
use motcua_domain::dossier::{ClockEvent, ClockPolicy, DossierClock, Outcome};
use motcua_domain::time::{from_local, to_local};
use serde::{Deserialize, Serialize};

use crate::error::{ServiceError, ServiceResult};

/// The clock's inputs, stored whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRecord {
    /// The procedure's time limit at receipt.
    pub limit: TimeLimit,
    /// The late-day cut-off, when the unit uses one.
    pub cutoff: Option<Time>,
    /// Suspension and judgement settings.
    pub policy: ClockPolicy,
    /// The receipt moment, local civil time.
    pub receipt: DateTime,
    /// Events after receipt, in order.
    pub events: Vec<ClockEvent>,
    /// The unit's near-due threshold in minutes of office time; none for
    /// the default (the smaller of a working day and a quarter of the limit).
    pub threshold_minutes: Option<i64>,
    /// The processing time once ended: office minutes less suspensions
    /// ([`DossierClock::net_minutes`]), recorded when the end is pushed so
    /// that the statistics read it without the calendar. Absent on records
    /// written before migration 0010 (`stats rebuild` measures those).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<i64>,
}

/// What the row keeps from the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockColumns {
    /// Due moment moved only by suspensions.
    pub original_due: Option<Timestamp>,
    /// Appointment after extensions.
    pub current_due: Option<Timestamp>,
    /// When the dossier turns near due.
    pub near_due: Option<Timestamp>,
    /// Whether the clock runs now.
    pub running: bool,
    /// Early, on time or late, once ended.
    pub classification: Option<Classification>,
}

impl ClockRecord {
    /// Parses the stored JSON.
    pub fn from_json(text: &str) -> ServiceResult<Self> {
        serde_json::from_str(text)
            .map_err(|e| ServiceError::Internal(format!("stored dossier clock is unreadable: {e}")))
    }

    /// The JSON to store.
    pub fn to_json(&self) -> ServiceResult<String> {
        serde_json::to_string(self)
            .map_err(|e| ServiceError::Internal(format!("dossier clock not serialisable: {e}")))
    }

    /// Folds the record on a unit's working time.
    pub fn fold(&self, work: &WorkTime<'_>) -> ServiceResult<DossierClock> {
        Ok(DossierClock::fold(
            work,
            self.receipt,
            self.limit,
            self.cutoff,
            self.policy,
            &self.events,
        )?)
    }

    /// Adds an event, checking it against the timeline (no event before the
    /// last, none after the end, waits opened and closed in pairs).
    pub fn push(&mut self, work: &WorkTime<'_>, event: ClockEvent) -> ServiceResult<DossierClock> {
        let mut clock = self.fold(work)?;
        clock.apply(work, &event)?;
        self.events.push(event);
        self.minutes = clock.net_minutes(work)?;
        Ok(clock)
    }

    /// The columns the row keeps, from a folded clock.
    pub fn columns(
        &self,
        work: &WorkTime<'_>,
        clock: &DossierClock,
    ) -> ServiceResult<ClockColumns> {
        let original_due = clock.original_due();
        let current_due = clock.current_due();
        let ended = clock.end().is_some();
        let running = !ended && !clock.is_suspended();
        let near_due = match (current_due, original_due, running) {
            (Some(due), Some(orig), true) => {
                let threshold = match self.threshold_minutes {
                    Some(m) => SignedDuration::from_mins(m),
                    None => {
                        work.default_near_due_threshold(clock.start(), orig.max(clock.start()))?
                    }
                };
                Some(local_instant(work.sub_office_time(due, threshold)?)?)
            }
            _ => None,
        };
        Ok(ClockColumns {
            original_due: original_due.map(local_instant).transpose()?,
            current_due: current_due.map(local_instant).transpose()?,
            near_due,
            running,
            classification: clock.classify_end(),
        })
    }

    /// The outcome and moment processing ended, if it did.
    pub fn end(&self) -> Option<(DateTime, Outcome)> {
        self.events.iter().find_map(|e| match *e {
            ClockEvent::Ended { at, outcome } => Some((at, outcome)),
            _ => None,
        })
    }
}

/// The instant of a local moment.
pub fn local_instant(dt: DateTime) -> ServiceResult<Timestamp> {
    Ok(from_local(dt)?)
}

/// The local moment of an instant, to the second (clock events are kept to
/// the second so a replayed timeline gives the same dues).
pub fn local(ts: Timestamp) -> DateTime {
    let dt = to_local(ts);
    dt.with().subsec_nanosecond(0).build().unwrap_or(dt)
}
