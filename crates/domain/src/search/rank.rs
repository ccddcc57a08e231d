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

/// How well a query token matches a term (0: not at all).
pub(crate) struct Quality;

impl Quality {
    /// Same folded token.
    pub(crate) const EXACT: u8 = 4;
    /// The query token begins the term.
    pub(crate) const PREFIX: u8 = 3;
    /// One edit apart.
    pub(crate) const FUZZY1: u8 = 2;
    /// Two edits apart.
    pub(crate) const FUZZY2: u8 = 1;
}

const COVERAGE_SHIFT: u32 = 27;
const QUALITY_SHIFT: u32 = 21;
const ORDER_SHIFT: u32 = 16;
const BREVITY_MAX: u32 = 0xFFFF;
/// The coverage band of code matches, above any text match
/// (2 × [`MAX_QUERY_TOKENS`] = 30 at most).
const CODE_COVERAGE: u32 = 31;

// The packed figures must fit their bits.
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

/// The score of a document's name and field for a query, 0 when no token
/// matches. `tokens[i]` gives, per term id, how well query token `i` matches
/// that term; `name` and `field` are the document's term ids in order.
pub(crate) fn text_score(tokens: &[&[u8]], name: &[u32], field: &[u32], name_len: u32) -> u32 {
    let q = |row: &[u8], term: u32| row.get(term as usize).copied().unwrap_or(0);
    let mut coverage = 0;
    let mut quality = 0;
    for row in tokens {
        let best = name.iter().map(|&t| q(row, t)).max().unwrap_or(0);
        if best > 0 {
            coverage += 2;
            quality += u32::from(best);
        } else if field.iter().any(|&t| q(row, t) > 0) {
            coverage += 1;
        }
    }
    if coverage == 0 {
        return 0;
    }
    let mut order = 0;
    for pair in tokens.windows(2) {
        let [a, b] = pair else { continue };
        let adjacent = name
            .windows(2)
            .any(|w| matches!(w, [x, y] if q(a, *x) > 0 && q(b, *y) > 0));
        let first_a = name.iter().position(|&t| q(a, t) > 0);
        let last_b = name.iter().rposition(|&t| q(b, t) > 0);
        order += match (first_a, last_b) {
            _ if adjacent => 2,
            (Some(i), Some(j)) if i < j => 1,
            _ => 0,
        };
    }
    pack(coverage, quality, order, name_len)
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
