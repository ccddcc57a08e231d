//! The payment adapter against the simulated gateway: the page's address
//! is signed so the gateway takes it, the signed answer reads back as paid
//! or cancelled, and an answer whose parameters were altered, signed with
//! another secret, or meant for another merchant is refused.

use motcua_notify::payment::{SignedGateway, sign};
use motcua_notify::simulators::PaymentGatewaySimulator;
use motcua_service::ServiceError;
use motcua_service::payments::{PaymentGateway, PaymentRequest};

const BACK: &str = "http://127.0.0.1:9/cong-dan/thanh-toan/ve";

/// Opens the gateway's page and follows "Pay" (`line` 0) or "Cancel" (1);
/// answers the parameters the gateway sent back.
async fn through_gateway(g: &SignedGateway, amount: i64, line: usize) -> Vec<(String, String)> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = g.pay_url(&PaymentRequest {
        reference: "REF123".into(),
        amount_dong: amount,
        description: "Phí, lệ phí hồ sơ 000.01.21.H40-251124-0001".into(),
        return_url: BACK.into(),
    });
    let page = http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!("{amount} đồng")), "{page}");
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
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(BACK), "{back}");
    serde_urlencoded::from_str(back.split_once('?').unwrap().1).unwrap()
}

#[tokio::test]
async fn a_paid_and_a_cancelled_payment_read_back_from_signed_answers() {
    let sim = PaymentGatewaySimulator::start("MERCHANT1", "bi-mat-ky")
        .await
        .unwrap();
    let g = SignedGateway::new(sim.settings("MERCHANT1", "bi-mat-ky")).unwrap();
    let answer = g.verify(&through_gateway(&g, 50_000, 0).await).unwrap();
    assert!(answer.paid);
    assert_eq!(answer.reference, "REF123");
    assert_eq!(answer.amount_dong, 50_000);
    assert!(!answer.transaction.is_empty());
    let answer = g.verify(&through_gateway(&g, 50_000, 1).await).unwrap();
    assert!(!answer.paid, "cancelled");
}

#[tokio::test]
async fn altered_or_foreign_answers_are_refused() {
    let sim = PaymentGatewaySimulator::start("MERCHANT1", "bi-mat-ky")
        .await
        .unwrap();
    let g = SignedGateway::new(sim.settings("MERCHANT1", "bi-mat-ky")).unwrap();
    let good = through_gateway(&g, 50_000, 1).await;
    let refused = |params: &[(String, String)]| match g.verify(params) {
        Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "signature"),
        other => panic!("accepted: {other:?}"),
    };
    // Cancelled turned into paid, the amount lowered: the signature breaks.
    for (k, v) in [("vnp_ResponseCode", "00"), ("vnp_Amount", "100")] {
        let mut p = good.clone();
        for (name, value) in &mut p {
            if name == k {
                *value = v.to_owned();
            }
        }
        refused(&p);
    }
    // No signature at all, and one made with another secret.
    let unsigned: Vec<_> = good
        .iter()
        .filter(|(k, _)| k != "vnp_SecureHash")
        .cloned()
        .collect();
    refused(&unsigned);
    let mut forged = unsigned.clone();
    forged.push((
        "vnp_SecureHash".into(),
        sign(b"khong-phai-bi-mat", &unsigned),
    ));
    refused(&forged);
    // Rightly signed, but for another merchant.
    let other = SignedGateway::new(sim.settings("MERCHANT2", "bi-mat-ky")).unwrap();
    refused_by(&other, &good);
    // The gateway itself refuses a page signed with another secret.
    let wrong = SignedGateway::new(sim.settings("MERCHANT1", "sai")).unwrap();
    let url = wrong.pay_url(&PaymentRequest {
        reference: "R".into(),
        amount_dong: 1,
        description: "x".into(),
        return_url: BACK.into(),
    });
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 400);
}

fn refused_by(g: &SignedGateway, params: &[(String, String)]) {
    assert!(g.verify(params).is_err());
}
