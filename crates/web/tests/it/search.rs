//! The staff search box on both databases (issue 18, point 1): a dossier
//! found by its code (typed, partly typed, or scanned from the receipt's QR
//! code), by the applicant's identity or phone number however it is
//! written, and by any run of whole words of the name typed without
//! diacritics; only within the searcher's units; bad input refused with
//! the field named; the header box's hits and its straight-to-the-dossier
//! answer on an exact code.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::api_dossiers::{get_json, receive, world_with};
use crate::ui_pages::Browser;

on_both!(
    the_search_finds_by_code_number_and_name_within_the_units_seen,
    the_header_box_opens_an_exact_code_and_lists_the_rest,
    the_list_downloads_as_csv_and_xlsx_with_its_filters,
    the_migrations_backfill_writes_the_terms_reception_writes,
);

fn applicant(name: &str, identity: &str, phone: &str) -> Value {
    json!({
        "unit": codes::DESK_A, "procedure": "1.000003", "channel": "in_person",
        "applicant": { "kind": "citizen", "name": name, "identity": identity,
            "phone": phone, "email": "", "address": "Xã Bồi Sơn, huyện Đô Lương" },
        "components": [{ "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "digitised": true, "reused": false }]
    })
}

/// Receives three dossiers; returns their codes in reception order.
async fn three(w: &crate::api_dossiers::World) -> Vec<String> {
    let mut codes = Vec::new();
    for (name, identity, phone) in [
        ("Nguyễn Văn An", "040095000123", "0912 345 678"),
        ("Nguyễn Thị Ánh", "040195000456", "+84 983.111.222"),
        ("Đặng Văn Anh", "040090000789", "0241-234-567"),
    ] {
        let (status, d) = receive(&w.desk, &applicant(name, identity, phone)).await;
        assert_eq!(status, 201, "{d}");
        codes.push(d["code"].as_str().unwrap().to_owned());
    }
    codes
}

async fn found(c: &motcua_testkit::Client, q: &str) -> Vec<String> {
    let query = serde_urlencoded::to_string([("q", q)]).unwrap();
    let (status, page) = get_json(c, &format!("/api/dossiers?{query}")).await;
    assert_eq!(status, 200, "{q}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_search_finds_by_code_number_and_name_within_the_units_seen(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let c = three(&w).await;
    let (an, anh_thi, anh_dang) = (&c[0], &c[1], &c[2]);
    // Newest first, as lists are.
    let cases: Vec<(&str, Vec<&String>)> = vec![
        // Names, typed without diacritics, from any word on.
        ("nguyen", vec![anh_thi, an]),
        ("NGUYỄN VĂN", vec![an]),
        ("nguyen van an", vec![an]),
        ("van an", vec![anh_dang, an]),
        ("anh", vec![anh_dang, anh_thi]),
        ("an", vec![anh_dang, anh_thi, an]),
        ("dang", vec![anh_dang]),
        ("thi anh", vec![anh_thi]),
        ("nguyen an", vec![]),
        ("binh", vec![]),
        // Numbers however written: identity, phone with +84, dots, dashes.
        ("040095000123", vec![an]),
        ("0401", vec![anh_thi]),
        ("040", vec![anh_dang, anh_thi, an]),
        ("0912345678", vec![an]),
        ("0912.345", vec![an]),
        ("0983 111 222", vec![anh_thi]),
        ("+84983111222", vec![anh_thi]),
        ("024 1234", vec![anh_dang]),
        ("0999", vec![]),
    ];
    for (q, want) in &cases {
        let want: Vec<String> = want.iter().map(|s| (*s).clone()).collect();
        assert_eq!(found(&w.desk, q).await, want, "q={q}");
    }
    // Codes: exact, lower case, its beginning, the receipt's QR address.
    assert_eq!(found(&w.desk, an).await, vec![an.clone()]);
    assert_eq!(found(&w.desk, &an.to_lowercase()).await, vec![an.clone()]);
    let day_prefix = &an[..an.len() - 2];
    assert_eq!(
        found(&w.desk, day_prefix).await,
        vec![anh_dang.clone(), anh_thi.clone(), an.clone()]
    );
    let scanned = format!("http://127.0.0.1/tra-cuu/{anh_thi}?t=whatever");
    assert_eq!(found(&w.desk, &scanned).await, vec![anh_thi.clone()]);
    // With another filter: the search narrows the list, not the other way.
    let (_, page) = get_json(&w.desk, "/api/dossiers?q=nguyen&status=returned").await;
    assert_eq!(page["items"], json!([]));
    // Someone in another district sees none of them, by any key.
    let other = w
        .app
        .client("tiepnhanb", Role::DeskOfficer, codes::DISTRICT_B)
        .await
        .unwrap();
    for q in ["nguyen", "0912345678", "040", an.as_str()] {
        assert_eq!(found(&other, q).await, Vec::<String>::new(), "q={q}");
    }
    // Bad input: too short, too long, nothing searchable; named, 422.
    let long = "x".repeat(201);
    for q in ["a", "12", "%%", long.as_str(), "/tra-cuu/?t=x"] {
        let query = serde_urlencoded::to_string([("q", q)]).unwrap();
        let (status, body) = get_json(&w.desk, &format!("/api/dossiers?{query}")).await;
        assert_eq!(status, 422, "q={q}: {body}");
        assert_eq!(body["field"], "q", "q={q}: {body}");
    }
}

async fn the_header_box_opens_an_exact_code_and_lists_the_rest(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let c = three(&w).await;
    let mut br = Browser::signed_in(&w.app, "tiepnhan").await;
    // Every staff page carries the box.
    let home = br.get("/").await;
    assert!(home.body.contains(r#"action="/tim-kiem""#), "{}", home.body);
    // An exact code, typed or scanned, opens the dossier.
    let p = br
        .get(&format!("/tim-kiem?q={}", c[1].to_lowercase()))
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), format!("/ho-so/{}", c[1]));
    let scanned = serde_urlencoded::to_string([(
        "q",
        format!("https://motcua.example/tra-cuu/{}?t=secret-token", c[2]),
    )])
    .unwrap();
    let p = br.get(&format!("/tim-kiem?{scanned}")).await;
    assert_eq!(p.location(), format!("/ho-so/{}", c[2]));
    // A name goes to the list filtered by it, which shows the hits.
    let p = br.get("/tim-kiem?q=Van+An").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/ho-so?q=Van+An");
    let list = br.get(p.location()).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&c[0]) && list.body.contains(&c[2]));
    assert!(!list.body.contains(&c[1]), "{}", list.body);
    assert!(list.body.contains(r#"name="q" value="Van An""#));
    // A scanned address with no dossier behind it keeps no token.
    let p = br
        .get("/tim-kiem?q=https%3A%2F%2Fx%2Ftra-cuu%2F000.01.21.H40-990101-0001%3Ft%3Dsecret")
        .await;
    assert_eq!(p.location(), "/ho-so?q=000.01.21.H40-990101-0001");
    // As one types: the first hits as links, or a hint, or "none".
    let hits = br.get("/tim-kiem/goi-y?q=nguyen+thi").await;
    assert_eq!(hits.status, StatusCode::OK);
    assert!(hits.body.contains(&format!(r#"href="/ho-so/{}""#, c[1])));
    assert!(!hits.body.contains(&c[0]));
    let hint = br.get("/tim-kiem/goi-y?q=a").await;
    assert!(hint.body.contains("ít nhất 2 chữ cái"), "{}", hint.body);
    let none = br.get("/tim-kiem/goi-y?q=binh").await;
    assert!(
        none.body.contains("Không tìm thấy hồ sơ nào"),
        "{}",
        none.body
    );
    // The list page names the field of a bad search.
    let bad = br.get("/ho-so?q=%25%25").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Tìm hồ sơ"), "{}", bad.body);
}

async fn the_list_downloads_as_csv_and_xlsx_with_its_filters(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let c = three(&w).await;
    let mut br = Browser::signed_in(&w.app, "tiepnhan").await;
    // The list page offers the files with its filters.
    let list = br.get("/ho-so?q=nguyen").await;
    assert!(
        list.body
            .contains(r#"href="/ho-so/xuat?q=nguyen&format=csv""#),
        "{}",
        list.body
    );
    let csv = br.get("/ho-so/xuat?q=nguyen&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let disposition = csv
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"danh-sach-ho-so-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    // A byte-order mark for Excel, the header, then the two Nguyễns, newest
    // first, numbered.
    let text = csv.body.strip_prefix('\u{feff}').expect("BOM");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "STT,Mã hồ sơ,Người nộp,Mã thủ tục,Thủ tục,Tiếp nhận,Hẹn trả,Tình hình hạn,Trạng thái,Đang giữ"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with(&format!(
            "1,{},Nguyễn Thị Ánh,1.000003,Đăng ký khai sinh,",
            c[1]
        )),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("2,{},Nguyễn Văn An,", c[0])),
        "{}",
        lines[2]
    );
    // Every filter applies: none returned yet.
    let none = br.get("/ho-so/xuat?status=returned&format=csv").await;
    assert_eq!(none.body.trim_start_matches('\u{feff}').lines().count(), 1);
    // XLSX: a zip (an Office workbook).
    let http = reqwest::Client::new();
    let cookie = format!("motcua_session={}", br.cookie("motcua_session").unwrap());
    let res = http
        .get(format!("{}/ho-so/xuat?format=xlsx", w.app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK");
    // Bad input: an unknown format or filter is a 422 page naming nothing
    // else, and nothing is written.
    for bad in [
        "/ho-so/xuat?format=pdf",
        "/ho-so/xuat?format=csv&status=lost",
        "/ho-so/xuat?q=a",
    ] {
        let p = br.get(bad).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(p.headers.get("content-disposition").is_none(), "{bad}");
    }
    // Someone in another district downloads an empty list.
    w.app
        .client("tiepnhanb", Role::DeskOfficer, codes::DISTRICT_B)
        .await
        .unwrap();
    let mut other = Browser::signed_in(&w.app, "tiepnhanb").await;
    let theirs = other.get("/ho-so/xuat?format=csv").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(
        theirs.body.trim_start_matches('\u{feff}').lines().count(),
        1
    );
}

/// Migration 0012 fills `dossier_search` for the dossiers already there
/// with SQL; reception writes the terms from Rust. Both must write the same
/// rows, or a dossier received before the upgrade is found differently.
async fn the_migrations_backfill_writes_the_terms_reception_writes(b: Backend) {
    let w = world_with(b, motcua_testkit::Options::default()).await;
    let c = three(&w).await;
    // Odd writing too: spaces, a slash, an enterprise code, a long name.
    for (kind, name, identity, phone) in [
        (
            "organisation",
            "  Công ty TNHH Xây dựng và Thương mại Hồng Lĩnh Nghệ An Một Thành Viên",
            "2900123456-001",
            "0238 3.844.555",
        ),
        ("citizen", "Lê  Thị   Hoa", "040 195 000 999", ""),
    ] {
        let mut body = applicant(name, identity, phone);
        body["applicant"]["kind"] = json!(kind);
        let (status, d) = receive(&w.desk, &body).await;
        assert_eq!(status, 201, "{d}");
    }
    let db = &w.app.db;
    let fingerprint = || async {
        (
            db.query_i64("SELECT count(*) FROM dossier_search")
                .await
                .unwrap(),
            db.query_i64(
                "SELECT CAST(COALESCE(sum(length(term) * dossier_id), 0) AS BIGINT) FROM dossier_search",
            )
            .await
            .unwrap(),
            db.query_i64("SELECT count(DISTINCT dossier_id) FROM dossier_search")
                .await
                .unwrap(),
        )
    };
    let written = fingerprint().await;
    assert_eq!(written.2, 5);
    let dir = match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let migration = std::fs::read_to_string(format!(
        "{}/../storage/migrations/{dir}/0012_dossier_search.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let backfill = migration
        .split_once("-- backfill\n")
        .and_then(|(_, rest)| rest.split_once(";\n"))
        .map(|(stmt, _)| stmt.to_owned())
        .unwrap();
    db.execute("DELETE FROM dossier_search").await.unwrap();
    assert_eq!(fingerprint().await.0, 0);
    db.execute(&backfill).await.unwrap();
    assert_eq!(fingerprint().await, written);
    // And the search reads them as before.
    assert_eq!(found(&w.desk, "+84 983 111 222").await, vec![c[1].clone()]);
    assert_eq!(found(&w.desk, "hong linh").await.len(), 1);
    assert_eq!(found(&w.desk, "2900123456").await.len(), 1);
    assert_eq!(found(&w.desk, "0238 3844").await.len(), 1);
}
