//! The demo's feedback (phản ánh, kiến nghị): the demo citizen has sent
//! three to the Đô Lương service centre, one answered and published, one
//! waiting for more information, one just received, so the portal's
//! published answers and the staff's list at `/phan-anh` show each stage.
//! They go through the same use cases as the portal and the API.

use std::sync::Arc;

use motcua_service::Services;
use motcua_service::access::Actor;
use motcua_service::error::ServiceResult;
use motcua_service::feedback::{FeedbackInput, StaffAction};
use motcua_service::store::Store;

use crate::demo::{DEMO_CITIZEN_PHONE, DEMO_PASSWORD, DO_LUONG_CENTRE};

fn input(category: &str, title: &str, content: &str, consent: bool) -> FeedbackInput {
    FeedbackInput {
        unit: DO_LUONG_CENTRE.to_owned(),
        category: category.to_owned(),
        title: title.to_owned(),
        content: content.to_owned(),
        dossier: String::new(),
        consent_publish: consent,
    }
}

fn action(action: &str, note: &str, answer: &str) -> StaffAction {
    StaffAction {
        action: action.to_owned(),
        note: note.to_owned(),
        answer: answer.to_owned(),
        handler: String::new(),
    }
}

/// Seeds the three feedbacks; returns how many.
pub async fn seed(store: Arc<dyn Store>) -> ServiceResult<usize> {
    let services = Services::plain(store);
    let who = services
        .applicants()
        .sign_in(DEMO_CITIZEN_PHONE, DEMO_PASSWORD, "127.0.0.1")
        .await?
        .applicant;
    let desk = Actor::system("demo");
    let sent = [
        input(
            "conduct",
            "Hẹn trả kết quả nhiều lần",
            "Tôi nộp hồ sơ đăng ký khai sinh cho con ngày 03/11, được hẹn trả kết quả ngày 06/11 nhưng đến nay đã ba lần đến nhận vẫn chưa có kết quả.",
            true,
        ),
        input(
            "proposal",
            "Đề nghị bố trí thêm ghế chờ",
            "Buổi sáng thứ Hai có nhiều người chờ tại bộ phận một cửa, nhiều cụ già phải đứng. Đề nghị bố trí thêm ghế chờ.",
            true,
        ),
        input(
            "regulation",
            "Mẫu tờ khai khó hiểu",
            "Mẫu tờ khai có mục ghi quan hệ với người được khai sinh nhưng không có hướng dẫn cách ghi.",
            false,
        ),
    ];
    let mut codes = Vec::new();
    for f in &sent {
        codes.push(services.applicants().send_feedback(&who, f).await?.code);
    }
    let fb = services.feedback();
    fb.act(&desk, &codes[0], &action("accept", "", "")).await?;
    fb.act(
        &desk,
        &codes[0],
        &action(
            "answer",
            "",
            "Trung tâm đã kiểm tra: hồ sơ chậm do chờ xác minh thông tin cư trú. Kết quả đã được trả ngày 14/11. Trung tâm đã gửi thư xin lỗi và nhắc nhở công chức thông báo kịp thời khi hồ sơ chậm.",
        ),
    )
    .await?;
    fb.act(&desk, &codes[0], &action("publish", "", "")).await?;
    fb.act(
        &desk,
        &codes[1],
        &action(
            "request_supplement",
            "Đề nghị cho biết thời gian cụ thể (ngày, giờ) có nhiều người phải đứng chờ.",
            "",
        ),
    )
    .await?;
    Ok(codes.len())
}
