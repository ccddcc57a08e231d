//! Ranked procedure search over an index each store keeps in memory.
//!
//! Building the index reads every current version, which is too slow to do
//! per query; keeping it forever would miss changes made by other nodes. So
//! the index is tagged with the `catalog_revision` it was built at, each query
//! reads the revision (one single-row read), and the index is rebuilt only
//! when the revision moved. The ranking itself is the domain's
//! [`SearchIndex`], so every backend answers the same.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::civil::Date;
use motcua_domain::catalog::OnlineLevel;
use motcua_domain::search::{SearchDoc, SearchHit, SearchIndex};
use motcua_service::error::ServiceResult;
use motcua_service::store::ProcedureFilter;
use tokio::sync::{Mutex, RwLock};

use super::rows::levels;
use super::{Conn, Sql, sql};
use crate::convert::day;
use crate::error::{corrupt, db};

/// The most hits a query returns.
const MAX_HITS: u32 = 500;
/// Attempts at reading a consistent snapshot while writers keep changing it.
const SNAPSHOT_ATTEMPTS: usize = 4;

/// The search index of one store, shared by its tasks.
#[derive(Default)]
pub(crate) struct SearchCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Held while rebuilding, so concurrent queries after a change build once.
    building: Mutex<()>,
}

/// An index and what filters need beyond it, as of one revision.
struct Snapshot {
    revision: i64,
    index: SearchIndex,
    facts: HashMap<i64, Facts>,
}

/// What a filter asks of a procedure that the index does not hold.
struct Facts {
    /// The first day any version applied.
    first_from: Date,
    /// Units it is assigned to.
    units: Vec<i64>,
}

/// `id, code, name, field, levels, online_level, first effective_from`.
type DocRow = (i64, String, String, String, String, String, String);

impl SearchCache {
    async fn fresh(&self, revision: i64) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .await
            .as_ref()
            .filter(|s| s.revision >= revision)
            .cloned()
    }

    /// The index as of `revision` or later, rebuilt if the cached one is older.
    async fn at_least<C: Conn>(&self, c: &mut C, revision: i64) -> ServiceResult<Arc<Snapshot>> {
        if let Some(s) = self.fresh(revision).await {
            return Ok(s);
        }
        let _building = self.building.lock().await;
        if let Some(s) = self.fresh(revision).await {
            return Ok(s);
        }
        let (snapshot, consistent) = load(c).await?;
        let snapshot = Arc::new(snapshot);
        if consistent {
            let mut slot = self.current.write().await;
            if slot.as_ref().is_none_or(|s| s.revision < snapshot.revision) {
                *slot = Some(Arc::clone(&snapshot));
            }
        }
        Ok(snapshot)
    }
}

/// Ranked hits among current versions. Filters apply to the current version
/// (level, field, online level); `on` keeps procedures that had a version in
/// force on that date; `unit_ids` keeps those assigned to one of the units.
pub(crate) async fn search_procedures<C: Conn>(
    cache: &SearchCache,
    c: &mut C,
    query: &str,
    filter: &ProcedureFilter,
    limit: u32,
) -> ServiceResult<Vec<SearchHit>> {
    let revision = revision(c).await?;
    let snapshot = cache.at_least(c, revision).await?;
    let units: Option<HashSet<i64>> =
        (!filter.unit_ids.is_empty()).then(|| filter.unit_ids.iter().copied().collect());
    let keep = |d: &SearchDoc| {
        let Some(facts) = snapshot.facts.get(&d.procedure_id) else {
            return false;
        };
        filter.level.is_none_or(|l| d.levels.contains(&l))
            && filter.field.as_ref().is_none_or(|f| *f == d.field)
            && filter.online_level.is_none_or(|o| o == d.online_level)
            && filter.on.is_none_or(|on| facts.first_from <= on)
            && units
                .as_ref()
                .is_none_or(|u| facts.units.iter().any(|id| u.contains(id)))
    };
    let limit = usize::try_from(limit.clamp(1, MAX_HITS)).unwrap_or(usize::MAX);
    Ok(snapshot.index.search(query, limit, keep))
}

async fn revision<C: Conn>(c: &mut C) -> ServiceResult<i64> {
    let (r,): (i64,) = c.one(Sql::new(sql::REVISION)).await.map_err(db)?;
    Ok(r)
}

/// Reads the catalog between two reads of the revision; when they agree, no
/// change committed in between (each bumps the revision atomically with its
/// data), so the rows read are the catalog at that revision. Under constant
/// writes the last attempt is used but not cached (`false`).
async fn load<C: Conn>(c: &mut C) -> ServiceResult<(Snapshot, bool)> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let before = revision(c).await?;
        let docs: Vec<DocRow> = c.all(Sql::new(sql::SEARCH_DOCS)).await.map_err(db)?;
        let assigned: Vec<(i64, i64)> = c.all(Sql::new(sql::ALL_ASSIGNMENTS)).await.map_err(db)?;
        let after = revision(c).await?;
        if before == after || attempt == SNAPSHOT_ATTEMPTS {
            return Ok((build(before, docs, assigned)?, before == after));
        }
    }
}

fn build(revision: i64, docs: Vec<DocRow>, assigned: Vec<(i64, i64)>) -> ServiceResult<Snapshot> {
    let mut facts: HashMap<i64, Facts> = HashMap::with_capacity(docs.len());
    let mut index_docs = Vec::with_capacity(docs.len());
    for (procedure_id, code, name, field, level_text, online, first) in docs {
        let online_level = OnlineLevel::parse(&online)
            .map_err(|e| corrupt("procedure_versions.online_level", &online, e))?;
        facts.insert(
            procedure_id,
            Facts {
                first_from: day(&first, "procedure_versions.effective_from")?,
                units: Vec::new(),
            },
        );
        index_docs.push(SearchDoc {
            procedure_id,
            code,
            name,
            field,
            levels: levels(&level_text)?,
            online_level,
        });
    }
    for (procedure_id, unit_id) in assigned {
        if let Some(f) = facts.get_mut(&procedure_id) {
            f.units.push(unit_id);
        }
    }
    Ok(Snapshot {
        revision,
        index: SearchIndex::build(index_docs),
        facts,
    })
}
