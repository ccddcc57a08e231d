//! [`LocalFileStore`]: file contents in a directory, one file per SHA-256
//! under a two-level fan-out (`ab/cd/abcd…`). Content is streamed to a
//! temporary file under `.incoming/` while it is hashed, synced to disk, then
//! renamed into place and its folder synced, so a reader never sees half a
//! file and an acknowledged file survives a crash of the machine; content
//! already there is not written again. A read is checked against its hash.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::files::{ByteSource, FileStore, Stored, is_sha256_hex};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Files under a directory.
#[derive(Debug, Clone)]
pub struct LocalFileStore {
    root: PathBuf,
}

impl LocalFileStore {
    /// Files under `root` (created when missing).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[..2]).join(&sha[2..4]).join(sha)
    }

    /// Where uploads are written until they are complete.
    fn incoming(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    /// Removes the unfinished uploads a crash left in `.incoming/`: files
    /// last written more than `older_than` ago (an upload in progress is
    /// written to every few seconds, whichever process runs it). Run at
    /// start; returns how many were removed.
    pub fn sweep_incoming(&self, older_than: std::time::Duration) -> std::io::Result<usize> {
        let entries = match std::fs::read_dir(self.incoming()) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        for entry in entries {
            let entry = entry?;
            let meta = entry.metadata()?;
            let age = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .unwrap_or_default();
            if meta.is_file() && age > older_than {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Writes the source to `tmp`, hashing it; the file is synced.
    async fn receive(&self, tmp: &Path, source: &mut dyn ByteSource) -> ServiceResult<Stored> {
        let mut file = tokio::fs::File::create(tmp).await.map_err(io)?;
        let mut hash = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = source.next_chunk().await? {
            hash.update(&chunk);
            size = size.saturating_add(chunk.len() as u64);
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        Ok(Stored {
            sha256: hex::encode(hash.finalize()),
            size,
        })
    }
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Unavailable(format!("file store: {e}"))
}

/// Syncs a folder, so that a rename or a new entry in it is durable.
async fn sync_dir(dir: &Path) -> ServiceResult<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(|e| ServiceError::Internal(format!("file store: {e}")))?
        .map_err(io)
}

/// Tells temporary files of one process apart.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

#[async_trait]
impl FileStore for LocalFileStore {
    async fn put_stream(&self, source: &mut dyn ByteSource) -> ServiceResult<Stored> {
        let incoming = self.incoming();
        tokio::fs::create_dir_all(&incoming).await.map_err(io)?;
        let tmp = incoming.join(format!(
            "{}-{}.part",
            std::process::id(),
            NEXT_TMP.fetch_add(1, Ordering::Relaxed)
        ));
        let stored = match self.receive(&tmp, source).await {
            Ok(s) => s,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        };
        let path = self.path(&stored.sha256);
        let placed = async {
            if tokio::fs::try_exists(&path).await.map_err(io)? {
                tokio::fs::remove_file(&tmp).await.map_err(io)?;
                return Ok(());
            }
            let dir = path
                .parent()
                .ok_or_else(|| ServiceError::Internal("file path without a parent".into()))?;
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
            tokio::fs::rename(&tmp, &path).await.map_err(io)?;
            // The file's folder, and the fan-out folders that may be new.
            sync_dir(dir).await?;
            if let Some(up) = dir.parent() {
                sync_dir(up).await?;
            }
            sync_dir(&self.root).await
        };
        match placed.await {
            Ok(()) => Ok(stored),
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Err(e)
            }
        }
    }

    async fn get(&self, sha256: &str) -> ServiceResult<Vec<u8>> {
        if !is_sha256_hex(sha256) {
            return Err(ServiceError::not_found("file", sha256));
        }
        match tokio::fs::read(self.path(sha256)).await {
            Ok(b) => super::verified(sha256, b, &self.root.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ServiceError::not_found("file", sha256))
            }
            Err(e) => Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_service::files::sha256_hex;

    #[test]
    fn a_crash_s_unfinished_uploads_are_swept_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let fs = LocalFileStore::new(dir.path());
        assert_eq!(
            fs.sweep_incoming(std::time::Duration::from_secs(3600))
                .unwrap(),
            0
        );
        let incoming = dir.path().join(".incoming");
        std::fs::create_dir_all(&incoming).unwrap();
        let old = incoming.join("41-0.part");
        let fresh = incoming.join("42-0.part");
        std::fs::write(&old, b"half a scan").unwrap();
        std::fs::write(&fresh, b"an upload in progress").unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        assert_eq!(
            fs.sweep_incoming(std::time::Duration::from_secs(3600))
                .unwrap(),
            1
        );
        assert!(!old.exists());
        assert!(fresh.exists());
    }

    #[tokio::test]
    async fn content_round_trips_by_hash_and_is_stored_once() {
        let dir = std::env::temp_dir().join(format!("motcua-files-{}", std::process::id()));
        let fs = LocalFileStore::new(&dir);
        let a = fs.put("kết quả".as_bytes()).await.unwrap();
        let b = fs.put("kết quả".as_bytes()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(fs.get(&a).await.unwrap(), "kết quả".as_bytes());
        let missing = sha256_hex(b"nothing");
        assert!(matches!(
            fs.get(&missing).await,
            Err(ServiceError::NotFound { .. })
        ));
        assert!(matches!(
            fs.get("../../etc/passwd").await,
            Err(ServiceError::NotFound { .. })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Hands out a content in small pieces, then optionally fails.
    struct Pieces(Vec<Vec<u8>>, bool);

    #[async_trait]
    impl ByteSource for Pieces {
        async fn next_chunk(&mut self) -> ServiceResult<Option<bytes::Bytes>> {
            if self.0.is_empty() {
                return if self.1 {
                    Err(ServiceError::TooLarge {
                        field: "body".into(),
                        limit_bytes: 1,
                    })
                } else {
                    Ok(None)
                };
            }
            Ok(Some(bytes::Bytes::from(self.0.remove(0))))
        }
    }

    #[tokio::test]
    async fn streamed_content_is_stored_exactly_with_its_hash_and_a_failed_one_not_at_all() {
        let dir = tempfile_dir("stream");
        let fs = LocalFileStore::new(&dir);
        // 3 × 64 KiB + 5 bytes of a known pattern, in pieces.
        let whole: Vec<u8> = (0..(3 * 65_536 + 5)).map(|i| (i % 251) as u8).collect();
        let pieces = whole.chunks(65_536).map(<[u8]>::to_vec).collect();
        let stored = fs.put_stream(&mut Pieces(pieces, false)).await.unwrap();
        assert_eq!(stored.size, 3 * 65_536 + 5);
        assert_eq!(stored.sha256, sha256_hex(&whole));
        assert_eq!(fs.get(&stored.sha256).await.unwrap(), whole);
        // A source that fails midway leaves neither the file nor a temporary.
        let before = count_files(&dir);
        let err = fs
            .put_stream(&mut Pieces(vec![b"%PDF-1.7 partial".to_vec()], true))
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::TooLarge { .. }), "{err:?}");
        assert_eq!(count_files(&dir), before);
        assert!(fs.get(&sha256_hex(b"%PDF-1.7 partial")).await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!("motcua-files-{tag}-{}", std::process::id()))
    }

    /// Regular files anywhere under `dir`, temporaries included.
    fn count_files(dir: &Path) -> usize {
        let mut n = 0;
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    n += 1;
                }
            }
        }
        n
    }
}
