//! Issue 19, point 4: the application with its files in an S3-compatible
//! bucket (a real `s3s-fs` the test starts) takes a dossier's scan and serves
//! it back byte for byte, as it does from the local folder; the object rests
//! in the bucket under its hash, and nothing is written to the local folder.

use std::sync::Arc;

use motcua_testkit::s3::S3Server;
use motcua_testkit::{Backend, Files, Options};
use serde_json::Value;

use crate::api_auth::on_both;
use crate::api_dossiers::{ok, receive, reception, world_with};

on_both!(a_scan_is_kept_in_the_bucket_and_served_back,);

async fn a_scan_is_kept_in_the_bucket_and_served_back(b: Backend) {
    let s3 = S3Server::start().unwrap();
    let opts = Options {
        files: Some(Files(Arc::new(s3.store("motcua").unwrap()))),
        ..Options::default()
    };
    let w = world_with(b, opts).await;
    let d = ok(receive(&w.desk, &reception("Nguyễn Thị Lan")).await);
    let code = d["code"].as_str().unwrap().to_owned();
    // 1 MiB + 7 bytes of a pattern, after a PDF signature.
    let mut scan = b"%PDF-1.7\n".to_vec();
    scan.extend((0..(1 << 20) - 2).map(|i: usize| (i % 241) as u8));
    let r = w
        .desk
        .http
        .post(w.desk.url(&format!(
            "/api/dossiers/{code}/files?kind=component&name=to-khai.pdf"
        )))
        .header("content-type", "application/pdf")
        .body(scan.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["size_bytes"], (1 << 20) + 7);
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&scan));
    assert_eq!(f["sha256"], sha);
    // In the bucket under the prefix and the hash, and not on the node.
    let object = std::fs::read(s3.object_path(&format!("motcua/{sha}"))).unwrap();
    assert!(object == scan, "the object differs from the scan");
    assert!(!w.app.files.exists(), "the local folder was written");
    let r = w
        .desk
        .http
        .get(
            w.desk
                .url(&format!("/api/dossiers/{code}/files/{}", f["id"])),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let got = r.bytes().await.unwrap();
    assert!(got.as_ref() == scan.as_slice(), "the served bytes differ");
    w.app.close().await;
}
