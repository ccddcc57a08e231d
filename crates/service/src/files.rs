//! The file port: digitised components and results are kept outside the
//! database, addressed by their SHA-256, so the same content is stored once
//! and a stored file can be checked against its hash at any time.

use async_trait::async_trait;

use crate::error::ServiceResult;

/// Where file contents live: a local directory by default; an
/// S3-compatible store when several nodes run.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores content and returns its SHA-256 as lower-case hex.
    async fn put(&self, content: &[u8]) -> ServiceResult<String>;
    /// The content stored under a hash, or `NotFound`.
    async fn get(&self, sha256: &str) -> ServiceResult<Vec<u8>>;
}

/// The hex SHA-256 of content.
pub fn sha256_hex(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(content))
}

/// Whether `s` looks like a SHA-256 in lower-case hex (so it can be a path
/// component without escaping anything).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_the_known_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex("../../etc/passwd"));
        assert!(!is_sha256_hex(&"A".repeat(64)));
    }
}
