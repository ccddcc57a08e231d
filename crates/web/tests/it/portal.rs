//! The citizen portal's public pages over HTTP on both databases (issue 19,
//! point 1): the catalog searched without diacritics, a procedure's page,
//! the status lookup by code and check value, its limit, and what the pages
//! never show. Nobody signs in: every request here is anonymous.
//!
//! The world is `api_dossiers::world`: procedure 1.000003 "Đăng ký khai
//! sinh" (5 working days, 50.000 đ, full process online) assigned to UBND
//! huyện Đô Lương, the clock on Monday 24/11/2025 09:00.

use motcua_testkit::Backend;
use serde_json::json;

use crate::api_auth::on_both;
use crate::api_dossiers::{ok, receive, reception, world};

on_both!(
    the_catalog_is_public_and_searched_without_diacritics,
    the_status_page_needs_the_check_value_and_shows_no_personal_data,
    status_lookups_share_one_limit_with_the_api
);

/// An anonymous GET: status, content type, body.
async fn page(url: String) -> (u16, String, String, reqwest::header::HeaderMap) {
    let r = reqwest::Client::new()
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let ctype = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ctype, r.text().await.unwrap(), headers)
}

async fn the_catalog_is_public_and_searched_without_diacritics(b: Backend) {
    let w = world(b).await;
    // A procedure whose first version starts next year is not published yet.
    let r = w
        .admin
        .http
        .post(w.admin.url("/api/procedures"))
        .json(&json!({
            "code": "1.000894", "name": "Đăng ký kết hôn", "field": "Hộ tịch", "levels": ["commune"],
            "agency": "UBND cấp xã", "time_limit": "3 working_days", "online_level": "partial",
            "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2026-06-01",
            "components": []
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    let (status, ctype, home, headers) = page(w.app.url("/cong-dan")).await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(home.contains("Tìm thủ tục hành chính"), "{home}");
    assert!(home.contains(r#"action="/tra-cuu""#));
    assert!(!home.contains("<script"), "the portal needs no script");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

    // Typed without diacritics, as on a phone.
    let (status, _, hits, _) = page(w.app.url("/cong-dan/thu-tuc?q=dang+ky+khai+sinh")).await;
    assert_eq!(status, 200);
    assert!(
        hits.contains(r#"<a href="/cong-dan/thu-tuc/1.000003">Đăng ký khai sinh</a>"#),
        "{hits}"
    );
    let (_, _, none, _) = page(w.app.url("/cong-dan/thu-tuc?q=ket+hon")).await;
    assert!(!none.contains("1.000894"), "not in force yet: {none}");
    assert!(none.contains("Không tìm thấy thủ tục nào"), "{none}");

    // Without a query: the catalog in force, with limit and online level.
    let (status, _, all, _) = page(w.app.url("/cong-dan/thu-tuc")).await;
    assert_eq!(status, 200);
    assert!(all.contains("5 ngày làm việc"), "{all}");
    assert!(all.contains("Dịch vụ công trực tuyến toàn trình"), "{all}");
    assert!(!all.contains("1.000894"), "{all}");

    let (status, _, one, _) = page(w.app.url("/cong-dan/thu-tuc/1.000003")).await;
    assert_eq!(status, 200, "{one}");
    for expected in [
        "<h1>Đăng ký khai sinh</h1>",
        "5 ngày làm việc",
        "50.000",
        "UBND cấp huyện",
        "Tờ khai đăng ký khai sinh",
        "Bản chính",
        "Bắt buộc",
        "<li>UBND huyện Đô Lương</li>",
        "Giấy chứng nhận",
    ] {
        assert!(one.contains(expected), "{expected} missing: {one}");
    }
    // The same page in English once the visitor switches.
    let en = reqwest::Client::new()
        .get(w.app.url("/cong-dan/thu-tuc/1.000003"))
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("Where to submit") && en.contains("Fully online"),
        "{en}"
    );

    // Unknown, malformed and not-yet-valid codes: the same HTML 404.
    for code in ["9.999999", "khong-phai-ma", "1.000894"] {
        let (status, ctype, body, _) = page(w.app.url(&format!("/cong-dan/thu-tuc/{code}"))).await;
        assert_eq!(status, 404, "{code}");
        assert!(ctype.starts_with("text/html"), "{code}: {ctype}");
        assert!(body.contains("Không có trang hoặc thủ tục này"), "{body}");
    }
    // A search too long is refused with the reason and keeps the box.
    let long = "a".repeat(201);
    let (status, ctype, body, _) = page(w.app.url(&format!("/cong-dan/thu-tuc?q={long}"))).await;
    assert_eq!(status, 422);
    assert!(ctype.starts_with("text/html"));
    assert!(body.contains("dài quá 200 ký tự"), "{body}");
    // A cursor that is no code is no crash either.
    let (status, _, _, _) = page(w.app.url("/cong-dan/thu-tuc?after=%00%FF")).await;
    assert!(status == 200 || status == 422 || status == 400, "{status}");
}

async fn the_status_page_needs_the_check_value_and_shows_no_personal_data(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Đỗ Thị Giang")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let url = d["status_url"].as_str().unwrap();
    let token = url.split("?t=").nth(1).unwrap().to_owned();

    // The QR code's address, path and all.
    let (status, ctype, body, headers) =
        page(w.app.url(&format!("/tra-cuu/{code}?t={token}"))).await;
    assert_eq!(status, 200, "{body}");
    assert!(ctype.starts_with("text/html"));
    assert!(body.contains(&format!("Hồ sơ {code}")), "{body}");
    assert!(body.contains("Mới tiếp nhận"), "the status: {body}");
    assert!(body.contains("Đăng ký khai sinh"));
    assert!(
        body.contains("Bộ phận Một cửa huyện Đô Lương"),
        "received at the desk"
    );
    // Received Monday 24/11 09:00; 5 working days end Monday 01/12 09:00.
    assert!(body.contains("01/12/2025 09:00"), "the appointment: {body}");
    assert!(!body.contains("Đỗ Thị Giang"), "no applicant's name");
    assert!(!body.contains(&token), "the check value is not echoed");
    assert!(!body.contains("quá thời hạn"), "not overdue yet");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(body.contains(r#"name="robots" content="noindex""#));

    // The form sends code and value as query fields: the same page.
    let (status, _, same, _) = page(w.app.url(&format!("/tra-cuu?code={code}&t={token}"))).await;
    assert_eq!(status, 200);
    assert!(same.contains("Mới tiếp nhận"));

    // A wrong value and an unknown code answer alike, with the form again.
    let wrong = format!("{}x", &token[..token.len() - 1]);
    for (c, t) in [
        (code.as_str(), wrong.as_str()),
        ("000.01.21.H40-251124-9999", token.as_str()),
    ] {
        let (status, ctype, body, _) = page(w.app.url(&format!("/tra-cuu/{c}?t={t}"))).await;
        assert_eq!(status, 404, "{c}");
        assert!(ctype.starts_with("text/html"));
        assert!(body.contains("Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này"));
        assert!(
            !body.contains("Đăng ký khai sinh"),
            "nothing of the dossier"
        );
    }
    // A link without the value fills the code in; a form without it says so.
    let (status, _, form, _) = page(w.app.url(&format!("/tra-cuu/{code}"))).await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!(r#"value="{code}""#)), "{form}");
    let (status, _, form, _) = page(w.app.url(&format!("/tra-cuu?code={code}&t="))).await;
    assert_eq!(status, 422);
    assert!(form.contains("Nhập cả mã hồ sơ và mã tra cứu"), "{form}");
    let huge = "x".repeat(5000);
    let (status, _, _, _) = page(w.app.url(&format!("/tra-cuu/{huge}?t={huge}"))).await;
    assert!(status == 404 || status == 414 || status == 431, "{status}");

    // Past the appointment and still open: the office owes an apology.
    w.app.clock.set("2025-12-03T02:00:00Z".parse().unwrap());
    let (_, _, late, _) = page(w.app.url(&format!("/tra-cuu/{code}?t={token}"))).await;
    assert!(late.contains("Hồ sơ đã quá thời hạn hẹn trả"), "{late}");
}

async fn status_lookups_share_one_limit_with_the_api(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Lê Văn Bình")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let token = d["status_url"]
        .as_str()
        .unwrap()
        .split("?t=")
        .nth(1)
        .unwrap()
        .to_owned();
    // The test app allows 30 lookups a minute per address: 20 through the
    // API, then the pages get 10 more and the 11th is refused.
    let anon = reqwest::Client::new();
    for _ in 0..20 {
        let r = anon
            .get(w.app.url(&format!("/api/public/dossiers/{code}?t={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    for i in 0..10 {
        let (status, _, _, _) = page(w.app.url(&format!("/tra-cuu/{code}?t=wrong{i}"))).await;
        assert_eq!(status, 404, "lookup {i}");
    }
    let (status, ctype, body, headers) =
        page(w.app.url(&format!("/tra-cuu/{code}?t={token}"))).await;
    assert_eq!(status, 429);
    assert!(ctype.starts_with("text/html"));
    assert!(headers.get("retry-after").is_some());
    assert!(!body.contains("Đăng ký khai sinh"), "{body}");
    // Catalog pages are not lookups: still open.
    let (status, _, _, _) = page(w.app.url("/cong-dan/thu-tuc/1.000003")).await;
    assert_eq!(status, 200);
}
