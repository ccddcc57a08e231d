//! Periodic statistics (domain.md §9): the counted measures, what one
//! dossier contributes to them over time, and the figures of a period.
//!
//! The layer is incremental and exact as of any day: each dossier change
//! adds its [`track::changes`] to per-day counters in the same transaction,
//! and a period's figures are two prefix sums of those counters (the levels
//! at the end of the day before the period and at the end of its last day),
//! combined by [`figures::Figures::add_group`]. The same functions replay a
//! dossier's history for imports and `stats rebuild`.

pub mod figures;
pub mod grain;
pub mod measure;
pub mod period;
pub mod satisfaction;
pub mod track;

pub use figures::{Figures, RATE_NAMES, Rate};
pub use grain::{
    Grain, SNAPSHOT_MARGIN_DAYS, after_snapshot, buckets, cover_ranges, prefix_ranges, snapshot_day,
};
pub use measure::{Counts, MEASURES, Measure};
pub use period::{Breakdown, Period};
pub use track::{DayChange, EndFacts, OpenState, ReceptionFacts, Standing};
