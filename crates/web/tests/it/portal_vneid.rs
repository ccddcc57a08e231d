//! Signing in with VNeID through the portal over HTTP on both databases
//! (issue 19, point 2), against the provider's simulator: the round trip's
//! state, a new person getting a confirmed account on the phone VNeID
//! registered, a known phone's account being linked rather than doubled, a
//! replayed code refused, and dossiers from a vouched-for account flagged
//! for 766 indicator 4.5.

use std::sync::Arc;

use motcua_notify::simulators::{VneidSimulator, demo_people};
use motcua_notify::vneid::OidcIdentity;
use motcua_testkit::{Backend, Identity, Options, TestApp};

use crate::api_auth::on_both;
use crate::portal_accounts::{Answer, Browser, registered};

on_both!(vneid_signs_citizens_in_and_links_known_phones);

/// Follows the round trip as a browser: the portal's start, the
/// provider's page (person `line`), its approval; answers the portal's
/// callback URL (not yet opened).
async fn to_provider_and_back(b: &mut Browser, line: usize) -> String {
    let start = b.get("/cong-dan/vneid").await;
    assert_eq!(start.status, 303);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(&start.location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("VNeID (giả lập)"), "{page}");
    let links: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let origin = start
        .location
        .split("/authorize")
        .next()
        .unwrap()
        .to_owned();
    let r = http
        .get(format!("{origin}{}", links[line].replace("&amp;", "&")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn back(b: &mut Browser, url: &str) -> Answer {
    let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
    b.get(&path).await
}

async fn vneid_signs_citizens_in_and_links_known_phones(backend: Backend) {
    let sim = VneidSimulator::start("motcua-test", "bi-mat", demo_people())
        .await
        .unwrap();
    let provider = OidcIdentity::new(sim.settings("motcua-test", "bi-mat")).unwrap();
    let app = TestApp::start_with(
        backend,
        Options {
            identity: Some(Identity(Arc::new(provider))),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let accounts = || async {
        app.db
            .query_i64("SELECT count(*) FROM applicant_accounts")
            .await
            .unwrap()
    };

    // A person new to the portal: a confirmed account on VNeID's phone.
    let mut b = Browser::new(&app);
    let page = b.get("/cong-dan/dang-nhap").await;
    assert!(
        page.body
            .contains("Đăng nhập bằng tài khoản định danh điện tử VNeID")
    );
    let callback = to_provider_and_back(&mut b, 1).await;
    assert!(callback.contains("/cong-dan/vneid/ve?code="), "{callback}");
    let r = back(&mut b, &callback).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, "/cong-dan/tai-khoan");
    let me = b.get("/cong-dan/tai-khoan").await;
    assert!(me.body.contains("Trần Thị Hạnh"), "{}", me.body);
    assert!(me.body.contains("Đã xác thực"), "{}", me.body);
    assert!(me.body.contains("098****222"), "{}", me.body);
    assert_eq!(accounts().await, 1);
    // The same code again: refused, no session.
    let mut again = Browser::new(&app);
    let start = again.get("/cong-dan/vneid").await;
    assert_eq!(start.status, 303);
    let state = start
        .location
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let replay = again
        .get(&format!("/cong-dan/vneid/ve?code={code}&state={state}"))
        .await;
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert!(replay.body.contains("VNeID không xác nhận được danh tính"));
    // A state that is not this browser's: refused before the provider is asked.
    let mut stranger = Browser::new(&app);
    let forged = stranger
        .get(&format!("/cong-dan/vneid/ve?code=x&state={state}"))
        .await;
    assert_eq!(forged.status, 403);

    // Someone registered with the phone VNeID knows: linked, not doubled.
    registered(&app, "0912000111", "0912000111", "mat-khau-dan-1").await;
    assert_eq!(accounts().await, 2);
    let mut dan = Browser::new(&app);
    let callback = to_provider_and_back(&mut dan, 0).await;
    assert_eq!(back(&mut dan, &callback).await.status, 303);
    let me = dan.get("/cong-dan/tai-khoan").await;
    assert!(
        me.body.contains("Trần Thị Mai"),
        "the registered account: {}",
        me.body
    );
    assert!(me.body.contains("Đã xác thực"), "{}", me.body);
    assert_eq!(accounts().await, 2, "linked to the registered account");
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM applicant_accounts WHERE identity_subject IS NOT NULL")
            .await
            .unwrap(),
        2
    );

    // A dossier the vouched-for account submits is flagged (766 §4.5).
    let keeper = app
        .client(
            "kiemsoat",
            motcua_domain::role::Role::UnitAdmin,
            motcua_testkit::codes::PROVINCE,
        )
        .await
        .unwrap();
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&serde_json::json!({
            "code": "1.000003", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "levels": ["district"],
            "agency": "UBND cấp huyện", "time_limit": "5 working_days", "online_level": "full_process",
            "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": true }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = keeper
        .http
        .post(keeper.url(&format!(
            "/api/procedures/1.000003/units/{}",
            motcua_testkit::codes::DISTRICT_A
        )))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    crate::portal_submit::submit_online(&mut dan, "Nguyễn Văn Dân", "0912000111").await;
    let flagged = app
        .db
        .query_i64("SELECT count(*) FROM applicant_dossiers WHERE identity_verified = TRUE")
        .await
        .unwrap();
    assert_eq!(flagged, 1);
}
