//! A real S3-compatible server for tests: `s3s-fs`, which keeps objects as
//! plain files (`<root>/<bucket>/<key>`) and checks AWS Signature V4, started
//! on a free loopback port over a temporary directory with credentials made
//! up for the run, and stopped when dropped.
//!
//! The binary is the one [`S3_BIN_VAR`] names, else `s3s-fs` on `PATH` or in
//! cargo's `bin` folder; `./test.sh` installs it. When it cannot be found the
//! test fails saying how to install it: nothing is skipped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use motcua_storage::{S3FileStore, S3Settings, S3UrlStyle};

/// The variable naming the `s3s-fs` binary, when it is not on `PATH`.
pub const S3_BIN_VAR: &str = "MOTCUA_TEST_S3_BIN";

/// How `./test.sh` installs the server, for the message when it is missing.
pub const S3_INSTALL: &str = "cargo install s3s-fs --version 0.14.1 --features binary --locked";

/// A running `s3s-fs` with one bucket.
pub struct S3Server {
    child: Child,
    root: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket created for the test.
    pub bucket: String,
    /// The access key id the server accepts.
    pub access_key_id: String,
    /// The secret access key the server accepts.
    pub secret_access_key: String,
}

impl S3Server {
    /// Starts the server with an empty bucket and waits until it listens.
    pub fn start() -> anyhow::Result<Self> {
        let bin = binary()?;
        let root = tempfile::tempdir()?;
        let bucket = "motcua-test".to_owned();
        // s3s-fs serves every folder of its root as a bucket.
        std::fs::create_dir(root.path().join(&bucket))?;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
        let access_key_id = format!("motcua{}", std::process::id());
        let secret_access_key = format!("bi-mat-{nanos:x}-{:x}", std::process::id());
        let mut child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args([
                "--access-key",
                &access_key_id,
                "--secret-key",
                &secret_access_key,
            ])
            .arg(root.path())
            // It prints its address only in its log.
            .env("RUST_LOG", "s3s_fs=info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("s3s-fs: no stdout"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the address, then keeps draining so the server never blocks
        // on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some((_, rest)) = line.split_once("server is running at ") {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url);
                    }
                }
            }
        });
        let endpoint = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let status = child.try_wait()?;
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "s3s-fs ({}) did not start within 30 s (exit: {status:?})",
                    bin.display()
                );
            }
        };
        Ok(Self {
            child,
            root,
            endpoint,
            bucket,
            access_key_id,
            secret_access_key,
        })
    }

    /// Settings that reach the bucket, with `key_prefix`.
    pub fn settings(&self, key_prefix: &str) -> S3Settings {
        S3Settings {
            endpoint: self.endpoint.clone(),
            bucket: self.bucket.clone(),
            region: "us-east-1".to_owned(),
            url_style: S3UrlStyle::Path,
            key_prefix: key_prefix.to_owned(),
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            timeout: Duration::from_secs(20),
        }
    }

    /// A store over the bucket, with `key_prefix`.
    pub fn store(&self, key_prefix: &str) -> anyhow::Result<S3FileStore> {
        Ok(S3FileStore::new(self.settings(key_prefix))?)
    }

    /// The server's root folder (the bucket is a folder in it).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The file an object rests in on the server's disk.
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.path().join(&self.bucket).join(key)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `s3s-fs` binary: [`S3_BIN_VAR`], else `PATH`, else cargo's `bin`.
fn binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(S3_BIN_VAR) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!(
            "{S3_BIN_VAR}={} is not a file; `{S3_INSTALL}` installs the server",
            path.display()
        );
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("s3s-fs"))
                .collect()
        })
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        candidates.push(home.join("bin").join("s3s-fs"));
    }
    candidates.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        anyhow!(
            "the S3 tests need the s3s-fs server: run ./test.sh, which installs it, \
             or `{S3_INSTALL}`, or set {S3_BIN_VAR}"
        )
    })
}
