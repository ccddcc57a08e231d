//! The `[files]` table as an operator writes it: `serve` with its files in a
//! real S3-compatible bucket (`s3s-fs`, started by the test), and every
//! table that cannot work stopping the server at start with one line that
//! names the setting and never the secret.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use motcua_testkit::s3::S3Server;

use crate::assert_one_line_error;
use crate::server::Server;

/// `motcua.toml` with an S3 table for `s3`, the secret in a file beside it.
fn s3_config(dir: &Path, s3: &S3Server, bucket: &str, secret: &str) -> String {
    let secret_file = dir.join("s3-secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    format!(
        "log = \"warn\"\n[files]\nbackend = \"s3\"\n[files.s3]\nendpoint = \"{}\"\nbucket = \"{bucket}\"\n\
         key_prefix = \"motcua\"\naccess_key_id = \"{}\"\nsecret_access_key_file = \"{}\"\ntimeout_secs = 10\n",
        s3.endpoint,
        s3.access_key_id,
        secret_file.display()
    )
}

/// Runs `motcua serve` in `dir`, which must exit (with an error) within 30 s.
fn serve_must_fail(dir: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(["serve", "--port", "0"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("MOTCUA_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("serve started although its [files] table cannot work");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn serve_keeps_its_files_in_the_configured_bucket() {
    let s3 = S3Server::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = s3_config(dir.path(), &s3, &s3.bucket, &s3.secret_access_key);
    std::fs::write(dir.path().join("motcua.toml"), config).unwrap();
    let server = Server::start(dir.path(), &["serve", "--port", "0"]);
    let r = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.stop();
    assert!(
        !dir.path().join("motcua-data/files").exists(),
        "no local file store with the S3 backend"
    );
}

#[test]
fn a_files_table_that_cannot_work_stops_the_server_in_one_line() {
    let s3 = S3Server::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("motcua.toml");
    let good = s3_config(dir.path(), &s3, &s3.bucket, &s3.secret_access_key);

    std::fs::write(&toml, "[files]\nbackend = \"ftp\"\n").unwrap();
    assert_one_line_error(&serve_must_fail(dir.path()), &["configuration", "ftp"]);

    std::fs::write(&toml, "[files]\nbackend = \"s3\"\n").unwrap();
    assert_one_line_error(&serve_must_fail(dir.path()), &["[files.s3]"]);

    let https = good.replace(&s3.endpoint, "https://s3.example.vn");
    std::fs::write(&toml, https).unwrap();
    assert_one_line_error(
        &serve_must_fail(dir.path()),
        &["files.s3.endpoint", "https"],
    );

    let malformed = good.replace(&s3.endpoint, "127.0.0.1 9000");
    std::fs::write(&toml, malformed).unwrap();
    assert_one_line_error(&serve_must_fail(dir.path()), &["files.s3.endpoint"]);

    let no_bucket = good.replace(&format!("bucket = \"{}\"\n", s3.bucket), "");
    std::fs::write(&toml, no_bucket).unwrap();
    assert_one_line_error(&serve_must_fail(dir.path()), &["configuration", "bucket"]);

    let no_secret = good.replace(
        &format!(
            "secret_access_key_file = \"{}\"\n",
            dir.path().join("s3-secret").display()
        ),
        "",
    );
    std::fs::write(&toml, no_secret).unwrap();
    assert_one_line_error(
        &serve_must_fail(dir.path()),
        &["MOTCUA_S3_SECRET_ACCESS_KEY"],
    );

    std::fs::write(
        &toml,
        s3_config(dir.path(), &s3, "khong-co", &s3.secret_access_key),
    )
    .unwrap();
    assert_one_line_error(
        &serve_must_fail(dir.path()),
        &["\"khong-co\"", "does not exist"],
    );

    let wrong = "sai-bi-mat-9876";
    std::fs::write(&toml, s3_config(dir.path(), &s3, &s3.bucket, wrong)).unwrap();
    let o = serve_must_fail(dir.path());
    assert_one_line_error(&o, &["credentials", &s3.bucket]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains(wrong) && !err.contains(&s3.secret_access_key),
        "{err}"
    );
}
