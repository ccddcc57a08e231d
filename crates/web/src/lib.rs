//! HTTP for motcua: operations endpoints (`ops`), the JSON API (`api/`),
//! the staff pages (`ui/`) and the citizen portal (`portal/`, its own
//! routes and state, no sign-in).
//!
//! Handlers are thin: parse, call one service function, render. [`WebError`]
//! is the only type that knows HTTP status codes.

pub mod api;
pub mod auth;
pub mod error;
pub mod hygiene;
pub mod i18n;
pub mod idempotency;
pub mod json;
pub mod limits;
pub mod ops;
pub mod portal;
pub mod query;
pub mod renders;
pub mod reports;
pub mod server;
pub mod stream;
pub mod telemetry;
pub mod ui;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use motcua_service::Services;
use motcua_service::store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::WebError;
pub use server::{ServerLimits, serve, serve_with};

/// What every handler can reach: the services (never the store), and what
/// belongs to HTTP alone (limits, sign-in settings, render slots).
#[derive(Clone)]
pub struct AppState {
    /// Every use case, with the one clock and the caches.
    pub services: Arc<Services>,
    /// Per-address limit of public status lookups.
    pub lookups: Arc<limits::RateLimiter>,
    /// Sign-in settings (throttling, tokens, proxies, cookies).
    pub auth: Arc<auth::AuthSettings>,
    /// Slots for PDF rendering (one per core by default).
    pub renders: renders::Renders,
}

impl AppState {
    /// Public status lookups allowed per address per minute by default.
    pub const LOOKUPS_PER_MINUTE: u32 = 120;

    /// The state over `store` with the system clock, no notification
    /// channels and the default lookup limit.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with(Services::plain(store), Self::LOOKUPS_PER_MINUTE)
    }

    /// The state with given services and lookup limit.
    pub fn with(services: Services, lookups_per_minute: u32) -> Self {
        Self {
            services: Arc::new(services),
            lookups: Arc::new(limits::RateLimiter::new(
                lookups_per_minute,
                Duration::from_secs(60),
            )),
            auth: Arc::new(auth::AuthSettings::default()),
            renders: renders::Renders::per_core(),
        }
    }

    /// The current instant, from the services' clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.services.now()
    }

    /// Today in Viet Nam, from the services' clock.
    pub fn today(&self) -> jiff::civil::Date {
        self.services.today()
    }

    /// The state with these sign-in settings.
    #[must_use]
    pub fn with_auth(mut self, settings: auth::AuthSettings) -> Self {
        self.auth = Arc::new(settings);
        self
    }

    /// At most `slots` PDFs rendered at once (0 refuses every render).
    #[must_use]
    pub fn with_render_slots(mut self, slots: usize) -> Self {
        self.renders = renders::Renders::new(slots);
        self
    }
}

const REQUEST_ID: axum::http::HeaderName = telemetry::REQUEST_ID;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    // Three front ends, each with its own routes and state: the JSON API,
    // the staff pages and the portal (plus the operators' probes).
    let api = api::routes().with_state(api::ApiState::from(&state));
    let staff_state = ui::StaffState::from(&state);
    let staff = ui::routes(&staff_state)
        .fallback(ui::error_page::unknown_address)
        .with_state(staff_state);
    let portal = portal::routes(portal::PortalState::from(&state));
    Router::new()
        .merge(ops::routes().with_state(state))
        .merge(api)
        .merge(staff)
        .merge(portal)
        .layer(axum::middleware::from_fn(hygiene::problem_errors))
        .layer(axum::middleware::from_fn(hygiene::no_store))
        .layer(compression())
        .layer(axum::middleware::from_fn(telemetry::record_request))
        .layer(TraceLayer::new_for_http().make_span_with(telemetry::span))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// gzip for whoever asks for it (`Accept-Encoding`): pages, JSON, CSV, the
/// style sheet and scripts shrink to a fifth on the wire, which is what a
/// commune's slow line feels. PDFs and spreadsheets (already deflated
/// inside) and images are sent as they are, saving the CPU.
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::Predicate as _;
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType};
    tower_http::compression::CompressionLayer::new()
        .gzip(true)
        .compress_when(
            DefaultPredicate::new()
                .and(NotForContentType::const_new("application/pdf"))
                .and(NotForContentType::const_new(
                    "application/vnd.openxmlformats",
                ))
                .and(NotForContentType::const_new("application/zip")),
        )
}
