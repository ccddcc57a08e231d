//! Staff pages over HTTP on both databases, driven like a browser without
//! JavaScript: forms posted url-encoded, redirects and cookies followed by
//! hand. Sign-in with its pre-session CSRF defence, the session's CSRF
//! field on page forms, sign-out, password change, redirects for visitors,
//! the language switch, error pages, assets and page weight.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, TEST_PASSWORD, TestApp, codes};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::api_auth::on_both;

on_both!(
    signing_in_with_the_form_starts_a_session_and_goes_back_where_asked,
    the_sign_in_form_refuses_a_missing_or_wrong_token_and_other_sites,
    a_wrong_password_shows_the_form_again_and_failures_are_limited,
    page_forms_need_the_sessions_csrf_field_and_sign_out_ends_the_session,
    visitors_are_sent_to_sign_in_with_a_local_next_only,
    changing_the_password_checks_each_field_and_ends_every_session,
    the_language_switch_shows_the_interface_in_english,
    errors_on_pages_are_html_in_the_readers_language,
    assets_are_cached_for_a_year_and_pages_stay_small,
);

/// A browser without JavaScript: keeps cookies, does not follow redirects.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

/// HTML text with the character references askama writes turned back into
/// characters, so tests compare what a browser would read.
pub(crate) fn unescape(html: &str) -> String {
    html.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
}

/// An answer read whole (the body with character references resolved).
pub(crate) struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of a hidden field, `name="csrf_token" value="…"`.
    pub fn field(&self, name: &str) -> String {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no field {name} in {}", self.body))
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookies: Vec::new(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(k, _)| k != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        self.keep(&headers);
        let body = unescape(&res.text().await.unwrap());
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn get_with(&mut self, path: &str, name: &str, value: &str) -> Page {
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header(name, HeaderValue::from_str(value).unwrap());
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(path, form, None).await
    }

    pub async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Page {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        self.send(req).await
    }

    /// Opens the sign-in form and posts it; returns the answer to the post.
    pub async fn sign_in(&mut self, username: &str, password: &str, next: &str) -> Page {
        let form = self.get("/dang-nhap").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let token = form.field("csrf_token");
        self.post(
            "/dang-nhap",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &token),
                ("next", next),
            ],
        )
        .await
    }

    /// Signs in and checks it worked.
    pub async fn signed_in(app: &TestApp, username: &str) -> Self {
        let mut b = Self::new(app);
        let p = b.sign_in(username, TEST_PASSWORD, "/").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert!(b.cookie("motcua_session").is_some());
        b
    }
}

pub(crate) async fn start(b: Backend) -> TestApp {
    TestApp::start(b).await.unwrap()
}

async fn signing_in_with_the_form_starts_a_session_and_goes_back_where_asked(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::new(&app);
    // A page asked for while signed out leads to the form, remembering it.
    let p = br.get("/?unit=000.01.21.H40").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/dang-nhap?next=%2F%3Funit%3D000.01.21.H40");
    let form = br.get(p.location()).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<html lang=\"vi\">"));
    assert!(form.body.contains("Tên đăng nhập"), "{}", form.body);
    assert_eq!(form.field("next"), "/?unit=000.01.21.H40");
    let token = form.field("csrf_token");
    assert_eq!(token.len(), 64);
    assert_eq!(br.cookie("motcua_login_csrf"), Some(token.as_str()));
    let set = form.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set.contains("HttpOnly")
            && set.contains("SameSite=Strict")
            && set.contains("Path=/dang-nhap")
    );

    let p = br
        .post(
            "/dang-nhap",
            &[
                ("username", "TiepNhan"),
                ("password", TEST_PASSWORD),
                ("csrf_token", &token),
                ("next", "/?unit=000.01.21.H40"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/?unit=000.01.21.H40");
    assert!(br.cookie("motcua_session").is_some());
    assert_eq!(
        br.cookie("motcua_login_csrf"),
        None,
        "the form's cookie is spent"
    );
    let home = br.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(
        home.body.contains("Người Dùng Thử"),
        "the user's name is in the header"
    );
    assert!(
        home.body.contains("Bộ phận Một cửa huyện Đô Lương"),
        "and the unit"
    );
    assert!(home.body.contains("Đăng xuất"));
    assert_eq!(
        home.headers.get("cache-control").unwrap(),
        "no-store",
        "pages with personal data are not cached"
    );
    assert!(
        home.headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    // Signed in already: the form sends straight on.
    let p = br.get("/dang-nhap?next=/doi-mat-khau").await;
    assert_eq!(p.location(), "/doi-mat-khau");

    // A `next` naming another site is replaced by the dashboard.
    let mut other = Browser::new(&app);
    let form = other.get("/dang-nhap?next=https://evil.example/").await;
    assert_eq!(form.field("next"), "/");
    let p = other
        .sign_in("tiepnhan", TEST_PASSWORD, "//evil.example/x")
        .await;
    assert_eq!(p.location(), "/");
    app.close().await;
}

async fn the_sign_in_form_refuses_a_missing_or_wrong_token_and_other_sites(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let creds = |token: &str| {
        [
            ("username", "tiepnhan".to_owned()),
            ("password", TEST_PASSWORD.to_owned()),
            ("csrf_token", token.to_owned()),
        ]
    };
    let post = async |br: &mut Browser, token: &str, origin: Option<&str>| {
        let form = creds(token);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        br.post_with("/dang-nhap", &pairs, origin).await
    };
    // No cookie at all, as from a page elsewhere posting to us.
    let mut br = Browser::new(&app);
    let p = post(&mut br, "0123", None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(
        p.body.contains("Biểu mẫu đăng nhập đã hết hạn"),
        "{}",
        p.body
    );
    assert_eq!(br.cookie("motcua_session"), None);
    // The cookie of a real form, but another token in the field.
    let good = br.get("/dang-nhap").await.field("csrf_token");
    let p = post(&mut br, "0123", None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(br.cookie("motcua_session"), None);
    // The right token, posted from another site's page.
    let good = {
        // The refused form set a fresh token; take the current one.
        let current = br.cookie("motcua_login_csrf").unwrap().to_owned();
        assert_ne!(current, good, "a refused form gets a new token");
        current
    };
    let p = post(&mut br, &good, Some("https://evil.example")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(br.cookie("motcua_session"), None);
    // The refused form comes back with a fresh token that works.
    let fresh = p.field("csrf_token");
    let p = post(&mut br, &fresh, None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(br.cookie("motcua_session").is_some());
    app.close().await;
}

async fn a_wrong_password_shows_the_form_again_and_failures_are_limited(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::new(&app);
    let p = br.sign_in("tiepnhan", "sai-mat-khau", "/").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."),
        "{}",
        p.body
    );
    assert!(p.body.contains(r#"value="tiepnhan""#), "the name is kept");
    assert!(
        !p.body.contains("sai-mat-khau"),
        "the password is not echoed"
    );
    assert_eq!(br.cookie("motcua_session"), None);
    // Empty fields are answered without counting a failure.
    let token = p.field("csrf_token");
    let p = br
        .post(
            "/dang-nhap",
            &[("username", ""), ("password", ""), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Nhập tên đăng nhập và mật khẩu."));
    // A name that cannot be one (65 characters, one more than a user name
    // holds) is answered like a wrong password, writes nothing and counts
    // nothing; one of 100 KB is refused at the edge before the page reads it.
    let before = app.audit_count().await.unwrap();
    let p = br.sign_in(&"a".repeat(65), "x", "/").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let p = br.sign_in(&"a".repeat(100 * 1024), "x", "/").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !p.body.contains(&"a".repeat(1000)),
        "the name is not echoed"
    );
    assert_eq!(app.audit_count().await.unwrap(), before);
    assert_eq!(
        app.db
            .query_i64("SELECT count(*) FROM login_attempts WHERE key LIKE '%aaa%'")
            .await
            .unwrap(),
        0
    );
    // Four more wrong passwords make five: the account is held from this
    // address, even for the right password, with the wait in minutes.
    for _ in 0..4 {
        let p = br.sign_in("tiepnhan", "sai-mat-khau", "/").await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let p = br.sign_in("tiepnhan", TEST_PASSWORD, "/").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        p.body
            .contains("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."),
        "{}",
        p.body
    );
    // Until the window that began with the first failure ends: 900 s less
    // the seconds the checks took (still 15 minutes, rounded up).
    let wait: u64 = p.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((841..=900).contains(&wait), "{wait}");
    assert_eq!(br.cookie("motcua_session"), None);
    app.close().await;
}

async fn page_forms_need_the_sessions_csrf_field_and_sign_out_ends_the_session(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let home = br.get("/").await;
    let csrf = home.field("csrf_token");
    assert_eq!(csrf.len(), 64);
    assert!(
        home.body
            .contains(&format!(r#"hx-headers='{{"x-csrf-token": "{csrf}"}}'"#)),
        "htmx requests carry the token"
    );
    // Without the field, or with another value: 403, as an HTML page.
    for form in [vec![], vec![("csrf_token", "not-the-token")]] {
        let p = br.post("/dang-xuat", &form).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(
            p.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            p.body.contains("Biểu mẫu đã hết hạn hoặc không hợp lệ"),
            "{}",
            p.body
        );
    }
    // The right token, but posted from another site.
    let p = br
        .post_with(
            "/dang-xuat",
            &[("csrf_token", &csrf)],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(br.get("/").await.status, StatusCode::OK, "still signed in");
    // The header works as well as the field (htmx).
    let session = br.cookie("motcua_session").unwrap().to_owned();
    let p = br.post("/dang-xuat", &[("csrf_token", &csrf)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/dang-nhap?signed_out=1");
    assert_eq!(br.cookie("motcua_session"), None, "the cookie is cleared");
    let p = br.get(p.location()).await;
    assert!(p.body.contains("Bạn đã đăng xuất."));
    // The old cookie no longer opens anything: the session ended on the server.
    br.set_cookie("motcua_session", &session);
    let p = br.get("/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/dang-nhap");
    app.close().await;
}

async fn visitors_are_sent_to_sign_in_with_a_local_next_only(b: Backend) {
    let app = start(b).await;
    let mut br = Browser::new(&app);
    let p = br.get("/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/dang-nhap");
    let p = br.get("/doi-mat-khau").await;
    assert_eq!(p.location(), "/dang-nhap?next=%2Fdoi-mat-khau");
    // htmx gets a whole-page redirect instead of a fragment.
    let p = br
        .get_with("/?unit=000.01.21.H40", "hx-request", "true")
        .await;
    assert_eq!(p.status, StatusCode::NO_CONTENT);
    assert_eq!(
        p.headers.get("hx-redirect").unwrap(),
        "/dang-nhap?next=%2F%3Funit%3D000.01.21.H40"
    );
    // A post without a session goes to the form, without `next`.
    let p = br.post("/doi-mat-khau", &[("current_password", "x")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/dang-nhap");
    app.close().await;
}

async fn changing_the_password_checks_each_field_and_ends_every_session(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let mut other = Browser::signed_in(&app, "tiepnhan").await;
    let form = br.get("/doi-mat-khau").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Mật khẩu hiện tại"));
    let csrf = form.field("csrf_token");
    let new = "mật-khẩu-mới-2025";
    let cases = [
        (
            "sai",
            new,
            new,
            "Mật khẩu hiện tại không đúng.",
            "current_password",
        ),
        (
            TEST_PASSWORD,
            "ngan",
            "ngan",
            "Mật khẩu mới phải có ít nhất 8 ký tự.",
            "new_password",
        ),
        (
            TEST_PASSWORD,
            new,
            "khác-hẳn-123",
            "Mật khẩu nhập lại không khớp",
            "confirm_password",
        ),
    ];
    for (current, new_pw, confirm, message, field) in cases {
        let p = br
            .post(
                "/doi-mat-khau",
                &[
                    ("csrf_token", &csrf),
                    ("current_password", current),
                    ("new_password", new_pw),
                    ("confirm_password", confirm),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(p.body.contains(message), "{field}: {}", p.body);
        assert!(
            p.body.contains(&format!(
                r#"id="{field}" name="{field}" type="password" autocomplete"#
            )),
            "{field}"
        );
        assert!(
            p.body
                .contains(&format!(r#"aria-describedby="{field}-error""#))
                || p.body.contains(&format!("{field}-error\"")),
            "the message is tied to {field}"
        );
    }
    assert_eq!(
        other.get("/").await.status,
        StatusCode::OK,
        "nothing changed yet"
    );
    let p = br
        .post(
            "/doi-mat-khau",
            &[
                ("csrf_token", &csrf),
                ("current_password", TEST_PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/dang-nhap?changed=1");
    assert!(br.get(p.location()).await.body.contains("Đã đổi mật khẩu."));
    // Every session of the person ended, this one and the other browser's.
    assert_eq!(other.get("/").await.status, StatusCode::SEE_OTHER);
    let mut again = Browser::new(&app);
    let p = again.sign_in("tiepnhan", TEST_PASSWORD, "/").await;
    assert_eq!(
        p.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the old password is gone"
    );
    let p = again.sign_in("tiepnhan", new, "/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    app.close().await;
}

async fn the_language_switch_shows_the_interface_in_english(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let home = br.get("/").await;
    assert!(home.body.contains("Tiếp nhận hôm nay"));
    let switch = r#"href="/ngon-ngu?lang=en&next=%2F""#;
    assert!(home.body.contains(switch), "{}", home.body);
    let p = br.get("/ngon-ngu?lang=en&next=%2F").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/");
    assert_eq!(br.cookie("lang"), Some("en"));
    let home = br.get("/").await;
    assert!(home.body.contains(r#"<html lang="en">"#));
    for text in [
        "Dashboard",
        "Received today",
        "Overdue",
        "On-time rate",
        "Sign out",
    ] {
        assert!(home.body.contains(text), "{text} in {}", home.body);
    }
    assert!(!home.body.contains("Tiếp nhận hôm nay"));
    let form = Browser::new(&app);
    let mut form = form;
    form.set_cookie("lang", "en");
    assert!(form.get("/dang-nhap").await.body.contains("User name"));
    // Back to Vietnamese; an unknown language is Vietnamese; `next` stays local.
    let p = br.get("/ngon-ngu?lang=xx&next=//evil.example").await;
    assert_eq!(p.location(), "/");
    assert_eq!(br.cookie("lang"), Some("vi"));
    assert!(br.get("/").await.body.contains("Tiếp nhận hôm nay"));
    app.close().await;
}

async fn errors_on_pages_are_html_in_the_readers_language(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let p = br.get("/?unit=khong-phai-ma").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body.contains("Dữ liệu gửi lên không hợp lệ."),
        "{}",
        p.body
    );
    assert!(p.body.contains("Mã lỗi 422"));
    br.set_cookie("lang", "en");
    let p = br.get("/?unit=000.00.22.H40").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("You may not see this page"), "{}", p.body);
    // A form too large to be a page form is refused before anything runs.
    let csrf = br.get("/doi-mat-khau").await.field("csrf_token");
    let big = "x".repeat(300 << 10);
    let p = br
        .post(
            "/doi-mat-khau",
            &[("csrf_token", &csrf), ("current_password", &big)],
        )
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(p.body.contains("too large"), "{}", p.body);
    // A form that is not url-encoded does not reach the handler.
    let csrf_header = csrf.clone();
    let res = reqwest::Client::new()
        .post(format!("{}/dang-nhap", app.base))
        .header("content-type", "application/json")
        .header("x-csrf-token", csrf_header)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    app.close().await;
}

async fn assets_are_cached_for_a_year_and_pages_stay_small(b: Backend) {
    let app = start(b).await;
    app.user("tiepnhan", Role::DeskOfficer, codes::DESK_A)
        .await
        .unwrap();
    let mut br = Browser::signed_in(&app, "tiepnhan").await;
    let home = br.get("/").await;
    let link = |attr: &str, suffix: &str| -> String {
        let marker = format!(r#"{attr}=""#);
        home.body
            .split(&marker)
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .find(|s| s.ends_with(suffix))
            .unwrap()
            .to_owned()
    };
    let css = link("href", ".css");
    let js = link("src", "htmx.min.js");
    assert!(css.starts_with("/assets/ui/") && js.starts_with("/assets/ui/htmx-"));
    let mut weight = home.body.len();
    for (path, ctype) in [(&css, "text/css"), (&js, "text/javascript")] {
        let p = br.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert_eq!(
            p.headers.get("cache-control").unwrap(),
            "public, max-age=31536000, immutable"
        );
        assert!(
            p.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(ctype)
        );
        weight += p.body.len();
    }
    // htmx's own version is the one in its path.
    let htmx = br.get(&js).await.body;
    assert!(
        htmx.contains(&format!(
            r#"version:"{}""#,
            motcua_web::ui::assets::HTMX_VERSION
        )),
        "HTMX_VERSION matches the vendored file"
    );
    assert!(weight < 300 << 10, "the dashboard weighs {weight} bytes");
    // Nothing is loaded from elsewhere.
    assert!(!home.body.contains("http://") && !home.body.contains("https://"));
    app.close().await;
}
