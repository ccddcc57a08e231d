use motcua_notify::simulators::{Behaviour, SmtpSink};
use motcua_notify::{Secret, SmtpChannel, SmtpConfig, SmtpTls};
use motcua_service::notify::{Channel, DeliveryError};
use motcua_service::store::MessageChannel;

use crate::message;

const SUBJECT: &str = "Hồ sơ 000.00.21.H99-250901-0001 đã được tiếp nhận";
const BODY: &str = "Kính gửi Ông/Bà Nguyễn Thị Ánh Tuyết,\n\
Hồ sơ của Ông/Bà đã được tiếp nhận lúc 08:00 ngày 01/09/2025.\n\
Ngày hẹn trả kết quả: 15/09/2025. Trân trọng!\n";

fn config(port: u16, user: Option<(&str, &str)>) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: Some(port),
        tls: SmtpTls::None,
        username: user.map(|(u, _)| u.to_owned()),
        password: user.map(|(_, p)| Secret::new(p)),
        from: "Bộ phận Một cửa <motcua@example.vn>".to_owned(),
        helo_name: Some("node1.motcua.example.vn".to_owned()),
        timeout_secs: 5,
    }
}

#[tokio::test]
async fn vietnamese_subject_and_body_arrive_intact() {
    let sink = SmtpSink::start(Behaviour::default()).await.unwrap();
    let channel = SmtpChannel::new(&config(sink.port(), Some(("motcua", "mật-khẩu")))).unwrap();
    let m = message(
        1,
        MessageChannel::Email,
        "nguoidan@example.vn",
        SUBJECT,
        BODY,
    );
    channel.deliver(&m).await.unwrap();

    let got = sink.received();
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(mail.from, "motcua@example.vn");
    assert_eq!(mail.to, vec!["nguoidan@example.vn".to_owned()]);
    assert_eq!(mail.auth_user.as_deref(), Some("motcua"));
    assert_eq!(mail.subject().as_deref(), Some(SUBJECT));
    assert_eq!(mail.text().unwrap().trim_end(), BODY.trim_end());
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Bộ phận Một cửa <motcua@example.vn>")
    );
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .to_ascii_lowercase()
            .contains("charset=utf-8"),
        "{:?}",
        mail.header("Content-Type")
    );
}

#[tokio::test]
async fn a_busy_server_is_retried_and_a_refused_mailbox_is_not() {
    let sink = SmtpSink::start(Behaviour::failing_first(1, 0))
        .await
        .unwrap();
    let channel = SmtpChannel::new(&config(sink.port(), None)).unwrap();
    let m = message(
        1,
        MessageChannel::Email,
        "nguoidan@example.vn",
        "Thông báo",
        "Nội dung",
    );
    let err = channel.deliver(&m).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Temporary(e) if e.contains("451")),
        "{err:?}"
    );
    channel.deliver(&m).await.unwrap();
    assert_eq!(sink.received().len(), 1);

    let refused = message(
        2,
        MessageChannel::Email,
        "reject@example.vn",
        "Thông báo",
        "x",
    );
    let err = channel.deliver(&refused).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Permanent(e) if e.contains("550")),
        "{err:?}"
    );
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_malformed_address_fails_for_good_without_connecting() {
    let sink = SmtpSink::start(Behaviour::default()).await.unwrap();
    let channel = SmtpChannel::new(&config(sink.port(), None)).unwrap();
    let m = message(1, MessageChannel::Email, "không phải địa chỉ", "s", "b");
    let err = channel.deliver(&m).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent(_)), "{err:?}");
    assert_eq!(sink.transactions(), 0);
}

#[tokio::test]
async fn a_server_that_is_down_is_a_temporary_failure() {
    let port = {
        let sink = SmtpSink::start(Behaviour::default()).await.unwrap();
        sink.port()
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let channel = SmtpChannel::new(&config(port, None)).unwrap();
    let m = message(1, MessageChannel::Email, "a@example.vn", "s", "b");
    let err = channel.deliver(&m).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Temporary(_)), "{err:?}");
}

#[test]
fn a_bad_sender_or_half_credentials_are_refused_with_their_key() {
    let mut c = config(25, None);
    c.from = "not an address".to_owned();
    let err = SmtpChannel::new(&c).unwrap_err();
    assert!(
        err.to_string().starts_with("notifications.smtp.from"),
        "{err}"
    );
    let mut c = config(25, None);
    c.username = Some("u".to_owned());
    let err = SmtpChannel::new(&c).unwrap_err();
    assert!(
        err.to_string().starts_with("notifications.smtp.username"),
        "{err}"
    );
}
