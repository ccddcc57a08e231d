//! The dossier list page and the work queues over HTTP on both databases,
//! driven like a browser without JavaScript: the list honours every filter
//! the dashboard links with (counts equal to what the test received), "mine"
//! and the queues show only the right dossiers, and bulk hand-over moves the
//! picked dossiers once, reporting a stale one as refused.
//!
//! The clock starts on Monday 24/11/2025 at 09:00 (Vietnam), office hours
//! 07:00–11:30 and 13:30–17:00. Procedure 1.000003 takes 5 working days (due
//! Monday 01/12 09:00) and has a process: "Thẩm định" by a specialist of the
//! justice office, then "Phê duyệt" by the district's leader. 1.000004 takes
//! 1 working day (due Tuesday 25/11 09:00; near due from 07:00 that day, two
//! office hours before, the smaller of one working day and 25 % of the limit).

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::ui_pages::{Browser, Page, start};

on_both!(
    the_list_honours_each_dashboard_filter_and_pages_by_cursor,
    mine_and_the_queues_show_only_their_dossiers,
    bulk_hand_over_moves_the_picked_dossiers_once_and_reports_a_stale_one,
    the_desk_sees_what_waits_to_be_handed_over_and_to_be_returned,
    a_specialist_takes_a_waiting_dossier_and_a_leader_sends_one_back,
    a_proposal_reaches_its_decider_who_takes_it_or_turns_it_down,
);

fn procedure(code: &str, limit: &str) -> Value {
    json!({
        "code": code, "name": "Đăng ký khai sinh", "field": "Hộ tịch", "levels": ["district"],
        "agency": "UBND cấp huyện", "time_limit": limit, "online_level": "full_process",
        "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
        "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": false }]
    })
}

struct World {
    desk: Client,
    specialist: Client,
}

/// The two procedures assigned to district A, the process of 1.000003, a
/// desk officer, two specialists of the justice office and the leader.
async fn world(app: &TestApp) -> World {
    let keeper = app
        .client("kiemsoat", Role::UnitAdmin, codes::PROVINCE)
        .await
        .unwrap();
    for (code, limit) in [
        ("1.000003", "5 working_days"),
        ("1.000004", "1 working_days"),
    ] {
        let r = keeper
            .http
            .post(keeper.url("/api/procedures"))
            .json(&procedure(code, limit))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = keeper
            .http
            .post(keeper.url(&format!(
                "/api/procedures/{code}/units/{}",
                codes::DISTRICT_A
            )))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
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
    app.user("chuyenvien2", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    World {
        desk: app
            .client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
            .await
            .unwrap(),
        specialist: app
            .client("chuyenvien", Role::Specialist, codes::OFFICE_A)
            .await
            .unwrap(),
    }
}

/// Receives a dossier through the API; its code.
async fn receive(desk: &Client, procedure: &str, channel: &str, name: &str) -> String {
    let r = desk
        .http
        .post(desk.url("/api/dossiers"))
        .json(&json!({
            "unit": codes::DESK_A, "procedure": procedure, "channel": channel,
            "applicant": { "kind": "citizen", "name": name, "identity": "040095000123",
                "phone": "0912 345 678", "email": "", "address": "Đô Lương" },
            "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "digitised": false, "reused": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["code"].as_str().unwrap().to_owned()
}

/// A dossier's version and status through the API.
async fn state(c: &Client, code: &str) -> (i64, String, usize) {
    let r = c
        .http
        .get(c.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{v}");
    (
        v["version"].as_i64().unwrap(),
        v["status"].as_str().unwrap().to_owned(),
        v["events"].as_array().unwrap().len(),
    )
}

/// Hands a dossier over through the API with the version it has now.
async fn hand_over(c: &Client, code: &str, to_user: &str) {
    let (version, _, _) = state(c, code).await;
    let r = c
        .http
        .post(c.url(&format!("/api/dossiers/{code}/actions")))
        .json(&json!({ "action": "hand_over", "version": version, "to_user": to_user }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// The dossier codes a list or queue page shows, in order.
fn codes_in(p: &Page) -> Vec<String> {
    p.body
        .split(r#"<td class="code"><a href="/ho-so/"#)
        .skip(1)
        .map(|c| c.split('"').next().unwrap().to_owned())
        .collect()
}

fn vn(s: &str) -> jiff::Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .unwrap()
        .timestamp()
}

async fn the_list_honours_each_dashboard_filter_and_pages_by_cursor(b: Backend) {
    let app = start(b).await;
    let w = world(&app).await;
    let a = receive(&w.desk, "1.000003", "in_person", "Nguyễn Văn An").await;
    let _b = receive(&w.desk, "1.000003", "in_person", "Trần Thị Bình").await;
    let c = receive(&w.desk, "1.000004", "postal", "Lê Văn Cường").await;
    let _online = receive(&w.desk, "1.000003", "online", "Phạm Thị Dung").await;
    hand_over(&w.desk, &a, "chuyenvien").await;

    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let unit = codes::DESK_A;
    // (query, how many, counted by hand from what was received above)
    let cases: Vec<(String, usize)> = vec![
        (format!("unit={unit}"), 4),
        (
            format!("unit={unit}&received_from=2025-11-24&received_to=2025-11-24"),
            3,
        ),
        (
            format!("unit={unit}&received_from=2025-11-25&received_to=2025-11-30"),
            0,
        ),
        (format!("unit={unit}&status=received%2Cprocessing"), 3),
        (format!("unit={unit}&status=received&status=processing"), 3),
        (format!("unit={unit}&status=processing"), 1),
        (format!("unit={unit}&status=awaiting_online_reception"), 1),
        (format!("unit={unit}&status=awaiting_supplement"), 0),
        (format!("unit={unit}&channel=postal"), 1),
        (format!("unit={unit}&channel=online"), 1),
        (format!("unit={unit}&procedure=1.000004"), 1),
        (
            format!(
                "unit={unit}&status=received%2Cprocessing&due_from=2025-11-25&due_to=2025-11-25"
            ),
            1,
        ),
        (
            format!("unit={unit}&due_from=2025-12-01&due_to=2025-12-01"),
            2,
        ),
        (format!("unit={unit}&near_due=true"), 0),
        (format!("unit={unit}&overdue=true"), 0),
        (format!("unit={unit}&mine=true"), 0),
    ];
    for (q, n) in &cases {
        let p = br.get(&format!("/ho-so?{q}")).await;
        assert_eq!(p.status, StatusCode::OK, "{q}: {}", p.body);
        assert_eq!(codes_in(&p).len(), *n, "{q}: {:?}", codes_in(&p));
    }
    // The postal dossier of 1.000004 is due on 25/11 at 09:00: near due from
    // 07:00, overdue after 09:00, and shown so in the table.
    app.clock.set(vn("2025-11-25T08:00:00"));
    let p = br.get(&format!("/ho-so?unit={unit}&near_due=true")).await;
    assert_eq!(codes_in(&p), vec![c.clone()]);
    assert!(
        p.body
            .contains(r#"<span class="badge tone-warn">Sắp đến hạn</span>"#)
    );
    assert_eq!(
        codes_in(&br.get(&format!("/ho-so?unit={unit}&overdue=true")).await).len(),
        0
    );
    app.clock.set(vn("2025-11-25T10:00:00"));
    let p = br.get(&format!("/ho-so?unit={unit}&overdue=true")).await;
    assert_eq!(codes_in(&p), vec![c.clone()]);
    // Late within its due day; then by working days, weekends not counted.
    assert!(
        p.body
            .contains(r#"<span class="badge tone-bad">Quá hạn trong ngày</span>"#),
        "{}",
        p.body
    );
    for (at, late) in [
        ("2025-11-28T10:00:00", "Quá hạn 3 ngày làm việc"),
        ("2025-12-01T08:00:00", "Quá hạn 4 ngày làm việc"),
    ] {
        app.clock.set(vn(at));
        let later = br.get(&format!("/ho-so?unit={unit}&overdue=true")).await;
        assert!(
            later
                .body
                .contains(&format!(r#"<span class="badge tone-bad">{late}</span>"#)),
            "{at}: {}",
            later.body
        );
    }
    app.clock.set(vn("2025-11-25T10:00:00"));
    assert!(p.body.contains("Lê Văn Cường") && p.body.contains("25/11/2025 09:00"));
    assert!(p.body.contains("Mới tiếp nhận"), "status in Vietnamese");

    // Due order, two a page: the next-page link carries the filters.
    let p = br
        .get(&format!(
            "/ho-so?unit={unit}&sort=due&limit=2&status=received%2Cprocessing"
        ))
        .await;
    let first = codes_in(&p);
    assert_eq!(first.len(), 2);
    assert_eq!(first[0], c, "the soonest appointment first");
    let next = p
        .body
        .split(r#"<a class="next" href=""#)
        .nth(1)
        .expect("a next page")
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        next.contains("sort=due") && next.contains("cursor="),
        "{next}"
    );
    let p2 = br.get(&next).await;
    let second = codes_in(&p2);
    assert_eq!(second.len(), 1, "3 dossiers, 2 then 1");
    assert!(!first.contains(&second[0]));
    assert!(!p2.body.contains(r#"<a class="next""#));

    // htmx asks for the results only.
    let p = br
        .get_with(
            &format!("/ho-so?unit={unit}&channel=postal"),
            "hx-request",
            "true",
        )
        .await;
    assert!(!p.body.contains("<html"), "a fragment");
    assert_eq!(codes_in(&p), vec![c.clone()]);
    // The end filters apply (nothing here has ended yet) and the form keeps
    // what was asked; a bad date or classification is a message and 422,
    // never a panic.
    let p = br
        .get(&format!(
            "/ho-so?unit={unit}&ended_from=2025-11-01&classification=early%2Con_time"
        ))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(codes_in(&p).len(), 0, "no dossier has ended");
    assert!(
        p.body.contains(r#"name="ended_from" value="2025-11-01""#),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains(r#"<option value="early,on_time" selected>"#),
        "{}",
        p.body
    );
    let p = br
        .get(&format!("/ho-so?unit={unit}&classification=soon"))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let p = br.get("/ho-so?received_from=24%2F11%2F2025").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Bộ lọc không hợp lệ"));
    let p = br.get("/ho-so?unit=999.99.99.H99").await;
    assert!(p.status.is_client_error(), "{}", p.status);
    app.close().await;
}

async fn mine_and_the_queues_show_only_their_dossiers(b: Backend) {
    let app = start(b).await;
    let w = world(&app).await;
    let a = receive(&w.desk, "1.000003", "in_person", "Nguyễn Văn An").await;
    let bb = receive(&w.desk, "1.000003", "in_person", "Trần Thị Bình").await;
    let c = receive(&w.desk, "1.000003", "in_person", "Lê Văn Cường").await;
    hand_over(&w.desk, &a, "chuyenvien").await;
    hand_over(&w.desk, &bb, "chuyenvien2").await;
    hand_over(&w.desk, &c, "chuyenvien").await;
    // c goes on to the leader's step.
    hand_over(&w.specialist, &c, "lanhdao").await;

    let mut me = Browser::signed_in(&app, "chuyenvien").await;
    let p = me.get("/ho-so?mine=true").await;
    assert_eq!(codes_in(&p), vec![a.clone()], "only what I hold");
    let p = me.get("/hang-doi").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Giao cho tôi") && p.body.contains("Của đơn vị"));
    assert!(!p.body.contains("Chờ tôi phê duyệt"), "not a leader");
    assert_eq!(codes_in(&p), vec![a.clone()]);
    // Each tab says how many it holds: one is mine, two are the office's.
    assert!(
        p.body
            .contains(r#"Giao cho tôi <span class="count busy">1</span>"#),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains(r#"Của đơn vị <span class="count busy">2</span>"#)
    );
    // Someone holding nothing lands on the tab that has work.
    app.user("chuyenvien3", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let mut idle = Browser::signed_in(&app, "chuyenvien3").await;
    let p = idle.get("/hang-doi").await;
    assert!(
        p.body
            .contains(r#"aria-current="page">Của đơn vị <span class="count busy">2</span>"#),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains(r#"Giao cho tôi <span class="count">0</span>"#)
    );
    let mut got = codes_in(&p);
    got.sort();
    let mut want = vec![a.clone(), bb.clone()];
    want.sort();
    assert_eq!(got, want);
    // Asked for by name, an empty tab stays open.
    let p = idle.get("/hang-doi?tab=mine").await;
    assert!(codes_in(&p).is_empty());
    assert!(p.body.contains(r#"aria-current="page">Giao cho tôi"#));
    // My unit's queue: held in the justice office, whoever holds them.
    let mut unit = codes_in(&me.get("/hang-doi?tab=unit").await);
    unit.sort();
    let mut want = vec![a.clone(), bb.clone()];
    want.sort();
    assert_eq!(unit, want);
    // A specialist has no approval queue: refused, and the page says so.
    let p = me.get("/hang-doi?tab=approval").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    let mut leader = Browser::signed_in(&app, "lanhdao").await;
    let p = leader.get("/hang-doi?tab=approval").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Chờ tôi phê duyệt"));
    assert_eq!(codes_in(&p), vec![c.clone()], "only the leader's step");
    // The leader's unit queue holds all three (the office is under the district).
    assert_eq!(codes_in(&leader.get("/hang-doi?tab=unit").await).len(), 3);
    // Filters: a procedure without dossiers, overdue (none yet).
    assert!(codes_in(&leader.get("/hang-doi?tab=unit&procedure=1.000004").await).is_empty());
    assert!(codes_in(&leader.get("/hang-doi?tab=unit&overdue=true").await).is_empty());
    // Past every step's and the dossier's due: all overdue, soonest first.
    app.clock.set(vn("2025-12-02T09:00:00"));
    let p = leader.get("/hang-doi?tab=unit&overdue=true&sort=due").await;
    assert_eq!(codes_in(&p).len(), 3);
    assert!(p.body.contains("tone-bad"));

    // A second leader: a dossier at the leader's step held by them is in
    // their approval queue only; one held by nobody is in both.
    app.user("lanhdao2", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    let e = receive(&w.desk, "1.000003", "in_person", "Phạm Thị Én").await;
    let f = receive(&w.desk, "1.000003", "in_person", "Hoàng Văn Phúc").await;
    for code in [&e, &f] {
        hand_over(&w.desk, code, "chuyenvien").await;
    }
    hand_over(&w.specialist, &e, "lanhdao2").await;
    let (version, _, _) = state(&w.specialist, &f).await;
    let r = w
        .specialist
        .http
        .post(w.specialist.url(&format!("/api/dossiers/{f}/actions")))
        .json(&json!({ "action": "hand_over", "version": version }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(codes_in(&leader.get("/hang-doi?tab=approval").await)),
        sorted(vec![c.clone(), f.clone()]),
        "not the one another leader holds"
    );
    let mut other = Browser::signed_in(&app, "lanhdao2").await;
    assert_eq!(
        sorted(codes_in(&other.get("/hang-doi?tab=approval").await)),
        sorted(vec![e.clone(), f.clone()])
    );

    // The desk officer has the desk's queues, not the specialists' or
    // the leaders'.
    let mut desk = Browser::signed_in(&app, "tiepnhan").await;
    let p = desk.get("/hang-doi").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Chờ chuyển xử lý") && p.body.contains("Chờ trả kết quả"));
    assert!(!p.body.contains("Giao cho tôi") && !p.body.contains("Chờ tôi phê duyệt"));
    for tab in ["mine", "unit", "approval"] {
        let p = desk.get(&format!("/hang-doi?tab={tab}")).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{tab}");
    }
    app.close().await;
}

/// Acts on a dossier through the API with the version it has now.
async fn act(c: &Client, code: &str, mut body: Value) {
    let (version, _, _) = state(c, code).await;
    body["version"] = json!(version);
    let r = c
        .http
        .post(c.url(&format!("/api/dossiers/{code}/actions")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn the_desk_sees_what_waits_to_be_handed_over_and_to_be_returned(b: Backend) {
    let app = start(b).await;
    let w = world(&app).await;
    let waiting = receive(&w.desk, "1.000003", "in_person", "Nguyễn Văn An").await;
    let moved = receive(&w.desk, "1.000003", "in_person", "Trần Thị Bình").await;
    hand_over(&w.desk, &moved, "chuyenvien").await;
    let done = receive(&w.desk, "1.000003", "in_person", "Lê Văn Cường").await;
    hand_over(&w.desk, &done, "chuyenvien").await;
    hand_over(&w.specialist, &done, "lanhdao").await;
    let leader = app.login("lanhdao").await.unwrap();
    act(
        &leader,
        &done,
        json!({ "action": "sign_result", "result_digitised": false }),
    )
    .await;
    let returned = receive(&w.desk, "1.000003", "in_person", "Phạm Thị Dung").await;
    hand_over(&w.desk, &returned, "chuyenvien").await;
    hand_over(&w.specialist, &returned, "lanhdao").await;
    act(
        &leader,
        &returned,
        json!({ "action": "sign_result", "result_digitised": false }),
    )
    .await;
    act(
        &w.desk,
        &returned,
        json!({ "action": "record_return", "collector_name": "Phạm Thị Dung", "collector_identity": "040095000123", "shipment": "" }),
    )
    .await;

    let mut desk = Browser::signed_in(&app, "tiepnhan").await;
    // With nothing asked, the queue opens on the first tab with work.
    let p = desk.get("/hang-doi").await;
    assert_eq!(codes_in(&p), vec![waiting.clone()]);
    let at = p
        .body
        .find(r#"aria-current="page">Chờ chuyển xử lý"#)
        .unwrap();
    assert!(
        p.body[at..at + 120].contains(">1</span>"),
        "{}",
        &p.body[at..at + 120]
    );
    let p = desk.get("/hang-doi?tab=return").await;
    assert_eq!(codes_in(&p), vec![done.clone()]);
    // Another district's desk sees neither.
    app.user("tiepnhan.b", Role::DeskOfficer, codes::DISTRICT_B)
        .await
        .unwrap();
    let mut other = Browser::signed_in(&app, "tiepnhan.b").await;
    assert!(codes_in(&other.get("/hang-doi?tab=desk").await).is_empty());
    assert!(codes_in(&other.get("/hang-doi?tab=return").await).is_empty());
    // The home page loads the work tiles, which count the same and link
    // to the tabs.
    let home = desk.get("/").await;
    assert!(
        home.body.contains(r#"hx-get="/viec-cua-toi""#),
        "{}",
        home.body
    );
    let home = desk.get("/viec-cua-toi").await;
    let at = home.body.find(r#"href="/hang-doi?tab=desk""#).unwrap();
    assert!(
        home.body[at..at + 80].contains(r#"<span class="value">1</span>"#),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(r#"href="/hang-doi?tab=desk""#)
            && home.body.contains(r#"href="/hang-doi?tab=return""#),
        "{}",
        home.body
    );
    app.close().await;
}

/// The `v.<code>` version the queue page carries for a dossier.
fn version_in(p: &Page, code: &str) -> String {
    p.field(&format!("v.{code}"))
}

async fn bulk_hand_over_moves_the_picked_dossiers_once_and_reports_a_stale_one(b: Backend) {
    let app = start(b).await;
    let w = world(&app).await;
    let mut codes = Vec::new();
    for name in [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
    ] {
        let code = receive(&w.desk, "1.000003", "in_person", name).await;
        hand_over(&w.desk, &code, "chuyenvien").await;
        codes.push(code);
    }
    let mut me = Browser::signed_in(&app, "chuyenvien").await;
    let page = me.get("/hang-doi?tab=mine").await;
    assert_eq!(codes_in(&page).len(), 4);
    assert!(
        page.body.contains(r#"<option value="lanhdao">"#),
        "{}",
        page.body
    );
    let csrf = page.field("csrf_token");
    let versions: Vec<String> = codes.iter().map(|c| version_in(&page, c)).collect();
    // The third one changes after the page was read (taken again at its
    // step from another tab: with the specialist, one version further).
    let (v, _, _) = state(&w.desk, &codes[2]).await;
    let r = w
        .specialist
        .http
        .post(
            w.specialist
                .url(&format!("/api/dossiers/{}/actions", codes[2])),
        )
        .json(
            &json!({ "action": "hand_over", "version": v, "to_step": 1, "to_user": "chuyenvien" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let before: Vec<(i64, String, usize)> = {
        let mut v = Vec::new();
        for c in &codes {
            v.push(state(&w.desk, c).await);
        }
        v
    };

    // Pick the first three (not the fourth) for the leader.
    let back = "/hang-doi?tab=mine";
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf_token", &csrf),
        ("back", back),
        ("to_user", "lanhdao"),
    ];
    let keys: Vec<String> = codes.iter().map(|c| format!("v.{c}")).collect();
    for c in &codes[..3] {
        form.push(("pick", c));
    }
    for (k, v) in keys.iter().zip(&versions) {
        form.push((k, v));
    }
    let p = me.post("/hang-doi/chuyen", &form).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body.matches("outcome-done").count(), 2, "{}", p.body);
    assert_eq!(p.body.matches("outcome-refused").count(), 1);
    assert!(p.body.contains("Hồ sơ đã thay đổi sau khi trang được mở"));
    // Done: the first two moved to the leader's step, one event each.
    for i in 0..2 {
        let (v, status, events) = state(&w.desk, &codes[i]).await;
        assert_eq!(
            (v, status.as_str(), events),
            (before[i].0 + 1, "processing", before[i].2 + 1)
        );
    }
    // The stale one and the unpicked one did not change.
    for i in 2..4 {
        assert_eq!(state(&w.desk, &codes[i]).await, before[i], "{}", codes[i]);
    }
    // A second submit of the same form changes nothing: every pick is stale.
    let p = me.post("/hang-doi/chuyen", &form).await;
    assert_eq!(p.body.matches("outcome-done").count(), 0);
    assert_eq!(p.body.matches("outcome-refused").count(), 3);
    for i in 0..2 {
        let (v, _, events) = state(&w.desk, &codes[i]).await;
        assert_eq!((v, events), (before[i].0 + 1, before[i].2 + 1), "not twice");
    }
    // The leader now waits on two; the specialist keeps the other two.
    let mut leader = Browser::signed_in(&app, "lanhdao").await;
    assert_eq!(
        codes_in(&leader.get("/hang-doi?tab=approval").await),
        vec![codes[0].clone(), codes[1].clone()]
    );
    assert_eq!(
        codes_in(&me.get("/hang-doi?tab=mine").await),
        vec![codes[2].clone(), codes[3].clone()]
    );

    // Nothing picked, or nobody to hand to: a message, no change.
    let p = me
        .post(
            "/hang-doi/chuyen",
            &[("csrf_token", &csrf), ("to_user", "lanhdao")],
        )
        .await;
    assert!(p.body.contains("Chưa chọn hồ sơ nào"));
    let v3 = state(&w.desk, &codes[3]).await;
    let p = me
        .post(
            "/hang-doi/chuyen",
            &[
                ("csrf_token", &csrf),
                ("pick", &codes[3]),
                (&format!("v.{}", codes[3]), &v3.0.to_string()),
                ("to_user", "chuyenvien2"),
            ],
        )
        .await;
    assert_eq!(p.body.matches("outcome-refused").count(), 1, "{}", p.body);
    assert!(p.body.contains("không giữ vai trò của bước tiếp theo"));
    assert_eq!(state(&w.desk, &codes[3]).await, v3);
    // Without the session's token the form is refused.
    let p = me
        .post(
            "/hang-doi/chuyen",
            &[("csrf_token", "x"), ("pick", &codes[3])],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    app.close().await;
}

async fn a_specialist_takes_a_waiting_dossier_and_a_leader_sends_one_back(b: Backend) {
    let app = start(b).await;
    let w = world(&app).await;
    let code = receive(&w.desk, "1.000003", "in_person", "Nguyễn Văn An").await;
    // Handed to the justice office as a whole: step 1, nobody in particular.
    act(&w.desk, &code, json!({ "action": "hand_over" })).await;
    let mut other = Browser::signed_in(&app, "chuyenvien2").await;
    let p = other.get(&format!("/ho-so/{code}")).await;
    assert!(
        p.body.contains("inline claim") && p.body.contains(">Nhận xử lý</button>"),
        "{}",
        p.body
    );
    let csrf = p.field("csrf_token");
    let version = p.field("version");
    let p = other
        .post(
            &format!("/ho-so/{code}/hanh-dong"),
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("action", "hand_over"),
                ("to_step", "1"),
                ("to_user", "chuyenvien2"),
                ("note", "Nhận xử lý hồ sơ."),
            ],
        )
        .await;
    assert!(
        p.status.is_success() || p.status == StatusCode::SEE_OTHER,
        "{}",
        p.body
    );
    let d: Value = other_json(&w.specialist, &code).await;
    assert_eq!(d["holder"], "chuyenvien2", "{d}");
    assert_eq!(d["step_no"], 1, "{d}");
    // The queue shows the step's own due beside the dossier's: 24 working
    // hours from Monday 09:00 is Thursday 09:00; the dossier's 5 working
    // days end on Monday 01/12 09:00.
    let q = other.get("/hang-doi?tab=mine").await;
    let row = &q.body[q.body.find(&format!(">{code}</a>")).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("01/12/2025 09:00"), "{row}");
    assert!(
        row.contains(r#"<td class="nowrap step-due">27/11/2025 09:00</td>"#),
        "{row}"
    );
    app.clock.set("2025-11-27T03:00:00Z".parse().unwrap());
    let q = other.get("/hang-doi?tab=mine").await;
    let row = &q.body[q.body.find(&format!(">{code}</a>")).unwrap()..];
    assert!(
        row.contains(r#"step-due"><span class="badge tone-bad">27/11/2025 09:00"#),
        "{row}"
    );
    app.clock.set("2025-11-24T02:00:00Z".parse().unwrap());
    // Held now: nobody else is offered to take it.
    let p = Browser::signed_in(&app, "chuyenvien")
        .await
        .get(&format!("/ho-so/{code}"))
        .await;
    assert!(!p.body.contains("inline claim"), "{}", p.body);

    // On to the leader, who sends it back: a reason is required.
    let specialist2 = app.login("chuyenvien2").await.unwrap();
    act(
        &specialist2,
        &code,
        json!({ "action": "hand_over", "to_user": "lanhdao" }),
    )
    .await;
    let leader = app.login("lanhdao").await.unwrap();
    let mut lb = Browser::signed_in(&app, "lanhdao").await;
    let p = lb.get(&format!("/ho-so/{code}")).await;
    assert!(
        p.body.contains("Trả lại bước trước: Thẩm định"),
        "{}",
        p.body
    );
    let (version, _, _) = state(&leader, &code).await;
    let r = leader
        .http
        .post(leader.url(&format!("/api/dossiers/{code}/actions")))
        .json(&json!({ "action": "hand_over", "version": version, "to_step": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["field"], "note");
    act(
        &leader,
        &code,
        json!({ "action": "hand_over", "to_step": 1, "note": "Thiếu xác minh nơi cư trú." }),
    )
    .await;
    let d = other_json(&leader, &code).await;
    assert_eq!(d["step_no"], 1, "{d}");
    let last = d["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["unit_code"], codes::OFFICE_A, "{last}");
    assert!(
        d["events"]
            .to_string()
            .contains("Thiếu xác minh nơi cư trú."),
        "{d}"
    );
    app.close().await;
}

async fn other_json(c: &Client, code: &str) -> Value {
    let r = c
        .http
        .get(c.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

/// Posts an action and answers its status and body.
async fn try_act(c: &Client, code: &str, mut body: Value) -> (u16, Value) {
    let (version, _, _) = state(c, code).await;
    body["version"] = json!(version);
    let r = c
        .http
        .post(c.url(&format!("/api/dossiers/{code}/actions")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn open_step(d: &Value) -> Value {
    d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|s| s["ended_at"].is_null())
        .cloned()
        .unwrap_or(Value::Null)
}

async fn a_proposal_reaches_its_decider_who_takes_it_or_turns_it_down(b: Backend) {
    let app = start(b).await;
    let w = world(&app).await;
    let code = receive(&w.desk, "1.000003", "in_person", "Nguyễn Văn An").await;
    hand_over(&w.desk, &code, "chuyenvien").await;
    let leader = app.login("lanhdao").await.unwrap();
    // Nothing waits: nobody can turn a proposal down.
    let (s, _) = try_act(
        &leader,
        &code,
        json!({ "action": "reject_proposal", "reason": "x" }),
    )
    .await;
    assert_eq!(s, 409);

    // An extension goes to the leader of the district.
    act(
        &w.specialist,
        &code,
        json!({ "action": "propose", "proposal": "extension", "note": "Cần xác minh với xã" }),
    )
    .await;
    let d = other_json(&leader, &code).await;
    let step = open_step(&d);
    assert_eq!(step["name"], "Xem xét đề xuất gia hạn", "{d}");
    assert_eq!(step["unit_code"], codes::DISTRICT_A);
    assert_eq!(step["role"], "leader");
    assert_eq!(step["sender"], "chuyenvien");
    assert!(d["holder"].is_null(), "{d}");
    let mut lb = Browser::signed_in(&app, "lanhdao").await;
    assert!(codes_in(&lb.get("/hang-doi?tab=approval").await).contains(&code));
    let page = lb.get(&format!("/ho-so/{code}")).await;
    assert!(
        page.body.contains("Không chấp thuận đề xuất"),
        "{}",
        page.body
    );
    // The dossier has left the specialist's office until it is decided.
    let r = w
        .specialist
        .http
        .get(w.specialist.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Turned down: a reason is required, then it is back with the specialist.
    let (s, v) = try_act(
        &leader,
        &code,
        json!({ "action": "reject_proposal", "reason": " " }),
    )
    .await;
    assert_eq!((s, v["field"].clone()), (422, json!("reason")), "{v}");
    act(
        &leader,
        &code,
        json!({ "action": "reject_proposal", "reason": "Đủ căn cứ giải quyết đúng hạn" }),
    )
    .await;
    let d = other_json(&leader, &code).await;
    let step = open_step(&d);
    assert_eq!(step["name"], "Thẩm định", "{d}");
    assert_eq!(step["unit_code"], codes::OFFICE_A);
    assert_eq!(d["holder"], "chuyenvien");
    assert_eq!(d["status"], "processing");
    assert!(!codes_in(&lb.get("/hang-doi?tab=approval").await).contains(&code));

    // A supplement goes to the desk, which issues it: the dossier waits for
    // the applicant and is the specialist's again.
    act(
        &w.specialist,
        &code,
        json!({ "action": "propose", "proposal": "supplement", "note": "Thiếu giấy chứng sinh" }),
    )
    .await;
    let d = other_json(&w.desk, &code).await;
    assert_eq!(open_step(&d)["role"], "desk_officer", "{d}");
    assert_eq!(open_step(&d)["unit_code"], codes::DESK_A);
    let mut desk = Browser::signed_in(&app, "tiepnhan").await;
    assert!(codes_in(&desk.get("/hang-doi?tab=desk").await).contains(&code));
    // The specialist cannot decide it: it is not in their office now.
    let r = w
        .specialist
        .http
        .post(w.specialist.url(&format!("/api/dossiers/{code}/actions")))
        .json(&json!({ "action": "reject_proposal", "version": 99, "reason": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    act(
        &w.desk,
        &code,
        json!({ "action": "request_supplement", "reason": "Thiếu giấy tờ",
                "items": [{ "name": "Giấy chứng sinh", "note": "bản chính" }] }),
    )
    .await;
    let d = other_json(&w.desk, &code).await;
    assert_eq!(d["status"], "awaiting_supplement", "{d}");
    assert_eq!(open_step(&d)["name"], "Thẩm định", "{d}");
    assert_eq!(d["holder"], "chuyenvien");
    assert!(!codes_in(&desk.get("/hang-doi?tab=desk").await).contains(&code));
    app.close().await;
}
