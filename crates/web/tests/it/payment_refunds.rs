//! Refunds, receipts and reconciliation of fees paid online (issue 19,
//! point 5) over HTTP on both databases, against the simulated gateway.
//!
//! Rules (from the issue): desk officers and leaders of the dossier's unit
//! and system administrators refund, whole or in part, with a reason;
//! others are refused (403, audited) and another unit's dossier reads as
//! missing; never more than was paid. A fee refunded whole no longer counts
//! as paid online. Reconciliation shows a payment whose answer never came
//! as only at the gateway, and flags differing amounts.
//!
//! The world's fee is 50.000 đồng; the clock stands on Monday 24/11/2025
//! 09:00 (Viet Nam), so every payment and refund falls on that day.

use std::sync::Arc;

use motcua_domain::role::Role;
use motcua_notify::payment::SignedGateway;
use motcua_notify::simulators::PaymentGatewaySimulator;
use motcua_testkit::{Backend, Client, Gateway, Options, codes};
use serde_json::{Value, json};

use crate::api_auth::on_both;
use crate::api_dossiers::{World, act, fetch, get_json, ok, pdf_text, world_with};
use crate::portal_accounts::{Browser, registered, sign_in, token};
use crate::portal_payment::{at_gateway, gateway_link, path_of, pay};

on_both!(
    refunds_are_checked_recorded_and_take_the_fee_out_of_the_figures,
    the_dossier_page_refunds_through_its_form,
    only_desk_officers_and_leaders_of_the_dossiers_units_refund,
    a_forged_refund_answer_leaves_the_refund_waiting_until_asked_again,
    reconciliation_finds_a_missed_answer_and_a_differing_amount
);

const SECRET: &str = "bi-mat-hoan-tien";

/// A world whose services pay through a simulated gateway.
async fn gateway_world(b: Backend) -> (World, PaymentGatewaySimulator) {
    let sim = PaymentGatewaySimulator::start("MOTCUATEST", SECRET)
        .await
        .unwrap();
    let gateway = SignedGateway::new(sim.settings("MOTCUATEST", SECRET)).unwrap();
    let w = world_with(
        b,
        Options {
            payments: Some(Gateway(Arc::new(gateway))),
            ..Options::default()
        },
    )
    .await;
    (w, sim)
}

/// A citizen submits online, the desk accepts, the citizen goes to the
/// gateway and presses "Pay"; with `answered` the browser comes back with
/// the gateway's answer, without it the answer never reaches us. Answers
/// the citizen's browser and the dossier's code.
async fn paid_dossier(w: &World, phone: &str, answered: bool) -> (Browser, String) {
    let mut c = registered(&w.app, phone, phone, "mat-khau-hoan-1").await;
    assert_eq!(sign_in(&mut c, phone, "mat-khau-hoan-1").await.status, 303);
    let code = crate::portal_submit::submit_online(&mut c, "Vũ Thị Thu", phone).await;
    ok(act(
        &w.desk,
        &code,
        json!({ "action": "accept_online", "version": 1 }),
    )
    .await);
    let page = c.get(&format!("/cong-dan/ho-so/{code}")).await;
    let t = token(&page.body);
    let go = pay(&mut c, &format!("/cong-dan/ho-so/{code}/thanh-toan"), &t).await;
    assert_eq!(go.status, 200, "{}", go.body);
    let back = at_gateway(&gateway_link(&go.body), 0).await;
    if answered {
        let r = c.get(&path_of(&back)).await;
        assert!(r.location.ends_with("?tt=ok"), "{}", r.location);
    }
    (c, code)
}

async fn post(c: &Client, path: &str, body: Value) -> (u16, Value) {
    let r = c.http.post(c.url(path)).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn refund(c: &Client, code: &str, body: Value) -> (u16, Value) {
    post(c, &format!("/api/dossiers/{code}/refunds"), body).await
}

async fn count(w: &World, sql: &str) -> i64 {
    w.app.db.query_i64(sql).await.unwrap()
}

/// What the database holds of refunds: rows, and what the payments hold
/// back.
async fn refund_state(w: &World) -> (i64, i64) {
    (
        count(w, "SELECT count(*) FROM payment_refunds").await,
        count(
            w,
            "SELECT CAST(coalesce(sum(refunded_dong), 0) AS BIGINT) FROM payments",
        )
        .await,
    )
}

async fn portal_figures(w: &World) -> Value {
    ok(get_json(
        &w.leader,
        &format!(
            "/api/reports/portal?unit={}&from=2025-11-01&to=2025-11-30",
            codes::DISTRICT_A
        ),
    )
    .await)
}

async fn refunds_are_checked_recorded_and_take_the_fee_out_of_the_figures(b: Backend) {
    let (w, _sim) = gateway_world(b).await;
    let (mut citizen, code) = paid_dossier(&w, "0932000441", true).await;
    let payments = ok(get_json(&w.desk, &format!("/api/dossiers/{code}/payments")).await);
    assert_eq!(payments.as_array().unwrap().len(), 1, "{payments}");
    let p = &payments[0];
    assert_eq!(p["amount_dong"], 50000);
    assert_eq!(p["refunded_dong"], 0);
    assert_eq!(p["status"], "paid");
    assert_eq!(p["counts_as_paid"], true);
    let reference = p["reference"].as_str().unwrap().to_owned();

    // Refused inputs name their field and change nothing.
    for (body, field) in [
        (json!({ "reason": "  " }), "reason"),
        (json!({ "reason": "x".repeat(1001) }), "reason"),
        (json!({ "reason": "Hoàn", "amount_dong": 0 }), "amount_dong"),
        (
            json!({ "reason": "Hoàn", "amount_dong": 50001 }),
            "amount_dong",
        ),
        (
            json!({ "reason": "Hoàn", "payment": "khong-co" }),
            "payment",
        ),
    ] {
        let (s, e) = refund(&w.desk, &code, body.clone()).await;
        assert_eq!(s, 422, "{body} → {e}");
        assert_eq!(e["field"], field, "{body} → {e}");
    }
    let (s, _) = refund(&w.desk, &code, json!({ "reasons": "x" })).await;
    assert_eq!(s, 422, "an unknown field");
    assert_eq!(refund_state(&w).await, (0, 0));

    // A viewer of the unit may read but not refund: 403, audited.
    let viewer = w
        .app
        .client("xem", Role::Viewer, codes::DISTRICT_A)
        .await
        .unwrap();
    assert_eq!(
        get_json(&viewer, &format!("/api/dossiers/{code}/payments"))
            .await
            .0,
        200
    );
    let (s, _) = refund(&viewer, &code, json!({ "reason": "Hoàn" })).await;
    assert_eq!(s, 403);
    assert_eq!(refund_state(&w).await, (0, 0));
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied' \
             AND detail LIKE '%manage_payments%'"
        )
        .await,
        1
    );

    // The desk gives back 20.000 đồng, the leader the 30.000 left.
    let (s, r) = refund(
        &w.desk,
        &code,
        json!({ "reason": "Hồ sơ bị từ chối một phần", "amount_dong": 20000 }),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["amount_dong"], 20000);
    assert_eq!(r["status"], "done");
    assert_eq!(r["payment_reference"], reference.as_str());
    assert_eq!(r["requested_by"], "tiepnhan");
    assert_eq!(r["transaction_no"].as_str().unwrap().len(), 12);
    assert_eq!(refund_state(&w).await, (1, 20000));
    assert_eq!(portal_figures(&w).await["counts"]["paid_online"], 1);
    let (s, r) = refund(&w.leader, &code, json!({ "reason": "Công dân rút hồ sơ" })).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["amount_dong"], 30000);
    assert_eq!(refund_state(&w).await, (2, 50000));
    // Nothing is left: a third refund is refused and changes nothing.
    let (s, e) = refund(&w.desk, &code, json!({ "reason": "Lần nữa" })).await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(refund_state(&w).await, (2, 50000));
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM payment_refunds WHERE status = 'done'"
        )
        .await,
        2
    );
    for action in ["payment.refund", "payment.refund_settle"] {
        assert_eq!(
            count(
                &w,
                &format!("SELECT count(*) FROM audit_log WHERE action = '{action}'")
            )
            .await,
            2,
            "{action}"
        );
    }

    // Refunded whole: no longer paid online in the figures (1 received
    // with a fee, 0 paid online: 0 %).
    let rep = portal_figures(&w).await;
    assert_eq!(rep["counts"]["fee_bearing"], 1);
    assert_eq!(rep["counts"]["paid_online"], 0);
    assert_eq!(rep["online_payment_percent"], 0.0);
    let p = &ok(get_json(&w.desk, &format!("/api/dossiers/{code}/payments")).await)[0];
    assert_eq!(p["refunded_dong"], 50000);
    assert_eq!(p["counts_as_paid"], false);
    assert_eq!(p["refunds"].as_array().unwrap().len(), 2);

    // The receipt: the owner's page links it, and it states the payment
    // and both refunds (20.000 + 30.000 = 50.000 given back, 0 kept).
    let page = citizen.get(&format!("/cong-dan/ho-so/{code}")).await;
    let link = format!("/cong-dan/ho-so/{code}/bien-lai/{reference}");
    assert!(page.body.contains(&link), "{}", page.body);
    let r = citizen
        .http
        .get(format!("{}{link}", citizen.base))
        .header("cookie", citizen.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let mine = pdf_text(&r.bytes().await.unwrap());
    let (s, staff) = fetch(
        &w.desk,
        &format!("/api/dossiers/{code}/payments/{reference}/receipt.pdf"),
    )
    .await;
    assert_eq!(s, 200);
    let staff = pdf_text(&staff);
    for text in [&mine, &staff] {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "BIÊN LAI THU PHÍ, LỆ PHÍ",
            "Vũ Thị Thu",
            code.as_str(),
            "Đăng ký khai sinh",
            "Số tiền: 50.000 đồng",
            "Năm mươi nghìn đồng",
            "Trực tuyến qua cổng thanh toán",
            "09 giờ 00 phút, ngày 24 tháng 11 năm 2025",
            "Hồ sơ bị từ chối một phần",
            "Công dân rút hồ sơ",
            "Tổng số tiền đã hoàn trả: 50.000 đồng",
            "Số tiền thực thu: 0 đồng (Không đồng)",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in {flat}");
        }
    }
    // A reference that is not a paid payment of this dossier reads as
    // missing.
    let (s, _) = fetch(
        &w.desk,
        &format!("/api/dossiers/{code}/payments/0000/receipt.pdf"),
    )
    .await;
    assert_eq!(s, 404);
}

async fn only_desk_officers_and_leaders_of_the_dossiers_units_refund(b: Backend) {
    let (w, _sim) = gateway_world(b).await;
    let (_c, code) = paid_dossier(&w, "0932000442", true).await;
    let mut failures = Vec::new();
    let mut allowed = 0;
    for role in Role::ALL {
        for (side, unit) in [("in", codes::DISTRICT_A), ("out", codes::DISTRICT_B)] {
            let name = format!("m-{side}-{}", role.as_str().replace('_', "-"));
            let c = w.app.client(&name, role, unit).await.unwrap();
            // The rule: inside the dossier's units, desk officers, leaders
            // and system administrators refund; the other roles are
            // refused; outside, the dossier reads as missing.
            let may = side == "in"
                && matches!(role, Role::DeskOfficer | Role::Leader | Role::SystemAdmin);
            let expected = match (side, may) {
                ("out", _) => 404,
                (_, true) => 201,
                _ => 403,
            };
            let before = refund_state(&w).await;
            let (s, body) = refund(
                &c,
                &code,
                json!({ "reason": format!("Thử {name}"), "amount_dong": 1000 }),
            )
            .await;
            if s != expected {
                failures.push(format!("{name}: refund {s}, expected {expected}: {body}"));
            }
            let after = refund_state(&w).await;
            if expected == 201 {
                allowed += 1;
                if after != (before.0 + 1, before.1 + 1000) {
                    failures.push(format!("{name}: {before:?} → {after:?}"));
                }
            } else if after != before {
                failures.push(format!("{name}: refused, yet {before:?} → {after:?}"));
            }
            let (s, _) = get_json(&c, &format!("/api/dossiers/{code}/payments")).await;
            let expected = if side == "in" { 200 } else { 404 };
            if s != expected {
                failures.push(format!("{name}: payments {s}, expected {expected}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(allowed, 3);
    assert_eq!(refund_state(&w).await, (3, 3000));
}

async fn a_forged_refund_answer_leaves_the_refund_waiting_until_asked_again(b: Backend) {
    let (w, sim) = gateway_world(b).await;
    let (_c, code) = paid_dossier(&w, "0932000443", true).await;
    sim.forge(true);
    let (s, e) = refund(
        &w.desk,
        &code,
        json!({ "reason": "Hoàn lần một", "amount_dong": 5000 }),
    )
    .await;
    assert_eq!(s, 503, "{e}");
    // Not trusted: kept pending, its amount held on the payment.
    assert_eq!(refund_state(&w).await, (1, 5000));
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM payment_refunds WHERE status = 'pending'"
        )
        .await,
        1
    );
    sim.forge(false);
    // The next refund asks the pending one again first, under the same
    // reference: the gateway answers it with its first answer (done), then
    // the new one goes through.
    let (s, r) = refund(
        &w.desk,
        &code,
        json!({ "reason": "Hoàn lần hai", "amount_dong": 7000 }),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(refund_state(&w).await, (2, 12000));
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM payment_refunds WHERE status = 'done'"
        )
        .await,
        2
    );
    // The gateway gave back 5.000 once, not twice: its list of the day.
    let rec = ok(get_json(&w.leader, "/api/payments/reconciliation?date=2025-11-24").await);
    let refunds: Vec<i64> = rec["matched"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "refund")
        .map(|l| l["gateway_amount_dong"].as_i64().unwrap())
        .collect();
    assert_eq!(refunds, [5000, 7000], "{rec}");
    assert_eq!(rec["only_at_gateway"], json!([]));
}

async fn reconciliation_finds_a_missed_answer_and_a_differing_amount(b: Backend) {
    let (w, sim) = gateway_world(b).await;
    let (_a, answered) = paid_dossier(&w, "0932000444", true).await;
    let (_b, missed) = paid_dossier(&w, "0932000445", false).await;
    let (s, r) = refund(
        &w.desk,
        &answered,
        json!({ "reason": "Hoàn một phần", "amount_dong": 10000 }),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let day = "/api/payments/reconciliation?date=2025-11-24";
    let rec = ok(get_json(&w.leader, day).await);
    let lines = |v: &Value, key: &str| -> Vec<(String, String, Value, Value, Value)> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["kind"].as_str().unwrap().to_owned(),
                    l["dossier_code"].as_str().unwrap_or("").to_owned(),
                    l["our_amount_dong"].clone(),
                    l["gateway_amount_dong"].clone(),
                    l["our_status"].clone(),
                )
            })
            .collect()
    };
    let line = |kind: &str, code: &str, ours: Value, theirs: Value, status: &str| {
        (
            kind.to_owned(),
            code.to_owned(),
            ours,
            theirs,
            json!(status),
        )
    };
    assert_eq!(
        lines(&rec, "matched"),
        [
            line("payment", &answered, json!(50000), json!(50000), "paid"),
            line("refund", &answered, json!(10000), json!(10000), "done"),
        ],
        "{rec}"
    );
    assert_eq!(
        lines(&rec, "only_at_gateway"),
        [line(
            "payment",
            &missed,
            json!(50000),
            json!(50000),
            "pending"
        )],
        "the answer that never came: {rec}"
    );
    assert_eq!(rec["only_with_us"], json!([]));
    assert_eq!(rec["amount_mismatches"], json!([]));
    assert_eq!(rec["date"], "2025-11-24");

    // The gateway booked 40.000 for the first: flagged.
    let first =
        ok(get_json(&w.desk, &format!("/api/dossiers/{answered}/payments")).await)[0]["reference"]
            .as_str()
            .unwrap()
            .to_owned();
    sim.misbook(&first, 40000);
    let rec = ok(get_json(&w.leader, day).await);
    assert_eq!(
        lines(&rec, "amount_mismatches"),
        [line(
            "payment",
            &answered,
            json!(50000),
            json!(40000),
            "paid"
        )],
        "{rec}"
    );

    // Who may: the desk reads no statistics; a viewer reads but may not
    // record; a bad date names its field.
    assert_eq!(get_json(&w.desk, day).await.0, 403);
    let viewer = w
        .app
        .client("xem-doi-soat", Role::Viewer, codes::DISTRICT_A)
        .await
        .unwrap();
    assert_eq!(get_json(&viewer, day).await.0, 200);
    let body = json!({ "date": "2025-11-24", "record": true });
    assert_eq!(
        post(&viewer, "/api/payments/reconciliation", body.clone())
            .await
            .0,
        403
    );
    let (s, e) = get_json(&w.leader, "/api/payments/reconciliation?date=24/11/2025").await;
    assert_eq!((s, e["field"].clone()), (422, json!("date")));
    let pending = "SELECT count(*) FROM payments WHERE status = 'pending'";
    assert_eq!(count(&w, pending).await, 1, "nothing recorded yet");

    // The leader records the missed payment as paid from the signed list.
    let (s, rec) = post(&w.leader, "/api/payments/reconciliation", body).await;
    assert_eq!(s, 200, "{rec}");
    assert_eq!(rec["only_at_gateway"][0]["recorded"], true, "{rec}");
    assert_eq!(count(&w, pending).await, 0);
    let p = &ok(get_json(&w.desk, &format!("/api/dossiers/{missed}/payments")).await)[0];
    assert_eq!(p["status"], "paid");
    assert_eq!(p["counts_as_paid"], true);
    let rec = ok(get_json(&w.leader, day).await);
    assert!(
        lines(&rec, "matched").contains(&line(
            "payment",
            &missed,
            json!(50000),
            json!(50000),
            "paid"
        )),
        "{rec}"
    );
    assert_eq!(rec["only_at_gateway"], json!([]));
    // Outside district A: none of these lines.
    let other = w
        .app
        .client("lanhdao-b", Role::Leader, codes::DISTRICT_B)
        .await
        .unwrap();
    let rec = ok(get_json(&other, day).await);
    for key in [
        "matched",
        "only_at_gateway",
        "only_with_us",
        "amount_mismatches",
    ] {
        assert_eq!(rec[key], json!([]), "{key}: {rec}");
    }
}

async fn the_dossier_page_refunds_through_its_form(b: Backend) {
    use crate::ui_desk::{page, post_form};
    let (w, _sim) = gateway_world(b).await;
    let (_c, code) = paid_dossier(&w, "0932000446", true).await;
    let path = format!("/ho-so/{code}");
    let (s, html) = page(&w.desk, &path).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Phí, lệ phí đã thanh toán trực tuyến"),
        "{html}"
    );
    assert!(html.contains("50.000 đ"), "{html}");
    assert!(
        html.contains(&format!("action=\"/ho-so/{code}/hoan-phi\"")),
        "{html}"
    );
    assert!(html.contains("/receipt.pdf"), "{html}");
    // A viewer sees the payment, and no refund form.
    let viewer = w
        .app
        .client("xem-trang", Role::Viewer, codes::DISTRICT_A)
        .await
        .unwrap();
    let (_, html) = page(&viewer, &path).await;
    assert!(html.contains("Phí, lệ phí đã thanh toán trực tuyến"));
    assert!(!html.contains("/hoan-phi"), "{html}");
    let reference =
        ok(get_json(&w.desk, &format!("/api/dossiers/{code}/payments")).await)[0]["reference"]
            .as_str()
            .unwrap()
            .to_owned();
    let desk = &w.desk;
    let post = |amount: &'static str, reason: &'static str, htmx: bool| {
        let csrf = desk.csrf.clone();
        let action = format!("{path}/hoan-phi");
        let reference = reference.clone();
        async move {
            let all = [
                ("csrf_token", csrf.as_str()),
                ("payment", reference.as_str()),
                ("amount_dong", amount),
                ("reason", reason),
            ];
            post_form(desk, &action, &all, htmx).await
        }
    };
    // No reason: the page says what to do, nothing is refunded.
    let (s, _, html) = post("10.000", "", false).await;
    assert_eq!(s, 422);
    assert!(html.contains("Nhập lý do hoàn trả"), "{html}");
    let (s, _, html) = post("60000", "Quá số tiền", false).await;
    assert_eq!(s, 422);
    assert!(html.contains("Số tiền hoàn trả phải từ 1 đồng"), "{html}");
    assert_eq!(refund_state(&w).await, (0, 0));
    // 10.000 đồng written the Vietnamese way, without JavaScript.
    let (s, location, _) = post("10.000", "Hồ sơ bị từ chối", false).await;
    assert_eq!(s, 303);
    assert_eq!(location, format!("{path}?hoan=1"));
    assert_eq!(refund_state(&w).await, (1, 10000));
    // The rest with htmx: the page part comes back with the notice.
    let (s, _, html) = post("", "Rút hồ sơ", true).await;
    assert_eq!(s, 200);
    assert!(html.contains("Đã hoàn trả 40.000 đ."), "{html}");
    assert!(html.contains("Đã hoàn trả toàn bộ"), "{html}");
    assert!(
        !html.contains("/hoan-phi"),
        "nothing left to refund: {html}"
    );
    assert_eq!(refund_state(&w).await, (2, 50000));
}
