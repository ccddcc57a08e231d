//! Correcting what the desk typed (issue 18, point 2), over the API and
//! the dossier page on both databases: who may correct and when a reason
//! is required (the rule, written here from the issue, is checked role by
//! role), the timeline and the audit trail, the search box, and figures
//! that do not move.
//!
//! The rule: while the dossier is at the desk (received, not handed over)
//! a desk officer or leader whose grant covers the receiving desk may
//! correct, without a reason; once handed over, whoever may act on it now
//! (the desk officer, the specialist, the leader of the units that
//! received or hold it), with a reason; a caller outside those units gets
//! the answer of a missing dossier (404), anyone else inside 403.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::access_matrix::{form, no_redirect};
use crate::api_auth::on_both;
use crate::ui_desk::{CODE, browser, page, world};

on_both!(
    the_receiving_officer_corrects_at_the_desk_and_the_search_follows,
    after_the_hand_over_a_reason_is_required,
    bad_input_names_the_field_and_the_page_shows_every_error_at_once,
    a_finished_dossier_cannot_be_corrected,
    correction_matrix,
    correcting_an_imported_dossiers_components_moves_no_figure
);

const APPLICANT: &str = "Nguyễn Văn An";

/// Receives the dossier of Nguyễn Văn An at desk A (the first of the day,
/// [`CODE`]): the mandatory form, an original, digitised.
async fn receive(desk: &Client) -> Value {
    let r = desk
        .http
        .post(desk.url("/api/dossiers"))
        .json(&json!({
            "unit": codes::DESK_A, "procedure": "1.000003", "channel": "in_person",
            "applicant": { "kind": "citizen", "name": APPLICANT, "identity": "040095000123",
                "phone": "0912 345 678", "email": "an.nguyen@example.vn", "address": "Xã Bồi Sơn, huyện Đô Lương" },
            "components": [{ "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "digitised": true, "reused": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], CODE);
    v
}

/// The applicant as sent in a correction, with the name and phone given.
fn applicant(name: &str, phone: &str) -> Value {
    json!({ "kind": "citizen", "name": name, "identity": "040095000123", "phone": phone,
        "email": "an.nguyen@example.vn", "address": "Xã Bồi Sơn, huyện Đô Lương" })
}

async fn post_correction(c: &Client, body: &Value) -> (StatusCode, Value) {
    let r = c
        .http
        .post(c.url(&format!("/api/dossiers/{CODE}/corrections")))
        .json(body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn get_json(c: &Client, path: &str) -> Value {
    let r = c.http.get(c.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// The codes the search box lists for `q`.
async fn search(c: &Client, q: &str) -> Vec<String> {
    let path = format!(
        "/api/dossiers?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap()
    );
    get_json(c, &path).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.query_i64(sql).await.unwrap()
}

/// Form 06's figures of district A for November 2025, by procedure.
async fn report(c: &Client) -> Value {
    get_json(
        c,
        &format!(
            "/api/reports/dossiers?unit={}&from=2025-11-01&to=2025-11-30&by=procedure",
            codes::DISTRICT_A
        ),
    )
    .await
}

/// The statistics layer rebuilt from history is the one written live.
async fn layer_verifies(app: &TestApp) {
    let store = app.db.store();
    let system = motcua_service::access::Actor::system("test");
    let now = jiff::Timestamp::from_second(1_764_000_000).unwrap();
    let v = motcua_service::stats::rebuild::rebuild(store.as_ref(), &system, now, true)
        .await
        .unwrap();
    assert_eq!(v.first_difference, None);
}

/// Hands the dossier over to the justice office's step.
async fn hand_over(desk: &Client, version: i64) {
    let r = desk
        .http
        .post(desk.url(&format!("/api/dossiers/{CODE}/actions")))
        .json(&json!({ "action": "hand_over", "version": version }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn the_receiving_officer_corrects_at_the_desk_and_the_search_follows(b: Backend) {
    let w = world(b).await;
    let leader = w
        .app
        .client("ld-huyen", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    receive(&w.desk).await;
    let before = report(&leader).await;
    assert_eq!(search(&w.desk, "nguyen van an").await, vec![CODE]);
    assert_eq!(search(&w.desk, "0912345678").await, vec![CODE]);
    let entries = w.app.audit_count().await.unwrap();

    // At the desk the receiving officer corrects without a reason; a
    // retried request with the same key acts once.
    let body = json!({ "version": 1, "applicant": applicant("Lê Thị Hoa", "0987 654 321") });
    let send = || {
        w.desk
            .http
            .post(w.desk.url(&format!("/api/dossiers/{CODE}/corrections")))
            .header("idempotency-key", "sua-1")
            .json(&body)
            .send()
    };
    let r = send().await.unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["version"], 2);
    assert_eq!(d["status"], "received");
    assert_eq!(d["applicant"]["name"], "Lê Thị Hoa");
    assert_eq!(d["applicant"]["phone"], "0987 654 321");
    let again = send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let events = d["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "one correction event: {d}");
    let e = &events[1];
    assert_eq!(e["action"], "correct");
    assert_eq!(
        (&e["from"], &e["to"]),
        (&json!("received"), &json!("received"))
    );
    assert_eq!(
        e["detail"]["changes"],
        json!([
            { "field": "name", "from": APPLICANT, "to": "Lê Thị Hoa" },
            { "field": "phone", "from": "0912 345 678", "to": "0987 654 321" }
        ])
    );
    assert_eq!(
        count(&w.app, &format!(
            "SELECT count(*) FROM dossier_events WHERE dossier_id = (SELECT id FROM dossiers WHERE code = '{CODE}')"
        ))
        .await,
        2,
        "the retry wrote no second event"
    );
    // One audit entry, naming the dossier.
    assert_eq!(w.app.audit_count().await.unwrap(), entries + 1);
    assert_eq!(
        count(&w.app, &format!(
            "SELECT count(*) FROM audit_log WHERE action = 'dossier.correct' AND subject = 'dossier:{CODE}' AND actor = 'tiepnhan'"
        ))
        .await,
        1
    );

    // The search box finds the new name and phone, not the old ones.
    assert_eq!(search(&w.desk, "le thi hoa").await, vec![CODE]);
    assert_eq!(search(&w.desk, "hoa").await, vec![CODE]);
    assert!(search(&w.desk, "nguyen van an").await.is_empty());
    assert!(search(&w.desk, "0912345678").await.is_empty());
    assert_eq!(search(&w.desk, "0987654321").await, vec![CODE]);
    assert_eq!(search(&w.desk, "040095000123").await, vec![CODE]);

    // The timeline says what changed, in Vietnamese.
    let (status, html) = page(&w.desk, &format!("/ho-so/{CODE}")).await;
    assert_eq!(status, 200);
    let html = crate::ui_pages::unescape(&html);
    assert!(html.contains("Sửa thông tin hồ sơ"), "{html}");
    assert!(
        html.contains(
            "Họ tên: Nguyễn Văn An → Lê Thị Hoa; Số điện thoại: 0912 345 678 → 0987 654 321"
        ),
        "{html}"
    );
    // The page's form is offered, prefilled, with the reason optional.
    assert!(
        html.contains(r#"action="/ho-so/000.01.21.H40-251124-0001/sua""#),
        "{html}"
    );
    assert!(
        html.contains(r#"id="fix-name" name="name" value="Lê Thị Hoa""#),
        "{html}"
    );
    assert!(html.contains("Lý do sửa (nếu có)"), "{html}");

    // Through the page: the components (the optional form added, two
    // copies) and the address, with a reason; the timeline shows it.
    let (status, location) = post_page(
        &w.desk,
        &page_fields(
            &w.desk.csrf,
            2,
            "Lê Thị Hoa",
            "0987 654 321",
            "Xóm 5, xã Bồi Sơn",
            "Nhập thiếu giấy chứng sinh",
            true,
        ),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/ho-so/{CODE}?sua=1"));
    let d = get_json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["version"], 3);
    assert_eq!(d["applicant"]["address"], "Xóm 5, xã Bồi Sơn");
    let comps = d["components"].as_array().unwrap();
    assert_eq!(comps.len(), 2, "{d}");
    assert_eq!(comps[0]["name"], "Tờ khai đăng ký khai sinh");
    assert_eq!(comps[0]["digitised"], true, "kept");
    assert_eq!(comps[1]["name"], "Giấy chứng sinh");
    assert_eq!(
        (&comps[1]["form"], &comps[1]["copies"]),
        (&json!("copy"), &json!(2))
    );
    let (_, html) = page(&w.desk, &format!("/ho-so/{CODE}?sua=1")).await;
    let html = crate::ui_pages::unescape(&html);
    assert!(html.contains("Đã sửa thông tin hồ sơ."), "{html}");
    assert!(
        html.contains("Địa chỉ: Xã Bồi Sơn, huyện Đô Lương → Xóm 5, xã Bồi Sơn"),
        "{html}"
    );
    assert!(
        html.contains("Thành phần hồ sơ: Tờ khai đăng ký khai sinh (Bản chính, 1 bản) → Tờ khai đăng ký khai sinh (Bản chính, 1 bản), Giấy chứng sinh (Bản sao, 2 bản)"),
        "{html}"
    );
    assert!(html.contains("Lý do: Nhập thiếu giấy chứng sinh"), "{html}");
    // In English too.
    let en = {
        let r = reqwest::Client::new()
            .get(w.desk.url(&format!("/ho-so/{CODE}")))
            .header("cookie", format!("{}; lang=en", w.desk.cookie))
            .send()
            .await
            .unwrap();
        crate::ui_pages::unescape(&r.text().await.unwrap())
    };
    assert!(en.contains("Details corrected"), "{en}");
    assert!(en.contains("Name: Nguyễn Văn An → Lê Thị Hoa"), "{en}");

    // Nothing changed in the figures; the layer rebuilt from history agrees.
    assert_eq!(report(&leader).await, before);
    layer_verifies(&w.app).await;
    w.app.close().await;
}

/// The dossier page's correction form, as a browser posts it: the
/// applicant, the mandatory form ticked as received (an original, one copy,
/// digitised) and, with `second`, the optional form as two copies.
fn page_fields<'a>(
    csrf: &'a str,
    version: i64,
    name: &'a str,
    phone: &'a str,
    address: &'a str,
    reason: &'a str,
    second: bool,
) -> Vec<(String, String)> {
    let mut f: Vec<(&str, String)> = vec![
        ("csrf_token", csrf.to_owned()),
        ("version", version.to_string()),
        ("kind", "citizen".to_owned()),
        ("name", name.to_owned()),
        ("identity", "040095000123".to_owned()),
        ("phone", phone.to_owned()),
        ("email", "an.nguyen@example.vn".to_owned()),
        ("address", address.to_owned()),
        ("c0_received", "on".to_owned()),
        ("c0_copy", "original".to_owned()),
        ("c0_copies", "1".to_owned()),
        ("c0_digitised", "on".to_owned()),
        ("c1_copy", "copy".to_owned()),
        ("c1_copies", "2".to_owned()),
        ("reason", reason.to_owned()),
    ];
    if second {
        f.push(("c1_received", "on".to_owned()));
    }
    f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Posts the page's form without following the redirect: status, location.
async fn post_page(c: &Client, fields: &[(String, String)]) -> (u16, String) {
    let (s, location, _) = post_page_body(c, fields).await;
    (s, location)
}

async fn post_page_body(c: &Client, fields: &[(String, String)]) -> (u16, String, String) {
    let r = browser(c)
        .post(c.url(&format!("/ho-so/{CODE}/sua")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (s, location, r.text().await.unwrap())
}

async fn after_the_hand_over_a_reason_is_required(b: Backend) {
    let w = world(b).await;
    let specialist = w
        .app
        .client("cv-tuphap", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let district_specialist = w
        .app
        .client("cv-huyen", Role::Specialist, codes::DISTRICT_A)
        .await
        .unwrap();
    receive(&w.desk).await;
    // While the dossier is at the desk a specialist may not correct it:
    // the district's sees it (403), the office's does not yet (404).
    let body = json!({ "version": 1, "applicant": applicant("Lê Thị Hoa", "0912 345 678") });
    assert_eq!(post_correction(&district_specialist, &body).await.0, 403);
    assert_eq!(post_correction(&specialist, &body).await.0, 404);
    hand_over(&w.desk, 1).await;
    let entries = w.app.audit_count().await.unwrap();
    for reason in [json!(null), json!(""), json!("   ")] {
        let mut body =
            json!({ "version": 2, "applicant": applicant("Lê Thị Hoa", "0912 345 678") });
        if !reason.is_null() {
            body["reason"] = reason.clone();
        }
        let (s, p) = post_correction(&w.desk, &body).await;
        assert_eq!(s, 422, "{reason}: {p}");
        assert_eq!(p["field"], "reason", "{p}");
    }
    let (s, p) = post_correction(
        &w.desk,
        &json!({ "version": 2, "applicant": applicant("Lê Thị Hoa", "0912 345 678"),
            "reason": "x".repeat(2001) }),
    )
    .await;
    assert_eq!(
        (s, &p["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("reason"))
    );
    assert_eq!(
        w.app.audit_count().await.unwrap(),
        entries,
        "nothing written"
    );
    let d = get_json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(
        (&d["version"], &d["applicant"]["name"]),
        (&json!(2), &json!(APPLICANT))
    );

    // With a reason the specialist now holding it corrects it.
    let (s, d) = post_correction(
        &specialist,
        &json!({ "version": 2, "applicant": applicant("Lê Thị Hoa", "0912 345 678"),
            "reason": "Công dân đề nghị sửa theo căn cước" }),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "processing");
    let e = d["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(e["action"], "correct");
    assert_eq!(e["actor"], "cv-tuphap");
    assert_eq!(e["detail"]["reason"], "Công dân đề nghị sửa theo căn cước");
    // The page asks for the reason, and refuses the form without it.
    let (_, html) = page(&specialist, &format!("/ho-so/{CODE}")).await;
    assert!(
        html.contains(
            r#"<textarea id="fix-reason" name="reason" rows="2" maxlength="2000" required"#
        ),
        "{html}"
    );
    let (s, _, html) = post_page_body(
        &specialist,
        &page_fields(
            &specialist.csrf,
            3,
            "Lê Thị Hoà",
            "0912 345 678",
            "Xã Bồi Sơn, huyện Đô Lương",
            "",
            false,
        ),
    )
    .await;
    assert_eq!(s, 422);
    assert!(html.contains(r#"id="fix-reason-error""#), "{html}");
    assert_eq!(
        get_json(&w.desk, &format!("/api/dossiers/{CODE}")).await["version"],
        3
    );
    w.app.close().await;
}

async fn bad_input_names_the_field_and_the_page_shows_every_error_at_once(b: Backend) {
    let w = world(b).await;
    receive(&w.desk).await;
    let entries = w.app.audit_count().await.unwrap();
    // A citizen's old 9-digit identity card is refused, naming the field.
    let mut a = applicant(APPLICANT, "0912 345 678");
    a["identity"] = json!("186123456");
    let (s, p) = post_correction(&w.desk, &json!({ "version": 1, "applicant": a })).await;
    assert_eq!(
        (s, &p["field"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("applicant.identity")
        ),
        "{p}"
    );
    assert_eq!(
        p["type"], "https://motcua.invalid/problems/invalid",
        "problem+json: {p}"
    );
    // A component of bad copies, and a correction that changes nothing.
    let (s, p) = post_correction(
        &w.desk,
        &json!({ "version": 1, "components": [{ "name": "Tờ khai", "form": "original", "copies": 101, "digitised": false, "reused": false }] }),
    )
    .await;
    assert_eq!(
        (s, &p["field"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("components[0].copies")
        ),
        "{p}"
    );
    let (s, p) = post_correction(
        &w.desk,
        &json!({ "version": 1, "applicant": applicant(APPLICANT, "0912 345 678") }),
    )
    .await;
    assert_eq!(
        (s, &p["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("body")),
        "{p}"
    );
    // A file of no attachment, and a stale version.
    let (s, p) = post_correction(
        &w.desk,
        &json!({ "version": 1, "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "digitised": true, "reused": false, "file_id": 4242 }] }),
    )
    .await;
    assert_eq!(
        (s, &p["field"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("components[0].file_id")
        ),
        "{p}"
    );
    let (s, _) = post_correction(
        &w.desk,
        &json!({ "version": 7, "applicant": applicant("Lê Thị Hoa", "0912 345 678") }),
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(
        w.app.audit_count().await.unwrap(),
        entries,
        "nothing written"
    );

    // The page marks every field at fault at once and keeps what was typed.
    let mut f = page_fields(&w.desk.csrf, 1, "  ", "gọi tôi", "Xã Bồi Sơn", "", false);
    for (k, v) in &mut f {
        match k.as_str() {
            "identity" => *v = "186123456".into(),
            "email" => *v = "khong-co-a-cong".into(),
            "c0_copies" => *v = "0".into(),
            _ => {}
        }
    }
    let (s, _, html) = post_page_body(&w.desk, &f).await;
    assert_eq!(s, 422);
    for id in [
        "fix-name-error",
        "fix-identity-error",
        "fix-phone-error",
        "fix-email-error",
        "fix-components-error",
    ] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    let html = crate::ui_pages::unescape(&html);
    assert!(html.contains("gọi tôi"), "what was typed is kept");
    assert!(html.contains("Chưa lưu được thông tin đã sửa."), "{html}");
    // Unchanged, it says nothing changed.
    let f = page_fields(
        &w.desk.csrf,
        1,
        APPLICANT,
        "0912 345 678",
        "Xã Bồi Sơn, huyện Đô Lương",
        "",
        false,
    );
    let (s, _, html) = post_page_body(&w.desk, &f).await;
    assert_eq!(s, 422);
    assert!(
        crate::ui_pages::unescape(&html).contains("Không có thông tin nào thay đổi nên chưa lưu."),
        "{html}"
    );
    assert_eq!(
        get_json(&w.desk, &format!("/api/dossiers/{CODE}")).await["version"],
        1
    );
    w.app.close().await;
}

async fn a_finished_dossier_cannot_be_corrected(b: Backend) {
    let w = world(b).await;
    let leader = w
        .app
        .client("ld-huyen", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    receive(&w.desk).await;
    let r = leader
        .http
        .post(leader.url(&format!("/api/dossiers/{CODE}/actions")))
        .json(&json!({ "action": "refuse", "version": 1, "reason": "Không thuộc thẩm quyền" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    for c in [&w.desk, &leader] {
        let (s, p) = post_correction(
            c,
            &json!({ "version": 2, "applicant": applicant("Lê Thị Hoa", "0912 345 678"), "reason": "Sửa tên" }),
        )
        .await;
        assert_eq!(s, 409, "{p}");
    }
    // The page offers no form and a forged post says why.
    let (_, html) = page(&w.desk, &format!("/ho-so/{CODE}")).await;
    assert!(!html.contains("/sua\""), "{html}");
    let (s, _, html) = post_page_body(
        &w.desk,
        &page_fields(
            &w.desk.csrf,
            2,
            "Lê Thị Hoa",
            "0912 345 678",
            "Xã Bồi Sơn",
            "Sửa tên",
            false,
        ),
    )
    .await;
    assert_eq!(s, 409);
    assert!(
        crate::ui_pages::unescape(&html)
            .contains("Hồ sơ đã kết thúc xử lý nên không sửa được thông tin."),
        "{html}"
    );
    let d = get_json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(
        (&d["version"], &d["applicant"]["name"]),
        (&json!(2), &json!(APPLICANT))
    );
    w.app.close().await;
}

/// What the rule says a caller with `role` on `unit` gets: district A
/// covers the desk and the office; the office sees the dossier only once it
/// holds it; district B never does.
fn expected(role: Role, unit: &str, at_desk: bool) -> StatusCode {
    let sees = unit == codes::DISTRICT_A || (unit == codes::OFFICE_A && !at_desk);
    if !sees {
        return StatusCode::NOT_FOUND;
    }
    let may = if at_desk {
        matches!(role, Role::DeskOfficer | Role::Leader)
    } else {
        matches!(role, Role::DeskOfficer | Role::Specialist | Role::Leader)
    };
    if may {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    }
}

async fn correction_matrix(b: Backend) {
    let w = world(b).await;
    receive(&w.desk).await;
    let mut callers = Vec::new();
    for role in Role::ALL {
        for unit in [codes::DISTRICT_A, codes::OFFICE_A, codes::DISTRICT_B] {
            let name = format!(
                "m-{}-{}",
                role.as_str().replace('_', "-"),
                unit.replace('.', "")
            );
            let c = w.app.client(&name, role, unit).await.unwrap();
            callers.push((role, unit, c));
        }
    }
    let mut failures = Vec::new();
    let mut n = 0;
    for at_desk in [true, false] {
        if !at_desk {
            let v = get_json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
            hand_over(&w.desk, v["version"].as_i64().unwrap()).await;
        }
        for (role, unit, c) in &callers {
            let want = expected(*role, unit, at_desk);
            let version = w
                .app
                .db
                .query_i64(&format!(
                    "SELECT version FROM dossiers WHERE code = '{CODE}'"
                ))
                .await
                .unwrap();
            n += 1;
            let phone = format!("0912 345 {n:03}");
            let reason = if at_desk {
                ""
            } else {
                "Sửa theo đề nghị"
            };
            let (s, p) = post_correction(
                c,
                &json!({ "version": version, "applicant": applicant(APPLICANT, &phone), "reason": reason }),
            )
            .await;
            let case = format!("{} on {unit} (at desk {at_desk}) API", role.as_str());
            if s != want {
                failures.push(format!("{case}: expected {want}, got {s} {p}"));
            }
            // The page's form, with the version now.
            let version = w
                .app
                .db
                .query_i64(&format!(
                    "SELECT version FROM dossiers WHERE code = '{CODE}'"
                ))
                .await
                .unwrap();
            n += 1;
            let phone = format!("0912 345 {n:03}");
            let http = no_redirect(c);
            let r = http
                .post(c.url(&format!("/ho-so/{CODE}/sua")))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[
                    ("version", &version.to_string()),
                    ("kind", "citizen"),
                    ("name", APPLICANT),
                    ("identity", "040095000123"),
                    ("phone", &phone),
                    ("email", "an.nguyen@example.vn"),
                    ("address", "Xã Bồi Sơn, huyện Đô Lương"),
                    ("c0_received", "on"),
                    ("c0_copy", "original"),
                    ("c0_copies", "1"),
                    ("c0_digitised", "on"),
                    ("reason", reason),
                ]))
                .send()
                .await
                .unwrap();
            let page_want = if want == StatusCode::OK {
                StatusCode::SEE_OTHER
            } else {
                want
            };
            if r.status() != page_want {
                failures.push(format!(
                    "{} on {unit} (at desk {at_desk}) page: expected {page_want}, got {}",
                    role.as_str(),
                    r.status()
                ));
            }
            // The dossier page offers the form exactly to those allowed.
            let (s, html) = page(c, &format!("/ho-so/{CODE}")).await;
            let offered = s == 200 && html.contains(&format!("/ho-so/{CODE}/sua"));
            if offered != (want == StatusCode::OK) {
                failures.push(format!(
                    "{} on {unit} (at desk {at_desk}): form offered {offered}",
                    role.as_str()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the cases broke the rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every refusal inside the units was recorded.
    let denied = count(
        &w.app,
        &format!("SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND subject = 'dossier:{CODE}:correct'"),
    )
    .await;
    let forbidden: i64 = [true, false]
        .iter()
        .map(|&at| {
            callers
                .iter()
                .filter(|(r, u, _)| expected(*r, u, at) == StatusCode::FORBIDDEN)
                .count() as i64
        })
        .sum();
    assert_eq!(denied, 2 * forbidden, "API and page refusals");
    w.app.close().await;
}

/// An imported open dossier whose history did not record what the desk saw
/// (the old system's components: two, both digitised).
const IMPORTED: &str = "Mã hồ sơ,Mã thủ tục,Kênh tiếp nhận,Hình thức trả kết quả,Đối tượng,Người nộp,Số giấy tờ,Điện thoại,Email,Địa chỉ,Số bộ,\"Phí, lệ phí\",Ngày tiếp nhận,Hạn giải quyết,Bổ sung,Gia hạn,Ngày kết thúc xử lý,Kết quả xử lý,Ngày trả kết quả,Trạng thái,Kết quả số hóa,Số thành phần,Thành phần số hóa,Ghi chú
000.01.21.H40-251117-0001,1.000003,Trực tiếp,Trực tiếp,Công dân,Hồ Thị Mai,040190005678,0987000111,,\"Khối 5, thị trấn Đô Lương\",1,50.000,17/11/2025 09:00,24/11/2025 09:00,,,,,,Đang xử lý,,2,2,
";

async fn correcting_an_imported_dossiers_components_moves_no_figure(b: Backend) {
    let w = world(b).await;
    let leader = w
        .app
        .client("ld-huyen", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    let svc = motcua_service::dossiers::DossierService::new(
        w.app.db.store(),
        w.app.clock.clone(),
        motcua_service::dossiers::NoticeSettings::default(),
        None,
    );
    let system = motcua_service::access::Actor::system("cli:test");
    let report_import = svc
        .import_file(
            &system,
            IMPORTED.as_bytes(),
            motcua_service::catalog::FileFormat::Csv,
            "cu.csv",
        )
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    assert_eq!(report_import.imported, 1);
    let code = "000.01.21.H40-251117-0001";
    layer_verifies(&w.app).await;
    let before = report(&leader).await;
    let d = get_json(&leader, &format!("/api/dossiers/{code}")).await;
    assert_eq!(d["status"], "processing", "{d}");
    let comps = d["components"].as_array().unwrap();
    assert!(comps.iter().all(|c| c["digitised"] == true), "{d}");
    // Undigitise one and add a third: the rows now say "not fully
    // digitised", but the figures counted what the import recorded.
    let mut items: Vec<Value> = comps.clone();
    items[0]["digitised"] = json!(false);
    items.push(json!({ "name": "Giấy chứng sinh", "form": "copy", "copies": 1, "digitised": false, "reused": false }));
    let r = leader
        .http
        .post(leader.url(&format!("/api/dossiers/{code}/corrections")))
        .json(&json!({ "version": d["version"], "components": items, "reason": "Nhập lại theo hồ sơ giấy" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(report(&leader).await, before);
    layer_verifies(&w.app).await;
    w.app.close().await;
}
