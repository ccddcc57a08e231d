//! Vietnamese search over the procedure catalog: diacritic- and
//! case-insensitive, tolerant of typos, ranked.
//!
//! Users search the way they type on a phone: without tone marks, in capitals,
//! with a slip of the finger, and one keystroke at a time. [`fold_vi`] makes
//! "GIẤY PHÉP", "giay phep" and "giâý phép" one query; [`SearchIndex`] matches
//! query tokens exactly, by prefix (the last token is still being typed) or
//! within a small edit distance, and ranks as described in [`rank`]. The
//! index is built once per catalog snapshot and searched on every keystroke,
//! so a query touches only the documents its tokens' posting lists name.

mod distance;
pub mod dossier;
mod fold;
mod index;
pub mod rank;

use serde::Serialize;

use crate::catalog::OnlineLevel;
use crate::unit::Level;

pub use fold::fold_vi;
pub use index::{MAX_QUERY_TOKENS, SearchIndex};

/// A searchable procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// Procedure id.
    pub procedure_id: i64,
    /// Code.
    pub code: String,
    /// Name as published.
    pub name: String,
    /// Field.
    pub field: String,
    /// Levels.
    pub levels: Vec<Level>,
    /// Online level.
    pub online_level: OnlineLevel,
}

/// A ranked result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    /// Procedure id.
    pub procedure_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Field.
    pub field: String,
    /// Higher is better; see [`rank`] for what it encodes.
    pub score: u32,
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
