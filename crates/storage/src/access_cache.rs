//! What every request asks of the unit tree, kept per node while the tree
//! and the grants have not changed.
//!
//! Each signed-in request reads its caller's grants with the subtree each
//! covers (a recursive walk of the tree), and a list filtered by unit reads
//! the unit, its subtree, the number of units and the tree's history. These
//! change a few times a year, yet were read on every request: at 16 clients
//! they were most of the database's work for a page of dossiers. So they
//! are remembered here, tagged with `access_revision` (which triggers on
//! `units`, `unit_versions`, `unit_successions` and `role_grants` move in
//! the same transaction as any change to them, so no write path can forget
//! it) and with the database's `CURRENT_DATE` (the tree's edges include the
//! successions in force today). Each read costs one single-row query for
//! the tag; another node's change is seen at the next read, as the catalog
//! search does with `catalog_revision`.
//!
//! Memo entries are filled by the reads themselves, after the tag was
//! read, so an entry is never older than its tag: a read that raced a
//! change stores what the change wrote, which the next tag then matches
//! or replaces.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use motcua_service::error::ServiceResult;
use motcua_service::store::{RoleGrant, Unit, UnitVersion};

use crate::conn::{Conn, Sql};
use crate::error::db;

/// Entries kept per kind before a memo starts afresh (a node serving more
/// users than this rereads some grants; memory stays bounded).
const MAX_ENTRIES: usize = 20_000;

const TAG: &str = "SELECT revision, CAST(CURRENT_DATE AS TEXT) FROM access_revision WHERE id = 1";

/// The memo of one store, shared by its tasks.
#[derive(Default)]
pub(crate) struct AccessCache {
    current: Mutex<Option<Arc<Memo>>>,
}

/// Grants with their subtrees, as one user's are read.
pub(crate) type Scopes = Vec<(RoleGrant, Vec<i64>)>;

/// What was read at one tag.
#[derive(Default)]
pub(crate) struct Memo {
    tag: (i64, String),
    grants: Mutex<HashMap<i64, Arc<Scopes>>>,
    subtrees: Mutex<HashMap<i64, Arc<Vec<i64>>>>,
    by_code: Mutex<HashMap<String, Unit>>,
    unit_count: OnceLock<usize>,
    versions: OnceLock<Arc<Vec<UnitVersion>>>,
}

impl AccessCache {
    /// The memo for the database's current tag, read on `c`.
    pub(crate) async fn memo<C: Conn>(&self, c: &mut C) -> ServiceResult<Arc<Memo>> {
        let (revision, day): (i64, String) = c.one(Sql::new(TAG)).await.map_err(db)?;
        let tag = (revision, day);
        let mut slot = self.current.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            // A newer memo than this read's tag holds only newer reads.
            Some(m) if m.tag >= tag => Ok(Arc::clone(m)),
            _ => {
                let m = Arc::new(Memo {
                    tag,
                    ..Memo::default()
                });
                *slot = Some(Arc::clone(&m));
                Ok(m)
            }
        }
    }
}

fn get<K: std::hash::Hash + Eq, V: Clone>(map: &Mutex<HashMap<K, V>>, k: &K) -> Option<V> {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(k)
        .cloned()
}

fn put<K: std::hash::Hash + Eq, V>(map: &Mutex<HashMap<K, V>>, k: K, v: V) {
    let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
    if m.len() >= MAX_ENTRIES {
        m.clear();
    }
    m.insert(k, v);
}

impl Memo {
    pub(crate) fn grants(&self, user_id: i64) -> Option<Arc<Scopes>> {
        get(&self.grants, &user_id)
    }
    pub(crate) fn keep_grants(&self, user_id: i64, s: Arc<Scopes>) {
        put(&self.grants, user_id, s);
    }
    pub(crate) fn subtree(&self, root: i64) -> Option<Arc<Vec<i64>>> {
        get(&self.subtrees, &root)
    }
    pub(crate) fn keep_subtree(&self, root: i64, ids: Arc<Vec<i64>>) {
        put(&self.subtrees, root, ids);
    }
    pub(crate) fn unit(&self, code: &str) -> Option<Unit> {
        get(&self.by_code, &code.to_owned())
    }
    pub(crate) fn keep_unit(&self, u: &Unit) {
        put(&self.by_code, u.code.as_str().to_owned(), u.clone());
    }
    pub(crate) fn unit_count(&self) -> Option<usize> {
        self.unit_count.get().copied()
    }
    pub(crate) fn keep_unit_count(&self, n: usize) {
        let _ = self.unit_count.set(n);
    }
    pub(crate) fn versions(&self) -> Option<Arc<Vec<UnitVersion>>> {
        self.versions.get().cloned()
    }
    pub(crate) fn keep_versions(&self, v: Arc<Vec<UnitVersion>>) {
        let _ = self.versions.set(v);
    }
}
