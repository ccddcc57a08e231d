use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use motcua_notify::simulators::{Behaviour, WebhookReceiver};
use motcua_notify::{
    DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, Secret, TIMESTAMP_HEADER, WebhookChannel,
    WebhookConfig, signature,
};
use motcua_service::clock::{FixedClock, SystemClock};
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::MessageChannel;

use crate::message;

const SECRET: &str = "whsec-test-5b1d";
const BODY: &str = r#"{"event":"dossier.received","code":"000.00.21.H99-250901-0001","applicant":"Nguyễn Văn An"}"#;

fn channel(url: &str, secret: &str) -> WebhookChannel {
    let endpoints = [WebhookConfig {
        name: "erp".to_owned(),
        url: url.to_owned(),
        secret: Secret::new(secret),
        timeout_secs: 5,
    }];
    WebhookChannel::new(&endpoints, Arc::new(SystemClock)).unwrap()
}

#[tokio::test]
async fn the_receiver_verifies_the_signature_and_gets_the_body() {
    let rx = WebhookReceiver::start(SECRET, Behaviour::default())
        .await
        .unwrap();
    let m = message(7, MessageChannel::Webhook, "erp", "dossier.received", BODY);
    channel(&rx.url(), SECRET).deliver(&m).await.unwrap();
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event, "dossier.received");
    assert_eq!(got[0].delivery, "7");
    assert_eq!(got[0].body, BODY);
    assert_eq!(rx.rejected(), 0);
}

#[tokio::test]
async fn a_tampered_body_or_wrong_secret_is_rejected() {
    let rx = WebhookReceiver::start(SECRET, Behaviour::default())
        .await
        .unwrap();
    let ts = Timestamp::now().as_second().to_string();
    let sig = signature(SECRET.as_bytes(), &ts, BODY.as_bytes());
    let tampered = BODY.replace("Nguyễn Văn An", "Trần Văn Bình");
    let client = reqwest::Client::new();
    let send = |body: String, sig: String| {
        client
            .post(rx.url())
            .header(EVENT_HEADER, "dossier.received")
            .header(TIMESTAMP_HEADER, &ts)
            .header(SIGNATURE_HEADER, sig)
            .header(DELIVERY_HEADER, "1")
            .body(body)
            .send()
    };
    assert_eq!(send(tampered, sig.clone()).await.unwrap().status(), 401);
    assert_eq!(send(BODY.to_owned(), sig).await.unwrap().status(), 200);
    assert_eq!(rx.rejected(), 1);
    assert_eq!(rx.received().len(), 1);

    let m = message(8, MessageChannel::Webhook, "erp", "dossier.received", BODY);
    let err = channel(&rx.url(), "not-the-secret")
        .deliver(&m)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Permanent(e) if e.contains("401")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("not-the-secret"));
    assert_eq!(rx.rejected(), 2);
}

#[tokio::test]
async fn a_stale_timestamp_is_rejected() {
    let rx = WebhookReceiver::start(SECRET, Behaviour::default())
        .await
        .unwrap();
    let hour_ago = Timestamp::now() - SignedDuration::from_hours(1);
    let endpoints = [WebhookConfig {
        name: "erp".to_owned(),
        url: rx.url(),
        secret: Secret::new(SECRET),
        timeout_secs: 5,
    }];
    let old = WebhookChannel::new(&endpoints, Arc::new(FixedClock(hour_ago))).unwrap();
    let m = message(9, MessageChannel::Webhook, "erp", "dossier.received", BODY);
    assert!(matches!(
        old.deliver(&m).await,
        Err(DeliveryError::Permanent(_))
    ));
    assert_eq!(rx.rejected(), 1);
}

#[tokio::test]
async fn a_500_then_a_200_is_a_retry_then_sent() {
    let rx = WebhookReceiver::start(SECRET, Behaviour::failing_first(1, 500))
        .await
        .unwrap();
    let ch = channel(&rx.url(), SECRET);
    let m = message(3, MessageChannel::Webhook, "erp", "dossier.returned", BODY);
    let err = ch.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Temporary(e) if e.contains("500")),
        "{err:?}"
    );
    ch.deliver(&m).await.unwrap();
    assert_eq!(rx.requests(), 2);
    assert_eq!(rx.received().len(), 1);
    assert_eq!(rx.received()[0].event, "dossier.returned");
}

#[tokio::test]
async fn an_unknown_name_or_a_body_that_is_not_json_fails_for_good() {
    let rx = WebhookReceiver::start(SECRET, Behaviour::default())
        .await
        .unwrap();
    let ch = channel(&rx.url(), SECRET);
    let unknown = message(1, MessageChannel::Webhook, "crm", "dossier.received", BODY);
    let err = ch.deliver(&unknown).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Permanent(e) if e.contains("\"crm\"")),
        "{err:?}"
    );
    let text = message(
        2,
        MessageChannel::Webhook,
        "erp",
        "dossier.received",
        "xin chào",
    );
    assert!(matches!(
        ch.deliver(&text).await,
        Err(DeliveryError::Permanent(_))
    ));
    assert_eq!(rx.requests(), 0);
    assert!(!format!("{ch:?}").contains(SECRET));
}
