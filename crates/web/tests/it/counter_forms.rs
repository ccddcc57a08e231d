//! What the desk decides at the counter without receiving (issue 18,
//! point 2): guidance to complete (form 02) and a refusal to receive
//! (form 03), over the API and the reception page on both databases. The
//! PDFs are read back with poppler's `pdftotext`; no dossier is created, no
//! figure moves, and each outcome is in the audit log.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::access_matrix::{form, no_redirect};
use crate::api_auth::on_both;
use crate::ui_desk::{browser, world};

on_both!(
    the_api_prints_guidance_and_a_refusal_without_a_dossier,
    the_reception_page_prints_both_forms_and_marks_every_error,
    counter_forms_matrix
);

/// The text of a PDF, by poppler's `pdftotext`.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    // Lines joined, so that a wrapped value reads as one.
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of a PDF as laid out (a table's row on one line), each with
/// its runs of spaces made one.
fn pdf_rows(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Whether a row of the table holds the item and its note.
fn has_row(rows: &[String], item: &str, note: &str) -> bool {
    rows.iter().any(|r| r.contains(item) && r.contains(note))
}

fn applicant() -> Value {
    json!({ "kind": "citizen", "name": "Đặng Thị Thu", "identity": "040195003456",
        "phone": "0903 111 222", "email": "", "address": "Xóm 2, xã Bồi Sơn" })
}

async fn dossiers(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM dossiers")
        .await
        .unwrap()
}

/// Every statistics row, as text, to show that none moved.
async fn layer(app: &TestApp) -> String {
    format!("{:?}", app.db.store().stat_rows().await.unwrap())
}

async fn post(c: &Client, path: &str, body: &Value) -> reqwest::Response {
    c.http.post(c.url(path)).json(body).send().await.unwrap()
}

async fn the_api_prints_guidance_and_a_refusal_without_a_dossier(b: Backend) {
    let w = world(b).await;
    let before = layer(&w.app).await;
    let entries = w.app.audit_count().await.unwrap();
    let r = post(
        &w.desk,
        "/api/forms/guidance",
        &json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(),
            "items": [
                { "name": "Tờ khai đăng ký khai sinh", "note": "Ký và ghi rõ họ tên người khai" },
                { "name": "Giấy chứng sinh", "note": "Bản chính" }
            ],
            "reason": "Tờ khai chưa ký", "guidance": "Nộp lại tại quầy số 2" }),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    // Named like the other forms: the form, the procedure, the moment
    // (Monday 24/11/2025 09:00).
    assert_eq!(
        r.headers()["content-disposition"],
        "inline; filename=\"phieu-yeu-cau-bo-sung-ho-so-1.000003-20251124-0900.pdf\""
    );
    let pdf = r.bytes().await.unwrap();
    let rows = pdf_rows(&pdf);
    assert!(
        has_row(
            &rows,
            "1 Tờ khai đăng ký khai sinh",
            "Ký và ghi rõ họ tên người khai"
        ),
        "{rows:#?}"
    );
    assert!(
        has_row(&rows, "2 Giấy chứng sinh", "Bản chính"),
        "{rows:#?}"
    );
    let text = pdf_text(&pdf);
    for expected in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Mẫu số 02",
        "ngày 24 tháng 11 năm 2025",
        "Hồ sơ của: Đặng Thị Thu",
        "Địa chỉ: Xóm 2, xã Bồi Sơn",
        "Số điện thoại: 0903 111 222",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Lý do: Tờ khai chưa ký",
        "Hướng dẫn: Nộp lại tại quầy số 2",
        "NGƯỜI HƯỚNG DẪN",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert!(!text.contains("Mã hồ sơ"), "no dossier code: {text}");

    let r = post(
        &w.desk,
        "/api/forms/refusal",
        &json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(),
            "reasons": ["Người yêu cầu không có quyền đăng ký khai sinh cho trẻ", "Trẻ đã được đăng ký khai sinh tại xã khác"] }),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "inline; filename=\"phieu-tu-choi-tiep-nhan-1.000003-20251124-0900.pdf\""
    );
    let text = pdf_text(&r.bytes().await.unwrap());
    for expected in [
        "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
        "Mẫu số 03",
        "Ông/Bà: Đặng Thị Thu",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "1. Người yêu cầu không có quyền đăng ký khai sinh cho trẻ",
        "2. Trẻ đã được đăng ký khai sinh tại xã khác",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert!(!text.contains("Mã hồ sơ"), "no dossier code: {text}");

    // No dossier, no code taken, no figure; two audit entries saying who,
    // where, which procedure, which form and for whom.
    assert_eq!(dossiers(&w.app).await, 0);
    assert_eq!(
        w.app
            .db
            .query_i64("SELECT count(*) FROM dossier_sequences")
            .await
            .unwrap(),
        0
    );
    assert_eq!(layer(&w.app).await, before);
    assert_eq!(w.app.audit_count().await.unwrap(), entries + 2);
    let all = w.app.db.store().audit_entries(0, 10_000).await.unwrap();
    let last: Vec<_> = all.iter().rev().take(2).collect();
    assert_eq!(last[1].action, "reception.guidance");
    assert_eq!(last[0].action, "reception.refusal");
    let detail: Vec<Value> = last
        .iter()
        .map(|e| serde_json::from_str(&e.detail).unwrap())
        .collect();
    for (e, d) in last.iter().zip(&detail) {
        assert_eq!(e.actor, "tiepnhan");
        assert_eq!(e.subject, format!("unit:{}", codes::DESK_A));
        assert_eq!(d["procedure"], "1.000003");
        assert_eq!(d["unit"], codes::DESK_A);
        assert_eq!(d["applicant"]["name"], "Đặng Thị Thu");
        assert_eq!(d["applicant"]["identity"], "040195003456");
    }
    assert_eq!(detail[1]["form"], "02");
    assert_eq!(detail[1]["items"][1]["name"], "Giấy chứng sinh");
    assert_eq!(detail[0]["form"], "03");
    assert_eq!(
        detail[0]["reasons"][1],
        "Trẻ đã được đăng ký khai sinh tại xã khác"
    );

    // Bad input names the field and records nothing.
    let mut a = applicant();
    a["identity"] = json!("186123456");
    for (path, body, field) in [
        (
            "/api/forms/refusal",
            json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": a, "reasons": ["Không đủ điều kiện"] }),
            "applicant.identity",
        ),
        (
            "/api/forms/refusal",
            json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(), "reasons": [] }),
            "reasons",
        ),
        (
            "/api/forms/refusal",
            json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(), "reasons": ["Lý do", "  "] }),
            "reasons[1]",
        ),
        (
            "/api/forms/guidance",
            json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(), "items": [] }),
            "items",
        ),
        (
            "/api/forms/guidance",
            json!({ "unit": codes::DESK_A, "procedure": "1.999999", "applicant": applicant(), "items": [{ "name": "Tờ khai" }] }),
            "procedure",
        ),
    ] {
        let r = post(&w.desk, path, &body).await;
        assert_eq!(r.status(), 422, "{path} {field}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field, "{p}");
    }
    assert_eq!(w.app.audit_count().await.unwrap(), entries + 2);
    w.app.close().await;
}

/// The reception form as the desk fills it, the mandatory form unticked.
fn reception<'a>(csrf: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("unit", codes::DESK_A),
        ("procedure", "1.000003"),
        ("kind", "citizen"),
        ("name", name),
        ("identity", "040195003456"),
        ("phone", "0903 111 222"),
        ("email", ""),
        ("address", "Xóm 2, xã Bồi Sơn"),
        ("c0_copy", "original"),
        ("c0_copies", "1"),
        ("c1_received", "on"),
        ("c1_copy", "copy"),
        ("c1_copies", "1"),
        ("channel", "in_person"),
        ("return_method", "in_person"),
        ("sets", "1"),
        ("note", ""),
        ("missing", ""),
        ("guidance", ""),
        ("reasons", ""),
    ]
}

async fn post_form(c: &Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser(c)
        .post(c.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap())
        .send()
        .await
        .unwrap()
}

async fn the_reception_page_prints_both_forms_and_marks_every_error(b: Backend) {
    let w = world(b).await;
    // The reception form offers both, after the reception's own button
    // (which Enter still presses).
    let (status, html) = crate::ui_desk::page(
        &w.desk,
        &format!("/tiep-nhan?unit={}&procedure=1.000003", codes::DESK_A),
    )
    .await;
    assert_eq!(status, 200);
    let receive = html.find("Tiếp nhận và in phiếu hẹn").unwrap();
    let guide = html.find(r#"formaction="/tiep-nhan/huong-dan""#).unwrap();
    let refuse = html.find(r#"formaction="/tiep-nhan/tu-choi""#).unwrap();
    assert!(receive < guide && guide < refuse, "{html}");

    // Nothing written in the list: the unticked mandatory form is listed.
    let r = post_form(
        &w.desk,
        "/tiep-nhan/huong-dan",
        &reception(&w.desk.csrf, "Đặng Thị Thu"),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"phieu-yeu-cau-bo-sung-ho-so-1.000003-20251124-0900.pdf\""
    );
    let pdf = r.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    for expected in [
        "Hồ sơ của: Đặng Thị Thu",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    let rows = pdf_rows(&pdf);
    assert!(
        has_row(&rows, "1 Tờ khai đăng ký khai sinh", "Chưa có trong hồ sơ"),
        "{rows:#?}"
    );
    assert!(
        !text.contains("Giấy chứng sinh"),
        "ticked as received: {text}"
    );
    // Written items with notes take its place.
    let mut f = reception(&w.desk.csrf, "Đặng Thị Thu");
    f.retain(|(k, _)| *k != "missing");
    f.push((
        "missing",
        "Giấy chứng sinh: bản chính\nGiấy chứng nhận kết hôn: bản sao",
    ));
    let r = post_form(&w.desk, "/tiep-nhan/huong-dan", &f).await;
    assert_eq!(r.status(), 200);
    let rows = pdf_rows(&r.bytes().await.unwrap());
    assert!(
        has_row(&rows, "1 Giấy chứng sinh", "bản chính"),
        "{rows:#?}"
    );
    assert!(
        has_row(&rows, "2 Giấy chứng nhận kết hôn", "bản sao"),
        "{rows:#?}"
    );

    let mut f = reception(&w.desk.csrf, "Đặng Thị Thu");
    f.retain(|(k, _)| *k != "reasons");
    f.push((
        "reasons",
        "Hồ sơ không thuộc thẩm quyền\n\nĐã nộp tại xã khác",
    ));
    let r = post_form(&w.desk, "/tiep-nhan/tu-choi", &f).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"phieu-tu-choi-tiep-nhan-1.000003-20251124-0900.pdf\""
    );
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("1. Hồ sơ không thuộc thẩm quyền"), "{text}");
    assert!(text.contains("2. Đã nộp tại xã khác"), "{text}");
    assert!(text.contains("Ông/Bà: Đặng Thị Thu"), "{text}");
    assert_eq!(dossiers(&w.app).await, 0);
    let printed = "SELECT count(*) FROM audit_log WHERE action IN ('reception.guidance', 'reception.refusal')";
    assert_eq!(w.app.db.query_i64(printed).await.unwrap(), 3);

    // Every field at fault at once: the name, the identity, the phone and
    // the reasons; what was typed is kept and nothing is recorded.
    let mut f: Vec<(&str, &str)> = reception(&w.desk.csrf, " ")
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "identity" | "phone"))
        .collect();
    f.extend([("identity", "186123456"), ("phone", "gọi tôi")]);
    let r = post_form(&w.desk, "/tiep-nhan/tu-choi", &f).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for id in [
        "a-name-error",
        "a-identity-error",
        "a-phone-error",
        "o-reasons-error",
    ] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    assert!(html.contains(r#"<details class="outcome" open>"#), "{html}");
    assert!(crate::ui_pages::unescape(&html).contains("gọi tôi"), "kept");
    assert_eq!(w.app.db.query_i64(printed).await.unwrap(), 3);
    assert_eq!(dossiers(&w.app).await, 0);
    w.app.close().await;
}

/// Only a desk officer whose grant covers the desk prints these forms; any
/// other role is refused (403), through the API and the page, and only the
/// allowed prints are recorded as outcomes.
async fn counter_forms_matrix(b: Backend) {
    let w = world(b).await;
    let mut failures = Vec::new();
    let mut allowed = 0;
    for role in Role::ALL {
        for unit in [
            codes::DISTRICT_A,
            codes::DESK_A,
            codes::OFFICE_A,
            codes::DISTRICT_B,
        ] {
            let name = format!(
                "q-{}-{}",
                role.as_str().replace('_', "-"),
                unit.replace('.', "")
            );
            let c = w.app.client(&name, role, unit).await.unwrap();
            let covers_desk = [codes::DISTRICT_A, codes::DESK_A].contains(&unit);
            let may = role == Role::DeskOfficer && covers_desk;
            for (path, body) in [
                (
                    "/api/forms/guidance",
                    json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(),
                        "items": [{ "name": "Tờ khai", "note": "" }] }),
                ),
                (
                    "/api/forms/refusal",
                    json!({ "unit": codes::DESK_A, "procedure": "1.000003", "applicant": applicant(),
                        "reasons": ["Không thuộc thẩm quyền"] }),
                ),
            ] {
                let s = post(&c, path, &body).await.status();
                let want = if may {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                if s != want {
                    failures.push(format!("{name} POST {path}: expected {want}, got {s}"));
                }
                allowed += usize::from(may);
            }
            // The page, at the caller's own unit: only a desk officer
            // receives anywhere; at district B the procedure is not
            // assigned, which the form says (422).
            let r = no_redirect(&c)
                .post(c.url("/tiep-nhan/tu-choi"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[
                    ("unit", unit),
                    ("procedure", "1.000003"),
                    ("kind", "citizen"),
                    ("name", "Đặng Thị Thu"),
                    ("channel", "in_person"),
                    ("return_method", "in_person"),
                    ("reasons", "Không thuộc thẩm quyền"),
                ]))
                .send()
                .await
                .unwrap();
            let want = match (role, unit) {
                (Role::DeskOfficer, u) if u == codes::DISTRICT_B => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                (Role::DeskOfficer, _) => StatusCode::OK,
                _ => StatusCode::FORBIDDEN,
            };
            if r.status() != want {
                failures.push(format!(
                    "{name} POST /tiep-nhan/tu-choi: expected {want}, got {}",
                    r.status()
                ));
            }
            allowed += usize::from(want == StatusCode::OK);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the cases broke the rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let printed = w
        .app
        .db
        .query_i64("SELECT count(*) FROM audit_log WHERE action IN ('reception.guidance', 'reception.refusal')")
        .await
        .unwrap();
    assert_eq!(printed as usize, allowed);
    assert_eq!(dossiers(&w.app).await, 0);
    w.app.close().await;
}
