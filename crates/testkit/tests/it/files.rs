//! The file store contract on the local directory and on a real
//! S3-compatible server (`s3s-fs`, started per case; the case fails when the
//! binary is missing), and what only a remote store can get wrong: refused
//! credentials, a missing or vanished bucket, no answer, a failing or
//! misdirected store.

use motcua_service::files::FileStore;
use motcua_testkit::files::{self, FileBackend, FilesUnderTest};
use motcua_testkit::s3::S3Server;

/// `mod <case> { local, s3 }` for each case.
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() -> anyhow::Result<()> {
                files::$case(&FilesUnderTest::start(FileBackend::Local)?).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() -> anyhow::Result<()> {
                files::$case(&FilesUnderTest::start(FileBackend::S3)?).await
            }
        }
    )*};
}

on_both!(
    content_round_trips_by_its_sha256,
    the_same_content_is_stored_once,
    a_large_streamed_content_round_trips,
    an_unknown_hash_is_not_found,
    a_failing_source_stores_nothing,
    an_altered_content_is_refused,
);

/// Cases of the S3 store alone.
macro_rules! on_s3 {
    ($($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() -> anyhow::Result<()> {
            files::$case(&S3Server::start()?).await
        }
    )*};
}

on_s3!(
    a_wrong_secret_is_an_error_without_the_secret,
    a_missing_bucket_is_said_so,
    an_unreachable_store_is_unavailable,
);

/// A stand-in for a store that answers every request alike (status line and
/// body), for the answers s3s-fs never gives; its endpoint.
fn answering(status: &'static str, body: &'static str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let _ = reader.take(length as u64).read_to_end(&mut Vec::new());
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    endpoint
}

/// A store at `endpoint` with otherwise valid settings.
fn store_at(endpoint: String) -> motcua_storage::S3FileStore {
    motcua_storage::S3FileStore::new(motcua_storage::S3Settings {
        endpoint,
        bucket: "motcua-files".into(),
        region: "us-east-1".into(),
        url_style: motcua_storage::S3UrlStyle::Path,
        key_prefix: String::new(),
        access_key_id: "motcua".into(),
        secret_access_key: "bi-mat".into(),
        timeout: std::time::Duration::from_secs(5),
    })
    .unwrap()
}

/// What AWS answers once a bucket is gone, to writes and reads alike: the
/// bucket is named, and a read is not a mere `NotFound`.
#[tokio::test]
async fn a_bucket_gone_after_the_start_is_said_so_on_writes_and_reads() {
    use motcua_service::ServiceError;
    let doc = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
    let store = store_at(answering("404 Not Found", doc));
    let put = store.put(b"to khai").await.unwrap_err();
    let get = store.get(&"ab".repeat(32)).await.unwrap_err();
    for e in [put, get] {
        assert!(matches!(e, ServiceError::Internal(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("\"motcua-files\"") && text.contains("does not exist"),
            "{text}"
        );
    }
}

/// A store answering 5xx may recover: `Unavailable` (503 with Retry-After
/// to the user); one answering with a redirect is misconfigured.
#[tokio::test]
async fn server_errors_are_unavailable_and_redirects_name_the_settings() {
    use motcua_service::ServiceError;
    let busy = store_at(answering(
        "503 Slow Down",
        "<Error><Code>SlowDown</Code></Error>",
    ));
    for e in [
        busy.put(b"to khai").await.unwrap_err(),
        busy.get(&"ab".repeat(32)).await.unwrap_err(),
        busy.check().await.unwrap_err(),
    ] {
        assert!(
            matches!(&e, ServiceError::Unavailable(m) if m.contains("503")),
            "{e:?}"
        );
    }
    let moved = store_at(answering(
        "301 Moved Permanently",
        "<Error><Code>PermanentRedirect</Code></Error>",
    ));
    let e = moved.get(&"ab".repeat(32)).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Internal(m) if m.contains("PermanentRedirect") && m.contains("region")),
        "{e:?}"
    );
}
