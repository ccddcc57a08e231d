//! Staff pages under `/`: askama templates in `crates/web/templates/`, htmx
//! for partial updates, forms that work without JavaScript, all text from
//! the message catalogs ([`crate::i18n`]).
//!
//! How a page is built (see each module for an example):
//! - the handler takes [`Staff`] (the signed-in person; a visitor who is not
//!   signed in is sent to `/dang-nhap?next=…`), parses its input, calls one
//!   service function, and renders with [`render`];
//! - the page's template extends `base.html`, and its struct holds `t`
//!   ([`Texts`](crate::i18n::Texts)) and `layout` ([`layout::Layout`]);
//! - every form that changes something posts a hidden `csrf_token` field
//!   with `layout.csrf` (htmx requests send it as a header on their own);
//! - errors become HTML pages in the reader's language ([`error_page`]),
//!   whatever produced them.

pub mod admin;
pub mod assets;
pub mod charts;
pub mod dashboard;
pub mod desk;
pub mod dossier;
pub mod error_page;
pub mod feedback;
pub mod format;
pub mod layout;
pub mod list;
pub mod list_export;
pub mod login;
pub mod queues;
pub mod reports;
pub mod search;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_service::access::Actor;
use serde::Deserialize;

use crate::AppState;

/// What the staff pages' handlers reach: the services, the sign-in
/// settings and the PDF slots; not the public lookup limit, which belongs
/// to the API and the portal.
#[derive(Clone)]
pub struct StaffState {
    /// Every use case, with the one clock and the caches.
    pub services: std::sync::Arc<motcua_service::Services>,
    /// Sign-in settings (throttling, tokens, proxies, cookies).
    pub auth: std::sync::Arc<crate::auth::AuthSettings>,
    /// Slots for PDF rendering.
    pub renders: crate::renders::Renders,
}

impl From<&AppState> for StaffState {
    fn from(s: &AppState) -> Self {
        Self {
            services: s.services.clone(),
            auth: s.auth.clone(),
            renders: s.renders.clone(),
        }
    }
}

impl StaffState {
    /// The current instant, from the services' clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.services.now()
    }

    /// Today in Viet Nam, from the services' clock.
    pub fn today(&self) -> jiff::civil::Date {
        self.services.today()
    }
}

impl crate::auth::Sessions for StaffState {
    fn services(&self) -> &motcua_service::Services {
        &self.services
    }

    fn auth(&self) -> &crate::auth::AuthSettings {
        &self.auth
    }
}
use crate::auth::MaybeAuthed;
use crate::error::WebError;
use crate::i18n::{LANG_COOKIE, Lang};

/// Routes of the staff pages and their assets.
pub fn routes(state: &StaffState) -> Router<StaffState> {
    Router::new()
        .merge(login::routes())
        .merge(dashboard::routes())
        .merge(desk::routes())
        .merge(dossier::routes())
        .merge(list::routes())
        .merge(queues::routes())
        .merge(feedback::routes())
        .merge(reports::routes())
        .merge(search::routes())
        .merge(admin::routes())
        .route("/ngon-ngu", get(switch_language))
        .layer(middleware::from_fn(crate::auth::form_csrf))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error_page::html_errors,
        ))
        .layer(middleware::from_fn(page_headers))
        .merge(assets::routes())
}

/// The signed-in person on a page. Unlike [`crate::auth::Authed`], a
/// visitor without a session is redirected to the sign-in page (and back
/// here afterwards) instead of getting 401.
pub struct Staff {
    /// Who, with their grants.
    pub actor: Actor,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    /// The session cookie's secret, for signing out.
    pub secret: Option<String>,
    /// The reader's language.
    pub lang: Lang,
}

impl FromRequestParts<StaffState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &StaffState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::of(parts);
        match MaybeAuthed::from_request_parts(parts, state).await {
            Err(e) => Err(e.into_response()),
            Ok(MaybeAuthed(Some(a))) => Ok(Self {
                actor: a.actor,
                csrf: a.session.map(|s| s.csrf_token).unwrap_or_default(),
                secret: a.secret,
                lang,
            }),
            Ok(MaybeAuthed(None)) => Err(to_sign_in(parts)),
        }
    }
}

/// Sends a visitor to the sign-in page, remembering where they were going
/// when it was a page (a GET). htmx requests get `HX-Redirect`, so the whole
/// page changes rather than a fragment.
fn to_sign_in(parts: &Parts) -> Response {
    let target = if matches!(parts.method, Method::GET | Method::HEAD) {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        if here == "/" {
            login::PATH.to_owned()
        } else {
            let q = serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
            format!("{}?{q}", login::PATH)
        }
    } else {
        login::PATH.to_owned()
    };
    if parts.headers.contains_key("hx-request") {
        let mut res = StatusCode::NO_CONTENT.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            res.headers_mut().insert("hx-redirect", v);
        }
        return res;
    }
    Redirect::to(&target).into_response()
}

/// A local path to go back to after signing in or switching language:
/// it must start with one `/` (no `//host`, no `/\host`, no scheme), so a
/// link cannot send a signed-in person to another site.
pub fn local_path(next: Option<&str>) -> String {
    let Some(p) = next.map(str::trim) else {
        return "/".to_owned();
    };
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && p.len() <= 2000
        && !p.chars().any(|c| c.is_control() || c == '\\');
    if ok { p.to_owned() } else { "/".to_owned() }
}

/// Whether the request came from htmx (and wants a fragment).
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// A rendered template as an HTML answer.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Lỗi hệ thống",
                "the page could not be rendered",
            )
            .into_response()
        }
    }
}

#[derive(Deserialize)]
struct SwitchQuery {
    lang: Option<String>,
    next: Option<String>,
}

/// `GET /ngon-ngu?lang=en&next=/…`: keeps the language in a cookie for a
/// year and goes back. Only a preference changes, so a GET link is enough.
async fn switch_language(Query(q): Query<SwitchQuery>) -> Response {
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    );
    let mut res = Redirect::to(&local_path(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// Security headers of every page: scripts, styles and images only from
/// this server (htmx is configured to inject no inline style), no framing,
/// no referrer to other sites, no caching of pages with personal data.
pub(crate) async fn page_headers(req: axum::extract::Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            local_path(Some("/ho-so?status=received")),
            "/ho-so?status=received"
        );
        assert_eq!(local_path(None), "/");
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "ho-so",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
    }
}
