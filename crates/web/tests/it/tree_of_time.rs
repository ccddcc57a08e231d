//! Issue 17, point 8: moving or merging a unit does not make its past
//! dossiers vanish from today's lists, dashboards or a leader's access, on
//! both databases. A desk moved out of a district leaves what it received
//! before the move with the district (and nothing after); a commune merged
//! into a new one hands its history to the successor.
//!
//! The clock starts on Monday 24/11/2025 at 09:00 (Vietnam).

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::ui_pages::{Browser, start};

on_both!(
    a_moved_desk_leaves_its_past_with_the_district,
    a_merged_communes_successor_holds_its_history,
    a_merger_recorded_ahead_of_time_grants_nothing_yet,
);

const NEW_COMMUNE: &str = "000.31.00.H40";

async fn keeper(app: &TestApp) -> Client {
    let keeper = app
        .client("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&json!({
            "code": "1.000003", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
            "levels": ["district", "commune"], "agency": "UBND cấp huyện",
            "time_limit": "5 working_days", "online_level": "full_process", "fee": 0,
            "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assign(&keeper, codes::DISTRICT_A).await;
    keeper
}

async fn assign(keeper: &Client, unit: &str) {
    let r = keeper
        .http
        .post(keeper.url(&format!("/api/procedures/1.000003/units/{unit}")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

/// Receives a dossier at `unit`; returns its code.
async fn receive(desk: &Client, unit: &str) -> String {
    let r = desk
        .http
        .post(desk.url("/api/dossiers"))
        .json(&json!({
            "unit": unit, "procedure": "1.000003", "channel": "in_person",
            "applicant": { "kind": "citizen", "name": "Nguyễn Văn An", "identity": "040095000123",
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

/// The new commune under the province, from 25/11/2025.
async fn new_commune(keeper: &Client) {
    let r = keeper
        .http
        .post(keeper.url("/api/units"))
        .json(
            &json!({ "code": NEW_COMMUNE, "name": "UBND xã Hợp Nhất", "kind": "commune",
            "parent": codes::PROVINCE, "valid_from": "2025-11-25" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn change(keeper: &Client, unit: &str, body: Value) {
    let r = keeper
        .http
        .post(keeper.url(&format!("/api/units/{unit}/changes")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// The codes the list API gives for a query, newest first.
async fn listed(c: &Client, query: &str) -> Vec<String> {
    let r = c
        .http
        .get(c.url(&format!("/api/dossiers?{query}limit=200")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}: {}", r.text().await.unwrap());
    let page: Value = r.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn status_of(c: &Client, code: &str) -> StatusCode {
    c.http
        .get(c.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap()
        .status()
}

fn vn(s: &str) -> jiff::Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .unwrap()
        .timestamp()
}

/// The month's "received" figure of a unit's dashboard, as the page shows it.
async fn month_received(app: &TestApp, user: &str, unit: &str) -> String {
    let mut br = Browser::signed_in(app, user).await;
    let home = br.get(&format!("/?unit={unit}")).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    home.body
        .split(" đã tiếp nhận</a>")
        .next()
        .and_then(|b| b.rsplit('>').next())
        .unwrap_or_else(|| panic!("no month figure: {}", home.body))
        .to_owned()
}

async fn a_moved_desk_leaves_its_past_with_the_district(b: Backend) {
    let app = start(b).await;
    let keeper = keeper(&app).await;
    let desk = app
        .client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let leader = app
        .client("lanhdao", Role::Leader, codes::DISTRICT_A)
        .await
        .unwrap();
    let mut before = Vec::new();
    for _ in 0..3 {
        before.push(receive(&desk, codes::DESK_A).await);
    }
    let district = format!("unit={}&", codes::DISTRICT_A);
    assert_eq!(listed(&leader, &district).await.len(), 3);

    // From 25/11 the desk serves the new commune.
    new_commune(&keeper).await;
    assign(&keeper, NEW_COMMUNE).await;
    change(
        &keeper,
        codes::DESK_A,
        json!({ "change": "move", "parent": NEW_COMMUNE, "effective": "2025-11-25" }),
    )
    .await;
    app.clock.set(vn("2025-11-26T09:00"));
    let after = receive(&desk, codes::DESK_A).await;

    // The district keeps the three it had, and only those.
    let mut got = listed(&leader, &district).await;
    got.sort();
    let mut want = before.clone();
    want.sort();
    assert_eq!(got, want, "the district's list after the move");
    let mut mine = listed(&leader, "").await;
    mine.sort();
    assert_eq!(mine, want, "the leader's own list after the move");
    for code in &before {
        assert_eq!(status_of(&leader, code).await, StatusCode::OK, "{code}");
    }
    assert_eq!(
        status_of(&leader, &after).await,
        StatusCode::NOT_FOUND,
        "a dossier the desk received after leaving"
    );
    assert_eq!(
        month_received(&app, "lanhdao", codes::DISTRICT_A).await,
        "3"
    );

    // The commune's view follows today's tree: the desk and all it holds.
    let commune_leader = app
        .client("lanhdao.xa", Role::Leader, NEW_COMMUNE)
        .await
        .unwrap();
    assert_eq!(
        listed(&commune_leader, &format!("unit={NEW_COMMUNE}&"))
            .await
            .len(),
        4
    );
    assert_eq!(month_received(&app, "lanhdao.xa", NEW_COMMUNE).await, "4");

    // The province's report for November groups by the tree of 30/11,
    // where the desk is the new commune's: every count it links to lists
    // exactly that many (the district's row none of the desk's dossiers,
    // though its list of today keeps those received before the move).
    let watcher = app
        .client("theodoi", Role::Viewer, codes::PROVINCE)
        .await
        .unwrap();
    let mut followed = crate::stats_replay::Followed::default();
    for unit in [codes::PROVINCE, codes::DISTRICT_A] {
        // The district's report for the days after the move: on its tree
        // of 30/11 the desk is gone, so nothing is carried over into them
        // (today's list would carry the desk's three over).
        crate::stats_replay::links_of_page_match(
            &watcher,
            unit,
            "2025-11-25".parse().unwrap(),
            "2025-11-30".parse().unwrap(),
            "unit",
            &mut followed,
        )
        .await;
    }
    assert!(followed.links >= 20, "{} links", followed.links);

    // One the desk received before the move is refused after it (on
    // 26/11). The district's month counts the desk only for its days
    // before the move, so the end is not the district's, and the list
    // behind the figure agrees; the commune counts and lists it.
    let svc = motcua_service::dossiers::DossierService::new(
        app.db.store(),
        app.clock.clone(),
        motcua_service::dossiers::NoticeSettings {
            email: false,
            sms: false,
            log: false,
            webhooks: vec![],
        },
        None,
    );
    let system = motcua_service::access::Actor::system("kiemthu");
    let v = svc.view(&system, &before[0]).await.unwrap();
    svc.act(
        &system,
        &before[0],
        motcua_service::dossiers::Act {
            version: v.dossier.version,
            note: String::new(),
            action: motcua_service::dossiers::ActionInput::Refuse {
                reason: "Hồ sơ không thuộc thẩm quyền".to_owned(),
            },
        },
    )
    .await
    .unwrap();
    for (user, unit, want) in [
        ("lanhdao", codes::DISTRICT_A, 0),
        ("lanhdao.xa", NEW_COMMUNE, 1),
    ] {
        let (figure, href) = month_resolved(&app, user, unit).await;
        assert_eq!(figure, want.to_string(), "{unit}'s month");
        let client = if user == "lanhdao" {
            &leader
        } else {
            &commune_leader
        };
        let query = href.trim_start_matches("/ho-so?").replace("&amp;", "&");
        assert_eq!(
            listed(client, &format!("{query}&")).await.len(),
            want,
            "{unit}: {query}"
        );
    }
}

/// The month's "resolved" figure of a unit's dashboard and the list it
/// links to, as the page shows them.
async fn month_resolved(app: &TestApp, user: &str, unit: &str) -> (String, String) {
    let mut br = Browser::signed_in(app, user).await;
    let home = br.get(&format!("/?unit={unit}")).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let before = home
        .body
        .split(" đã giải quyết</a>")
        .next()
        .unwrap_or_else(|| panic!("no month figure: {}", home.body));
    let figure = before.rsplit('>').next().unwrap().to_owned();
    let href = before
        .rsplit("<a href=\"")
        .next()
        .and_then(|h| h.split('"').next())
        .unwrap()
        .to_owned();
    (figure, href)
}

async fn a_merged_communes_successor_holds_its_history(b: Backend) {
    let app = start(b).await;
    let keeper = keeper(&app).await;
    let officer = app
        .client("tiepnhan.xa", Role::DeskOfficer, codes::COMMUNE_A)
        .await
        .unwrap();
    let mut received = Vec::new();
    for _ in 0..2 {
        received.push(receive(&officer, codes::COMMUNE_A).await);
    }
    change(
        &keeper,
        codes::COMMUNE_A,
        json!({ "change": "merge", "with": [], "effective": "2025-11-25",
            "new_unit": { "code": NEW_COMMUNE, "name": "UBND xã Hợp Nhất", "kind": "commune",
                "parent": codes::PROVINCE, "valid_from": "2025-11-25" } }),
    )
    .await;
    app.clock.set(vn("2025-11-26T09:00"));
    let leader = app
        .client("lanhdao.xa", Role::Leader, NEW_COMMUNE)
        .await
        .unwrap();
    received.sort();
    for query in [String::new(), format!("unit={NEW_COMMUNE}&")] {
        let mut got = listed(&leader, &query).await;
        got.sort();
        assert_eq!(got, received, "the successor's list ({query})");
    }
    for code in &received {
        assert_eq!(status_of(&leader, code).await, StatusCode::OK, "{code}");
    }
    assert_eq!(month_received(&app, "lanhdao.xa", NEW_COMMUNE).await, "2");
    // A unit beside it sees none of them.
    let other = app
        .client("lanhdao.b", Role::Leader, codes::DISTRICT_B)
        .await
        .unwrap();
    assert!(listed(&other, "").await.is_empty());
    for code in &received {
        assert_eq!(status_of(&other, code).await, StatusCode::NOT_FOUND);
    }
}

async fn a_merger_recorded_ahead_of_time_grants_nothing_yet(b: Backend) {
    let app = start(b).await;
    let keeper = keeper(&app).await;
    let officer = app
        .client("tiepnhan.xa", Role::DeskOfficer, codes::COMMUNE_A)
        .await
        .unwrap();
    let code = receive(&officer, codes::COMMUNE_A).await;
    // The merger takes effect in 2099: the new commune exists in the
    // records, and its leader sees nothing of the old commune until then.
    change(
        &keeper,
        codes::COMMUNE_A,
        json!({ "change": "merge", "with": [], "effective": "2099-01-01",
            "new_unit": { "code": NEW_COMMUNE, "name": "UBND xã Hợp Nhất", "kind": "commune",
                "parent": codes::PROVINCE, "valid_from": "2099-01-01" } }),
    )
    .await;
    let leader = app
        .client("lanhdao.xa", Role::Leader, NEW_COMMUNE)
        .await
        .unwrap();
    assert!(listed(&leader, "").await.is_empty());
    assert_eq!(status_of(&leader, &code).await, StatusCode::NOT_FOUND);
    // The commune's own officer still sees it.
    assert_eq!(listed(&officer, "").await, vec![code.clone()]);
}
