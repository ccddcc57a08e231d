//! Examples of folding, matching and ranking, with the expected order reasoned
//! out by hand from the rules in [`super::rank`].

use super::*;
use crate::catalog::OnlineLevel;
use crate::unit::Level;

fn doc(id: i64, code: &str, name: &str, field: &str) -> SearchDoc {
    SearchDoc {
        procedure_id: id,
        code: code.to_owned(),
        name: name.to_owned(),
        field: field.to_owned(),
        levels: vec![Level::District],
        online_level: OnlineLevel::Partial,
    }
}

fn at(level: Level, mut d: SearchDoc) -> SearchDoc {
    d.levels = vec![level];
    d
}

/// A small catalog with the examples the brief and users give.
fn catalog() -> SearchIndex {
    SearchIndex::build(vec![
        doc(1, "1.009972", "Cấp giấy phép sửa chữa nhà ở", "Xây dựng"),
        doc(2, "1.009974", "Cấp giấy phép xây dựng", "Xây dựng"),
        doc(3, "1.009975", "Cấp lại giấy phép xây dựng", "Xây dựng"),
        doc(4, "1.001193", "Đăng ký khai sinh", "Hộ tịch"),
        doc(5, "1.001022", "Xác nhận dân sự", "Hộ tịch"),
        doc(
            6,
            "2.000815",
            "Chứng thực bản sao từ bản chính",
            "Chứng thực",
        ),
        doc(7, "1.000894", "Đăng ký kết hôn", "Hộ tịch"),
        doc(8, "1.004837", "Đăng ký khai tử", "Hộ tịch"),
    ])
}

fn names(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.name.as_str()).collect()
}

fn first(index: &SearchIndex, query: &str) -> String {
    let hits = index.search(query, 10, |_| true);
    hits.first().map(|h| h.name.clone()).unwrap_or_default()
}

#[test]
fn fold_removes_tones_vowel_marks_and_case() {
    assert_eq!(fold_vi("Cấp giấy phép xây dựng"), "cap giay phep xay dung");
    assert_eq!(fold_vi("ĐĂNG KÝ khai sinh"), "dang ky khai sinh");
    assert_eq!(fold_vi("Ăn ương ơi ư ê ô"), "an uong oi u e o");
    assert_eq!(fold_vi("giâý"), "giay");
}

#[test]
fn fold_treats_decomposed_input_like_precomposed() {
    // "dựng" typed as d + u + horn + dot below + n + g.
    assert_eq!(fold_vi("d\u{0075}\u{031B}\u{0323}ng"), "dung");
    assert_eq!(fold_vi("Vie\u{0302}\u{0323}t"), "viet");
}

#[test]
fn fold_collapses_punctuation_and_space_runs() {
    assert_eq!(fold_vi("  Thủ tục -- (mới)!!  "), "thu tuc moi");
    assert_eq!(fold_vi("1.001193"), "1 001193");
    assert_eq!(fold_vi("a\t\n b"), "a b");
    assert_eq!(fold_vi("...,;"), "");
    assert_eq!(fold_vi(""), "");
}

#[test]
fn construction_permit_is_found_first_however_typed() {
    let index = catalog();
    for query in [
        "giay phep xay dung",
        "GIẤY PHÉP xây dựng",
        "xay dung",
        "giay phep xay dungg",
        "giay phep xay dunh",
        "xay d",
    ] {
        assert_eq!(first(&index, query), "Cấp giấy phép xây dựng", "{query}");
    }
}

#[test]
fn misplaced_tone_mark_still_finds_the_permit() {
    // "giâý phép" folds to "giay phep"; three names hold both tokens exactly
    // and adjacent, so the shortest (22 characters folded) comes first.
    let hits = catalog().search("giâý phép", 10, |_| true);
    assert_eq!(
        names(&hits),
        [
            "Cấp giấy phép xây dựng",
            "Cấp lại giấy phép xây dựng",
            "Cấp giấy phép sửa chữa nhà ở",
        ]
    );
}

#[test]
fn construction_permit_ranking_is_reasoned_order() {
    // "giay phep xay dung":
    // - "Cấp giấy phép xây dựng": 4 tokens exact (coverage 8, quality 16),
    //   3 adjacent pairs (order 6), 22 characters;
    // - "Cấp lại giấy phép xây dựng": the same figures, 26 characters;
    // - "Cấp giấy phép sửa chữa nhà ở": giay, phep in the name (4) and xay,
    //   dung only in the field "Xây dựng" (2): coverage 6;
    // - the three "Đăng ký …": "dung" is one edit from "dang": coverage 2;
    // - "Xác nhận dân sự" and "Chứng thực …": no token matches ("xay" is too
    //   short for a typo match with "xac"; "dung" is two edits from "dan"),
    //   not hits.
    let hits = catalog().search("giay phep xay dung", 10, |_| true);
    assert_eq!(
        names(&hits),
        [
            "Cấp giấy phép xây dựng",
            "Cấp lại giấy phép xây dựng",
            "Cấp giấy phép sửa chữa nhà ở",
            "Đăng ký kết hôn",
            "Đăng ký khai tử",
            "Đăng ký khai sinh",
        ]
    );
    assert!(hits[0].score > hits[1].score && hits[1].score > hits[2].score);
    assert!(hits[2].score > hits[3].score);
}

#[test]
fn birth_registration_ignores_diacritics_case_and_d_bar() {
    let index = catalog();
    for query in [
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "Đăng ký khai sinh",
    ] {
        assert_eq!(first(&index, query), "Đăng ký khai sinh", "{query}");
    }
    // "ĐĂNG KÝ" alone: the three "Đăng ký …" names match both tokens
    // exactly and adjacent. "dang ky ket hon" and "dang ky khai tu" both fold
    // to 15 characters, so code order decides (1.000894 < 1.004837); "dang
    // ky khai sinh" has 17. Names where "dang" is one edit from "dung" or
    // "dan" follow, with one token matched.
    let hits = index.search("ĐĂNG KÝ", 10, |_| true);
    assert_eq!(
        names(&hits[..3]),
        ["Đăng ký kết hôn", "Đăng ký khai tử", "Đăng ký khai sinh"]
    );
    assert!(hits[3..].iter().all(|h| h.score < hits[2].score));
}

#[test]
fn typos_missing_swapped_extra_and_wrong_letters_are_tolerated() {
    let index = catalog();
    // Swapped letters: "dnag" is one transposition from "dang".
    assert_eq!(first(&index, "dnag ky khai sinh"), "Đăng ký khai sinh");
    // Missing letter: "chng" is "chung" without its u.
    assert_eq!(
        first(&index, "chng thuc ban sao"),
        "Chứng thực bản sao từ bản chính"
    );
    // Extra letter.
    assert_eq!(first(&index, "dang ky khai sinhh"), "Đăng ký khai sinh");
    // Wrong letter: "sinj" for "sinh".
    assert_eq!(first(&index, "khai sinj"), "Đăng ký khai sinh");
}

#[test]
fn exact_match_beats_prefix_even_for_a_longer_name() {
    let index = SearchIndex::build(vec![
        doc(1, "A1", "Bảng giá", "Tài chính"),
        doc(2, "A2", "Cấp bản sao trích lục", "Hộ tịch"),
    ]);
    // "ban": exact in "bản" (quality 4), only a prefix of "bảng" (3).
    assert_eq!(
        names(&index.search("ban", 10, |_| true)),
        ["Cấp bản sao trích lục", "Bảng giá"]
    );
}

#[test]
fn prefix_match_beats_typo_match_even_for_a_longer_name() {
    let index = SearchIndex::build(vec![
        doc(1, "A1", "Thai sản", "Bảo hiểm"),
        doc(2, "A2", "Thanh lý tài sản công", "Tài sản công"),
    ]);
    // "than": a prefix of "thanh" (3), one substitution from "thai" (2).
    assert_eq!(
        names(&index.search("than", 10, |_| true)),
        ["Thanh lý tài sản công", "Thai sản"]
    );
}

#[test]
fn more_tokens_matched_beats_a_shorter_name() {
    let index = SearchIndex::build(vec![
        doc(1, "A1", "Giấy phép", "Khác"),
        doc(2, "A2", "Cấp lại giấy phép xây dựng", "Khác"),
    ]);
    assert_eq!(
        first(&index, "giay phep xay dung"),
        "Cấp lại giấy phép xây dựng"
    );
}

#[test]
fn tokens_in_order_and_adjacent_rank_higher() {
    let index = SearchIndex::build(vec![
        doc(1, "A1", "Kết hôn đăng ký", "Hộ tịch"),
        doc(2, "A2", "Đăng ký lại kết hôn", "Hộ tịch"),
        doc(3, "A3", "Đăng ký kết hôn", "Hộ tịch"),
    ]);
    // All three hold the four tokens exactly (coverage 8, quality 16).
    // Order for the pairs (dang ky), (ky ket), (ket hon):
    // - "dang ky ket hon": 2 + 2 + 2 = 6;
    // - "dang ky lai ket hon": 2 + 1 (in order, apart) + 2 = 5;
    // - "ket hon dang ky": 2 + 0 (ket before ky) + 2 = 4, though it is
    //   shorter than "dang ky lai ket hon".
    assert_eq!(
        names(&index.search("dang ky ket hon", 10, |_| true)),
        ["Đăng ký kết hôn", "Đăng ký lại kết hôn", "Kết hôn đăng ký"]
    );
}

#[test]
fn field_only_match_is_a_hit_below_name_matches() {
    let index = SearchIndex::build(vec![
        doc(1, "A1", "Đăng ký khai sinh", "Hộ tịch"),
        doc(2, "A2", "Trích lục hộ tịch", "Hộ tịch"),
        doc(3, "A3", "Cấp thẻ căn cước", "Căn cước"),
    ]);
    assert_eq!(
        names(&index.search("ho tich", 10, |_| true)),
        ["Trích lục hộ tịch", "Đăng ký khai sinh"]
    );
}

#[test]
fn code_query_finds_that_procedure_first() {
    let index = catalog();
    let hits = index.search("1.001193", 10, |_| true);
    assert_eq!(hits[0].code, "1.001193");
    assert_eq!(hits[0].name, "Đăng ký khai sinh");
    assert_eq!(first(&index, "1001193"), "Đăng ký khai sinh");
    // A code prefix lists the codes it begins, in code order.
    let codes: Vec<_> = index
        .search("1.00997", 10, |_| true)
        .into_iter()
        .map(|h| h.code)
        .collect();
    assert_eq!(codes, ["1.009972", "1.009974", "1.009975"]);
    // Too short to be tried as a code.
    assert!(index.search("1.", 10, |_| true).is_empty());
}

#[test]
fn keep_filter_is_respected() {
    let index = SearchIndex::build(vec![
        at(Level::Commune, doc(1, "A1", "Đăng ký khai sinh", "Hộ tịch")),
        at(
            Level::District,
            doc(2, "A2", "Đăng ký khai sinh lưu động", "Hộ tịch"),
        ),
        at(Level::Commune, doc(3, "A3", "Đăng ký kết hôn", "Hộ tịch")),
    ]);
    let hits = index.search("dang ky", 10, |d| d.levels.contains(&Level::District));
    assert_eq!(names(&hits), ["Đăng ký khai sinh lưu động"]);
    assert!(index.search("dang ky", 10, |_| false).is_empty());
}

#[test]
fn limit_is_respected_and_keeps_the_best() {
    let index = catalog();
    // Three "Đăng ký …" names, three with "dựng" and one with "dân" (one edit
    // from "dang"): seven hits in all.
    let all = index.search("dang ky", 10, |_| true);
    assert_eq!(all.len(), 7);
    let two = index.search("dang ky", 2, |_| true);
    assert_eq!(two, all[..2]);
    assert_eq!(index.search("dang ky", 7, |_| true), all);
    assert!(index.search("dang ky", 0, |_| true).is_empty());
}

#[test]
fn empty_and_punctuation_queries_have_no_hits() {
    let index = catalog();
    for query in ["", "   ", "?!.,", "--"] {
        assert!(index.search(query, 10, |_| true).is_empty(), "{query:?}");
    }
    assert!(
        SearchIndex::default()
            .search("dang ky", 10, |_| true)
            .is_empty()
    );
}

#[test]
fn tokens_past_the_fifteenth_are_ignored() {
    // The first four tokens name the permit; the thirty that follow are
    // beyond MAX_QUERY_TOKENS (15) or match nothing.
    let query = format!("giay phep xay dung {}", ["zzz"; 30].join(" "));
    assert_eq!(first(&catalog(), &query), "Cấp giấy phép xây dựng");
}

#[test]
fn unrelated_query_has_no_hits() {
    assert!(catalog().search("quốc phòng", 10, |_| true).is_empty());
}

#[test]
fn equal_scores_are_ordered_by_code() {
    let index = SearchIndex::build(vec![
        doc(3, "B2", "Cấp phép", "X"),
        doc(1, "B1", "Cấp phép", "X"),
        doc(2, "A9", "Cấp phép", "X"),
    ]);
    let hits = index.search("cap phep", 10, |_| true);
    let codes: Vec<_> = hits.iter().map(|h| h.code.as_str()).collect();
    assert_eq!(codes, ["A9", "B1", "B2"]);
    assert!(hits.windows(2).all(|w| w[0].score == w[1].score));
    assert_eq!(index.len(), 3);
    assert!(!index.is_empty());
}

/// Syllables that build synthetic procedure names.
const VERBS: [&str; 10] = [
    "Cấp",
    "Cấp lại",
    "Đăng ký",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Xác nhận",
    "Chứng thực",
    "Thẩm định",
    "Phê duyệt",
];
const OBJECTS: [&str; 20] = [
    "giấy phép",
    "chứng chỉ",
    "giấy chứng nhận",
    "hồ sơ",
    "quyết định",
    "văn bằng",
    "hợp đồng",
    "dự án",
    "phương án",
    "báo cáo",
    "biên bản",
    "tờ khai",
    "sổ hộ khẩu",
    "thẻ",
    "bản sao",
    "danh sách",
    "kế hoạch",
    "đề án",
    "nhãn hiệu",
    "mẫu dấu",
];
const MATTERS: [&str; 50] = [
    "xây dựng",
    "kinh doanh",
    "khai sinh",
    "kết hôn",
    "đất đai",
    "môi trường",
    "vận tải",
    "du lịch",
    "giáo dục",
    "y tế",
    "dược phẩm",
    "thực phẩm",
    "nông nghiệp",
    "thủy sản",
    "lâm nghiệp",
    "khoáng sản",
    "điện lực",
    "viễn thông",
    "báo chí",
    "xuất bản",
    "quảng cáo",
    "thể thao",
    "văn hóa",
    "di sản",
    "tôn giáo",
    "lao động",
    "việc làm",
    "bảo hiểm",
    "thuế",
    "hải quan",
    "ngân hàng",
    "chứng khoán",
    "đầu tư",
    "đấu thầu",
    "hợp tác xã",
    "hộ kinh doanh",
    "doanh nghiệp",
    "nhà ở",
    "công trình",
    "giao thông",
    "đường thủy",
    "hàng hải",
    "hàng không",
    "phòng cháy",
    "an ninh",
    "quốc phòng",
    "tư pháp",
    "hộ tịch",
    "quốc tịch",
    "nuôi con nuôi",
];
const PLACES: [&str; 10] = [
    "",
    "tại cấp xã",
    "tại cấp huyện",
    "tại cấp tỉnh",
    "cho cá nhân",
    "cho tổ chức",
    "có yếu tố nước ngoài",
    "lưu động",
    "trực tuyến",
    "lần đầu",
];

/// 10,000 distinct synthetic names (every verb × object × matter × place
/// combination is distinct), with codes 1.000000…1.009999 in order.
fn synthetic() -> Vec<SearchDoc> {
    (0..10_000usize)
        .map(|i| {
            let name = format!(
                "{} {} {} {}",
                VERBS[i % 10],
                OBJECTS[(i / 10) % 20],
                MATTERS[(i / 200) % 50],
                PLACES[(i / 7) % 10],
            );
            let field = MATTERS[(i / 200) % 50];
            let mut d = doc(i as i64, &format!("1.{i:06}"), name.trim(), field);
            d.levels = vec![if i % 2 == 0 {
                Level::Commune
            } else {
                Level::District
            }];
            d
        })
        .collect()
}

#[test]
fn ten_thousand_documents_index_loses_no_hit_and_ranks_as_expected() {
    let index = SearchIndex::build(synthetic());
    assert_eq!(index.len(), 10_000);
    for query in [
        "giay phep xay dung",
        "cap giay phep xay dung tai cap xa",
        "xay d",
        "dang ky khai sinh luu dong",
        "dnag ky ket hon",
        "chng chi",
        "d",
        "1.00042",
        "tham dinh du an dau tu",
    ] {
        let indexed = index.search(query, usize::MAX, |_| true);
        let every = index.search_every_doc(query, usize::MAX);
        assert!(!indexed.is_empty(), "{query}");
        assert_eq!(indexed, every, "{query}");
        // With a small limit the search prunes documents that cannot reach
        // it before adding phrase order; the best hits must not change.
        for limit in [1, 5, 20] {
            let pruned = index.search(query, limit, |_| true);
            assert_eq!(pruned, every[..limit.min(every.len())], "{query} {limit}");
        }
        assert!(
            indexed
                .windows(2)
                .all(|w| w[0].score > w[1].score
                    || (w[0].score == w[1].score && w[0].code < w[1].code)),
            "{query}: not sorted by score, then code"
        );
    }
    // "Cấp giấy phép xây dựng" is verb 0, object 0, matter 0: i = 0, whose
    // place is (0 / 7) % 10 = 0 (""),
    // so doc 0 is exactly "Cấp giấy phép xây dựng", the shortest name holding
    // all four tokens adjacent.
    let top = index.search("giay phep xay dung", 5, |_| true);
    assert_eq!(top[0].name, "Cấp giấy phép xây dựng");
    assert_eq!(top[0].code, "1.000000");
    assert_eq!(top.len(), 5);
    // The code query finds exactly the codes starting 1.00042: 1.000420 to
    // 1.000429, ten documents.
    let codes = index.search("1.00042", 100, |_| true);
    assert_eq!(codes.len(), 10);
    assert_eq!(codes[0].code, "1.000420");
    // The level filter halves the candidates: only even ids are communes.
    let commune = index.search("giay phep", 50, |d| d.levels.contains(&Level::Commune));
    assert_eq!(commune.len(), 50);
    assert!(commune.iter().all(|h| h.procedure_id % 2 == 0));
}
