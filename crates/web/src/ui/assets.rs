//! The pages' static files, compiled into the binary: htmx (vendored from
//! the npm package `htmx.org`, see `crates/web/assets/ui/README.md`), our
//! one style sheet and the keyboard shortcuts' script.
//!
//! Each file is served under a path that changes with its content (htmx's
//! version, a hash of the style sheet), so browsers may keep it for a year
//! without asking again and still see a new version at once.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::ui::StaffState;

/// The vendored htmx release; bump it with the file.
pub const HTMX_VERSION: &str = "2.0.11";

const HTMX_JS: &[u8] = include_bytes!("../../assets/ui/htmx.min.js");
const CSS: &[u8] = include_bytes!("../../assets/ui/motcua.css");
const KEYS_JS: &[u8] = include_bytes!("../../assets/ui/keys.js");

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One compiled-in file and where it is served.
pub struct Asset {
    /// Path under `/assets/ui/`, changing with the content.
    pub path: String,
    content_type: &'static str,
    body: &'static [u8],
}

/// Ours, under a path named by a hash of the content.
fn hashed(name: &str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let hash = Sha256::digest(body);
    Asset {
        path: format!(
            "/assets/ui/{}/{name}",
            hex::encode(hash.get(..8).unwrap_or_default())
        ),
        content_type,
        body,
    }
}

/// The style sheet.
pub static STYLE: LazyLock<Asset> =
    LazyLock::new(|| hashed("motcua.css", "text/css; charset=utf-8", CSS));

/// The keyboard shortcuts (`keys.js`).
pub static KEYS: LazyLock<Asset> =
    LazyLock::new(|| hashed("keys.js", "text/javascript; charset=utf-8", KEYS_JS));

/// htmx.
pub static HTMX: LazyLock<Asset> = LazyLock::new(|| Asset {
    path: format!("/assets/ui/htmx-{HTMX_VERSION}/htmx.min.js"),
    content_type: "text/javascript; charset=utf-8",
    body: HTMX_JS,
});

fn serve(a: &'static Asset) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(a.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        a.body,
    )
        .into_response()
}

/// Routes of the assets.
pub fn routes() -> Router<StaffState> {
    Router::new()
        .route(&STYLE.path, get(|| async { serve(&STYLE) }))
        .route(&HTMX.path, get(|| async { serve(&HTMX) }))
        .route(&KEYS.path, get(|| async { serve(&KEYS) }))
}
