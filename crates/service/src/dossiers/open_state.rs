//! The dossier list of a report's within-limit or overdue cell at a past
//! period's end (form 06's columns (12) and (13)): whether an open dossier
//! was overdue then depends on its due date as it stood then, which no
//! column keeps (extensions and supplements move it). The database narrows
//! the list to the dossiers open at the day's end; each is then replayed
//! from its history (read narrow, a batch at a time) with the statistics'
//! own definition
//! (`stats::track::open_state_on`), so the list counts what the cell does.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use jiff::civil::Date;
use motcua_domain::deadline::WorkTime;
use motcua_domain::stats::OpenState;

use super::DossierService;
use super::view::{self, Page};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{DossierFilter, DossierSort, DossierSummary, KeyedHistory};

/// Candidates read from the database at a time.
const BATCH: u32 = 200;

/// At most this many candidates are judged for one page: a page may come
/// back short, with a cursor to go on, instead of replaying every open
/// dossier of a province for a rare state.
const MAX_JUDGED: usize = 2_000;

impl DossierService {
    /// A page of the dossiers `f` selects (open at the end of `day`) that
    /// were in `state` then.
    pub(super) async fn open_state_page(
        &self,
        mut f: DossierFilter,
        sort: DossierSort,
        state: OpenState,
        day: Date,
    ) -> ServiceResult<Page> {
        let want = f.limit as usize;
        f.limit = BATCH;
        let mut items: Vec<DossierSummary> = Vec::new();
        let mut judged = 0usize;
        // Each unit's calendar, read once per call.
        let mut calendars: HashMap<i64, std::sync::Arc<crate::calendar::UnitCalendar>> =
            HashMap::new();
        loop {
            let batch = self.store().list_dossiers(&f).await?;
            let full = batch.len() == BATCH as usize;
            let ids: Vec<i64> = batch.iter().map(|r| r.id).collect();
            let mut histories: HashMap<i64, KeyedHistory> = self
                .store()
                .histories_of(&ids)
                .await?
                .into_iter()
                .map(|h| (h.id, h))
                .collect();
            let mut last = None;
            for row in batch {
                judged += 1;
                let h = histories
                    .remove(&row.id)
                    .ok_or_else(|| ServiceError::not_found("dossier", row.code.clone()))?;
                let cal = match calendars.entry(h.key.unit_id) {
                    Entry::Occupied(e) => e.get().clone(),
                    Entry::Vacant(e) => {
                        let unit = self.store().unit_by_id(h.key.unit_id).await?;
                        e.insert(self.calendars.get(self.store(), &unit).await?)
                            .clone()
                    }
                };
                let work = WorkTime::new(&cal.calendar, &cal.hours);
                let then = crate::stats::track::open_state_on(&h.history, &work, day)?;
                let cursor = view::cursor(&row, sort);
                if then == Some(state) {
                    items.push(row);
                    if items.len() == want {
                        return Ok(Page {
                            items,
                            next: Some(cursor),
                        });
                    }
                }
                last = Some(cursor);
            }
            let Some(last) = last.filter(|_| full) else {
                return Ok(Page { items, next: None });
            };
            if judged >= MAX_JUDGED {
                return Ok(Page {
                    items,
                    next: Some(last),
                });
            }
            f.after = Some(view::parse_cursor(&last, sort)?);
        }
    }
}
