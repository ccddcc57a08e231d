//! The inverted index: folded term → documents, and the vocabulary a query
//! token is expanded against.

use super::distance::{MAX_FUZZY_LEN, edit_bound, osa_within};
use super::fold::{code_key, fold_vi};
use super::rank::{self, Quality};
use super::{SearchDoc, SearchHit};

/// Query tokens beyond this many are ignored: procedure names run to about a
/// dozen syllables, and the score packs the per-token figures in fixed bits.
pub const MAX_QUERY_TOKENS: usize = 15;

/// A query is also tried as a procedure code when, with separators removed,
/// it has at least this many characters and contains a digit ("1.00" finds
/// the codes starting 1.00…, "1" alone does not list every code).
const MIN_CODE_QUERY: usize = 3;

/// Where one document's tokens lie in the shared arenas.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    name_start: u32,
    name_end: u32,
    field_start: u32,
    field_end: u32,
    /// Length of the folded name in characters, for the brevity tie-break.
    name_len: u32,
}

/// An in-memory index over procedure names, fields and codes, built once and
/// searched on every keystroke (the storage layer keeps one per catalog
/// snapshot).
///
/// Documents are kept sorted by code (then id), so that a document's position
/// is also its place among equal scores. Every folded token of a name or field
/// is a vocabulary term; term ids follow the terms' sorted order, so the terms
/// a prefix matches are one contiguous id range. Each term has a posting list
/// of the documents whose name or field holds it. A query token is expanded to
/// the terms it matches exactly, as a prefix, or within the edit bound, and
/// only documents in the union of those terms' postings (and those whose code
/// matches) are scored.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<SearchDoc>,
    entries: Vec<Entry>,
    name_terms: Vec<u32>,
    field_terms: Vec<u32>,
    /// Sorted, distinct folded terms; a term's id is its position.
    terms: Vec<Box<str>>,
    /// The terms as characters, for edit distances.
    term_chars: Vec<Box<[char]>>,
    /// Term ids by length in characters (up to [`MAX_FUZZY_LEN`]).
    by_len: Vec<Vec<u32>>,
    /// Documents holding each term, ascending, distinct.
    postings: Vec<Vec<u32>>,
    /// Code keys with their document, sorted by key.
    codes: Vec<(Box<str>, u32)>,
}

impl SearchIndex {
    /// Builds the index: folds every name and field, collects the vocabulary
    /// and fills the posting lists. Linear in the total text apart from
    /// sorting the vocabulary.
    pub fn build(mut docs: Vec<SearchDoc>) -> Self {
        docs.sort_by(|a, b| {
            a.code
                .cmp(&b.code)
                .then(a.procedure_id.cmp(&b.procedure_id))
        });
        let folded: Vec<(String, String)> = docs
            .iter()
            .map(|d| (fold_vi(&d.name), fold_vi(&d.field)))
            .collect();
        let mut vocab: Vec<&str> = folded
            .iter()
            .flat_map(|(name, field)| name.split(' ').chain(field.split(' ')))
            .filter(|t| !t.is_empty())
            .collect();
        vocab.sort_unstable();
        vocab.dedup();

        let mut index = Self {
            terms: vocab.iter().map(|&t| Box::from(t)).collect(),
            term_chars: vocab.iter().map(|t| t.chars().collect()).collect(),
            postings: vec![Vec::new(); vocab.len()],
            by_len: vec![Vec::new(); MAX_FUZZY_LEN + 1],
            ..Self::default()
        };
        for (id, chars) in index.term_chars.iter().enumerate() {
            if let Some(bucket) = index.by_len.get_mut(chars.len()) {
                bucket.push(id as u32);
            }
        }
        for (doc, (name, field)) in folded.iter().enumerate() {
            let doc = doc as u32;
            let name_start = index.name_terms.len() as u32;
            let field_start = index.field_terms.len() as u32;
            for (text, arena) in [
                (name, &mut index.name_terms),
                (field, &mut index.field_terms),
            ] {
                for token in text.split(' ').filter(|t| !t.is_empty()) {
                    // Every token is in the vocabulary it was collected into.
                    let Ok(id) = vocab.binary_search(&token) else {
                        continue;
                    };
                    arena.push(id as u32);
                    let list = &mut index.postings[id];
                    if list.last() != Some(&doc) {
                        list.push(doc);
                    }
                }
            }
            index.entries.push(Entry {
                name_start,
                name_end: index.name_terms.len() as u32,
                field_start,
                field_end: index.field_terms.len() as u32,
                name_len: name.chars().count() as u32,
            });
        }
        index.codes = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (code_key(&d.code).into_boxed_str(), i as u32))
            .filter(|(key, _)| !key.is_empty())
            .collect();
        index.codes.sort_unstable();
        index.docs = docs;
        index
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Ranked hits for a query among documents `keep` accepts, best first,
    /// at most `limit`.
    ///
    /// The query is folded with [`fold_vi`] and split into tokens; each token
    /// matches a name token exactly, as a prefix (the last token is usually
    /// still being typed: "xay d" finds "xây dựng"), or within one edit (two
    /// for tokens of eight or more characters; none below four). The whole
    /// query, separators removed, also matches procedure codes by prefix. A
    /// document no token matches is not a hit; an empty or punctuation-only
    /// query has no hits. See [`rank`](super::rank) for the order; equal
    /// scores are ordered by code, then procedure id.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        keep: impl Fn(&SearchDoc) -> bool,
    ) -> Vec<SearchHit> {
        if limit == 0 || self.docs.is_empty() {
            return Vec::new();
        }
        let plan = Plan::new(self, &fold_vi(query));
        let rows = plan.rows();
        let mut keys = Vec::new();
        for doc in plan.candidates(self) {
            let score = self.score(&plan, &rows, doc);
            if score > 0 && self.docs.get(doc).is_some_and(&keep) {
                keys.push(rank::sort_key(score, doc));
            }
        }
        self.hits(keys, limit)
    }

    /// The same ranking computed over every document, bypassing the posting
    /// lists: tests compare it with [`SearchIndex::search`] to prove that the
    /// index never loses a hit.
    #[cfg(test)]
    pub(super) fn search_every_doc(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let plan = Plan::new(self, &fold_vi(query));
        let rows = plan.rows();
        let keys = (0..self.docs.len())
            .map(|doc| (self.score(&plan, &rows, doc), doc))
            .filter(|(score, _)| *score > 0)
            .map(|(score, doc)| rank::sort_key(score, doc))
            .collect();
        self.hits(keys, limit)
    }

    /// Turns sort keys into the best `limit` hits, in order.
    fn hits(&self, mut keys: Vec<u64>, limit: usize) -> Vec<SearchHit> {
        if limit < keys.len() {
            keys.select_nth_unstable(limit);
            keys.truncate(limit);
        }
        keys.sort_unstable();
        keys.into_iter()
            .filter_map(|key| {
                let (score, doc) = rank::from_sort_key(key);
                let d = self.docs.get(doc)?;
                Some(SearchHit {
                    procedure_id: d.procedure_id,
                    code: d.code.clone(),
                    name: d.name.clone(),
                    field: d.field.clone(),
                    score,
                })
            })
            .collect()
    }

    /// The score of one document for a planned query; 0 when nothing matches.
    /// `rows` are the plan's [`Plan::rows`].
    fn score(&self, plan: &Plan, rows: &[&[u8]], doc: usize) -> u32 {
        let Some(entry) = self.entries.get(doc) else {
            return 0;
        };
        if let Some(&code) = plan.code_quality.get(doc)
            && code > 0
        {
            return rank::code_score(code == Quality::EXACT);
        }
        let name = self
            .name_terms
            .get(entry.name_start as usize..entry.name_end as usize)
            .unwrap_or_default();
        let field = self
            .field_terms
            .get(entry.field_start as usize..entry.field_end as usize)
            .unwrap_or_default();
        rank::text_score(rows, name, field, entry.name_len)
    }
}

/// A query expanded against the vocabulary.
struct Plan {
    /// Number of query tokens.
    tokens: usize,
    /// Vocabulary size.
    terms: usize,
    /// `quality[i * terms + t]`: how well query token `i` matches term `t`
    /// (0 for not at all).
    quality: Vec<u8>,
    /// Per query token, the terms it matches.
    matched: Vec<Vec<u32>>,
    /// Per document, how its code matches the query (empty when the query is
    /// not tried as a code).
    code_quality: Vec<u8>,
}

impl Plan {
    fn new(index: &SearchIndex, folded: &str) -> Self {
        let tokens: Vec<&str> = folded
            .split(' ')
            .filter(|t| !t.is_empty())
            .take(MAX_QUERY_TOKENS)
            .collect();
        let terms = index.terms.len();
        let mut plan = Self {
            tokens: tokens.len(),
            terms,
            quality: vec![0; tokens.len() * terms],
            matched: Vec::with_capacity(tokens.len()),
            code_quality: Vec::new(),
        };
        for (i, token) in tokens.iter().enumerate() {
            let row = &mut plan.quality[i * terms..(i + 1) * terms];
            plan.matched.push(expand(index, token, row));
        }
        plan.match_codes(index, &folded.replace(' ', ""));
        plan
    }

    /// Per query token, its quality row indexed by term id.
    fn rows(&self) -> Vec<&[u8]> {
        (0..self.tokens)
            .map(|i| {
                self.quality
                    .get(i * self.terms..(i + 1) * self.terms)
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Marks documents whose code key starts with the query's key.
    fn match_codes(&mut self, index: &SearchIndex, key: &str) {
        if key.chars().count() < MIN_CODE_QUERY || !key.chars().any(|c| c.is_ascii_digit()) {
            return;
        }
        let start = index.codes.partition_point(|(k, _)| &**k < key);
        let matching = index.codes[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(key));
        for (k, doc) in matching {
            if self.code_quality.is_empty() {
                self.code_quality = vec![0; index.docs.len()];
            }
            if let Some(q) = self.code_quality.get_mut(*doc as usize) {
                let quality = if &**k == key {
                    Quality::EXACT
                } else {
                    Quality::PREFIX
                };
                *q = (*q).max(quality);
            }
        }
    }

    /// The documents to score, ascending: the union of the postings of every
    /// matched term, and every document whose code matched.
    fn candidates(&self, index: &SearchIndex) -> impl Iterator<Item = usize> {
        let mut bits = vec![0u64; index.docs.len().div_ceil(64)];
        let mut set = |doc: usize| {
            if let Some(word) = bits.get_mut(doc / 64) {
                *word |= 1 << (doc % 64);
            }
        };
        for terms in &self.matched {
            for &t in terms {
                for &doc in index.postings.get(t as usize).into_iter().flatten() {
                    set(doc as usize);
                }
            }
        }
        for (doc, q) in self.code_quality.iter().enumerate() {
            if *q > 0 {
                set(doc);
            }
        }
        bits.into_iter().enumerate().flat_map(|(w, mut word)| {
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros() as usize;
                    word &= word - 1;
                    w * 64 + bit
                })
            })
        })
    }
}

/// Fills `row` (indexed by term id) with how well `token` matches each term
/// and returns the ids of the matched terms.
fn expand(index: &SearchIndex, token: &str, row: &mut [u8]) -> Vec<u32> {
    let mut matched = Vec::new();
    let mut mark = |id: usize, quality: u8, matched: &mut Vec<u32>| {
        if let Some(cell) = row.get_mut(id) {
            if *cell == 0 {
                matched.push(id as u32);
            }
            *cell = (*cell).max(quality);
        }
    };
    // Terms starting with the token form one id range; the first may be the
    // token itself.
    let start = index.terms.partition_point(|t| &**t < token);
    let end = start + index.terms[start..].partition_point(|t| t.starts_with(token));
    for id in start..end {
        let exact = index.terms.get(id).is_some_and(|t| &**t == token);
        let quality = if exact {
            Quality::EXACT
        } else {
            Quality::PREFIX
        };
        mark(id, quality, &mut matched);
    }
    let chars: Vec<char> = token.chars().collect();
    let bound = edit_bound(chars.len());
    if bound > 0 {
        let lengths = chars.len().saturating_sub(bound)..=chars.len() + bound;
        for len in lengths {
            for &id in index.by_len.get(len).into_iter().flatten() {
                let Some(term) = index.term_chars.get(id as usize) else {
                    continue;
                };
                match osa_within(&chars, term, bound) {
                    Some(1) => mark(id as usize, Quality::FUZZY1, &mut matched),
                    Some(2) => mark(id as usize, Quality::FUZZY2, &mut matched),
                    _ => {}
                }
            }
        }
    }
    matched
}
