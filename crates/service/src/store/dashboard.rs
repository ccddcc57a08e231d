//! Port records and trait for the home dashboard's figures.
//!
//! Every figure is a count over the dossiers table answered from one of its
//! indexes (received moment, end moment, running due moment, status), so
//! the dashboard stays fast however many dossiers a province has kept.

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::dossier::Status;

use crate::error::ServiceResult;

/// The statuses of dossiers in progress that the dashboard breaks down,
/// in the order a dossier passes them. `done` (waiting to be returned) is
/// left out: its count grows with every result never collected.
pub const IN_PROGRESS: [Status; 5] = [
    Status::AwaitingOnlineReception,
    Status::Received,
    Status::Processing,
    Status::AwaitingSupplement,
    Status::AwaitingFinancialObligation,
];

/// Where and when the dashboard counts. Instants are local midnights turned
/// into UTC by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardScope {
    /// Dossiers received by, or now held by, one of these units (the same
    /// rule as the dossier list's unit filter); empty means every unit.
    pub unit_ids: Vec<i64>,
    /// Units that left the scope, counted for what they received before
    /// leaving (as the dossier list's `departed`).
    pub departed: Vec<super::Departed>,
    /// The moment near-due and overdue are judged at.
    pub now: Timestamp,
    /// Start of today.
    pub today: Timestamp,
    /// Start of tomorrow.
    pub tomorrow: Timestamp,
    /// Start of the first day of the daily series.
    pub series_from: Timestamp,
    /// Days in the series, ending with today. Vietnam keeps no daylight
    /// saving, so each day is 24 hours from `series_from`.
    pub series_days: u32,
}

/// The dashboard's counts for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardCounts {
    /// Received today (any channel, not voided).
    pub received_today: u64,
    /// Received or processing, clock running, appointment today.
    pub due_today: u64,
    /// Clock running, near due now and not yet overdue.
    pub near_due: u64,
    /// Clock running, appointment passed.
    pub overdue: u64,
    /// Received per day of the series, oldest first (`series_days` values).
    pub received_per_day: Vec<u64>,
    /// Dossiers in each status of [`IN_PROGRESS`], in that order.
    pub in_progress: Vec<(Status, u64)>,
}

impl DashboardCounts {
    /// How many dossiers are in `status` (0 for a status not broken down).
    pub fn in_status(&self, status: Status) -> u64 {
        self.in_progress
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// Counting for the home dashboard.
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// The dashboard's counts for a scope.
    async fn dashboard_counts(&self, scope: &DashboardScope) -> ServiceResult<DashboardCounts>;
}
