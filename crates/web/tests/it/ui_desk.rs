//! The desk (`/tiep-nhan`) and the dossier page (`/ho-so/{code}`) through
//! their HTML forms, on both databases.
//!
//! As in `api_dossiers.rs`, the clock starts on Monday 24/11/2025 at 09:00
//! (Vietnam) with office hours 07:00–11:30 and 13:30–17:00 and no holiday
//! until mid-December, so the appointments below are counted by hand.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::{Value, json};

use crate::api_auth::on_both;

on_both!(
    the_procedure_search_finds_words_without_diacritics,
    the_reception_form_receives_with_the_appointment_and_opens_the_page,
    a_missing_name_shows_the_form_again_and_creates_nothing,
    only_desk_officers_open_the_desk,
    the_dossier_page_shows_the_timeline_and_only_the_allowed_actions,
    page_forms_hand_over_request_a_supplement_and_return_the_result,
    a_stale_version_is_refused_with_a_message_to_reload,
    forms_without_the_csrf_token_are_refused,
    the_counter_ties_scans_and_records_the_representative_and_a_fee_reduction
);

pub(crate) const CODE: &str = "000.01.21.H40-251124-0001";

/// A moment of Vietnam time as the API writes it.
fn vn(s: &str) -> String {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .unwrap()
        .timestamp()
        .to_string()
}

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) desk: Client,
    specialist: Client,
    leader: Client,
}

/// "Đăng ký khai sinh" (1.000003, 5 working days, 50.000 đ) at district A
/// with a process: 24 working hours at the justice office, then 8 at the
/// district's leader.
pub(crate) async fn world(b: Backend) -> World {
    let app = TestApp::start(b).await.unwrap();
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&json!({
            "code": "1.000003", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "levels": ["district"],
            "agency": "UBND cấp huyện", "time_limit": "5 working_days", "online_level": "full_process",
            "fee": 50000, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [
                { "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": true },
                { "name": "Giấy chứng sinh", "form": "original", "copies": 1, "requirement": "optional", "must_digitise": false }
            ]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = keeper
        .http
        .post(keeper.url(&format!(
            "/api/procedures/1.000003/units/{}",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let leader = app
        .client("lanhdao", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    let r = leader
        .http
        .post(leader.url("/api/processes"))
        .json(&json!({ "procedure": "1.000003", "unit": codes::DISTRICT_A, "decision": "Quyết định số 12/QĐ-UBND",
            "effective_from": "2024-03-01",
            "steps": [
                { "name": "Thẩm định", "unit": codes::OFFICE_A, "role": "specialist", "allotted": "24 working_hours" },
                { "name": "Phê duyệt", "unit": codes::DISTRICT_A, "role": "leader", "allotted": "8 working_hours" }
            ] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let desk = app
        .client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let specialist = app
        .client("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    World {
        app,
        desk,
        specialist,
        leader,
    }
}

/// A browser-like client of `c`'s session: the cookie only (no CSRF header,
/// so forms must carry the token), redirects not followed.
pub(crate) fn browser(c: &Client) -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(COOKIE, c.cookie.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(h)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) async fn page(c: &Client, path: &str) -> (u16, String) {
    let r = browser(c).get(c.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a url-encoded form; answers status, `Location` and body.
pub(crate) async fn post_form(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
    htmx: bool,
) -> (u16, String, String) {
    let mut req = browser(c)
        .post(c.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap());
    if htmx {
        req = req.header("hx-request", "true");
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

/// A scan as a browser sends it: a small PDF.
pub(crate) const SCAN: &[u8] = b"%PDF-1.4\n% to khai quet tai quay\n%%EOF\n";

/// Posts the reception form as the page does (`multipart/form-data`), with
/// `scans` as (field, file name, content) file parts after the text fields
/// of the same row; answers status, `Location` and body.
pub(crate) async fn post_reception(
    c: &Client,
    fields: &[(&str, &str)],
    scans: &[(&str, &str, &[u8])],
) -> (u16, String, String) {
    use crate::ui_uploads::Part;
    let mut parts: Vec<Part<'_>> = Vec::new();
    for (k, v) in fields {
        parts.push(Part::Text(k, v));
        // A row's file input follows its other controls, as on the page.
        let row = k.strip_suffix("_copies");
        for (field, name, bytes) in scans {
            if row.is_some_and(|r| field.strip_suffix("_scan") == Some(r)) {
                parts.push(Part::File(field, name, "application/octet-stream", bytes));
            }
        }
    }
    let a = crate::ui_uploads::post(c, "/tiep-nhan", &parts, false).await;
    (a.status, a.location, a.body)
}

async fn json(c: &Client, path: &str) -> Value {
    let r = c.http.get(c.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The reception form as the desk fills it for Nguyễn Văn An.
fn reception<'a>(csrf: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("unit", codes::DESK_A),
        ("procedure", "1.000003"),
        ("kind", "citizen"),
        ("name", name),
        ("identity", "040095000123"),
        ("phone", "0912 345 678"),
        ("email", ""),
        ("address", "Xã Bồi Sơn, huyện Đô Lương"),
        ("c0_received", "on"),
        ("c0_digitised", "on"),
        ("c0_copy", "original"),
        ("c0_copies", "1"),
        ("c1_copy", "copy"),
        ("c1_copies", "1"),
        ("channel", "in_person"),
        ("return_method", "in_person"),
        ("sets", "1"),
        ("note", ""),
    ]
}

async fn dossiers(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM dossiers")
        .await
        .unwrap()
}

pub(crate) async fn receive_by_api(c: &Client) {
    let r = c
        .http
        .post(c.url("/api/dossiers"))
        .json(&json!({
            "unit": codes::DESK_A, "procedure": "1.000003", "channel": "in_person",
            "applicant": { "kind": "citizen", "name": "Trần Thị Hoa", "identity": "", "phone": "", "email": "", "address": "" },
            "components": [{ "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "digitised": false, "reused": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

async fn the_procedure_search_finds_words_without_diacritics(b: Backend) {
    let w = world(b).await;
    let (status, html) = page(&w.desk, "/tiep-nhan").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"id="desk-q""#) && html.contains("autofocus"),
        "{html}"
    );
    for q in ["khai sinh", "dang ky khai sinh", "KHAI SINH"] {
        let path = format!(
            "/tiep-nhan/thu-tuc?{}",
            serde_urlencoded::to_string([("unit", codes::DESK_A), ("q", q)]).unwrap()
        );
        let (status, html) = page(&w.desk, &path).await;
        assert_eq!(status, 200, "{q}");
        assert!(html.contains("Đăng ký khai sinh"), "{q}: {html}");
        assert!(html.contains("procedure=1.000003"), "{q}: {html}");
        assert!(!html.contains("<html"), "a fragment, not a page");
    }
    // Without JavaScript the search reloads the page with the hits.
    let (_, html) = page(&w.desk, "/tiep-nhan?q=khai+sinh").await;
    assert!(html.contains("Đăng ký khai sinh"));

    // A procedure assigned only to district B is not the desk's to receive:
    // it is not listed, and opened by its code it says so, with no form.
    let keeper = w.app.login("kiemsoat").await.unwrap();
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&json!({
            "code": "1.000004", "name": "Đăng ký khai tử", "field": "Hộ tịch", "levels": ["district"],
            "agency": "UBND cấp huyện", "time_limit": "3 working_days", "online_level": "full_process",
            "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [{ "name": "Tờ khai đăng ký khai tử", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = keeper
        .http
        .post(keeper.url(&format!(
            "/api/procedures/1.000004/units/{}",
            codes::DISTRICT_B
        )))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (_, html) = page(&w.desk, "/tiep-nhan/thu-tuc?q=dang+ky+khai").await;
    assert!(html.contains("Đăng ký khai sinh"), "{html}");
    assert!(!html.contains("khai tử"), "{html}");
    let (status, html) = page(&w.desk, "/tiep-nhan?procedure=1.000004").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Thủ tục này không được giao cho bộ phận tiếp nhận"),
        "{html}"
    );
    assert!(!html.contains(r#"action="/tiep-nhan" class="card reception""#));
    w.app.close().await;
}

async fn the_reception_form_receives_with_the_appointment_and_opens_the_page(b: Backend) {
    let w = world(b).await;
    let path = format!("/tiep-nhan?unit={}&procedure=1.000003", codes::DESK_A);
    let (status, html) = page(&w.desk, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tờ khai đăng ký khai sinh"));
    assert!(html.contains("50.000 đ"), "{html}");
    assert!(html.contains("5 ngày làm việc"));
    // Received Monday 24/11 09:00 + 5 working days = Monday 01/12 09:00.
    assert!(html.contains("01/12/2025 09:00"), "{html}");
    assert_eq!(
        dossiers(&w.app).await,
        0,
        "showing the form creates nothing"
    );
    // In office hours nothing more is said; on a day off or after hours
    // the form says from which day the limit counts.
    assert!(!html.contains("Ngoài giờ làm việc"), "{html}");
    for (at, words) in [
        (
            "2025-11-29T10:00",
            "Hôm nay là ngày nghỉ: thời hạn giải quyết được tính từ ngày 01/12/2025.",
        ),
        (
            "2025-11-24T18:00",
            "Đã hết giờ làm việc hôm nay: thời hạn giải quyết được tính từ ngày 25/11/2025.",
        ),
    ] {
        w.app.clock.set(vn(at).parse().unwrap());
        let (status, later) = page(&w.desk, &path).await;
        assert_eq!(status, 200);
        assert!(
            super::ui_pages::unescape(&later).contains(words),
            "{at}: {later}"
        );
    }
    w.app.clock.set(vn("2025-11-24T09:00").parse().unwrap());
    // The checklist starts unticked: the officer ticks what they checked.
    assert!(
        html.contains(r#"name="c0_received" aria-describedby"#),
        "{html}"
    );
    assert!(!html.contains(r#"name="c0_received" checked"#), "{html}");
    // The mandatory form not ticked: not received, the form says which.
    let unticked: Vec<(&str, &str)> = reception(&w.desk.csrf, "Nguyễn Văn An")
        .into_iter()
        .filter(|(k, _)| *k != "c0_received")
        .collect();
    let (status, _, html) = post_form(&w.desk, "/tiep-nhan", &unticked, false).await;
    assert_eq!(status, 422);
    assert!(
        super::ui_pages::unescape(&html)
            .contains("Chưa đánh dấu đã nhận giấy tờ bắt buộc: Tờ khai đăng ký khai sinh."),
        "{html}"
    );
    assert_eq!(dossiers(&w.app).await, 0, "nothing received");

    // The declaration must be digitised: ticked without its scan, the form
    // asks for it and nothing is received.
    let (status, _, html) = post_form(
        &w.desk,
        "/tiep-nhan",
        &reception(&w.desk.csrf, "Nguyễn Văn An"),
        false,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        super::ui_pages::unescape(&html)
            .contains("Thành phần phải số hóa chưa có bản quét: Tờ khai đăng ký khai sinh."),
        "{html}"
    );
    assert_eq!(dossiers(&w.app).await, 0, "nothing received");
    let (status, location, _) = post_reception(
        &w.desk,
        &reception(&w.desk.csrf, "Nguyễn Văn An"),
        &[("c0_scan", "to-khai.pdf", SCAN)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/ho-so/{CODE}?moi=1"));
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["status"], "received");
    assert_eq!(d["current_due"], vn("2025-12-01T09:00"));
    assert_eq!(d["applicant"]["name"], "Nguyễn Văn An");
    assert_eq!(d["fee_dong"], 50000);
    let comps = d["components"].as_array().unwrap();
    assert_eq!(comps.len(), 1, "only the ticked component: {d}");
    assert_eq!(comps[0]["digitised"], true);
    // The scan is the component's file, byte for byte.
    let file_id = comps[0]["file_id"].as_i64().expect("the scan is tied: {d}");
    let r = w
        .desk
        .http
        .get(w.desk.url(&format!("/api/dossiers/{CODE}/files/{file_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), SCAN);

    // The page offers the receipt first, focused, to print with Enter.
    let (status, html) = page(&w.desk, &location).await;
    assert_eq!(status, 200);
    let link = format!(
        r#"href="/api/dossiers/{CODE}/forms/receipt.pdf" target="_blank" rel="noopener" data-key="p" autofocus"#
    );
    assert!(html.contains(&link), "{html}");
    w.app.close().await;
}

async fn a_missing_name_shows_the_form_again_and_creates_nothing(b: Backend) {
    let w = world(b).await;
    let (status, location, html) = post_form(
        &w.desk,
        "/tiep-nhan",
        &reception(&w.desk.csrf, "   "),
        false,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(location, "");
    assert!(html.contains("Nhập họ và tên người nộp hồ sơ."), "{html}");
    assert!(html.contains(r#"aria-invalid="true" aria-describedby="a-name-error""#));
    assert!(html.contains("0912 345 678"), "what was typed is kept");
    assert_eq!(dossiers(&w.app).await, 0);
    // A bad phone is named too.
    let mut form = reception(&w.desk.csrf, "Nguyễn Văn An");
    form.retain(|(k, _)| *k != "phone");
    form.push(("phone", "gọi tôi"));
    let (status, _, html) = post_form(&w.desk, "/tiep-nhan", &form, false).await;
    assert_eq!(status, 422);
    assert!(html.contains(r#"id="a-phone-error""#), "{html}");
    assert_eq!(dossiers(&w.app).await, 0);
    // Every field at fault is shown at once: name, identity, phone, e-mail
    // and the unticked mandatory document, in one answer.
    let mut form: Vec<(&str, &str)> = reception(&w.desk.csrf, " ")
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "identity" | "phone" | "email" | "c0_received"))
        .collect();
    form.extend([
        ("identity", "186123456"),
        ("phone", "gọi tôi"),
        ("email", "khong-co-a-cong"),
    ]);
    let (status, _, html) = post_form(&w.desk, "/tiep-nhan", &form, false).await;
    assert_eq!(status, 422);
    for id in [
        "a-name-error",
        "a-identity-error",
        "a-phone-error",
        "a-email-error",
        "components-error",
    ] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    assert_eq!(dossiers(&w.app).await, 0);
    w.app.close().await;
}

async fn only_desk_officers_open_the_desk(b: Backend) {
    let w = world(b).await;
    let (status, html) = page(&w.specialist, "/tiep-nhan").await;
    assert_eq!(status, 403);
    assert!(html.contains("Bạn không có quyền"), "{html}");
    let (status, _) = page(&w.specialist, "/tiep-nhan/thu-tuc?q=khai+sinh").await;
    assert_eq!(status, 403);
    let (status, _, _) = post_form(
        &w.specialist,
        "/tiep-nhan",
        &reception(&w.specialist.csrf, "Nguyễn Văn An"),
        false,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(dossiers(&w.app).await, 0);
    w.app.close().await;
}

async fn the_dossier_page_shows_the_timeline_and_only_the_allowed_actions(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let (status, html) = page(&w.desk, &format!("/ho-so/{CODE}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Trần Thị Hoa"));
    assert!(html.contains("Mới tiếp nhận"));
    assert!(html.contains("24/11/2025 09:00"), "received moment");
    assert!(html.contains("01/12/2025 09:00"), "appointment");
    assert!(html.contains("Còn hạn"), "the due signal in words");
    assert!(
        html.contains(r#"<strong>Tiếp nhận</strong>"#),
        "timeline: {html}"
    );
    assert!(html.contains(r#"name="version" value="1""#));
    for allowed in ["hand_over", "withdraw"] {
        assert!(
            html.contains(&format!(r#"name="action" value="{allowed}""#)),
            "{allowed}"
        );
    }
    // A supplement is requested only during processing (the state machine).
    for not_now in [
        "sign_result",
        "record_return",
        "supply_supplement",
        "request_supplement",
        "refuse",
        "void",
    ] {
        assert!(
            !html.contains(&format!(r#"name="action" value="{not_now}""#)),
            "{not_now} is not offered"
        );
    }
    // The hand-over lists who may take the next step (Thẩm định, office A).
    assert!(html.contains(r#"<option value="chuyenvien">"#), "{html}");
    assert!(!html.contains(r#"<option value="tiepnhan">"#));
    assert!(html.contains(&format!("/api/dossiers/{CODE}/forms/receipt.pdf")));
    // Someone with no role there cannot see it.
    let other = w
        .app
        .client("khac", Role::DeskOfficer, codes::DISTRICT_B)
        .await
        .unwrap();
    // Outside one's units, a dossier answers as a missing one.
    assert_eq!(page(&other, &format!("/ho-so/{CODE}")).await.0, 404);
    w.app.close().await;
}

async fn page_forms_hand_over_request_a_supplement_and_return_the_result(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let act = format!("/ho-so/{CODE}/hanh-dong");
    let csrf = w.desk.csrf.clone();
    // Hand-over without JavaScript: POST, then back to the page.
    let (status, location, _) = post_form(
        &w.desk,
        &act,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("action", "hand_over"),
            ("to_step", "1"),
            ("to_user", "chuyenvien"),
            ("note", ""),
        ],
        false,
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/ho-so/{CODE}?xong=hand_over"));
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["status"], "processing");
    assert_eq!(d["holder"], "chuyenvien");
    // 24 working hours from Monday 09:00: Thursday 09:00.
    assert_eq!(d["steps"][0]["due"], vn("2025-11-27T09:00"));
    let (_, html) = page(&w.desk, &location).await;
    assert!(html.contains("Đã thực hiện: Chuyển xử lý."));
    assert!(
        html.contains("Thẩm định") && html.contains("27/11/2025 09:00"),
        "steps table"
    );

    // Supplement request with htmx: the main part comes back.
    let (status, _, html) = post_form(
        &w.desk,
        &act,
        &[
            ("csrf_token", &csrf),
            ("version", "2"),
            ("action", "request_supplement"),
            ("items", "Giấy chứng sinh: bản chính"),
            ("reason", "Thiếu giấy chứng sinh"),
            ("guidance", ""),
            ("deadline", ""),
            ("note", ""),
        ],
        true,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!html.contains("<html"), "a fragment");
    assert!(html.contains("Đã thực hiện: Yêu cầu bổ sung."), "{html}");
    assert!(html.contains("Tạm dừng tính thời gian"), "suspended signal");
    assert!(html.contains("supplement-request.pdf"), "its form to print");
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["status"], "awaiting_supplement");
    assert_eq!(d["clock_running"], false);
    assert_eq!(d["events"][2]["detail"]["items"][0]["note"], "bản chính");

    let (status, _, _) = post_form(
        &w.desk,
        &act,
        &[
            ("csrf_token", &csrf),
            ("version", "3"),
            ("action", "supply_supplement"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 303);
    // The specialist hands over to the leader without JavaScript: the
    // dossier leaves the justice office's sight, so the page answers at
    // once (a redirect would read it again and be refused) and no refusal
    // is audited.
    let denied = "SELECT count(*) FROM audit_log WHERE action = 'access.denied'";
    let denied_before = w.app.db.query_i64(denied).await.unwrap();
    let (status, location, html) = post_form(
        &w.specialist,
        &act,
        &[
            ("csrf_token", &w.specialist.csrf.clone()),
            ("version", "4"),
            ("action", "hand_over"),
            ("to_step", "2"),
            ("to_user", "lanhdao"),
            ("note", ""),
        ],
        false,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(location.is_empty(), "no redirect: {location}");
    assert!(
        html.contains("<html") && html.contains("Đã thực hiện: Chuyển xử lý."),
        "{html}"
    );
    assert_eq!(w.app.db.query_i64(denied).await.unwrap(), denied_before);
    // A reload posts the old version again: refused, nothing changes.
    let (status, _, _) = post_form(
        &w.specialist,
        &act,
        &[
            ("csrf_token", &w.specialist.csrf.clone()),
            ("version", "4"),
            ("action", "hand_over"),
            ("to_step", "2"),
            ("to_user", "lanhdao"),
            ("note", ""),
        ],
        false,
    )
    .await;
    // Handed over, the dossier has left the specialist's units: it answers
    // as a missing one.
    assert!(matches!(status, 409 | 403 | 404), "{status}");
    assert_eq!(
        json(&w.leader, &format!("/api/dossiers/{CODE}")).await["version"],
        5
    );
    // The leader finishes through the API.
    let r = w
        .leader
        .http
        .post(w.leader.url(&format!("/api/dossiers/{CODE}/actions")))
        .json(&json!({ "action": "sign_result", "version": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // A return without the collector's name is refused, then done.
    let ret = |name: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("version", "6".to_owned()),
            ("action", "record_return".to_owned()),
            ("method", "in_person".to_owned()),
            ("collector_name", name.to_owned()),
            ("collector_identity", "040095000123".to_owned()),
            ("shipment", String::new()),
        ]
    };
    let form = ret("");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = post_form(&w.desk, &act, &pairs, false).await;
    assert_eq!(status, 422);
    assert!(html.contains("Nhập họ tên người nhận kết quả."), "{html}");
    let form = ret("Trần Thị Hoa");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, _) = post_form(&w.desk, &act, &pairs, false).await;
    assert_eq!(status, 303);
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["status"], "returned");
    assert_eq!(d["version"], 7);
    let (_, html) = page(&w.desk, &format!("/ho-so/{CODE}")).await;
    assert!(html.contains("Người nhận kết quả: Trần Thị Hoa"));
    assert!(html.contains("control-slip.pdf"));
    w.app.close().await;
}

async fn a_stale_version_is_refused_with_a_message_to_reload(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let act = format!("/ho-so/{CODE}/hanh-dong");
    let csrf = w.desk.csrf.clone();
    let (status, _, _) = post_form(
        &w.desk,
        &act,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("action", "hand_over"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 303);
    // A second tab still shows version 1.
    let (status, location, html) = post_form(
        &w.desk,
        &act,
        &[
            ("csrf_token", &csrf),
            ("version", "1"),
            ("action", "withdraw"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(location, "");
    assert!(
        html.contains("Hồ sơ vừa được người khác cập nhật"),
        "{html}"
    );
    assert!(
        html.contains(r#"name="version" value="2""#),
        "the page shows the new version"
    );
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["status"], "processing");
    assert_eq!(d["version"], 2);
    w.app.close().await;
}

async fn forms_without_the_csrf_token_are_refused(b: Backend) {
    let w = world(b).await;
    receive_by_api(&w.desk).await;
    let (status, _, html) = post_form(
        &w.desk,
        &format!("/ho-so/{CODE}/hanh-dong"),
        &[("version", "1"), ("action", "withdraw")],
        false,
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("Biểu mẫu đã hết hạn"), "{html}");
    let (status, _, _) = post_form(
        &w.desk,
        &format!("/ho-so/{CODE}/hanh-dong"),
        &[
            ("csrf_token", "sai"),
            ("version", "1"),
            ("action", "withdraw"),
        ],
        false,
    )
    .await;
    assert_eq!(status, 403);
    let mut form = reception("", "Nguyễn Văn An");
    form.remove(0);
    let (status, _, _) = post_form(&w.desk, "/tiep-nhan", &form, false).await;
    assert_eq!(status, 403);
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["version"], 1, "nothing changed");
    assert_eq!(dossiers(&w.app).await, 1);
    w.app.close().await;
}

async fn the_counter_ties_scans_and_records_the_representative_and_a_fee_reduction(b: Backend) {
    let w = world(b).await;
    let base = reception(&w.desk.csrf, "Nguyễn Văn An");
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = base
            .iter()
            .copied()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .collect();
        f.extend_from_slice(extra);
        f
    };
    // Everything at fault at once: a scan that is no PDF or image, a scan
    // of a document not ticked, a fee reduced without a reason, a
    // representative without grounds and with a 9-digit card.
    let bad = with(&[
        ("fee_dong", "0"),
        ("fee_reason", " "),
        ("rep_name", "Trần Văn Bình"),
        ("rep_identity", "186123456"),
        ("rep_basis", ""),
    ]);
    let (status, _, html) = post_reception(
        &w.desk,
        &bad,
        &[
            ("c0_scan", "to-khai.html", b"<html>not a scan</html>"),
            ("c1_scan", "giay-chung-sinh.pdf", SCAN),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    let text = super::ui_pages::unescape(&html);
    for words in [
        "Không nhận được bản quét «to-khai.html»",
        "Có bản quét của giấy tờ chưa đánh dấu đã nhận: Giấy chứng sinh.",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    for id in ["fee-reason-error", "r-basis-error", "r-identity-error"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    assert!(
        html.contains("<details class=\"representative\" open>"),
        "{html}"
    );
    assert_eq!(dossiers(&w.app).await, 0, "nothing received");
    let files = w
        .app
        .db
        .query_i64("SELECT count(*) FROM files")
        .await
        .unwrap();
    assert_eq!(files, 0, "no file row without a dossier");

    // Right: both documents scanned, the fee halved for a poor household,
    // handed in by the applicant's father.
    let good = with(&[
        ("c1_received", "on"),
        ("fee_dong", "25.000"),
        ("fee_reason", "Hộ nghèo (Giấy chứng nhận số 15/GCN-UBND)"),
        ("rep_name", "Trần Văn Bình"),
        ("rep_identity", "040090001234"),
        ("rep_basis", "Cha của người yêu cầu"),
    ]);
    let other: &[u8] = b"%PDF-1.4\n% giay chung sinh\n%%EOF\n";
    let (status, location, html) = post_reception(
        &w.desk,
        &good,
        &[
            ("c0_scan", "to-khai.pdf", SCAN),
            ("c1_scan", "giay-chung-sinh.pdf", other),
        ],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let d = json(&w.desk, &format!("/api/dossiers/{CODE}")).await;
    assert_eq!(d["fee_dong"], 25000);
    assert_eq!(
        d["particulars"]["fee_reduction"],
        json!({ "catalog": 50000, "due": 25000, "reason": "Hộ nghèo (Giấy chứng nhận số 15/GCN-UBND)" })
    );
    assert_eq!(d["particulars"]["representative"]["name"], "Trần Văn Bình");
    assert_eq!(
        d["particulars"]["representative"]["basis"],
        "Cha của người yêu cầu"
    );
    let comps = d["components"].as_array().unwrap();
    assert_eq!(comps.len(), 2);
    for (c, bytes) in comps.iter().zip([SCAN, other]) {
        assert_eq!(c["digitised"], true, "{c}");
        let id = c["file_id"].as_i64().expect("tied");
        let r = w
            .desk
            .http
            .get(w.desk.url(&format!("/api/dossiers/{CODE}/files/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), bytes);
    }
    // The page shows who handed it in and why the fee is lower.
    let (_, page_html) = page(&w.desk, &location).await;
    let page_text = super::ui_pages::unescape(&page_html);
    assert!(
        page_text.contains(
            "Trần Văn Bình (số định danh cá nhân 040090001234); căn cứ: Cha của người yêu cầu"
        ),
        "{page_text}"
    );
    assert!(
        page_text.contains("Hộ nghèo (Giấy chứng nhận số 15/GCN-UBND)"),
        "{page_text}"
    );
    // Both components scanned: the dossier counts as fully digitised.
    let r = w
        .leader
        .http
        .get(w.leader.url(&format!(
            "/api/reports/dossiers?unit={}&from=2025-11-01&to=2025-11-30",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["total"]["received_total"], 1, "{report}");
    assert_eq!(report["total"]["received_fully_digitised"], 1, "{report}");
    w.app.close().await;
}
