//! Which messages a change sends, written to the outbox in the same
//! transaction as the change (domain.md §5; the dispatcher delivers them).
//!
//! The applicant hears of what concerns them (receipt, a supplement to
//! supply, a new appointment, the result ready, a refusal or a stop) by
//! e-mail and SMS when they gave an address or number and the channel is
//! on; every transition goes to each configured webhook as JSON, so other
//! systems can follow dossiers; the log channel (the demo) records all.

use jiff::Timestamp;
use motcua_domain::dossier::Status;
use serde_json::json;

use crate::store::{Applicant, MessageChannel, NewMessage};

/// Which channels are on, and the webhooks to notify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeSettings {
    /// Send e-mail to applicants.
    pub email: bool,
    /// Send SMS to applicants.
    pub sms: bool,
    /// Write every message to the log channel.
    pub log: bool,
    /// Names of webhooks that receive every transition.
    pub webhooks: Vec<String>,
}

impl NoticeSettings {
    /// Whether no channel is on: then no change writes a message, and the
    /// use cases skip gathering what messages would say.
    pub fn is_off(&self) -> bool {
        !self.email && !self.sms && !self.log && self.webhooks.is_empty()
    }
}

/// What happened, for the messages.
pub struct Happening<'a> {
    /// Dossier code.
    pub code: &'a str,
    /// The action's stable name.
    pub action: &'a str,
    /// Status after.
    pub to: Status,
    /// Status before.
    pub from: Option<Status>,
    /// When.
    pub at: Timestamp,
    /// The applicant.
    pub applicant: &'a Applicant,
    /// Procedure name.
    pub procedure: &'a str,
    /// The appointment, as it should read.
    pub due_text: Option<String>,
    /// The public status page.
    pub status_url: Option<String>,
}

/// The sentence the applicant receives, if the action concerns them.
fn applicant_text(h: &Happening<'_>) -> Option<(String, String)> {
    let due = h
        .due_text
        .as_deref()
        .map(|d| format!(" Hẹn trả kết quả: {d}."))
        .unwrap_or_default();
    let url = h
        .status_url
        .as_deref()
        .map(|u| format!(" Tra cứu: {u}"))
        .unwrap_or_default();
    let (subject, text) = match h.action {
        "receive" | "accept_online" => (
            "Đã tiếp nhận hồ sơ",
            format!(
                "Hồ sơ {} ({}) đã được tiếp nhận.{due}{url}",
                h.code, h.procedure
            ),
        ),
        "request_supplement" => (
            "Yêu cầu bổ sung hồ sơ",
            format!(
                "Hồ sơ {} cần bổ sung, hoàn thiện. Vui lòng xem phiếu yêu cầu bổ sung.{url}",
                h.code
            ),
        ),
        "return_for_correction" => (
            "Hồ sơ cần hoàn thiện",
            format!(
                "Hồ sơ {} nộp trực tuyến cần bổ sung, hoàn thiện trước khi tiếp nhận.{url}",
                h.code
            ),
        ),
        "extend" => (
            "Thư xin lỗi và hẹn lại ngày trả kết quả",
            format!(
                "Hồ sơ {} chưa giải quyết kịp hạn; cơ quan xin lỗi và hẹn lại.{due}{url}",
                h.code
            ),
        ),
        "sign_result" => (
            "Đã có kết quả giải quyết",
            format!("Hồ sơ {} đã có kết quả giải quyết.{url}", h.code),
        ),
        "refuse" | "refuse_online" => (
            "Hồ sơ bị từ chối",
            format!(
                "Hồ sơ {} không được giải quyết; xem phiếu từ chối.{url}",
                h.code
            ),
        ),
        "stop" => (
            "Dừng giải quyết hồ sơ",
            format!("Hồ sơ {} đã dừng giải quyết; xem thông báo.{url}", h.code),
        ),
        "request_financial_obligation" => (
            "Thực hiện nghĩa vụ tài chính",
            format!("Hồ sơ {} chờ thực hiện nghĩa vụ tài chính.{url}", h.code),
        ),
        _ => return None,
    };
    Some((subject.to_owned(), text))
}

/// The outbox messages for a change.
pub fn messages(settings: &NoticeSettings, h: &Happening<'_>) -> Vec<NewMessage> {
    let mut out = Vec::new();
    if let Some((subject, text)) = applicant_text(h) {
        if settings.email && !h.applicant.email.trim().is_empty() {
            out.push(NewMessage {
                channel: MessageChannel::Email,
                recipient: h.applicant.email.trim().to_owned(),
                subject: subject.clone(),
                body: text.clone(),
            });
        }
        if settings.sms && !h.applicant.phone.trim().is_empty() {
            out.push(NewMessage {
                channel: MessageChannel::Sms,
                recipient: h.applicant.phone.trim().to_owned(),
                subject: subject.clone(),
                body: text.clone(),
            });
        }
        if settings.log {
            out.push(NewMessage {
                channel: MessageChannel::Log,
                recipient: h.applicant.name.clone(),
                subject,
                body: text,
            });
        }
    }
    for hook in &settings.webhooks {
        out.push(NewMessage {
            channel: MessageChannel::Webhook,
            recipient: hook.clone(),
            subject: format!("dossier.{}", h.action),
            body: json!({
                "type": format!("dossier.{}", h.action),
                "code": h.code,
                "from": h.from.map(Status::as_str),
                "to": h.to.as_str(),
                "at": h.at.to_string(),
            })
            .to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ApplicantType;

    fn applicant(email: &str, phone: &str) -> Applicant {
        Applicant {
            kind: ApplicantType::Citizen,
            name: "Nguyễn Văn A".into(),
            identity: "040095000123".into(),
            phone: phone.into(),
            email: email.into(),
            address: "Đô Lương".into(),
        }
    }

    fn happening<'a>(action: &'a str, a: &'a Applicant) -> Happening<'a> {
        Happening {
            code: "000.00.21.H40-251124-0001",
            action,
            to: Status::Received,
            from: None,
            at: Timestamp::UNIX_EPOCH,
            applicant: a,
            procedure: "Cấp giấy phép xây dựng",
            due_text: Some("09 giờ 00, ngày 01/12/2025".into()),
            status_url: None,
        }
    }

    #[test]
    fn the_applicant_hears_of_receipt_on_the_channels_that_are_on_and_they_can_reach() {
        let s = NoticeSettings {
            email: true,
            sms: true,
            log: false,
            webhooks: vec!["portal".into()],
        };
        let a = applicant("a@example.org", "");
        let m = messages(&s, &happening("receive", &a));
        let channels: Vec<_> = m.iter().map(|m| m.channel).collect();
        assert_eq!(channels, [MessageChannel::Email, MessageChannel::Webhook]);
        assert!(
            m[0].body
                .contains("Hẹn trả kết quả: 09 giờ 00, ngày 01/12/2025")
        );
        assert_eq!(m[1].subject, "dossier.receive");
    }

    #[test]
    fn settings_with_no_channel_send_nothing() {
        let off = NoticeSettings::default();
        assert!(off.is_off());
        let a = applicant("a@example.org", "0912345678");
        assert!(messages(&off, &happening("receive", &a)).is_empty());
        let hooks = NoticeSettings {
            webhooks: vec!["x".into()],
            ..NoticeSettings::default()
        };
        assert!(!hooks.is_off());
    }

    #[test]
    fn internal_steps_reach_only_webhooks() {
        let s = NoticeSettings {
            email: true,
            sms: true,
            log: true,
            webhooks: vec!["a".into(), "b".into()],
        };
        let a = applicant("a@example.org", "0912345678");
        let m = messages(&s, &happening("hand_over", &a));
        assert_eq!(m.len(), 2);
        assert!(m.iter().all(|m| m.channel == MessageChannel::Webhook));
    }
}
