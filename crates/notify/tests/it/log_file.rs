use std::sync::Arc;

use jiff::Timestamp;
use motcua_notify::LogChannel;
use motcua_service::clock::FixedClock;
use motcua_service::notify::Channel;
use motcua_service::store::MessageChannel;
use serde_json::{Value, json};

use crate::message;

#[tokio::test]
async fn each_message_is_one_json_line_appended() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notifications.log");
    let at: Timestamp = "2025-09-01T08:00:05Z".parse().unwrap();
    let ch = LogChannel::new(&path, Arc::new(FixedClock(at)));
    ch.deliver(&message(
        1,
        MessageChannel::Log,
        "0912345678",
        "Tiếp nhận",
        "Hồ sơ đã nhận\nDòng hai",
    ))
    .await
    .unwrap();
    ch.deliver(&message(
        2,
        MessageChannel::Log,
        "a@example.vn",
        "Trả kết quả",
        "Mời nhận",
    ))
    .await
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![
            json!({"at": "2025-09-01T08:00:05Z", "id": 1, "dossier_id": null, "channel": "log",
                   "recipient": "0912345678", "subject": "Tiếp nhận", "body": "Hồ sơ đã nhận\nDòng hai"}),
            json!({"at": "2025-09-01T08:00:05Z", "id": 2, "dossier_id": null, "channel": "log",
                   "recipient": "a@example.vn", "subject": "Trả kết quả", "body": "Mời nhận"}),
        ]
    );
}
