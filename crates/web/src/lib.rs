//! HTTP for motcua: operations endpoints now; the JSON API, staff pages and
//! citizen portal grow here in `api/`, `ui/` and `portal/`.
//!
//! Handlers are thin: parse, call one service function, render. [`WebError`]
//! is the only type that knows HTTP status codes.

pub mod api;
pub mod auth;
pub mod bounds;
pub mod error;
pub mod i18n;
pub mod idempotency;
pub mod json;
pub mod limits;
pub mod ops;
pub mod telemetry;
pub mod ui;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request};
use motcua_service::dossiers::{DossierService, NoticeSettings};
use motcua_service::store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::WebError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database behind the storage port.
    pub store: Arc<dyn Store>,
    /// Dossier use cases (they keep units' calendars between requests).
    pub dossiers: Arc<DossierService>,
    /// Per-address limit of public status lookups.
    pub lookups: Arc<limits::RateLimiter>,
    /// Sign-in settings (throttling, tokens, proxies, cookies).
    pub auth: Arc<auth::AuthSettings>,
}

impl AppState {
    /// Public status lookups allowed per address per minute by default.
    pub const LOOKUPS_PER_MINUTE: u32 = 120;

    /// The state with the system clock, no notification channels and the
    /// default lookup limit.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let dossiers = DossierService::new(
            store.clone(),
            Arc::new(motcua_service::clock::SystemClock),
            NoticeSettings::default(),
            None,
        );
        Self::with(store, dossiers, Self::LOOKUPS_PER_MINUTE)
    }

    /// The state with given dossier use cases and lookup limit.
    pub fn with(store: Arc<dyn Store>, dossiers: DossierService, lookups_per_minute: u32) -> Self {
        Self {
            store,
            dossiers: Arc::new(dossiers),
            lookups: Arc::new(limits::RateLimiter::new(
                lookups_per_minute,
                Duration::from_secs(60),
            )),
            auth: Arc::new(auth::AuthSettings::default()),
        }
    }

    /// The state with these sign-in settings.
    #[must_use]
    pub fn with_auth(mut self, settings: auth::AuthSettings) -> Self {
        self.auth = Arc::new(settings);
        self
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(ops::routes())
        .merge(api::routes())
        .merge(ui::routes(&state))
        .fallback(error::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(telemetry::record_request))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), uri = %req.uri(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves until `shutdown` resolves, then lets requests in flight finish
/// (at most `grace`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = tx.send(());
    });
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        res = &mut server => res,
        _ = async { let _ = rx.await; tokio::time::sleep(grace).await } => {
            tracing::warn!("requests still running after the grace period; stopping");
            Ok(())
        }
    }
}
