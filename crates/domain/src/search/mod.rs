//! Vietnamese search: folding and ranked, typo-tolerant matching.
//!
//! Placeholder API being completed (fold_vi, SearchIndex ranking).

use serde::Serialize;

use crate::catalog::OnlineLevel;
use crate::unit::Level;

/// Folds Vietnamese text for matching: lower case, diacritics removed, đ → d,
/// runs of white space and punctuation collapsed to one space.
pub fn fold_vi(s: &str) -> String {
    s.to_lowercase()
}

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
    /// Higher is better.
    pub score: u32,
}

/// An in-memory index over procedure names and codes.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<SearchDoc>,
}

impl SearchIndex {
    /// Builds the index.
    pub fn build(docs: Vec<SearchDoc>) -> Self {
        Self { docs }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Ranked hits for a query among documents `keep` accepts, best first.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        keep: impl Fn(&SearchDoc) -> bool,
    ) -> Vec<SearchHit> {
        let q = fold_vi(query);
        self.docs
            .iter()
            .filter(|d| keep(d) && fold_vi(&d.name).contains(&q))
            .take(limit)
            .map(|d| SearchHit {
                procedure_id: d.procedure_id,
                code: d.code.clone(),
                name: d.name.clone(),
                field: d.field.clone(),
                score: 1,
            })
            .collect()
    }
}
