//! The reading half of the generated access matrices (issue 16; the rules
//! are in `access_matrix`): someone granted on a child unit asking for its
//! parent, a sibling, the province or another district is refused (403/404)
//! or shown none of their dossiers; asked for their own unit, dossier lists
//! show its dossier; a dossier code outside answers exactly as a missing
//! one. And the outbox, scoped to the caller's units.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, Client, TestApp, codes};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::access_matrix::{form, no_redirect};
use crate::api_auth::on_both;

on_both!(reading_matrix, the_outbox_is_scoped_to_the_callers_units);

/// Receives a dossier at `unit` through a desk officer there; its code.
async fn receive_at(app: &TestApp, desk: &str, unit: &str) -> String {
    let c = app.client(desk, Role::DeskOfficer, unit).await.unwrap();
    let r = c
        .http
        .post(c.url("/api/dossiers"))
        .json(&json!({
            "unit": unit, "procedure": "1.000003", "channel": "in_person",
            "applicant": { "kind": "citizen", "name": format!("Người nộp {desk}"), "identity": "040095000123",
                "phone": "0912 345 678", "email": format!("{desk}@example.org"), "address": "Nghệ An" },
            "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "digitised": true, "reused": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["code"].as_str().unwrap().to_owned()
}

/// A read: its status and its body as text.
async fn read(http: &reqwest::Client, url: String) -> (StatusCode, String) {
    let r = http.get(url).send().await.unwrap();
    let s = r.status();
    let bytes = r.bytes().await.unwrap();
    (s, String::from_utf8_lossy(&bytes).into_owned())
}

async fn reading_matrix(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    procedure(&app).await;
    // One dossier in the caller's unit (district A's justice office), one in
    // each sibling, one in the parent and one in another district.
    let own = receive_at(&app, "tn-office", codes::OFFICE_A).await;
    let mut foreign = Vec::new();
    for (desk, unit) in [
        ("tn-desk", codes::DESK_A),
        ("tn-commune", codes::COMMUNE_A),
        ("tn-district", codes::DISTRICT_A),
        ("tn-other", codes::DISTRICT_B),
    ] {
        foreign.push(receive_at(&app, desk, unit).await);
    }
    // A well-formed code no dossier has.
    let missing = format!("{}9", &own[..own.len() - 1]);
    let missing = if foreign.contains(&missing) || missing == own {
        format!("{}8", &own[..own.len() - 1])
    } else {
        missing
    };
    let asked = [
        ("own", codes::OFFICE_A),
        ("parent", codes::DISTRICT_A),
        ("sibling", codes::DESK_A),
        ("sibling", codes::COMMUNE_A),
        ("province", codes::PROVINCE),
        ("other district", codes::DISTRICT_B),
    ];
    // Reads that take a unit. `lists` marks those that list the unit's
    // dossiers, where the own unit's dossier must show.
    let by_unit: [(&str, bool); 12] = [
        ("/api/dossiers?limit=200&unit={u}", true),
        ("/ho-so?unit={u}", true),
        ("/ho-so/xuat?format=csv&unit={u}", true),
        ("/?unit={u}", false),
        ("/api/catalog/stats?unit={u}", false),
        ("/api/processes?unit={u}", false),
        (
            "/api/registers/dossiers?unit={u}&from=2025-11-01&to=2025-11-30",
            false,
        ),
        (
            "/api/reports/dossiers?unit={u}&from=2025-11-01&to=2025-11-30&by=procedure",
            false,
        ),
        ("/bao-cao?unit={u}&from=2025-11-01&to=2025-11-30", false),
        ("/quan-tri/quy-trinh?unit={u}", false),
        ("/quan-tri/gio-lam-viec?unit={u}", false),
        ("/quan-tri/lich?unit={u}", false),
    ];
    // Reads without a unit that answer unit-scoped data.
    let scoped = [
        "/api/dossiers?limit=200",
        "/ho-so",
        // The search box, by a name and a number every dossier here has,
        // and the list's download.
        "/api/dossiers?limit=200&q=nguoi+nop",
        "/api/dossiers?limit=200&q=040095",
        "/ho-so?q=nguoi+nop",
        "/tim-kiem/goi-y?q=040095",
        "/ho-so/xuat?format=csv&q=nguoi+nop",
        "/",
        "/hang-doi?tab=mine",
        "/hang-doi?tab=unit",
        "/hang-doi?tab=approval",
        "/api/admin/outbox?limit=200",
        "/api/users?limit=500",
        "/quan-tri/nguoi-dung",
    ];
    // Every route that names a dossier; `{c}` is the code.
    let dossier_gets = [
        "/api/dossiers/{c}",
        "/api/dossiers/{c}/forms/receipt.pdf",
        "/api/dossiers/{c}/files/1",
        "/api/dossiers/{c}/payments",
        "/api/dossiers/{c}/payments/0a1b2c/receipt.pdf",
        "/ho-so/{c}",
    ];
    let mut failures = Vec::new();
    for role in Role::ALL {
        let name = format!("r-{}", role.as_str().replace('_', "-"));
        let c = app.client(&name, role, codes::OFFICE_A).await.unwrap();
        let http = no_redirect(&c);
        let leaks = |body: &str| -> Vec<String> {
            foreign
                .iter()
                .filter(|f| body.contains(f.as_str()))
                .cloned()
                .collect()
        };
        for (path, lists) in by_unit {
            for (rel, unit) in asked {
                let p = path.replace("{u}", unit);
                let (s, body) = read(&http, c.url(&p)).await;
                let case = format!("{name} GET {p} ({rel})");
                if s.is_server_error() {
                    failures.push(format!("{case}: {s}"));
                } else if rel == "own" {
                    if s == StatusCode::NOT_FOUND {
                        failures.push(format!("{case}: 404 for the caller's own unit"));
                    }
                    if lists && (s != StatusCode::OK || !body.contains(&own)) {
                        failures.push(format!(
                            "{case}: {s}, own dossier shown: {}",
                            body.contains(&own)
                        ));
                    }
                } else if s.is_success() {
                    let leaked = leaks(&body);
                    if !leaked.is_empty() {
                        failures.push(format!("{case}: {s} showing {leaked:?}"));
                    }
                    // A PDF or a figure cannot be read for codes: outside
                    // the caller's units it must be refused outright,
                    // except a register of a unit above, which lists only
                    // the caller's part of it like the dossier list.
                    let above = rel == "parent" || rel == "province";
                    let opaque = p.starts_with("/api/registers")
                        || p.starts_with("/api/catalog/stats")
                        || p.starts_with("/api/reports")
                        || p.starts_with("/bao-cao")
                        || p.starts_with("/?");
                    if opaque && !(p.starts_with("/api/registers") && above) {
                        failures.push(format!("{case}: {s}, expected 403 or 404"));
                    }
                    // A list of a unit that holds part of the caller's
                    // units shows only that part.
                    if lists && rel != "parent" && rel != "province" && body.contains(&own) {
                        failures.push(format!(
                            "{case}: shows the caller's dossier under another unit"
                        ));
                    }
                } else if !matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
                    failures.push(format!("{case}: {s}, expected 403, 404 or nothing outside"));
                }
            }
        }
        for p in scoped {
            let (s, body) = read(&http, c.url(p)).await;
            let case = format!("{name} GET {p}");
            if s.is_server_error() {
                failures.push(format!("{case}: {s}"));
            }
            let leaked = leaks(&body);
            if s.is_success() && !leaked.is_empty() {
                failures.push(format!("{case}: {s} showing {leaked:?}"));
            }
            // People of the sibling and other units (their desk officers)
            // are not shown to a caller of the office, unless a system
            // administrator (who manages everyone).
            if s.is_success()
                && role != Role::SystemAdmin
                && p.contains("nguoi-dung") | p.contains("/api/users")
            {
                for other in ["tn-desk", "tn-commune", "tn-district", "tn-other", "root"] {
                    if body.contains(other) {
                        failures.push(format!("{case}: shows {other}"));
                    }
                }
            }
        }
        // A dossier outside answers exactly as a missing one.
        for path in dossier_gets {
            let (ms, mbody) = read(&http, c.url(&path.replace("{c}", &missing))).await;
            let mbody = mbody.replace(&missing, "CODE");
            for f in &foreign {
                let p = path.replace("{c}", f);
                let (s, body) = read(&http, c.url(&p)).await;
                if s != ms || body.replace(f.as_str(), "CODE") != mbody {
                    failures.push(format!(
                        "{name} GET {p}: {s} {body:.200} differs from the missing code's {ms} {mbody:.200}"
                    ));
                }
            }
            let p = path.replace("{c}", &own);
            let (s, _) = read(&http, c.url(&p)).await;
            // No file and no payment exists: those read as missing.
            if !path.contains("files") && !path.contains("receipt") && s != StatusCode::OK {
                failures.push(format!("{name} GET {p} (own): {s}"));
            }
        }
        let posts: [(&str, &str, String); 7] = [
            (
                "/api/dossiers/{c}/refunds",
                "application/json",
                json!({ "reason": "x", "amount_dong": 1 }).to_string(),
            ),
            (
                "/ho-so/{c}/hoan-phi",
                "application/x-www-form-urlencoded",
                form(&[("reason", "x"), ("amount_dong", "1")]),
            ),
            (
                "/api/dossiers/{c}/actions",
                "application/json",
                json!({ "action": "withdraw", "version": 1, "note": "x" }).to_string(),
            ),
            (
                "/ho-so/{c}/hanh-dong",
                "application/x-www-form-urlencoded",
                form(&[("action", "withdraw"), ("version", "1"), ("note", "x")]),
            ),
            (
                "/api/dossiers/{c}/files?kind=component&name=a.pdf",
                "application/pdf",
                "%PDF-1.4 x".to_owned(),
            ),
            (
                "/api/dossiers/{c}/corrections",
                "application/json",
                json!({ "version": 1, "reason": "x",
                    "applicant": { "kind": "citizen", "name": "Ai Đó", "identity": "", "phone": "", "email": "", "address": "" } })
                .to_string(),
            ),
            (
                "/ho-so/{c}/sua",
                "application/x-www-form-urlencoded",
                form(&[("version", "1"), ("kind", "citizen"), ("name", "Ai Đó"), ("reason", "x")]),
            ),
        ];
        for (path, ctype, body) in &posts {
            let send = |code: &str| {
                http.post(c.url(&path.replace("{c}", code)))
                    .header("content-type", *ctype)
                    .body(body.clone())
                    .send()
            };
            let m = send(&missing).await.unwrap();
            let ms = m.status();
            let mbody = m.text().await.unwrap().replace(&missing, "CODE");
            for f in &foreign {
                let r = send(f).await.unwrap();
                let s = r.status();
                let text = r.text().await.unwrap();
                if s != ms || text.replace(f.as_str(), "CODE") != mbody {
                    failures.push(format!(
                        "{name} POST {}: {s} {text:.200} differs from the missing code's {ms} {mbody:.200}",
                        path.replace("{c}", f)
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the reads broke the rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.close().await;
}

/// Creates the procedure the receptions use, as a system administrator.
async fn procedure(app: &TestApp) {
    let root = app
        .client("root", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let r = root
        .http
        .post(root.url("/api/procedures"))
        .json(&json!({
            "code": "1.000003", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "levels": ["district"],
            "agency": "UBND cấp huyện", "time_limit": "5 working_days", "online_level": "full_process",
            "fee": 0, "result_type": "certificate", "applicant": "citizen", "effective_from": "2024-01-01",
            "components": [{ "name": "Tờ khai", "form": "original", "copies": 1, "requirement": "mandatory", "must_digitise": false }]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// The outbox holds applicants' names, addresses and lookup tokens: the
/// administrator of district A sees and retries district A's messages only
/// (those of dossiers received in its subtree); district B's and those
/// without a dossier are left out, and retrying one of them answers like a
/// message that does not exist. The system administrator sees them all.
async fn the_outbox_is_scoped_to_the_callers_units(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    procedure(&app).await;
    let code_a = receive_at(&app, "tn-desk", codes::DESK_A).await;
    let code_b = receive_at(&app, "tn-other", codes::DISTRICT_B).await;
    let store = app.db.store();
    // A message about no dossier (an operator's notice).
    app.db
        .execute(
            "INSERT INTO outbox (dossier_id, channel, recipient, subject, body, status, attempts, \
             next_attempt_ms, created_at_ms) VALUES (NULL, 'log', 'ops', 'ops', 'ops-notice', \
             'pending', 0, 0, 0)",
        )
        .await
        .unwrap();
    let all = store.outbox_messages(None, None, None, 200).await.unwrap();
    let about = |needle: &str| -> Vec<i64> {
        all.iter()
            .filter(|m| m.message.body.contains(needle))
            .map(|m| m.id)
            .collect()
    };
    let (of_a, of_b, of_none) = (about(&code_a), about(&code_b), about("ops-notice"));
    assert!(!of_a.is_empty() && !of_b.is_empty() && of_none.len() == 1);
    // One failed message of each, for the retries.
    for id in [of_a[0], of_b[0], of_none[0]] {
        store
            .record_delivery(
                id,
                &motcua_service::store::Delivery::Failed {
                    error: "550".into(),
                },
            )
            .await
            .unwrap();
    }
    let admin_a = app
        .client("quantri.a", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let sys = app.login("root").await.unwrap();
    let ids = |v: Value| -> Vec<i64> {
        let mut ids: Vec<i64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let list = |c: &Client, q: &str| {
        let url = c.url(&format!("/api/admin/outbox?{q}"));
        let http = c.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let mut expect_a = of_a.clone();
    expect_a.sort_unstable();
    assert_eq!(ids(list(&admin_a, "limit=200").await), expect_a);
    assert_eq!(
        ids(list(&admin_a, "limit=200&status=failed").await),
        vec![of_a[0]]
    );
    // A page of one stays full: the filter is in the query, not after it.
    assert_eq!(ids(list(&admin_a, "limit=1").await).len(), 1);
    let mut every: Vec<i64> = all.iter().map(|m| m.id).collect();
    every.sort_unstable();
    assert_eq!(ids(list(&sys, "limit=200").await), every);

    let retry = |c: &Client, id: i64| {
        let url = c.url(&format!("/api/admin/outbox/{id}/retry"));
        let http = c.http.clone();
        async move {
            let r = http.post(url).send().await.unwrap();
            let s = r.status().as_u16();
            let body = r.text().await.unwrap().replace(&id.to_string(), "ID");
            (s, body)
        }
    };
    let missing = retry(&admin_a, 999_999).await;
    assert_eq!(missing.0, 404);
    assert_eq!(retry(&admin_a, of_b[0]).await, missing, "B's message");
    assert_eq!(
        retry(&admin_a, of_none[0]).await,
        missing,
        "a message of no dossier"
    );
    assert_eq!(retry(&admin_a, of_a[0]).await.0, 204);
    assert_eq!(retry(&sys, of_b[0]).await.0, 204);
    assert_eq!(retry(&sys, of_none[0]).await.0, 204);
    let failed = store
        .outbox_messages(
            None,
            Some(motcua_service::store::MessageStatus::Failed),
            None,
            200,
        )
        .await
        .unwrap();
    assert!(failed.is_empty(), "each retried once, by someone allowed");
    app.close().await;
}
