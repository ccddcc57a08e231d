//! Online submission through the portal over HTTP on both databases (issue
//! 19, point 3): the form, files checked by their content, the mandatory
//! document, the desk accepting the dossier (the clock starts), the
//! applicant following it, and a second applicant who cannot see it.
//!
//! The world is `api_dossiers::world`: procedure 1.000003 "Đăng ký khai
//! sinh" (full process online, one mandatory document) assigned to UBND
//! huyện Đô Lương, whose one-stop desk is "Bộ phận Một cửa huyện Đô
//! Lương" (000.01.21.H40); the clock on Monday 24/11/2025 09:00.

use motcua_testkit::{Backend, codes};
use serde_json::json;

use crate::api_auth::on_both;
use crate::api_dossiers::{act, attach_result, get_json, ok, world};
use crate::portal_accounts::{Answer, Browser, registered, sign_in, token};

on_both!(
    a_citizen_submits_online_and_the_desk_accepts,
    files_the_token_and_the_owner_are_checked,
    a_supplement_is_answered_online,
    a_document_handed_in_once_is_reused_later,
    a_draft_is_kept_with_its_files_until_submitted
);

const PDF: &[u8] = b"%PDF-1.4\n% to khai khai sinh\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const HTML_AS_PDF: &[u8] = b"<!doctype html><script>alert(1)</script>";

/// A `multipart/form-data` body: text fields, then files
/// `(field, file name, content)`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "motcuaBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, name, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A signed-in citizen submits procedure 1.000003 at the district's desk
/// with a PDF for its document; answers the new dossier's code.
pub(crate) async fn submit_online(b: &mut Browser, name: &str, phone: &str) -> String {
    let form = b.get("/cong-dan/nop/1.000003").await;
    let t = token(&form.body);
    let r = post_multipart(
        b,
        "/cong-dan/nop/1.000003",
        &[
            ("csrf_token", &t),
            ("unit", codes::DESK_A),
            ("name", name),
            ("identity", "040095000123"),
            ("phone", phone),
            ("address", "Đô Lương"),
        ],
        &[("file-0", "a.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location
        .trim_start_matches("/cong-dan/ho-so/")
        .trim_end_matches("?moi=1")
        .to_owned()
}

pub(crate) async fn post_multipart(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    let (ctype, body) = multipart(fields, files);
    let r = b
        .http
        .post(format!("{}{path}", b.base))
        .header("cookie", b.cookie_header())
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    b.answer(r).await
}

/// The form's fields for a good submission, with the session's token.
fn good(t: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf_token", t),
        ("unit", codes::DESK_A),
        ("name", "Hoàng Văn Bình"),
        ("identity", "040095000123"),
        ("phone", "0912 345 678"),
        ("email", ""),
        ("address", "Xã Đà Sơn, huyện Đô Lương"),
        ("note", "Nộp cho con"),
    ]
}

async fn dossiers(w: &crate::api_dossiers::World) -> i64 {
    w.app
        .db
        .query_i64("SELECT count(*) FROM dossiers")
        .await
        .unwrap()
}

async fn a_citizen_submits_online_and_the_desk_accepts(b: Backend) {
    let w = world(b).await;
    let mut citizen = registered(&w.app, "0912345678", "0912345678", "mat-khau-dai-1").await;
    assert_eq!(
        sign_in(&mut citizen, "0912345678", "mat-khau-dai-1")
            .await
            .status,
        303
    );

    // The procedure page offers it; the form lists the desk and documents.
    let p = citizen.get("/cong-dan/thu-tuc/1.000003").await;
    assert!(
        p.body.contains(r#"href="/cong-dan/nop/1.000003""#),
        "{}",
        p.body
    );
    let form = citizen.get("/cong-dan/nop/1.000003").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("Bộ phận Một cửa huyện Đô Lương"),
        "{}",
        form.body
    );
    assert!(form.body.contains(r#"name="file-0""#));
    assert!(form.body.contains(r#"enctype="multipart/form-data""#));
    let t = token(&form.body);

    let r = post_multipart(
        &mut citizen,
        "/cong-dan/nop/1.000003",
        &good(&t),
        &[("file-0", "to-khai.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let code = r
        .location
        .strip_prefix("/cong-dan/ho-so/")
        .and_then(|l| l.strip_suffix("?moi=1"))
        .expect("the dossier's page")
        .to_owned();
    assert!(code.starts_with("000.01.21.H40-251124-"), "{code}");
    let mine = citizen.get(&r.location).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("Đã nộp hồ sơ"), "{}", mine.body);
    assert!(mine.body.contains("Chờ tiếp nhận"), "{}", mine.body);
    assert!(
        !mine.body.contains("Hẹn trả kết quả"),
        "no clock before the desk accepts"
    );
    let account = citizen.get("/cong-dan/tai-khoan").await;
    assert!(account.body.contains(&code), "{}", account.body);

    // The desk sees it waiting, with its file, and accepts it.
    let (_, list) = get_json(&w.desk, "/api/dossiers?status=awaiting_online_reception").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["code"], code.as_str());
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["channel"], "online");
    assert_eq!(d["status"], "awaiting_online_reception");
    assert_eq!(d["applicant"]["name"], "Hoàng Văn Bình");
    assert_eq!(d["files"][0]["content_type"], "application/pdf");
    assert_eq!(d["components"][0]["digitised"], true);
    let r = w
        .desk
        .http
        .post(w.desk.url(&format!("/api/dossiers/{code}/actions")))
        .json(&json!({ "action": "accept_online", "version": d["version"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let after = citizen.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(after.body.contains("Mới tiếp nhận"), "{}", after.body);
    assert!(after.body.contains("Hẹn trả kết quả"), "{}", after.body);
    // What they sent is theirs to download, byte for byte.
    let link = format!("/cong-dan/ho-so/{code}/tep/");
    let at = after
        .body
        .find(&link)
        .expect("a link to the submitted file");
    let href: String = after.body[at..].chars().take_while(|c| *c != '"').collect();
    let r = citizen
        .http
        .get(format!("{}{href}", citizen.base))
        .header("cookie", citizen.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // Through the office to a signed result: the result appears for the
    // applicant only once the dossier is decided.
    let v = |a: &serde_json::Value| a["dossier"]["version"].clone();
    let a = ok(act(
        &w.desk,
        &code,
        json!({ "action": "hand_over", "version": 2, "to_user": "chuyenvien" }),
    )
    .await);
    ok(act(
        &w.specialist,
        &code,
        json!({ "action": "hand_over", "version": v(&a), "to_user": "lanhdao" }),
    )
    .await);
    attach_result(&w.leader, &code).await;
    let before = citizen.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(
        !before.body.contains("Kết quả giải quyết"),
        "not before it is signed"
    );
    let version =
        ok(get_json(&w.leader, &format!("/api/dossiers/{code}")).await)["version"].clone();
    ok(act(
        &w.leader,
        &code,
        json!({ "action": "sign_result", "version": version }),
    )
    .await);
    let done = citizen.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(done.body.contains("Đã xử lý xong"), "{}", done.body);
    assert!(done.body.contains("Kết quả giải quyết"), "{}", done.body);
    // The audit trail names the account, not the person.
    let by: i64 = w
        .app
        .db
        .query_i64("SELECT count(*) FROM dossier_events WHERE actor LIKE 'applicant:%'")
        .await
        .unwrap();
    assert_eq!(by, 1);
}

async fn files_the_token_and_the_owner_are_checked(b: Backend) {
    let w = world(b).await;
    let mut a = registered(&w.app, "0911000111", "0911000111", "mat-khau-dai-1").await;
    assert_eq!(
        sign_in(&mut a, "0911000111", "mat-khau-dai-1").await.status,
        303
    );
    let form = a.get("/cong-dan/nop/1.000003").await;
    let t = token(&form.body);

    // No file for the mandatory document: named on it, nothing written.
    let r = post_multipart(&mut a, "/cong-dan/nop/1.000003", &good(&t), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Giấy tờ bắt buộc"), "{}", r.body);
    assert!(r.body.contains("Hoàng Văn Bình"), "what was typed is kept");
    // A page named .pdf is told from its content and refused.
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &good(&t),
        &[("file-0", "to-khai.pdf", HTML_AS_PDF)],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Tệp không hợp lệ"), "{}", r.body);
    assert!(
        r.body.contains("Hoàng Văn Bình"),
        "what was typed is kept with a refused file"
    );
    // Every bad applicant field at once, each on its field.
    let mut bad = good(&t);
    for (k, v) in bad.iter_mut() {
        match *k {
            "identity" => *v = "123",
            "phone" => *v = "abc",
            "unit" => *v = "",
            _ => {}
        }
    }
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &bad,
        &[("file-0", "a.png", PNG)],
    )
    .await;
    assert_eq!(r.status, 422);
    for id in ["s-identity-error", "s-phone-error", "s-unit-error"] {
        assert!(r.body.contains(id), "{id}: {}", r.body);
    }
    // A unit that is no one-stop desk (the district itself).
    let mut district = good(&t);
    district[1] = ("unit", codes::DISTRICT_A);
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &district,
        &[("file-0", "a.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 422);
    // A wrong token: refused before any file is read.
    let mut wrong = good(&t);
    wrong[0] = ("csrf_token", "khong-phai");
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &wrong,
        &[("file-0", "a.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(dossiers(&w).await, 0, "nothing was submitted");
    // A procedure not offered online has no form.
    let keeper = w
        .app
        .client(
            "kiemsoat2",
            motcua_domain::role::Role::UnitAdmin,
            codes::PROVINCE,
        )
        .await
        .unwrap();
    let r = keeper
        .http
        .post(keeper.url("/api/procedures"))
        .json(&json!({
            "code": "1.001193", "name": "Đăng ký khai tử", "field": "Hộ tịch", "levels": ["district"],
            "agency": "UBND cấp huyện", "time_limit": "3 working_days", "online_level": "none",
            "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": []
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(a.get("/cong-dan/nop/1.001193").await.status, 404);

    // The owner's dossier, and another citizen who tries its code.
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &good(&t),
        &[("file-0", "a.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let code = r
        .location
        .trim_start_matches("/cong-dan/ho-so/")
        .trim_end_matches("?moi=1")
        .to_owned();
    let mut other = registered(&w.app, "0922000222", "0922000222", "mat-khau-dai-2").await;
    assert_eq!(
        sign_in(&mut other, "0922000222", "mat-khau-dai-2")
            .await
            .status,
        303
    );
    let theirs = other.get(&format!("/cong-dan/ho-so/{code}")).await;
    let missing = other.get("/cong-dan/ho-so/000.01.21.H40-251124-9999").await;
    assert_eq!(theirs.status, 404);
    assert_eq!(missing.status, 404);
    assert_eq!(
        theirs.body, missing.body,
        "another's dossier reads exactly like a missing one"
    );
    let list = other.get("/cong-dan/tai-khoan").await;
    assert!(!list.body.contains(&code), "not in the other's list");
    // Nor its files, whatever the id.
    let own = a.get(&format!("/cong-dan/ho-so/{code}")).await;
    let link = format!("/cong-dan/ho-so/{code}/tep/");
    let at = own.body.find(&link).expect("the owner sees the file");
    let href: String = own.body[at..].chars().take_while(|c| *c != '"').collect();
    assert_eq!(a.get(&href).await.status, 200);
    let theirs_file = other.get(&href).await;
    assert_eq!(theirs_file.status, 404);
    assert_eq!(theirs_file.body, missing.body);
    for bad in ["x", "-1", "99999999999999999999"] {
        assert_eq!(a.get(&format!("{link}{bad}")).await.status, 404, "{bad}");
    }
    // Nobody signed in: to the sign-in page.
    let mut anon = Browser::new(&w.app);
    let r = anon.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert_eq!(r.status, 303);
    assert!(r.location.starts_with("/cong-dan/dang-nhap"));
    let r = anon.get("/cong-dan/nop/1.000003").await;
    assert_eq!(r.status, 303);
}

async fn a_supplement_is_answered_online(b: Backend) {
    let w = world(b).await;
    let mut a = registered(&w.app, "0955000555", "0955000555", "mat-khau-dai-5").await;
    assert_eq!(
        sign_in(&mut a, "0955000555", "mat-khau-dai-5").await.status,
        303
    );
    let form = a.get("/cong-dan/nop/1.000003").await;
    let t = token(&form.body);
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &good(&t),
        &[("file-0", "a.pdf", PDF)],
    )
    .await;
    let code = r
        .location
        .trim_start_matches("/cong-dan/ho-so/")
        .trim_end_matches("?moi=1")
        .to_owned();
    let url = format!("/cong-dan/ho-so/{code}/bo-sung");
    // Nothing to supply yet: refused, nothing attached.
    let early = post_multipart(
        &mut a,
        &url,
        &[("csrf_token", &t), ("version", "1")],
        &[("file-1", "b.pdf", PDF)],
    )
    .await;
    assert_eq!(early.status, 409, "{}", early.body);

    ok(act(
        &w.desk,
        &code,
        json!({ "action": "accept_online", "version": 1 }),
    )
    .await);
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "hand_over", "version": 2, "to_user": "chuyenvien" }),
    )
    .await);
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "request_supplement", "version": 3, "reason": "Thiếu giấy chứng sinh",
                "items": [{ "name": "Giấy chứng sinh", "note": "bản chụp rõ nét" }] }),
    )
    .await);
    let page = a.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(page.body.contains("Yêu cầu bổ sung hồ sơ"), "{}", page.body);
    assert!(page.body.contains("Thiếu giấy chứng sinh"));
    assert!(
        page.body.contains("Giấy chứng sinh: bản chụp rõ nét"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"name="version" value="4""#),
        "{}",
        page.body
    );

    // Another citizen cannot answer it.
    let mut other = registered(&w.app, "0966000666", "0966000666", "mat-khau-dai-6").await;
    assert_eq!(
        sign_in(&mut other, "0966000666", "mat-khau-dai-6")
            .await
            .status,
        303
    );
    let other_form = other.get("/cong-dan/tai-khoan").await;
    let ot = token(&other_form.body);
    let r = post_multipart(
        &mut other,
        &url,
        &[("csrf_token", &ot), ("version", "4")],
        &[("file-1", "x.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 404);
    // Without a file, or with a page posing as a PDF: said so, nothing moves.
    let r = post_multipart(&mut a, &url, &[("csrf_token", &t), ("version", "4")], &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("ít nhất một tệp"), "{}", r.body);
    let r = post_multipart(
        &mut a,
        &url,
        &[("csrf_token", &t), ("version", "4")],
        &[("file-1", "x.pdf", HTML_AS_PDF)],
    )
    .await;
    assert_eq!(r.status, 422);
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["status"], "awaiting_supplement");
    assert_eq!(d["files"].as_array().unwrap().len(), 1);

    // The owner answers: the file joins the dossier, processing resumes.
    let r = post_multipart(
        &mut a,
        &url,
        &[("csrf_token", &t), ("version", "4"), ("note", "Đã bổ sung")],
        &[("file-1", "giay-chung-sinh.png", PNG)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["status"], "processing");
    assert_eq!(d["files"].as_array().unwrap().len(), 2);
    assert!(
        d["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["content_type"] == "image/png")
    );
    let events = d["events"].as_array().expect("the timeline");
    let last = events.last().unwrap();
    assert_eq!(last["action"], "supply_supplement");
    assert!(
        last["actor"].as_str().unwrap().starts_with("applicant:"),
        "{last}"
    );
    let page = a.get(&format!("/cong-dan/ho-so/{code}")).await;
    assert!(!page.body.contains("Yêu cầu bổ sung hồ sơ"));
    assert!(page.body.contains("Đang xử lý"));
}

async fn a_document_handed_in_once_is_reused_later(b: Backend) {
    let w = world(b).await;
    let mut a = registered(&w.app, "0944000444", "0944000444", "mat-khau-dai-4").await;
    assert_eq!(
        sign_in(&mut a, "0944000444", "mat-khau-dai-4").await.status,
        303
    );
    let first = submit_online(&mut a, "Hồ Thị Xuân", "0944000444").await;
    // The form offers it again, named with the dossier it came with.
    let form = a.get("/cong-dan/nop/1.000003").await;
    let at = form.body.find(r#"name="reuse-0""#).expect("a reuse choice");
    let option = form.body[at..]
        .split("<option value=\"")
        .nth(2)
        .expect("one document");
    let sha: String = option.chars().take_while(|c| *c != '"').collect();
    assert_eq!(sha.len(), 64, "{option}");
    assert!(
        option.contains(&first),
        "labelled with its dossier: {option}"
    );
    let t = token(&form.body);

    // Someone else's document, or none of anyone's: refused, nothing made.
    let mut other = registered(&w.app, "0944000555", "0944000555", "mat-khau-dai-5").await;
    assert_eq!(
        sign_in(&mut other, "0944000555", "mat-khau-dai-5")
            .await
            .status,
        303
    );
    let theirs = other.get("/cong-dan/nop/1.000003").await;
    let ot = token(&theirs.body);
    let before = dossiers(&w).await;
    let mut fields = good(&ot);
    fields.push(("reuse-0", &sha));
    let r = post_multipart(&mut other, "/cong-dan/nop/1.000003", &fields, &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut fields = good(&t);
    let none = "0".repeat(64);
    fields.push(("reuse-0", &none));
    assert_eq!(
        post_multipart(&mut a, "/cong-dan/nop/1.000003", &fields, &[])
            .await
            .status,
        422
    );
    assert_eq!(dossiers(&w).await, before);

    // Reused: the new dossier holds the same content, counted as reused.
    let mut fields = good(&t);
    fields.push(("reuse-0", &sha));
    let r = post_multipart(&mut a, "/cong-dan/nop/1.000003", &fields, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let second = r
        .location
        .trim_start_matches("/cong-dan/ho-so/")
        .trim_end_matches("?moi=1")
        .to_owned();
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{second}")).await);
    assert_eq!(d["files"][0]["sha256"], sha.as_str());
    assert_eq!(d["components"][0]["reused"], true);
    assert_eq!(d["components"][0]["digitised"], true);
    // Once received, it counts in the digitisation figures.
    ok(act(
        &w.desk,
        &second,
        json!({ "action": "accept_online", "version": 1 }),
    )
    .await);
    let (status, rep) = get_json(
        &w.leader,
        &format!(
            "/api/reports/dossiers?unit={}&from=2025-11-01&to=2025-11-30",
            codes::DISTRICT_A
        ),
    )
    .await;
    assert_eq!(status, 200, "{rep}");
    assert_eq!(rep["total"]["received_reused"], 1, "{}", rep["total"]);
}

async fn a_draft_is_kept_with_its_files_until_submitted(b: Backend) {
    let w = world(b).await;
    let mut a = registered(&w.app, "0966000111", "0966000111", "mat-khau-nhap-1").await;
    assert_eq!(
        sign_in(&mut a, "0966000111", "mat-khau-nhap-1")
            .await
            .status,
        303
    );
    let form = a.get("/cong-dan/nop/1.000003").await;
    assert!(form.body.contains(r#"name="save" value="1""#));
    let t = token(&form.body);
    // Half filled in (no identity yet), one file: kept as a draft.
    let r = post_multipart(
        &mut a,
        "/cong-dan/nop/1.000003",
        &[
            ("csrf_token", &t),
            ("unit", codes::DESK_A),
            ("name", "Cao Thị Nháp"),
            ("phone", "0966000111"),
            ("save", "1"),
        ],
        &[("file-0", "to-khai-nhap.pdf", PDF)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Đã lưu nháp"), "{}", r.body);
    assert_eq!(dossiers(&w).await, 0, "a draft is no dossier");
    let account = a.get("/cong-dan/tai-khoan").await;
    assert!(account.body.contains("Hồ sơ đang soạn") && account.body.contains("Đăng ký khai sinh"));
    // Back later: the fields and the file are there.
    let back = a.get("/cong-dan/nop/1.000003").await;
    assert!(back.body.contains("Cao Thị Nháp"), "{}", back.body);
    assert!(
        back.body.contains("Đã đính kèm: to-khai-nhap.pdf"),
        "{}",
        back.body
    );
    // Finished and submitted without attaching again: the kept file goes
    // with it, and the draft is gone.
    let mut fields = good(&t);
    fields[2] = ("name", "Cao Thị Nháp");
    let r = post_multipart(&mut a, "/cong-dan/nop/1.000003", &fields, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let code = r
        .location
        .trim_start_matches("/cong-dan/ho-so/")
        .trim_end_matches("?moi=1")
        .to_owned();
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["files"][0]["name"], "to-khai-nhap.pdf");
    assert_eq!(d["applicant"]["name"], "Cao Thị Nháp");
    let again = a.get("/cong-dan/nop/1.000003").await;
    assert!(!again.body.contains("Đã đính kèm"), "the draft is gone");
    let account = a.get("/cong-dan/tai-khoan").await;
    assert!(!account.body.contains("Hồ sơ đang soạn"));
}
