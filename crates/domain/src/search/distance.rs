//! Bounded edit distance for typo tolerance.

/// Longest token (in characters) compared by edit distance. Vietnamese
/// syllables have at most seven letters ("nghiêng"); longer tokens (a pasted
/// identifier, a foreign word) are matched exactly or by prefix only, which
/// keeps the distance table on the stack.
pub(crate) const MAX_FUZZY_LEN: usize = 31;

/// The most edits a query token of `len` characters may be from a vocabulary
/// term and still match it: none below 4 characters (too many Vietnamese
/// syllables lie one edit apart), 1 from 4, 2 from 8.
pub(crate) fn edit_bound(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The optimal string alignment distance (Damerau–Levenshtein where each
/// substring is edited at most once: insertion, deletion, substitution, or
/// transposition of two adjacent characters) between `a` and `b`, if it is at
/// most `bound`; `None` otherwise or if either is longer than
/// [`MAX_FUZZY_LEN`].
///
/// The computation stops as soon as a whole row of the table exceeds the
/// bound, so comparing a query token with a vocabulary term usually costs a
/// few rows.
pub(crate) fn osa_within(a: &[char], b: &[char], bound: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > bound || n > MAX_FUZZY_LEN || m > MAX_FUZZY_LEN {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    // Three rows of the table: i-2, i-1 and i.
    let mut before = [0usize; MAX_FUZZY_LEN + 1];
    let mut prev = [0usize; MAX_FUZZY_LEN + 1];
    let mut cur = [0usize; MAX_FUZZY_LEN + 1];
    for (j, cell) in prev.iter_mut().enumerate().take(m + 1) {
        *cell = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > bound {
            return None;
        }
        before = prev;
        prev = cur;
    }
    let d = prev[m];
    (d <= bound).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(a: &str, b: &str, bound: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_within(&a, &b, bound)
    }

    #[test]
    fn one_edit_of_each_kind_is_distance_one() {
        assert_eq!(dist("dang", "dang", 1), Some(0));
        assert_eq!(dist("dnag", "dang", 1), Some(1), "transposition");
        assert_eq!(dist("dungg", "dung", 1), Some(1), "extra letter");
        assert_eq!(dist("chng", "chung", 1), Some(1), "missing letter");
        assert_eq!(dist("dunh", "dung", 1), Some(1), "wrong letter");
    }

    #[test]
    fn distances_beyond_the_bound_are_refused() {
        assert_eq!(dist("dang", "dung", 0), None);
        // kitten → sitting: two substitutions and an insertion.
        assert_eq!(dist("kitten", "sitting", 2), None);
        assert_eq!(dist("kitten", "sitting", 3), Some(3));
        // OSA: "ca" → "abc" is 3 (no editing a transposed pair again).
        assert_eq!(dist("ca", "abc", 3), Some(3));
        assert_eq!(dist("abcd", "ab", 1), None, "length gap alone exceeds");
        assert_eq!(dist("", "ab", 2), Some(2));
    }

    #[test]
    fn edit_bound_follows_token_length() {
        assert_eq!(edit_bound(3), 0);
        assert_eq!(edit_bound(4), 1);
        assert_eq!(edit_bound(7), 1);
        assert_eq!(edit_bound(8), 2);
    }
}
