//! Ratings after return and the satisfaction report over HTTP on both
//! databases (issue 19, point 6): the receipt's holder rates on the status
//! page, the owner on the portal, once each and only after return; the
//! report's figures are counted by hand from the ratings given.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, codes};
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::api_dossiers::{World, act, attach_result, get_json, ok, receive, reception, world};
use crate::portal_accounts::{Browser, registered, sign_in, token};

on_both!(
    the_receipt_holder_rates_once_after_return,
    the_owner_rates_and_the_report_counts
);

async fn version(w: &World, code: &str) -> Value {
    ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await)["version"].clone()
}

/// Takes a received dossier through the office to its return.
async fn to_return(w: &World, code: &str) {
    let v = version(w, code).await;
    ok(act(
        &w.desk,
        code,
        json!({ "action": "hand_over", "version": v, "to_user": "chuyenvien" }),
    )
    .await);
    let v = version(w, code).await;
    ok(act(
        &w.specialist,
        code,
        json!({ "action": "hand_over", "version": v, "to_user": "lanhdao" }),
    )
    .await);
    attach_result(&w.leader, code).await;
    let v = version(w, code).await;
    ok(act(
        &w.leader,
        code,
        json!({ "action": "sign_result", "version": v }),
    )
    .await);
    let v = version(w, code).await;
    ok(act(
        &w.desk,
        code,
        json!({ "action": "record_return", "version": v, "method": "in_person", "collector_name": "Người nhận" }),
    )
    .await);
}

async fn rate_receipt(
    b: &mut Browser,
    code: &str,
    check: &str,
    fields: &[(&str, &str)],
) -> crate::portal_accounts::Answer {
    let page = b.get(&format!("/tra-cuu/{code}?t={check}")).await;
    let t = token(&page.body);
    let mut all = vec![("csrf_token", t.as_str()), ("t", check)];
    all.extend_from_slice(fields);
    b.post_raw(
        &format!("/tra-cuu/{code}/danh-gia"),
        serde_urlencoded::to_string(&all).unwrap(),
        &[],
    )
    .await
}

async fn the_receipt_holder_rates_once_after_return(b: Backend) {
    let w = world(b).await;
    let d = ok(receive(&w.desk, &reception("Phan Văn Tín")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let check = d["status_url"]
        .as_str()
        .unwrap()
        .split("?t=")
        .nth(1)
        .unwrap()
        .to_owned();
    let mut holder = Browser::new(&w.app);

    // Not returned yet: no form, and a posted rating is refused.
    let page = holder.get(&format!("/tra-cuu/{code}?t={check}")).await;
    assert!(
        !page.body.contains("Đánh giá mức độ hài lòng"),
        "{}",
        page.body
    );
    let early = holder
        .post_raw(
            &format!("/tra-cuu/{code}/danh-gia"),
            format!("csrf_token=x&t={check}&overall=5"),
            &[],
        )
        .await;
    assert_eq!(early.status, 403, "no form token, no rating");

    to_return(&w, &code).await;
    let page = holder.get(&format!("/tra-cuu/{code}?t={check}")).await;
    assert!(
        page.body.contains("Đánh giá mức độ hài lòng"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"name="civil_servant""#));
    // A wrong check value rates nothing; a missing overall score is named.
    let r = rate_receipt(&mut holder, &code, &check, &[("overall", "6")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("từ 1 đến 5"), "{}", r.body);
    let page = holder.get(&format!("/tra-cuu/{code}?t={check}")).await;
    let t = token(&page.body);
    let wrong = holder
        .post_raw(
            &format!("/tra-cuu/{code}/danh-gia"),
            format!("csrf_token={t}&t=sai&overall=1"),
            &[],
        )
        .await;
    assert_eq!(wrong.status, 404);
    let r = rate_receipt(
        &mut holder,
        &code,
        &check,
        &[
            ("overall", "4"),
            ("access", "5"),
            ("procedure", "3"),
            ("comment", "Cán bộ nhiệt tình"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = holder.get(&format!("/tra-cuu/{code}?t={check}")).await;
    assert!(
        page.body
            .contains("Cảm ơn bạn đã đánh giá: mức độ hài lòng chung 4/5"),
        "{}",
        page.body
    );
    // Once only (the form's token is the visitor's cookie, still valid).
    let again = holder
        .post_raw(
            &format!("/tra-cuu/{code}/danh-gia"),
            format!("csrf_token={t}&t={check}&overall=1"),
            &[],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("đã được đánh giá"), "{}", again.body);
    let kept = w
        .app
        .db
        .query_i64("SELECT overall FROM dossier_ratings")
        .await
        .unwrap();
    assert_eq!(kept, 4);
}

async fn the_owner_rates_and_the_report_counts(b: Backend) {
    let w = world(b).await;
    // One rating through the receipt: overall 4, access 5, procedure 3.
    let d = ok(receive(&w.desk, &reception("Đinh Thị Lan")).await);
    let code1 = d["code"].as_str().unwrap().to_owned();
    let check = d["status_url"]
        .as_str()
        .unwrap()
        .split("?t=")
        .nth(1)
        .unwrap()
        .to_owned();
    to_return(&w, &code1).await;
    let mut holder = Browser::new(&w.app);
    let r = rate_receipt(
        &mut holder,
        &code1,
        &check,
        &[("overall", "4"), ("access", "5"), ("procedure", "3")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // One by the owner on the portal: overall 2, access 4.
    let mut citizen = registered(&w.app, "0977000777", "0977000777", "mat-khau-dai-7").await;
    assert_eq!(
        sign_in(&mut citizen, "0977000777", "mat-khau-dai-7")
            .await
            .status,
        303
    );
    let code2 =
        crate::portal_submit::submit_online(&mut citizen, "Đinh Văn Tâm", "0977000777").await;
    ok(act(
        &w.desk,
        &code2,
        json!({ "action": "accept_online", "version": 1 }),
    )
    .await);
    to_return(&w, &code2).await;
    let page = citizen.get(&format!("/cong-dan/ho-so/{code2}")).await;
    assert!(
        page.body.contains("Đánh giá mức độ hài lòng"),
        "{}",
        page.body
    );
    let t = token(&page.body);
    let r = citizen
        .post_raw(
            &format!("/cong-dan/ho-so/{code2}/danh-gia"),
            format!("csrf_token={t}&overall=2&access=4&procedure=&comment="),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = citizen.get(&format!("/cong-dan/ho-so/{code2}")).await;
    assert!(page.body.contains("chung 2/5"), "{}", page.body);
    let r = citizen
        .post_raw(
            &format!("/cong-dan/ho-so/{code2}/danh-gia"),
            format!("csrf_token={t}&overall=5"),
            &[],
        )
        .await;
    assert_eq!(r.status, 409);

    // The report, counted by hand: 2 responses at the desk; overall 1 of 2
    // satisfied (50 %), mean 3; access 2 of 2 (100 %), procedure 0 of 1
    // (0 %), the other aspects unanswered; index (100 + 0) / 2 = 50; no
    // rank under 30 responses.
    let viewer = w
        .app
        .client("theodoi", Role::Viewer, codes::PROVINCE)
        .await
        .unwrap();
    let (status, rep) = get_json(
        &viewer,
        &format!(
            "/api/reports/satisfaction?unit={}&from=2025-11-01&to=2025-12-31",
            codes::PROVINCE
        ),
    )
    .await;
    assert_eq!(status, 200, "{rep}");
    let rows = rep["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rep}");
    let row = &rows[0];
    assert_eq!(row["unit"], codes::DESK_A);
    assert_eq!(row["ratings"]["responses"], 2);
    assert_eq!(row["satisfied_percent"], 50.0);
    assert_eq!(row["mean"], 3.0);
    assert_eq!(
        row["aspect_percents"],
        json!([100.0, 0.0, null, null, null])
    );
    assert_eq!(row["index"], 50.0);
    assert_eq!(row["rank"], Value::Null);
    assert_eq!(rep["total"]["ratings"]["responses"], 2);
    assert_eq!(rep["min_sample"], 30);
    // The same figures on the staff reports page.
    let page = viewer
        .http
        .get(viewer.url(&format!(
            "/bao-cao?unit={}&from=2025-11-01&to=2025-12-31",
            codes::PROVINCE
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Mức độ hài lòng của người dân, doanh nghiệp"),
        "{page}"
    );
    let at = page.find(r#"id="satisfaction""#).expect("the section");
    let section = &page[at..];
    assert!(
        section.contains("Bộ phận Một cửa huyện Đô Lương"),
        "{section}"
    );
    assert!(
        section.contains("50.0 %") && section.contains("100.0 %") && section.contains("3.00"),
        "{section}"
    );
    // A period without ratings, and another district's subtree: none.
    let (_, none) = get_json(
        &viewer,
        &format!(
            "/api/reports/satisfaction?unit={}&from=2025-01-01&to=2025-01-31",
            codes::PROVINCE
        ),
    )
    .await;
    assert_eq!(none["rows"], json!([]));
    let (_, other) = get_json(
        &viewer,
        &format!(
            "/api/reports/satisfaction?unit={}&from=2025-11-01&to=2025-12-31",
            codes::DISTRICT_B
        ),
    )
    .await;
    assert_eq!(other["rows"], json!([]));
    // Who may not read statistics there is refused; bad input is named.
    let (status, _) = get_json(
        &w.desk,
        &format!(
            "/api/reports/satisfaction?unit={}&from=2025-11-01&to=2025-12-31",
            codes::PROVINCE
        ),
    )
    .await;
    assert_eq!(status, 403);
    let (status, e) = get_json(
        &viewer,
        &format!(
            "/api/reports/satisfaction?unit={}&from=2025-12-31&to=2025-11-01",
            codes::PROVINCE
        ),
    )
    .await;
    assert_eq!(status, 422, "{e}");
}
