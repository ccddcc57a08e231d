//! Issue 16, points 7–9: slow clients are cut off while others are served,
//! uploads stream to the store with a limit, PDF rendering is bounded, and
//! the small ones (query errors, over-limit bodies, cache headers, file
//! content and names), on both databases.

use std::time::{Duration, Instant};

use motcua_testkit::{Backend, Options, TestApp};
use motcua_web::ServerLimits;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::api_auth::on_both;
use crate::api_dossiers::{ok, receive, reception, world_with};

on_both!(
    slow_headers_are_cut_off_while_healthz_answers,
    connections_over_the_cap_are_refused_at_once,
    a_stalled_body_is_cut_off,
    uploads_stream_with_their_exact_bytes_and_a_limit,
    forms_answer_503_when_every_renderer_is_busy,
    content_names_caches_queries_and_bodies_follow_the_rules,
);

fn short() -> ServerLimits {
    ServerLimits {
        header_read_timeout: Duration::from_secs(1),
        body_read_timeout: Duration::from_secs(1),
        max_connections: 64,
    }
}

async fn app(b: Backend, limits: ServerLimits) -> TestApp {
    let opts = Options {
        limits: Some(limits),
        ..Default::default()
    };
    TestApp::start_with(b, opts).await.unwrap()
}

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; the bytes read.
async fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

async fn slow_headers_are_cut_off_while_healthz_answers(b: Backend) {
    let app = app(b, short()).await;
    // Twenty clients that send half a request head and then nothing.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(addr(&app)).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHo").await.unwrap();
        slow.push(s);
    }
    let started = Instant::now();
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(900));
    // Each is closed once the 1 s header timeout has passed (well before 5 s).
    for mut s in slow {
        let closed = tokio::time::timeout(Duration::from_secs(5), read_to_close(&mut s)).await;
        assert!(closed.is_ok(), "a slow client is still connected");
    }
    assert!(started.elapsed() >= Duration::from_millis(900));
    app.close().await;
}

async fn connections_over_the_cap_are_refused_at_once(b: Backend) {
    let limits = ServerLimits {
        max_connections: 3,
        ..short()
    };
    let app = app(b, limits).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr(&app)).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
        held.push(s);
    }
    // The fourth is answered 503 problem+json and closed.
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(2), read_to_close(&mut s))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("application/problem+json") && text.contains("retry-after"));
    drop(held);
    app.close().await;
}

async fn a_stalled_body_is_cut_off(b: Backend) {
    let app = app(b, short()).await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(
        b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"username\":",
    )
    .await
    .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_to_close(&mut s)).await;
    assert!(answer.is_ok(), "a stalled body holds its connection");
    app.close().await;
}

/// Counts regular files under a folder, temporaries included.
fn files_under(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap())
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                files_under(&e.path())
            } else {
                1
            }
        })
        .sum()
}

async fn uploads_stream_with_their_exact_bytes_and_a_limit(b: Backend) {
    let w = world_with(b, Options::default()).await;
    let d = ok(receive(&w.desk, &reception("Đỗ Thị Hoa")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let url = w.desk.url(&format!(
        "/api/dossiers/{code}/files?kind=component&name=to-khai.pdf"
    ));
    // 5 MiB + 3 bytes of a pattern, after a PDF signature.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.extend((0..(5 << 20) + 3 - 9).map(|i: usize| (i % 253) as u8));
    let r = w
        .desk
        .http
        .post(&url)
        .header("content-type", "application/pdf")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["size_bytes"], (5 << 20) + 3);
    use sha2::Digest;
    assert_eq!(f["sha256"], hex::encode(sha2::Sha256::digest(&big)));
    let got = w
        .desk
        .http
        .get(
            w.desk
                .url(&format!("/api/dossiers/{code}/files/{}", f["id"])),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got.as_ref() == big.as_slice(), "the stored bytes differ");
    let stored = files_under(&w.app.files);
    assert_eq!(stored, 1);

    // 20 MiB + 1 byte, announced: refused before it is read.
    let mut over = b"%PDF-1.7\n".to_vec();
    over.resize((20 << 20) + 1, b'x');
    let r = w
        .desk
        .http
        .post(&url)
        .header("content-type", "application/pdf")
        .body(over)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "body");

    // The same sent in chunks (no length announced): cut off at the limit
    // while streaming, and nothing is left in the store.
    let mut s = TcpStream::connect(w.app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let path = format!("/api/dossiers/{code}/files?kind=component&name=lon.pdf");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncookie: {}\r\nx-csrf-token: {}\r\ncontent-type: application/pdf\r\ntransfer-encoding: chunked\r\n\r\n",
        w.desk.cookie, w.desk.csrf
    );
    let (mut rd, mut wr) = s.split();
    let reader = async {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            if out.windows(4).any(|w| w == b"\r\n\r\n") && out.ends_with(b"}") {
                break;
            }
        }
        out
    };
    let writer = async {
        let _ = wr.write_all(head.as_bytes()).await;
        let chunk = vec![b'%'; 1 << 20];
        for i in 0..22 {
            let mut c = format!("{:x}\r\n", chunk.len()).into_bytes();
            if i == 0 {
                c.extend_from_slice(b"%PDF-1.7\n");
                c.extend_from_slice(&chunk[9..]);
            } else {
                c.extend_from_slice(&chunk);
            }
            c.extend_from_slice(b"\r\n");
            if wr.write_all(&c).await.is_err() {
                return;
            }
        }
        let _ = wr.write_all(b"0\r\n\r\n").await;
    };
    let (answer, ()) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(reader, writer)
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("application/problem+json") && text.contains("\"field\":\"body\""));
    assert_eq!(files_under(&w.app.files), stored, "nothing left behind");
    let d = ok(crate::api_dossiers::get_json(&w.desk, &format!("/api/dossiers/{code}")).await);
    assert_eq!(d["files"].as_array().unwrap().len(), 1);
    w.app.close().await;
}

async fn forms_answer_503_when_every_renderer_is_busy(b: Backend) {
    let opts = Options {
        render_slots: Some(0),
        ..Default::default()
    };
    let w = world_with(b, opts).await;
    let d = ok(receive(&w.desk, &reception("Lê Văn Tám")).await);
    let code = d["code"].as_str().unwrap();
    let r = w
        .desk
        .http
        .get(
            w.desk
                .url(&format!("/api/dossiers/{code}/forms/receipt.pdf")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Meanwhile the server answers others.
    assert_eq!(
        reqwest::get(w.app.url("/healthz")).await.unwrap().status(),
        200
    );
    w.app.close().await;
}

async fn content_names_caches_queries_and_bodies_follow_the_rules(b: Backend) {
    let w = world_with(b, Options::default()).await;
    let d = ok(receive(&w.desk, &reception("Phan Thị Thu")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    let post = |name: &str, ctype: &str, body: &[u8]| {
        let url = w.desk.url(&format!(
            "/api/dossiers/{code}/files?kind=component&name={name}"
        ));
        let req = w
            .desk
            .http
            .post(url)
            .header("content-type", ctype.to_owned())
            .body(body.to_vec());
        async move {
            let r = req.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let before = w.app.audit_count().await.unwrap();
    // (e) A page of HTML declared as a PDF; a PNG declared as a JPEG.
    let (s, p) = post(
        "to-khai.pdf",
        "application/pdf",
        b"<!DOCTYPE html><script>x</script>",
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (422, Some("body")), "{p}");
    let (s, p) = post("anh.jpg", "image/jpeg", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").await;
    assert_eq!((s, p["field"].as_str()), (422, Some("body")), "{p}");
    // (f) A right-to-left override makes "hoa-don\u{202E}fdp.exe" show as
    // "hoa-donexe.pdf"; isolates and controls are refused too.
    for name in ["hoa-don%E2%80%AEfdp.exe", "a%E2%81%A6b.pdf", "a%0Ab.pdf"] {
        let (s, p) = post(name, "application/pdf", b"%PDF-1.7\n").await;
        assert_eq!((s, p["field"].as_str()), (422, Some("name")), "{name}: {p}");
    }
    assert_eq!(
        w.app.audit_count().await.unwrap(),
        before,
        "nothing changed"
    );
    assert_eq!(files_under(&w.app.files), 0, "nothing stored");

    // (b) Answers with personal data are not cached; the public catalog is.
    let r = w
        .desk
        .http
        .get(w.desk.url(&format!("/api/dossiers/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = w
        .desk
        .http
        .get(w.desk.url("/api/dossiers?limit=5"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = reqwest::get(w.app.url("/api/procedures/search?q=khai%20sinh"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("cache-control").is_none());
    let r = reqwest::get(w.app.url("/api/openapi.json")).await.unwrap();
    assert!(r.headers().get("cache-control").is_none());

    // (c) A query-string error names the parameter, as problem+json.
    let r = w
        .desk
        .http
        .get(w.desk.url("/api/dossiers?limit=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "limit");
    let r = w
        .desk
        .http
        .get(
            w.desk
                .url("/api/registers/dossiers?unit=000.00.21.H40&to=2025-12-01"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "from");

    // (d) A body over a route's limit is 413 problem+json.
    let huge = format!(
        "{{\"action\":\"complete_step\",\"version\":1,\"note\":\"{}\"}}",
        "a".repeat(3 << 20)
    );
    let r = w
        .desk
        .http
        .post(w.desk.url(&format!("/api/dossiers/{code}/actions")))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(r.json::<Value>().await.unwrap()["status"], 413);
    let _ = json!(null);
    w.app.close().await;
}
