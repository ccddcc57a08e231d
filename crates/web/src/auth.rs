//! Who is calling: a session cookie (browsers) or a bearer token (machines).
//!
//! Cookie-authenticated requests that change something must carry the
//! session's CSRF token (`x-csrf-token` header, or a `csrf_token` form field
//! for pages) and, when the browser sends one, an `Origin` matching the host:
//! a page on another site cannot make a signed-in browser act. Bearer tokens
//! are not sent by browsers on their own, so they need neither.
//!
//! The form field is read by [`form_csrf`], a layer on the page routes: it
//! lifts `csrf_token` out of a url-encoded body into the request's
//! extensions before any extractor runs, so [`Authed`] checks it like the
//! header and handlers still read the whole form.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_service::access::Actor;
use motcua_service::auth;

use crate::AppState;

/// What the signed-in extractors need of a front end's state (the API's or
/// the staff pages'): the services that resolve a session or token, and
/// the sign-in settings.
pub trait Sessions: Send + Sync {
    /// The services.
    fn services(&self) -> &motcua_service::Services;
    /// The sign-in settings.
    fn auth(&self) -> &AuthSettings;
}

impl Sessions for AppState {
    fn services(&self) -> &motcua_service::Services {
        &self.services
    }

    fn auth(&self) -> &AuthSettings {
        &self.auth
    }
}
use crate::error::WebError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "motcua_session";
/// Header carrying the CSRF token for cookie-authenticated API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in actor; rejects with 401 when there is none.
pub struct Authed {
    /// Who.
    pub actor: Actor,
    /// The session, when signed in with a cookie (none for tokens).
    pub session: Option<motcua_service::store::SessionRecord>,
    /// The cookie secret, for logout.
    pub secret: Option<String>,
}

/// The actor if any; anonymous callers get `None` (public pages and lookups).
pub struct MaybeAuthed(pub Option<Authed>);

/// How callers sign in: throttling, token lifetimes, which proxies are
/// believed about the client's address, and whether cookies are `Secure`.
#[derive(Debug, Clone, Default)]
pub struct AuthSettings {
    /// Sign-in throttling.
    pub limits: auth::SignInLimits,
    /// API token lifetimes.
    pub tokens: auth::TokenLifetime,
    /// Peers whose `X-Forwarded-For` is believed (none by default: the
    /// header is ignored, since any client can send it).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Whether cookies carry `Secure` (sent over HTTPS only).
    pub cookie_secure: bool,
}

impl AuthSettings {
    /// Parses `trusted_proxies` entries: CIDRs (`10.0.0.0/8`) or single
    /// addresses; the error names the entry.
    pub fn parse_proxies(list: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
        list.iter()
            .map(|s| {
                let s = s.trim();
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {s:?} is not an address or CIDR"))
            })
            .collect()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer's, or, when the peer is a trusted
    /// proxy, the right-most address in `X-Forwarded-For` that is not one
    /// (each proxy appends the address it was called from, so addresses
    /// left of the first untrusted one may be made up by the client). An
    /// entry that is not an address stops the walk at the hop that sent it.
    pub fn client_ip(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        let mut ip = peer.to_canonical();
        if !self.trusts(ip) {
            return ip;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            let Ok(next) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            ip = next.to_canonical();
            if !self.trusts(ip) {
                break;
            }
        }
        ip
    }

    /// A session cookie (`Max-Age` 0 clears it).
    pub fn session_cookie(&self, secret: &str, max_age_secs: i64) -> String {
        let secure = if self.cookie_secure { "; Secure" } else { "" };
        format!(
            "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
        )
    }

    /// `; Secure` when cookies carry it, for the other cookies set.
    pub fn secure_attr(&self) -> &'static str {
        if self.cookie_secure { "; Secure" } else { "" }
    }
}

/// The caller's network address (for login throttling), as the settings
/// say to read it.
pub fn client_address(parts: &Parts, settings: &AuthSettings) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| settings.client_ip(c.0.ip(), &parts.headers).to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The value of a cookie in the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a cross-site request: an `Origin` that does not name this host.
pub(crate) fn check_origin(parts: &Parts) -> Result<(), WebError> {
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    if origin_host == host {
        Ok(())
    } else {
        Err(WebError::new(
            StatusCode::FORBIDDEN,
            "cross-origin",
            "Không có quyền",
            "cross-site request refused",
        ))
    }
}

async fn resolve<S: Sessions>(parts: &Parts, state: &S) -> Result<Option<Authed>, WebError> {
    let services = state.services();
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let text = value.to_str().unwrap_or("");
        let token = text.strip_prefix("Bearer ").unwrap_or("").trim();
        return match services.auth().token_actor(token).await? {
            Some(actor) => Ok(Some(Authed {
                actor,
                session: None,
                secret: None,
            })),
            None => Err(WebError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Chưa đăng nhập",
                "the API token is unknown, revoked or expired",
            )),
        };
    }
    let Some(secret) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((actor, session)) = services.auth().session_actor(&secret).await? else {
        return Ok(None);
    };
    if unsafe_method(&parts.method) {
        check_origin(parts)?;
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.extensions.get::<FormCsrf>().map(|f| f.0.as_str()))
            .unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(WebError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Không có quyền",
                "missing or wrong CSRF token",
            ));
        }
    }
    Ok(Some(Authed {
        actor,
        session: Some(session),
        secret: Some(secret),
    }))
}

/// Compares secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<S: Sessions> FromRequestParts<S> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        resolve(parts, state).await?.ok_or_else(|| {
            WebError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Chưa đăng nhập",
                "sign in first (session cookie or Bearer token)",
            )
        })
    }
}

impl<S: Sessions> FromRequestParts<S> for MaybeAuthed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(resolve(parts, state).await?))
    }
}

/// The caller's address as an extractor.
pub struct ClientAddress(pub String);

impl<S: Sessions> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_address(parts, state.auth())))
    }
}

/// Name of the hidden field that carries the session's CSRF token in page forms.
pub const CSRF_FIELD: &str = "csrf_token";

/// The largest url-encoded form [`form_csrf`] reads; page forms are short.
pub const MAX_FORM_BYTES: usize = 256 << 10;

/// The `csrf_token` field of a url-encoded form, lifted out by [`form_csrf`].
#[derive(Debug, Clone)]
pub struct FormCsrf(pub String);

/// Whether a request carries a url-encoded form body.
fn is_urlencoded(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Reads url-encoded form posts once: refuses a form over [`MAX_FORM_BYTES`]
/// (413) or one that breaks the edge bounds of `motcua_domain::bounds`
/// (422 naming the field) before anything runs, lifts the `csrf_token`
/// field into the request's extensions ([`FormCsrf`]) and hands the
/// unchanged body on.
pub async fn form_csrf(req: Request, next: Next) -> Response {
    if !unsafe_method(req.method()) || !is_urlencoded(&req) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Dữ liệu quá lớn",
            format!("a form may have at most {MAX_FORM_BYTES} bytes"),
        )
        .into_response();
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&bytes) {
        Ok(pairs) => pairs,
        Err(e) => return WebError::invalid("body", e.to_string()).into_response(),
    };
    let fields = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    if let Err(v) = motcua_domain::bounds::check_edge_form(fields) {
        return WebError::invalid(v.path, v.reason).into_response();
    }
    if !parts.headers.contains_key(CSRF_HEADER)
        && let Some((_, token)) = pairs.into_iter().find(|(k, _)| k == CSRF_FIELD)
    {
        parts.extensions.insert(FormCsrf(token));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
