//! Feedback and complaints (phản ánh, kiến nghị; issue 19, point 6) over
//! HTTP on both databases: a citizen sends one on the portal, the unit's
//! staff handle it through the API, the answer is published and voted on,
//! and the 766 figures (indicators 5.1–5.3) are counted as of a period's
//! end. Expected dues are counted by hand on the calendar: the test clock
//! starts on Monday 24/11/2025 at 09:00, and Monday to Friday are working
//! days in that fortnight.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, codes};
use motcua_web::portal::feedback::OWNED_ROUTES;
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::api_dossiers::{World, get_json, ok, vn, world};
use crate::portal_accounts::{Answer, Browser, registered, sign_in, token};

on_both!(
    a_feedback_goes_from_the_citizen_to_the_unit_and_back_published,
    the_766_figures_count_repeats_lateness_and_votes_as_of_the_period_end,
    feedback_reaches_staff_by_role_and_unit_tree,
);

fn set_clock(w: &World, local: &str) {
    w.app.clock.set(vn(local).parse().unwrap());
}

/// A signed-in citizen.
async fn citizen(w: &World, phone: &str) -> Browser {
    let mut b = registered(&w.app, phone, phone, "mat-khau-phan-anh-1").await;
    assert_eq!(
        sign_in(&mut b, phone, "mat-khau-phan-anh-1").await.status,
        303
    );
    b
}

/// Posts the feedback form with `fields` over the defaults.
async fn send(b: &mut Browser, fields: &[(&str, &str)]) -> Answer {
    let page = b.get("/cong-dan/phan-anh/gui").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let t = token(&page.body);
    let mut all: Vec<(&str, &str)> = vec![
        ("csrf_token", &t),
        ("unit", codes::DESK_A),
        ("category", "conduct"),
        ("title", "Cán bộ hẹn trả kết quả nhiều lần"),
        (
            "content",
            "Tôi đến nhận kết quả ba lần nhưng đều được hẹn ngày khác.",
        ),
        ("consent", "on"),
    ];
    for (k, v) in fields {
        all.retain(|(n, _)| n != k);
        if !v.is_empty() || *k == "unit" || *k == "category" {
            all.push((k, v));
        }
    }
    let body = serde_urlencoded::to_string(&all).unwrap();
    b.post_raw("/cong-dan/phan-anh/gui", body, &[]).await
}

/// The code a successful send redirected to.
fn sent_code(r: &Answer) -> String {
    assert_eq!(r.status, 303, "{}", r.body);
    let rest = r.location.strip_prefix("/cong-dan/phan-anh/").unwrap();
    rest.split('?').next().unwrap().to_owned()
}

async fn count(w: &World) -> i64 {
    w.app
        .db
        .query_i64("SELECT count(*) FROM feedback")
        .await
        .unwrap()
}

async fn act(c: &Client, code: &str, body: Value) -> (u16, Value) {
    let r = c
        .http
        .post(c.url(&format!("/api/feedback/{code}/actions")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Posts a signed-in form of the citizen's feedback page.
async fn post_own(b: &mut Browser, code: &str, tail: &str, fields: &[(&str, &str)]) -> Answer {
    let page = b.get("/cong-dan/tai-khoan").await;
    let t = token(&page.body);
    let mut all = vec![("csrf_token", t.as_str())];
    all.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&all).unwrap();
    b.post_raw(&format!("/cong-dan/phan-anh/{code}/{tail}"), body, &[])
        .await
}

async fn a_feedback_goes_from_the_citizen_to_the_unit_and_back_published(b: Backend) {
    let w = world(b).await;
    let mut an = citizen(&w, "0941000001").await;
    let mut binh = citizen(&w, "0941000002").await;

    // Bad input: each answers 422 naming the field, and keeps nothing.
    for (fields, says) in [
        (vec![("unit", "")], "Chọn cơ quan"),
        (vec![("unit", "000.99.99.H40")], "Chọn cơ quan"),
        (vec![("category", "chuyen-khac")], "Chọn nội dung"),
        (vec![("title", "Ồ")], "Tiêu đề từ 5"),
        (vec![("content", "ngắn")], "Nội dung từ 10"),
        (
            vec![("dossier", "000.01.21.H40-251124-0001")],
            "không thuộc",
        ),
    ] {
        let r = send(&mut an, &fields).await;
        assert_eq!(r.status, 422, "{fields:?}: {}", r.body);
        assert!(r.body.contains(says), "{fields:?}: {}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""), "{fields:?}");
    }
    // The typed text comes back with the error.
    let r = send(
        &mut an,
        &[("title", "Ồ"), ("content", "Nội dung giữ lại khi lỗi")],
    )
    .await;
    assert!(r.body.contains("Nội dung giữ lại khi lỗi"), "{}", r.body);
    // A forged token changes nothing either.
    let r = an
        .post_raw(
            "/cong-dan/phan-anh/gui",
            format!("csrf_token=forged&unit={}&category=conduct&title=Tieu+de+dai&content=Noi+dung+du+dai+roi", codes::DESK_A),
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(count(&w).await, 0);

    // The longest text allowed, in Vietnamese, fits the form's limit; one
    // character more is refused.
    let longest = "ệ".repeat(4000);
    let r = send(&mut an, &[("content", &format!("{longest}ệ"))]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(count(&w).await, 0);
    let code = sent_code(&send(&mut an, &[("content", &longest)]).await);
    assert_eq!(code, "PA-2025-000001");
    let page = an.get(&format!("/cong-dan/phan-anh/{code}?moi=1")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Đã gửi phản ánh"), "{}", page.body);
    assert!(page.body.contains("Đã tiếp nhận"));
    // Received Monday 09:00; the decision is due 2 working days later.
    let f = ok(get_json(&w.desk, &format!("/api/feedback/{code}")).await);
    assert_eq!(f["status"], "received");
    assert_eq!(f["due"], vn("2025-11-26T09:00"));
    assert_eq!(f["unit_code"], codes::DESK_A);
    assert!(f["late_at"].is_null());
    let mine = an.get("/cong-dan/tai-khoan").await;
    assert!(mine.body.contains(&code), "the account page lists it");

    // Before it is published, nobody else reads it.
    let missing = binh.get("/cong-dan/phan-anh/PA-2025-999999").await;
    let theirs = binh.get(&format!("/cong-dan/phan-anh/{code}")).await;
    assert_eq!(theirs.status, 404);
    assert_eq!(
        theirs.body.replace(&code, "X"),
        missing.body.replace("PA-2025-999999", "X")
    );
    let anon = Browser::new(&w.app)
        .get(&format!("/cong-dan/phan-anh/{code}"))
        .await;
    assert_eq!(anon.status, 404);

    // The staff page offers what the status allows; a refusal without a
    // reason comes back with the form and a message in Vietnamese, and
    // changes nothing.
    let path = format!("/phan-anh/{code}");
    let (s, page) = crate::ui_desk::page(&w.desk, &path).await;
    assert_eq!(s, 200);
    for a in ["act-accept", "act-refuse", "act-request_supplement"] {
        assert!(page.contains(a), "{a}");
    }
    assert!(!page.contains("act-publish"), "nothing to publish yet");
    let csrf = w.desk.csrf.clone();
    let (s, _, body) = crate::ui_desk::post_form(
        &w.desk,
        &path,
        &[("csrf_token", &csrf), ("action", "refuse"), ("note", "")],
        false,
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body.contains("Ghi lý do hoặc nội dung đề nghị bổ sung"),
        "{body}"
    );
    let f = ok(get_json(&w.desk, &format!("/api/feedback/{code}")).await);
    assert_eq!(f["status"], "received");

    // The desk asks for more (the sender is told); an answer now does not
    // apply.
    let told = |subject: &'static str| {
        let db = &w.app.db;
        async move {
            db.query_i64(&format!(
                "SELECT count(*) FROM outbox WHERE recipient = '0941000001' AND subject LIKE '{subject}%'"
            ))
            .await
            .unwrap()
        }
    };
    assert_eq!(told("Đề nghị bổ sung").await, 0);
    let f = ok(act(
        &w.desk,
        &code,
        json!({ "action": "request_supplement", "note": "Ghi rõ ngày hẹn" }),
    )
    .await);
    assert_eq!(f["status"], "awaiting_supplement");
    assert_eq!(
        told("Đề nghị bổ sung thông tin phản ánh PA-2025-000001").await,
        1
    );
    assert!(
        f["due"].is_null(),
        "nothing is owed while the sender is asked"
    );
    let (s, p) = act(
        &w.desk,
        &code,
        json!({ "action": "answer", "answer": "Trả lời sớm quá mức" }),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["field"], "action", "{p}");
    let (s, p) = act(&w.desk, &code, json!({ "action": "refuse", "note": "" })).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("note")), "{p}");
    // Another citizen cannot answer it for the sender; the sender can.
    let r = post_own(
        &mut binh,
        &code,
        "bo-sung",
        &[("supplement", "Không phải của tôi")],
    )
    .await;
    assert_eq!(r.status, 404);
    let page = an.get(&format!("/cong-dan/phan-anh/{code}")).await;
    assert!(
        page.body.contains("Ghi rõ ngày hẹn"),
        "the sender reads the note"
    );
    let r = post_own(
        &mut an,
        &code,
        "bo-sung",
        &[("supplement", "Các ngày 3, 10 và 17/11")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Accepted on Monday 01/12, past the decision due (Wednesday 26/11
    // 09:00): late from then on. The answer is due 15 working days later:
    // Monday 22/12 10:00.
    set_clock(&w, "2025-12-01T10:00");
    let f = ok(act(&w.desk, &code, json!({ "action": "accept" })).await);
    assert_eq!(f["status"], "accepted");
    assert_eq!(f["late_at"], vn("2025-11-26T09:00"));
    assert_eq!(f["due"], vn("2025-12-22T10:00"));
    // Assigning needs someone who handles the unit's feedback.
    let (s, p) = act(
        &w.desk,
        &code,
        json!({ "action": "assign", "handler": "chuyenvien" }),
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (422, Some("handler")), "{p}");
    let f = ok(act(
        &w.desk,
        &code,
        json!({ "action": "assign", "handler": "lanhdao" }),
    )
    .await);
    assert_eq!(f["status"], "assigned");
    let f = ok(act(&w.leader, &code, json!({ "action": "answer", "answer": "Đơn vị đã nhắc nhở công chức và trả kết quả ngày 01/12." })).await);
    assert_eq!(f["status"], "answered");
    assert_eq!(
        f["due"],
        vn("2025-12-03T10:00"),
        "publish within 2 working days"
    );
    assert_eq!(told("Phản ánh PA-2025-000001 đã có kết quả").await, 1);
    let f = ok(act(&w.desk, &code, json!({ "action": "publish" })).await);
    assert_eq!(f["status"], "published");
    assert!(f["due"].is_null());

    // Published: everyone reads it, signed-in people vote once each.
    let list = Browser::new(&w.app).get("/cong-dan/phan-anh").await;
    assert!(
        list.body.contains("Cán bộ hẹn trả kết quả nhiều lần"),
        "{}",
        list.body
    );
    let anon = Browser::new(&w.app)
        .get(&format!("/cong-dan/phan-anh/{code}"))
        .await;
    assert_eq!(anon.status, 200);
    assert!(anon.body.contains("Đơn vị đã nhắc nhở"));
    assert!(
        !anon.body.contains("Các ngày 3, 10"),
        "the supplement stays the sender's"
    );
    assert_eq!(
        post_own(&mut binh, &code, "binh-chon", &[("liked", "0")])
            .await
            .status,
        303
    );
    assert_eq!(
        post_own(&mut binh, &code, "binh-chon", &[("liked", "0")])
            .await
            .status,
        303
    );
    assert_eq!(
        post_own(&mut an, &code, "binh-chon", &[("liked", "1")])
            .await
            .status,
        303
    );
    assert_eq!(
        post_own(&mut an, &code, "binh-chon", &[("liked", "yes")])
            .await
            .status,
        422
    );
    let f = ok(get_json(&w.desk, &format!("/api/feedback/{code}")).await);
    assert_eq!(
        (f["likes"].as_i64(), f["dislikes"].as_i64()),
        (Some(1), Some(1))
    );
    let (s, _) = act(&w.desk, &code, json!({ "action": "publish" })).await;
    assert_eq!(s, 422, "published once");
    // Every change is in the audit trail under the feedback's id.
    let audited = w
        .app
        .db
        .query_i64("SELECT count(*) FROM audit_log WHERE subject = 'feedback:1'")
        .await
        .unwrap();
    // send, request_supplement, supply, accept, assign, answer, publish, 3 votes
    assert_eq!(audited, 10);
}

/// The 766 figures over what three citizens sent on Monday 24/11/2025.
async fn the_766_figures_count_repeats_lateness_and_votes_as_of_the_period_end(b: Backend) {
    let w = world(b).await;
    let mut an = citizen(&w, "0942000001").await;
    let mut binh = citizen(&w, "0942000002").await;
    // f1: answered and published on time, then disliked by two, liked by one.
    let f1 = sent_code(&send(&mut an, &[]).await);
    // f2: the same matter again (same title, same unit): a repeat.
    let f2 = sent_code(
        &send(
            &mut an,
            &[("content", "Tôi viết lại vì chưa thấy trả lời.")],
        )
        .await,
    );
    // f3: a proposal, no consent to publish, answered on time.
    let f3 = sent_code(
        &send(
            &mut binh,
            &[
                ("category", "proposal"),
                ("title", "Đề nghị thêm quầy"),
                ("consent", ""),
            ],
        )
        .await,
    );
    // f4: refused on Friday 28/11, two days after its decision due.
    let f4 = sent_code(
        &send(
            &mut binh,
            &[("category", "regulation"), ("title", "Quy định khó hiểu")],
        )
        .await,
    );
    let g = ok(get_json(&w.desk, &format!("/api/feedback/{f2}")).await);
    assert_eq!(g["repeat_of"], 1, "f2 repeats f1");
    for code in [&f1, &f2, &f3] {
        ok(act(&w.desk, code, json!({ "action": "accept" })).await);
    }
    for code in [&f1, &f3] {
        ok(act(
            &w.desk,
            code,
            json!({ "action": "answer", "answer": "Đơn vị đã tiếp thu và xử lý." }),
        )
        .await);
    }
    ok(act(&w.desk, &f1, json!({ "action": "publish" })).await);
    let (s, p) = act(&w.desk, &f3, json!({ "action": "publish" })).await;
    assert_eq!(s, 422, "no consent, no publication: {p}");
    let mut chi = citizen(&w, "0942000003").await;
    // f5: first-time, taken up on time, not yet answered (due in 15 days).
    let f5 = sent_code(
        &send(
            &mut chi,
            &[("category", "other"), ("title", "Bãi gửi xe chật")],
        )
        .await,
    );
    ok(act(&w.desk, &f5, json!({ "action": "accept" })).await);
    // The votes come on Thursday 27/11.
    set_clock(&w, "2025-11-27T10:00");
    assert_eq!(
        post_own(&mut binh, &f1, "binh-chon", &[("liked", "0")])
            .await
            .status,
        303
    );
    assert_eq!(
        post_own(&mut chi, &f1, "binh-chon", &[("liked", "0")])
            .await
            .status,
        303
    );
    assert_eq!(
        post_own(&mut an, &f1, "binh-chon", &[("liked", "1")])
            .await
            .status,
        303
    );
    // Voting on an answer not published is refused.
    assert_eq!(
        post_own(&mut an, &f2, "binh-chon", &[("liked", "1")])
            .await
            .status,
        409
    );
    set_clock(&w, "2025-11-28T15:00");
    ok(act(
        &w.desk,
        &f4,
        json!({ "action": "refuse", "note": "Không thuộc phạm vi" }),
    )
    .await);

    let report = |to: &str| {
        format!(
            "/api/reports/feedback?unit={}&from=2025-11-01&to={to}",
            codes::PROVINCE
        )
    };
    let admin = &w.admin;
    let r = ok(get_json(admin, &report("2025-11-30")).await);
    let total = &r["total"];
    assert_eq!(total["figures"]["received"], 5);
    assert_eq!(total["figures"]["first_time"], 4);
    assert_eq!(total["figures"]["repeated"], 1);
    assert_eq!(total["figures"]["late"], 1, "f4");
    assert_eq!(
        total["figures"]["disliked"], 1,
        "f1: two dislikes, one like"
    );
    // 5.2: 4 of 5 on time; 5.3: (4 first-time − 1 disliked − 1 late − 1
    // repeated) ÷ 4.
    assert_eq!(total["on_time_percent"], 80.0);
    assert_eq!(total["satisfaction_percent"], 25.0);
    // 5.1: by category, in the order the report names them.
    assert_eq!(
        r["categories"],
        json!([
            "conduct",
            "regulation",
            "proposal",
            "dossier_handling",
            "other"
        ])
    );
    assert_eq!(total["by_category"], json!([2, 1, 1, 0, 1]));
    assert_eq!(r["rows"][0]["unit"], codes::DESK_A);

    // As of Tuesday 25/11's end, f4 was not yet late (due Wednesday 09:00)
    // and nobody had voted: nothing late, nothing disliked.
    let r = ok(get_json(admin, &report("2025-11-25")).await);
    assert_eq!(r["total"]["figures"]["late"], 0);
    assert_eq!(r["total"]["figures"]["disliked"], 0);
    assert_eq!(
        r["total"]["satisfaction_percent"], 75.0,
        "(4 first-time − 1 repeated) ÷ 4"
    );
    // As of Wednesday 26/11's end it was late; the votes were still to come.
    let r = ok(get_json(admin, &report("2025-11-26")).await);
    assert_eq!(r["total"]["figures"]["late"], 1);
    assert_eq!(r["total"]["figures"]["disliked"], 0);

    // Bad periods and units name the parameter.
    for (q, field) in [
        (
            format!("unit={}&from=2025-12-01&to=2025-11-01", codes::PROVINCE),
            "to",
        ),
        (
            "unit=khong-co&from=2025-11-01&to=2025-11-30".to_owned(),
            "unit",
        ),
        (
            format!("unit={}&from=hom-qua&to=2025-11-30", codes::PROVINCE),
            "from",
        ),
    ] {
        let (s, p) = get_json(admin, &format!("/api/reports/feedback?{q}")).await;
        assert_eq!((s, p["field"].as_str()), (422, Some(field)), "{q}: {p}");
    }
    // Someone without statistics rights is refused.
    let (s, _) = get_json(&w.desk, &report("2025-11-30")).await;
    assert_eq!(s, 403);

    // A day's limit: ten feedbacks from one account, not eleven.
    let mut dung = citizen(&w, "0942000004").await;
    for i in 0..10 {
        let title = format!("Phản ánh số {i} trong ngày");
        sent_code(&send(&mut dung, &[("title", &title)]).await);
    }
    let before = count(&w).await;
    let r = send(&mut dung, &[("title", "Phản ánh thứ mười một")]).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(count(&w).await, before);
}

/// Who reaches a feedback sent to the desk of district A: the rule (from
/// the issue) is a role that handles feedback (desk officer, specialist,
/// leader, system administrator) granted on the desk or a unit above it;
/// such a role elsewhere reads it as missing (404), and a role that
/// handles no feedback anywhere is refused (403). Generated over every
/// role and the seed tree's units; each case tries the read and an action.
async fn feedback_reaches_staff_by_role_and_unit_tree(b: Backend) {
    let w = world(b).await;
    let mut an = citizen(&w, "0943000001").await;
    let mut other = citizen(&w, "0943000002").await;
    let code = sent_code(&send(&mut an, &[("consent", "")]).await);
    let handles = |r: Role| {
        matches!(
            r,
            Role::DeskOfficer | Role::Specialist | Role::Leader | Role::SystemAdmin
        )
    };
    // Units above or at the desk, by hand from the seed tree.
    let above = [codes::PROVINCE, codes::DISTRICT_A, codes::DESK_A];
    let units = [
        codes::PROVINCE,
        codes::DISTRICT_A,
        codes::DESK_A,
        codes::OFFICE_A,
        codes::COMMUNE_A,
        codes::DISTRICT_B,
    ];
    let mut n = 0;
    for role in Role::ALL {
        for unit in units {
            n += 1;
            let c = w
                .app
                .client(&format!("mx{n:03}"), role, unit)
                .await
                .unwrap();
            let expected = if !handles(role) {
                403
            } else if above.contains(&unit) {
                200
            } else {
                404
            };
            let (s, _) = get_json(&c, &format!("/api/feedback/{code}")).await;
            assert_eq!(s, expected, "read as {role:?} on {unit}");
            // An action that does not apply (publish before an answer):
            // allowed callers reach the rule (422), the others as above.
            let (s, _) = act(&c, &code, json!({ "action": "publish" })).await;
            let acting = if expected == 200 { 422 } else { expected };
            assert_eq!(s, acting, "act as {role:?} on {unit}");
            let (s, list) = get_json(&c, "/api/feedback").await;
            if expected == 403 {
                assert_eq!(s, 403, "list as {role:?} on {unit}");
            } else {
                assert_eq!(s, 200, "list as {role:?} on {unit}");
                let listed = list.as_array().unwrap().iter().any(|f| f["code"] == code);
                assert_eq!(listed, expected == 200, "list as {role:?} on {unit}");
            }
        }
    }
    let f = ok(get_json(&w.desk, &format!("/api/feedback/{code}")).await);
    assert_eq!(f["status"], "received", "nothing changed");

    // The two-account check on every owned portal route: another's
    // feedback reads as a missing code and changes nothing.
    for (method, route) in OWNED_ROUTES {
        let path = |c: &str| route.replace("{code}", c);
        let (theirs, missing) = if method == "GET" {
            (
                other.get(&path(&code)).await,
                other.get(&path("PA-2025-999999")).await,
            )
        } else {
            let tail = route.rsplit('/').next().unwrap();
            let fields = [("supplement", "Không phải của tôi"), ("liked", "1")];
            (
                post_own(&mut other, &code, tail, &fields).await,
                post_own(&mut other, "PA-2025-999999", tail, &fields).await,
            )
        };
        assert_eq!(theirs.status, 404, "{method} {route}");
        assert_eq!(theirs.status, missing.status, "{method} {route}");
        assert_eq!(
            theirs.body.replace(&code, "X"),
            missing.body.replace("PA-2025-999999", "X"),
            "{method} {route}"
        );
    }
    let votes = w
        .app
        .db
        .query_i64("SELECT count(*) FROM feedback_votes")
        .await
        .unwrap();
    assert_eq!(votes, 0);
    let f = ok(get_json(&w.desk, &format!("/api/feedback/{code}")).await);
    assert!(f["supplement"].is_null());
}
