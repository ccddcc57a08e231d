//! Dossiers over HTTP on both databases: a whole life from reception to
//! return with hand-computed deadlines, optimistic versions, idempotent
//! retries, lists with cursors and filters, access, bad input, the public
//! status lookup and codes under concurrent reception.
//!
//! The application's clock starts on Monday 24/11/2025 at 09:00 (Vietnam),
//! default office hours 07:00–11:30 and 13:30–17:00 (8 hours a day). No
//! holiday falls between 24/11 and 12/12/2025, so working days are Monday to
//! Friday and the expected moments below are counted by hand.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use serde_json::{Value, json};

use crate::api_auth::on_both;

on_both!(
    a_dossier_lives_from_reception_to_return_with_its_deadlines,
    refusals_and_stops_carry_the_deciding_leaders_signature,
    stale_versions_wrong_states_and_wrong_people_change_nothing,
    changes_made_at_once_from_one_version_commit_once_and_keep_the_chain,
    bad_input_names_the_field_and_changes_nothing,
    retried_requests_with_an_idempotency_key_act_once,
    lists_page_by_cursor_and_filter,
    concurrent_receptions_get_distinct_codes_in_sequence,
    the_public_lookup_needs_the_token_and_is_limited,
    files_are_attached_checked_and_downloaded,
    forms_print_what_the_dossier_holds,
    administrators_see_the_outbox,
    a_minimal_answer_carries_the_version_to_go_on_with,
    lists_filter_by_end_and_classification
);

/// A moment of Vietnam time as an instant string, as the API writes it.
pub(crate) fn vn(s: &str) -> String {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .unwrap()
        .timestamp()
        .to_string()
}

fn set_clock(app: &TestApp, local: &str) {
    app.clock.set(vn(local).parse().unwrap());
}

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) desk: Client,
    pub(crate) specialist: Client,
    pub(crate) leader: Client,
    pub(crate) admin: Client,
}

/// The procedure "1.000003" (5 working days, fee 50.000 đ) assigned to
/// district A, with a process: 24 working hours at the justice office,
/// then 8 at the district's leader.
pub(crate) async fn world(b: Backend) -> World {
    world_with(b, motcua_testkit::Options::default()).await
}

/// [`world`] on an application started with `opts`.
pub(crate) async fn world_with(b: Backend, opts: motcua_testkit::Options) -> World {
    let app = TestApp::start_with(b, opts).await.unwrap();
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
            "components": [{ "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": true }]
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
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
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
    let admin = app
        .client("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    World {
        app,
        desk,
        specialist,
        leader,
        admin,
    }
}

/// Attaches a result file (a PDF's first bytes are what is checked).
pub(crate) async fn attach_result(c: &Client, code: &str) {
    let r = c
        .http
        .post(c.url(&format!(
            "/api/dossiers/{code}/files?kind=result&name=ket-qua.pdf"
        )))
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4 ket qua".to_vec())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

pub(crate) fn reception(name: &str) -> Value {
    json!({
        "unit": codes::DESK_A, "procedure": "1.000003", "channel": "in_person",
        "applicant": { "kind": "citizen", "name": name, "identity": "040095000123",
            "phone": "0912 345 678", "email": "nguoidan@example.org", "address": "Xã Bồi Sơn, huyện Đô Lương" },
        "components": [{ "name": "Tờ khai đăng ký khai sinh", "form": "original", "copies": 1, "digitised": true, "reused": false }]
    })
}

pub(crate) async fn receive(c: &Client, body: &Value) -> (u16, Value) {
    let r = c
        .http
        .post(c.url("/api/dossiers"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn act(c: &Client, code: &str, body: Value) -> (u16, Value) {
    let r = c
        .http
        .post(c.url(&format!("/api/dossiers/{code}/actions")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(c: &Client, path: &str) -> (u16, Value) {
    get_json(c, path).await
}

/// A GET answered with JSON: status and body.
pub(crate) async fn get_json(c: &Client, path: &str) -> (u16, Value) {
    let r = c.http.get(c.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) fn ok(r: (u16, Value)) -> Value {
    assert!((200..300).contains(&r.0), "{} {}", r.0, r.1);
    r.1
}

async fn a_dossier_lives_from_reception_to_return_with_its_deadlines(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Nguyễn Văn An")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    assert_eq!(code, "000.01.21.H40-251124-0001");
    assert_eq!(d["status"], "received");
    assert_eq!(d["fee_dong"], 50000);
    // Received Monday 09:00 + 5 working days = Monday 01/12 09:00.
    assert_eq!(d["current_due"], vn("2025-12-01T09:00"));
    assert_eq!(d["original_due"], vn("2025-12-01T09:00"));
    assert_eq!(d["time_limit"], "5 ngày làm việc");
    assert_eq!(d["open_status"], "not_yet_due");
    assert!(
        d["status_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://dichvucong.test/tra-cuu/{code}?t="))
    );
    assert!(
        d["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("hand_over"))
    );
    // Receipt notices: e-mail and SMS to the applicant, one webhook.
    let outbox = w
        .app
        .db
        .query_i64("SELECT count(*) FROM outbox WHERE body LIKE '%000.01.21.H40-251124-0001%'")
        .await
        .unwrap();
    assert_eq!(outbox, 3);

    // The desk hands over to step 1 (24 working hours): due Thursday 09:00.
    let a = ok(act(
        &w.desk,
        &code,
        json!({ "action": "hand_over", "version": 1, "to_user": "chuyenvien" }),
    )
    .await);
    let d = &a["dossier"];
    assert_eq!(d["status"], "processing");
    assert_eq!(d["version"], 2);
    assert_eq!(d["holder"], "chuyenvien");
    assert_eq!(d["steps"][0]["due"], vn("2025-11-27T09:00"));
    assert_eq!(d["steps"][0]["sender"], "tiepnhan");

    // Tuesday 09:00: a supplement is requested; the clock stops.
    set_clock(&w.app, "2025-11-25T09:00");
    let a = ok(act(
        &w.desk,
        &code,
        json!({ "action": "request_supplement", "version": 2, "reason": "Thiếu giấy chứng sinh",
                "items": [{ "name": "Giấy chứng sinh", "note": "bản chính" }] }),
    )
    .await);
    assert_eq!(a["dossier"]["status"], "awaiting_supplement");
    assert_eq!(a["dossier"]["clock_running"], false);
    assert_eq!(a["warning"], Value::Null);
    // Thursday 09:00, two working days later: supplied. Every due moves by
    // the 16 office hours of the wait (pause policy).
    set_clock(&w.app, "2025-11-27T09:00");
    let a = ok(act(
        &w.desk,
        &code,
        json!({ "action": "supply_supplement", "version": 3 }),
    )
    .await);
    let d = &a["dossier"];
    assert_eq!(d["status"], "processing");
    assert_eq!(d["current_due"], vn("2025-12-03T09:00"));
    assert_eq!(d["original_due"], vn("2025-12-03T09:00"));
    assert_eq!(d["steps"][0]["due"], vn("2025-12-01T09:00"));
    // A second request warns (Decision 766 counts it late) but is allowed.
    let a = ok(act(
        &w.desk,
        &code,
        json!({ "action": "request_supplement", "version": 4, "reason": "Sai tên cha",
                "items": [{ "name": "Tờ khai đăng ký khai sinh" }] }),
    )
    .await);
    assert!(a["warning"].as_str().unwrap().contains("thứ 2"), "{a}");
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "supply_supplement", "version": 5 }),
    )
    .await);

    // Friday 10:00 the specialist hands over to the leader; step 1 closes
    // early (its due is Monday 01/12).
    set_clock(&w.app, "2025-11-28T10:00");
    let a = ok(act(
        &w.specialist,
        &code,
        json!({ "action": "hand_over", "version": 6, "to_user": "lanhdao" }),
    )
    .await);
    let d = &a["dossier"];
    assert_eq!(d["steps"][0]["classification"], "early");
    assert_eq!(d["steps"][1]["name"], "Phê duyệt");
    assert_eq!(d["steps"][1]["unit_code"], codes::DISTRICT_A);
    // 8 working hours from Friday 10:00: Monday 01/12 10:00.
    assert_eq!(d["steps"][1]["due"], vn("2025-12-01T10:00"));

    // The leader extends with an apology: the appointment moves, the
    // original due (judged by default) does not.
    let a = ok(act(
        &w.leader,
        &code,
        json!({ "action": "extend", "version": 7, "reason": "Chờ xác minh", "new_due": "2025-12-05T09:00",
                "signer_name": "Trần Thị Bình", "signer_title": "Phó Chủ tịch" }),
    )
    .await);
    let d = &a["dossier"];
    assert_eq!(d["current_due"], vn("2025-12-05T09:00"));
    assert_eq!(d["original_due"], vn("2025-12-03T09:00"));
    assert_eq!(d["status"], "processing");
    assert_eq!(d["extension_count"], 1);

    // Thursday 04/12 the leader signs: past the original due, so late.
    // An electronic result needs its file; a day of signing after today
    // or before the reception is refused; nothing changes on refusal.
    set_clock(&w.app, "2025-12-04T14:00");
    for (body, field) in [
        (
            json!({ "action": "sign_result", "version": 8, "result_digitised": true }),
            "result_digitised",
        ),
        (
            json!({ "action": "sign_result", "version": 8, "result_date": "2025-12-05" }),
            "result_date",
        ),
        (
            json!({ "action": "sign_result", "version": 8, "result_date": "2025-11-23" }),
            "result_date",
        ),
        (
            json!({ "action": "sign_result", "version": 8, "result_number": "x".repeat(101) }),
            "result_number",
        ),
    ] {
        let (s, v) = act(&w.leader, &code, body).await;
        assert_eq!((s, v["field"].clone()), (422, json!(field)), "{v}");
    }
    attach_result(&w.leader, &code).await;
    let a = ok(act(
        &w.leader,
        &code,
        json!({ "action": "sign_result", "version": 8, "result_digitised": true,
                "result_number": "125/GCN-UBND", "result_date": "2025-12-03" }),
    )
    .await);
    let ev = a["dossier"]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(ev["detail"]["result_number"], "125/GCN-UBND", "{ev}");
    assert_eq!(ev["detail"]["result_date"], "2025-12-03", "{ev}");
    let d = &a["dossier"];
    assert_eq!(d["status"], "done");
    assert_eq!(d["classification"], "late");
    assert_eq!(d["outcome"], "result");
    assert_eq!(d["ended_at"], vn("2025-12-04T14:00"));
    assert_eq!(d["steps"][1]["classification"], "late");
    assert_eq!(d["holder_unit_id"], d["unit_id"]);

    set_clock(&w.app, "2025-12-05T08:00");
    let a = ok(act(
        &w.desk,
        &code,
        json!({ "action": "record_return", "version": 9, "collector_name": "Nguyễn Văn An", "collector_identity": "040095000123" }),
    )
    .await);
    let d = &a["dossier"];
    assert_eq!(d["status"], "returned");
    assert_eq!(d["returned_at"], vn("2025-12-05T08:00"));
    let events: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "receive",
            "hand_over",
            "request_supplement",
            "supply_supplement",
            "request_supplement",
            "supply_supplement",
            "hand_over",
            "extend",
            "sign_result",
            "record_return"
        ]
    );
    // One audit entry per change and one for the result's file,
    // hash-chained with the rest.
    let audited = w
        .app
        .db
        .query_i64(&format!(
            "SELECT count(*) FROM audit_log WHERE subject = 'dossier:{code}'"
        ))
        .await
        .unwrap();
    assert_eq!(audited, 11);
    // A returned dossier cannot be voided: 409 naming the state.
    let (s, pb) = act(
        &w.admin,
        &code,
        json!({ "action": "void", "version": 10, "reason": "nhập sai" }),
    )
    .await;
    assert_eq!(s, 409, "{pb}");
    assert!(pb["detail"].as_str().unwrap().contains("returned"), "{pb}");
}

async fn stale_versions_wrong_states_and_wrong_people_change_nothing(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Lê Văn Cường")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let before = w.app.audit_count().await.unwrap();
    // Stale version.
    let (s, pb) = act(
        &w.desk,
        &code,
        json!({ "action": "hand_over", "version": 7 }),
    )
    .await;
    assert_eq!(s, 409, "{pb}");
    assert!(pb["detail"].as_str().unwrap().contains("version 1"), "{pb}");
    // Not allowed in this state: names the state.
    let (s, pb) = act(
        &w.desk,
        &code,
        json!({ "action": "record_return", "version": 1, "collector_name": "X" }),
    )
    .await;
    assert_eq!(s, 409, "{pb}");
    assert!(pb["detail"].as_str().unwrap().contains("received"), "{pb}");
    assert_eq!(w.app.audit_count().await.unwrap(), before);
    // The specialist may not sign; refused and the refusal is audited.
    let (s, _) = act(
        &w.specialist,
        &code,
        json!({ "action": "sign_result", "version": 1 }),
    )
    .await;
    // Received at the desk, the dossier is not the office's yet: it answers
    // as a missing one, and the refusal is audited.
    assert_eq!(s, 404);
    assert_eq!(w.app.audit_count().await.unwrap(), before + 1);
    // Someone from another district neither sees nor lists it.
    let other = w
        .app
        .client("huyenkhac", Role::DeskOfficer, codes::DISTRICT_B)
        .await
        .unwrap();
    // A dossier outside one's units answers as a missing one.
    assert_eq!(get(&other, &format!("/api/dossiers/{code}")).await.0, 404);
    assert_eq!(
        get(&other, &format!("/api/dossiers?unit={}", codes::DISTRICT_A))
            .await
            .0,
        403
    );
    let mine = ok(get(&other, "/api/dossiers").await);
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    // Still version 1, still received, one event.
    let d = ok(get(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["version"], 1);
    assert_eq!(d["status"], "received");
    assert_eq!(d["events"].as_array().unwrap().len(), 1);
    // Unknown dossier: 404.
    assert_eq!(
        get(&w.desk, "/api/dossiers/000.01.21.H40-251124-0999")
            .await
            .0,
        404
    );
}

/// Two hand-overs of each of six dossiers, all sent at once from version 1:
/// on SQLite they queue for the writer and are committed in batches (one
/// write's failure must not undo the others'); on PostgreSQL they race.
/// Exactly one per dossier wins, the other gets 409, and the audit chain
/// holds one entry per winner, unbroken.
async fn changes_made_at_once_from_one_version_commit_once_and_keep_the_chain(b: Backend) {
    let w = world(b).await;
    let mut codes = Vec::new();
    for i in 0..6 {
        let d = ok(receive(&w.desk, &reception(&format!("Người {i}"))).await);
        codes.push(d["code"].as_str().unwrap().to_owned());
    }
    let before = w.app.audit_count().await.unwrap();
    let mut tasks = Vec::new();
    for code in &codes {
        for _ in 0..2 {
            let (http, url) = (
                w.desk.http.clone(),
                w.desk.url(&format!("/api/dossiers/{code}/actions")),
            );
            tasks.push(tokio::spawn(async move {
                let r = http
                    .post(url)
                    .json(&json!({ "action": "hand_over", "version": 1, "to_user": "chuyenvien" }))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }));
        }
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    for pair in answers.chunks(2) {
        let mut statuses: Vec<u16> = pair.iter().map(|(s, _)| *s).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![200, 409], "{pair:?}");
        let refused = &pair.iter().find(|(s, _)| *s == 409).unwrap().1;
        assert!(
            refused["detail"].as_str().unwrap().contains("version 2"),
            "{refused}"
        );
    }
    for code in &codes {
        let d = ok(get(&w.desk, &format!("/api/dossiers/{code}")).await);
        assert_eq!(d["version"], 2, "{code}");
        assert_eq!(d["status"], "processing", "{code}");
        assert_eq!(d["events"].as_array().unwrap().len(), 2, "{code}");
        assert_eq!(d["holder"], "chuyenvien", "{code}");
    }
    assert_eq!(w.app.audit_count().await.unwrap(), before + 6);
    let entries = w.app.db.store().audit_entries(0, 10_000).await.unwrap();
    assert_eq!(
        motcua_domain::audit::verify_chain(&entries),
        Ok(entries.len() as u64)
    );
}

async fn bad_input_names_the_field_and_changes_nothing(b: Backend) {
    let w = world(b).await;
    let before = w.app.audit_count().await.unwrap();
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut r = reception("A");
                r["applicant"]["name"] = json!("  ");
                r
            },
            "applicant.name",
        ),
        (
            {
                let mut r = reception("A");
                r["procedure"] = json!("9.999999");
                r
            },
            "procedure",
        ),
        (
            {
                let mut r = reception("A");
                r["channel"] = json!("fax");
                r
            },
            "channel",
        ),
        (
            {
                let mut r = reception("A");
                r["unit"] = json!("not-a-unit");
                r
            },
            "unit",
        ),
        (
            {
                let mut r = reception("A");
                r["applicant"]["email"] = json!("no-at-sign");
                r
            },
            "applicant.email",
        ),
        (
            {
                let mut r = reception("A");
                r["components"] = json!([]);
                r
            },
            "components",
        ),
        (
            {
                let mut r = reception("A");
                r["components"][0]["form"] = json!("photo");
                r
            },
            "components[0].form",
        ),
        (
            {
                let mut r = reception("A");
                r["fee_dong"] = json!(60000);
                r
            },
            "fee_dong",
        ),
        (
            {
                let mut r = reception("A");
                r["surprise"] = json!(1);
                r
            },
            ".",
        ),
        // Bounds (domain.md has none; motcua_domain::bounds sets them): a
        // name of 501 characters, an identity of 65, a list of 201
        // components, 10,000 components (refused at the edge before the
        // command is parsed), a note of 10,001 characters.
        (
            {
                let mut r = reception("A");
                r["applicant"]["name"] = json!("Nguyễn ".repeat(72));
                r
            },
            "applicant.name",
        ),
        (
            {
                let mut r = reception("A");
                r["applicant"]["identity"] = json!("0".repeat(65));
                r
            },
            "applicant.identity",
        ),
        // The old 9-digit card, a citizen's number for a business, a
        // number with no province.
        (
            {
                let mut r = reception("A");
                r["applicant"]["identity"] = json!("186123456");
                r
            },
            "applicant.identity",
        ),
        (
            {
                let mut r = reception("A");
                r["applicant"]["kind"] = json!("organisation");
                r
            },
            "applicant.identity",
        ),
        (
            {
                let mut r = reception("A");
                r["applicant"]["identity"] = json!("099095000123");
                r
            },
            "applicant.identity",
        ),
        (
            {
                let mut r = reception("A");
                let one = r["components"][0].clone();
                r["components"] = Value::Array(vec![one; 201]);
                r
            },
            "components",
        ),
        (
            {
                let mut r = reception("A");
                r["components"] = Value::Array(vec![json!({ "name": "a" }); 10_000]);
                r
            },
            "components",
        ),
        (
            {
                let mut r = reception("A");
                r["note"] = json!("x".repeat(10_001));
                r
            },
            "note",
        ),
    ];
    for (body, field) in cases {
        let (s, pb) = receive(&w.desk, &body).await;
        assert_eq!(s, 422, "{field}: {pb}");
        if field != "." {
            assert_eq!(pb["field"], field, "{pb}");
        }
    }
    let d = ok(receive(&w.desk, &reception("Phạm Thị Dung")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let after_one = w.app.audit_count().await.unwrap();
    assert_eq!(after_one, before + 1);
    for (body, field) in [
        (json!({ "action": "teleport", "version": 1 }), "action"),
        (json!({ "action": "hand_over" }), "version"),
        (
            json!({ "action": "hand_over", "version": 1, "to_step": 9 }),
            "to_step",
        ),
        (
            json!({ "action": "hand_over", "version": 1, "to_user": "nobody" }),
            "to_user",
        ),
    ] {
        let (s, pb) = act(&w.desk, &code, body).await;
        assert_eq!(s, 422, "{field}: {pb}");
        if field == "action" {
            // An unknown action: serde names the expected ones.
            assert!(pb["detail"].as_str().unwrap().contains("hand_over"), "{pb}");
            continue;
        }
        assert!(
            pb["field"].as_str().unwrap_or("").contains(field)
                || pb["detail"].as_str().unwrap_or("").contains(field),
            "{field}: {pb}"
        );
    }
    let r = w
        .desk
        .http
        .post(w.desk.url(&format!("/api/dossiers/{code}/actions")))
        .header("content-type", "text/plain")
        .body("hand_over")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(w.app.audit_count().await.unwrap(), after_one);
    let n = w
        .app
        .db
        .query_i64("SELECT count(*) FROM dossiers")
        .await
        .unwrap();
    assert_eq!(n, 1);
}

async fn retried_requests_with_an_idempotency_key_act_once(b: Backend) {
    let w = world(b).await;
    let send = |key: &'static str, body: Value| {
        let c = &w.desk;
        async move {
            let r = c
                .http
                .post(c.url("/api/dossiers"))
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = r.headers().get("idempotent-replayed").is_some();
            (
                r.status().as_u16(),
                replayed,
                r.json::<Value>().await.unwrap(),
            )
        }
    };
    let (s1, r1, first) = send("k-1", reception("Hoàng Văn Em")).await;
    let (s2, r2, second) = send("k-1", reception("Hoàng Văn Em")).await;
    assert_eq!((s1, r1), (201, false));
    assert_eq!((s2, r2), (201, true));
    assert_eq!(first["code"], second["code"]);
    let n = w
        .app
        .db
        .query_i64("SELECT count(*) FROM dossiers")
        .await
        .unwrap();
    assert_eq!(n, 1);
    // The same key for another request is refused.
    let (s, _, pb) = send("k-1", reception("Người khác")).await;
    assert_eq!(s, 422);
    assert_eq!(pb["field"], "Idempotency-Key");
    // A failed request releases its key: the corrected retry acts.
    let mut bad = reception("Hoàng Văn Em");
    bad["procedure"] = json!("9.999999");
    assert_eq!(send("k-2", bad).await.0, 422);
    let (s, _, third) = send("k-2", reception("Hoàng Văn Em")).await;
    assert_eq!(s, 201);
    assert_ne!(third["code"], first["code"]);
    // Actions too: a retried hand-over does not move the version twice.
    let code = first["code"].as_str().unwrap();
    for _ in 0..2 {
        let r = w
            .desk
            .http
            .post(w.desk.url(&format!("/api/dossiers/{code}/actions")))
            .header("Idempotency-Key", "h-1")
            .json(&json!({ "action": "hand_over", "version": 1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let d = ok(get(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["version"], 2);
    assert_eq!(d["events"].as_array().unwrap().len(), 2);
}

async fn lists_page_by_cursor_and_filter(b: Backend) {
    let w = world(b).await;
    let mut codes_made = Vec::new();
    for i in 0..5 {
        let d = ok(receive(&w.desk, &reception(&format!("Người nộp {i}"))).await);
        codes_made.push(d["code"].as_str().unwrap().to_owned());
    }
    // One is handed over, one waits for a supplement.
    ok(act(
        &w.desk,
        &codes_made[0],
        json!({ "action": "hand_over", "version": 1 }),
    )
    .await);
    ok(act(
        &w.desk,
        &codes_made[1],
        json!({ "action": "hand_over", "version": 1 }),
    )
    .await);
    ok(act(&w.desk, &codes_made[1], json!({ "action": "request_supplement", "version": 2, "reason": "Thiếu", "items": [{ "name": "Giấy tờ" }] })).await);
    // Pages of 2, newest first, cover all five once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..5 {
        let page = ok(get(&w.desk, &format!("/api/dossiers?limit=2&cursor={cursor}")).await);
        for it in page["items"].as_array().unwrap() {
            seen.push(it["code"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let mut expected = codes_made.clone();
    expected.reverse();
    assert_eq!(seen, expected);
    let only = |q: &str| {
        let desk = &w.desk;
        let q = q.to_owned();
        async move {
            let page = ok(get(desk, &format!("/api/dossiers?{q}")).await);
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(only("status=processing").await, vec![codes_made[0].clone()]);
    assert_eq!(
        only("status=awaiting_supplement,processing&sort=due")
            .await
            .len(),
        2
    );
    assert_eq!(
        only(&format!("unit={}&channel=online", codes::DISTRICT_A))
            .await
            .len(),
        0
    );
    // The suspended one keeps its stored appointment until it resumes.
    assert_eq!(only("due_from=2025-12-01&due_to=2025-12-01").await.len(), 5);
    assert_eq!(only("due_from=2025-12-02").await.len(), 0);
    // Due Monday 01/12 09:00 with a threshold of one working day: near due
    // from Friday 28/11 09:00, overdue after Monday 09:00. The suspended
    // one is neither.
    set_clock(&w.app, "2025-11-28T10:00");
    assert_eq!(only("near_due=true").await.len(), 4);
    assert_eq!(only("overdue=true").await.len(), 0);
    set_clock(&w.app, "2025-12-01T09:01");
    assert_eq!(only("near_due=true").await.len(), 0);
    let overdue = only("overdue=true").await;
    assert_eq!(overdue.len(), 4);
    assert!(!overdue.contains(&codes_made[1]));
    let d = ok(get(&w.desk, &format!("/api/dossiers/{}", codes_made[2])).await);
    assert_eq!(d["open_status"], "overdue");
    // By due moment (equal here, so by reception), a page of one at a
    // time, with the unit subtree and the filters the queues use (overdue;
    // open statuses): the four in reception order, none twice.
    let expected: Vec<String> = [0, 2, 3, 4].map(|i| codes_made[i].clone()).to_vec();
    for filter in ["overdue=true", "status=received,processing"] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        for _ in 0..6 {
            let page = ok(get(
                &w.desk,
                &format!(
                    "/api/dossiers?{filter}&sort=due&unit={}&limit=1&cursor={cursor}",
                    codes::DISTRICT_A
                ),
            )
            .await);
            for it in page["items"].as_array().unwrap() {
                seen.push(it["code"].as_str().unwrap().to_owned());
            }
            match page["next"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{filter}");
    }
    for bad in [
        "limit=0",
        "limit=201",
        "status=lost",
        "sort=eldest",
        "cursor=zz",
        "due_from=2025-13-01",
    ] {
        let (s, pb) = get(&w.desk, &format!("/api/dossiers?{bad}")).await;
        assert_eq!(s, 422, "{bad}: {pb}");
    }
}

async fn concurrent_receptions_get_distinct_codes_in_sequence(b: Backend) {
    let w = world(b).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let http = w.desk.http.clone();
        let url = w.desk.url("/api/dossiers");
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .json(&reception(&format!("Người {i}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["code"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    got.sort();
    let expected: Vec<String> = (1..=16)
        .map(|n| format!("000.01.21.H40-251124-{n:04}"))
        .collect();
    assert_eq!(got, expected);
    // The next day starts again at 0001.
    set_clock(&w.app, "2025-11-25T08:00");
    let d = ok(receive(&w.desk, &reception("Ngày mới")).await);
    assert_eq!(d["code"], "000.01.21.H40-251125-0001");
}

async fn the_public_lookup_needs_the_token_and_is_limited(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Đỗ Thị Giang")).await);
    let code = d["code"].as_str().unwrap();
    let url = d["status_url"].as_str().unwrap();
    let token = url.split("?t=").nth(1).unwrap();
    let anon = reqwest::Client::new();
    let r = anon
        .get(w.app.url(&format!("/api/public/dossiers/{code}?t={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["status"], "received");
    assert_eq!(s["procedure_name"], "Đăng ký khai sinh");
    assert!(s.get("lookup_token").is_none());
    assert!(s.get("applicant").is_none());
    for wrong in ["", "abc", &token.replace(&token[..1], "z")] {
        let r = anon
            .get(w.app.url(&format!("/api/public/dossiers/{code}?t={wrong}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{wrong}");
    }
    // The test app allows 30 lookups a minute per address.
    let mut limited = None;
    for i in 0..40 {
        let r = anon
            .get(w.app.url(&format!("/api/public/dossiers/{code}?t={token}")))
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
            limited = Some(i);
            break;
        }
    }
    // 4 lookups above plus 26 here reach the limit of 30.
    assert_eq!(limited, Some(26));
}

async fn files_are_attached_checked_and_downloaded(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Vũ Văn Hải")).await);
    let code = d["code"].as_str().unwrap();
    let pdf = b"%PDF-1.4 k\xe1\xba\xbft qu\xe1\xba\xa3".to_vec();
    let post = |kind: &str, name: &str, ctype: &str, body: Vec<u8>| {
        let c = &w.desk;
        let url = c.url(&format!(
            "/api/dossiers/{code}/files?kind={kind}&name={name}"
        ));
        let ctype = ctype.to_owned();
        async move {
            let r = c
                .http
                .post(url)
                .header("content-type", ctype)
                .body(body)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (s, f) = post("result", "ket-qua.pdf", "application/pdf", pdf.clone()).await;
    assert_eq!(s, 201, "{f}");
    assert_eq!(f["size_bytes"], pdf.len());
    // SHA-256 of the bytes, computed independently of the server.
    use sha2::Digest;
    assert_eq!(f["sha256"], hex::encode(sha2::Sha256::digest(&pdf)));
    let r = w
        .desk
        .http
        .get(
            w.desk
                .url(&format!("/api/dossiers/{code}/files/{}", f["id"])),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let before = w.app.audit_count().await.unwrap();
    for (kind, name, ctype, field) in [
        ("poster", "a.pdf", "application/pdf", "kind"),
        ("result", "", "application/pdf", "name"),
        (
            "result",
            "a.exe",
            "application/x-msdownload",
            "content-type",
        ),
    ] {
        let (s, pb) = post(kind, name, ctype, pdf.clone()).await;
        assert_eq!(s, 422, "{field}: {pb}");
        assert_eq!(pb["field"], field);
    }
    let (s, pb) = post("result", "empty.pdf", "application/pdf", Vec::new()).await;
    assert_eq!((s, pb["field"].as_str()), (422, Some("body")));
    assert_eq!(w.app.audit_count().await.unwrap(), before);
    let d = ok(get(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["files"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(&w.desk, &format!("/api/dossiers/{code}/files/999999"))
            .await
            .0,
        404
    );
}

/// The text of a PDF, by poppler's `pdftotext` (installed by `.ci/run`).
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) async fn fetch(c: &Client, path: &str) -> (u16, Vec<u8>) {
    let r = c.http.get(c.url(path)).send().await.unwrap();
    let s = r.status().as_u16();
    if s == 200 {
        assert_eq!(r.headers()["content-type"], "application/pdf");
    }
    (s, r.bytes().await.unwrap().to_vec())
}

async fn forms_print_what_the_dossier_holds(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Trương Thị Kim")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let (s, pdf) = fetch(&w.desk, &format!("/api/dossiers/{code}/forms/receipt.pdf")).await;
    assert_eq!(s, 200);
    // Saved under the form's name and the dossier's code.
    let r = w
        .desk
        .http
        .get(
            w.desk
                .url(&format!("/api/dossiers/{code}/forms/receipt.pdf")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-disposition"],
        format!("inline; filename=\"giay-tiep-nhan-va-hen-tra-ket-qua-{code}.pdf\"").as_str()
    );
    let r = w
        .desk
        .http
        .get(w.desk.url(&format!(
            "/api/registers/dossiers?unit={}&from=2025-11-24&to=2025-11-24",
            codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-disposition"],
        format!(
            "inline; filename=\"so-theo-doi-ho-so-{}-2025-11-24-2025-11-24.pdf\"",
            codes::DISTRICT_A
        )
        .as_str()
    );
    let text = pdf_text(&pdf);
    for want in [
        code.as_str(),
        "Trương Thị Kim",
        "Đăng ký khai sinh",
        "5 ngày làm việc",
        "01/12/2025",
    ] {
        assert!(text.contains(want), "receipt lacks {want:?}:\n{text}");
    }
    // No supplement, refusal or apology yet.
    for form in [
        "supplement-request.pdf",
        "refusal.pdf",
        "apology.pdf",
        "stop-notice.pdf",
    ] {
        assert_eq!(
            fetch(&w.desk, &format!("/api/dossiers/{code}/forms/{form}"))
                .await
                .0,
            404,
            "{form}"
        );
    }
    assert_eq!(
        fetch(&w.desk, &format!("/api/dossiers/{code}/forms/poster.pdf"))
            .await
            .0,
        404
    );
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "hand_over", "version": 1, "to_user": "chuyenvien" }),
    )
    .await);
    ok(act(&w.desk, &code, json!({ "action": "request_supplement", "version": 2, "reason": "Thiếu giấy chứng sinh",
        "guidance": "Nộp tại Bộ phận Một cửa", "items": [{ "name": "Giấy chứng sinh", "note": "bản chính" }] })).await);
    let text = pdf_text(
        &fetch(
            &w.desk,
            &format!("/api/dossiers/{code}/forms/supplement-request.pdf"),
        )
        .await
        .1,
    );
    for want in [
        "Giấy chứng sinh",
        "Thiếu giấy chứng sinh",
        "Nộp tại Bộ phận Một cửa",
        code.as_str(),
    ] {
        assert!(
            text.contains(want),
            "supplement request lacks {want:?}:\n{text}"
        );
    }
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "supply_supplement", "version": 3 }),
    )
    .await);
    // The justice office, where the dossier is late, has its own head.
    w.app
        .user("truongphong", Role::Leader, codes::OFFICE_A)
        .await
        .unwrap();
    w.app
        .db
        .execute("UPDATE users SET full_name = 'Lê Văn Trưởng' WHERE username = 'truongphong'")
        .await
        .unwrap();
    // The district's leader approves without naming a signer: the letter
    // is the justice office's, signed by its head.
    ok(act(
        &w.leader,
        &code,
        json!({ "action": "extend", "version": 4, "reason": "Chờ xác minh hộ tịch",
        "new_due": "2025-12-08T10:00" }),
    )
    .await);
    let text = pdf_text(
        &fetch(&w.desk, &format!("/api/dossiers/{code}/forms/apology.pdf"))
            .await
            .1,
    );
    for want in [
        "Chờ xác minh hộ tịch",
        "ngày 08 tháng 12 năm 2025",
        "PHÒNG TƯ PHÁP HUYỆN ĐÔ LƯƠNG",
        "PHÒNG TƯ PHÁP HUYỆN ĐÔ LƯƠNG xin lỗi Ông/Bà",
        "THỦ TRƯỞNG ĐƠN VỊ",
        "Lê Văn Trưởng",
        "Mẫu số 04",
    ] {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(want), "apology lacks {want:?}:\n{text}");
    }
    assert!(
        !text.contains("BỘ PHẬN MỘT CỬA"),
        "not in the desk's name: {text}"
    );
    let text = pdf_text(
        &fetch(
            &w.desk,
            &format!("/api/dossiers/{code}/forms/control-slip.pdf"),
        )
        .await
        .1,
    );
    assert!(text.contains("Thẩm định"), "{text}");
    assert!(text.contains("24/11/2025"), "{text}");
    // Received in November 2025, under Circular 03/2025: the control slip
    // is form 06 (05 is the stop notice), the register form 07.
    assert!(text.contains("Mẫu số 06"), "{text}");
    let (s, pdf) = fetch(
        &w.desk,
        &format!(
            "/api/registers/dossiers?unit={}&from=2025-11-24&to=2025-11-24",
            codes::DISTRICT_A
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert!(pdf_text(&pdf).contains(&code));
    assert!(pdf_text(&pdf).contains("Mẫu số 07"));
    assert_eq!(
        fetch(
            &w.desk,
            &format!(
                "/api/registers/dossiers?unit={}&from=2025-11-25&to=2025-11-24",
                codes::DISTRICT_A
            )
        )
        .await
        .0,
        422
    );
}

async fn administrators_see_the_outbox(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Mai Văn Lộc")).await);
    let code = d["code"].as_str().unwrap();
    let list = ok(get(&w.admin, "/api/admin/outbox?status=pending").await);
    let mine: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["body"].as_str().unwrap_or("").contains(code))
        .collect();
    let mut channels: Vec<&str> = mine
        .iter()
        .map(|m| m["channel"].as_str().unwrap())
        .collect();
    channels.sort_unstable();
    assert_eq!(channels, ["email", "sms", "webhook"]);
    assert!(
        mine.iter()
            .any(|m| m["recipient"] == "nguoidan@example.org")
    );
    assert_eq!(get(&w.desk, "/api/admin/outbox").await.0, 403);
    assert_eq!(get(&w.admin, "/api/admin/outbox?status=lost").await.0, 422);
    // Only a failed message can be retried.
    let id = mine[0]["id"].as_i64().unwrap();
    let r = w
        .admin
        .http
        .post(w.admin.url(&format!("/api/admin/outbox/{id}/retry")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// `Prefer: return=minimal` answers code, version, status and appointment
/// only, and the next action can be taken with that version; the change is
/// the same as with a full answer.
async fn a_minimal_answer_carries_the_version_to_go_on_with(b: Backend) {
    let w = world(b).await;
    let post = |c: &Client, path: String, body: Value| {
        let req = c
            .http
            .post(c.url(&path))
            .header("Prefer", "handling=lenient, return=minimal")
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            let applied = r
                .headers()
                .get("preference-applied")
                .map(|v| v.to_str().unwrap().to_owned());
            (
                r.status().as_u16(),
                applied,
                r.json::<Value>().await.unwrap(),
            )
        }
    };
    let (s, applied, brief) = post(&w.desk, "/api/dossiers".into(), reception("Lê Thị Hoa")).await;
    assert_eq!(s, 201, "{brief}");
    assert_eq!(applied.as_deref(), Some("return=minimal"));
    let code = brief["code"].as_str().unwrap().to_owned();
    assert_eq!(code, "000.01.21.H40-251124-0001");
    assert_eq!(brief["version"], 1);
    assert_eq!(brief["status"], "received");
    // Five working days from Mon 24/11/2025 09:00.
    assert_eq!(brief["current_due"], vn("2025-12-01T09:00"));
    assert!(
        brief.get("events").is_none(),
        "no timeline in a minimal answer"
    );
    let (s, _, brief) = post(
        &w.desk,
        format!("/api/dossiers/{code}/actions"),
        json!({ "action": "hand_over", "to_user": "chuyenvien", "version": brief["version"] }),
    )
    .await;
    assert_eq!(s, 200, "{brief}");
    assert_eq!(brief["version"], 2);
    assert_eq!(brief["status"], "processing");
    // The stale version is still refused with a minimal answer asked for.
    let (s, _, problem) = post(
        &w.specialist,
        format!("/api/dossiers/{code}/actions"),
        json!({ "action": "hand_over", "to_user": "lanhdao", "version": 1 }),
    )
    .await;
    assert_eq!(s, 409, "{problem}");
    // The full view agrees with what the brief said.
    let d = ok(get(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["version"], 2);
    assert_eq!(d["holder"], "chuyenvien");
    assert_eq!(d["events"].as_array().unwrap().len(), 2);
}

/// The filters behind a period's on-time rate: the end moment and how the
/// dossier ended against its due (the dashboard links to them).
async fn lists_filter_by_end_and_classification(b: Backend) {
    let w = world(b).await;
    // Three dossiers on Monday 24/11 09:00, due Monday 01/12 09:00.
    let mut made = Vec::new();
    for name in ["Sớm", "Muộn", "Còn mở"] {
        let d = ok(receive(&w.desk, &reception(name)).await);
        made.push(d["code"].as_str().unwrap().to_owned());
    }
    let walk = |code: String, signed_at: &'static str| {
        let w = &w;
        async move {
            ok(act(
                &w.desk,
                &code,
                json!({ "action": "hand_over", "version": 1, "to_user": "chuyenvien" }),
            )
            .await);
            ok(act(
                &w.specialist,
                &code,
                json!({ "action": "hand_over", "version": 2, "to_user": "lanhdao" }),
            )
            .await);
            set_clock(&w.app, signed_at);
            attach_result(&w.leader, &code).await;
            let a = ok(act(
                &w.leader,
                &code,
                json!({ "action": "sign_result", "version": 3, "result_digitised": true }),
            )
            .await);
            a["dossier"]["classification"].as_str().unwrap().to_owned()
        }
    };
    // Signed Tuesday 25/11: early. Signed Tuesday 02/12: late.
    assert_eq!(walk(made[0].clone(), "2025-11-25T10:00").await, "early");
    assert_eq!(walk(made[1].clone(), "2025-12-02T10:00").await, "late");
    let only = |q: &'static str| {
        let desk = &w.desk;
        async move {
            let page = ok(get(desk, &format!("/api/dossiers?{q}")).await);
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let early = vec![made[0].clone()];
    let late = vec![made[1].clone()];
    assert_eq!(only("classification=early").await, early);
    assert_eq!(only("classification=early,on_time").await, early);
    assert_eq!(only("classification=on_time").await, Vec::<String>::new());
    assert_eq!(only("classification=late").await, late);
    assert_eq!(
        only("classification=early,on_time,late").await,
        vec![made[1].clone(), made[0].clone()]
    );
    // End dates are inclusive local dates.
    assert_eq!(
        only("ended_from=2025-11-25&ended_to=2025-11-25").await,
        early
    );
    assert_eq!(only("ended_from=2025-11-26").await, late);
    assert_eq!(only("ended_to=2025-12-01").await, early);
    assert_eq!(only("ended_from=2025-12-03").await, Vec::<String>::new());
    assert_eq!(
        only("ended_from=2025-11-01&ended_to=2025-12-31&classification=late").await,
        late
    );
    // The open one is in neither; with no end filter it is listed.
    assert_eq!(only("status=received").await, vec![made[2].clone()]);
    for (bad, field) in [
        ("classification=soon", "classification"),
        ("classification=early,", "classification"),
        ("ended_from=2025-02-30", "ended_from"),
        ("ended_to=25/11/2025", "ended_to"),
        // A report cell's filters.
        ("level=hamlet", "level"),
        ("own=true", "own"),
        ("level=commune", "level"),
        ("own=true&level=commune&unit=000.00.21.H40", "level"),
        ("tree_on=2025-13-01", "tree_on"),
        ("tree_on=2025-11-30", "tree_on"),
        ("within_limit_on=2025-11-31", "within_limit_on"),
        (
            "within_limit_on=2025-11-30&overdue_on=2025-11-30",
            "overdue_on",
        ),
        ("overdue_on=2025-11-30&open_on=2025-11-30", "open_on"),
    ] {
        let (s, pb) = get(&w.desk, &format!("/api/dossiers?{bad}")).await;
        assert_eq!(s, 422, "{bad}: {pb}");
        assert!(pb.to_string().contains(field), "{bad}: {pb}");
    }
    let long = "x".repeat(201);
    let (s, pb) = get(&w.desk, &format!("/api/dossiers?sector={long}")).await;
    assert_eq!(s, 422, "{pb}");
    assert!(pb.to_string().contains("sector"), "{pb}");
    // A sector no procedure is in lists nothing; the procedure's own
    // sector lists all three.
    assert_eq!(only("sector=Không có").await, Vec::<String>::new());
    assert_eq!(only("sector=Hộ tịch").await.len(), 3);
    // Due Monday 01/12 09:00: at the end of Friday 28/11 the late one and
    // the open one were within the limit (the early one had ended); at
    // the end of 01/12 both were overdue; at the end of 02/12 only the
    // open one was still in progress, overdue.
    let newest_first = vec![made[2].clone(), made[1].clone()];
    assert_eq!(only("within_limit_on=2025-11-28").await, newest_first);
    assert_eq!(only("overdue_on=2025-11-28").await, Vec::<String>::new());
    assert_eq!(only("overdue_on=2025-12-01").await, newest_first);
    assert_eq!(
        only("within_limit_on=2025-12-01").await,
        Vec::<String>::new()
    );
    assert_eq!(only("overdue_on=2025-12-02").await, vec![made[2].clone()]);
    assert_eq!(
        only("overdue_on=2025-12-01&limit=1").await,
        vec![made[2].clone()]
    );
}

async fn refusals_and_stops_carry_the_deciding_leaders_signature(b: Backend) {
    let w = world(b).await;
    // Refused after consideration: the leader signs for the unit, with its
    // seal, not as the officer who received it.
    let d = ok(receive(&w.desk, &reception("Đặng Văn Hải")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    ok(act(
        &w.leader,
        &code,
        json!({ "action": "refuse", "version": 1, "reason": "Không thuộc thẩm quyền" }),
    )
    .await);
    let text = pdf_text(
        &fetch(&w.desk, &format!("/api/dossiers/{code}/forms/refusal.pdf"))
            .await
            .1,
    );
    assert!(text.contains("THỦ TRƯỞNG ĐƠN VỊ"), "{text}");
    assert!(!text.contains("NGƯỜI TIẾP NHẬN HỒ SƠ"), "{text}");
    assert!(text.contains("Mẫu số 03"), "{text}");
    // A stop notice likewise.
    let d = ok(receive(&w.desk, &reception("Đặng Thị Lan")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    ok(act(
        &w.leader,
        &code,
        json!({ "action": "stop", "version": 1, "reason": "Người yêu cầu đề nghị dừng",
        "stage": "Đang thẩm định", "fee_settlement": "Không thu phí" }),
    )
    .await);
    let text = pdf_text(
        &fetch(
            &w.desk,
            &format!("/api/dossiers/{code}/forms/stop-notice.pdf"),
        )
        .await
        .1,
    );
    assert!(text.contains("THỦ TRƯỞNG ĐƠN VỊ"), "{text}");
    assert!(text.contains("Mẫu số 05"), "{text}");
    // Refused at reception (online), the desk officer signs as such.
    let mut online = reception("Đặng Văn Minh");
    online["channel"] = json!("online");
    let d = ok(receive(&w.desk, &online).await);
    let code = d["code"].as_str().unwrap().to_owned();
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "refuse_online", "version": 1, "reason": "Sai thủ tục" }),
    )
    .await);
    let text = pdf_text(
        &fetch(&w.desk, &format!("/api/dossiers/{code}/forms/refusal.pdf"))
            .await
            .1,
    );
    assert!(text.contains("NGƯỜI TIẾP NHẬN HỒ SƠ"), "{text}");
    assert!(!text.contains("THỦ TRƯỞNG ĐƠN VỊ"), "{text}");
    w.app.close().await;
}
