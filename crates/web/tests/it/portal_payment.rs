//! Paying a dossier's fee online through the portal over HTTP on both
//! databases (issue 19, point 5), against the simulated gateway: the owner
//! goes to the gateway and back, the dossier is paid once however often
//! the answer comes back, and an altered answer changes nothing.

use std::sync::Arc;

use motcua_notify::payment::SignedGateway;
use motcua_notify::simulators::PaymentGatewaySimulator;
use motcua_testkit::{Backend, Gateway, Options};
use serde_json::json;

use crate::api_auth::on_both;
use crate::api_dossiers::{act, ok, world_with};
use crate::portal_accounts::{Browser, registered, sign_in, token};

on_both!(the_owner_pays_once_and_forged_answers_change_nothing);

/// The gateway's page for a payment URL, then "Pay" (0) or "Cancel" (1);
/// answers where the gateway sends the browser back.
pub(crate) async fn at_gateway(url: &str, line: usize) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("50000 đồng"), "{page}");
    let links: Vec<String> = page
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .collect();
    let origin = url.split("/pay").next().unwrap();
    let r = http
        .get(format!("{origin}{}", links[line]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) fn path_of(url: &str) -> String {
    format!("/{}", url.splitn(4, '/').nth(3).unwrap())
}

async fn the_owner_pays_once_and_forged_answers_change_nothing(b: Backend) {
    let sim = PaymentGatewaySimulator::start("MOTCUATEST", "bi-mat-ky")
        .await
        .unwrap();
    let gateway = SignedGateway::new(sim.settings("MOTCUATEST", "bi-mat-ky")).unwrap();
    let w = world_with(
        b,
        Options {
            payments: Some(Gateway(Arc::new(gateway))),
            ..Options::default()
        },
    )
    .await;
    let mut c = registered(&w.app, "0932000333", "0932000333", "mat-khau-tien-1").await;
    assert_eq!(
        sign_in(&mut c, "0932000333", "mat-khau-tien-1")
            .await
            .status,
        303
    );
    let code = crate::portal_submit::submit_online(&mut c, "Vũ Thị Thu", "0932000333").await;
    // Before the desk accepts it there is nothing to pay.
    let page = c.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(page.body.contains("50.000"), "{}", page.body);
    assert!(!page.body.contains("/thanh-toan\""), "not payable yet");
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "accept_online", "version": 1 }),
    )
    .await);

    let page = c.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(
        page.body
            .contains(&format!("/cong-dan/ho-so/{code}/thanh-toan")),
        "{}",
        page.body
    );
    let t = token(&page.body);
    let pay_path = format!("/cong-dan/ho-so/{code}/thanh-toan");
    // Cancelled at the gateway: not paid, and it may be paid again.
    let go = pay(&mut c, &pay_path, &t).await;
    assert_eq!(go.status, 200, "{}", go.body);
    let back = at_gateway(&gateway_link(&go.body), 1).await;
    let r = c.get(&path_of(&back)).await;
    assert_eq!(r.status, 303);
    assert!(r.location.ends_with("?tt=huy"), "{}", r.location);
    // Paid.
    let go = pay(&mut c, &pay_path, &t).await;
    let back = at_gateway(&gateway_link(&go.body), 0).await;
    // Altered on the way back (the amount lowered): refused, nothing paid.
    let forged = back.replace("vnp_Amount=5000000", "vnp_Amount=100");
    assert_ne!(forged, back);
    let r = c.get(&path_of(&forged)).await;
    assert_eq!(r.status, 400);

    assert_eq!(paid(&w.app.db).await, 0);
    let r = c.get(&path_of(&back)).await;
    assert_eq!(r.status, 303);
    assert!(r.location.ends_with("?tt=ok"), "{}", r.location);
    let page = c.get(&r.location).await;
    assert!(
        page.body.contains("Đã thanh toán phí, lệ phí"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Đã thanh toán trực tuyến"));
    assert!(
        !page
            .body
            .contains(&format!("/cong-dan/ho-so/{code}/thanh-toan")),
        "nothing more to pay"
    );
    // The same answer again changes nothing.
    let r = c.get(&path_of(&back)).await;
    assert!(r.location.ends_with("?tt=lai"), "{}", r.location);
    assert_eq!(paid(&w.app.db).await, 1);
    // Paying again is refused.
    let again = pay(&mut c, &pay_path, &t).await;
    assert_eq!(again.status, 409);
    // The figures: one dossier received in November at the desk, with a
    // fee, submitted through the portal, paid online; no VNeID.
    let (status, rep) = crate::api_dossiers::get_json(
        &w.leader,
        &format!(
            "/api/reports/portal?unit={}&from=2025-11-01&to=2025-11-30",
            motcua_testkit::codes::DISTRICT_A
        ),
    )
    .await;
    assert_eq!(status, 200, "{rep}");
    assert_eq!(rep["counts"]["received"], 1);
    assert_eq!(rep["counts"]["via_portal"], 1);
    assert_eq!(rep["counts"]["identity_verified"], 0);
    assert_eq!(rep["counts"]["fee_bearing"], 1);
    assert_eq!(rep["counts"]["paid_online"], 1);
    assert_eq!(rep["online_payment_percent"], 100.0);
    assert_eq!(rep["identity_percent"], 0.0);
    let (status, _) = crate::api_dossiers::get_json(
        &w.desk,
        &format!(
            "/api/reports/portal?unit={}&from=2025-11-01&to=2025-11-30",
            motcua_testkit::codes::DISTRICT_A
        ),
    )
    .await;
    assert_eq!(status, 403, "a desk officer reads no statistics");
    assert_eq!(
        w.app
            .db
            .query_i64("SELECT count(*) FROM audit_log WHERE action = 'payment.settle'")
            .await
            .unwrap(),
        2,
        "the cancellation and the payment"
    );
}

pub(crate) async fn pay(c: &mut Browser, path: &str, t: &str) -> crate::portal_accounts::Answer {
    c.post_raw(path, format!("csrf_token={t}"), &[]).await
}

async fn paid(db: &motcua_testkit::TestDb) -> i64 {
    db.query_i64("SELECT count(*) FROM payments WHERE status = 'paid'")
        .await
        .unwrap()
}

/// The link to the gateway on the page the pay form answers with.
pub(crate) fn gateway_link(body: &str) -> String {
    let at = body
        .find("id=\"to-gateway\" href=\"")
        .expect("a link to the gateway");
    body[at + "id=\"to-gateway\" href=\"".len()..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
}
