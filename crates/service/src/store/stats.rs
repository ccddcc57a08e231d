//! The statistics layer's port (issue 17): levels of the counters for a
//! report, and the whole layer for `stats rebuild`.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::dossier::{Channel, ReturnMethod, Status};
use motcua_domain::stats::{Counts, Grain, ReceptionFacts};

use crate::error::ServiceResult;

use super::AuditContext;

/// A counter group: the receiving unit, the procedure and the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatKey {
    /// Receiving unit.
    pub unit_id: i64,
    /// Procedure.
    pub procedure_id: i64,
    /// Channel.
    pub channel: Channel,
}

/// What the statistics replay reads of a dossier's history, and nothing
/// more: the rebuild reads millions of these, and reading whole dossiers
/// (41 columns, every event's actor, note and detail) cost more than the
/// replay itself (BENCHMARKS.md, issue 17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Status now (a voided dossier counts nowhere).
    pub status: Status,
    /// How the result is returned.
    pub return_method: ReturnMethod,
    /// Receipt (the clock's start).
    pub received_at: Option<Timestamp>,
    /// The stored clock (JSON), replayed event by event.
    pub clock: Option<String>,
    /// The result has an electronic file.
    pub result_digitised: bool,
    /// What the component rows say about digitisation and reuse (used
    /// when the reception event does not record what the desk saw).
    pub components: ReceptionFacts,
    /// The events, in order.
    pub events: Vec<HistoryEvent>,
}

/// What the replay reads of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryEvent {
    /// When.
    pub at: Timestamp,
    /// Status after it.
    pub to: Status,
    /// What the desk recorded about the components, on a reception.
    pub reception: Option<ReceptionFacts>,
}

/// A dossier's [`History`] with its counter group, as the rebuild reads
/// them a page at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedHistory {
    /// The dossier's id.
    pub id: i64,
    /// Its counter group.
    pub key: StatKey,
    /// Its history.
    pub history: History,
}

/// One group's levels at the end of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatLevels {
    /// The group.
    pub key: StatKey,
    /// Its levels.
    pub counts: Counts,
}

/// One stored row of the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    /// Day, month or year.
    pub grain: Grain,
    /// The bucket's first day.
    pub bucket: Date,
    /// The group.
    pub key: StatKey,
    /// The changes summed in the bucket.
    pub counts: Counts,
}

/// Reading and rebuilding the statistics layer. Writing happens with each
/// dossier change (`NewDossier::stats`, `DossierChange::stats`).
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Each group's levels at the end of `day`, summed in the database over
    /// the units given the same label: `units` pairs each receiving unit to
    /// count with its label (a report's row group), and each returned key
    /// holds the label in `unit_id`, with the procedure and the channel.
    /// Units not listed are not counted. Groups whose levels are all zero
    /// may be left out. A level at or after the end of a closed month reads
    /// that month's snapshot (built on first use) and the days after it.
    async fn stat_levels(&self, units: &[(i64, i64)], day: Date) -> ServiceResult<Vec<StatLevels>>;
    /// Each group's change over the days `from` to `to` (its level at the
    /// end of `to` minus its level the day before `from`), summed from the
    /// fewest buckets that cover the period (`cover_ranges`) per channel
    /// over every unit and procedure (keys with unit and procedure 0): one
    /// row per channel.
    async fn stat_flows_by_channel(
        &self,
        unit_ids: &[i64],
        from: Date,
        to: Date,
    ) -> ServiceResult<Vec<StatLevels>>;
    /// Dossiers with an id above `after`, in id order, at most `limit` (the
    /// rebuild reads them all, page by page).
    async fn dossiers_after(&self, after: i64, limit: u32) -> ServiceResult<Vec<super::Dossier>>;
    /// The histories of the dossiers with an id above `after` and at most
    /// `upto`, in id order (the rebuild's pages, read two at a time).
    async fn histories_between(&self, after: i64, upto: i64) -> ServiceResult<Vec<KeyedHistory>>;
    /// The highest dossier id, 0 when there is none (where the rebuild's
    /// pages end).
    async fn last_dossier_id(&self) -> ServiceResult<i64>;
    /// The histories of the dossiers `ids` (those that exist), in id
    /// order.
    async fn histories_of(&self, ids: &[i64]) -> ServiceResult<Vec<KeyedHistory>>;
    /// Every stored row, ordered by grain, bucket and group.
    async fn stat_rows(&self) -> ServiceResult<Vec<StatRow>>;
    /// Replaces the whole layer with `rows` in one transaction, audited as
    /// `stats.rebuild`.
    async fn replace_stats(&self, ctx: &AuditContext, rows: &[StatRow]) -> ServiceResult<()>;
}
