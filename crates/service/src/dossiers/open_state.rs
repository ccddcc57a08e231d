//! The dossier list of a report's within-limit or overdue cell at a past
//! period's end (form 06's columns (12) and (13)): whether an open dossier
//! was overdue then depends on its due date as it stood then, which no
//! column keeps (extensions and supplements move it). The database narrows
//! the list to the dossiers open at the day's end; each is then replayed
//! from its history with the statistics' own definition
//! (`stats::track::open_state_on`), so the list counts what the cell does.

use std::collections::HashMap;

use jiff::civil::Date;
use motcua_domain::deadline::WorkTime;
use motcua_domain::stats::OpenState;

use super::DossierService;
use super::view::{self, Page};
use crate::error::ServiceResult;
use crate::store::{DossierFilter, DossierSort, DossierSummary, NewEvent, ReceivedItem};

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
        loop {
            let batch = self.store().list_dossiers(&f).await?;
            let full = batch.len() == BATCH as usize;
            let ids: Vec<i64> = batch.iter().map(|r| r.id).collect();
            let (events, components) = self.store().histories(&ids).await?;
            let mut events_by: HashMap<i64, Vec<NewEvent>> = HashMap::new();
            for (id, e) in events {
                events_by.entry(id).or_default().push(e.event);
            }
            let mut items_by: HashMap<i64, Vec<ReceivedItem>> = HashMap::new();
            for (id, c) in components {
                items_by.entry(id).or_default().push(c);
            }
            let mut last = None;
            for row in batch {
                judged += 1;
                let d = self.store().dossier_by_code(&row.code).await?;
                let unit = self.store().unit_by_id(d.unit_id).await?;
                let cal = self.calendars.get(self.store(), &unit).await?;
                let work = WorkTime::new(&cal.calendar, &cal.hours);
                let events = events_by.remove(&row.id).unwrap_or_default();
                let comps = items_by.remove(&row.id).unwrap_or_default();
                let then =
                    crate::stats::track::open_state_on(&d.state, &events, &comps, &work, day)?;
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
