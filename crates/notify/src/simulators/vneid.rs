//! A VNeID stand-in speaking OpenID Connect's authorisation-code flow:
//!
//! - `GET /authorize?response_type=code&client_id&redirect_uri&state`: a
//!   page listing the simulated people, each a link that "signs in" as
//!   them;
//! - `GET /approve?person&client_id&redirect_uri&state`: issues a
//!   single-use code (valid five minutes) and redirects to `redirect_uri`
//!   with it and the `state`;
//! - `POST /token` (form: `grant_type`, `code`, `redirect_uri`,
//!   `client_id`, `client_secret`): the code for an access token, once,
//!   only with the right secret and the address the code was issued for;
//! - `GET /userinfo` with the bearer token: the person's claims.
//!
//! Like the real provider, it refuses a wrong secret, a reused or unknown
//! code, and a code presented for another address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;
use tokio::task::JoinHandle;

use super::lock;

/// A person the simulator can sign in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The stable subject.
    pub subject: String,
    /// Full name.
    pub name: String,
    /// Personal identification number.
    pub identity_number: String,
    /// Registered phone.
    pub phone: String,
    /// Level of assurance.
    pub level: u8,
}

/// The people of the demo.
pub fn demo_people() -> Vec<Person> {
    [
        (
            "vneid-0001",
            "Nguyễn Văn Dân",
            "040095000123",
            "0912000111",
            2,
        ),
        (
            "vneid-0002",
            "Trần Thị Hạnh",
            "040196000456",
            "0983000222",
            2,
        ),
        (
            "vneid-0003",
            "Lê Minh Khoa",
            "040088000789",
            "0868000333",
            1,
        ),
    ]
    .into_iter()
    .map(|(s, n, i, p, l)| Person {
        subject: s.to_owned(),
        name: n.to_owned(),
        identity_number: i.to_owned(),
        phone: p.to_owned(),
        level: l,
    })
    .collect()
}

struct Issued {
    person: usize,
    redirect_uri: String,
    at: Instant,
}

struct Shared {
    client_id: String,
    client_secret: String,
    people: Vec<Person>,
    codes: Mutex<HashMap<String, Issued>>,
    tokens: Mutex<HashMap<String, usize>>,
}

/// A running VNeID simulator.
pub struct VneidSimulator {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

const CODE_LIFE: Duration = Duration::from_secs(300);

impl VneidSimulator {
    /// Starts a provider that knows one client and `people`.
    pub async fn start(
        client_id: &str,
        client_secret: &str,
        people: Vec<Person>,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            people,
            codes: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
        });
        let app = axum::Router::new()
            .route("/authorize", get(authorize))
            .route("/approve", get(approve))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, task })
    }

    /// The base address (`http://127.0.0.1:PORT`).
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Settings for the adapter pointing here.
    pub fn settings(&self, client_id: &str, client_secret: &str) -> crate::vneid::OidcSettings {
        crate::vneid::OidcSettings {
            authorize_url: format!("{}/authorize", self.base()),
            token_url: format!("{}/token", self.base()),
            userinfo_url: format!("{}/userinfo", self.base()),
            client_id: client_id.to_owned(),
            client_secret: crate::config::Secret::new(client_secret),
            timeout_secs: 10,
        }
    }
}

impl Drop for VneidSimulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    person: Option<usize>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn authorize(State(s): State<Arc<Shared>>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.client_id.as_deref() != Some(s.client_id.as_str()) || q.redirect_uri.is_none() {
        return (StatusCode::BAD_REQUEST, "unknown client or no redirect_uri").into_response();
    }
    let redirect = q.redirect_uri.unwrap_or_default();
    let state = q.state.unwrap_or_default();
    let mut items = String::new();
    for (i, p) in s.people.iter().enumerate() {
        let link = serde_urlencoded::to_string([
            ("person", i.to_string()),
            ("client_id", s.client_id.clone()),
            ("redirect_uri", redirect.clone()),
            ("state", state.clone()),
        ])
        .unwrap_or_default();
        items.push_str(&format!(
            "<li><a href=\"/approve?{}\">{} · {}</a></li>",
            escape(&link),
            escape(&p.name),
            escape(&p.identity_number)
        ));
    }
    Html(format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>VNeID (giả lập)</title></head><body><h1>VNeID (giả lập)</h1>\
         <p>Chọn công dân để đăng nhập:</p><ul>{items}</ul></body></html>"
    ))
    .into_response()
}

async fn approve(State(s): State<Arc<Shared>>, Query(q): Query<AuthorizeQuery>) -> Response {
    let (Some(person), Some(redirect)) = (q.person, q.redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "person and redirect_uri").into_response();
    };
    if person >= s.people.len() || q.client_id.as_deref() != Some(s.client_id.as_str()) {
        return (StatusCode::BAD_REQUEST, "unknown person or client").into_response();
    }
    let Ok(code) = motcua_service::auth::new_secret() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no randomness").into_response();
    };
    lock(&s.codes).insert(
        code.clone(),
        Issued {
            person,
            redirect_uri: redirect.clone(),
            at: Instant::now(),
        },
    );
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let q = serde_urlencoded::to_string([("code", code), ("state", q.state.unwrap_or_default())])
        .unwrap_or_default();
    Redirect::to(&format!("{redirect}{sep}{q}")).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn token(State(s): State<Arc<Shared>>, Form(f): Form<TokenForm>) -> Response {
    let bad = |why: &str| (StatusCode::BAD_REQUEST, Json(json!({ "error": why }))).into_response();
    if f.grant_type.as_deref() != Some("authorization_code") {
        return bad("unsupported_grant_type");
    }
    if f.client_id.as_deref() != Some(s.client_id.as_str())
        || f.client_secret.as_deref() != Some(s.client_secret.as_str())
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    // A code is used once, whatever happens next.
    let Some(issued) = f.code.as_deref().and_then(|c| lock(&s.codes).remove(c)) else {
        return bad("invalid_grant");
    };
    if issued.at.elapsed() > CODE_LIFE || f.redirect_uri.as_deref() != Some(&issued.redirect_uri) {
        return bad("invalid_grant");
    }
    let Ok(access) = motcua_service::auth::new_secret() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no randomness").into_response();
    };
    lock(&s.tokens).insert(access.clone(), issued.person);
    Json(json!({ "access_token": access, "token_type": "Bearer", "expires_in": 300 }))
        .into_response()
}

async fn userinfo(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(person) = bearer.and_then(|t| lock(&s.tokens).get(t).copied()) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_token" })),
        )
            .into_response();
    };
    let p = &s.people[person];
    Json(json!({
        "sub": p.subject, "name": p.name, "identity_number": p.identity_number,
        "phone_number": p.phone, "level": p.level,
    }))
    .into_response()
}
