//! Units and user names, cached: every transition and every dossier page
//! names units (receiving, holder, each step's and sender's) and walks the
//! unit chain to find the process, and reading them one row at a time was
//! most of a transition's queries. The unit tree of a province is a few
//! thousand rows that change a few times a year, so each node keeps a
//! snapshot for [`Directory::TTL`]; an id missing from the snapshot (a unit
//! created since) reloads it at once. A renamed or moved unit shows its new
//! name and place within the TTL. User names never change once created, so
//! they are kept for the process's life.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_domain::unit::UnitKind;

use crate::error::{ServiceError, ServiceResult};
use crate::store::{Store, Unit};

/// The unit tree as read at one moment.
#[derive(Debug, Default)]
struct Snapshot {
    by_id: HashMap<i64, Unit>,
}

/// Whether a unit of this kind heads a tree of offices (a People's
/// Committee).
fn is_head(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::Province | UnitKind::District | UnitKind::Commune
    )
}

/// Cached units and user names.
#[derive(Debug, Default)]
pub struct Directory {
    units: Mutex<Option<(Instant, Arc<Snapshot>)>>,
    usernames: Mutex<HashMap<i64, String>>,
}

impl Directory {
    /// How long a unit snapshot is used before it is read again.
    pub const TTL: Duration = Duration::from_secs(30);

    fn fresh(&self) -> Option<Arc<Snapshot>> {
        let guard = self.units.lock().ok()?;
        let (at, snap) = guard.as_ref()?;
        (at.elapsed() < Self::TTL).then(|| snap.clone())
    }

    async fn reload(&self, store: &dyn Store) -> ServiceResult<Arc<Snapshot>> {
        let snap = Arc::new(Snapshot {
            by_id: store
                .list_units()
                .await?
                .into_iter()
                .map(|u| (u.id, u))
                .collect(),
        });
        if let Ok(mut guard) = self.units.lock() {
            *guard = Some((Instant::now(), snap.clone()));
        }
        Ok(snap)
    }

    /// A snapshot that holds `id` (reloaded when it does not).
    async fn snapshot_with(&self, store: &dyn Store, id: i64) -> ServiceResult<Arc<Snapshot>> {
        if let Some(s) = self.fresh()
            && s.by_id.contains_key(&id)
        {
            return Ok(s);
        }
        self.reload(store).await
    }

    /// The unit with `id`; `NotFound` when there is none.
    pub async fn unit(&self, store: &dyn Store, id: i64) -> ServiceResult<Unit> {
        self.snapshot_with(store, id)
            .await?
            .by_id
            .get(&id)
            .cloned()
            .ok_or_else(|| ServiceError::not_found("unit", id.to_string()))
    }

    /// The unit and its ancestors, nearest first (a cycle or a chain
    /// deeper than 64 stops the walk).
    pub async fn chain(&self, store: &dyn Store, id: i64) -> ServiceResult<Vec<i64>> {
        let snap = self.snapshot_with(store, id).await?;
        let mut chain = vec![id];
        let mut at = snap.by_id.get(&id).and_then(|u| u.parent_id);
        while let Some(p) = at {
            if chain.contains(&p) || chain.len() > 64 {
                break;
            }
            chain.push(p);
            at = snap.by_id.get(&p).and_then(|u| u.parent_id);
        }
        Ok(chain)
    }

    /// Whether `unit` is `root` or below it.
    pub async fn is_within(&self, store: &dyn Store, unit: i64, root: i64) -> ServiceResult<bool> {
        Ok(self.chain(store, unit).await?.contains(&root))
    }

    /// The People's Committee at the head of `id`'s tree: the unit itself
    /// or its nearest ancestor that is a province, district or commune
    /// (a desk or centre is hosted by one; its offices sit beside it).
    pub async fn head_of(&self, store: &dyn Store, id: i64) -> ServiceResult<Unit> {
        let snap = self.snapshot_with(store, id).await?;
        for u in self.chain(store, id).await? {
            if let Some(unit) = snap.by_id.get(&u)
                && is_head(unit.kind)
            {
                return Ok(unit.clone());
            }
        }
        self.unit(store, id).await
    }

    /// The units that work under `head` on `on` without another People's
    /// Committee between (its offices, centre, desk, public service units),
    /// in code order: a province's departments, not its communes' offices.
    pub async fn under_head(
        &self,
        store: &dyn Store,
        head: i64,
        on: jiff::civil::Date,
    ) -> ServiceResult<Vec<Unit>> {
        let snap = self.snapshot_with(store, head).await?;
        let mut out: Vec<Unit> = Vec::new();
        let mut frontier = vec![head];
        // The depth bound stops a cycle in bad data.
        for _ in 0..16 {
            let next: Vec<i64> = snap
                .by_id
                .values()
                .filter(|u| {
                    u.parent_id.is_some_and(|p| frontier.contains(&p))
                        && !is_head(u.kind)
                        && u.valid_from <= on
                        && u.valid_to.is_none_or(|t| t >= on)
                        && !out.iter().any(|o| o.id == u.id)
                })
                .map(|u| u.id)
                .collect();
            if next.is_empty() {
                break;
            }
            out.extend(next.iter().filter_map(|id| snap.by_id.get(id).cloned()));
            frontier = next;
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }

    /// The user's name.
    pub async fn username(&self, store: &dyn Store, id: i64) -> ServiceResult<String> {
        if let Some(n) = self.usernames.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(n);
        }
        let name = store.user_by_id(id).await?.username;
        if let Ok(mut m) = self.usernames.lock() {
            m.insert(id, name.clone());
        }
        Ok(name)
    }

    /// Forgets the unit snapshot (after a change to units on this node).
    pub fn clear(&self) {
        if let Ok(mut g) = self.units.lock() {
            *g = None;
        }
    }
}
