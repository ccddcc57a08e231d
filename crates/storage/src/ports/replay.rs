//! The rebuild's reads: each page of dossiers with what the statistics
//! replay needs of them ([`History`]) as one JSON text the database builds,
//! decoded straight into typed rows.
//!
//! Why so narrow: `stats rebuild` reads every dossier. Whole dossier rows
//! (41 columns) and whole events (actor, note, detail) cost more to build,
//! send and decode than the replay itself; a page of histories is nine
//! columns per dossier (the clock apart), four per event and two per component, and the
//! events' details are cut down to their `reception` facts by the database
//! (BENCHMARKS.md, issue 17: 26.8 s to read and replay 1,000,000 dossiers
//! as whole rows, 11.2 s so).

use jiff::Timestamp;
use motcua_domain::dossier::{Channel, ReturnMethod, Status};
use motcua_domain::stats::ReceptionFacts;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{History, HistoryEvent, KeyedHistory, StatKey};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::conn::{Arg, Backend, Conn, Dialect, Sql};
use crate::error::{corrupt, db};

/// A boolean column in the database's JSON: `true`/`false` (PostgreSQL) or
/// `1`/`0` (SQLite).
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FlagVisitor;
        impl Visitor<'_> for FlagVisitor {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, 0 or 1")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Flag, E> {
                match v {
                    0 => Ok(Flag(false)),
                    1 => Ok(Flag(true)),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Flag, E> {
                u64::try_from(v)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                    .and_then(|v| self.visit_u64(v))
            }
        }
        d.deserialize_any(FlagVisitor)
    }
}

/// An event: dossier, id, moment (ms), status after, the detail's
/// `reception`.
type PackedEvent = (i64, i64, i64, String, Option<serde_json::Value>);

/// A component: dossier, digitised, reused.
type PackedComponent = (i64, Flag, Flag);

/// A dossier's row as the first statement packs it.
#[derive(Deserialize)]
struct PackedDossier(i64, i64, i64, String, String, String, Option<i64>, Flag);

/// The dossier columns, in [`PackedDossier`]'s order. The clock comes
/// apart ([`CLOCKS`]).
const COLUMNS: &str = "id, unit_id, procedure_id, channel, status, return_method, \
     received_at_ms, result_digitised";

/// Separates the clocks of a page: the record separator, which JSON
/// writes escaped, so that no stored clock holds it.
const CLOCK_SEPARATOR: char = '\u{1e}';

/// `columns` of `from` as one JSON array of arrays (`[]` when no row).
fn packed_rows(dialect: Dialect, columns: &str, from: &str, order: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("SELECT json_group_array(json_array({columns})) FROM {from}"),
        Dialect::Postgres => format!(
            "SELECT coalesce(json_agg(json_build_array({columns}) ORDER BY {order}), '[]')::text \
             FROM {from}"
        ),
    }
}

/// Which dossiers a read takes.
#[derive(Clone, Copy)]
enum Pick<'a> {
    /// Those with an id above the first and at most the second (the
    /// rebuild's pages); their events, components and clocks are read over
    /// the same id range, along the `(dossier_id, …)` indexes.
    Between(i64, i64),
    /// These ids (the dossiers behind a report cell).
    Ids(&'a [i64]),
}

/// The statements of a read: the dossiers, then their events, components
/// and clocks. Flat statements, not one with a subquery per dossier:
/// SQLite builds the nested arrays of correlated subqueries at twice the
/// cost. The clocks (JSON texts of 280 bytes) come joined as `id,clock` by
/// a separator rather than inside JSON, where each was escaped by the
/// database and unescaped again here before being parsed. `$1`, `$2` are
/// the page's bounds ([`Pick::Between`]), `$1` the ids as JSON for
/// [`Pick::Ids`].
fn statements(dialect: Dialect, pick: Pick) -> [String; 4] {
    // Only a detail that names `reception` is parsed (the reception
    // event's): the others would give nothing, at the cost of parsing.
    let reception = match dialect {
        Dialect::Sqlite => {
            "CASE WHEN instr(detail, '\"reception\"') > 0 \
             THEN json_extract(detail, '$.reception') END"
        }
        Dialect::Postgres => {
            "CASE WHEN strpos(detail, '\"reception\"') > 0 \
             THEN detail::json -> 'reception' END"
        }
    };
    let (dossiers, of_dossier, of_id) = match pick {
        Pick::Between(..) => (
            "id > $1 AND id <= $2".to_owned(),
            "dossier_id > $1 AND dossier_id <= $2".to_owned(),
            "id > $1 AND id <= $2".to_owned(),
        ),
        Pick::Ids(_) => {
            let set = dialect.id_set(1);
            (
                format!("id IN {set}"),
                format!("dossier_id IN {set}"),
                format!("id IN {set}"),
            )
        }
    };
    let clocks = match dialect {
        Dialect::Sqlite => "group_concat(id || ',' || clock, char(30))",
        Dialect::Postgres => "string_agg(id::text || ',' || clock, chr(30))",
    };
    [
        packed_rows(
            dialect,
            COLUMNS,
            &format!("(SELECT {COLUMNS} FROM dossiers WHERE {dossiers}) d"),
            "id",
        ),
        packed_rows(
            dialect,
            &format!("dossier_id, id, at_ms, to_status, {reception}"),
            &format!("dossier_events WHERE {of_dossier}"),
            "dossier_id, id",
        ),
        packed_rows(
            dialect,
            "dossier_id, digitised, reused",
            &format!("dossier_components WHERE {of_dossier}"),
            "dossier_id, position",
        ),
        format!("SELECT {clocks} FROM dossiers WHERE {of_id} AND clock IS NOT NULL"),
    ]
}

/// The read's clocks by dossier id, in id order.
fn clocks(joined: &str) -> ServiceResult<Vec<(i64, &str)>> {
    let mut out = joined
        .split(CLOCK_SEPARATOR)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.split_once(',')
                .and_then(|(id, clock)| Some((id.parse::<i64>().ok()?, clock)))
                .ok_or_else(|| corrupt("dossiers.clock", part, "not an id and a clock"))
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    out.sort_unstable_by_key(|(id, _)| *id);
    Ok(out)
}

/// One packed statement's text (`empty` when no row).
async fn packed_text<C: Conn>(
    c: &mut C,
    text: &str,
    args: Vec<Arg>,
    empty: &str,
) -> ServiceResult<String> {
    let (packed,): (Option<String>,) = c
        .one(Sql::assembled(text.to_owned(), args))
        .await
        .map_err(db)?;
    Ok(packed.unwrap_or_else(|| empty.to_owned()))
}

/// The histories of the dossiers with an id above `after` and at most
/// `upto`, in id order.
pub(crate) async fn histories_between<B: Backend>(
    b: &B,
    after: i64,
    upto: i64,
) -> ServiceResult<Vec<KeyedHistory>> {
    if upto <= after {
        return Ok(Vec::new());
    }
    read(b, Pick::Between(after, upto)).await
}

/// The highest dossier id (0 when there is none): where the rebuild's
/// pages end.
pub(crate) async fn last_dossier_id<B: Backend>(b: &B) -> ServiceResult<i64> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let (last,): (i64,) = c
        .one(Sql::new("SELECT coalesce(max(id), 0) FROM dossiers"))
        .await
        .map_err(db)?;
    Ok(last)
}

/// The histories of the dossiers `ids` (those that exist), in id order.
pub(crate) async fn histories_of<B: Backend>(
    b: &B,
    ids: &[i64],
) -> ServiceResult<Vec<KeyedHistory>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    read(b, Pick::Ids(ids)).await
}

async fn read<B: Backend>(b: &B, pick: Pick<'_>) -> ServiceResult<Vec<KeyedHistory>> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let [dossiers, events, components, clock_texts] = statements(B::Conn::DIALECT, pick);
    let first = match pick {
        Pick::Between(after, upto) => vec![Arg::Int(after), Arg::Int(upto)],
        Pick::Ids(ids) => {
            vec![Arg::Text(serde_json::to_string(ids).map_err(|e| {
                ServiceError::Internal(format!("dossier ids: {e}"))
            })?)]
        }
    };
    let text = packed_text(c, &dossiers, first.clone(), "[]").await?;
    let mut rows: Vec<PackedDossier> =
        serde_json::from_str(&text).map_err(|e| corrupt("dossiers", "(histories)", e))?;
    // SQLite does not promise an aggregate's order.
    rows.sort_unstable_by_key(|r| r.0);
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The rest: over the same id range, or the same ids.
    let args = first;
    let text = packed_text(c, &events, args.clone(), "[]").await?;
    let mut events: Vec<PackedEvent> =
        serde_json::from_str(&text).map_err(|e| corrupt("dossier_events", "(histories)", e))?;
    events.sort_unstable_by_key(|e| (e.0, e.1));
    let text = packed_text(c, &components, args.clone(), "[]").await?;
    let mut components: Vec<PackedComponent> =
        serde_json::from_str(&text).map_err(|e| corrupt("dossier_components", "(histories)", e))?;
    components.sort_by_key(|c| c.0);
    let joined = packed_text(c, &clock_texts, args, "").await?;
    let mut clocks = clocks(&joined)?.into_iter().peekable();
    let mut events = events.into_iter().peekable();
    let mut components = components.into_iter().peekable();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.0;
        // Events, components and clocks come in dossier order; any of a
        // dossier not read here is skipped.
        let mut mine_events = Vec::new();
        while let Some(e) = events.next_if(|e| e.0 <= id) {
            if e.0 == id {
                mine_events.push(e);
            }
        }
        let mut mine_components = Vec::new();
        while let Some(c) = components.next_if(|c| c.0 <= id) {
            if c.0 == id {
                mine_components.push(c);
            }
        }
        let mut clock = None;
        while let Some((of, text)) = clocks.next_if(|(of, _)| *of <= id) {
            if of == id {
                clock = Some(text.to_owned());
            }
        }
        out.push(history_of(row, clock, mine_events, &mine_components)?);
    }
    Ok(out)
}

fn instant(column: &str, ms: i64) -> ServiceResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt(column, &ms.to_string(), e))
}

fn history_of(
    row: PackedDossier,
    clock: Option<String>,
    events: Vec<PackedEvent>,
    components: &[PackedComponent],
) -> ServiceResult<KeyedHistory> {
    let PackedDossier(
        id,
        unit_id,
        procedure_id,
        channel,
        status,
        return_method,
        received_at,
        result_digitised,
    ) = row;
    let status_of = |column: &str, s: &str| Status::parse(s).map_err(|e| corrupt(column, s, e));
    let events = events
        .into_iter()
        .map(|(_, _, at, to, reception)| {
            Ok(HistoryEvent {
                at: instant("dossier_events.at_ms", at)?,
                to: status_of("dossier_events.to_status", &to)?,
                // As lenient as the event reader: facts that do not read
                // count as none recorded.
                reception: reception.and_then(|v| serde_json::from_value(v).ok()),
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    let components = ReceptionFacts {
        digitised: components.iter().any(|(_, d, _)| d.0),
        fully_digitised: !components.is_empty() && components.iter().all(|(_, d, _)| d.0),
        reused: components.iter().any(|(_, _, r)| r.0),
    };
    Ok(KeyedHistory {
        id,
        key: StatKey {
            unit_id,
            procedure_id,
            channel: Channel::parse(&channel)
                .map_err(|e| corrupt("dossiers.channel", &channel, e))?,
        },
        history: History {
            status: status_of("dossiers.status", &status)?,
            return_method: ReturnMethod::parse(&return_method)
                .map_err(|e| corrupt("dossiers.return_method", &return_method, e))?,
            received_at: received_at
                .map(|ms| instant("dossiers.received_at_ms", ms))
                .transpose()?,
            clock,
            result_digitised: result_digitised.0,
            components,
            events,
        },
    })
}
