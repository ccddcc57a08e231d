//! Form templates of the catalog (issue 19, point 1) over HTTP on both
//! databases: a catalog keeper puts the blank form behind a component's
//! template name, and the portal's procedure page offers it for download
//! to anyone; nobody else can put one, and a file that is not a document
//! is refused and keeps nothing.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use serde_json::json;

use crate::api_auth::on_both;
use crate::portal_accounts::Browser;

on_both!(a_keeper_puts_a_form_template_and_anyone_downloads_it);

const NAME: &str = "Mẫu tờ khai đăng ký kết hôn";
/// The first bytes of a DOCX (a zip archive).
const DOCX: &[u8] = b"PK\x03\x04\x14\x00\x06\x00 to khai dang ky ket hon";

async fn put(c: &Client, name: &str, file_name: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let url = reqwest::Url::parse_with_params(
        &c.url(&format!(
            "/api/procedures/1.000894/templates/{}",
            name.replace(' ', "%20")
        )),
        &[("file_name", file_name)],
    )
    .unwrap();
    let r = c.http.put(url).body(body.to_vec()).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

async fn rows(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM catalog_templates")
        .await
        .unwrap()
}

async fn a_keeper_puts_a_form_template_and_anyone_downloads_it(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&json!({
            "code": "1.000894", "name": "Thủ tục đăng ký kết hôn", "field": "Hộ tịch", "levels": ["commune"],
            "agency": "UBND cấp xã", "time_limit": "5 working_days", "online_level": "full_process",
            "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [{ "name": "Tờ khai đăng ký kết hôn", "form": "original", "copies": 1,
                "requirement": "mandatory", "must_digitise": true, "form_template": NAME }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = keeper
        .http
        .post(keeper.url(&format!(
            "/api/procedures/1.000894/units/{}",
            codes::COMMUNE_A
        )))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    // Before a file exists the page names the template without a link.
    let mut visitor = Browser::new(&app);
    let page = visitor.get("/cong-dan/thu-tuc/1.000894").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(NAME));
    assert!(!page.body.contains("/mau/"), "no link yet");

    // Refused, each naming what is wrong, and nothing kept.
    let desk = app
        .client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    assert_eq!(put(&desk, NAME, "to-khai.docx", DOCX).await.0, 403);
    for (name, file_name, body, field) in [
        (
            NAME,
            "to-khai.docx",
            &b"<html><script>alert(1)</script>"[..],
            "body",
        ),
        (NAME, "to-khai.zip", DOCX, "body"),
        ("Mẫu không có", "to-khai.docx", DOCX, "name"),
        (NAME, "thu-muc/to-khai.docx", DOCX, "file_name"),
        (NAME, "", DOCX, "file_name"),
    ] {
        let (s, p) = put(&keeper, name, file_name, body).await;
        assert_eq!(
            (s, p["field"].as_str()),
            (422, Some(field)),
            "{file_name}: {p}"
        );
    }
    let too_big = vec![b'%'; 10 * 1024 * 1024 + 1];
    assert_eq!(put(&keeper, NAME, "to-khai.pdf", &too_big).await.0, 413);
    assert_eq!(rows(&app).await, 0);

    // Put: the page links it and anyone downloads exactly those bytes.
    let (s, t) = put(&keeper, NAME, "to-khai-ket-hon.docx", DOCX).await;
    assert_eq!(s, 200, "{t}");
    assert!(
        t["media_type"]
            .as_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let page = visitor.get("/cong-dan/thu-tuc/1.000894").await;
    let href = "/cong-dan/thu-tuc/1.000894/mau/M%E1%BA%ABu%20t%E1%BB%9D%20khai%20%C4%91%C4%83ng%20k%C3%BD%20k%E1%BA%BFt%20h%C3%B4n";
    assert!(page.body.contains(href), "{}", page.body);
    let r = reqwest::get(app.url(href)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("to-khai-ket-hon.docx")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), DOCX);
    // A name the version does not use is missing.
    let r = reqwest::get(app.url("/cong-dan/thu-tuc/1.000894/mau/Kh%C3%A1c"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Replaced by a PDF: one row, the new bytes, audited twice.
    let pdf = b"%PDF-1.4\n% to khai\n%%EOF\n";
    assert_eq!(put(&keeper, NAME, "to-khai-ket-hon.pdf", pdf).await.0, 200);
    assert_eq!(rows(&app).await, 1);
    let r = reqwest::get(app.url(href)).await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
    let audited = app
        .db
        .query_i64("SELECT count(*) FROM audit_log WHERE action = 'catalog.template' AND subject = 'procedure:1.000894'")
        .await
        .unwrap();
    assert_eq!(audited, 2);
}
