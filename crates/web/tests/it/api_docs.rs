//! The interactive API page at `/api/docs`: served from vendored files, and
//! pointing at nothing off the server.

use motcua_testkit::{Backend, TestApp};

const BUNDLE_JS: &[u8] = include_bytes!("../../assets/apidocs/swagger-ui-bundle.js");
const CSS: &[u8] = include_bytes!("../../assets/apidocs/swagger-ui.css");
const INIT_JS: &[u8] = include_bytes!("../../assets/apidocs/motcua-init.js");

/// Every `src="…"` and `href="…"` value in the page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            out.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    out
}

fn link_ending(links: &[String], suffix: &str) -> String {
    let found: Vec<_> = links.iter().filter(|l| l.ends_with(suffix)).collect();
    assert_eq!(found.len(), 1, "one link to {suffix} in {links:?}");
    found[0].clone()
}

#[tokio::test]
async fn the_page_serves_vendored_swagger_ui_from_this_server() {
    let app = TestApp::start(Backend::Sqlite).await.unwrap();
    let http = reqwest::Client::new();

    let r = http.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="vi">"#), "{html}");
    assert!(html.contains("<title>motcua — API</title>"), "{html}");
    assert!(!html.contains("<script>"), "no inline scripts: {html}");

    // Nothing off the server: no absolute URLs at all, and every link is a
    // path on this host (or an empty data: icon).
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"),
        "{html}"
    );
    let links = links(&html);
    for l in &links {
        assert!(
            (l.starts_with('/') && !l.starts_with("//")) || l == "data:,",
            "{l} is not on this server"
        );
    }

    let css = link_ending(&links, "/swagger-ui.css");
    let bundle = link_ending(&links, "/swagger-ui-bundle.js");
    let init = link_ending(&links, "/motcua-init.js");
    assert!(css.starts_with("/api/docs/assets/"), "{css}");
    assert!(bundle.starts_with("/api/docs/assets/"), "{bundle}");
    assert!(init.starts_with("/api/docs/assets/"), "{init}");

    for (path, ctype, want, marker) in [
        (
            &bundle,
            "text/javascript; charset=utf-8",
            BUNDLE_JS,
            "SwaggerUIBundle",
        ),
        (&css, "text/css; charset=utf-8", CSS, ".swagger-ui"),
        (
            &init,
            "text/javascript; charset=utf-8",
            INIT_JS,
            "/api/openapi.json",
        ),
    ] {
        let r = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], ctype, "{path}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{path}"
        );
        let body = r.bytes().await.unwrap();
        assert!(
            body[..] == *want,
            "{path} is the vendored file byte for byte"
        );
        assert!(
            String::from_utf8_lossy(&body).contains(marker),
            "{path} contains {marker}"
        );
    }

    // The version in the path is the version of the vendored bundle, so a
    // year of caching never serves a stale file after an update.
    let version = bundle
        .strip_prefix("/api/docs/assets/")
        .and_then(|p| p.strip_suffix("/swagger-ui-bundle.js"))
        .unwrap();
    assert!(
        String::from_utf8_lossy(BUNDLE_JS).contains(&format!("PACKAGE_VERSION:\"{version}\"")),
        "the bundle is Swagger UI {version}"
    );
    assert_eq!(css, format!("/api/docs/assets/{version}/swagger-ui.css"));

    // The page points Swagger UI at the document that is really served.
    let r = http.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.close().await;
}

#[tokio::test]
async fn unknown_doc_assets_are_problem_json_404() {
    let app = TestApp::start(Backend::Sqlite).await.unwrap();
    let http = reqwest::Client::new();
    for path in [
        "/api/docs/assets/0.0.0/swagger-ui-bundle.js",
        "/api/docs/assets/5.35.0/index.html",
        "/api/docs/swagger-ui.css",
        "/api/docs/nothing",
    ] {
        let r = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], 404, "{path}");
    }
    app.close().await;
}
