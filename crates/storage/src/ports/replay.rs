//! The rebuild's reads: each page of dossiers with what the statistics
//! replay needs of them ([`History`]) as one JSON text the database builds,
//! decoded straight into typed rows.
//!
//! Why so narrow: `stats rebuild` reads every dossier. Whole dossier rows
//! (41 columns) and whole events (actor, note, detail) cost more to build,
//! send and decode than the replay itself; a page of histories is nine
//! columns per dossier, three per event and two per component, and the
//! events' details are cut down to their `reception` facts by the database.

use jiff::Timestamp;
use motcua_domain::dossier::{Channel, ReturnMethod, Status};
use motcua_domain::stats::ReceptionFacts;
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

/// An event: id, moment (ms), status after, the detail's `reception`.
type PackedEvent = (i64, i64, String, Option<serde_json::Value>);

/// A dossier as the statement below packs it.
#[derive(Deserialize)]
struct PackedHistory(
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Flag,
    Vec<PackedEvent>,
    Vec<(Flag, Flag)>,
);

/// The dossier columns, in [`PackedHistory`]'s order.
const COLUMNS: &str = "id, unit_id, procedure_id, channel, status, return_method, \
     received_at_ms, clock, result_digitised";

fn statement(dialect: Dialect) -> String {
    let page = format!("SELECT {COLUMNS} FROM dossiers WHERE id > $1 ORDER BY id LIMIT $2");
    let outer = COLUMNS
        .split(',')
        .map(|c| format!("d.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    match dialect {
        // A subquery's value loses its JSON subtype in SQLite: `json()`
        // marks the nested arrays as JSON again, so they nest instead of
        // becoming strings.
        Dialect::Sqlite => format!(
            "SELECT json_group_array(json_array({outer}, \
             json((SELECT json_group_array(json_array(e.id, e.at_ms, e.to_status, \
                   json_extract(e.detail, '$.reception'))) \
                   FROM dossier_events e WHERE e.dossier_id = d.id)), \
             json((SELECT json_group_array(json_array(c.digitised, c.reused)) \
                   FROM dossier_components c WHERE c.dossier_id = d.id)))) \
             FROM ({page}) d"
        ),
        Dialect::Postgres => format!(
            "SELECT coalesce(json_agg(json_build_array({outer}, \
             (SELECT coalesce(json_agg(json_build_array(e.id, e.at_ms, e.to_status, \
                     e.detail::json -> 'reception') ORDER BY e.id), '[]'::json) \
              FROM dossier_events e WHERE e.dossier_id = d.id), \
             (SELECT coalesce(json_agg(json_build_array(c.digitised, c.reused) \
                     ORDER BY c.position), '[]'::json) \
              FROM dossier_components c WHERE c.dossier_id = d.id)) \
             ORDER BY d.id), '[]')::text FROM ({page}) d"
        ),
    }
}

/// The histories of the dossiers after `after`, in id order.
pub(crate) async fn histories_after<B: Backend>(
    b: &B,
    after: i64,
    limit: u32,
) -> ServiceResult<Vec<KeyedHistory>> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let (packed,): (Option<String>,) = c
        .one(Sql::assembled(
            statement(B::Conn::DIALECT),
            vec![Arg::Int(after), Arg::Int(i64::from(limit))],
        ))
        .await
        .map_err(db)?;
    let packed = packed.unwrap_or_else(|| "[]".to_owned());
    let rows: Vec<PackedHistory> =
        serde_json::from_str(&packed).map_err(|e| corrupt("dossiers", "(histories)", e))?;
    let mut out = rows
        .into_iter()
        .map(history_of)
        .collect::<ServiceResult<Vec<_>>>()?;
    // SQLite does not promise an aggregate's order.
    out.sort_by_key(|h| h.id);
    Ok(out)
}

fn instant(column: &str, ms: i64) -> ServiceResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt(column, &ms.to_string(), e))
}

fn history_of(p: PackedHistory) -> ServiceResult<KeyedHistory> {
    let PackedHistory(
        id,
        unit_id,
        procedure_id,
        channel,
        status,
        return_method,
        received_at,
        clock,
        result_digitised,
        mut events,
        components,
    ) = p;
    let status_of = |column: &str, s: &str| Status::parse(s).map_err(|e| corrupt(column, s, e));
    events.sort_unstable_by_key(|e| e.0);
    let events = events
        .into_iter()
        .map(|(_, at, to, reception)| {
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
        digitised: components.iter().any(|(d, _)| d.0),
        fully_digitised: !components.is_empty() && components.iter().all(|(d, _)| d.0),
        reused: components.iter().any(|(_, r)| r.0),
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
