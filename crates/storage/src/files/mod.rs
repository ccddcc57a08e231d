//! The `FileStore` port implemented twice: [`LocalFileStore`] keeps files in
//! a directory of one node (the default), [`S3FileStore`] in a bucket of an
//! S3-compatible object store that several nodes share. Both address content
//! by its SHA-256, store a content once however often it is sent, and check
//! what they read against that hash, so a file altered where it rests is an
//! error rather than a wrong scan handed to a citizen.

mod local;
mod s3;

pub use local::LocalFileStore;
pub use s3::{S3FileStore, S3Settings, S3UrlStyle};

use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::files::sha256_hex;

/// `content` if its SHA-256 is `sha256`; otherwise an `Internal` error
/// naming the hash and `place` (where it was read), never the content.
fn verified(sha256: &str, content: Vec<u8>, place: &str) -> ServiceResult<Vec<u8>> {
    let actual = sha256_hex(&content);
    if actual == sha256 {
        Ok(content)
    } else {
        Err(ServiceError::Internal(format!(
            "file store: the content under {sha256} in {place} has SHA-256 {actual}: \
             it was altered or damaged where it is kept"
        )))
    }
}
