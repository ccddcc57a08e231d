//! Units' working calendars, cached: a transition needs its unit's calendar
//! (official schedule, administrators' corrections, office hours) and
//! loading it reads the database, so each node keeps it for a short time.
//! A correction made on this node clears the cache at once; other nodes see
//! it within [`CalendarCache::TTL`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::calendar::{UnitCalendar, load};
use crate::error::ServiceResult;
use crate::store::{Store, Unit};

/// Calendars by unit id.
#[derive(Debug, Default)]
pub struct CalendarCache {
    entries: Mutex<HashMap<i64, (Instant, Arc<UnitCalendar>)>>,
}

impl CalendarCache {
    /// How long a loaded calendar is used before it is read again.
    pub const TTL: Duration = Duration::from_secs(30);

    /// The unit's calendar, loaded when missing or older than the TTL.
    pub async fn get(&self, store: &dyn Store, unit: &Unit) -> ServiceResult<Arc<UnitCalendar>> {
        if let Some(c) = self.cached(unit.id) {
            return Ok(c);
        }
        let loaded = Arc::new(load(store, Some(unit)).await?);
        if let Ok(mut map) = self.entries.lock() {
            map.insert(unit.id, (Instant::now(), loaded.clone()));
        }
        Ok(loaded)
    }

    fn cached(&self, unit_id: i64) -> Option<Arc<UnitCalendar>> {
        let map = self.entries.lock().ok()?;
        let (at, c) = map.get(&unit_id)?;
        (at.elapsed() < Self::TTL).then(|| c.clone())
    }

    /// Forgets everything (after a calendar correction on this node).
    pub fn clear(&self) {
        if let Ok(mut map) = self.entries.lock() {
            map.clear();
        }
    }
}
