//! The ranking: how a document's match against a query becomes one score.
//!
//! Documents are compared on, in order:
//!
//! 1. **Coverage**: each query token found in the name (or code) counts 2,
//!    one found only in the field counts 1, so a document holding every query
//!    token in its name comes first ("all matched first") and a field only
//!    helps among names that match equally.
//! 2. **Match quality**: per query token, its best match in the name: exact 4,
//!    prefix 3, one edit 2, two edits 1.
//! 3. **Phrase order**: per pair of consecutive query tokens, 2 if they appear
//!    next to each other in that order in the name, 1 if in that order apart.
//! 4. **Brevity**: a shorter folded name ranks slightly higher, so "Cấp giấy
//!    phép xây dựng" comes before "Cấp lại giấy phép xây dựng" for "xay dung".
//!
//! A query that matches a procedure code (separators ignored) puts that
//! procedure above every name match: an officer typing a code wants exactly
//! that procedure. The four figures are packed into the bits of a `u32`
//! (5 bits coverage, 6 quality, 5 order, 16 brevity), so a higher score is a
//! better hit and comparing scores compares the figures in order.

use super::index::MAX_QUERY_TOKENS;

/// How well a query token matches a vocabulary term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quality {
    /// Same folded token: 4 points.
    Exact = 0,
    /// The query token begins the term: 3 points.
    Prefix = 1,
    /// One edit apart: 2 points.
    OneEdit = 2,
    /// Two edits apart: 1 point.
    TwoEdits = 3,
}

/// The bit saying that query token `token` matches a term with `quality`.
///
/// A term's match mask has four lanes of 16 bits, one per [`Quality`] from
/// exact (bits 0–15) to two edits (bits 48–63); bit `i` of a lane stands for
/// query token `i`. Scoring a document is then a few OR, AND and shift
/// operations per name token, whatever the number of query tokens.
pub(crate) fn lane_bit(quality: Quality, token: usize) -> u64 {
    1u64 << (16 * quality as usize + token.min(15))
}

/// The query tokens a mask matches with any quality.
pub(crate) fn tokens_of(mask: u64) -> u64 {
    (mask | (mask >> 16) | (mask >> 32) | (mask >> 48)) & LANE
}

const LANE: u64 = 0xFFFF;

const COVERAGE_SHIFT: u32 = 27;
const QUALITY_SHIFT: u32 = 21;
const ORDER_SHIFT: u32 = 16;
const BREVITY_MAX: u32 = 0xFFFF;
/// The coverage band of code matches, above any text match
/// (2 × [`MAX_QUERY_TOKENS`] = 30 at most).
const CODE_COVERAGE: u32 = 31;

// The packed figures must fit their bits.
const _: () = assert!(MAX_QUERY_TOKENS <= 16);
const _: () = assert!(2 * MAX_QUERY_TOKENS < CODE_COVERAGE as usize);
const _: () = assert!(4 * MAX_QUERY_TOKENS < 63);
const _: () = assert!(2 * (MAX_QUERY_TOKENS - 1) < 32);

/// Packs the four figures into a score.
fn pack(coverage: u32, quality: u32, order: u32, name_len: u32) -> u32 {
    (coverage << COVERAGE_SHIFT)
        | (quality << QUALITY_SHIFT)
        | (order << ORDER_SHIFT)
        | (BREVITY_MAX - name_len.min(BREVITY_MAX))
}

/// The score of a document whose code matched the query: exactly (the whole
/// code typed) above by prefix; codes a prefix matches then follow code order
/// (a code sorts before its own suffixed local variants).
pub(crate) fn code_score(exact: bool) -> u32 {
    pack(CODE_COVERAGE, if exact { 63 } else { 62 }, 0, BREVITY_MAX)
}

/// The score of a document before phrase order is added, 0 when no token
/// matches: `lanes` is the OR of the match masks of the name's terms (see
/// [`lane_bit`]), `in_field` the query tokens the field matches.
pub(crate) fn partial_score(lanes: u64, in_field: u64, name_len: u32) -> u32 {
    let exact = lanes & LANE;
    let prefix = (lanes >> 16) & LANE & !exact;
    let one = (lanes >> 32) & LANE & !(exact | prefix);
    let two = (lanes >> 48) & LANE & !(exact | prefix | one);
    let in_name = exact | prefix | one | two;
    let coverage = 2 * in_name.count_ones() + (in_field & !in_name).count_ones();
    if coverage == 0 {
        return 0;
    }
    let quality =
        4 * exact.count_ones() + 3 * prefix.count_ones() + 2 * one.count_ones() + two.count_ones();
    pack(coverage, quality, 0, name_len)
}

/// The phrase-order figure of a name (its term ids in order) for a query
/// whose tokens match terms as `masks` says: per pair of consecutive query
/// tokens, 2 if they appear next to each other in that order, 1 if in that
/// order apart.
pub(crate) fn order(masks: &[u64], name: &[u32]) -> u32 {
    // Bit i + 1 of `adjacent` (`in_order`): tokens i and i + 1 appear at
    // positions p and p + 1 (at some positions p < p').
    let (mut adjacent, mut in_order, mut seen, mut prev) = (0u64, 0u64, 0u64, 0u64);
    for &t in name {
        let here = tokens_of(masks.get(t as usize).copied().unwrap_or(0));
        adjacent |= (prev << 1) & here;
        in_order |= (seen << 1) & here;
        seen |= here;
        prev = here;
    }
    2 * adjacent.count_ones() + (in_order & !adjacent).count_ones()
}

/// A partial score with the order figure added.
pub(crate) fn with_order(partial: u32, order: u32) -> u32 {
    partial | (order.min(31) << ORDER_SHIFT)
}

/// The figures that rank above phrase order (coverage and quality) of a
/// score: comparing them compares scores up to order and brevity.
pub(crate) fn above_order(score: u32) -> u32 {
    score >> QUALITY_SHIFT
}

/// The whole score of a document from its name and field term ids, as
/// [`partial_score`] and [`order`] compute it from the postings.
#[cfg(test)]
pub(crate) fn text_score(masks: &[u64], name: &[u32], field: &[u32], name_len: u32) -> u32 {
    let mask = |t: &u32| masks.get(*t as usize).copied().unwrap_or(0);
    let lanes = name.iter().fold(0, |acc, t| acc | mask(t));
    let in_field = field.iter().fold(0, |acc, t| acc | tokens_of(mask(t)));
    match partial_score(lanes, in_field, name_len) {
        0 => 0,
        partial => with_order(partial, order(masks, name)),
    }
}

/// A key whose ascending order is the hit order: higher score first, then
/// lower document position (documents are sorted by code).
pub(crate) fn sort_key(score: u32, doc: usize) -> u64 {
    (u64::from(u32::MAX - score) << 32) | (doc as u64 & 0xFFFF_FFFF)
}

/// The score and document position of a key made by [`sort_key`].
pub(crate) fn from_sort_key(key: u64) -> (u32, usize) {
    (u32::MAX - (key >> 32) as u32, (key & 0xFFFF_FFFF) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_compare_in_order() {
        // More coverage beats everything below it.
        assert!(pack(8, 4, 0, 60) > pack(7, 60, 28, 1));
        // Then quality, then order, then brevity.
        assert!(pack(8, 16, 0, 60) > pack(8, 15, 28, 1));
        assert!(pack(8, 16, 3, 60) > pack(8, 16, 2, 1));
        assert!(pack(8, 16, 3, 22) > pack(8, 16, 3, 26));
        // Code matches above the best possible text match.
        assert!(code_score(false) > pack(30, 60, 28, 0));
        assert!(code_score(true) > code_score(false));
    }

    #[test]
    fn sort_keys_order_by_score_then_position() {
        let mut keys = [sort_key(5, 2), sort_key(9, 7), sort_key(5, 1)];
        keys.sort_unstable();
        let order: Vec<_> = keys.iter().map(|&k| from_sort_key(k)).collect();
        assert_eq!(order, [(9, 7), (5, 1), (5, 2)]);
    }
}
