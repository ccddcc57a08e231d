//! Request metrics in Prometheus form, and the span each request is
//! logged in (with secrets in its query string masked).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, Uri};
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

/// The request id header, set on each request and echoed in its answer.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The span a request is logged in: method, URI with secrets masked
/// ([`redacted`]), request id.
pub fn span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("http", method = %req.method(), uri = %redacted(req.uri()), request_id = %id)
}

/// Whether a query parameter's name says its value is a secret: the public
/// lookup token (`t`), tokens, passwords, keys, signatures, codes of
/// one-time sign-ins, and the search box's text (`q`: names and identity
/// numbers, or a receipt's QR address with its token, as a scanner types it).
fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "t"
        || n == "q"
        || n == "sig"
        || [
            "token",
            "pass",
            "secret",
            "key",
            "signature",
            "auth",
            "session",
            "csrf",
            "otp",
        ]
        .iter()
        .any(|w| n.contains(w))
}

/// The longest URI written to a log line: anyone can send a URI of a few
/// hundred kilobytes, and logs must not grow with what a stranger sends.
pub const MAX_LOGGED_URI: usize = 512;

/// The path and query of a URI with the values of secret parameters
/// replaced by `REDACTED`, cut to [`MAX_LOGGED_URI`] bytes, for logs.
pub fn redacted(uri: &Uri) -> String {
    let mut out = redact_query(uri);
    if out.len() > MAX_LOGGED_URI {
        let total = out.len();
        let mut end = MAX_LOGGED_URI;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push_str(&format!("…({total} bytes)"));
    }
    out
}

fn redact_query(uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if !value.is_empty() && is_secret(&decoded) {
                format!("{name}=REDACTED")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_masked() {
        let uri: Uri =
            "/tim-kiem?q=https%3A%2F%2Fx%2Ftra-cuu%2F000.00.21.H40-251124-0001%3Ft%3DXy7&lang=vi"
                .parse()
                .expect("uri");
        assert_eq!(redacted(&uri), "/tim-kiem?q=REDACTED&lang=vi");
    }

    #[test]
    fn secrets_in_query_strings_are_masked() {
        let uri: Uri = "/tra-cuu/000.00.21.H40-251124-0001?t=Xy7_secret&lang=vi"
            .parse()
            .unwrap();
        assert_eq!(
            redacted(&uri),
            "/tra-cuu/000.00.21.H40-251124-0001?t=REDACTED&lang=vi"
        );
        let uri: Uri = "/x?api%5Fkey=abc&password=p&access_token=q&unit=000.00.21.H40&T=z"
            .parse()
            .unwrap();
        assert_eq!(
            redacted(&uri),
            "/x?api%5Fkey=REDACTED&password=REDACTED&access_token=REDACTED&unit=000.00.21.H40&T=REDACTED"
        );
        assert_eq!(redacted(&"/healthz".parse().unwrap()), "/healthz");
        // A stranger's long URI is cut: 600 bytes of path give 512 and the size.
        let long: Uri = format!("/{}", "a".repeat(599)).parse().unwrap();
        let logged = redacted(&long);
        assert_eq!(logged, format!("/{}…(600 bytes)", "a".repeat(511)));
    }

    /// Records the fields of every new span.
    #[derive(Default)]
    struct Capture(std::sync::Mutex<Vec<String>>);

    impl tracing::field::Visit for &Capture {
        fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
            self.0.lock().unwrap().push(format!("{}={v:?}", f.name()));
        }
    }

    struct Sub(std::sync::Arc<Capture>);

    impl tracing::Subscriber for Sub {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, a: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            a.record(&mut &*self.0);
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, r: &tracing::span::Record<'_>) {
            r.record(&mut &*self.0);
        }
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, _: &tracing::Event<'_>) {}
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn the_request_span_logs_no_lookup_token() {
        let seen = std::sync::Arc::new(Capture::default());
        let req =
            axum::http::Request::get("/api/public/dossiers/000.00.21.H40-251124-0001?t=Xy7_secret")
                .body(())
                .unwrap();
        tracing::subscriber::with_default(Sub(seen.clone()), || {
            let _span = span(&req);
        });
        let fields = seen.0.lock().unwrap().join(" ");
        assert!(
            fields.contains("uri=/api/public/dossiers/000.00.21.H40-251124-0001?t=REDACTED"),
            "{fields}"
        );
        assert!(!fields.contains("Xy7_secret"), "{fields}");
    }
}
