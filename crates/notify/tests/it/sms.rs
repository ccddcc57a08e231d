use std::time::Duration;

use motcua_notify::simulators::{Behaviour, ReceivedSms, SmsGateway};
use motcua_notify::{Secret, SmsConfig, SmsHttpChannel};
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::MessageChannel;

use crate::message;

const KEY: &str = "test-key-0f3a9c";

fn config(url: &str, key: &str, timeout_secs: u64) -> SmsConfig {
    SmsConfig {
        url: url.to_owned(),
        api_key: Secret::new(key),
        api_key_header: "X-Api-Key".to_owned(),
        timeout_secs,
    }
}

const TEXT: &str = "Hồ sơ 000.00.21.H99-250901-0001 đã có kết quả, mời Ông/Bà đến nhận.";

#[tokio::test]
async fn the_gateway_gets_the_json_and_the_api_key() {
    let gw = SmsGateway::start(KEY, Behaviour::default()).await.unwrap();
    let channel = SmsHttpChannel::new(&config(&gw.url(), KEY, 5)).unwrap();
    let m = message(1, MessageChannel::Sms, "0912345678", "", TEXT);
    channel.deliver(&m).await.unwrap();
    assert_eq!(
        gw.received(),
        vec![ReceivedSms {
            id: "sms-1".to_owned(),
            to: "0912345678".to_owned(),
            text: TEXT.to_owned(),
        }]
    );
}

#[tokio::test]
async fn a_wrong_key_or_number_fails_for_good() {
    let gw = SmsGateway::start(KEY, Behaviour::default()).await.unwrap();
    let wrong = SmsHttpChannel::new(&config(&gw.url(), "other-key", 5)).unwrap();
    let m = message(1, MessageChannel::Sms, "0912345678", "", TEXT);
    let err = wrong.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Permanent(e) if e.contains("401")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("other-key"), "{err}");

    let right = SmsHttpChannel::new(&config(&gw.url(), KEY, 5)).unwrap();
    let bad = message(2, MessageChannel::Sms, "12ab", "", TEXT);
    let err = right.deliver(&bad).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Permanent(e) if e.contains("422")),
        "{err:?}"
    );
    assert!(gw.received().is_empty());
}

#[tokio::test]
async fn a_500_then_a_200_is_a_retry_then_sent() {
    let gw = SmsGateway::start(KEY, Behaviour::failing_first(1, 500))
        .await
        .unwrap();
    let channel = SmsHttpChannel::new(&config(&gw.url(), KEY, 5)).unwrap();
    let m = message(1, MessageChannel::Sms, "+84912345678", "", TEXT);
    let err = channel.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Temporary(e) if e.contains("500")),
        "{err:?}"
    );
    channel.deliver(&m).await.unwrap();
    assert_eq!(gw.requests(), 2);
    assert_eq!(gw.received().len(), 1);
}

#[tokio::test]
async fn throttling_and_slowness_are_temporary() {
    let gw = SmsGateway::start(KEY, Behaviour::failing_first(1, 429))
        .await
        .unwrap();
    let channel = SmsHttpChannel::new(&config(&gw.url(), KEY, 5)).unwrap();
    let m = message(1, MessageChannel::Sms, "0912345678", "", TEXT);
    let err = channel.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Temporary(e) if e.contains("429")),
        "{err:?}"
    );

    let slow = SmsGateway::start(
        KEY,
        Behaviour {
            delay: Duration::from_millis(2_500),
            ..Behaviour::default()
        },
    )
    .await
    .unwrap();
    let impatient = SmsHttpChannel::new(&config(&slow.url(), KEY, 1)).unwrap();
    let err = impatient.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Temporary(e) if e.contains("timed out")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_gateway_that_is_down_is_temporary() {
    let url = SmsGateway::start(KEY, Behaviour::default())
        .await
        .unwrap()
        .url();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let channel = SmsHttpChannel::new(&config(&url, KEY, 2)).unwrap();
    let m = message(1, MessageChannel::Sms, "0912345678", "", TEXT);
    let err = channel.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Temporary(e) if e.contains("connect")),
        "{err:?}"
    );
}

#[test]
fn the_key_is_not_in_debug_output_and_https_is_refused() {
    let channel = SmsHttpChannel::new(&config("http://127.0.0.1:9/sms", KEY, 5)).unwrap();
    assert!(!format!("{channel:?}").contains(KEY));
    assert!(!format!("{:?}", config("http://x/", KEY, 5)).contains(KEY));
    let err = SmsHttpChannel::new(&config("https://sms.example.vn/send", KEY, 5)).unwrap_err();
    assert!(
        err.to_string().starts_with("notifications.sms.url"),
        "{err}"
    );
}
