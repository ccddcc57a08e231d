//! Staff pages, second pass (issue 18) on both databases: unknown
//! addresses answer a browser with a page in its language and the API with
//! problem+json; the keyboard shortcuts' script, its help overlay and the
//! links it drives are on every signed-in page; answers are gzipped for
//! clients that ask, except what is compressed already.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, codes};
use reqwest::StatusCode;

use crate::api_auth::on_both;
use crate::ui_pages::{Browser, start};

on_both!(
    unknown_addresses_answer_a_page_to_browsers_and_json_to_the_api,
    the_keyboard_shortcuts_are_listed_and_wired_on_every_page,
    answers_are_compressed_for_whoever_asks,
    the_dossier_page_names_people_and_shows_the_messages_sent,
    administration_pages_name_people_and_only_the_users_page_shows_logins,
);

const HTML: &str = "text/html,application/xhtml+xml";

fn content_type(p: &crate::ui_pages::Page) -> &str {
    p.headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn unknown_addresses_answer_a_page_to_browsers_and_json_to_the_api(b: Backend) {
    let app = start(b).await;
    let mut visitor = Browser::new(&app);
    for path in ["/khong-co-trang-nay", "/ho-so-cu/abc", "/assets/ui/none.js"] {
        let p = visitor.get_with(path, "accept", HTML).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert!(content_type(&p).starts_with("text/html"), "{path}");
        assert!(
            p.body
                .contains("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
            "{path}: {}",
            p.body
        );
        assert!(p.body.contains(r#"<html lang="vi">"#));
    }
    // In English for a reader who chose it.
    visitor.set_cookie("lang", "en");
    let p = visitor.get_with("/khong-co", "accept", HTML).await;
    assert!(
        p.body.contains("The page or record was not found."),
        "{}",
        p.body
    );
    // The API answers problem+json, whatever the client accepts.
    for (path, accept) in [
        ("/api/khong-co", HTML),
        ("/api/khong-co", "application/json"),
        ("/khong-co", "application/json"),
        ("/khong-co", "*/*"),
    ] {
        let p = visitor.get_with(path, "accept", accept).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path} {accept}");
        assert_eq!(
            content_type(&p),
            "application/problem+json",
            "{path} {accept}"
        );
        let v: serde_json::Value = serde_json::from_str(&p.body).unwrap();
        assert_eq!(v["status"], 404);
    }
    // A signed-in reader keeps the navigation on the error page.
    app.client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut desk = Browser::signed_in(&app, "tiepnhan").await;
    let p = desk.get_with("/khong-co", "accept", HTML).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains(r#"href="/tiep-nhan""#), "{}", p.body);
}

async fn the_keyboard_shortcuts_are_listed_and_wired_on_every_page(b: Backend) {
    let app = start(b).await;
    app.client("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut desk = Browser::signed_in(&app, "tiepnhan").await;
    for path in ["/", "/tiep-nhan", "/ho-so"] {
        let p = desk.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        // The overlay, in Vietnamese, with the acts it names.
        assert!(p.body.contains(r#"<dialog id="keys""#), "{path}");
        for words in [
            "Phím tắt",
            "Tiếp nhận hồ sơ mới",
            "In giấy tiếp nhận",
            "Tìm hồ sơ",
        ] {
            assert!(p.body.contains(words), "{path}: {words}");
        }
        // The links the keys follow and the box `/` focuses.
        assert!(
            p.body.contains(r#"href="/tiep-nhan" data-key="n""#),
            "{path}"
        );
        assert!(p.body.contains(r#"href="/ho-so" data-key="l""#), "{path}");
        assert!(p.body.contains(r#"id="top-q""#), "{path}");
        // The script, served from its content-named path for a year.
        let src = p
            .body
            .split(r#"<script src=""#)
            .filter_map(|s| s.split('"').next())
            .find(|s| s.ends_with("/keys.js"))
            .unwrap_or_else(|| panic!("{path}: no keys.js"))
            .to_owned();
        let js = desk.get(&src).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(content_type(&js).starts_with("text/javascript"));
        assert!(js.body.contains("showModal"));
        assert_eq!(
            js.headers.get("cache-control").unwrap(),
            "public, max-age=31536000, immutable"
        );
    }
    // On paper, what works only on a screen is left out.
    let css_href = desk
        .get("/ho-so")
        .await
        .body
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let css = desk.get(&css_href).await.body;
    let print = css.split("@media print {").nth(1).expect("a print style");
    for hidden in [
        "nav.main",
        "form.filters",
        ".pager",
        ".exports",
        "details.action",
        "dialog",
    ] {
        assert!(
            print.split('}').next().unwrap().contains(hidden),
            "{hidden} printed"
        );
    }
    // The sign-in page has neither (nobody is signed in yet).
    let visitor_page = Browser::new(&app).get("/dang-nhap").await;
    assert!(!visitor_page.body.contains("keys.js"));
    assert!(!visitor_page.body.contains(r#"id="top-q""#));
}

async fn answers_are_compressed_for_whoever_asks(b: Backend) {
    let app = start(b).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let fetch = |path: &'static str, gzip: bool| {
        let http = http.clone();
        let base = app.base.clone();
        async move {
            let mut req = http.get(format!("{base}{path}"));
            if gzip {
                req = req.header("accept-encoding", "gzip");
            }
            let res = req.send().await.unwrap();
            let encoding = res
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            let body = res.bytes().await.unwrap();
            (encoding, body)
        }
    };
    // The sign-in page, the OpenAPI document and the style sheet.
    let css = Browser::new(&app)
        .get("/dang-nhap")
        .await
        .body
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let css: &'static str = Box::leak(css.into_boxed_str());
    for path in ["/dang-nhap", "/api/openapi.json", css] {
        let (plain_enc, plain) = fetch(path, false).await;
        let (enc, zipped) = fetch(path, true).await;
        assert_eq!(plain_enc, None, "{path}");
        assert_eq!(enc.as_deref(), Some("gzip"), "{path}");
        // gzip's magic number, and a real saving.
        assert_eq!(&zipped[..2], &[0x1f, 0x8b], "{path}");
        assert!(
            zipped.len() * 4 < plain.len() * 3,
            "{path}: {} of {} bytes",
            zipped.len(),
            plain.len()
        );
    }
}

/// Point 6 (people by full name) and point 10 (messages visible) on the
/// dossier's page.
async fn the_dossier_page_names_people_and_shows_the_messages_sent(b: Backend) {
    use motcua_service::store::{Delivery, MessageStatus};
    let w = crate::api_dossiers::world_with(b, motcua_testkit::Options::default()).await;
    let (status, d) =
        crate::api_dossiers::receive(&w.desk, &crate::api_dossiers::reception("Mai Văn Lộc")).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().unwrap().to_owned();
    let store = w.app.db.store();
    let mine: Vec<_> = store
        .outbox_messages(None, Some(MessageStatus::Pending), None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.message.body.contains(&code))
        .collect();
    assert_eq!(mine.len(), 3);
    // One delivered, one given up, one still waiting.
    let at: jiff::Timestamp = "2025-11-24T02:05:00Z".parse().unwrap();
    let by = |c: &str| {
        mine.iter()
            .find(|m| m.message.channel.as_str() == c)
            .unwrap()
            .id
    };
    store
        .record_delivery(by("email"), &Delivery::Sent(at))
        .await
        .unwrap();
    store
        .record_delivery(
            by("sms"),
            &Delivery::Failed {
                error: "gateway said no".into(),
            },
        )
        .await
        .unwrap();
    let mut br = Browser::signed_in(&w.app, "tiepnhan").await;
    let page = br.get(&format!("/ho-so/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = page
        .body
        .split(r#"<h2 id="messages-title">"#)
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_else(|| panic!("no messages section: {}", page.body));
    assert!(section.starts_with("Thông báo cho người nộp"), "{section}");
    for words in [
        "Thư điện tử",
        "nguoidan@example.org",
        "Đã gửi lúc 24/11/2025 09:05",
        "Tin nhắn SMS",
        "Gửi không được sau 1 lần thử",
        "Hệ thống liên thông",
        "Đang chờ gửi (đã thử 0 lần)",
    ] {
        assert!(section.contains(words), "{words}: {section}");
    }
    // Who received it, by full name, never by login: in the facts and the
    // timeline.
    assert!(!page.body.contains("tiepnhan"), "{}", page.body);
    let timeline = page.body.split(r#"id="timeline-title""#).nth(1).unwrap();
    assert!(timeline.contains("· Người Dùng Thử</p>"), "{timeline}");
    assert!(!timeline.contains("tiepnhan"), "{timeline}");
    // Someone who may not see the dossier sees none of its messages.
    w.app
        .client("tiepnhanb", Role::DeskOfficer, codes::DISTRICT_B)
        .await
        .unwrap();
    let mut other = Browser::signed_in(&w.app, "tiepnhanb").await;
    let p = other.get(&format!("/ho-so/{code}")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.body.contains("nguoidan@example.org"));
}

/// The text a reader sees: tags and their attributes (where option values
/// carry logins for the form, unseen) dropped.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

async fn administration_pages_name_people_and_only_the_users_page_shows_logins(b: Backend) {
    let app = start(b).await;
    let logins = ["qtvien.tinh", "ldao.huyen", "cvien.tuphap", "tnhan.mc"];
    for (login, role, unit) in [
        (logins[0], Role::SystemAdmin, codes::PROVINCE),
        (logins[1], Role::Leader, codes::DISTRICT_A),
        (logins[2], Role::Specialist, codes::OFFICE_A),
        (logins[3], Role::DeskOfficer, codes::DESK_A),
    ] {
        app.user(login, role, unit).await.unwrap();
    }
    let mut admin = Browser::signed_in(&app, logins[0]).await;
    let unit_page = format!("/quan-tri/don-vi/{}", codes::OFFICE_A);
    let pages = [
        "/",
        "/quan-tri",
        "/quan-tri/don-vi",
        unit_page.as_str(),
        "/quan-tri/quy-trinh",
        "/quan-tri/thu-tuc",
        "/quan-tri/lich",
        "/quan-tri/gio-lam-viec",
        "/quan-tri/cai-dat",
        "/ho-so",
    ];
    for path in pages {
        let p = admin.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        let text = visible_text(&p.body);
        for login in logins {
            assert!(!text.contains(login), "{path} shows the login {login}");
        }
    }
    // The users page is where logins belong: it lists them.
    let p = admin.get("/quan-tri/nguoi-dung").await;
    assert_eq!(p.status, StatusCode::OK);
    let text = visible_text(&p.body);
    for login in logins {
        assert!(text.contains(login), "the users page lists {login}");
    }
}
