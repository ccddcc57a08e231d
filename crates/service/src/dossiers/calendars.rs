//! Units' working calendars, cached: a transition needs its unit's calendar
//! (official schedule, administrators' corrections, office hours) and
//! loading it reads the database, so each node keeps it while the database's
//! calendar revision stays (architecture.md §3: caches are invalidated by a
//! revision kept in the database, never by handlers or timers). A change
//! made on any node moves the revision in its own transaction, so every
//! node loads the new calendar at its next use: one read of one row.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::calendar::{UnitCalendar, load};
use crate::error::ServiceResult;
use crate::store::{Store, Unit};

/// Calendars by unit id, each with the revision it was loaded at.
#[derive(Debug, Default)]
pub struct CalendarCache {
    entries: Mutex<HashMap<i64, (i64, Arc<UnitCalendar>)>>,
}

impl CalendarCache {
    /// The unit's calendar, loaded when missing or older than the database's
    /// calendar revision. The revision is read before the calendar, so a
    /// change committed in between is loaded again at the next use rather
    /// than kept.
    pub async fn get(&self, store: &dyn Store, unit: &Unit) -> ServiceResult<Arc<UnitCalendar>> {
        let revision = store.calendar_revision().await?;
        if let Some(c) = self.cached(unit.id, revision) {
            return Ok(c);
        }
        let loaded = Arc::new(load(store, Some(unit)).await?);
        if let Ok(mut map) = self.entries.lock() {
            // Whatever was kept at an older revision is stale too.
            map.retain(|_, (r, _)| *r == revision);
            map.insert(unit.id, (revision, loaded.clone()));
        }
        Ok(loaded)
    }

    fn cached(&self, unit_id: i64, revision: i64) -> Option<Arc<UnitCalendar>> {
        let map = self.entries.lock().ok()?;
        let (at, c) = map.get(&unit_id)?;
        (*at == revision).then(|| c.clone())
    }
}
