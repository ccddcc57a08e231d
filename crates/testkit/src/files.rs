//! The file store contract: cases that any `FileStore` must pass, run by the
//! integration tests on the local directory and on a real S3-compatible
//! server ([`crate::s3`]), each over a store of its own.
//!
//! Each case takes a [`FilesUnderTest`], which also reaches behind the store
//! (to count what rests on disk, to alter a stored content), and returns an
//! error or a failed assertion when the store breaks the contract.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, ensure};
use async_trait::async_trait;
use bytes::Bytes;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::files::{Bounded, ByteSource, FileStore, sha256_hex};
use motcua_storage::LocalFileStore;

use crate::s3::S3Server;

/// Which implementation a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileBackend {
    /// [`LocalFileStore`] over a temporary directory.
    Local,
    /// `S3FileStore` over a bucket of a fresh `s3s-fs`.
    S3,
}

/// A store under test and a way behind it.
pub struct FilesUnderTest {
    /// The store.
    pub store: Arc<dyn FileStore>,
    /// The S3 server, for the S3 backend.
    pub s3: Option<S3Server>,
    /// The key prefix the S3 store was given.
    pub prefix: &'static str,
    local: Option<tempfile::TempDir>,
}

impl FilesUnderTest {
    /// A fresh, empty store of the kind.
    pub fn start(backend: FileBackend) -> anyhow::Result<Self> {
        match backend {
            FileBackend::Local => {
                let dir = tempfile::tempdir()?;
                Ok(Self {
                    store: Arc::new(LocalFileStore::new(dir.path())),
                    s3: None,
                    prefix: "",
                    local: Some(dir),
                })
            }
            FileBackend::S3 => {
                let server = S3Server::start()?;
                let prefix = "nghe-an/files";
                Ok(Self {
                    store: Arc::new(server.store(prefix)?),
                    s3: Some(server),
                    prefix,
                    local: None,
                })
            }
        }
    }

    /// The folder holding everything the store wrote.
    fn root(&self) -> anyhow::Result<&Path> {
        match (&self.local, &self.s3) {
            (Some(dir), _) => Ok(dir.path()),
            (None, Some(s3)) => Ok(s3.root()),
            (None, None) => bail!("no store"),
        }
    }

    /// The file a content rests in.
    pub fn rest_path(&self, sha: &str) -> anyhow::Result<PathBuf> {
        Ok(match &self.s3 {
            Some(s3) => s3.object_path(&format!("{}/{sha}", self.prefix)),
            None => self.root()?.join(&sha[..2]).join(&sha[2..4]).join(sha),
        })
    }

    /// Regular files under the store's folder, temporaries included.
    pub fn files_on_disk(&self) -> anyhow::Result<usize> {
        let mut n = 0;
        let mut stack = vec![self.root()?.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d)? {
                let e = e?;
                if e.file_type()?.is_dir() {
                    stack.push(e.path());
                } else {
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}

/// Hands out a content in pieces.
pub struct Pieces(Vec<Bytes>);

impl Pieces {
    /// `content` in pieces of `size` bytes.
    pub fn new(content: &[u8], size: usize) -> Self {
        Self(content.chunks(size).map(Bytes::copy_from_slice).collect())
    }
}

#[async_trait]
impl ByteSource for Pieces {
    async fn next_chunk(&mut self) -> ServiceResult<Option<Bytes>> {
        Ok((!self.0.is_empty()).then(|| self.0.remove(0)))
    }
}

/// A content of `len` bytes of a pattern that no two lengths share.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + len) % 251) as u8).collect()
}

/// Content comes back by its hash, which is SHA-256 of the bytes.
pub async fn content_round_trips_by_its_sha256(t: &FilesUnderTest) -> anyhow::Result<()> {
    let sha = t.store.put(b"abc").await?;
    // FIPS 180-2, appendix B.1.
    ensure!(sha == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ensure!(t.store.get(&sha).await? == b"abc");
    let text = "Giấy chứng nhận quyền sử dụng đất".as_bytes();
    let sha = t.store.put(text).await?;
    ensure!(t.store.get(&sha).await? == text);
    let empty = t.store.put(b"").await?;
    ensure!(t.store.get(&empty).await?.is_empty());
    Ok(())
}

/// The same content sent twice is stored once, under the same hash.
pub async fn the_same_content_is_stored_once(t: &FilesUnderTest) -> anyhow::Result<()> {
    let content = pattern(70_000);
    let first = t.store.put_stream(&mut Pieces::new(&content, 8192)).await?;
    let on_disk = t.files_on_disk()?;
    let second = t
        .store
        .put_stream(&mut Pieces::new(&content, 65_536))
        .await?;
    ensure!(first == second, "{first:?} then {second:?}");
    ensure!(first.size == 70_000);
    ensure!(t.files_on_disk()? == on_disk, "a second copy was written");
    ensure!(
        t.rest_path(&first.sha256)?.is_file(),
        "not where its hash says"
    );
    Ok(())
}

/// 5 MiB sent in 64 KiB pieces come back byte for byte.
pub async fn a_large_streamed_content_round_trips(t: &FilesUnderTest) -> anyhow::Result<()> {
    let content = pattern((5 << 20) + 3);
    let stored = t
        .store
        .put_stream(&mut Pieces::new(&content, 65_536))
        .await?;
    ensure!(stored.size == (5 << 20) + 3);
    ensure!(stored.sha256 == sha256_hex(&content));
    let back = t.store.get(&stored.sha256).await?;
    ensure!(
        back.len() == content.len() && back == content,
        "the bytes differ"
    );
    Ok(())
}

/// A hash never stored, or not a hash at all, is `NotFound`.
pub async fn an_unknown_hash_is_not_found(t: &FilesUnderTest) -> anyhow::Result<()> {
    for key in [sha256_hex(b"never stored").as_str(), "../../etc/passwd", ""] {
        match t.store.get(key).await {
            Err(ServiceError::NotFound { .. }) => {}
            other => bail!("{key:?}: expected NotFound, got {other:?}"),
        }
    }
    Ok(())
}

/// A source that fails midway (too large) stores nothing, not even a
/// temporary, and its error is the one returned.
pub async fn a_failing_source_stores_nothing(t: &FilesUnderTest) -> anyhow::Result<()> {
    t.store.put(b"already there").await?;
    let before = t.files_on_disk()?;
    let content = pattern(300_000);
    let mut pieces = Pieces::new(&content, 65_536);
    let mut bounded = Bounded::new(&mut pieces, 200_000, "body");
    match t.store.put_stream(&mut bounded).await {
        Err(ServiceError::TooLarge { field, limit_bytes }) => {
            ensure!(field == "body" && limit_bytes == 200_000);
        }
        other => bail!("expected TooLarge, got {other:?}"),
    }
    ensure!(t.files_on_disk()? == before, "something was left behind");
    match t.store.get(&sha256_hex(&content)).await {
        Err(ServiceError::NotFound { .. }) => Ok(()),
        other => bail!("the cut-off content is there: {other:?}"),
    }
}

/// A content altered where it rests is refused on reading, not handed out.
pub async fn an_altered_content_is_refused(t: &FilesUnderTest) -> anyhow::Result<()> {
    let original = b"%PDF-1.7 quyet dinh so 12/QD-UBND".to_vec();
    let sha = t.store.put(&original).await?;
    let path = t.rest_path(&sha)?;
    let mut altered = original.clone();
    altered[9] = b'X';
    std::fs::write(&path, &altered)?;
    match t.store.get(&sha).await {
        Err(ServiceError::Internal(m)) => {
            ensure!(m.contains(&sha) && m.contains("altered"), "{m}");
            Ok(())
        }
        other => bail!("expected an error, got {other:?}"),
    }
}

/// A wrong secret is refused by the server, and no error names the secret.
pub async fn a_wrong_secret_is_an_error_without_the_secret(s3: &S3Server) -> anyhow::Result<()> {
    let wrong = "sai-bi-mat-0123456789";
    let store = motcua_storage::S3FileStore::new(motcua_storage::S3Settings {
        secret_access_key: wrong.to_owned(),
        ..s3.settings("")
    })?;
    let errors = [
        store.check().await.err(),
        store.put(b"to khai").await.err(),
        store.get(&sha256_hex(b"to khai")).await.err(),
    ];
    for e in errors {
        let Some(e) = e else {
            bail!("a wrong secret was accepted")
        };
        let text = format!("{e} {e:?}");
        ensure!(matches!(e, ServiceError::Internal(_)), "{text}");
        ensure!(
            text.contains("credentials") && text.contains(&s3.bucket),
            "{text}"
        );
        ensure!(
            !text.contains(wrong) && !text.contains(&s3.secret_access_key),
            "{text}"
        );
    }
    Ok(())
}

/// A bucket that does not exist is said so by the check the server runs at
/// start, naming it and the endpoint. (Past the start, AWS answers
/// `NoSuchBucket` to reads and writes, which the store reports the same way;
/// s3s-fs instead creates a bucket on the first write and answers a read
/// with `NoSuchKey`, so only the check can be tried on it.)
pub async fn a_missing_bucket_is_said_so(s3: &S3Server) -> anyhow::Result<()> {
    let store = motcua_storage::S3FileStore::new(motcua_storage::S3Settings {
        bucket: "khong-co".to_owned(),
        ..s3.settings("")
    })?;
    let Err(e) = store.check().await else {
        bail!("a missing bucket passed the check")
    };
    let text = e.to_string();
    ensure!(matches!(e, ServiceError::Internal(_)), "{text}");
    ensure!(
        text.contains("\"khong-co\"") && text.contains("does not exist"),
        "{text}"
    );
    ensure!(text.contains(&s3.endpoint), "{text}");
    Ok(())
}

/// A store nobody answers at is `Unavailable` (it may come back), within
/// the time limit.
pub async fn an_unreachable_store_is_unavailable(s3: &S3Server) -> anyhow::Result<()> {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let store = motcua_storage::S3FileStore::new(motcua_storage::S3Settings {
        endpoint: format!("http://127.0.0.1:{port}"),
        ..s3.settings("")
    })?;
    let started = std::time::Instant::now();
    match store.put(b"to khai").await {
        Err(ServiceError::Unavailable(m)) => {
            ensure!(
                m.contains("could not connect") && m.contains(&port.to_string()),
                "{m}"
            )
        }
        other => bail!("expected Unavailable, got {other:?}"),
    }
    ensure!(started.elapsed() < std::time::Duration::from_secs(20));
    Ok(())
}
