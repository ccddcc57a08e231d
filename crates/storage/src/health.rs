//! Whether this node can write, for `/readyz`.
//!
//! A node whose disk is full, whose database file sits on a read-only mount
//! or whose writer is stuck still answers reads, so the migration check
//! alone called it ready while every write failed. The writers record here
//! how their last transaction ended; readiness reads that (a memory read),
//! asks the file system (one `statvfs`, SQLite only) and, only while the last
//! write failed, runs one small probe write to see whether the fault is gone:
//! otherwise a node taken out of rotation would get no write that could
//! bring it back.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use motcua_service::ServiceError;

/// A write transaction running longer than this means a stuck writer.
pub(crate) const STUCK_AFTER: Duration = Duration::from_secs(30);
/// How long readiness waits for its probe write.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Below this much free space on the database's file system the node is not
/// ready: writes are about to fail with "disk full", and SQLite needs room
/// for the WAL to grow before a checkpoint can shrink it.
pub(crate) const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// The probe write: one row, the same on both databases.
pub(crate) const PROBE: &str = "INSERT INTO write_probe (id, probed_at_ms) VALUES (1, $1) \
     ON CONFLICT (id) DO UPDATE SET probed_at_ms = excluded.probed_at_ms";

/// The last write's outcome and the running transaction's start.
#[derive(Debug, Default)]
pub(crate) struct WriteHealth {
    /// Why the last write transaction failed, when the server (not the
    /// request) was at fault; `None` once one commits.
    failure: Mutex<Option<String>>,
    /// When the running write transaction began, in milliseconds since the
    /// epoch; 0 while none runs.
    busy_since_ms: AtomicI64,
}

impl WriteHealth {
    /// Records how a write transaction ended: a commit clears the fault, a
    /// failure of the server's own (disk, I/O, connection) records it; a
    /// refused request (conflict, invalid input) says nothing about the node.
    pub(crate) fn record<T>(&self, outcome: &Result<T, ServiceError>) {
        let mut f = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(_) => *f = None,
            Err(ServiceError::Unavailable(why)) => *f = Some(why.clone()),
            Err(_) => {}
        }
    }

    /// Records a failure that ended a batch or connection.
    pub(crate) fn fail(&self, why: &str) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(why.to_owned());
    }

    /// Why the last write failed, if it did.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Marks the start (`true`) or end of a write transaction.
    pub(crate) fn busy(&self, running: bool) {
        let v = if running { now_ms().max(1) } else { 0 };
        self.busy_since_ms.store(v, Ordering::Relaxed);
    }

    /// A problem when the running transaction has run past [`STUCK_AFTER`].
    pub(crate) fn stuck(&self) -> Option<String> {
        let since = self.busy_since_ms.load(Ordering::Relaxed);
        let secs = (now_ms() - since) / 1000;
        (since > 0 && secs >= STUCK_AFTER.as_secs() as i64)
            .then(|| format!("the writer has been in one transaction for {secs} s"))
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What the file system holding `file` says against writing to it: mounted
/// read-only, or less than [`MIN_FREE_BYTES`] free. `None` when it can be
/// written, or cannot be asked (the fault then shows in the write itself).
pub(crate) fn disk_problem(file: &Path) -> Option<String> {
    let dir: PathBuf = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let st = rustix::fs::statvfs(&dir).ok()?;
    if st.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
        return Some(format!("{} is on a read-only file system", dir.display()));
    }
    let free = st.f_bavail.saturating_mul(st.f_frsize);
    (free < MIN_FREE_BYTES).then(|| {
        format!(
            "the disk holding {} is full ({free} bytes free)",
            dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_fault_is_kept_until_a_commit_and_a_refused_request_changes_nothing() {
        let h = WriteHealth::default();
        h.record::<()>(&Err(ServiceError::Unavailable("disk full".into())));
        assert_eq!(h.failure().as_deref(), Some("disk full"));
        h.record::<()>(&Err(ServiceError::Conflict("stale".into())));
        assert_eq!(h.failure().as_deref(), Some("disk full"));
        h.record(&Ok(()));
        assert_eq!(h.failure(), None);
    }

    #[test]
    fn a_transaction_is_stuck_only_past_the_limit() {
        let h = WriteHealth::default();
        assert_eq!(h.stuck(), None, "idle");
        h.busy(true);
        assert_eq!(h.stuck(), None, "just began");
        let long_ago = now_ms() - STUCK_AFTER.as_millis() as i64 - 1000;
        h.busy_since_ms.store(long_ago, Ordering::Relaxed);
        assert!(h.stuck().is_some_and(|m| m.contains("one transaction")));
        h.busy(false);
        assert_eq!(h.stuck(), None);
    }

    #[test]
    fn a_writable_directory_with_room_has_no_problem() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(disk_problem(&dir.path().join("motcua.db")), None);
    }
}
