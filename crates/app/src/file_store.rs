//! The `[files]` table: where digitised components and results are kept.
//! A directory under `data_dir` by default (one node); a bucket of an
//! S3-compatible store that every node shares when several run. The secret
//! access key is never a setting of the file: it comes from the variable
//! [`SECRET_VAR`] or a file that `secret_access_key_file` names, so the
//! configuration can be kept in version control.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use motcua_service::ServiceError;
use motcua_service::files::FileStore;
use motcua_storage::{LocalFileStore, S3FileStore, S3Settings, S3UrlStyle};
use serde::{Deserialize, Serialize};

/// The variable holding the S3 secret access key (it overrides
/// `secret_access_key_file`, as variables override the file elsewhere).
pub const SECRET_VAR: &str = "MOTCUA_S3_SECRET_ACCESS_KEY";

/// The `[files]` table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesConfig {
    /// `local` (default) or `s3`.
    #[serde(default)]
    pub backend: Backend,
    /// `[files.s3]`, read when the backend is `s3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Config>,
}

/// Where files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// `data_dir/files` on this node.
    #[default]
    Local,
    /// A bucket of an S3-compatible store.
    S3,
}

/// The `[files.s3]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// `http://host:port` (through a TLS-terminating proxy for a store on
    /// another network: this build's HTTP client has no TLS).
    pub endpoint: String,
    /// The bucket; it must exist.
    pub bucket: String,
    /// The region requests are signed for.
    #[serde(default = "default_region")]
    pub region: String,
    /// `path` (default) or `virtual_host`.
    #[serde(default)]
    pub url_style: UrlStyleConfig,
    /// Put before every key, for several installations in one bucket.
    #[serde(default)]
    pub key_prefix: String,
    /// The access key id (not secret).
    pub access_key_id: String,
    /// A file holding the secret access key (readable only by the service
    /// user), when [`SECRET_VAR`] is not set.
    #[serde(default)]
    pub secret_access_key_file: Option<PathBuf>,
    /// Longest time one request to the store may take.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// `url_style` as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlStyleConfig {
    /// `http://endpoint/bucket/key`.
    #[default]
    Path,
    /// `http://bucket.endpoint/key`.
    VirtualHost,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_timeout_secs() -> u64 {
    60
}

impl FilesConfig {
    /// Builds the configured store and makes sure it can be used: the local
    /// directory is swept of uploads a crash cut short; the bucket is asked
    /// whether it exists and takes these credentials. Any problem is one
    /// line naming the setting, and the server does not start.
    pub async fn open(&self, data_dir: &std::path::Path) -> anyhow::Result<Arc<dyn FileStore>> {
        match self.backend {
            Backend::Local => {
                let files = LocalFileStore::new(data_dir.join("files"));
                // Uploads a crash cut short stay in files/.incoming/ until swept here.
                match files.sweep_incoming(Duration::from_secs(3600)) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "unfinished uploads swept"),
                    Err(e) => tracing::warn!(error = %e, "could not sweep unfinished uploads"),
                }
                Ok(Arc::new(files))
            }
            Backend::S3 => {
                let store = self.s3_store(std::env::var(SECRET_VAR).ok())?;
                store
                    .check()
                    .await
                    .map_err(|e| anyhow::anyhow!("files: {}", message(&e)))?;
                tracing::info!(store = ?store, "files in S3");
                Ok(Arc::new(store))
            }
        }
    }

    /// The S3 store these settings describe, with the secret from
    /// `secret_var` (the variable's value) or else the secret file.
    fn s3_store(&self, secret_var: Option<String>) -> anyhow::Result<S3FileStore> {
        let Some(s3) = &self.s3 else {
            anyhow::bail!(
                "configuration: files.backend is \"s3\" but there is no [files.s3] table"
            );
        };
        let secret = match (
            secret_var.filter(|s| !s.is_empty()),
            &s3.secret_access_key_file,
        ) {
            (Some(s), _) => s,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!(
                        "configuration: files.s3.secret_access_key_file: cannot read {}: {e}",
                        path.display()
                    )
                })?;
                text.trim_end_matches(['\r', '\n']).to_owned()
            }
            (None, None) => anyhow::bail!(
                "configuration: files.s3: no secret access key; set {SECRET_VAR} or files.s3.secret_access_key_file"
            ),
        };
        let settings = S3Settings {
            endpoint: s3.endpoint.clone(),
            bucket: s3.bucket.clone(),
            region: s3.region.clone(),
            url_style: match s3.url_style {
                UrlStyleConfig::Path => S3UrlStyle::Path,
                UrlStyleConfig::VirtualHost => S3UrlStyle::VirtualHost,
            },
            key_prefix: s3.key_prefix.clone(),
            access_key_id: s3.access_key_id.clone(),
            secret_access_key: secret,
            timeout: Duration::from_secs(s3.timeout_secs),
        };
        S3FileStore::new(settings).map_err(|e| anyhow::anyhow!("configuration: {e}"))
    }
}

/// A store error without the prefixes ("internal error: file store: ")
/// that say nothing to an operator reading why the server did not start.
fn message(e: &ServiceError) -> String {
    match e {
        ServiceError::Internal(m) | ServiceError::Unavailable(m) => {
            m.strip_prefix("file store: ").unwrap_or(m).to_owned()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3() -> S3Config {
        S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "motcua-files".into(),
            region: default_region(),
            url_style: UrlStyleConfig::Path,
            key_prefix: String::new(),
            access_key_id: "motcua".into(),
            secret_access_key_file: None,
            timeout_secs: 60,
        }
    }

    fn with(s3: S3Config) -> FilesConfig {
        FilesConfig {
            backend: Backend::S3,
            s3: Some(s3),
        }
    }

    #[test]
    fn the_secret_comes_from_the_variable_or_else_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s3-secret");
        std::fs::write(&path, "tu-tep\n").unwrap();
        let c = with(S3Config {
            secret_access_key_file: Some(path),
            ..s3()
        });
        assert!(c.s3_store(None).is_ok(), "from the file");
        assert!(
            c.s3_store(Some("tu-bien".into())).is_ok(),
            "from the variable"
        );
        let e = with(s3()).s3_store(None).unwrap_err().to_string();
        assert!(
            e.contains(SECRET_VAR) && e.contains("secret_access_key_file"),
            "{e}"
        );
        let e = with(S3Config {
            secret_access_key_file: Some(dir.path().join("missing")),
            ..s3()
        })
        .s3_store(None)
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("files.s3.secret_access_key_file: cannot read"),
            "{e}"
        );
    }

    #[test]
    fn an_s3_backend_without_its_table_or_with_a_bad_value_is_one_line_naming_it() {
        let c = FilesConfig {
            backend: Backend::S3,
            s3: None,
        };
        let e = c.s3_store(Some("x".into())).unwrap_err().to_string();
        assert!(e.contains("[files.s3]"), "{e}");
        let e = with(S3Config {
            bucket: "Bad_Bucket".into(),
            ..s3()
        })
        .s3_store(Some("x".into()))
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("configuration: files.s3.bucket:") && !e.contains('\n'),
            "{e}"
        );
    }
}
