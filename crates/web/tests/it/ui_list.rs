//! The dossier list's totals, page numbers, sortable columns and folded
//! filters (issue 18, point 7) on both databases: the total equals the
//! number of dossiers paged through, for several filters and every order;
//! each order gives the rows in the order the test computes itself from
//! the appointments it set, across page boundaries, ties and dossiers
//! without an appointment included; the page number advances with the
//! next-page link; the sorted column's header says so; the folded filters
//! are open only when one of them is set; a bad order is refused naming
//! `sort`.

use motcua_service::store::{DossierFilter, Total};
use motcua_testkit::{Backend, codes};
use serde_json::Value;

use crate::api_auth::on_both;
use crate::api_dossiers::{get_json, ok, receive, reception, world_with};
use crate::ui_pages::{Browser, Page};

on_both!(
    the_total_is_what_the_list_pages_through_in_every_order,
    the_page_shows_its_total_page_numbers_and_sorted_column,
    the_folded_filters_open_when_one_is_set_and_bad_orders_are_refused,
);

/// Dossiers received, and their appointments as the test sets them
/// (milliseconds; `None`: no appointment).
struct Seeded {
    /// Codes in reception order (the order of their ids).
    codes: Vec<String>,
    dues: Vec<Option<i64>>,
}

const SEEDED: usize = 17;

/// Receives [`SEEDED`] dossiers, every third by post and every fourth to
/// a "Trần", then sets their appointments: five distinct moments shared
/// by several dossiers (ties broken by id), and none for every seventh.
async fn seed(w: &crate::api_dossiers::World) -> Seeded {
    let mut codes = Vec::new();
    for i in 0..SEEDED {
        let name = if i % 4 == 0 {
            format!("Trần Văn Số {i}")
        } else {
            format!("Nguyễn Thị Số {i}")
        };
        let mut body = reception(&name);
        if i % 3 == 0 {
            body["channel"] = Value::from("postal");
        }
        let d = ok(receive(&w.desk, &body).await);
        codes.push(d["code"].as_str().unwrap().to_owned());
    }
    let base: i64 = 1_764_900_000_000;
    let mut dues = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let due = (i % 7 != 3).then(|| base + ((i * 3) % 5) as i64 * 3_600_000);
        let value = due.map_or("NULL".to_owned(), |d| d.to_string());
        w.app
            .db
            .execute(&format!(
                "UPDATE dossiers SET current_due_ms = {value} WHERE code = '{code}'"
            ))
            .await
            .unwrap();
        dues.push(due);
    }
    Seeded { codes, dues }
}

/// The codes of `s` in an order, computed here from the dues set above and
/// the reception order: newest and oldest by id, soonest and latest
/// appointment with those without one last, ties by id in the order's
/// direction.
fn expected(s: &Seeded, sort: &str, keep: &dyn Fn(usize) -> bool) -> Vec<String> {
    let mut idx: Vec<usize> = (0..s.codes.len()).filter(|i| keep(*i)).collect();
    match sort {
        "newest" => idx.reverse(),
        "oldest" => {}
        "due" => idx.sort_by_key(|i| (s.dues[*i].is_none(), s.dues[*i], *i)),
        "due_latest" => idx.sort_by_key(|i| {
            (
                s.dues[*i].is_none(),
                std::cmp::Reverse(s.dues[*i]),
                std::cmp::Reverse(*i),
            )
        }),
        other => panic!("{other}"),
    }
    idx.into_iter().map(|i| s.codes[i].clone()).collect()
}

/// Pages through the list API with `query`, four a page, asking for the
/// total on the first page: the codes in order and the total.
async fn paged(c: &motcua_testkit::Client, query: &str) -> (Vec<String>, u64) {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    for _ in 0..50 {
        let mut path = format!("/api/dossiers?{query}&limit=4&count=true");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = get_json(c, &path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let t = page["total"].as_u64().expect("a total");
        assert_eq!(page["total_more"], false, "{path}");
        // Every page counts the same whole list.
        assert_eq!(*total.get_or_insert(t), t, "{path}");
        for item in page["items"].as_array().unwrap() {
            out.push(item["code"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => return (out, total.unwrap()),
        }
    }
    panic!("more than 50 pages for {query}");
}

async fn the_total_is_what_the_list_pages_through_in_every_order(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let s = seed(&w).await;
    let unit = codes::DISTRICT_A;
    // (query, which of the seeded dossiers it keeps)
    type Keep = Box<dyn Fn(usize) -> bool>;
    let cases: Vec<(String, Keep)> = vec![
        (String::new(), Box::new(|_| true)),
        (format!("unit={unit}"), Box::new(|_| true)),
        ("channel=postal".into(), Box::new(|i| i % 3 == 0)),
        ("q=tran".into(), Box::new(|i| i % 4 == 0)),
        (
            format!("unit={unit}&channel=in_person&q=nguyen"),
            Box::new(|i| i % 3 != 0 && i % 4 != 0),
        ),
        ("status=processing".into(), Box::new(|_| false)),
        ("received_from=2030-01-01".into(), Box::new(|_| false)),
    ];
    for (query, keep) in &cases {
        let want_n = (0..SEEDED).filter(|i| keep(*i)).count() as u64;
        for sort in ["newest", "oldest", "due", "due_latest"] {
            let q = format!("{query}&sort={sort}");
            let (got, total) = paged(&w.desk, &q).await;
            assert_eq!(total, got.len() as u64, "{q}: the total is what pages");
            assert_eq!(total, want_n, "{q}");
            assert_eq!(got, expected(&s, sort, keep.as_ref()), "{q}");
        }
    }
    // Without `count`, no total.
    let (_, page) = get_json(&w.desk, "/api/dossiers?limit=4").await;
    assert!(page.get("total").is_none(), "{page}");
    // The store's count stops at its cap and says there are more.
    let store = w.app.db.store();
    let all = DossierFilter {
        limit: 4,
        ..DossierFilter::default()
    };
    assert_eq!(
        store.count_dossiers(&all, 5).await.unwrap(),
        Total {
            count: 5,
            more: true
        }
    );
    assert_eq!(
        store.count_dossiers(&all, SEEDED as u64).await.unwrap(),
        Total {
            count: SEEDED as u64,
            more: false
        }
    );
}

fn codes_in(p: &Page) -> Vec<String> {
    p.body
        .split(r#"<td class="code"><a href="/ho-so/"#)
        .skip(1)
        .map(|c| c.split('"').next().unwrap().to_owned())
        .collect()
}

fn next_link(p: &Page) -> Option<String> {
    p.body
        .split(r#"<a class="next" href=""#)
        .nth(1)
        .map(|c| c.split('"').next().unwrap().to_owned())
}

/// The header cell of a column, from `<th` to `</th>`.
fn header<'a>(p: &'a Page, label: &str) -> &'a str {
    p.body
        .split("<th ")
        .skip(1)
        .find(|c| c.split("</th>").next().unwrap().contains(label))
        .map(|c| c.split("</th>").next().unwrap())
        .unwrap_or_else(|| panic!("no header {label}: {}", p.body))
}

async fn the_page_shows_its_total_page_numbers_and_sorted_column(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let s = seed(&w).await;
    let mut br = Browser::signed_in(&w.app, "tiepnhan").await;
    for sort in ["newest", "oldest", "due", "due_latest"] {
        let mut p = br.get(&format!("/ho-so?sort={sort}&limit=4")).await;
        let mut seen = Vec::new();
        for n in 1..=5 {
            assert_eq!(p.status, 200, "{sort} {n}: {}", p.body);
            assert!(p.body.contains("<strong>17 hồ sơ</strong>"), "{}", p.body);
            assert!(
                p.body.contains(&format!("Trang {n} / 5")),
                "{sort} {n}: {}",
                p.body
            );
            seen.extend(codes_in(&p));
            match next_link(&p) {
                Some(h) => {
                    assert!(h.contains(&format!("page={}", n + 1)), "{h}");
                    assert!(h.contains(&format!("sort={sort}")), "{h}");
                    p = br.get(&h).await;
                }
                None => assert_eq!(n, 5, "{sort}: the last page is the fifth"),
            }
        }
        assert_eq!(seen, expected(&s, sort, &|_| true), "{sort}");
        // The sorted column says so; the other does not.
        let (received, due) = (header(&p, "Tiếp nhận"), header(&p, "Hẹn trả"));
        let (on, off, aria, arrow) = match sort {
            "newest" => (received, due, "descending", "↓"),
            "oldest" => (received, due, "ascending", "↑"),
            "due" => (due, received, "ascending", "↑"),
            _ => (due, received, "descending", "↓"),
        };
        assert!(on.contains(&format!(r#"aria-sort="{aria}""#)), "{on}");
        assert!(on.contains(arrow), "{on}");
        assert!(!off.contains("aria-sort"), "{off}");
        // A click reverses the sorted column and starts at page one.
        let reverse = match sort {
            "newest" => "oldest",
            "oldest" => "newest",
            "due" => "due_latest",
            _ => "due",
        };
        assert!(
            on.contains(&format!("sort={reverse}&amp;limit=4\""))
                || on.contains(&format!("sort={reverse}&limit=4\"")),
            "{on}"
        );
        assert!(!on.contains("cursor="), "{on}");
    }
    // A filtered list counts its own dossiers, in English too.
    let p = br.get("/ho-so?channel=postal&limit=4").await;
    assert!(p.body.contains("<strong>6 hồ sơ</strong>"), "{}", p.body);
    assert!(p.body.contains("Trang 1 / 2"), "{}", p.body);
    let p = br.get("/ho-so?q=khong+ai&limit=4").await;
    assert!(p.body.contains("<strong>0 hồ sơ</strong>"), "{}", p.body);
    assert!(p.body.contains("Trang 1 / 1"), "{}", p.body);
    br.set_cookie("lang", "en");
    let p = br.get("/ho-so?channel=postal&limit=4").await;
    assert!(p.body.contains("<strong>6 dossiers</strong>"), "{}", p.body);
    assert!(p.body.contains("Page 1 of 2"), "{}", p.body);
}

async fn the_folded_filters_open_when_one_is_set_and_bad_orders_are_refused(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let _ = seed(&w).await;
    let mut br = Browser::signed_in(&w.app, "tiepnhan").await;
    let folded = |p: &Page| -> bool {
        let tag = p
            .body
            .split(r#"<details class="more-filters""#)
            .nth(1)
            .unwrap_or_else(|| panic!("no folded filters: {}", p.body))
            .split('>')
            .next()
            .unwrap()
            .to_owned();
        tag.contains(" open")
    };
    let unit = codes::DISTRICT_A;
    for (q, open) in [
        (String::new(), false),
        (
            format!("unit={unit}&status=received&sort=due&q=nguyen"),
            false,
        ),
        ("channel=postal".to_owned(), true),
        ("procedure=1.000003".to_owned(), true),
        ("received_from=2025-11-24".to_owned(), true),
        ("classification=late".to_owned(), true),
        ("overdue=true".to_owned(), true),
        ("mine=true".to_owned(), true),
        ("channel=&received_from=".to_owned(), false),
    ] {
        let p = br.get(&format!("/ho-so?{q}")).await;
        assert_eq!(p.status, 200, "{q}: {}", p.body);
        assert_eq!(folded(&p), open, "{q}");
        // The most used filters stay on the line, outside the fold.
        let line = p
            .body
            .split(r#"<details class="more-filters""#)
            .next()
            .unwrap();
        for name in ["q", "unit", "status", "sort"] {
            assert!(line.contains(&format!(r#"name="{name}""#)), "{name}");
        }
        assert!(!line.contains(r#"name="channel""#));
    }
    // A bad order: the API names the field, the page says so in words.
    for bad in ["bogus", "due_desc", "NEWEST"] {
        let (status, problem) = get_json(&w.desk, &format!("/api/dossiers?sort={bad}")).await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(problem["field"], "sort", "{problem}");
        let p = br.get(&format!("/ho-so?sort={bad}")).await;
        assert_eq!(p.status, 422, "{bad}");
        assert!(
            p.body.contains("Bộ lọc không hợp lệ: Sắp xếp."),
            "{}",
            p.body
        );
    }
    // The queues take the same orders and refuse others.
    for sort in ["newest", "oldest", "due", "due_latest"] {
        let p = br.get(&format!("/hang-doi?tab=desk&sort={sort}")).await;
        assert_eq!(p.status, 200, "{sort}: {}", p.body);
    }
    let p = br.get("/hang-doi?tab=desk&sort=bogus").await;
    assert!(p.status.is_client_error(), "{}", p.status);
}
