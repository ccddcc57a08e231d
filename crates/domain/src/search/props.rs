//! Properties of folding and ranking.

use proptest::prelude::*;

use super::*;
use crate::catalog::OnlineLevel;
use crate::unit::Level;

/// Every lower-case Vietnamese letter (the vowels with each of the six tones),
/// digits, and separators users type.
const VI_LOWER: &str = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợ\
pqrstuùúủũụưừứửữựvxyỳýỷỹỵ0123456789 .,-/()";

fn vi_chars() -> Vec<char> {
    let lower: Vec<char> = VI_LOWER.chars().collect();
    let upper = lower.iter().flat_map(|c| c.to_uppercase());
    lower.iter().copied().chain(upper).collect()
}

/// Vietnamese text: precomposed letters of both cases, digits, separators,
/// and sometimes the combining tone marks typed on their own.
fn vietnamese() -> impl Strategy<Value = String> {
    let chars = vi_chars();
    let marks = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];
    prop::collection::vec(
        prop_oneof![
            9 => prop::sample::select(chars),
            1 => prop::sample::select(marks.to_vec()),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn folding_is_idempotent(s in vietnamese()) {
        let once = fold_vi(&s);
        prop_assert_eq!(fold_vi(&once), once);
    }

    #[test]
    fn folding_any_text_is_idempotent_and_never_longer(s in any::<String>()) {
        let once = fold_vi(&s);
        prop_assert_eq!(fold_vi(&once), once.clone());
        prop_assert!(once.chars().count() <= s.chars().count());
    }

    #[test]
    fn folded_vietnamese_is_ascii_lower_case_words(s in vietnamese()) {
        let folded = fold_vi(&s);
        prop_assert!(folded.is_ascii());
        prop_assert!(!folded.bytes().any(|b| b.is_ascii_uppercase()));
        prop_assert!(!folded.starts_with(' ') && !folded.ends_with(' '));
        prop_assert!(!folded.contains("  "));
        prop_assert!(folded.chars().all(|c| c == ' ' || c.is_ascii_alphanumeric()));
    }

    #[test]
    fn folding_commutes_with_upper_casing(s in vietnamese()) {
        prop_assert_eq!(fold_vi(&s.to_uppercase()), fold_vi(&s));
        prop_assert_eq!(fold_vi(&s.to_lowercase()), fold_vi(&s));
    }

    #[test]
    fn folding_never_lengthens(s in vietnamese()) {
        prop_assert!(fold_vi(&s).chars().count() <= s.chars().count());
    }
}

/// Syllables for generated names.
const SYLLABLES: [&str; 16] = [
    "cấp", "giấy", "phép", "xây", "dựng", "đăng", "ký", "khai", "sinh", "hộ", "tịch", "chứng",
    "thực", "bản", "sao", "nhà",
];

/// A catalog of names of two to six distinct syllables each.
fn catalog() -> impl Strategy<Value = Vec<SearchDoc>> {
    prop::collection::vec(
        (
            Just(SYLLABLES.to_vec()).prop_shuffle(),
            2usize..=6,
            prop::bool::ANY,
        ),
        1..30,
    )
    .prop_map(|names| {
        names
            .into_iter()
            .enumerate()
            .map(|(i, (syllables, n, commune))| SearchDoc {
                procedure_id: i as i64,
                code: format!("2.{:06}", i * 37 % 101),
                name: syllables[..n].join(" "),
                field: "Khác".to_owned(),
                levels: vec![if commune {
                    Level::Commune
                } else {
                    Level::District
                }],
                online_level: OnlineLevel::None,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn hits_are_sorted_filtered_and_limited(
        docs in catalog(),
        query in prop::sample::subsequence(SYLLABLES.to_vec(), 1..4),
        limit in 0usize..10,
    ) {
        let index = SearchIndex::build(docs.clone());
        let query = query.join(" ");
        let keep = |d: &SearchDoc| d.levels.contains(&Level::Commune);
        let hits = index.search(&query, limit, keep);
        prop_assert!(hits.len() <= limit);
        for w in hits.windows(2) {
            prop_assert!(
                w[0].score > w[1].score || (w[0].score == w[1].score && w[0].code <= w[1].code)
            );
        }
        for h in &hits {
            let d = docs.iter().find(|d| d.procedure_id == h.procedure_id);
            prop_assert!(d.is_some_and(keep));
        }
        // The index and a scan of every document agree on the kept hits.
        let every: Vec<_> = index
            .search_every_doc(&query, usize::MAX)
            .into_iter()
            .filter(|h| docs.iter().any(|d| d.procedure_id == h.procedure_id && keep(d)))
            .take(limit)
            .collect();
        prop_assert_eq!(hits, every);
    }

    #[test]
    fn a_name_typed_in_full_is_a_best_hit(docs in catalog(), pick in any::<prop::sample::Index>()) {
        let index = SearchIndex::build(docs.clone());
        let target = &docs[pick.index(docs.len())];
        let hits = index.search(&target.name.to_uppercase(), usize::MAX, |_| true);
        let own = hits.iter().find(|h| h.procedure_id == target.procedure_id);
        prop_assert!(own.is_some());
        // Its syllables are distinct, so another name can match them all,
        // adjacent and in order, only by containing the whole name: no other
        // hit can score higher.
        prop_assert_eq!(own.map(|h| h.score), hits.first().map(|h| h.score));
    }
}
