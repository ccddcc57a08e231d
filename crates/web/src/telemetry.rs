//! Request metrics in Prometheus form.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder on first use. Tests start several
/// servers in one process; they share the one recorder.
fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::warn!(error = %e, "metrics recorder not installed");
                None
            }
        })
        .as_ref()
}

/// Installs the recorder now, so process metrics exist before the first request.
pub fn init() {
    let _ = handle();
}

/// The current metrics as Prometheus text.
pub fn render() -> String {
    handle().map(|h| h.render()).unwrap_or_default()
}

/// Counts every request and its duration by method, route and status. The
/// route is the matched pattern, not the raw path, so codes in URLs do not
/// create a series each.
pub async fn record_request(req: Request, next: Next) -> Response {
    let _ = handle();
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("motcua_http_requests_total", &labels).increment(1);
    metrics::histogram!("motcua_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}
