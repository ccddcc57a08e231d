//! What a dossier contributes to the statistics, from its row (each live
//! change) or from its history (imports, voids, `stats rebuild`). Both
//! paths must give the same counters; `stats rebuild --verify` and the
//! contract suite check that they do.

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::deadline::WorkTime;
use motcua_domain::dossier::{DossierClock, DueBasis, Status};
use motcua_domain::stats::track::{self, DayChange};
use motcua_domain::stats::{EndFacts, ReceptionFacts, Standing};
use motcua_domain::time::to_local;

use crate::dossiers::clock::{ClockRecord, local};
use crate::error::ServiceResult;
use crate::store::{DossierState, History, HistoryEvent, NewEvent, ReceivedItem};

/// The local day of an instant: the day a change counts on.
pub fn day_of(at: Timestamp) -> Date {
    to_local(at).date()
}

/// What the desk recorded about the components.
pub fn reception_facts(items: &[ReceivedItem]) -> ReceptionFacts {
    ReceptionFacts {
        digitised: items.iter().any(|i| i.digitised),
        fully_digitised: !items.is_empty() && items.iter().all(|i| i.digitised),
        reused: items.iter().any(|i| i.reused),
    }
}

/// The facts as a reception event's detail records them (`reception`), so
/// that a replay counts what the desk saw, whatever changed later.
pub fn facts_json(f: ReceptionFacts) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

fn facts_of_event(e: &NewEvent) -> Option<ReceptionFacts> {
    serde_json::from_value(e.detail.get("reception")?.clone()).ok()
}

/// What the statistics read from a row's stored clock: which due moment
/// lateness is judged against (fixed at receipt; the default before one)
/// and the processing time recorded at the end.
fn clock_facts(state: &DossierState) -> (DueBasis, Option<i64>) {
    state
        .clock
        .as_deref()
        .and_then(|c| ClockRecord::from_json(c).ok())
        .map(|r| (r.policy.judge_against, r.minutes))
        .unwrap_or_default()
}

/// The standing of a dossier row, its due judged against `basis`;
/// `minutes` is the processing time its clock recorded at the end.
fn standing(
    state: &DossierState,
    facts: ReceptionFacts,
    basis: DueBasis,
    minutes: Option<i64>,
) -> Standing {
    let received = state.received_at.is_some();
    let ended = state.ended_at.is_some();
    let due = match basis {
        DueBasis::Current => state.current_due,
        DueBasis::Original => state.original_due,
    };
    Standing {
        received,
        refused_at_reception: state.status == Status::Refused && !received,
        voided: state.status == Status::Voided,
        reception: facts,
        suspended: received && !ended && !state.clock_running,
        due: if received && !ended {
            due.map(day_of)
        } else {
            None
        },
        end: state.outcome.filter(|_| ended).map(|outcome| EndFacts {
            classification: state.classification,
            outcome,
            result_digitised: state.result_digitised,
            minutes,
        }),
        returned: state.returned_at.map(|_| state.return_method),
        extensions: state.extension_count,
    }
}

/// The counter changes of a live change from `before` to `after` at `at`.
/// The stored clock is read once: both states share its policy, and a
/// dossier that had ended before this change keeps the processing time
/// recorded at its end.
pub fn live_changes(
    before: Option<&DossierState>,
    after: &DossierState,
    facts: ReceptionFacts,
    at: Timestamp,
) -> Vec<DayChange> {
    let (basis, minutes) = clock_facts(after);
    let old = before
        .map(|b| standing(b, facts, basis, minutes))
        .unwrap_or_default();
    track::changes(&old, &standing(after, facts, basis, minutes), day_of(at))
}

/// The standings after each of a dossier's events, replayed from its
/// history: the events in order, the clock's events up to each moment, and
/// the final row for what the events do not carry (the return method, the
/// electronic result). `components` are the dossier's component rows, used
/// when the reception event does not record what the desk saw.
pub fn replay(h: &History, work: &WorkTime<'_>) -> ServiceResult<Vec<(Date, Standing)>> {
    let record = h.clock.as_deref().map(ClockRecord::from_json).transpose()?;
    // What the desk recorded, from the first event that says it (the
    // reception, or a correction of the components of a dossier whose
    // reception did not record it: `dossiers::corrections`), else from the
    // component rows. Facts count only once received, so taking them
    // before the event that records them changes nothing else.
    let mut facts = h
        .events
        .iter()
        .find_map(|e| e.reception)
        .unwrap_or(h.components);
    let mut out = Vec::with_capacity(h.events.len());
    let mut returned = false;
    // The clock is folded once, event by event, as the timeline goes.
    let mut clock: Option<DossierClock> = None;
    let mut applied = 0usize;
    let mut extensions = 0u32;
    for e in &h.events {
        if let Some(f) = e.reception {
            facts = f;
        }
        returned |= e.to == Status::Returned;
        let received = h.received_at.is_some_and(|r| r <= e.at);
        let mut s = Standing {
            received,
            refused_at_reception: e.to == Status::Refused && h.received_at.is_none(),
            voided: e.to == Status::Voided,
            reception: facts,
            returned: returned.then_some(h.return_method),
            ..Standing::default()
        };
        if let (true, Some(r)) = (received, &record) {
            let c = match clock.as_mut() {
                Some(c) => c,
                None => clock.insert(DossierClock::receive(
                    work, r.receipt, r.limit, r.cutoff, r.policy,
                )?),
            };
            let until = local(e.at);
            while let Some(ce) = r.events.get(applied).filter(|ce| ce.at() <= until) {
                c.apply(work, ce)?;
                if matches!(ce, motcua_domain::dossier::ClockEvent::Extended { .. }) {
                    extensions += 1;
                }
                applied += 1;
            }
            s.extensions = extensions;
            match c.end() {
                Some((_, outcome)) => {
                    s.end = Some(EndFacts {
                        classification: c.classify_end(),
                        outcome,
                        result_digitised: outcome == motcua_domain::dossier::Outcome::Result
                            && h.result_digitised,
                        minutes: c.net_minutes(work)?,
                    });
                }
                None => {
                    s.suspended = c.is_suspended();
                    s.due = c.judged_due().map(|d| d.date());
                }
            }
        }
        out.push((day_of(e.at), s));
    }
    Ok(out)
}

/// A dossier's whole contribution, replayed from its history; nothing for
/// a voided dossier, which is counted nowhere, in any period.
pub fn history_changes(
    state: &DossierState,
    events: &[NewEvent],
    components: &[ReceivedItem],
    work: &WorkTime<'_>,
) -> ServiceResult<Vec<DayChange>> {
    changes_of(&history_of(state, events, components), work)
}

/// A dossier's whole contribution from its [`History`]; nothing for a
/// voided dossier.
pub fn changes_of(h: &History, work: &WorkTime<'_>) -> ServiceResult<Vec<DayChange>> {
    if h.status == Status::Voided {
        return Ok(Vec::new());
    }
    Ok(track::trajectory(&replay(h, work)?))
}

/// What the replay reads of a dossier's row, events and components.
pub fn history_of(
    state: &DossierState,
    events: &[NewEvent],
    components: &[ReceivedItem],
) -> History {
    History {
        status: state.status,
        return_method: state.return_method,
        received_at: state.received_at,
        clock: state.clock.clone(),
        result_digitised: state.result_digitised,
        components: reception_facts(components),
        events: events
            .iter()
            .map(|e| HistoryEvent {
                at: e.at,
                to: e.to,
                reception: facts_of_event(e),
            })
            .collect(),
    }
}

/// Where a dossier stood at the end of `day` among form 06's open columns,
/// replayed from its history exactly as the counters count it (`None`: not
/// open then, or voided).
pub fn open_state_on(
    h: &History,
    work: &WorkTime<'_>,
    day: Date,
) -> ServiceResult<Option<motcua_domain::stats::OpenState>> {
    let changes = changes_of(h, work)?;
    Ok(motcua_domain::stats::OpenState::of(&track::level_on(
        &changes, day,
    )))
}
