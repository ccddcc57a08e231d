//! Sign-in, sessions, CSRF, throttling, tokens and access refusals over HTTP.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, TEST_PASSWORD, TestApp, codes};
use serde_json::{Value, json};

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() { super::$name(motcua_testkit::Backend::Sqlite).await }
            #[tokio::test]
            async fn postgres() { super::$name(motcua_testkit::Backend::Postgres).await }
        }
    )*};
}
pub(crate) use on_both;

on_both!(
    login_sets_a_session_and_logout_ends_it,
    wrong_passwords_are_throttled_per_account,
    many_failures_from_one_address_are_throttled,
    changes_with_a_cookie_need_the_csrf_token_and_same_origin,
    api_tokens_act_as_their_owner_until_revoked,
    access_is_checked_in_the_service_and_refusals_are_recorded,
);

async fn start(b: Backend) -> TestApp {
    TestApp::start(b).await.unwrap()
}

async fn login_sets_a_session_and_logout_ends_it(b: Backend) {
    let app = start(b).await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(app.url("/api/auth/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    app.user("motcua.dl", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let c = app.login("Motcua.DL").await.unwrap();
    let me: Value = c
        .http
        .get(c.url("/api/auth/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "motcua.dl");
    assert_eq!(me["grants"][0]["role"], "desk_officer");
    assert_eq!(me["grants"][0]["role_label"], "Công chức một cửa");
    assert_eq!(me["csrf_token"], c.csrf.as_str());

    let r = c.http.post(c.url("/api/auth/logout")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        c.http
            .get(c.url("/api/auth/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "the session ended on the server"
    );
    app.close().await;
}

async fn wrong_passwords_are_throttled_per_account(b: Backend) {
    let app = start(b).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let attempt = |pw: &'static str| {
        http.post(app.url("/api/auth/login"))
            .json(&json!({ "username": "chuyenvien", "password": pw }))
            .send()
    };
    for _ in 0..5 {
        let r = attempt("sai-mat-khau").await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // The sixth try is held even with the right password.
    let r = attempt(TEST_PASSWORD).await.unwrap();
    assert_eq!(r.status(), 429);
    // Until the window that began with the first failure ends: 900 s less
    // the few seconds the five checks took.
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((840..=900).contains(&wait), "{wait}");
    // An unknown user gets the same answer as a wrong password.
    let r = http
        .post(app.url("/api/auth/login"))
        .json(&json!({ "username": "khong-ton-tai", "password": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "unauthenticated: wrong user name or password"
    );
    app.close().await;
}

async fn changes_with_a_cookie_need_the_csrf_token_and_same_origin(b: Backend) {
    let app = start(b).await;
    let c = app
        .client("admin", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let cookie_only = reqwest::Client::builder()
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("cookie", c.cookie.parse().unwrap());
            h
        })
        .build()
        .unwrap();
    let body = json!({ "name": "đồng bộ" });
    let r = cookie_only
        .post(c.url("/api/auth/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let r = cookie_only
        .post(c.url("/api/auth/tokens"))
        .header("x-csrf-token", "0".repeat(64))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "wrong CSRF token");
    let r = c
        .http
        .post(c.url("/api/auth/tokens"))
        .header("origin", "http://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "another site's page");
    let r = c
        .http
        .post(c.url("/api/auth/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    app.close().await;
}

async fn api_tokens_act_as_their_owner_until_revoked(b: Backend) {
    let app = start(b).await;
    let c = app
        .client("quantri", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let t: Value = c
        .http
        .post(c.url("/api/auth/tokens"))
        .json(&json!({ "name": "Đồng bộ Cổng DVCQG" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = t["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("mct_"));
    let bearer = reqwest::Client::new();
    let me: Value = bearer
        .get(app.url("/api/auth/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "quantri");
    // A machine client needs no CSRF token.
    let r = bearer
        .post(app.url("/api/auth/tokens"))
        .bearer_auth(&secret)
        .json(&json!({ "name": "thứ hai" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let listed: Value = c
        .http
        .get(c.url("/api/auth/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(listed[0].get("secret").is_none(), "secrets are shown once");

    let id = t["id"].as_i64().unwrap();
    let r = c
        .http
        .delete(c.url(&format!("/api/auth/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = bearer
        .get(app.url("/api/auth/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a revoked token stops working at once");
    let r = c
        .http
        .delete(c.url(&format!("/api/auth/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "revoking twice");
    app.close().await;
}

async fn access_is_checked_in_the_service_and_refusals_are_recorded(b: Backend) {
    let app = start(b).await;
    let desk = app
        .client("motcua", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let admin_a = app
        .client("quantri.a", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let new_user = |unit: &str| json!({ "username": "moi", "full_name": "Nguyễn Văn Mới", "password": "mat-khau-moi-1", "role": "specialist", "unit": unit });

    let before = app.audit_count().await.unwrap();
    let r = desk
        .http
        .post(desk.url("/api/users"))
        .json(&new_user(codes::DESK_A))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a desk officer does not manage users");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(
        app.audit_count().await.unwrap(),
        before + 1,
        "only the refusal is recorded"
    );
    let denied = app
        .db
        .query_i64(
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'motcua'",
        )
        .await
        .unwrap();
    assert_eq!(denied, 1);

    // A unit administrator of district A manages A's subtree, not district B.
    let r = admin_a
        .http
        .post(admin_a.url("/api/users"))
        .json(&new_user(codes::DISTRICT_B))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = admin_a
        .http
        .post(admin_a.url("/api/users"))
        .json(&new_user(codes::COMMUNE_A))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Nor may they make a system administrator.
    let r = admin_a
        .http
        .post(admin_a.url("/api/users/moi/grants"))
        .json(&json!({ "role": "system_admin", "unit": codes::COMMUNE_A }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Bad input names the field and changes nothing.
    let r = admin_a
        .http
        .post(admin_a.url("/api/users/moi/grants"))
        .json(&json!({ "role": "vua", "unit": codes::COMMUNE_A }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "role");
    let r = admin_a
        .http
        .post(admin_a.url("/api/users/moi/grants"))
        .json(&json!({ "role": "leader" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "body", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("unit"), "{p}");

    // The new user signs in with the role they were given.
    let r = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&json!({ "username": "moi", "password": "mat-khau-moi-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.close().await;
}

async fn many_failures_from_one_address_are_throttled(b: Backend) {
    let app = start(b).await;
    app.user("thu.ky", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    // Twenty different names from one address (a password-spraying script):
    // each account stays under its own limit, the address does not.
    for i in 0..20 {
        let r = http
            .post(app.url("/api/auth/login"))
            .json(&json!({ "username": format!("doan{i}"), "password": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = http
        .post(app.url("/api/auth/login"))
        .json(&json!({ "username": "thu.ky", "password": TEST_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    app.close().await;
}
