//! The staff search box over dossiers: what was typed, read as a dossier
//! code, an identity or phone number, or an applicant's name, and the terms
//! a dossier is found by.
//!
//! One box serves every way an officer looks a dossier up: the code from
//! the receipt (typed, or scanned by a barcode reader, which types the
//! receipt's QR address), the applicant's identity card or phone number
//! read over the counter, or a name typed without diacritics. Each is a
//! prefix search, so results narrow as the officer types.

use super::fold_vi;
use crate::error::DomainError;

/// The longest query read; longer input is refused rather than cut.
pub const MAX_QUERY_CHARS: usize = 200;

/// A name term is cut to this many bytes: a prefix search needs no more, and
/// a business's long name would otherwise index long keys many times.
pub const TERM_BYTES: usize = 60;

/// A name is indexed from each of its first this many words (a business's
/// name is found by a word in its middle; a person's by the given name).
/// Persons have three or four; a company's full legal name a dozen.
pub const NAME_WORDS: usize = 12;

/// Numbers (identity, phone) are stored behind this mark, so that a number
/// typed never matches a name and the other way round.
const NUMBER_MARK: char = '#';

/// What the search box was given, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DossierQuery {
    /// A dossier code or its beginning, in capitals (codes are ASCII).
    Code(String),
    /// The beginning of an identity number (citizen card, old identity
    /// card, enterprise code) or a phone number: its digits and letters.
    Number(String),
    /// The beginning of a run of whole words of the applicant's name,
    /// folded ([`fold_vi`]).
    Name(String),
}

impl DossierQuery {
    /// Reads `text`. Too short or too long is an error on field `q`.
    ///
    /// - An address containing `/tra-cuu/` (the receipt's QR code, as a
    ///   barcode reader types it) is the code in it; the check value after
    ///   `?` is dropped, never searched or kept.
    /// - Only digits, with spaces, dots or dashes between them, or a `+84`
    ///   prefix, is a number (an identity or a phone), unless it starts like
    ///   a code (`000.01`).
    /// - Letters with digits is a code.
    /// - Anything else is a name.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(DomainError::invalid(
                "q",
                format!("at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        if let Some((_, rest)) = text.split_once("/tra-cuu/") {
            let code: String = rest
                .chars()
                .take_while(|c| !matches!(c, '?' | '#' | '/' | '&'))
                .collect();
            return code_query(&code);
        }
        let has_digit = text.chars().any(|c| c.is_ascii_digit());
        let has_letter = text.chars().any(char::is_alphabetic);
        if has_digit && !has_letter && !starts_like_code(text) {
            return number_query(text);
        }
        if has_digit {
            return code_query(text);
        }
        let folded = fold_vi(text);
        if folded.chars().count() < 2 {
            return Err(DomainError::invalid("q", "type at least 2 letters"));
        }
        Ok(Self::Name(cut(&folded).to_owned()))
    }

    /// The smallest key this query matches and the key just past every key
    /// that starts with it (a range both databases walk on one index: the
    /// search terms, or dossier codes for [`DossierQuery::Code`]).
    pub fn range(&self) -> (String, String) {
        let low = match self {
            Self::Code(c) => c.clone(),
            Self::Number(n) => format!("{NUMBER_MARK}{n}"),
            Self::Name(n) => n.clone(),
        };
        let mut high = low.clone();
        high.push(char::MAX);
        (low, high)
    }
}

/// Codes start with three digits, a dot and two digits (`000.01.41.H40`).
fn starts_like_code(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 6
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'.'
        && b[4..6].iter().all(u8::is_ascii_digit)
}

fn code_query(text: &str) -> Result<DossierQuery, DomainError> {
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if code.len() < 3
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(DomainError::invalid(
            "q",
            "not a dossier code, an identity or phone number, or a name",
        ));
    }
    Ok(DossierQuery::Code(code))
}

fn number_query(text: &str) -> Result<DossierQuery, DomainError> {
    let n = number_key(text);
    if n.len() < 3 {
        return Err(DomainError::invalid("q", "type at least 3 digits"));
    }
    Ok(DossierQuery::Number(n))
}

/// A number as it is matched: letters and digits only, in capitals, with
/// the country code `+84` written as the trunk prefix `0` (how the number
/// is dialled at home).
fn number_key(text: &str) -> String {
    let compact: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match text.trim_start().strip_prefix("+84") {
        Some(_) => format!("0{}", compact.strip_prefix("84").unwrap_or(&compact)),
        None => compact,
    }
}

/// `s` cut to at most [`TERM_BYTES`] on a character boundary.
fn cut(s: &str) -> &str {
    if s.len() <= TERM_BYTES {
        return s;
    }
    let mut end = TERM_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The terms a dossier is found by: its applicant's folded name from each
/// of its first [`NAME_WORDS`] words, and its identity and phone numbers
/// (marked, so they match only [`DossierQuery::Number`]). Distinct, never
/// empty strings.
pub fn dossier_terms(name: &str, identity: &str, phone: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let folded = fold_vi(name);
    let mut rest = folded.as_str();
    for _ in 0..NAME_WORDS {
        if rest.is_empty() {
            break;
        }
        terms.push(cut(rest).to_owned());
        rest = rest.split_once(' ').map_or("", |(_, r)| r);
    }
    for n in [identity, phone] {
        let key = number_key(n);
        if !key.is_empty() {
            terms.push(format!("{NUMBER_MARK}{}", cut(&key)));
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> DossierQuery {
        DossierQuery::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn reads_each_kind_of_query() {
        assert_eq!(
            parsed(" 000.01.41.h40-261125-0001 "),
            DossierQuery::Code("000.01.41.H40-261125-0001".into())
        );
        assert_eq!(parsed("000.01"), DossierQuery::Code("000.01".into()));
        assert_eq!(parsed("H40-2611"), DossierQuery::Code("H40-2611".into()));
        assert_eq!(
            parsed("https://motcua.example/tra-cuu/000.01.41.H40-261125-0001?t=SECRET"),
            DossierQuery::Code("000.01.41.H40-261125-0001".into())
        );
        assert_eq!(
            parsed("0912 345.678"),
            DossierQuery::Number("0912345678".into())
        );
        assert_eq!(
            parsed("+84 912 345 678"),
            DossierQuery::Number("0912345678".into())
        );
        assert_eq!(
            parsed("0101234567-001"),
            DossierQuery::Number("0101234567001".into())
        );
        assert_eq!(
            parsed("NGUYỄN Văn  a"),
            DossierQuery::Name("nguyen van a".into())
        );
        assert_eq!(parsed("đặng"), DossierQuery::Name("dang".into()));
    }

    #[test]
    fn refuses_what_cannot_be_searched() {
        for bad in [
            "",
            "  ",
            "a",
            "12",
            "/tra-cuu/?t=x",
            "0%1$",
            &"x".repeat(201),
        ] {
            let DomainError::Invalid { field, .. } = DossierQuery::parse(bad).expect_err(bad);
            assert_eq!(field, "q", "{bad:?}");
        }
    }

    #[test]
    fn a_name_is_found_from_each_word_and_numbers_only_as_numbers() {
        let terms = dossier_terms("Nguyễn Văn An", "001 090 123 456", "+84 912 345 678");
        assert_eq!(
            terms,
            vec![
                "#001090123456".to_owned(),
                "#0912345678".to_owned(),
                "an".to_owned(),
                "nguyen van an".to_owned(),
                "van an".to_owned(),
            ]
        );
        let matches = |q: &str| {
            let (low, high) = parsed(q).range();
            terms.iter().any(|t| *t >= low && *t < high)
        };
        for q in ["nguyen van", "Văn A", "an", "0912345", "001090", "+84 91"] {
            assert!(matches(q), "{q} should match");
        }
        for q in ["van b", "nguyen an", "0913", "ngu yen"] {
            assert!(!matches(q), "{q} should not match");
        }
        // A name's digits never meet a number query.
        let shop = dossier_terms("Cửa hàng 123", "", "");
        assert_eq!(
            shop,
            vec![
                "123".to_owned(),
                "cua hang 123".to_owned(),
                "hang 123".to_owned()
            ]
        );
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let name =
            "Công ty trách nhiệm hữu hạn một thành viên xây dựng và thương mại Hồng Lĩnh Nghệ An";
        let terms = dossier_terms(name, "", "");
        assert_eq!(terms.len(), NAME_WORDS);
        assert!(terms.iter().all(|t| t.len() <= TERM_BYTES && !t.is_empty()));
        // Hangul stays whole when folded: three bytes a character.
        let long = format!("a{}", "한".repeat(30));
        let t = dossier_terms(&long, "", "");
        assert_eq!(t, vec![format!("a{}", "한".repeat(19))]);
    }
}
