//! Citizens' accounts on the portal over HTTP on both databases (issue 19,
//! point 2): registering, the code that confirms a contact, signing in and
//! out, password reset, that nothing tells a stranger whether an account
//! exists, forms from elsewhere, bad input and the limits.
//!
//! Codes are read where they go: the outbox, as the SMS gateway or the
//! mail server would receive them.

use motcua_service::store::OutboxMessage;
use motcua_testkit::{Backend, TestApp};

use crate::api_auth::on_both;

on_both!(
    a_citizen_registers_confirms_signs_in_and_out,
    a_taken_contact_and_an_unknown_one_answer_like_any_other,
    a_reset_needs_the_live_code_and_ends_every_session,
    forms_from_elsewhere_and_bad_input_change_nothing,
    guessing_is_limited
);

/// A browser without a cookie jar: the cookies are kept here by hand.
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    form_cookie: String,
    pub(crate) session: String,
    /// Other cookies (`name=value`), such as the VNeID round trip's.
    others: Vec<String>,
}

/// An answer: status, `Set-Cookie` headers, `Location`, body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) cookies: Vec<String>,
    pub(crate) location: String,
    pub(crate) body: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            form_cookie: String::new(),
            session: String::new(),
            others: Vec::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        [&self.form_cookie, &self.session]
            .into_iter()
            .chain(self.others.iter())
            .filter(|c| !c.is_empty())
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) async fn answer(&mut self, r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &cookies {
            let pair = c.split(';').next().unwrap().to_owned();
            if pair.starts_with("motcua_portal_form=") {
                self.form_cookie = pair;
            } else if pair.starts_with("motcua_portal=") {
                self.session = if pair == "motcua_portal=" {
                    String::new()
                } else {
                    pair
                };
            } else if let Some((name, value)) = pair.split_once('=') {
                let prefix = format!("{name}=");
                self.others.retain(|c| !c.starts_with(&prefix));
                if !value.is_empty() {
                    self.others.push(pair.clone());
                }
            }
        }
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Answer {
            status,
            cookies,
            location,
            body: r.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Answer {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.answer(r).await
    }

    /// Posts a form with the token of the last page read (`csrf_token`).
    async fn post(&mut self, path: &str, token: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all = vec![("csrf_token", token)];
        all.extend_from_slice(fields);
        self.post_raw(path, serde_urlencoded::to_string(&all).unwrap(), &[])
            .await
    }

    pub(crate) async fn post_raw(
        &mut self,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        self.answer(r).await
    }
}

/// The hidden `csrf_token` of the first form on a page.
pub(crate) fn token(body: &str) -> String {
    let at = body
        .find(r#"name="csrf_token" value=""#)
        .expect("a form with a token");
    let rest = &body[at + r#"name="csrf_token" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn messages_to(app: &TestApp, recipient: &str) -> Vec<OutboxMessage> {
    let all = app
        .db
        .store()
        .outbox_messages(None, None, None, 200)
        .await
        .unwrap();
    all.into_iter()
        .filter(|m| m.message.recipient == recipient)
        .collect()
}

/// The six digits in the newest message to `recipient`.
async fn code_sent_to(app: &TestApp, recipient: &str) -> String {
    let msgs = messages_to(app, recipient).await;
    let newest = msgs.iter().max_by_key(|m| m.id).expect("a message");
    let body = &newest.message.body;
    let digits: Vec<char> = body.chars().collect();
    (0..digits.len().saturating_sub(5))
        .map(|i| digits[i..i + 6].iter().collect::<String>())
        .find(|w| w.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in {body}"))
}

async fn accounts(app: &TestApp) -> i64 {
    app.db
        .query_i64("SELECT count(*) FROM applicant_accounts")
        .await
        .unwrap()
}

/// Registers and confirms an account; returns the browser with its form
/// cookie.
pub(crate) async fn registered(
    app: &TestApp,
    contact: &str,
    normal: &str,
    password: &str,
) -> Browser {
    let mut b = Browser::new(app);
    let page = b.get("/cong-dan/dang-ky").await;
    let t = token(&page.body);
    let r = b
        .post(
            "/cong-dan/dang-ky",
            &t,
            &[
                ("kind", "citizen"),
                ("full_name", "Trần Thị Mai"),
                ("contact", contact),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let code = code_sent_to(app, normal).await;
    let r = b
        .post(
            "/cong-dan/xac-nhan",
            &t,
            &[("contact", normal), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    b
}

pub(crate) async fn sign_in(b: &mut Browser, contact: &str, password: &str) -> Answer {
    let page = b.get("/cong-dan/dang-nhap").await;
    let t = token(&page.body);
    b.post(
        "/cong-dan/dang-nhap",
        &t,
        &[("contact", contact), ("password", password), ("next", "")],
    )
    .await
}

async fn a_citizen_registers_confirms_signs_in_and_out(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let mut br = Browser::new(&app);
    let page = br.get("/cong-dan/dang-ky").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Đăng ký tài khoản"), "{}", page.body);
    let form_cookie = page
        .cookies
        .iter()
        .find(|c| c.starts_with("motcua_portal_form="))
        .expect("the form's cookie");
    assert!(form_cookie.contains("Path=/cong-dan") && form_cookie.contains("SameSite=Strict"));
    let t = token(&page.body);

    let r = br
        .post(
            "/cong-dan/dang-ky",
            &t,
            &[
                ("kind", "citizen"),
                ("full_name", "Trần Thị Mai"),
                ("contact", "+84 912 345 678"),
                ("password", "mật-khẩu-dài"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("091****678"),
        "where the code went: {}",
        r.body
    );
    let sms = messages_to(&app, "0912345678").await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].message.channel.as_str(), "sms");
    assert!(sms[0].dossier_id.is_none());
    let code = code_sent_to(&app, "0912345678").await;

    // Not confirmed: the right password says so, a wrong one says nothing.
    let r = sign_in(&mut br, "0912345678", "mật-khẩu-dài").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("chưa được xác nhận"), "{}", r.body);
    let r = sign_in(&mut br, "0912345678", "sai-mat-khau").await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("không đúng"), "{}", r.body);
    assert!(!r.body.contains("chưa được xác nhận"));

    // A wrong code, then the right one.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = br
        .post(
            "/cong-dan/xac-nhan",
            &t,
            &[("contact", "0912345678"), ("code", wrong)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Mã xác nhận không đúng"), "{}", r.body);
    let r = br
        .post(
            "/cong-dan/xac-nhan",
            &t,
            &[("contact", "0912 345 678"), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("đã được xác nhận"), "{}", r.body);
    // A code works once.
    let r = br
        .post(
            "/cong-dan/xac-nhan",
            &t,
            &[("contact", "0912345678"), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, 422);

    let r = sign_in(&mut br, "0912.345.678", "mật-khẩu-dài").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, "/cong-dan/tai-khoan");
    let session = r
        .cookies
        .iter()
        .find(|c| c.starts_with("motcua_portal="))
        .expect("the session cookie")
        .clone();
    assert!(
        session.contains("Path=/cong-dan") && session.contains("HttpOnly"),
        "{session}"
    );
    let me = br.get("/cong-dan/tai-khoan").await;
    assert_eq!(me.status, 200);
    assert!(
        me.body.contains("Trần Thị Mai") && me.body.contains("091****678"),
        "{}",
        me.body
    );

    // The portal's session opens no staff page and no API.
    let staff = br.get("/").await;
    assert_eq!(staff.status, 303);
    assert!(
        staff.location.starts_with("/dang-nhap"),
        "{}",
        staff.location
    );
    let api = br.get("/api/auth/me").await;
    assert_eq!(api.status, 401);

    // The audit log names the account by id, never its phone or name.
    let leaked = app
        .db
        .query_i64(
            "SELECT count(*) FROM audit_log WHERE detail LIKE '%0912345678%' \
             OR detail LIKE '%Mai%' OR subject LIKE '%0912%'",
        )
        .await
        .unwrap();
    assert_eq!(leaked, 0);
    assert!(
        app.db
            .query_i64("SELECT count(*) FROM audit_log WHERE action = 'applicant.create'")
            .await
            .unwrap()
            == 1
    );

    // Signing out needs the session's token.
    let bad = br.post("/cong-dan/dang-xuat", "khong-dung", &[]).await;
    assert_eq!(bad.status, 403);
    let me = br.get("/cong-dan/tai-khoan").await;
    let t = token(&me.body);
    let out = br.post("/cong-dan/dang-xuat", &t, &[]).await;
    assert_eq!(out.status, 303);
    let gone = br.get("/cong-dan/tai-khoan").await;
    assert_eq!(gone.status, 303);
    assert!(
        gone.location.starts_with("/cong-dan/dang-nhap?next="),
        "{}",
        gone.location
    );
}

async fn a_taken_contact_and_an_unknown_one_answer_like_any_other(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    registered(&app, "An@Example.org", "an@example.org", "mat-khau-rat-dai").await;
    assert_eq!(accounts(&app).await, 1);
    let before = messages_to(&app, "an@example.org").await.len();

    // A stranger registers with the same address: the same answer.
    let mut other = Browser::new(&app);
    let page = other.get("/cong-dan/dang-ky").await;
    let t = token(&page.body);
    let again = other
        .post(
            "/cong-dan/dang-ky",
            &t,
            &[
                ("kind", "organisation"),
                ("full_name", "Công ty TNHH Lạ"),
                ("contact", "an@example.org"),
                ("password", "khac-hoan-toan"),
            ],
        )
        .await;
    let fresh = other
        .post(
            "/cong-dan/dang-ky",
            &t,
            &[
                ("kind", "organisation"),
                ("full_name", "Công ty TNHH Mới"),
                ("contact", "moi@example.org"),
                ("password", "khac-hoan-toan"),
            ],
        )
        .await;
    assert_eq!(again.status, fresh.status);
    assert_eq!(
        again
            .body
            .replace("a***@example.org", "X")
            .replace("an@example.org", "Y"),
        fresh
            .body
            .replace("m***@example.org", "X")
            .replace("moi@example.org", "Y"),
        "a taken address reads like a new one"
    );
    assert_eq!(
        accounts(&app).await,
        2,
        "only the new address got an account"
    );
    // Its owner is told, with no code in the note.
    let to_owner = messages_to(&app, "an@example.org").await;
    assert_eq!(to_owner.len(), before + 1);
    let note = to_owner.iter().max_by_key(|m| m.id).unwrap();
    assert!(
        note.message.body.contains("đã có tài khoản"),
        "{}",
        note.message.body
    );
    assert!(!note.message.body.chars().any(|c| c.is_ascii_digit()));
    // The stranger's password does not open the account.
    let r = sign_in(&mut other, "an@example.org", "khac-hoan-toan").await;
    assert_eq!(r.status, 401);

    // A reset for an unknown contact reads like one for a known one.
    let page = other.get("/cong-dan/quen-mat-khau").await;
    let t = token(&page.body);
    let known = other
        .post(
            "/cong-dan/quen-mat-khau",
            &t,
            &[("contact", "an@example.org")],
        )
        .await;
    let unknown = other
        .post(
            "/cong-dan/quen-mat-khau",
            &t,
            &[("contact", "khong-co@example.org")],
        )
        .await;
    assert_eq!(known.status, 200);
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        known
            .body
            .replace("a***@example.org", "X")
            .replace("an@example.org", "Y"),
        unknown
            .body
            .replace("k***@example.org", "X")
            .replace("khong-co@example.org", "Y"),
    );
    assert!(messages_to(&app, "khong-co@example.org").await.is_empty());
    // A code for a contact without an account is as dead as an expired one.
    let r = other
        .post(
            "/cong-dan/dat-lai-mat-khau",
            &t,
            &[
                ("contact", "khong-co@example.org"),
                ("code", "123456"),
                ("password", "moi-mat-khau-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("hết hạn"), "{}", r.body);
}

async fn a_reset_needs_the_live_code_and_ends_every_session(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let mut br = registered(&app, "0987654321", "0987654321", "mat-khau-cu-1").await;
    assert_eq!(
        sign_in(&mut br, "0987654321", "mat-khau-cu-1").await.status,
        303
    );
    let old_session = br.session.clone();
    assert_eq!(br.get("/cong-dan/tai-khoan").await.status, 200);

    let page = br.get("/cong-dan/quen-mat-khau").await;
    let t = token(&page.body);
    let r = br
        .post("/cong-dan/quen-mat-khau", &t, &[("contact", "0987654321")])
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("098****321"), "{}", r.body);
    let code = code_sent_to(&app, "0987654321").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let r = br
            .post(
                "/cong-dan/dat-lai-mat-khau",
                &t,
                &[
                    ("contact", "0987654321"),
                    ("code", wrong),
                    ("password", "mat-khau-moi-1"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "try {i}");
    }
    // Five wrong tries kill the code, the right one too.
    let r = br
        .post(
            "/cong-dan/dat-lai-mat-khau",
            &t,
            &[
                ("contact", "0987654321"),
                ("code", &code),
                ("password", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("hết hạn"), "{}", r.body);
    // A new code works once; the password changes; sessions end.
    br.post("/cong-dan/quen-mat-khau", &t, &[("contact", "0987654321")])
        .await;
    let code = code_sent_to(&app, "0987654321").await;
    let r = br
        .post(
            "/cong-dan/dat-lai-mat-khau",
            &t,
            &[
                ("contact", "0987654321"),
                ("code", &code),
                ("password", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("đã được đặt lại"), "{}", r.body);
    br.session = old_session;
    assert_eq!(
        br.get("/cong-dan/tai-khoan").await.status,
        303,
        "the old session ended"
    );
    assert_eq!(
        sign_in(&mut br, "0987654321", "mat-khau-cu-1").await.status,
        401
    );
    assert_eq!(
        sign_in(&mut br, "0987654321", "mat-khau-moi-1")
            .await
            .status,
        303
    );
}

async fn forms_from_elsewhere_and_bad_input_change_nothing(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let mut br = Browser::new(&app);
    let page = br.get("/cong-dan/dang-ky").await;
    let t = token(&page.body);
    let good = [
        ("kind", "citizen"),
        ("full_name", "Lê Văn Nam"),
        ("contact", "0911222333"),
        ("password", "mat-khau-dai-1"),
    ];
    // No form cookie (a page on another site posting): refused.
    let mut stranger = Browser::new(&app);
    let r = stranger.post("/cong-dan/dang-ky", &t, &good).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Biểu mẫu đã hết hạn"), "{}", r.body);
    // The cookie but another origin: refused.
    let mut all = vec![("csrf_token", t.as_str())];
    all.extend_from_slice(&good);
    let body = serde_urlencoded::to_string(&all).unwrap();
    let r = br
        .post_raw(
            "/cong-dan/dang-ky",
            body.clone(),
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(r.status, 403);
    // A wrong token: refused.
    let r = br
        .post("/cong-dan/dang-ky", "0".repeat(64).as_str(), &good)
        .await;
    assert_eq!(r.status, 403);

    // Each bad field is named on its field, the others kept.
    let cases: [(&str, &str, &str); 4] = [
        ("contact", "091122", "số điện thoại 10 số"),
        ("contact", "an@", "số điện thoại 10 số"),
        ("password", "ngan", "ít nhất 8 ký tự"),
        ("full_name", "   ", "Nhập họ và tên"),
    ];
    for (field, value, says) in cases {
        let fields: Vec<(&str, &str)> = good
            .iter()
            .map(|(k, v)| if *k == field { (*k, value) } else { (*k, *v) })
            .collect();
        let r = br.post("/cong-dan/dang-ky", &t, &fields).await;
        assert_eq!(r.status, 422, "{field}={value}");
        assert!(r.body.contains(says), "{field}={value}: {}", r.body);
        assert!(
            r.body.contains(&format!(r#"id="f-{field}-error""#)),
            "on its field: {field}"
        );
        if field != "full_name" {
            assert!(r.body.contains("Lê Văn Nam"), "the name is kept");
        }
    }
    let r = br
        .post(
            "/cong-dan/dang-ky",
            &t,
            &[
                ("kind", "robot"),
                ("full_name", "X"),
                ("contact", "0911222333"),
                ("password", "mat-khau-dai-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    // A body past the portal's limit, and one that is no form.
    let r = br
        .post_raw(
            "/cong-dan/dang-ky",
            format!("csrf_token={t}&full_name={}", "a".repeat(20_000)),
            &[],
        )
        .await;
    assert_eq!(r.status, 413);
    let r = br
        .post_raw("/cong-dan/dang-ky", "%%%=%ZZ&&".into(), &[])
        .await;
    assert!(
        r.status == 400 || r.status == 403 || r.status == 422,
        "{}",
        r.status
    );
    assert!(r.body.contains("<html"), "an HTML page, not JSON");
    assert_eq!(accounts(&app).await, 0, "nothing was created");
    assert!(messages_to(&app, "0911222333").await.is_empty());
}

async fn guessing_is_limited(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let mut br = registered(&app, "0933444555", "0933444555", "mat-khau-that-1").await;
    // Five wrong passwords from one address for one account, then a wait,
    // even for the right one.
    for i in 0..5 {
        assert_eq!(
            sign_in(&mut br, "0933444555", "sai-mat-khau").await.status,
            401,
            "try {i}"
        );
    }
    let r = sign_in(&mut br, "0933444555", "mat-khau-that-1").await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("quá nhiều lần"), "{}", r.body);
    // Codes: five messages an hour to one contact, then none.
    let page = br.get("/cong-dan/quen-mat-khau").await;
    let t = token(&page.body);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            br.post("/cong-dan/quen-mat-khau", &t, &[("contact", "0944555666")])
                .await
                .status,
        );
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
}
