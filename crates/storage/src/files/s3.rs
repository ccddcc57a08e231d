//! [`S3FileStore`]: file contents as objects of one bucket of an
//! S3-compatible store, keyed by their SHA-256 (after an optional prefix),
//! so that several nodes share one set of files.
//!
//! Requests are built and signed (AWS Signature V4, as presigned URLs) by
//! `rusty-s3`, which does no I/O of its own, and sent with the workspace's
//! `reqwest`. An upload is spooled to an anonymous temporary file while it is
//! hashed (memory stays flat and a crash leaves nothing behind); its key is
//! then known, and the object is written only when a `HEAD` says it is not
//! there yet. Every request has a time limit, redirects are not followed (an
//! endpoint or region that answers with one is misconfigured), and errors
//! name the bucket and endpoint, never the secret key or a signed URL.

use std::io::SeekFrom;
use std::time::Duration;

use async_trait::async_trait;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::files::{ByteSource, FileStore, Stored, is_sha256_hex};
use reqwest::header::CONTENT_LENGTH;
use reqwest::{Response, StatusCode, Url};
use rusty_s3::{Bucket, Credentials, S3Action};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

/// How a bucket is named in request URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum S3UrlStyle {
    /// `http://endpoint/bucket/key`: what MinIO, Garage, Ceph and most
    /// stores run on premises answer by default.
    #[default]
    Path,
    /// `http://bucket.endpoint/key`: what AWS prefers.
    VirtualHost,
}

/// Where the bucket is and how to sign for it.
#[derive(Clone)]
pub struct S3Settings {
    /// `http://host:port`, with an optional path before the bucket.
    pub endpoint: String,
    /// The bucket, which must exist.
    pub bucket: String,
    /// The region the signature names (`us-east-1` for most stores that
    /// have none).
    pub region: String,
    /// Path or virtual-host style URLs.
    pub url_style: S3UrlStyle,
    /// Put before every key (`nghe-an` gives `nghe-an/<sha256>`), so that
    /// one bucket can hold several installations; empty for none.
    pub key_prefix: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key; never logged, never in an error.
    pub secret_access_key: String,
    /// Longest time one request may take, upload or download included.
    pub timeout: Duration,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("url_style", &self.url_style)
            .field("key_prefix", &self.key_prefix)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"REDACTED")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Files in a bucket of an S3-compatible store.
pub struct S3FileStore {
    bucket: Bucket,
    credentials: Credentials,
    /// The key prefix with its trailing `/`, or empty.
    prefix: String,
    http: reqwest::Client,
    timeout: Duration,
    /// `bucket "x" at http://endpoint`, for error messages.
    place: String,
}

impl std::fmt::Debug for S3FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3FileStore")
            .field("place", &self.place)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl S3FileStore {
    /// Checks the settings (without any request: see [`check`](Self::check))
    /// and builds the store. A value that cannot work is `Invalid`, naming
    /// the setting under `files.s3.`.
    pub fn new(settings: S3Settings) -> ServiceResult<Self> {
        let endpoint = endpoint_url(&settings.endpoint)?;
        check_bucket_name(&settings.bucket)?;
        let region = settings.region.trim();
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid("region", "letters, digits and '-', like us-east-1"));
        }
        let prefix = key_prefix(&settings.key_prefix)?;
        if settings.access_key_id.trim().is_empty() {
            return Err(invalid("access_key_id", "must not be empty"));
        }
        if settings.secret_access_key.is_empty() {
            return Err(invalid("secret_access_key", "must not be empty"));
        }
        if settings.timeout.is_zero() {
            return Err(invalid("timeout_secs", "must be at least 1"));
        }
        let style = match settings.url_style {
            S3UrlStyle::Path => rusty_s3::UrlStyle::Path,
            S3UrlStyle::VirtualHost => rusty_s3::UrlStyle::VirtualHost,
        };
        let place = format!("bucket {:?} at {endpoint}", settings.bucket);
        let bucket = Bucket::new(endpoint, style, settings.bucket, region.to_owned())
            .map_err(|e| invalid("endpoint", format!("{place}: {e:?}")))?;
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ServiceError::Internal(format!("building the HTTP client: {e}")))?;
        Ok(Self {
            bucket,
            credentials: Credentials::new(
                settings.access_key_id.trim(),
                settings.secret_access_key,
            ),
            prefix,
            http,
            timeout: settings.timeout,
            place,
        })
    }

    /// Asks the store whether the bucket exists and these credentials may
    /// use it (`HEAD` on the bucket); the server runs it at start, so a
    /// wrong endpoint, bucket or key stops it with a one-line reason.
    pub async fn check(&self) -> ServiceResult<()> {
        let url = self
            .bucket
            .head_bucket(Some(&self.credentials))
            .sign(self.signed_for());
        let r = self.send(self.http.head(url)).await?;
        match r.status() {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(self.no_bucket()),
            _ => Err(self.refused(r).await),
        }
    }

    /// The object key of a content.
    fn key(&self, sha256: &str) -> String {
        format!("{}{sha256}", self.prefix)
    }

    /// How long a signed URL stays valid: the request must start within it.
    fn signed_for(&self) -> Duration {
        self.timeout + Duration::from_secs(60)
    }

    /// Sends a request; no answer at all (refused, reset, timed out) is
    /// `Unavailable`, for it may come back by itself.
    async fn send(&self, req: reqwest::RequestBuilder) -> ServiceResult<Response> {
        req.send().await.map_err(|e| {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "request failed"
            };
            // The URL is signed: it is left out of the message.
            ServiceError::Unavailable(format!(
                "file store: {}: {kind}: {}",
                self.place,
                e.without_url()
            ))
        })
    }

    fn no_bucket(&self) -> ServiceError {
        ServiceError::Internal(format!(
            "file store: {} does not exist; create it or correct files.s3.bucket",
            self.place
        ))
    }

    /// The error for an answer that is neither success nor a missing key.
    async fn refused(&self, r: Response) -> ServiceError {
        let status = r.status();
        let code = error_code(&r.text().await.unwrap_or_default());
        self.refused_with(status, code)
    }

    /// Refused credentials and other client errors are `Internal` (the
    /// configuration is wrong), server errors `Unavailable`.
    fn refused_with(&self, status: StatusCode, code: Option<String>) -> ServiceError {
        if code.as_deref() == Some("NoSuchBucket") {
            return self.no_bucket();
        }
        let code = code.map(|c| format!(" ({c})")).unwrap_or_default();
        match status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => ServiceError::Internal(format!(
                "file store: {} refused the credentials{code}; check files.s3.access_key_id \
                 and the secret access key, and that the clocks agree",
                self.place
            )),
            s if s.is_redirection() => ServiceError::Internal(format!(
                "file store: {} answered {s}{code}: check files.s3.endpoint, region and url_style",
                self.place
            )),
            s if s.is_server_error() => {
                ServiceError::Unavailable(format!("file store: {} answered {s}{code}", self.place))
            }
            s => ServiceError::Internal(format!("file store: {} answered {s}{code}", self.place)),
        }
    }

    /// Whether an object is there already.
    async fn exists(&self, key: &str) -> ServiceResult<bool> {
        let url = self
            .bucket
            .head_object(Some(&self.credentials), key)
            .sign(self.signed_for());
        let r = self.send(self.http.head(url)).await?;
        match r.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.refused(r).await),
        }
    }

    /// Writes the spooled content (from its start) under `key`.
    async fn upload(&self, key: &str, mut file: tokio::fs::File, size: u64) -> ServiceResult<()> {
        file.seek(SeekFrom::Start(0)).await.map_err(spool)?;
        let url = self
            .bucket
            .put_object(Some(&self.credentials), key)
            .sign(self.signed_for());
        // The length is sent, not chunked: S3 refuses a PUT without it.
        let req = self
            .http
            .put(url)
            .header(CONTENT_LENGTH, size)
            .body(reqwest::Body::from(file));
        let r = self.send(req).await?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(self.refused(r).await)
        }
    }
}

/// Writes the source to an anonymous temporary file (gone once closed,
/// whatever happens), hashing it; the file is returned with what it holds.
async fn spool_source(source: &mut dyn ByteSource) -> ServiceResult<(tokio::fs::File, Stored)> {
    let file = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|e| ServiceError::Internal(format!("file store: {e}")))?
        .map_err(spool)?;
    let mut file = tokio::fs::File::from_std(file);
    let mut hash = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = source.next_chunk().await? {
        hash.update(&chunk);
        size = size.saturating_add(chunk.len() as u64);
        file.write_all(&chunk).await.map_err(spool)?;
    }
    file.flush().await.map_err(spool)?;
    Ok((
        file,
        Stored {
            sha256: hex::encode(hash.finalize()),
            size,
        },
    ))
}

fn spool(e: std::io::Error) -> ServiceError {
    ServiceError::Unavailable(format!(
        "file store: spooling an upload to a temporary file: {e}"
    ))
}

#[async_trait]
impl FileStore for S3FileStore {
    async fn put_stream(&self, source: &mut dyn ByteSource) -> ServiceResult<Stored> {
        let (file, stored) = spool_source(source).await?;
        let key = self.key(&stored.sha256);
        if !self.exists(&key).await? {
            self.upload(&key, file, stored.size).await?;
            tracing::debug!(sha256 = %stored.sha256, size = stored.size, "file stored in S3");
        }
        Ok(stored)
    }

    async fn get(&self, sha256: &str) -> ServiceResult<Vec<u8>> {
        if !is_sha256_hex(sha256) {
            return Err(ServiceError::not_found("file", sha256));
        }
        let url = self
            .bucket
            .get_object(Some(&self.credentials), &self.key(sha256))
            .sign(self.signed_for());
        let r = self.send(self.http.get(url)).await?;
        match r.status() {
            s if s.is_success() => {
                let body = r.bytes().await.map_err(|e| {
                    ServiceError::Unavailable(format!(
                        "file store: {}: reading {sha256}: {}",
                        self.place,
                        e.without_url()
                    ))
                })?;
                super::verified(sha256, Vec::from(body), &self.place)
            }
            // A missing bucket answers 404 too; its code tells them apart.
            StatusCode::NOT_FOUND => {
                let code = error_code(&r.text().await.unwrap_or_default());
                if code.as_deref() == Some("NoSuchBucket") {
                    Err(self.no_bucket())
                } else {
                    Err(ServiceError::not_found("file", sha256))
                }
            }
            _ => Err(self.refused(r).await),
        }
    }
}

fn invalid(setting: &str, reason: impl Into<String>) -> ServiceError {
    ServiceError::invalid(format!("files.s3.{setting}"), reason)
}

/// The endpoint as a URL without credentials, query or fragment. Only
/// `http`: the HTTP client is built without TLS, so an `https` endpoint
/// would fail on every request; use a TLS-terminating proxy on the node.
fn endpoint_url(s: &str) -> ServiceResult<Url> {
    let mut u = Url::parse(s.trim())
        .map_err(|e| invalid("endpoint", format!("{:?} is not a URL: {e}", shorten(s))))?;
    match u.scheme() {
        "http" => {}
        "https" => {
            return Err(invalid(
                "endpoint",
                "https is not supported by this build; point it at a local TLS-terminating proxy",
            ));
        }
        other => return Err(invalid("endpoint", format!("scheme {other:?} is not http"))),
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(invalid("endpoint", "has no host"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(invalid(
            "endpoint",
            "must not carry credentials: use access_key_id and the secret access key",
        ));
    }
    u.set_query(None);
    u.set_fragment(None);
    Ok(u)
}

/// S3's rule for bucket names: 3 to 63 lower-case letters, digits, `.`
/// and `-`, starting and ending with a letter or digit.
fn check_bucket_name(name: &str) -> ServiceResult<()> {
    let ok_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let ok = (3..=63).contains(&name.len())
        && name.bytes().all(|b| ok_char(b) || b == b'.' || b == b'-')
        && name.bytes().next().is_some_and(ok_char)
        && name.bytes().last().is_some_and(ok_char);
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "bucket",
            format!(
                "{:?}: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit",
                shorten(name)
            ),
        ))
    }
}

/// The prefix without slashes around it, then one `/`; empty for none.
/// Only characters S3 documents as safe in keys, in segments that are not
/// `.` or `..`.
fn key_prefix(s: &str) -> ServiceResult<String> {
    let p = s.trim_matches('/');
    if p.is_empty() {
        return Ok(String::new());
    }
    let safe = p
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!-_.*'()/".contains(&b));
    let segments_ok = p.split('/').all(|seg| !matches!(seg, "" | "." | ".."));
    if !safe || !segments_ok || p.len() > 200 {
        return Err(invalid(
            "key_prefix",
            format!(
                "{:?}: up to 200 letters, digits and !-_.*'() in segments separated by '/'",
                shorten(s)
            ),
        ));
    }
    Ok(format!("{p}/"))
}

/// The `<Code>` of an S3 error document, if there is one.
fn error_code(body: &str) -> Option<String> {
    let start = body.find("<Code>")? + "<Code>".len();
    let len = body[start..].find("</Code>")?;
    let code = &body[start..start + len];
    (code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| code.to_owned())
}

/// At most 80 characters of a configured value, for a message.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> S3Settings {
        S3Settings {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "motcua-files".into(),
            region: "us-east-1".into(),
            url_style: S3UrlStyle::Path,
            key_prefix: String::new(),
            access_key_id: "motcua".into(),
            secret_access_key: "bi-mat-khong-in-ra".into(),
            timeout: Duration::from_secs(5),
        }
    }

    fn refused_setting(s: S3Settings) -> String {
        match S3FileStore::new(s) {
            Err(ServiceError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn settings_that_cannot_work_are_refused_naming_the_setting() {
        assert!(S3FileStore::new(settings()).is_ok());
        let cases: Vec<(S3Settings, &str)> = vec![
            (
                S3Settings {
                    endpoint: "not a url".into(),
                    ..settings()
                },
                "endpoint",
            ),
            (
                S3Settings {
                    endpoint: "https://s3.example.vn".into(),
                    ..settings()
                },
                "endpoint",
            ),
            (
                S3Settings {
                    endpoint: "ftp://h".into(),
                    ..settings()
                },
                "endpoint",
            ),
            (
                S3Settings {
                    endpoint: "http://k:s@h".into(),
                    ..settings()
                },
                "endpoint",
            ),
            (
                S3Settings {
                    bucket: String::new(),
                    ..settings()
                },
                "bucket",
            ),
            (
                S3Settings {
                    bucket: "Hồ_Sơ".into(),
                    ..settings()
                },
                "bucket",
            ),
            (
                S3Settings {
                    bucket: "-ab".into(),
                    ..settings()
                },
                "bucket",
            ),
            (
                S3Settings {
                    region: String::new(),
                    ..settings()
                },
                "region",
            ),
            (
                S3Settings {
                    key_prefix: "a/../b".into(),
                    ..settings()
                },
                "key_prefix",
            ),
            (
                S3Settings {
                    key_prefix: "tỉnh".into(),
                    ..settings()
                },
                "key_prefix",
            ),
            (
                S3Settings {
                    access_key_id: " ".into(),
                    ..settings()
                },
                "access_key_id",
            ),
            (
                S3Settings {
                    secret_access_key: String::new(),
                    ..settings()
                },
                "secret_access_key",
            ),
            (
                S3Settings {
                    timeout: Duration::ZERO,
                    ..settings()
                },
                "timeout_secs",
            ),
        ];
        for (s, setting) in cases {
            assert_eq!(refused_setting(s), format!("files.s3.{setting}"));
        }
    }

    #[test]
    fn keys_are_the_hash_after_the_prefix_and_its_one_slash() {
        let sha = "ab".repeat(32);
        let plain = S3FileStore::new(settings()).unwrap();
        assert_eq!(plain.key(&sha), sha);
        let s = S3FileStore::new(S3Settings {
            key_prefix: "/nghe-an/files/".into(),
            ..settings()
        })
        .unwrap();
        assert_eq!(s.key(&sha), format!("nghe-an/files/{sha}"));
    }

    #[test]
    fn the_secret_is_in_no_debug_output() {
        let s = settings();
        let store = S3FileStore::new(s.clone()).unwrap();
        for text in [format!("{s:?}"), format!("{store:?}")] {
            assert!(!text.contains("bi-mat-khong-in-ra"), "{text}");
        }
    }

    #[test]
    fn error_codes_are_read_from_s3_error_documents() {
        let doc =
            "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>x</Message></Error>";
        assert_eq!(error_code(doc).as_deref(), Some("NoSuchBucket"));
        assert_eq!(error_code("<Code>a b</Code>"), None);
        assert_eq!(error_code(""), None);
    }
}
