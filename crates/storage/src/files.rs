//! [`LocalFileStore`]: file contents in a directory, one file per SHA-256
//! under a two-level fan-out (`ab/cd/abcd…`). Written to a temporary name
//! and renamed, so a reader never sees half a file; content already there
//! is not written again.

use std::path::PathBuf;

use async_trait::async_trait;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::files::{FileStore, is_sha256_hex, sha256_hex};

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
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Unavailable(format!("file store: {e}"))
}

#[async_trait]
impl FileStore for LocalFileStore {
    async fn put(&self, content: &[u8]) -> ServiceResult<String> {
        let sha = sha256_hex(content);
        let path = self.path(&sha);
        if tokio::fs::try_exists(&path).await.map_err(io)? {
            return Ok(sha);
        }
        let dir = path
            .parent()
            .ok_or_else(|| ServiceError::Internal("file path without a parent".into()))?;
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let tmp = dir.join(format!(".{sha}.{}", std::process::id()));
        tokio::fs::write(&tmp, content).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)?;
        Ok(sha)
    }

    async fn get(&self, sha256: &str) -> ServiceResult<Vec<u8>> {
        if !is_sha256_hex(sha256) {
            return Err(ServiceError::not_found("file", sha256));
        }
        match tokio::fs::read(self.path(sha256)).await {
            Ok(b) => Ok(b),
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
}
