//! The payment adapter against the simulated gateway: the page's address
//! is signed so the gateway takes it, the signed answer reads back as paid
//! or cancelled, and an answer whose parameters were altered, signed with
//! another secret, or meant for another merchant is refused.

use motcua_notify::payment::{SignedGateway, sign};
use motcua_notify::simulators::PaymentGatewaySimulator;
use motcua_service::ServiceError;
use motcua_service::payments::{
    PaymentGateway, PaymentRequest, RefundAnswer, RefundRequest, TransactionKind,
};

const BACK: &str = "http://127.0.0.1:9/cong-dan/thanh-toan/ve";

/// Monday 24/11/2025 09:00 in Viet Nam (02:00 UTC).
fn paid_at() -> jiff::Timestamp {
    "2025-11-24T02:00:00Z".parse().unwrap()
}

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
        created_at: paid_at(),
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
        created_at: paid_at(),
    });
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 400);
}

fn refused_by(g: &SignedGateway, params: &[(String, String)]) {
    assert!(g.verify(params).is_err());
}

fn refund_of(reference: &str, transaction: &str, amount: i64) -> RefundRequest {
    RefundRequest {
        reference: reference.into(),
        payment_reference: "REF123".into(),
        transaction: transaction.into(),
        amount_dong: amount,
        full: amount == 50_000,
        reason: "Hồ sơ bị từ chối".into(),
        requested_by: "tiepnhan".into(),
        at: "2025-11-24T08:30:00Z".parse().unwrap(),
    }
}

fn refused_with(answer: RefundAnswer, code: &str) {
    match answer {
        RefundAnswer::Refused { why } => assert!(why.starts_with(code), "{why}"),
        done => panic!("expected refusal {code}, got {done:?}"),
    }
}

#[tokio::test]
async fn refunds_never_exceed_what_was_paid_and_repeat_their_first_answer() {
    let sim = PaymentGatewaySimulator::start("MERCHANT1", "bi-mat-ky")
        .await
        .unwrap();
    let g = SignedGateway::new(sim.settings("MERCHANT1", "bi-mat-ky")).unwrap();
    let paid = g.verify(&through_gateway(&g, 50_000, 0).await).unwrap();
    let txn = paid.transaction.clone();
    let RefundAnswer::Done { transaction: first } =
        g.refund(&refund_of("R1", &txn, 20_000)).await.unwrap()
    else {
        panic!("refused");
    };
    assert_eq!(first.len(), 12);
    // The same refund again: the first answer, nothing given back twice.
    assert_eq!(
        g.refund(&refund_of("R1", &txn, 20_000)).await.unwrap(),
        RefundAnswer::Done {
            transaction: first.clone()
        }
    );
    // The same reference for another amount is refused.
    refused_with(
        g.refund(&refund_of("R1", &txn, 10_000)).await.unwrap(),
        "94",
    );
    // 30.000 remain: 40.000 is too much, 30.000 goes, then nothing is left.
    refused_with(
        g.refund(&refund_of("R2", &txn, 40_000)).await.unwrap(),
        "02",
    );
    assert!(matches!(
        g.refund(&refund_of("R3", &txn, 30_000)).await.unwrap(),
        RefundAnswer::Done { .. }
    ));
    refused_with(g.refund(&refund_of("R4", &txn, 1)).await.unwrap(), "95");
    // A transaction the gateway does not know.
    refused_with(
        g.refund(&refund_of("R5", "khongco", 1)).await.unwrap(),
        "91",
    );

    // The day's signed list: the payment and the two refunds given.
    let day = g
        .transactions(jiff::civil::date(2025, 11, 24))
        .await
        .unwrap();
    let seen: Vec<(TransactionKind, &str, &str, i64)> = day
        .iter()
        .map(|t| {
            (
                t.kind,
                t.reference.as_str(),
                t.payment_reference.as_str(),
                t.amount_dong,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (TransactionKind::Payment, "REF123", "REF123", 50_000),
            (TransactionKind::Refund, "R1", "REF123", 20_000),
            (TransactionKind::Refund, "R3", "REF123", 30_000),
        ]
    );
    assert_eq!(day[0].transaction, txn);
    assert_eq!(day[0].at, paid_at());
    assert!(
        g.transactions(jiff::civil::date(2025, 11, 25))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn forged_refund_answers_and_lists_are_refused() {
    let sim = PaymentGatewaySimulator::start("MERCHANT1", "bi-mat-ky")
        .await
        .unwrap();
    let g = SignedGateway::new(sim.settings("MERCHANT1", "bi-mat-ky")).unwrap();
    let txn = g
        .verify(&through_gateway(&g, 50_000, 0).await)
        .unwrap()
        .transaction;
    sim.forge(true);
    let signature = |e: ServiceError| match e {
        ServiceError::Invalid { field, .. } => assert_eq!(field, "signature"),
        other => panic!("{other:?}"),
    };
    signature(g.refund(&refund_of("R1", &txn, 1_000)).await.unwrap_err());
    signature(
        g.transactions(jiff::civil::date(2025, 11, 24))
            .await
            .unwrap_err(),
    );
    // An adapter with another secret: the gateway refuses its request.
    let wrong = SignedGateway::new(sim.settings("MERCHANT1", "sai")).unwrap();
    sim.forge(false);
    assert!(matches!(
        wrong.refund(&refund_of("R2", &txn, 1_000)).await,
        Err(ServiceError::Unavailable(_))
    ));
    // Rightly signed again, the refund first asked is answered as it was.
    assert!(matches!(
        g.refund(&refund_of("R1", &txn, 1_000)).await.unwrap(),
        RefundAnswer::Done { .. }
    ));
}
