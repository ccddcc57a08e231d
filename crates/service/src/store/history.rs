//! Port records and traits for the unit tree through time (domain.md §3):
//! units keep versions of code, name and parent with validity intervals, and
//! successions record merges, splits, renames, moves and abolitions.

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use serde::Serialize;

use super::{AuditContext, NewUnit, Unit};
use crate::error::ServiceResult;

/// What a unit was called, where it hung and what it was over an interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitVersion {
    /// The unit.
    pub unit_id: i64,
    /// First day of this version.
    pub valid_from: Date,
    /// Last day, none while current.
    pub valid_to: Option<Date>,
    /// Code in this version.
    pub code: UnitCode,
    /// Name in this version.
    pub name: String,
    /// Parent in this version.
    pub parent_id: Option<i64>,
    /// Kind in this version.
    pub kind: UnitKind,
    /// Level in this version.
    pub level: Level,
}

/// How one unit's history continues in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuccessionKind {
    /// Several units became one (sáp nhập, hợp nhất).
    Merge,
    /// One unit became several (chia, tách).
    Split,
}

impl SuccessionKind {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::Split => "split",
        }
    }
}

/// A link from a unit that ended to a unit that carries on its work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Succession {
    /// The unit that ended.
    pub predecessor_id: i64,
    /// The unit that carries on.
    pub successor_id: i64,
    /// Merge or split.
    pub kind: SuccessionKind,
    /// First day of the successor's responsibility.
    pub effective: Date,
}

/// A change to the tree from a date on. Each is applied in one transaction
/// with its audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitChange {
    /// New name and/or code from `effective`; the old version ends the day before.
    Rename {
        /// The unit.
        unit_id: i64,
        /// New name (unchanged if none).
        name: Option<String>,
        /// New code (unchanged if none).
        code: Option<UnitCode>,
        /// First day of the new version.
        effective: Date,
    },
    /// New parent (and possibly level, e.g. a district office that became a
    /// provincial one) from `effective`.
    Move {
        /// The unit.
        unit_id: i64,
        /// New parent.
        parent_id: Option<i64>,
        /// New level (unchanged if none).
        level: Option<Level>,
        /// First day under the new parent.
        effective: Date,
    },
    /// The unit ends the day before `effective`; its children must have ended
    /// or moved first (`Conflict` otherwise).
    Abolish {
        /// The unit.
        unit_id: i64,
        /// First day without it.
        effective: Date,
    },
    /// `sources` end the day before `effective` and `target` carries on their
    /// work: an existing unit, or a new one created from `effective`.
    Merge {
        /// Units merged.
        sources: Vec<i64>,
        /// The unit they merge into.
        target: MergeTarget,
        /// First day of the merged unit's responsibility.
        effective: Date,
    },
    /// `source` ends the day before `effective`; the new units carry on its work.
    Split {
        /// The unit split.
        source: i64,
        /// Units created from `effective` (their `valid_from` is set to it).
        into: Vec<NewUnit>,
        /// First day of the new units.
        effective: Date,
    },
}

/// Where a merge goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeTarget {
    /// An existing unit that absorbs the others.
    Existing(i64),
    /// A unit created for the merge.
    New(NewUnit),
}

/// The tree through time.
#[async_trait]
pub trait UnitHistoryStore: Send + Sync {
    /// Applies a change; returns the units created or changed (current state).
    /// Dates before a unit's current version start, unknown units, or leaving
    /// children under an abolished unit are refused and change nothing.
    async fn apply_unit_change(
        &self,
        ctx: &AuditContext,
        change: &UnitChange,
    ) -> ServiceResult<Vec<Unit>>;
    /// A unit's versions, oldest first.
    async fn unit_versions(&self, unit_id: i64) -> ServiceResult<Vec<UnitVersion>>;
    /// Every version of every unit, by unit then time.
    async fn all_unit_versions(&self) -> ServiceResult<Vec<UnitVersion>>;
    /// Units as they stood on a date (their version in force that day), ordered by code.
    async fn units_on(&self, on: Date) -> ServiceResult<Vec<UnitVersion>>;
    /// Ids of the unit and everything below it as the tree stood on a date,
    /// the unit first; empty if the unit did not exist that day.
    async fn subtree_ids_on(&self, root: i64, on: Date) -> ServiceResult<Vec<i64>>;
    /// Successions from or to a unit.
    async fn successions_of(&self, unit_id: i64) -> ServiceResult<Vec<Succession>>;
    /// Every succession, in order of effect (reports map a whole tree's
    /// predecessors at once).
    async fn all_successions(&self) -> ServiceResult<Vec<Succession>>;
}
