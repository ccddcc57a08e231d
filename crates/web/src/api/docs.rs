//! An interactive page for the API at `/api/docs`: Swagger UI over
//! `/api/openapi.json`.
//!
//! Swagger UI is vendored in `crates/web/assets/apidocs/` (see the README
//! there) and compiled into the binary, so the page loads nothing from
//! anywhere but this server. Assets live under a path that changes with
//! their content (the Swagger UI version, or a hash of our own init script),
//! so they are cached for a year as immutable; the page itself is revalidated.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::api::ApiState;

/// The vendored `swagger-ui-dist` release; bump it with the files.
const SWAGGER_UI_VERSION: &str = "5.35.0";

const BUNDLE_JS: &[u8] = include_bytes!("../../assets/apidocs/swagger-ui-bundle.js");
const CSS: &[u8] = include_bytes!("../../assets/apidocs/swagger-ui.css");
const INIT_JS: &[u8] = include_bytes!("../../assets/apidocs/motcua-init.js");

const JS_TYPE: &str = "text/javascript; charset=utf-8";
const CSS_TYPE: &str = "text/css; charset=utf-8";
const HTML_TYPE: &str = "text/html; charset=utf-8";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One compiled-in file and where it is served.
struct Asset {
    path: String,
    content_type: &'static str,
    body: &'static [u8],
}

struct Assets {
    css: Asset,
    bundle: Asset,
    init: Asset,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let vendored = |name: &str| format!("/api/docs/assets/{SWAGGER_UI_VERSION}/{name}");
    Assets {
        css: Asset {
            path: vendored("swagger-ui.css"),
            content_type: CSS_TYPE,
            body: CSS,
        },
        bundle: Asset {
            path: vendored("swagger-ui-bundle.js"),
            content_type: JS_TYPE,
            body: BUNDLE_JS,
        },
        init: Asset {
            path: format!("/api/docs/assets/{:016x}/motcua-init.js", fnv1a(INIT_JS)),
            content_type: JS_TYPE,
            body: INIT_JS,
        },
    }
});

static PAGE: LazyLock<String> = LazyLock::new(|| {
    let a = &*ASSETS;
    format!(
        r#"<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>motcua — API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
</head>
<body>
<noscript><p>Trang này cần JavaScript. Mô tả OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="{bundle}" defer></script>
<script src="{init}" defer></script>
</body>
</html>
"#,
        css = a.css.path,
        bundle = a.bundle.path,
        init = a.init.path,
    )
});

/// The page and its assets.
pub fn routes() -> Router<ApiState> {
    let a = &*ASSETS;
    let mut router = Router::new().route("/api/docs", get(page));
    for asset in [&a.css, &a.bundle, &a.init] {
        router = router.route(&asset.path, get(move || serve(asset)));
    }
    router
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(HTML_TYPE)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

async fn serve(asset: &'static Asset) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        asset.body,
    )
        .into_response()
}

/// FNV-1a, 64 bits: a stable content tag for our own script's path.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
