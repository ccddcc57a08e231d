//! Folding Vietnamese text to the form both documents and queries are matched in.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds Vietnamese text for matching: Unicode canonical decomposition (NFD)
/// with every combining mark removed (the five tone marks and the vowel
/// marks of ă, â, ê, ô, ơ, ư), đ/Đ → d, lower case, and every run of
/// characters that are neither letters nor digits collapsed to one space,
/// trimmed.
///
/// Users type without diacritics (phones, old keyboards, haste) or with them
/// misplaced ("giâý" for "giấy"), so folding is what makes "giay phep",
/// "GIẤY PHÉP" and "giâý phép" the same query. Text typed in decomposed form
/// folds like precomposed text. A character whose decomposition has several
/// base letters (Hangul syllables) is kept whole, so folding never makes
/// text longer; folding twice gives the same result.
pub fn fold_vi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(c.to_ascii_lowercase(), &mut out);
        } else {
            fold_char(c, |f| push(f, &mut out));
        }
    }
    out
}

/// The key a procedure code is matched by: its folded letters and digits
/// with separators removed, so "1.001193", "1 001193" and "1001193" agree.
pub(crate) fn code_key(s: &str) -> String {
    fold_vi(s).chars().filter(|c| *c != ' ').collect()
}

/// Folds one non-ASCII character, emitting zero or one character (or the
/// character itself, lower-cased, when it decomposes into several letters).
fn fold_char(c: char, mut emit: impl FnMut(char)) {
    let mut base = None;
    let mut bases = 0;
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            bases += 1;
            base = Some(d);
        }
    });
    let b = match (bases, base) {
        (1, Some(b)) => b,
        (0, _) | (_, None) => return,
        _ => {
            // Several letters in one character (a Hangul syllable): keep it.
            c.to_lowercase().for_each(emit);
            return;
        }
    };
    let b = if matches!(b, 'đ' | 'Đ') { 'd' } else { b };
    // Lower-casing may yield a character with a decomposition or a mark
    // (U+0130 İ gives i + U+0307); keep only its first base letter, so the
    // result is stable under folding again.
    for l in b.to_lowercase() {
        let mut first = None;
        decompose_canonical(l, |d| {
            if first.is_none() && !is_combining_mark(d) {
                first = Some(d);
            }
        });
        if let Some(f) = first {
            emit(f);
        }
    }
}
