//! The citizen portal: pages anyone may read without signing in, on the
//! same server as the staff pages but with their own routes, state and
//! frame.
//!
//! - `/cong-dan`: the portal's home (find a procedure, look up a dossier);
//! - `/cong-dan/thu-tuc?q=`: the catalog in force, searched the Vietnamese
//!   way (diacritics and case forgiven);
//! - `/cong-dan/thu-tuc/{code}`: one procedure: components, fees, time
//!   limit, online level, where to submit, legal basis;
//! - `/tra-cuu/{code}?t=`: a dossier's progress; the receipt's QR code
//!   opens it, and `/tra-cuu` asks for the code and check value;
//! - `/cong-dan/phan-anh`: feedback and complaints (see [`feedback`]).
//!
//! Portal handlers see [`PortalState`] only: the services' public use
//! cases (`services.portal()`), the lookup limit and the proxy settings;
//! they cannot reach a staff session. Pages work without JavaScript, load
//! no script at all, and fit a phone.

pub mod account;
pub mod catalog;
pub mod feedback;
pub mod lookup;
pub mod mine;
pub mod rating;
pub mod submit;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use motcua_service::Services;

use crate::AppState;
use crate::auth::AuthSettings;
use crate::i18n::{Lang, Texts};
use crate::limits::RateLimiter;
use crate::ui::assets::STYLE;
use crate::ui::render;

/// Where the portal starts.
pub const HOME: &str = "/cong-dan";
/// The largest form the portal reads (its forms are a few short fields).
pub const MAX_FORM_BYTES: usize = 16 << 10;

/// What portal handlers can reach.
#[derive(Clone)]
pub struct PortalState {
    /// The services; portal handlers call `services.portal()` only.
    pub services: Arc<Services>,
    /// Per-address limit of status lookups, shared with the JSON API's so
    /// the limit holds whichever door a guesser uses.
    pub lookups: Arc<RateLimiter>,
    /// Proxy settings, to tell the caller's address.
    pub auth: Arc<AuthSettings>,
    /// Slots for PDF rendering, shared with the staff side.
    pub renders: crate::renders::Renders,
}

impl From<&AppState> for PortalState {
    fn from(s: &AppState) -> Self {
        Self {
            services: s.services.clone(),
            lookups: s.lookups.clone(),
            auth: s.auth.clone(),
            renders: s.renders.clone(),
        }
    }
}

/// The portal's routes, with their state given.
pub fn routes(state: PortalState) -> Router {
    Router::new()
        .merge(catalog::routes())
        .merge(lookup::routes())
        .merge(account::routes())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
        .merge(feedback::routes())
        .merge(submit::routes())
        .merge(mine::routes())
        .layer(middleware::from_fn(html_errors))
        .layer(middleware::from_fn(crate::ui::page_headers))
        .with_state(state)
}

/// The caller's address, behind the configured proxies.
pub struct Visitor(pub String);

impl FromRequestParts<PortalState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(crate::auth::client_address(parts, &state.auth)))
    }
}

/// An entry of the portal's navigation.
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: String,
    /// Whether this page is under it.
    pub current: bool,
}

/// What `portal_base.html` shows around every portal page.
pub struct PortalLayout {
    /// `vi` or `en`.
    pub lang: &'static str,
    /// The other language's code.
    pub other_lang: &'static str,
    /// The page's title.
    pub title: String,
    /// The language switch, back to this page.
    pub switch_href: String,
    /// The style sheet's fingerprinted path.
    pub css: &'static str,
    /// The navigation.
    pub nav: Vec<NavItem>,
}

impl PortalLayout {
    /// The frame of a page at `here` (path and query, for the language
    /// switch to come back to).
    pub fn new(lang: Lang, title: &str, here: &str) -> Self {
        let t = lang.texts();
        let switch = serde_urlencoded::to_string([("lang", lang.other().code()), ("next", here)])
            .unwrap_or_default();
        let path = here.split('?').next().unwrap_or(here);
        let nav = [
            (catalog::LIST, "portal.nav.procedures"),
            (lookup::PATH, "portal.nav.lookup"),
            (feedback::LIST, "portal.nav.feedback"),
        ]
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            label: t.get(key).to_owned(),
            current: path.starts_with(href),
        })
        .collect();
        Self {
            lang: lang.code(),
            other_lang: lang.other().code(),
            title: title.to_owned(),
            switch_href: format!("/ngon-ngu?{switch}"),
            css: STYLE.path.as_str(),
            nav,
        }
    }
}

/// The path and query of a request, as the language switch needs it;
/// secrets (`t`) are left out so the switch link never carries them.
pub fn here(path: &str, query: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = query
        .iter()
        .copied()
        .filter(|(k, v)| *k != "t" && !v.is_empty())
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&kept).unwrap_or_default()
        )
    }
}

#[derive(Template)]
#[template(path = "portal_error.html")]
struct ErrorPage {
    t: Texts,
    layout: PortalLayout,
    message: String,
    code: String,
}

/// An error page in the portal's frame.
pub fn error_page(lang: Lang, status: StatusCode) -> Response {
    let t = lang.texts();
    let message = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => t.get("portal.error.not_found"),
        StatusCode::TOO_MANY_REQUESTS => t.get("error.rate_limited"),
        StatusCode::SERVICE_UNAVAILABLE => t.get("error.unavailable"),
        s if s.is_server_error() => t.get("error.internal"),
        _ => t.get("portal.error.bad_request"),
    }
    .to_owned();
    let code = t.fill("error.code", &[("status", status.as_str())]);
    let page = ErrorPage {
        layout: PortalLayout::new(lang, t.get("error.title"), HOME),
        t,
        message,
        code,
    };
    render(status, &page)
}

/// Turns any error answer that is not already HTML (a service error as
/// problem+json, an extractor's plain-text rejection) into a portal page,
/// keeping the status and `Retry-After`.
async fn html_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = Lang::of(&parts);
    let res = next.run(Request::from_parts(parts, body)).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(res.headers()) {
        return res;
    }
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let mut page = error_page(lang, status);
    if let Some(v) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page
}

fn is_html(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}
