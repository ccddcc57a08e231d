//! Two applicants try each other's dossier on every portal route that takes
//! an owned dossier's code (issue 19, point 7), on both databases. The
//! routes come from `portal::mine::OWNED_ROUTES`, the list the router
//! registers, so a new route is tried here without writing a case.
//!
//! Rule (from the issue, not the code): an applicant reaches their own
//! dossier (any answer but 404); another's answers exactly as a missing
//! code does (same status, same page) and changes nothing: no file joins
//! it, no rating is kept, its version stays.

use motcua_testkit::Backend;
use motcua_web::portal::mine::OWNED_ROUTES;
use serde_json::json;

use crate::api_auth::on_both;
use crate::api_dossiers::{World, act, attach_result, get_json, ok, world};
use crate::portal_accounts::{Answer, Browser, registered, sign_in, token};

on_both!(another_applicants_dossier_reads_as_missing_on_every_route);

const PDF: &[u8] = b"%PDF-1.4\n% matrix\n";
const MISSING: &str = "000.01.21.H40-251124-9999";

fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "mAtRiXbOuNdArY";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some(f) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file-0\"; filename=\"a.pdf\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(f);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A signed-in applicant with the session's token.
struct Who {
    b: Browser,
    csrf: String,
}

async fn applicant(w: &World, phone: &str) -> Who {
    let mut b = registered(&w.app, phone, phone, "mat-khau-matran-1").await;
    assert_eq!(
        sign_in(&mut b, phone, "mat-khau-matran-1").await.status,
        303
    );
    let page = b.get("/cong-dan/tai-khoan").await;
    Who {
        csrf: token(&page.body),
        b,
    }
}

async fn submit(w: &World, who: &mut Who) -> String {
    let code = crate::portal_submit::submit_online(&mut who.b, "Người Thử", "0912345678").await;
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "accept_online", "version": 1 }),
    )
    .await);
    code
}

async fn version(w: &World, code: &str) -> serde_json::Value {
    ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await)["version"].clone()
}

/// The first file id on the owner's page of `code`.
async fn file_id(who: &mut Who, code: &str) -> String {
    let page = who.b.get(&format!("/cong-dan/ho-so/{code}")).await;
    let link = format!("/cong-dan/ho-so/{code}/tep/");
    let at = page.body.find(&link).expect("a file link");
    page.body[at + link.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// What a dossier's state looks like from outside: version, files, rating.
async fn state(w: &World, code: &str) -> (serde_json::Value, usize, i64) {
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{code}")).await);
    let ratings = w
        .app
        .db
        .query_i64(&format!(
            "SELECT count(*) FROM dossier_ratings r JOIN dossiers d ON d.id = r.dossier_id WHERE d.code = '{code}'"
        ))
        .await
        .unwrap();
    (
        d["version"].clone(),
        d["files"].as_array().map_or(0, Vec::len),
        ratings,
    )
}

/// Records a paid payment of `code` under `reference` (the gateway is not
/// the subject here), so the receipt route has something to answer.
async fn paid(w: &World, code: &str, reference: &str) {
    w.app
        .db
        .execute(&format!(
            "INSERT INTO payments (dossier_id, reference, amount_dong, status, transaction_no, \
             created_at_ms, settled_at_ms) SELECT id, '{reference}', 50000, 'paid', 'TXN{reference}', \
             1764000000000, 1764000000000 FROM dossiers WHERE code = '{code}'"
        ))
        .await
        .unwrap();
}

/// Calls `route` on `code`; `{id}` is the file's id and `{payment}` the
/// payment's reference, both of that dossier.
async fn call(
    who: &mut Who,
    method: &str,
    route: &str,
    code: &str,
    file: &(String, String),
) -> Answer {
    let path = route
        .replace("{code}", code)
        .replace("{id}", &file.0)
        .replace("{payment}", &file.1);
    if method == "GET" {
        return who.b.get(&path).await;
    }
    if path.ends_with("/bo-sung") {
        let (ctype, body) = multipart(&[("csrf_token", &who.csrf), ("version", "4")], Some(PDF));
        let r = who
            .b
            .http
            .post(format!("{}{path}", who.b.base))
            .header("cookie", who.b.cookie_header())
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        return who.b.answer(r).await;
    }
    let form = format!("csrf_token={}&overall=5", who.csrf);
    who.b.post_raw(&path, form, &[]).await
}

async fn another_applicants_dossier_reads_as_missing_on_every_route(b: Backend) {
    let w = world(b).await;
    let mut a = applicant(&w, "0901000001").await;
    let mut bee = applicant(&w, "0901000002").await;
    // A's dossier waits for a supplement; B's is returned.
    let da = submit(&w, &mut a).await;
    let v = version(&w, &da).await;
    ok(act(
        &w.desk,
        &da,
        json!({ "action": "hand_over", "version": v, "to_user": "chuyenvien" }),
    )
    .await);
    let v = version(&w, &da).await;
    ok(act(&w.desk, &da, json!({ "action": "request_supplement", "version": v, "reason": "Thiếu", "items": [{ "name": "Giấy tờ" }] })).await);
    let db = submit(&w, &mut bee).await;
    let v = version(&w, &db).await;
    ok(act(
        &w.desk,
        &db,
        json!({ "action": "hand_over", "version": v, "to_user": "chuyenvien" }),
    )
    .await);
    let v = version(&w, &db).await;
    ok(act(
        &w.specialist,
        &db,
        json!({ "action": "hand_over", "version": v, "to_user": "lanhdao" }),
    )
    .await);
    attach_result(&w.leader, &db).await;
    let v = version(&w, &db).await;
    ok(act(
        &w.leader,
        &db,
        json!({ "action": "sign_result", "version": v }),
    )
    .await);
    let v = version(&w, &db).await;
    ok(act(&w.desk, &db, json!({ "action": "record_return", "version": v, "method": "in_person", "collector_name": "B" })).await);
    paid(&w, &da, "ref-a").await;
    paid(&w, &db, "ref-b").await;
    let fa = (file_id(&mut a, &da).await, "ref-a".to_owned());
    let fb = (file_id(&mut bee, &db).await, "ref-b".to_owned());

    let mut tried = 0;
    for (method, route) in OWNED_ROUTES {
        // Strangers first, so the owners' own changes come after.
        for (stranger, code, file) in [(&mut bee, &da, &fa), (&mut a, &db, &fb)] {
            let before = state(&w, code).await;
            let theirs = call(stranger, method, route, code, file).await;
            let missing = call(stranger, method, route, MISSING, file).await;
            assert_eq!(theirs.status, 404, "{method} {route} on another's {code}");
            assert_eq!(theirs.status, missing.status, "{method} {route}");
            assert_eq!(
                theirs.body.replace(code.as_str(), "X"),
                missing.body.replace(MISSING, "X"),
                "{method} {route}: another's reads exactly as missing"
            );
            assert_eq!(
                state(&w, code).await,
                before,
                "{method} {route} changed {code}"
            );
            tried += 1;
        }
        for (owner, code, file) in [(&mut a, &da, &fa), (&mut bee, &db, &fb)] {
            let r = call(owner, method, route, code, file).await;
            assert_ne!(r.status, 404, "{method} {route}: the owner reaches {code}");
            assert!(r.status < 500, "{method} {route}: {}", r.status);
        }
    }
    assert_eq!(tried, OWNED_ROUTES.len() * 2);
    // The owners' posts did what they should: A supplied, B rated.
    let d = ok(get_json(&w.desk, &format!("/api/dossiers/{da}")).await);
    assert_eq!(d["status"], "processing");
    assert_eq!(state(&w, &db).await.2, 1);
}
