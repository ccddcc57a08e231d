//! Generated access matrices (issue 16) over HTTP on both databases. Every
//! case's expected answer comes from the short rules below, written from the
//! issue's text and a hand-written map of the seed tree, never from the code:
//!
//! - **Managing people** (list, add, grant, revoke, reset a password,
//!   (de)activate; API and staff forms): a system administrator manages
//!   everyone. A unit administrator manages a person only when every grant
//!   of theirs lies inside the administrator's unit (its subtree) and none is
//!   `system_admin` (a person without grants may be given a first role), and
//!   grants or revokes only on units inside theirs. Only a system
//!   administrator grants `system_admin`. Nobody else manages anyone.
//! - **Reading** (in `access_reading`): someone
//!   granted on a child unit asking for its parent, a sibling or another
//!   district is refused (403/404) or shown none of their dossiers; asked
//!   for their own unit, dossier lists show its dossier. A dossier code
//!   outside their units answers exactly as a missing one (same status,
//!   same body but for the code) on every dossier route.

use motcua_domain::role::Role;
use motcua_service::store::AuditContext;
use motcua_testkit::{Backend, Client, TEST_PASSWORD, TestApp, codes, system};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_auth::on_both;

on_both!(user_management_matrix, the_issue_takeover_is_refused);

/// Whether `unit` lies in the subtree of `root`, from the seed tree drawn by
/// hand: the province holds everything; district A holds its desk, its
/// justice office and its commune; the others hold only themselves.
fn inside(unit: &str, root: &str) -> bool {
    unit == root
        || root == codes::PROVINCE
        || (root == codes::DISTRICT_A
            && [codes::DESK_A, codes::OFFICE_A, codes::COMMUNE_A].contains(&unit))
}

/// Someone calling, with their one grant.
#[derive(Clone)]
struct Caller {
    name: String,
    role: Role,
    unit: &'static str,
}

/// Someone managed, with their grants.
struct Target {
    name: &'static str,
    grants: Vec<(Role, &'static str)>,
}

fn is_sys(c: &Caller) -> bool {
    c.role == Role::SystemAdmin
}

/// The rule of the issue: who manages whom.
fn manages(c: &Caller, grants: &[(Role, &str)]) -> bool {
    is_sys(c)
        || (c.role == Role::UnitAdmin
            && grants
                .iter()
                .all(|(r, u)| *r != Role::SystemAdmin && inside(u, c.unit)))
}

/// The rule of the issue: who may give (or take back) `role` on `unit` to
/// someone holding `grants`.
fn may_grant(c: &Caller, grants: &[(Role, &str)], role: Role, unit: &str) -> bool {
    manages(c, grants)
        && (is_sys(c) || inside(unit, c.unit))
        && (role != Role::SystemAdmin || is_sys(c))
}

fn ctx() -> AuditContext {
    AuditContext {
        actor: "test".into(),
        at: jiff::Timestamp::now(),
    }
}

/// A client that does not follow redirects, so a form's `303` is seen.
pub(crate) fn no_redirect(c: &Client) -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("cookie", c.cookie.parse().unwrap());
    h.insert("x-csrf-token", c.csrf.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(h)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One case's outcome against its expectation; a refusal must be 403.
fn judge(failures: &mut Vec<String>, case: &str, expected: bool, status: StatusCode) {
    let allowed = status.is_success() || status == StatusCode::SEE_OTHER;
    if allowed != expected || (!expected && status != StatusCode::FORBIDDEN) {
        failures.push(format!(
            "{case}: expected {}, got {status}",
            if expected { "allowed" } else { "403" }
        ));
    }
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn user_management_matrix(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let store = app.db.store();
    let services = motcua_testkit::system_services(&app.db);
    let targets = vec![
        Target {
            name: "tg-office",
            grants: vec![(Role::Specialist, codes::OFFICE_A)],
        },
        Target {
            name: "tg-district",
            grants: vec![(Role::DeskOfficer, codes::DISTRICT_A)],
        },
        Target {
            name: "tg-admin-a",
            grants: vec![(Role::UnitAdmin, codes::DISTRICT_A)],
        },
        Target {
            name: "tg-mixed",
            grants: vec![
                (Role::Viewer, codes::OFFICE_A),
                (Role::Viewer, codes::DISTRICT_B),
            ],
        },
        Target {
            name: "tg-other",
            grants: vec![(Role::Leader, codes::DISTRICT_B)],
        },
        Target {
            name: "tg-province",
            grants: vec![(Role::Viewer, codes::PROVINCE)],
        },
        Target {
            name: "tg-sys",
            grants: vec![(Role::SystemAdmin, codes::PROVINCE)],
        },
        Target {
            name: "tg-none",
            grants: vec![],
        },
    ];
    for t in &targets {
        let users = services.users();
        users
            .add_account_as(&system(), t.name, "Người Được Quản Lý", None, TEST_PASSWORD)
            .await
            .unwrap();
        for (r, unit) in &t.grants {
            let id = app.unit_id(unit).await.unwrap();
            users.grant_as(&system(), t.name, *r, id).await.unwrap();
        }
    }
    // Every role on district A; the system administrator on the province
    // (the whole tree), and an administrator of a unit inside district A.
    let mut callers: Vec<Caller> = Role::ALL
        .into_iter()
        .map(|role| Caller {
            name: format!("c-{}", role.as_str().replace('_', "-")),
            role,
            unit: if role == Role::SystemAdmin {
                codes::PROVINCE
            } else {
                codes::DISTRICT_A
            },
        })
        .collect();
    callers.push(Caller {
        name: "c-office-admin".into(),
        role: Role::UnitAdmin,
        unit: codes::OFFICE_A,
    });
    let mut failures = Vec::new();
    let mut made = 0;
    for c in &callers {
        let client = app.client(&c.name, c.role, c.unit).await.unwrap();
        let http = no_redirect(&client);
        let may_list = is_sys(c) || c.role == Role::UnitAdmin;

        // Listing: the API and the staff page show exactly the people managed.
        let r = http
            .get(client.url("/api/users?limit=500"))
            .send()
            .await
            .unwrap();
        judge(
            &mut failures,
            &format!("{} GET /api/users", c.name),
            may_list,
            r.status(),
        );
        let listed: Vec<String> = if r.status().is_success() {
            r.json::<Value>()
                .await
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned())
                .collect()
        } else {
            Vec::new()
        };
        let page = http
            .get(client.url("/quan-tri/nguoi-dung"))
            .send()
            .await
            .unwrap();
        judge(
            &mut failures,
            &format!("{} GET /quan-tri/nguoi-dung", c.name),
            may_list,
            page.status(),
        );
        let page = page.text().await.unwrap();
        for t in &targets {
            let expect = may_list && manages(c, &t.grants);
            if listed.iter().any(|n| n == t.name) != expect {
                failures.push(format!(
                    "{} GET /api/users lists {}: expected {expect}",
                    c.name, t.name
                ));
            }
            if page.contains(t.name) != expect {
                failures.push(format!(
                    "{} GET /quan-tri/nguoi-dung shows {}: expected {expect}",
                    c.name, t.name
                ));
            }
        }

        // Adding someone with a first role, inside and outside the caller's unit.
        for (role, unit) in [
            (Role::ReformEvaluator, c.unit),
            (Role::ReformEvaluator, codes::DISTRICT_B),
            (Role::ReformEvaluator, codes::PROVINCE),
            (Role::SystemAdmin, c.unit),
        ] {
            let expect = may_grant(c, &[], role, unit);
            made += 1;
            let name = format!("new-{made}");
            let r = http
                .post(client.url("/api/users"))
                .json(
                    &json!({ "username": name, "full_name": "Người Mới", "password": TEST_PASSWORD,
                    "role": role.as_str(), "unit": unit }),
                )
                .send()
                .await
                .unwrap();
            judge(
                &mut failures,
                &format!("{} POST /api/users {} on {unit}", c.name, role.as_str()),
                expect,
                r.status(),
            );
            made += 1;
            let name = format!("new-{made}");
            let r = http
                .post(client.url("/quan-tri/nguoi-dung"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[
                    ("username", &name),
                    ("full_name", "Người Mới"),
                    ("email", ""),
                    ("password", TEST_PASSWORD),
                    ("role", role.as_str()),
                    ("unit", unit),
                ]))
                .send()
                .await
                .unwrap();
            judge(
                &mut failures,
                &format!(
                    "{} POST /quan-tri/nguoi-dung {} on {unit}",
                    c.name,
                    role.as_str()
                ),
                expect,
                r.status(),
            );
        }

        for t in &targets {
            let tid = store.user_by_username(t.name).await.unwrap().id;
            let case = |what: &str| format!("{} {what} {}", c.name, t.name);

            // Resetting the password.
            let r = http
                .post(client.url(&format!("/api/users/{}/password", t.name)))
                .json(&json!({ "password": TEST_PASSWORD }))
                .send()
                .await
                .unwrap();
            judge(
                &mut failures,
                &case("API reset password of"),
                manages(c, &t.grants),
                r.status(),
            );

            // Deactivating (the staff form); put back when it worked.
            let r = http
                .post(client.url(&format!("/quan-tri/nguoi-dung/{}/kich-hoat", t.name)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[("active", "false")]))
                .send()
                .await
                .unwrap();
            judge(
                &mut failures,
                &case("form deactivate"),
                manages(c, &t.grants),
                r.status(),
            );
            store.set_user_active(&ctx(), tid, true).await.unwrap();

            // Granting through the API and the form, inside the caller's unit,
            // in another district and the role of system administrator.
            for (role, unit) in [
                (Role::ReformEvaluator, c.unit),
                (Role::ReformEvaluator, codes::DISTRICT_B),
                (Role::SystemAdmin, c.unit),
            ] {
                if t.grants.contains(&(role, unit)) {
                    continue; // held already: a conflict, whoever asks
                }
                let expect = may_grant(c, &t.grants, role, unit);
                let unit_id = app.unit_id(unit).await.unwrap();
                let r = http
                    .post(client.url(&format!("/api/users/{}/grants", t.name)))
                    .json(&json!({ "role": role.as_str(), "unit": unit }))
                    .send()
                    .await
                    .unwrap();
                let what = format!("API grant {} on {unit} to", role.as_str());
                judge(&mut failures, &case(&what), expect, r.status());
                if r.status().is_success() {
                    store.revoke_role(&ctx(), tid, role, unit_id).await.unwrap();
                }
                let r = http
                    .post(client.url(&format!("/quan-tri/nguoi-dung/{}/quyen", t.name)))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form(&[("role", role.as_str()), ("unit", unit)]))
                    .send()
                    .await
                    .unwrap();
                let what = format!("form grant {} on {unit} to", role.as_str());
                judge(&mut failures, &case(&what), expect, r.status());
                if r.status() == StatusCode::SEE_OTHER {
                    store.revoke_role(&ctx(), tid, role, unit_id).await.unwrap();
                }
            }

            // Revoking each grant the person holds, through both; put back.
            for (role, unit) in &t.grants {
                let expect = may_grant(c, &t.grants, *role, unit);
                let unit_id = app.unit_id(unit).await.unwrap();
                let r = http
                    .delete(client.url(&format!(
                        "/api/users/{}/grants/{}/{unit}",
                        t.name,
                        role.as_str()
                    )))
                    .send()
                    .await
                    .unwrap();
                let what = format!("API revoke {} on {unit} of", role.as_str());
                judge(&mut failures, &case(&what), expect, r.status());
                if r.status().is_success() {
                    store.grant_role(&ctx(), tid, *role, unit_id).await.unwrap();
                }
                let r = http
                    .post(client.url(&format!("/quan-tri/nguoi-dung/{}/thu-hoi", t.name)))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form(&[("role", role.as_str()), ("unit", unit)]))
                    .send()
                    .await
                    .unwrap();
                let what = format!("form revoke {} on {unit} of", role.as_str());
                judge(&mut failures, &case(&what), expect, r.status());
                if r.status() == StatusCode::SEE_OTHER {
                    store.grant_role(&ctx(), tid, *role, unit_id).await.unwrap();
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the cases broke the rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.close().await;
}

/// The issue's reproduction: the administrator of district A gives the
/// system administrator a viewer's role in district A and resets their
/// password. Both are refused, the system administrator's session and API
/// token still work and their password is unchanged.
async fn the_issue_takeover_is_refused(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let admin = app
        .client("admin", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let dl = app
        .client("quantri.dl", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let r = dl
        .http
        .post(dl.url("/api/users/admin/grants"))
        .json(&json!({ "role": "viewer", "unit": codes::DISTRICT_A }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "{}", r.text().await.unwrap());
    let r = dl
        .http
        .post(dl.url("/api/users/admin/password"))
        .json(&json!({ "password": "chiem-quyen-123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "{}", r.text().await.unwrap());
    let r = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&json!({ "username": "admin", "password": "chiem-quyen-123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the attacker's password does not open it");
    let r = admin
        .http
        .get(admin.url("/api/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the owner's session goes on");

    // A reset the administrator may make ends the person's sessions and
    // revokes their API tokens.
    let clerk = app
        .client("motcua.dl", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let r = clerk
        .http
        .post(clerk.url("/api/auth/tokens"))
        .json(&json!({ "name": "máy quét" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let token: Value = r.json().await.unwrap();
    let secret = token["secret"].as_str().unwrap().to_owned();
    let by_token = |path: &str| {
        reqwest::Client::new()
            .get(app.url(path))
            .bearer_auth(&secret)
            .send()
    };
    assert_eq!(by_token("/api/auth/me").await.unwrap().status(), 200);
    let r = dl
        .http
        .post(dl.url("/api/users/motcua.dl/password"))
        .json(&json!({ "password": "mat-khau-moi-123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let r = clerk
        .http
        .get(clerk.url("/api/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the session ended with the reset");
    assert_eq!(
        by_token("/api/auth/me").await.unwrap().status(),
        401,
        "the API token ended with the reset"
    );
    app.close().await;
}
