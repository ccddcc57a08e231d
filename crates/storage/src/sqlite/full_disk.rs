//! A full disk, for real: the database on a small tmpfs this test mounts
//! (it needs root, as CI has; without it the test fails and says so rather
//! than passing unrun).

use std::path::{Path, PathBuf};
use std::process::Command;

use motcua_service::ServiceError;
use motcua_service::store::AdminStore;

use super::SqliteStore;
use crate::conn::{Backend, Undo};
use crate::error::db;

/// A tmpfs mounted on a temporary folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "this test mounts a {size} tmpfs to fill it and needs root (CI runs as root): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Writes a file until the file system refuses more.
fn fill(path: &Path) -> PathBuf {
    use std::io::Write;
    let filler = path.join("filler");
    let mut f = std::fs::File::create(&filler).expect("filler");
    let chunk = vec![0xa5u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.flush();
    // Smaller pieces into what is left, so that nothing remains.
    while f.write_all(&chunk[..512]).is_ok() {}
    filler
}

/// One write of `bytes` bytes through the writer's group commit.
async fn insert(store: &SqliteStore, id: i64, bytes: i64) -> Result<(), ServiceError> {
    store
        .transact(Undo::Savepoint, move |c, _| {
            Box::pin(async move {
                sqlx::query("INSERT INTO filler_rows (id, body) VALUES ($1, randomblob($2))")
                    .bind(id)
                    .bind(bytes)
                    .execute(c)
                    .await
                    .map_err(db)?;
                Ok(())
            })
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_as_unavailable_and_the_next_write_after_space_is_freed_succeeds()
{
    let fs = Tmpfs::mount("24m");
    let store = SqliteStore::open_path(&fs.path().join("motcua.db"))
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    sqlx::query("CREATE TABLE filler_rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        .execute(&store.writer)
        .await
        .expect("table");
    insert(&store, 1, 4096).await.expect("a write with room");
    assert_eq!(
        store.readiness().await.expect("readiness").write_problem,
        None
    );

    let filler = fill(fs.path());
    for id in [2, 3] {
        let e = insert(&store, id, 2 * 1024 * 1024)
            .await
            .expect_err("no room for the write");
        assert!(matches!(e, ServiceError::Unavailable(_)), "{id}: {e:?}");
    }
    let r = store.readiness().await.expect("readiness");
    assert!(!r.is_ready(), "a full disk is not ready: {r:?}");
    assert!(
        r.write_problem
            .as_deref()
            .is_some_and(|p| p.contains("full")),
        "{r:?}"
    );

    std::fs::remove_file(&filler).expect("free the space");
    insert(&store, 4, 2 * 1024 * 1024)
        .await
        .expect("the writer is clean once there is room again");
    let r = store.readiness().await.expect("readiness");
    assert!(r.is_ready(), "ready again: {r:?}");
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM filler_rows ORDER BY id")
        .fetch_all(&store.reader)
        .await
        .expect("rows");
    assert_eq!(ids, vec![1, 4], "the failed writes left nothing behind");
}
