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

/// Where a document's name lies in the name arena, and its length.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    name_start: u32,
    name_end: u32,
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
/// a prefix matches are one contiguous id range. Each term has two posting
/// lists: the documents whose name holds it and those whose field does. A query token is expanded to
/// the terms it matches exactly, as a prefix, or within the edit bound, and
/// only documents in those terms' postings (and those whose code matches) are
/// scored: first coverage and quality from the postings alone, then phrase
/// order, by a scan of the name, only for the documents that can still reach
/// the top `limit`.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<SearchDoc>,
    entries: Vec<Entry>,
    name_terms: Vec<u32>,
    /// Sorted, distinct folded terms; a term's id is its position.
    terms: Vec<Box<str>>,
    /// The terms as characters, for edit distances.
    term_chars: Vec<Box<[char]>>,
    /// Term ids by length in characters (up to [`MAX_FUZZY_LEN`]).
    by_len: Vec<Vec<u32>>,
    /// Documents whose name holds each term, ascending, distinct.
    name_postings: Vec<Vec<u32>>,
    /// Documents whose field holds each term, ascending, distinct.
    field_postings: Vec<Vec<u32>>,
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
            name_postings: vec![Vec::new(); vocab.len()],
            field_postings: vec![Vec::new(); vocab.len()],
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
            for id in term_ids(&vocab, name) {
                index.name_terms.push(id as u32);
                push_distinct(index.name_postings.get_mut(id), doc);
            }
            for id in term_ids(&vocab, field) {
                push_distinct(index.field_postings.get_mut(id), doc);
            }
            index.entries.push(Entry {
                name_start,
                name_end: index.name_terms.len() as u32,
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
        let (lanes, fields) = plan.accumulate(self);
        // Coverage and quality (and brevity) from the postings alone.
        let mut keys = Vec::new();
        for (doc, (&lane, &field)) in lanes.iter().zip(&fields).enumerate() {
            let score = match plan.code_match.get(doc) {
                Some(&code) if code > 0 => rank::code_score(code == CODE_EXACT),
                _ if lane | field == 0 => continue,
                _ => rank::partial_score(lane, field, self.name_len(doc)),
            };
            if score > 0 && self.docs.get(doc).is_some_and(&keep) {
                keys.push(rank::sort_key(score, doc));
            }
        }
        if plan.tokens > 1 {
            self.add_order(&plan, &mut keys, limit);
        }
        self.hits(keys, limit)
    }

    /// Adds phrase order to the partial scores in `keys`, dropping first the
    /// documents that cannot reach the best `limit`: order ranks below
    /// coverage and quality, so a document whose coverage and quality are
    /// below those of the `limit`-th best is beaten whatever its order.
    fn add_order(&self, plan: &Plan, keys: &mut Vec<u64>, limit: usize) {
        if limit < keys.len() {
            let figures = |key: &u64| rank::above_order(rank::from_sort_key(*key).0);
            let (_, nth, _) =
                keys.select_nth_unstable_by_key(limit - 1, |k| std::cmp::Reverse(figures(k)));
            let threshold = figures(nth);
            keys.retain(|k| figures(k) >= threshold);
        }
        for key in keys.iter_mut() {
            let (score, doc) = rank::from_sort_key(*key);
            if plan.code_match.get(doc).is_some_and(|&c| c > 0) {
                continue;
            }
            let order = rank::order(&plan.masks, self.name(doc));
            *key = rank::sort_key(rank::with_order(score, order), doc);
        }
    }

    /// The same ranking computed by scanning every document's name and field,
    /// bypassing the posting lists and the pruning: tests compare it with
    /// [`SearchIndex::search`] to prove that neither loses or misranks a hit.
    #[cfg(test)]
    pub(super) fn search_every_doc(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let plan = Plan::new(self, &fold_vi(query));
        let keys = (0..self.docs.len())
            .map(|doc| (self.full_score(&plan, doc), doc))
            .filter(|(score, _)| *score > 0)
            .map(|(score, doc)| rank::sort_key(score, doc))
            .collect();
        self.hits(keys, limit)
    }

    /// The score of one document from its name and field tokens.
    #[cfg(test)]
    fn full_score(&self, plan: &Plan, doc: usize) -> u32 {
        if let Some(&code) = plan.code_match.get(doc)
            && code > 0
        {
            return rank::code_score(code == CODE_EXACT);
        }
        let terms: Vec<&str> = self.terms.iter().map(|t| &**t).collect();
        let field = self
            .docs
            .get(doc)
            .map(|d| fold_vi(&d.field))
            .unwrap_or_default();
        let field: Vec<u32> = term_ids(&terms, &field).map(|id| id as u32).collect();
        rank::text_score(&plan.masks, self.name(doc), &field, self.name_len(doc))
    }

    /// A document's name as term ids.
    fn name(&self, doc: usize) -> &[u32] {
        self.entries
            .get(doc)
            .and_then(|e| {
                self.name_terms
                    .get(e.name_start as usize..e.name_end as usize)
            })
            .unwrap_or_default()
    }

    /// The length of a document's folded name in characters.
    fn name_len(&self, doc: usize) -> u32 {
        self.entries.get(doc).map_or(0, |e| e.name_len)
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
}

/// The ids of a folded text's tokens in a sorted vocabulary that holds them.
fn term_ids<'a>(vocab: &'a [&str], text: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.split(' ')
        .filter_map(|token| vocab.binary_search(&token).ok())
}

/// Appends a document to a posting list unless it ends with it already
/// (documents are added in ascending order).
fn push_distinct(list: Option<&mut Vec<u32>>, doc: u32) {
    if let Some(list) = list
        && list.last() != Some(&doc)
    {
        list.push(doc);
    }
}

/// A query expanded against the vocabulary.
struct Plan {
    /// Number of query tokens.
    tokens: usize,
    /// Per term id, which query tokens match the term and how (see
    /// [`rank::lane_bit`]); 0 for terms no token matches.
    masks: Vec<u64>,
    /// The terms some query token matches.
    matched: Vec<u32>,
    /// Per document, how its code matches the query ([`CODE_EXACT`],
    /// [`CODE_PREFIX`] or 0); empty when the query is not tried as a code.
    code_match: Vec<u8>,
}

/// The whole code key typed.
const CODE_EXACT: u8 = 2;
/// The start of the code key typed.
const CODE_PREFIX: u8 = 1;

impl Plan {
    fn new(index: &SearchIndex, folded: &str) -> Self {
        let mut plan = Self {
            tokens: 0,
            masks: vec![0; index.terms.len()],
            matched: Vec::new(),
            code_match: Vec::new(),
        };
        let tokens = folded
            .split(' ')
            .filter(|t| !t.is_empty())
            .take(MAX_QUERY_TOKENS);
        for (i, token) in tokens.enumerate() {
            plan.expand(index, i, token);
            plan.tokens = i + 1;
        }
        plan.match_codes(index, &folded.replace(' ', ""));
        plan
    }

    /// Records that query token `i` matches term `id` with `quality`.
    fn mark(&mut self, id: usize, i: usize, quality: Quality) {
        if let Some(mask) = self.masks.get_mut(id) {
            if *mask == 0 {
                self.matched.push(id as u32);
            }
            *mask |= rank::lane_bit(quality, i);
        }
    }

    /// Expands query token `i` to the terms it matches exactly, as a prefix,
    /// or within its edit bound.
    fn expand(&mut self, index: &SearchIndex, i: usize, token: &str) {
        // Terms starting with the token form one id range; the first may be
        // the token itself.
        let start = index.terms.partition_point(|t| &**t < token);
        let end = start + index.terms[start..].partition_point(|t| t.starts_with(token));
        for id in start..end {
            let exact = index.terms.get(id).is_some_and(|t| &**t == token);
            let quality = if exact {
                Quality::Exact
            } else {
                Quality::Prefix
            };
            self.mark(id, i, quality);
        }
        let chars: Vec<char> = token.chars().collect();
        let bound = edit_bound(chars.len());
        if bound == 0 {
            return;
        }
        for len in chars.len().saturating_sub(bound)..=chars.len() + bound {
            for &id in index.by_len.get(len).into_iter().flatten() {
                let Some(term) = index.term_chars.get(id as usize) else {
                    continue;
                };
                match osa_within(&chars, term, bound) {
                    Some(1) => self.mark(id as usize, i, Quality::OneEdit),
                    Some(2) => self.mark(id as usize, i, Quality::TwoEdits),
                    _ => {}
                }
            }
        }
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
            if self.code_match.is_empty() {
                self.code_match = vec![0; index.docs.len()];
            }
            if let Some(q) = self.code_match.get_mut(*doc as usize) {
                let quality = if &**k == key { CODE_EXACT } else { CODE_PREFIX };
                *q = (*q).max(quality);
            }
        }
    }

    /// Per document, the match masks of its name's terms ORed together,
    /// and the query tokens its field matches, gathered from the postings
    /// of the matched terms.
    fn accumulate(&self, index: &SearchIndex) -> (Vec<u64>, Vec<u64>) {
        let mut lanes = vec![0u64; index.docs.len()];
        let mut fields = vec![0u64; index.docs.len()];
        for &t in &self.matched {
            let t = t as usize;
            let mask = self.masks.get(t).copied().unwrap_or(0);
            for &doc in index.name_postings.get(t).into_iter().flatten() {
                if let Some(lane) = lanes.get_mut(doc as usize) {
                    *lane |= mask;
                }
            }
            let tokens = rank::tokens_of(mask);
            for &doc in index.field_postings.get(t).into_iter().flatten() {
                if let Some(field) = fields.get_mut(doc as usize) {
                    *field |= tokens;
                }
            }
        }
        (lanes, fields)
    }
}
