//! Sign-in hardening over HTTP (issue 16): throttling reserved before the
//! password is checked, per account and address with a per-account backoff,
//! the client address behind trusted proxies, bounded sign-in fields, API
//! token lifetimes and last use, and the `Secure` cookie flag.

use motcua_domain::role::Role;
use motcua_service::auth::SignInLimits;
use motcua_testkit::{Backend, TEST_PASSWORD, TestApp, codes};
use motcua_web::auth::AuthSettings;
use serde_json::{Value, json};

use super::api_auth::on_both;

on_both!(
    forty_parallel_wrong_passwords_evaluate_only_the_pair_limit,
    an_attacker_from_one_address_does_not_lock_the_owner_out,
    failures_from_many_addresses_slow_the_account_down,
    forwarded_addresses_count_only_from_trusted_proxies,
    oversized_sign_in_fields_are_refused_without_writing,
    tokens_expire_and_show_their_last_use,
    tokens_end_when_the_password_is_changed_or_reset,
    session_cookies_are_secure_when_configured,
);

async fn start_with(b: Backend, auth: AuthSettings) -> TestApp {
    TestApp::start_with(
        b,
        motcua_testkit::Options {
            auth,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Settings trusting the test's own address (127.0.0.1) as a proxy, so a
/// test can speak for many clients through `X-Forwarded-For`.
fn behind_proxy(limits: SignInLimits) -> AuthSettings {
    AuthSettings {
        limits,
        trusted_proxies: AuthSettings::parse_proxies(&[
            "127.0.0.1/32".to_owned(),
            "10.0.0.0/8".to_owned(),
        ])
        .unwrap(),
        ..AuthSettings::default()
    }
}

async fn sign_in(
    app: &TestApp,
    name: &str,
    password: &str,
    from: Option<&str>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&json!({ "username": name, "password": password }));
    if let Some(addr) = from {
        req = req.header("x-forwarded-for", addr);
    }
    req.send().await.unwrap()
}

async fn failed_checks(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'")
        .await
        .unwrap()
}

/// Before: 40 parallel wrong passwords were all checked (40 × 401). Now each
/// attempt is reserved first: exactly the pair limit (5) is checked and the
/// other 35 are refused without a password check.
async fn forty_parallel_wrong_passwords_evaluate_only_the_pair_limit(b: Backend) {
    let app = start_with(b, AuthSettings::default()).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let req = http
            .post(app.url("/api/auth/login"))
            .json(&json!({ "username": "chuyenvien", "password": "sai-mat-khau" }));
        set.spawn(async move { req.send().await.unwrap().status().as_u16() });
    }
    let (mut unauthorized, mut limited) = (0, 0);
    while let Some(s) = set.join_next().await {
        match s.unwrap() {
            401 => unauthorized += 1,
            429 => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((unauthorized, limited), (5, 35));
    assert_eq!(failed_checks(&app).await, 5, "five passwords were checked");
    let pair = app
        .db
        .query_i64("SELECT attempts FROM login_attempts WHERE key = 'pair:chuyenvien@127.0.0.1'")
        .await
        .unwrap();
    assert_eq!(pair, 5);
    app.close().await;
}

/// Before: five failures from anywhere locked the account for everyone.
/// Now an address that failed five times is held while the owner, from
/// another address, signs in.
async fn an_attacker_from_one_address_does_not_lock_the_owner_out(b: Backend) {
    let app = start_with(b, behind_proxy(SignInLimits::default())).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    for _ in 0..5 {
        let r = sign_in(&app, "chuyenvien", "sai-mat-khau", Some("203.0.113.9")).await;
        assert_eq!(r.status(), 401);
    }
    let r = sign_in(&app, "chuyenvien", TEST_PASSWORD, Some("203.0.113.9")).await;
    assert_eq!(r.status(), 429, "the attacker's address is held");
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    let r = sign_in(&app, "chuyenvien", TEST_PASSWORD, Some("198.51.100.4")).await;
    assert_eq!(r.status(), 200, "the owner elsewhere gets in");
    app.close().await;
}

/// Failures from many addresses (each under its own limits) slow the
/// account down: after the free ten, the next attempt waits the backoff
/// (60 s here) and is answered 429 with Retry-After, whoever sends it.
async fn failures_from_many_addresses_slow_the_account_down(b: Backend) {
    let limits = SignInLimits {
        backoff_base: jiff::SignedDuration::from_secs(60),
        ..SignInLimits::default()
    };
    let app = start_with(b, behind_proxy(limits)).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    for i in 1..=10 {
        let r = sign_in(&app, "chuyenvien", "sai", Some(&format!("203.0.113.{i}"))).await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    let r = sign_in(&app, "chuyenvien", TEST_PASSWORD, Some("198.51.100.4")).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(failed_checks(&app).await, 10);
    // Another account from the same addresses is not slowed.
    app.user("thu.ky", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let r = sign_in(&app, "thu.ky", TEST_PASSWORD, Some("203.0.113.1")).await;
    assert_eq!(r.status(), 200);
    app.close().await;
}

/// Without trusted proxies `X-Forwarded-For` is ignored: five failures
/// "from" five addresses are one address's five, and the sixth is held.
/// With the test's address trusted, the right-most untrusted hop counts.
async fn forwarded_addresses_count_only_from_trusted_proxies(b: Backend) {
    let app = start_with(b, AuthSettings::default()).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    for i in 1..=5 {
        let r = sign_in(&app, "chuyenvien", "sai", Some(&format!("203.0.113.{i}"))).await;
        assert_eq!(r.status(), 401);
    }
    let r = sign_in(&app, "chuyenvien", TEST_PASSWORD, Some("198.51.100.4")).await;
    assert_eq!(r.status(), 429, "the header was not believed");
    app.close().await;

    let app = start_with(b, behind_proxy(SignInLimits::default())).await;
    app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    // A client-made hop on the left, the client, then a trusted proxy.
    let r = sign_in(
        &app,
        "chuyenvien",
        "sai",
        Some("192.0.2.66, 203.0.113.5, 10.1.2.3"),
    )
    .await;
    assert_eq!(r.status(), 401);
    let keys = |k: &'static str| {
        let db = &app.db;
        async move {
            db.query_i64(&format!(
                "SELECT count(*) FROM login_attempts WHERE key = '{k}'"
            ))
            .await
            .unwrap()
        }
    };
    assert_eq!(keys("ip:203.0.113.5").await, 1);
    assert_eq!(keys("pair:chuyenvien@203.0.113.5").await, 1);
    assert_eq!(
        keys("ip:192.0.2.66").await + keys("ip:10.1.2.3").await + keys("ip:127.0.0.1").await,
        0
    );
    for i in 1..=5 {
        let r = sign_in(&app, "chuyenvien", "sai", Some(&format!("198.51.100.{i}"))).await;
        assert_eq!(r.status(), 401, "each address is its own pair");
    }
    app.close().await;
}

/// Before: a 900 KB user name was written to the audit log and the failure
/// table. Now a name that cannot be one and an overlong password are 422
/// naming the field, and nothing is written.
async fn oversized_sign_in_fields_are_refused_without_writing(b: Backend) {
    let app = start_with(b, AuthSettings::default()).await;
    let before = app.audit_count().await.unwrap();
    let huge = "a".repeat(900 * 1024);
    let long = "a".repeat(65);
    let long_password = "p".repeat(1025);
    for (name, password, field) in [
        (huge.as_str(), "x", "username"),
        (long.as_str(), "x", "username"),
        ("ten có dấu", "x", "username"),
        ("chuyenvien", long_password.as_str(), "password"),
    ] {
        let r = sign_in(&app, name, password, None).await;
        assert_eq!(r.status(), 422, "{field} of {} bytes", name.len());
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field, "{p}");
    }
    assert_eq!(app.audit_count().await.unwrap(), before);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM login_attempts")
            .await
            .unwrap(),
        0
    );
    // A password of exactly 1024 bytes is checked (and wrong).
    let r = sign_in(&app, "chuyenvien", &"p".repeat(1024), None).await;
    assert_eq!(r.status(), 401);
    app.close().await;
}

/// Tokens get the default lifetime (90 days) or the one asked for up to
/// the maximum (365: more is 422 naming the field); an expired token is
/// refused; a used token lists its last use.
async fn tokens_expire_and_show_their_last_use(b: Backend) {
    let app = start_with(b, AuthSettings::default()).await;
    let c = app
        .client("quantri", Role::UnitAdmin, codes::DISTRICT_A)
        .await
        .unwrap();
    let r = c
        .http
        .post(c.url("/api/auth/tokens"))
        .json(&json!({ "name": "quá dài", "expires_in_days": 366 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "expires_in_days");

    let t: Value = c
        .http
        .post(c.url("/api/auth/tokens"))
        .json(&json!({ "name": "đồng bộ" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: jiff::Timestamp = t["created_at"].as_str().unwrap().parse().unwrap();
    let expires: jiff::Timestamp = t["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        expires.duration_since(created),
        jiff::SignedDuration::from_hours(90 * 24)
    );
    assert_eq!(t["last_used_at"], Value::Null);
    let year: Value = c
        .http
        .post(c.url("/api/auth/tokens"))
        .json(&json!({ "name": "một năm", "expires_in_days": 365 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: jiff::Timestamp = year["created_at"].as_str().unwrap().parse().unwrap();
    let expires: jiff::Timestamp = year["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        expires.duration_since(created),
        jiff::SignedDuration::from_hours(365 * 24)
    );

    let secret = t["secret"].as_str().unwrap();
    let bearer = reqwest::Client::new();
    let me = |s: String| bearer.get(app.url("/api/auth/me")).bearer_auth(s).send();
    assert_eq!(me(secret.to_owned()).await.unwrap().status(), 200);
    assert_eq!(me(secret.to_owned()).await.unwrap().status(), 200);
    let listed: Value = c
        .http
        .get(c.url("/api/auth/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == t["id"])
        .unwrap();
    let used: jiff::Timestamp = mine["last_used_at"].as_str().unwrap().parse().unwrap();
    assert!(used >= created, "{used}");

    app.db
        .execute(&format!(
            "UPDATE api_tokens SET expires_at_ms = created_at_ms WHERE id = {}",
            t["id"]
        ))
        .await
        .unwrap();
    assert_eq!(
        me(secret.to_owned()).await.unwrap().status(),
        401,
        "expired"
    );
    let year_secret = year["secret"].as_str().unwrap().to_owned();
    assert_eq!(me(year_secret).await.unwrap().status(), 200);
    app.close().await;
}

/// Before: a token outlived a password reset. Now changing one's password,
/// and an administrator's reset, end the person's tokens.
async fn tokens_end_when_the_password_is_changed_or_reset(b: Backend) {
    let app = start_with(b, AuthSettings::default()).await;
    let c = app
        .client("chuyenvien", Role::Specialist, codes::OFFICE_A)
        .await
        .unwrap();
    let admin = app
        .client("admin", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let token = |c: &motcua_testkit::Client| {
        let req = c
            .http
            .post(c.url("/api/auth/tokens"))
            .json(&json!({ "name": "máy" }));
        async move {
            let t: Value = req.send().await.unwrap().json().await.unwrap();
            t["secret"].as_str().unwrap().to_owned()
        }
    };
    let bearer = reqwest::Client::new();
    let status = |s: &str| {
        bearer
            .get(app.url("/api/auth/me"))
            .bearer_auth(s.to_owned())
            .send()
    };

    let own = token(&c).await;
    assert_eq!(status(&own).await.unwrap().status(), 200);
    let r = c
        .http
        .post(c.url("/api/auth/password"))
        .json(&json!({ "current_password": TEST_PASSWORD, "new_password": "mat-khau-moi-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        status(&own).await.unwrap().status(),
        401,
        "ended by the change"
    );

    let r = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&json!({ "username": "chuyenvien", "password": "mat-khau-moi-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let me: Value = r.json().await.unwrap();
    let again = reqwest::Client::new()
        .post(app.url("/api/auth/tokens"))
        .header("cookie", cookie)
        .header("x-csrf-token", me["csrf_token"].as_str().unwrap())
        .json(&json!({ "name": "máy" }))
        .send()
        .await
        .unwrap();
    let again: Value = again.json().await.unwrap();
    let again = again["secret"].as_str().unwrap().to_owned();
    let admins = token(&admin).await;
    assert_eq!(status(&again).await.unwrap().status(), 200);
    let r = admin
        .http
        .post(admin.url("/api/users/chuyenvien/password"))
        .json(&json!({ "password": "mat-khau-moi-2" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        status(&again).await.unwrap().status(),
        401,
        "ended by the reset"
    );
    assert_eq!(
        status(&admins).await.unwrap().status(),
        200,
        "others' tokens stay"
    );
    app.close().await;
}

/// Cookies carry `Secure` when the settings say so (as `serve` does off
/// loopback), and not otherwise.
async fn session_cookies_are_secure_when_configured(b: Backend) {
    for secure in [false, true] {
        let settings = AuthSettings {
            cookie_secure: secure,
            ..AuthSettings::default()
        };
        let app = start_with(b, settings).await;
        app.user("chuyenvien", Role::Specialist, codes::OFFICE_A)
            .await
            .unwrap();
        let r = sign_in(&app, "chuyenvien", TEST_PASSWORD, None).await;
        assert_eq!(r.status(), 200);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("motcua_session="), "{cookie}");
        assert_eq!(cookie.ends_with("; Secure"), secure, "{cookie}");
        let page = reqwest::Client::new()
            .get(app.url("/dang-nhap"))
            .send()
            .await
            .unwrap();
        let form_cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert_eq!(form_cookie.ends_with("; Secure"), secure, "{form_cookie}");
        app.close().await;
    }
}
