use std::sync::Arc;

use motcua_notify::{Channels, channel_map};
use motcua_service::clock::SystemClock;
use motcua_service::store::MessageChannel;
use serde_json::json;

#[test]
fn every_configured_channel_gets_an_adapter() {
    let c: Channels = serde_json::from_value(json!({
        "smtp": { "host": "mail.example.vn", "port": 587, "tls": "starttls",
                  "username": "motcua", "password": "pw-123", "from": "Một cửa <motcua@example.vn>" },
        "sms": { "url": "http://127.0.0.1:8025/sms", "api_key": "key-456" },
        "webhooks": [
            { "name": "erp", "url": "http://10.0.0.5/hooks/motcua", "secret": "sec-789" },
            { "name": "crm", "url": "http://10.0.0.6/in", "secret": "sec-abc" }
        ],
        "log_file": "/tmp/motcua-notifications.log"
    }))
    .unwrap();
    let map = channel_map(&c, Arc::new(SystemClock)).unwrap();
    let mut keys: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["email", "log", "sms", "webhook"]);
    let shown = format!("{c:?}");
    for secret in ["pw-123", "key-456", "sec-789", "sec-abc"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn an_empty_section_configures_nothing() {
    let c: Channels = serde_json::from_value(json!({})).unwrap();
    assert!(channel_map(&c, Arc::new(SystemClock)).unwrap().is_empty());
    let only_log: Channels = serde_json::from_value(json!({ "log_file": "n.log" })).unwrap();
    let map = channel_map(&only_log, Arc::new(SystemClock)).unwrap();
    assert_eq!(
        map.keys().copied().collect::<Vec<_>>(),
        vec![MessageChannel::Log]
    );
}

#[test]
fn mistakes_are_named_by_their_key() {
    let typo = serde_json::from_value::<Channels>(json!({ "smpt": {} })).unwrap_err();
    assert!(typo.to_string().contains("smpt"), "{typo}");

    let dup: Channels = serde_json::from_value(json!({ "webhooks": [
        { "name": "erp", "url": "http://a/", "secret": "s1" },
        { "name": "erp", "url": "http://b/", "secret": "s2" }
    ]}))
    .unwrap();
    let Err(err) = channel_map(&dup, Arc::new(SystemClock)) else {
        panic!("duplicate names accepted")
    };
    assert!(
        err.to_string()
            .starts_with("notifications.webhooks[1].name"),
        "{err}"
    );

    let bad_url: Channels = serde_json::from_value(json!({ "webhooks": [
        { "name": "erp", "url": "không phải url", "secret": "s1" }
    ]}))
    .unwrap();
    let Err(err) = channel_map(&bad_url, Arc::new(SystemClock)) else {
        panic!("bad URL accepted")
    };
    assert!(
        err.to_string().starts_with("notifications.webhooks[0].url"),
        "{err}"
    );
}
