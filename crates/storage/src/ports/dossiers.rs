//! Dossiers, their components, events, steps and files, the same on both
//! databases.
//!
//! A change is written with `UPDATE … WHERE id = $ AND version = $`: when the
//! dossier moved since the service read it, no row matches and the whole
//! transaction is dropped (`Conflict`). The audit entry is appended last, so
//! the chain lock is held only for the end of the transaction.

use std::collections::BTreeMap;

use jiff::Timestamp;
use motcua_domain::deadline::Classification;
use motcua_domain::dossier::{Channel, DossierCode, ReturnMethod, Status};
use motcua_domain::role::Role;
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    Applicant, ApplicantType, AuditContext, CODE_PLACEHOLDER, ComponentCopy, Dossier,
    DossierChange, DossierEvent, DossierFilter, DossierSort, DossierState, DossierStep,
    DossierSummary, FileRecord, NewDossier, NewEvent, NewMessage, NewStep, PublicStatus,
    ReceivedItem, StepChange, Total,
};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use crate::catalog::sql::Assemble;
use crate::conn::{
    Arg, Backend, Conn, Dialect, Sql, TxState, Undo, commit, insert_audit, next_audit,
};
use crate::convert::{instant, millis};
use crate::error::{Broken, corrupt, db};

use motcua_service::store::dossier_subject as subject;

const DOSSIER_COLUMNS: &str = "d.id, d.code, d.lookup_token, d.unit_id, d.procedure_id, \
     d.procedure_version_id, d.process_id, d.channel, d.return_method, d.status, d.version, \
     d.applicant_kind, d.applicant_name, d.applicant_identity, d.applicant_phone, \
     d.applicant_email, d.applicant_address, d.sets, d.fee_dong, d.submitted_at_ms, \
     d.received_at_ms, d.original_due_ms, d.current_due_ms, d.near_due_ms, d.clock_running, \
     d.clock, d.holder_unit_id, d.holder_user_id, d.step_no, d.supplement_count, \
     d.extension_count, d.ended_at_ms, d.outcome, d.classification, d.result_digitised, \
     d.returned_at_ms, d.return_detail, d.imported, d.received_by, d.created_at_ms, \
     d.updated_at_ms";

const NEXT_SEQUENCE: &str = "INSERT INTO dossier_sequences (unit_id, day, last) \
     VALUES ($1, $2, 1) ON CONFLICT (unit_id, day) \
     DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last";

/// The columns a new dossier row is written with, after its id.
macro_rules! dossier_insert_columns {
    () => {
        "code, lookup_token, unit_id, procedure_id, \
     procedure_version_id, process_id, channel, return_method, status, version, applicant_kind, \
     applicant_name, applicant_folded, applicant_identity, applicant_phone, applicant_email, \
     applicant_address, sets, fee_dong, submitted_at_ms, received_at_ms, original_due_ms, \
     current_due_ms, near_due_ms, clock_running, clock, holder_unit_id, holder_user_id, step_no, \
     supplement_count, extension_count, ended_at_ms, outcome, classification, result_digitised, \
     returned_at_ms, return_detail, imported, received_by, created_at_ms, updated_at_ms"
    };
}

const INSERT_DOSSIER: &str = concat!(
    "INSERT INTO dossiers (",
    dossier_insert_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $13, $14, $15, $16, $17, \
     $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, \
     $36, $37, $38, $39, $40) RETURNING id"
);

/// [`INSERT_DOSSIER`] with the id given: the bulk import takes its ids
/// first, so that children and dossiers go in multi-row inserts.
const INSERT_DOSSIER_WITH_ID: &str = concat!(
    "INSERT INTO dossiers (id, ",
    dossier_insert_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $14, $15, $16, $17, \
     $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, \
     $36, $37, $38, $39, $40, $41)"
);

/// Rows per multi-row insert of the bulk import: 41 parameters a dossier
/// row, far below either database's limit on a statement's parameters.
const BULK_ROWS: usize = 64;

/// Raises a unit's daily sequence to at least `$3` (an imported code's
/// number); written with CASE rather than GREATEST/MAX so both databases run
/// the same text.
const RAISE_SEQUENCE: &str = "INSERT INTO dossier_sequences (unit_id, day, last) \
     VALUES ($1, $2, $3) ON CONFLICT (unit_id, day) \
     DO UPDATE SET last = CASE WHEN dossier_sequences.last < excluded.last \
     THEN excluded.last ELSE dossier_sequences.last END";

const CLOSE_STEP: &str = "UPDATE dossier_steps SET ended_at_ms = $3, classification = $4 \
     WHERE id = $1 AND dossier_id = $2 AND ended_at_ms IS NULL";

const SHIFT_STEP_DUE: &str = "UPDATE dossier_steps SET due_ms = $3 \
     WHERE id = $1 AND dossier_id = $2";

const INSERT_COMPONENT: &str = "INSERT INTO dossier_components \
     (dossier_id, position, name, form, copies, digitised, reused, file_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

pub(super) const INSERT_TERM: &str =
    "INSERT INTO dossier_search (term, dossier_id) VALUES ($1, $2)";

const INSERT_FILE: &str = "INSERT INTO files (dossier_id, kind, name, content_type, size_bytes, \
     sha256, created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

const INSERT_EVENT: &str = "INSERT INTO dossier_events \
     (dossier_id, at_ms, actor, action, from_status, to_status, note, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// [`INSERT_EVENT`] keeping the dossier only after an update of one row.
const INSERT_EVENT_AFTER_UPDATE: &str = "INSERT INTO dossier_events \
     (dossier_id, at_ms, actor, action, from_status, to_status, note, detail) \
     VALUES (CASE WHEN changes() = 1 THEN $1 END, $2, $3, $4, $5, $6, $7, $8)";

const INSERT_STEP: &str = "INSERT INTO dossier_steps (dossier_id, step_no, name, unit_id, role, \
     holder_user_id, external, sender_unit_id, sender, started_at_ms, due_ms, ended_at_ms, \
     classification) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

const INSERT_MESSAGE: &str = "INSERT INTO outbox (dossier_id, channel, recipient, subject, body, \
     status, attempts, next_attempt_ms, created_at_ms) \
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)";

/// The dossier row, decoded by position from [`DOSSIER_COLUMNS`].
pub(crate) struct DossierRow(Dossier);

fn get<'r, R, T>(row: &'r R, i: usize) -> Result<T, sqlx::Error>
where
    R: Row,
    usize: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    row.try_get(i)
}

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("dossiers.{column}: unexpected value {value:?}").into())
}

fn ts(ms: Option<i64>) -> Result<Option<Timestamp>, sqlx::Error> {
    ms.map(|ms| Timestamp::from_millisecond(ms).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

fn u32_of(v: i64, column: &str) -> Result<u32, sqlx::Error> {
    u32::try_from(v).map_err(|_| bad(column, &v.to_string()))
}

/// A row's cells by position, so that the dossier decoder states the
/// database's decoding bounds once (on [`RowCells`]).
trait Cells {
    fn int(&self, i: usize) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error>;
    fn text(&self, i: usize) -> Result<String, sqlx::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error>;
    fn flag(&self, i: usize) -> Result<bool, sqlx::Error>;
}

/// A database row as [`Cells`].
struct RowCells<'r, R>(&'r R);

impl<'r, R> Cells for RowCells<'r, R>
where
    R: Row,
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    fn int(&self, i: usize) -> Result<i64, sqlx::Error> {
        get(self.0, i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, sqlx::Error> {
        get(self.0, i)
    }
    fn text(&self, i: usize) -> Result<String, sqlx::Error> {
        get(self.0, i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, sqlx::Error> {
        get(self.0, i)
    }
    fn flag(&self, i: usize) -> Result<bool, sqlx::Error> {
        get(self.0, i)
    }
}

impl<'r, R> FromRow<'r, R> for DossierRow
where
    R: Row,
    RowCells<'r, R>: Cells,
{
    fn from_row(r: &'r R) -> Result<Self, sqlx::Error> {
        dossier_of(&RowCells(r)).map(DossierRow)
    }
}

/// A dossier from the cells of [`DOSSIER_COLUMNS`].
fn dossier_of<C: Cells + ?Sized>(r: &C) -> Result<Dossier, sqlx::Error> {
    let code = r.text(1)?;
    let channel = r.text(7)?;
    let return_method = r.text(8)?;
    let status = r.text(9)?;
    let kind = r.text(11)?;
    let outcome = r.opt_text(32)?;
    let classification = r.opt_text(33)?;
    let state = DossierState {
        status: Status::parse(&status).map_err(|_| bad("status", &status))?,
        return_method: ReturnMethod::parse(&return_method)
            .map_err(|_| bad("return_method", &return_method))?,
        submitted_at: ts(r.opt_int(19)?)?,
        received_at: ts(r.opt_int(20)?)?,
        original_due: ts(r.opt_int(21)?)?,
        current_due: ts(r.opt_int(22)?)?,
        near_due: ts(r.opt_int(23)?)?,
        clock_running: r.flag(24)?,
        clock: r.opt_text(25)?,
        holder_unit_id: r.opt_int(26)?,
        holder_user_id: r.opt_int(27)?,
        step_no: r.opt_int(28)?.map(|v| u32_of(v, "step_no")).transpose()?,
        supplement_count: u32_of(r.int(29)?, "supplement_count")?,
        extension_count: u32_of(r.int(30)?, "extension_count")?,
        ended_at: ts(r.opt_int(31)?)?,
        outcome: outcome
            .map(|o| {
                Status::parse(&o)
                    .ok()
                    .and_then(Status::outcome)
                    .ok_or_else(|| bad("outcome", &o))
            })
            .transpose()?,
        classification: classification
            .map(|c| Classification::parse(&c).ok_or_else(|| bad("classification", &c)))
            .transpose()?,
        result_digitised: r.flag(34)?,
        returned_at: ts(r.opt_int(35)?)?,
        return_detail: r.opt_text(36)?,
    };
    Ok(Dossier {
        id: r.int(0)?,
        code: DossierCode::parse(&code).map_err(|_| bad("code", &code))?,
        lookup_token: r.text(2)?,
        unit_id: r.int(3)?,
        procedure_id: r.int(4)?,
        procedure_version_id: r.int(5)?,
        process_id: r.opt_int(6)?,
        channel: Channel::parse(&channel).map_err(|_| bad("channel", &channel))?,
        version: r.int(10)?,
        applicant: Applicant {
            kind: ApplicantType::parse(&kind).ok_or_else(|| bad("applicant_kind", &kind))?,
            name: r.text(12)?,
            identity: r.text(13)?,
            phone: r.text(14)?,
            email: r.text(15)?,
            address: r.text(16)?,
        },
        sets: u32_of(r.int(17)?, "sets")?,
        fee_dong: r.int(18)?,
        state,
        imported: r.flag(37)?,
        received_by: r.text(38)?,
        created_at: ts(Some(r.int(39)?))?.unwrap_or_default(),
        updated_at: ts(Some(r.int(40)?))?.unwrap_or_default(),
    })
}

fn opt_ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(millis)
}

/// The state's columns with their values: status and return method, then
/// the timeline from `submitted_at_ms` to `return_detail` in the order the
/// insert lists them.
fn state_values(s: &DossierState) -> [(&'static str, Arg); 20] {
    [
        ("status", Arg::Text(s.status.as_str().to_owned())),
        (
            "return_method",
            Arg::Text(s.return_method.as_str().to_owned()),
        ),
        ("submitted_at_ms", Arg::OptInt(opt_ms(s.submitted_at))),
        ("received_at_ms", Arg::OptInt(opt_ms(s.received_at))),
        ("original_due_ms", Arg::OptInt(opt_ms(s.original_due))),
        ("current_due_ms", Arg::OptInt(opt_ms(s.current_due))),
        ("near_due_ms", Arg::OptInt(opt_ms(s.near_due))),
        ("clock_running", Arg::Bool(s.clock_running)),
        ("clock", Arg::OptText(s.clock.clone())),
        ("holder_unit_id", Arg::OptInt(s.holder_unit_id)),
        ("holder_user_id", Arg::OptInt(s.holder_user_id)),
        ("step_no", Arg::OptInt(s.step_no.map(i64::from))),
        ("supplement_count", Arg::Int(i64::from(s.supplement_count))),
        ("extension_count", Arg::Int(i64::from(s.extension_count))),
        ("ended_at_ms", Arg::OptInt(opt_ms(s.ended_at))),
        (
            "outcome",
            Arg::OptText(s.outcome.map(|o| o.status().as_str().to_owned())),
        ),
        (
            "classification",
            Arg::OptText(s.classification.map(|c| c.as_str().to_owned())),
        ),
        ("result_digitised", Arg::Bool(s.result_digitised)),
        ("returned_at_ms", Arg::OptInt(opt_ms(s.returned_at))),
        ("return_detail", Arg::OptText(s.return_detail.clone())),
    ]
}

/// The state columns from `submitted_at` to `return_detail`, in the order
/// the insert lists them.
fn bind_timeline(q: Sql, s: &DossierState) -> Sql {
    state_values(s)
        .into_iter()
        .skip(2)
        .fold(q, |q, (_, v)| q.arg(v))
}

/// The update of a change: sets only the columns whose value differs from
/// the state the change was computed from (which the version check
/// guarantees is the row's), so SQLite and PostgreSQL leave the indexes over
/// the other columns alone.
fn update_sql(ch: &DossierChange, now: Timestamp) -> Sql {
    let mut text = String::from("UPDATE dossiers SET ");
    let mut q = Sql::new("").int(ch.id).int(ch.expected_version);
    for ((column, after), (_, before)) in state_values(&ch.state)
        .into_iter()
        .zip(state_values(&ch.before.state))
    {
        if after != before {
            text.push_str(&format!("{column} = ${}, ", q.args.len() + 1));
            q = q.arg(after);
        }
    }
    text.push_str(&format!(
        "updated_at_ms = ${}, version = version + 1 WHERE id = $1 AND version = $2",
        q.args.len() + 1,
    ));
    Sql::assembled(text, q.int(millis(now)).args)
}

fn component_sql(id: i64, i: usize, item: &ReceivedItem) -> Sql {
    Sql::new(INSERT_COMPONENT)
        .int(id)
        .int(i64::try_from(i + 1).unwrap_or(i64::MAX))
        .text(item.name.clone())
        .text(item.form.as_str())
        .int(i64::from(item.copies))
        .bool(item.digitised)
        .bool(item.reused)
        .opt_int(item.file_id)
}

pub(super) async fn insert_components<C: Conn>(
    c: &mut C,
    id: i64,
    items: &[ReceivedItem],
) -> ServiceResult<()> {
    for (i, item) in items.iter().enumerate() {
        c.execute(component_sql(id, i, item)).await.map_err(|e| {
            crate::error::map_db(e, |_| {
                Some(ServiceError::invalid(
                    format!("components[{i}].file_id"),
                    "no such file",
                ))
            })
        })?;
    }
    Ok(())
}

/// The event's insert; `guarded`, it stores the dossier only when the
/// statement before it changed one row (see [`apply_change`]).
pub(super) fn event_sql(id: i64, e: &NewEvent, guarded: bool) -> Sql {
    Sql::new(if guarded {
        INSERT_EVENT_AFTER_UPDATE
    } else {
        INSERT_EVENT
    })
    .int(id)
    .int(millis(e.at))
    .text(e.actor.clone())
    .text(e.action.clone())
    .opt_text(e.from.map(|s| s.as_str().to_owned()))
    .text(e.to.as_str())
    .text(e.note.clone())
    .text(e.detail.to_string())
}

fn step_sql(id: i64, s: &NewStep) -> Sql {
    Sql::new(INSERT_STEP)
        .int(id)
        .int(i64::from(s.step_no))
        .text(s.name.clone())
        .int(s.unit_id)
        .text(s.role.as_str())
        .opt_int(s.holder_user_id)
        .bool(s.external)
        .int(s.sender_unit_id)
        .text(s.sender.clone())
        .int(millis(s.started_at))
        .opt_int(opt_ms(s.due))
        .opt_int(opt_ms(s.ended_at))
        .opt_text(s.classification.map(|c| c.as_str().to_owned()))
}

fn message_sql(id: i64, at: Timestamp, m: &NewMessage) -> Sql {
    Sql::new(INSERT_MESSAGE)
        .int(id)
        .text(m.channel.as_str())
        .text(m.recipient.clone())
        .text(m.subject.clone())
        .text(m.body.clone())
        .int(millis(at))
}

pub(super) fn event_audit(code: &str, e: &NewEvent) -> serde_json::Value {
    serde_json::json!({
        "code": code,
        "action": e.action,
        "from": e.from.map(Status::as_str),
        "to": e.to.as_str(),
        "at": e.at.to_string(),
        "note": e.note,
        "detail": e.detail,
    })
}

/// Receives a dossier; queued with the other writes (see
/// [`Backend::transact`]).
pub(crate) async fn insert_dossier<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    d: &NewDossier,
) -> ServiceResult<Dossier> {
    let (ctx, d) = (ctx.clone(), d.clone());
    b.transact(Undo::Savepoint, move |c, st| {
        Box::pin(async move { receive(c, st, &ctx, &d).await })
    })
    .await
}

async fn receive<C: Conn>(
    c: &mut C,
    st: &mut TxState,
    ctx: &AuditContext,
    d: &NewDossier,
) -> ServiceResult<Dossier> {
    let code = match &d.code {
        Some(code) => {
            raise_sequences(c, &[(d.unit_id, code)]).await?;
            code.clone()
        }
        None => next_code(c, d).await?,
    };
    let id = write_dossier(c, ctx.at, d, &code).await?;
    for q in crate::ports::stats::changes_sql(stat_key(d), &d.stats) {
        c.execute(q).await.map_err(db)?;
    }
    let action = if d.imported {
        "dossier.import"
    } else {
        "dossier.create"
    };
    let entry = next_audit(
        c,
        st,
        ctx,
        action,
        &subject(code.as_str()),
        &event_audit(code.as_str(), &d.event),
    )
    .await?;
    c.execute(insert_audit(&entry)).await.map_err(db)?;
    st.appended(&entry);
    load(c, id).await
}

/// Takes the next number of the unit's day and makes the code.
async fn next_code<C: Conn>(c: &mut C, d: &NewDossier) -> ServiceResult<DossierCode> {
    let (seq,): (i64,) = c
        .one(
            Sql::new(NEXT_SEQUENCE)
                .int(d.unit_id)
                .text(d.code_date.to_string()),
        )
        .await
        .map_err(|e| {
            crate::error::map_db(e, |_| Some(ServiceError::invalid("unit", "no such unit")))
        })?;
    let seq = u32::try_from(seq).unwrap_or(u32::MAX);
    DossierCode::new(&d.unit_code, d.code_date, seq).map_err(|e| {
        ServiceError::Conflict(format!(
            "no dossier code left for {} on {}: {e}",
            d.unit_code, d.code_date
        ))
    })
}

/// Raises each unit's daily sequence to the highest number among `codes`
/// (one statement per unit and day), so the next live dossier of that day
/// gets a number after every imported one.
async fn raise_sequences<C: Conn>(c: &mut C, codes: &[(i64, &DossierCode)]) -> ServiceResult<()> {
    for (unit_id, q) in sequence_sql(codes) {
        c.execute(q).await.map_err(|e| {
            crate::error::map_db(e, |_| {
                Some(ServiceError::invalid(
                    "unit",
                    format!("no unit with id {unit_id}"),
                ))
            })
        })?;
    }
    Ok(())
}

/// The statements of [`raise_sequences`], with the unit each one names.
fn sequence_sql(codes: &[(i64, &DossierCode)]) -> Vec<(i64, Sql)> {
    let mut highest: BTreeMap<(i64, jiff::civil::Date), u32> = BTreeMap::new();
    for (unit_id, code) in codes {
        let seq = highest.entry((*unit_id, code.receipt_date())).or_insert(0);
        *seq = (*seq).max(code.sequence());
    }
    highest
        .into_iter()
        .map(|((unit_id, day), seq)| {
            (
                unit_id,
                Sql::new(RAISE_SEQUENCE)
                    .int(unit_id)
                    .text(day.to_string())
                    .int(i64::from(seq)),
            )
        })
        .collect()
}

/// Writes a dossier row with its components, events, steps and messages
/// under `code`; returns its id. A code already taken is `Conflict`.
async fn write_dossier<C: Conn>(
    c: &mut C,
    at: Timestamp,
    d: &NewDossier,
    code: &DossierCode,
) -> ServiceResult<i64> {
    let (id,): (i64,) = c
        .one(bind_dossier(Sql::new(INSERT_DOSSIER), at, d, code))
        .await
        .map_err(|e| {
            crate::error::map_db(e, |broken| {
                Some(match broken {
                    // The only unique key of a dossier besides its id.
                    Broken::Unique(_) => {
                        ServiceError::Conflict(format!("dossier code {code} is already taken"))
                    }
                    _ => ServiceError::invalid(
                        "procedure",
                        "refers to a unit, procedure or process that does not exist",
                    ),
                })
            })
        })?;
    // The rest in one call: on SQLite each call is a round trip to the
    // connection's thread, which costs more than these inserts (an
    // imported dossier has a handful of events). Components that point to
    // uploaded files go one by one, so that a missing file is named.
    let with_files = d.components.iter().any(|c| c.file_id.is_some()) || !d.scans.is_empty();
    if with_files {
        let mut items = d.components.clone();
        for scan in &d.scans {
            let (file_id,): (i64,) = c
                .one(
                    Sql::new(INSERT_FILE)
                        .int(id)
                        .text("component")
                        .text(scan.name.clone())
                        .text(scan.content_type.clone())
                        .int(scan.size_bytes)
                        .text(scan.sha256.clone())
                        .text(d.received_by.clone())
                        .int(millis(at)),
                )
                .await
                .map_err(db)?;
            if let Some(item) = items.get_mut(scan.component) {
                item.file_id = Some(file_id);
                item.digitised = true;
            }
        }
        insert_components(c, id, &items).await?;
    }
    c.execute_all(children_sql(id, at, d, code, !with_files))
        .await
        .map_err(|e| {
            crate::error::map_db(e, |broken| {
                // The events and messages refer only to this dossier.
                matches!(broken, Broken::ForeignKey(_)).then(|| {
                    ServiceError::invalid("step", "refers to a unit or user that does not exist")
                })
            })
        })?;
    Ok(id)
}

/// Binds a new dossier row's values (after its id, when the statement
/// takes one).
fn bind_dossier(q: Sql, at: Timestamp, d: &NewDossier, code: &DossierCode) -> Sql {
    let s = &d.state;
    let a = &d.applicant;
    let q = q
        .text(code.as_str())
        .text(d.lookup_token.clone())
        .int(d.unit_id)
        .int(d.procedure_id)
        .int(d.procedure_version_id)
        .opt_int(d.process_id)
        .text(d.channel.as_str())
        .text(s.return_method.as_str())
        .text(s.status.as_str())
        .text(a.kind.as_str())
        .text(a.name.clone())
        .text(motcua_domain::search::fold_vi(&a.name))
        .text(a.identity.clone())
        .text(a.phone.clone())
        .text(a.email.clone())
        .text(a.address.clone())
        .int(i64::from(d.sets))
        .int(d.fee_dong);
    bind_timeline(q, s)
        .bool(d.imported)
        .text(d.received_by.clone())
        .int(millis(at))
        .int(millis(at))
}

/// A new dossier's owner on the portal (when submitted there), components
/// (when `components`), events, steps and messages.
fn children_sql(
    id: i64,
    at: Timestamp,
    d: &NewDossier,
    code: &DossierCode,
    components: bool,
) -> Vec<Sql> {
    let mut rest = Vec::new();
    if let Some(owner) = d.owner_account_id {
        rest.push(
            Sql::new(
                "INSERT INTO applicant_dossiers (dossier_id, account_id, identity_verified) \
                 VALUES ($1, $2, $3)",
            )
            .int(id)
            .int(owner)
            .bool(d.owner_identity_verified),
        );
    }
    if components {
        rest.extend(
            d.components
                .iter()
                .enumerate()
                .map(|(i, item)| component_sql(id, i, item)),
        );
    }
    rest.extend(search_sql(id, &d.applicant));
    rest.push(event_sql(id, &d.event, false));
    rest.extend(d.more_events.iter().map(|e| event_sql(id, e, false)));
    rest.extend(d.steps.iter().map(|s| step_sql(id, s)));
    rest.extend(d.outbox.iter().map(|m| {
        let m = NewMessage {
            channel: m.channel,
            recipient: m.recipient.clone(),
            subject: m.subject.replace(CODE_PLACEHOLDER, code.as_str()),
            body: m.body.replace(CODE_PLACEHOLDER, code.as_str()),
        };
        message_sql(id, at, &m)
    }));
    rest
}

/// A statement's first argument when it is text (a search term).
fn first_text(q: &Sql) -> &str {
    match q.args.first() {
        Some(Arg::Text(t)) => t,
        _ => "",
    }
}

/// The rows the search box finds dossier `id` by (migration 0012).
fn search_sql(id: i64, a: &motcua_service::store::Applicant) -> Vec<Sql> {
    motcua_domain::search::dossier::dossier_terms(&a.name, &a.identity, &a.phone)
        .into_iter()
        .map(|t| Sql::new(INSERT_TERM).text(t).int(id))
        .collect()
}

/// Ids for `n` new dossiers, taken inside the import's transaction: on
/// SQLite the writer is alone, so the ids after the highest ever given are
/// free; on PostgreSQL they come from the column's sequence.
async fn take_dossier_ids<C: Conn>(c: &mut C, n: usize) -> Result<Vec<i64>, sqlx::Error> {
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    match C::DIALECT {
        crate::conn::Dialect::Sqlite => {
            let (last,): (i64,) = c
                .one(Sql::new(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'dossiers'), 0), \
                     coalesce((SELECT max(id) FROM dossiers), 0))",
                ))
                .await?;
            Ok((1..=count).map(|i| last + i).collect())
        }
        crate::conn::Dialect::Postgres => {
            let rows: Vec<(i64,)> = c
                .all(
                    Sql::new(
                        "SELECT nextval(pg_get_serial_sequence('dossiers', 'id')) \
                         FROM generate_series(1, $1)",
                    )
                    .int(count),
                )
                .await?;
            let mut ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
            ids.sort_unstable();
            Ok(ids)
        }
    }
}

/// Stands in for the dossier ids of a bulk import's statements, made
/// before its transaction, and replaced by the ids taken inside it
/// ([`Bulk::with_ids`]): the n-th dossier's id is written as this plus n.
/// No column holds a value this low (ids, times, counts and positions are
/// never below zero).
const ID_STAND_IN: i64 = i64::MIN / 2;

/// A bulk import's statements, made before its transaction so that the
/// import holds the single writer only while they run: making them takes
/// about as long as running them, and live changes queued behind a large
/// import waited for both.
struct Bulk {
    /// The daily sequences raised.
    sequences: Vec<Sql>,
    /// The dossier rows, then the children by table, with stand-in ids.
    tables: Vec<Vec<Sql>>,
    /// How many dossiers.
    count: usize,
}

impl Bulk {
    /// About ten rows per dossier, in a few hundred multi-row inserts
    /// instead of two calls per dossier.
    fn new(at: Timestamp, dossiers: &[NewDossier], codes: &[(i64, &DossierCode)]) -> Self {
        let sequences = sequence_sql(codes).into_iter().map(|(_, q)| q).collect();
        let mut rows = Vec::with_capacity(dossiers.len());
        // Children by table (one insert text each), in the batch's order, so
        // that each table's rows merge into full chunks.
        let mut tables: Vec<Vec<Sql>> = Vec::new();
        for ((d, (_, code)), id) in dossiers.iter().zip(codes).zip(ID_STAND_IN..) {
            rows.push(bind_dossier(
                Sql::new(INSERT_DOSSIER_WITH_ID).int(id),
                at,
                d,
                code,
            ));
            for q in children_sql(id, at, d, code, true) {
                match tables.iter_mut().find(|t| t[0].text == q.text) {
                    Some(t) => t.push(q),
                    None => tables.push(vec![q]),
                }
            }
        }
        // Search terms in key order: a batch's names land all over the terms'
        // B-tree, and inserting them sorted touches each page once per batch
        // instead of once per row.
        for t in &mut tables {
            if t[0].text == INSERT_TERM {
                t.sort_by(|a, b| first_text(a).cmp(first_text(b)));
            }
        }
        tables.insert(0, rows);
        Self {
            sequences,
            tables,
            count: dossiers.len(),
        }
    }

    /// The statements with the dossiers' real ids, in the batch's order.
    fn with_ids(mut self, ids: &[i64]) -> Vec<Vec<Sql>> {
        for q in self.tables.iter_mut().flatten() {
            for a in &mut q.args {
                if let Arg::Int(v) = a
                    && let Some(n) = v.checked_sub(ID_STAND_IN)
                    && let Some(id) = usize::try_from(n).ok().and_then(|n| ids.get(n))
                {
                    *v = *id;
                }
            }
        }
        self.tables
    }
}

/// Writes an import's dossiers and their sequences with the multi-row
/// inserts of `bulk`. Any failure is returned as the database gave it: the
/// caller rolls back and writes the rows one at a time, which names the row
/// at fault.
async fn write_bulk<C: Conn>(c: &mut C, mut bulk: Bulk) -> Result<(), sqlx::Error> {
    let sequences = std::mem::take(&mut bulk.sequences);
    let ids = take_dossier_ids(c, bulk.count).await?;
    c.insert_rows(bulk.with_ids(&ids), BULK_ROWS).await?;
    // After the new rows: a concurrent import may hold the same days'
    // sequences (see `import_attempt`).
    c.upsert_rows(sequences, BULK_ROWS).await
}

/// The statistics key of a new dossier.
fn stat_key(d: &NewDossier) -> motcua_service::store::StatKey {
    motcua_service::store::StatKey {
        unit_id: d.unit_id,
        procedure_id: d.procedure_id,
        channel: d.channel,
    }
}

pub(crate) async fn import_dossiers<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    source: &str,
    dossiers: &[NewDossier],
) -> ServiceResult<usize> {
    let mut codes = Vec::with_capacity(dossiers.len());
    for (i, d) in dossiers.iter().enumerate() {
        let Some(code) = &d.code else {
            return Err(ServiceError::invalid(
                format!("dossiers[{i}].code"),
                "an imported dossier must carry its code",
            ));
        };
        if code.unit() != &d.unit_code {
            return Err(ServiceError::invalid(
                format!("dossiers[{i}].code"),
                format!("{code} is not a code of the receiving unit {}", d.unit_code),
            ));
        }
        codes.push((d.unit_id, code));
    }
    match import_attempt(b, ctx, source, dossiers, &codes, true).await? {
        Ok(n) => Ok(n),
        // A row broke a constraint (a code already taken, a reference that
        // does not exist...): the transaction is gone; one dossier at a
        // time names the row at fault. Any other failure (a statement or a
        // COPY the database could not read) is a fault of the bulk path
        // itself, reported rather than hidden by the slower path.
        Err(e) if broke_a_constraint(&e) => {
            tracing::debug!(error = %e, "bulk import refused; writing one dossier at a time");
            import_attempt(b, ctx, source, dossiers, &codes, false)
                .await?
                .map_err(db)
        }
        Err(e) => Err(db(e)),
    }
}

/// Whether the database refused a row for a constraint (unique, foreign
/// key, not null, check), as bad input does.
fn broke_a_constraint(e: &sqlx::Error) -> bool {
    use sqlx::error::ErrorKind;
    e.as_database_error().is_some_and(|d| {
        matches!(
            d.kind(),
            ErrorKind::UniqueViolation
                | ErrorKind::ForeignKeyViolation
                | ErrorKind::NotNullViolation
                | ErrorKind::CheckViolation
        )
    })
}

/// One transaction of [`import_dossiers`]: `bulk`, with multi-row inserts,
/// whose failure is the inner error; otherwise one dossier at a time, every
/// failure a service error naming the row.
async fn import_attempt<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    source: &str,
    dossiers: &[NewDossier],
    codes: &[(i64, &DossierCode)],
    bulk: bool,
) -> ServiceResult<Result<usize, sqlx::Error>> {
    // What needs no transaction is made before it: the statements and the
    // batch's counters, summed first (one upsert per bucket and group, not
    // one per dossier).
    let prepared = bulk.then(|| Bulk::new(ctx.at, dossiers, codes));
    let mut stats: BTreeMap<_, motcua_domain::stats::Counts> = BTreeMap::new();
    for d in dossiers {
        for (g, bucket, counts) in motcua_domain::stats::buckets(&d.stats) {
            stats
                .entry((g, bucket, stat_key(d)))
                .or_default()
                .add_all(&counts);
        }
    }
    let rows: Vec<_> = stats
        .into_iter()
        .filter(|(_, counts)| !counts.is_zero())
        .map(|((g, bucket, key), counts)| (g, bucket, key, counts))
        .collect();
    let (invalidate, counters) = crate::ports::stats::add_rows_each(&rows);
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    if let Some(bulk) = prepared {
        if let Err(e) = write_bulk(c, bulk).await {
            return Ok(Err(e));
        }
    } else {
        raise_sequences(c, codes).await?;
        for (i, (d, (_, code))) in dossiers.iter().zip(codes).enumerate() {
            write_dossier(c, ctx.at, d, code)
                .await
                .map_err(|e| match e {
                    ServiceError::Conflict(_) => ServiceError::invalid(
                        format!("dossiers[{i}].code"),
                        format!("dossier {code} already exists"),
                    ),
                    ServiceError::Invalid { field, reason } => {
                        ServiceError::invalid(format!("dossiers[{i}].{field}"), reason)
                    }
                    other => other,
                })?;
        }
    }
    // The rows shared with a concurrent import (the days' sequences, the
    // counters, the snapshots' epoch) are written last, so that on
    // PostgreSQL a second import writes its dossiers while the first still
    // holds them.
    c.execute_all(invalidate).await.map_err(db)?;
    c.upsert_rows(counters, crate::ports::stats::UPSERT_ROWS)
        .await
        .map_err(db)?;
    Conn::append(
        c,
        ctx,
        "dossier.import",
        &format!("import:{source}"),
        &serde_json::json!({
            "source": source,
            "count": dossiers.len(),
            "first": codes.first().map(|(_, c)| c.as_str()),
            "last": codes.last().map(|(_, c)| c.as_str()),
        }),
    )
    .await?;
    commit(tx).await?;
    Ok(Ok(dossiers.len()))
}

/// Dossiers after an id, in id order, at most `limit` (whether any exists,
/// after a migration; the rebuild reads narrow histories instead).
pub(crate) async fn dossiers_after<B: Backend>(
    b: &B,
    after: i64,
    limit: u32,
) -> ServiceResult<Vec<Dossier>> {
    let rows: Vec<DossierRow> = b
        .read()
        .await?
        .all(Sql::assembled(
            format!(
                "SELECT {DOSSIER_COLUMNS} FROM dossiers d WHERE d.id > $1 ORDER BY d.id LIMIT $2"
            ),
            vec![Arg::Int(after), Arg::Int(i64::from(limit))],
        ))
        .await
        .map_err(db)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

async fn load<C: Conn>(c: &mut C, id: i64) -> ServiceResult<Dossier> {
    let row: Option<DossierRow> = c
        .optional(Sql::assembled(
            format!("SELECT {DOSSIER_COLUMNS} FROM dossiers d WHERE d.id = $1"),
            vec![Arg::Int(id)],
        ))
        .await
        .map_err(db)?;
    row.map(|r| r.0)
        .ok_or_else(|| ServiceError::not_found("dossier", id.to_string()))
}

/// Applies a computed change; queued with the other writes (see
/// [`Backend::transact`]).
pub(crate) async fn change_dossier<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    ch: &DossierChange,
) -> ServiceResult<Dossier> {
    let (ctx, ch) = (ctx.clone(), ch.clone());
    let undo = if in_one_call(&ch) {
        Undo::Itself
    } else {
        Undo::Savepoint
    };
    b.transact(undo, move |c, st| {
        Box::pin(async move { apply_change(c, st, &ctx, &ch).await })
    })
    .await
}

/// Writes a change: the state (if the version still holds), the event,
/// the step changes, the messages and the audit entry, and answers the
/// dossier as it now is (computed: the version check guarantees the row was
/// `before`, so no read is needed).
///
/// Without components, SQLite runs it all as one multi-statement call inside
/// a savepoint of its own ([`Undo::Itself`]): on a batch's writer each call
/// is a round trip to the connection's thread, which costs more than the
/// statements. The event's insert right after the update stores
/// `dossier_id` only when that update changed a row (`changes() = 1`), so a
/// stale version stops the call there, at the column's NOT NULL; what
/// follows then tells a stale version from another error.
/// Whether a change is written as one call that undoes itself on SQLite
/// (see [`apply_change`]). A change that replaces components is not: each
/// component's error is mapped to its position, statement by statement, and
/// the writer's savepoint undoes it.
fn in_one_call(ch: &DossierChange) -> bool {
    ch.components.is_none()
}

async fn apply_change<C: Conn>(
    c: &mut C,
    st: &mut TxState,
    ctx: &AuditContext,
    ch: &DossierChange,
) -> ServiceResult<Dossier> {
    let after = ch.after(ctx.at);
    let one_call = C::DIALECT == Dialect::Sqlite && in_one_call(ch);
    let action = format!("dossier.{}", ch.event.action);
    let detail = event_audit(after.code.as_str(), &ch.event);
    let code = subject(after.code.as_str());
    let mut rest = vec![event_sql(ch.id, &ch.event, one_call)];
    for s in &ch.steps {
        rest.push(match s {
            StepChange::Open(step) => step_sql(ch.id, step),
            StepChange::Close {
                id,
                ended_at,
                classification,
            } => Sql::new(CLOSE_STEP)
                .int(*id)
                .int(ch.id)
                .int(millis(*ended_at))
                .opt_text(classification.map(|c| c.as_str().to_owned())),
            StepChange::Due { id, due } => Sql::new(SHIFT_STEP_DUE)
                .int(*id)
                .int(ch.id)
                .opt_int(opt_ms(*due)),
        });
    }
    rest.extend(ch.outbox.iter().map(|m| message_sql(ch.id, ctx.at, m)));
    rest.extend(crate::ports::stats::changes_sql(
        motcua_service::store::StatKey {
            unit_id: ch.before.unit_id,
            procedure_id: ch.before.procedure_id,
            channel: ch.before.channel,
        },
        &ch.stats,
    ));
    let opens_step = ch.steps.iter().any(|s| matches!(s, StepChange::Open(_)));
    let refused = |e| {
        crate::error::map_db(e, |broken| {
            (opens_step && matches!(broken, Broken::ForeignKey(_))).then(|| {
                ServiceError::invalid("step", "refers to a unit or user that does not exist")
            })
        })
    };
    let entry = if one_call {
        // SQLite's write lock is held from BEGIN IMMEDIATE: reading the
        // chain's head first holds nothing longer.
        let entry = next_audit(c, st, ctx, &action, &code, &detail).await?;
        let mut all = Vec::with_capacity(rest.len() + 4);
        all.push(Sql::new("SAVEPOINT dossier_change"));
        all.push(update_sql(ch, ctx.at));
        all.extend(rest);
        all.push(insert_audit(&entry));
        all.push(Sql::new("RELEASE dossier_change"));
        if let Err(e) = c.execute_all(all).await {
            // Undo what ran before the failing statement. Failing here
            // means the savepoint was never opened, so nothing ran.
            let _ = c
                .execute(Sql::new(
                    "ROLLBACK TO dossier_change; RELEASE dossier_change",
                ))
                .await;
            return Err(match stale(c, ch).await {
                Some(why) => why,
                None => refused(e),
            });
        }
        entry
    } else {
        if c.execute(update_sql(ch, ctx.at)).await.map_err(db)? == 0 {
            return Err(stale(c, ch)
                .await
                .unwrap_or_else(|| ServiceError::Internal("the dossier did not change".into())));
        }
        if let Some(items) = &ch.components {
            c.execute(Sql::new("DELETE FROM dossier_components WHERE dossier_id = $1").int(ch.id))
                .await
                .map_err(db)?;
            insert_components(c, ch.id, items).await?;
        }
        c.execute_all(rest).await.map_err(refused)?;
        // Last, so that PostgreSQL holds the chain's lock only for the end
        // of the transaction.
        let entry = next_audit(c, st, ctx, &action, &code, &detail).await?;
        c.execute(insert_audit(&entry)).await.map_err(db)?;
        entry
    };
    st.appended(&entry);
    Ok(after)
}

/// Why a change's update matched no row, if it did not: the dossier is gone
/// or moved on (`None` when it is still at the version the change names).
async fn stale<C: Conn>(c: &mut C, ch: &DossierChange) -> Option<ServiceError> {
    stale_at(c, ch.id, ch.expected_version).await
}

/// Why an update of dossier `id` at `expected_version` matched no row (see
/// [`stale`]).
pub(super) async fn stale_at<C: Conn>(
    c: &mut C,
    id: i64,
    expected_version: i64,
) -> Option<ServiceError> {
    let now: Result<Option<(String, i64)>, _> = c
        .optional(Sql::new("SELECT code, version FROM dossiers WHERE id = $1").int(id))
        .await;
    match now {
        Err(e) => Some(db(e)),
        Ok(None) => Some(ServiceError::not_found("dossier", id.to_string())),
        Ok(Some((_, v))) if v == expected_version => None,
        Ok(Some((code, v))) => Some(ServiceError::Conflict(format!(
            "dossier {code} was changed meanwhile: it is at version {v}, \
             the change was made from version {expected_version}"
        ))),
    }
}

pub(crate) async fn dossier_by_code<B: Backend>(b: &B, code: &str) -> ServiceResult<Dossier> {
    let row: Option<DossierRow> = b
        .read()
        .await?
        .optional(Sql::assembled(
            format!("SELECT {DOSSIER_COLUMNS} FROM dossiers d WHERE d.code = $1"),
            vec![Arg::Text(code.to_owned())],
        ))
        .await
        .map_err(db)?;
    row.map(|r| r.0)
        .ok_or_else(|| ServiceError::not_found("dossier", code))
}

pub(crate) async fn dossier_components<B: Backend>(
    b: &B,
    id: i64,
) -> ServiceResult<Vec<ReceivedItem>> {
    Ok(components_of(b, &[id])
        .await?
        .into_iter()
        .map(|(_, item)| item)
        .collect())
}

/// The components of several dossiers, by dossier then position.
pub(crate) async fn components_of<B: Backend>(
    b: &B,
    ids: &[i64],
) -> ServiceResult<Vec<(i64, ReceivedItem)>> {
    let mut q = crate::catalog::sql::Assemble::new(
        "SELECT dossier_id, name, form, copies, digitised, reused, file_id \
         FROM dossier_components",
        false,
    );
    let set = q.id_set(B::Conn::DIALECT, ids);
    q.and(&format!("dossier_id IN {set}"));
    q.push("ORDER BY dossier_id, position");
    let rows: Vec<ItemRow> = b.read().await?.all(q.finish()).await.map_err(db)?;
    rows.into_iter().map(item_of).collect()
}

/// A component row: dossier, name, form, copies, digitised, reused, file.
type ItemRow = (i64, String, String, i64, bool, bool, Option<i64>);

fn item_of(
    (dossier, name, form, copies, digitised, reused, file_id): ItemRow,
) -> ServiceResult<(i64, ReceivedItem)> {
    Ok((
        dossier,
        ReceivedItem {
            form: ComponentCopy::parse(&form)
                .ok_or_else(|| corrupt("dossier_components.form", &form, "unknown"))?,
            copies: u32::try_from(copies)
                .map_err(|e| corrupt("dossier_components.copies", &copies.to_string(), e))?,
            name,
            digitised,
            reused,
            file_id,
        },
    ))
}

pub(crate) async fn dossier_events<B: Backend>(b: &B, id: i64) -> ServiceResult<Vec<DossierEvent>> {
    Ok(events_of(b, &[id])
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// The events of several dossiers, by dossier then order.
pub(crate) async fn events_of<B: Backend>(
    b: &B,
    ids: &[i64],
) -> ServiceResult<Vec<(i64, DossierEvent)>> {
    let mut q = crate::catalog::sql::Assemble::new(
        "SELECT dossier_id, id, at_ms, actor, action, from_status, to_status, note, detail \
         FROM dossier_events",
        false,
    );
    let set = q.id_set(B::Conn::DIALECT, ids);
    q.and(&format!("dossier_id IN {set}"));
    q.push("ORDER BY dossier_id, id");
    let rows: Vec<EventRow> = b.read().await?.all(q.finish()).await.map_err(db)?;
    rows.into_iter().map(event_of).collect()
}

/// An event row: dossier, id, moment, actor, action, statuses, note, detail.
type EventRow = (
    i64,
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

fn event_of(
    (dossier, id, at, actor, action, from, to, note, detail): EventRow,
) -> ServiceResult<(i64, DossierEvent)> {
    let status = |s: &str| Status::parse(s).map_err(|e| corrupt("dossier_events.to_status", s, e));
    Ok((
        dossier,
        DossierEvent {
            id,
            event: NewEvent {
                at: instant(at, "dossier_events.at_ms")?,
                actor,
                action,
                from: from.as_deref().map(status).transpose()?,
                to: status(&to)?,
                note,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| corrupt("dossier_events.detail", &detail, e))?,
            },
        },
    ))
}

/// The due moment of each dossier's open step (none when the step has no
/// limit), for the dossiers of one page.
pub(crate) async fn open_step_dues<B: Backend>(
    b: &B,
    ids: &[i64],
) -> ServiceResult<Vec<(i64, Option<Timestamp>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Assemble::new(
        "SELECT dossier_id, due_ms FROM dossier_steps WHERE ended_at_ms IS NULL",
        true,
    );
    let set = q.id_set(<B::Conn as Conn>::DIALECT, ids);
    q.and(&format!("dossier_id IN {set}"));
    q.push("ORDER BY dossier_id, id");
    let rows: Vec<(i64, Option<i64>)> = b.read().await?.all(q.finish()).await.map_err(db)?;
    rows.into_iter()
        .map(|(id, due)| Ok((id, due.map(|ms| instant(ms, "due_ms")).transpose()?)))
        .collect()
}

pub(crate) async fn dossier_steps<B: Backend>(b: &B, id: i64) -> ServiceResult<Vec<DossierStep>> {
    type Row = (
        i64,
        i64,
        String,
        i64,
        String,
        Option<i64>,
        bool,
        i64,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT id, step_no, name, unit_id, role, holder_user_id, external, \
                 sender_unit_id, sender, started_at_ms, due_ms, ended_at_ms, classification \
                 FROM dossier_steps WHERE dossier_id = $1 ORDER BY id",
            )
            .int(id),
        )
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(
            |(
                id,
                step_no,
                name,
                unit_id,
                role,
                holder_user_id,
                external,
                sender_unit_id,
                sender,
                started,
                due,
                ended,
                classification,
            )| {
                let opt = |v: Option<i64>| v.map(|ms| instant(ms, "dossier_steps")).transpose();
                Ok(DossierStep {
                    id,
                    step: NewStep {
                        step_no: u32::try_from(step_no).map_err(|e| {
                            corrupt("dossier_steps.step_no", &step_no.to_string(), e)
                        })?,
                        name,
                        unit_id,
                        role: Role::parse(&role)
                            .map_err(|e| corrupt("dossier_steps.role", &role, e))?,
                        holder_user_id,
                        external,
                        sender_unit_id,
                        sender,
                        started_at: instant(started, "dossier_steps.started_at_ms")?,
                        due: opt(due)?,
                        ended_at: opt(ended)?,
                        classification: classification
                            .map(|c| {
                                Classification::parse(&c).ok_or_else(|| {
                                    corrupt("dossier_steps.classification", &c, "unknown")
                                })
                            })
                            .transpose()?,
                    },
                })
            },
        )
        .collect()
}

/// The sort key of the `Due` order: dossiers without a due moment last.
const DUE_KEY: &str = "COALESCE(d.current_due_ms, 9223372036854775807)";

/// The same key when the filter keeps only dossiers whose clock runs (near
/// due, overdue), which all have a due moment: written bare, it lets both
/// databases walk `dossiers_running_idx` in order and stop after a page,
/// where the `COALESCE` made them read and sort every overdue dossier
/// (17,844 at 1,000,000: 70 ms on SQLite, 1 ms walking the index).
const RUNNING_DUE_KEY: &str = "d.current_due_ms";

/// The key of the `DueLatest` order: dossiers without a due moment last
/// (after every real one, walking down).
const DUE_LATEST_KEY: &str = "COALESCE(d.current_due_ms, -9223372036854775807)";

/// What a cursor without a due moment stands for in each due order.
fn missing_due(sort: DossierSort) -> i64 {
    match sort {
        DossierSort::DueLatest => -9_223_372_036_854_775_807,
        _ => i64::MAX,
    }
}

pub(crate) async fn list_dossiers<B: Backend>(
    b: &B,
    f: &DossierFilter,
) -> ServiceResult<Vec<DossierSummary>> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let running = f.near_due_at.is_some() || f.overdue_at.is_some();
    let due_key = match (f.sort, running) {
        (_, true) => RUNNING_DUE_KEY,
        (DossierSort::DueLatest, false) => DUE_LATEST_KEY,
        _ => DUE_KEY,
    };
    // The due orders choose their page from the dossiers' own columns first
    // (an index-only read when `dossiers_status_due_idx` covers the filter)
    // and join the procedure's names to that page only: joining first made
    // SQLite fetch every matching row before sorting them (28,000 open
    // dossiers for a district's queue at 1,000,000).
    let deferred = f.sort.by_due();
    let dialect = <B::Conn as Conn>::DIALECT;
    let columns = summary_select(dialect);
    let joins = "JOIN procedures p ON p.id = d.procedure_id \
         JOIN procedure_versions v ON v.id = d.procedure_version_id";
    let mut q = if deferred {
        Assemble::new("SELECT d.id FROM dossiers d", false)
    } else {
        Assemble::new(&format!("{columns} FROM dossiers d {joins}"), false)
    };
    let mut conds = filter_conditions(&mut q, dialect, f);
    match (f.sort, f.after) {
        (DossierSort::Newest, Some((_, id))) => {
            let a = q.arg(Arg::Int(id));
            conds.push(format!("d.id < {a}"));
        }
        (DossierSort::Oldest, Some((_, id))) => {
            let a = q.arg(Arg::Int(id));
            conds.push(format!("d.id > {a}"));
        }
        (DossierSort::Due | DossierSort::DueLatest, Some((key, id))) => {
            let k = q.arg(Arg::Int(key.unwrap_or(missing_due(f.sort))));
            let i = q.arg(Arg::Int(id));
            let (cmp, id_cmp) = if f.sort == DossierSort::Due {
                (">", ">")
            } else {
                ("<", "<")
            };
            conds.push(format!(
                "({due_key} {cmp} {k} OR ({due_key} = {k} AND d.id {id_cmp} {i}))"
            ));
        }
        (_, None) => {}
    }
    if !f.unit_ids.is_empty() {
        let unit = unit_condition(&mut q, dialect, f, &conds, true);
        conds.push(unit);
    }
    for c in &conds {
        q.and(c);
    }
    let order = match f.sort {
        DossierSort::Newest => "ORDER BY d.id DESC".to_owned(),
        DossierSort::Oldest => "ORDER BY d.id".to_owned(),
        DossierSort::Due => format!("ORDER BY {due_key}, d.id"),
        DossierSort::DueLatest => format!("ORDER BY {due_key} DESC, d.id DESC"),
    };
    q.push(&order);
    let limit = q.arg(Arg::Int(i64::from(f.limit)));
    q.push(&format!("LIMIT {limit}"));
    if deferred {
        q.wrap(
            &format!("{columns} FROM ("),
            &format!(") page JOIN dossiers d ON d.id = page.id {joins} {order}"),
        );
    }
    let rows: Vec<(String,)> = c.all(q.finish()).await.map_err(db)?;
    rows.iter().map(|(json,)| summary(json)).collect()
}

/// A list row's columns, in [`SummaryJson`]'s order.
const SUMMARY_COLUMNS: &str = "d.id, d.code, d.unit_id, d.procedure_id, p.code, v.name, \
     d.applicant_name, d.channel, d.status, d.version, d.received_at_ms, d.current_due_ms, \
     d.original_due_ms, d.near_due_ms, d.clock_running, d.holder_unit_id, \
     d.holder_user_id, d.ended_at_ms, d.classification";

/// A list row comes as one JSON array, not 19 columns. The SQLite driver
/// copies every value of a row into an allocation of its own and frees it
/// again (`sqlite3_value_dup`): 1,900 of each for a page of 100, which
/// callgrind put at a fifth of a list page's CPU; one text a row is one
/// copy. PostgreSQL builds the same array, so both decode alike.
fn summary_select(dialect: crate::conn::Dialect) -> String {
    match dialect {
        crate::conn::Dialect::Sqlite => format!("SELECT json_array({SUMMARY_COLUMNS})"),
        crate::conn::Dialect::Postgres => {
            format!("SELECT json_build_array({SUMMARY_COLUMNS})::text")
        }
    }
}

/// [`SUMMARY_COLUMNS`] as the database writes them in JSON.
#[derive(serde::Deserialize)]
struct SummaryJson(
    i64,
    String,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Flag,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// A boolean column: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Int(i64),
}

fn summary(json: &str) -> ServiceResult<DossierSummary> {
    let r: SummaryJson =
        serde_json::from_str(json).map_err(|e| corrupt("dossiers (list row)", json, e))?;
    let opt = |v: Option<i64>| v.map(|ms| instant(ms, "dossiers")).transpose();
    Ok(DossierSummary {
        id: r.0,
        code: r.1,
        unit_id: r.2,
        procedure_id: r.3,
        procedure_code: r.4,
        procedure_name: r.5,
        applicant_name: r.6,
        channel: Channel::parse(&r.7).map_err(|e| corrupt("dossiers.channel", &r.7, e))?,
        status: Status::parse(&r.8).map_err(|e| corrupt("dossiers.status", &r.8, e))?,
        version: r.9,
        received_at: opt(r.10)?,
        current_due: opt(r.11)?,
        original_due: opt(r.12)?,
        near_due: opt(r.13)?,
        clock_running: match r.14 {
            Flag::Bool(b) => b,
            Flag::Int(i) => i != 0,
        },
        holder_unit_id: r.15,
        holder_user_id: r.16,
        ended_at: opt(r.17)?,
        classification: r
            .18
            .map(|c| {
                Classification::parse(&c)
                    .ok_or_else(|| corrupt("dossiers.classification", &c, "unknown"))
            })
            .transpose()?,
    })
}

/// How many dossiers `f` selects (its order, cursor and page size
/// ignored), reading at most `cap` of them: the conditions are
/// [`list_dossiers`]'s own, so the count is what the list pages through.
pub(crate) async fn count_dossiers<B: Backend>(
    b: &B,
    f: &DossierFilter,
    cap: u64,
) -> ServiceResult<Total> {
    let mut conn = b.read().await?;
    let c: &mut B::Conn = &mut conn;
    let dialect = <B::Conn as Conn>::DIALECT;
    let mut q = Assemble::new("SELECT 1 FROM dossiers d", false);
    let mut conds = filter_conditions(&mut q, dialect, f);
    if !f.unit_ids.is_empty() {
        let unit = unit_condition(&mut q, dialect, f, &conds, false);
        conds.push(unit);
    }
    for cond in &conds {
        q.and(cond);
    }
    let cap = i64::try_from(cap).unwrap_or(i64::MAX - 1);
    let limit = q.arg(Arg::Int(cap + 1));
    q.push(&format!("LIMIT {limit}"));
    q.wrap("SELECT COUNT(*) FROM (", ") counted");
    let (n,): (i64,) = c.one(q.finish()).await.map_err(db)?;
    Ok(Total {
        count: u64::try_from(n.min(cap)).unwrap_or(0),
        more: n > cap,
    })
}

/// The conditions of a list's filters on the dossier's own columns (every
/// filter but the units, whose best form depends on these, see
/// `unit_condition`, and the cursor).
fn filter_conditions(
    q: &mut Assemble,
    dialect: crate::conn::Dialect,
    f: &DossierFilter,
) -> Vec<String> {
    let mut conds: Vec<String> = Vec::new();
    if !f.holder_unit_ids.is_empty() {
        let set = q.id_set(dialect, &f.holder_unit_ids);
        let hint = unit_index_hint(dialect, f);
        conds.push(in_set(dialect, &format!("{hint}d.holder_unit_id"), &set));
    }
    if f.statuses.is_empty() {
        conds.push("d.status <> 'voided'".to_owned());
    } else {
        let list: Vec<String> = f
            .statuses
            .iter()
            .map(|s| q.arg(Arg::Text(s.as_str().to_owned())))
            .collect();
        conds.push(format!("d.status IN ({})", list.join(", ")));
    }
    if let Some(p) = f.procedure_id {
        let a = q.arg(Arg::Int(p));
        conds.push(format!("d.procedure_id = {a}"));
    }
    if !f.procedure_ids.is_empty() {
        let set = q.id_set(dialect, &f.procedure_ids);
        conds.push(in_set(dialect, "d.procedure_id", &set));
    }
    if let Some(ch) = f.channel {
        let a = q.arg(Arg::Text(ch.as_str().to_owned()));
        conds.push(format!("d.channel = {a}"));
    }
    if let Some(t) = &f.text {
        conds.push(text_condition(q, dialect, t));
    }
    if let Some(t) = f.due_from {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.current_due_ms >= {a}"));
    }
    if let Some(t) = f.due_to {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.current_due_ms < {a}"));
    }
    if let Some(t) = f.received_from {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.received_at_ms >= {a}"));
    }
    if let Some(t) = f.received_to {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.received_at_ms < {a}"));
    }
    if let Some(t) = f.ended_from {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.ended_at_ms >= {a}"));
    }
    if let Some(t) = f.ended_to {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.ended_at_ms < {a}"));
    }
    if let Some(t) = f.open_at {
        let a = q.arg(Arg::Int(millis(t)));
        let b = q.arg(Arg::Int(millis(t)));
        conds.push(format!(
            "d.received_at_ms < {a} AND (d.ended_at_ms IS NULL OR d.ended_at_ms >= {b})"
        ));
    }
    if !f.classifications.is_empty() {
        let list: Vec<String> = f
            .classifications
            .iter()
            .map(|c| q.arg(Arg::Text(c.as_str().to_owned())))
            .collect();
        conds.push(format!("d.classification IN ({})", list.join(", ")));
    }
    if let Some(t) = f.near_due_at {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!(
            "d.clock_running AND d.near_due_ms <= {a} AND d.current_due_ms >= {a}"
        ));
    }
    if let Some(t) = f.overdue_at {
        let a = q.arg(Arg::Int(millis(t)));
        conds.push(format!("d.clock_running AND d.current_due_ms < {a}"));
    }
    if let Some(u) = f.holder_user_id {
        let a = q.arg(Arg::Int(u));
        conds.push(format!("d.holder_user_id = {a}"));
    }
    if let Some(u) = f.awaiting_leader {
        // One probe of the dossier's steps (newest first) in the database,
        // rather than a round trip per candidate from the service.
        let a = q.arg(Arg::Int(u));
        conds.push(format!(
            "(d.holder_user_id IS NULL OR d.holder_user_id = {a}) AND \
             (SELECT s.role FROM dossier_steps s WHERE s.dossier_id = d.id \
             AND s.ended_at_ms IS NULL ORDER BY s.id DESC LIMIT 1) = 'leader'"
        ));
    }
    if f.awaiting_desk {
        conds.push(
            "(d.status = 'received' OR (SELECT s.role FROM dossier_steps s \
             WHERE s.dossier_id = d.id AND s.ended_at_ms IS NULL \
             ORDER BY s.id DESC LIMIT 1) = 'desk_officer')"
                .to_owned(),
        );
    }
    conds
}

/// Subtrees up to this many units list their newest dossiers by merging one
/// ordered index walk per unit; larger ones walk the table newest first.
const MERGE_UNITS: usize = 64;

/// The condition "received by or held in one of `f.unit_ids`, or received
/// by a unit of `f.departed` before it left".
///
/// Written as `unit_id IN set OR holder_unit_id IN set`, both databases read
/// every dossier of every unit in the set through the two unit indexes and
/// sort them all to keep one page: a district's newest page read its 100,000
/// dossiers at 1,000,000. For the newest-first order this instead takes, for
/// each unit, the first `limit` matching ids from the `(unit_id, id)` and
/// `(holder_unit_id, id)` indexes walked backwards (each walk stops after a
/// page), and keeps the dossiers among those ids: at most `2 × units × limit`
/// ids, whatever the table's size; the oldest-first order walks them
/// forwards. A count (`walk` false) takes the plain condition. `conds` (the
/// other filters, the cursor included) go into each walk so that it counts
/// only matching rows. Ids are our own integers, written into the text.
fn unit_condition(
    q: &mut Assemble,
    dialect: crate::conn::Dialect,
    f: &DossierFilter,
    conds: &[String],
    walk: bool,
) -> String {
    // A search's few candidates are checked against the units, rather than
    // each unit's dossiers walked for them.
    let by_id = match f.sort {
        DossierSort::Newest => Some("DESC"),
        DossierSort::Oldest => Some("ASC"),
        DossierSort::Due | DossierSort::DueLatest => None,
    };
    if let Some(dir) = by_id.filter(|_| walk && f.unit_ids.len() <= MERGE_UNITS && f.text.is_none())
    {
        let extra: String = conds.iter().map(|c| format!(" AND {c}")).collect();
        let limit = f.limit;
        let cols: &[&str] = if f.received_only {
            &["unit_id"]
        } else {
            &["unit_id", "holder_unit_id"]
        };
        let mut walks: Vec<String> = Vec::new();
        for u in &f.unit_ids {
            for col in cols {
                walks.push(format!(
                    "SELECT id FROM (SELECT d.id FROM dossiers d WHERE d.{col} = {u}{extra} \
                     ORDER BY d.id {dir} LIMIT {limit}) w"
                ));
            }
        }
        let ends_before = departed_ends_before(f);
        let departed = f.departed.iter().map(|g| {
            format!(
                "SELECT id FROM (SELECT d.id FROM dossiers d WHERE d.unit_id = {u}\
                 {bound}{extra} ORDER BY d.id {dir} LIMIT {limit}) w",
                u = g.unit_id,
                bound = departed_bound(g, ends_before)
            )
        });
        let walks: Vec<String> = walks.into_iter().chain(departed).collect();
        return format!("d.id IN ({})", walks.join(" UNION ALL "));
    }
    let set = q.id_set(dialect, &f.unit_ids);
    let hint = unit_index_hint(dialect, f);
    let held = if f.received_only {
        String::new()
    } else {
        let set2 = q.id_set(dialect, &f.unit_ids);
        format!(
            " OR {}",
            in_set(dialect, &format!("{hint}d.holder_unit_id"), &set2)
        )
    };
    format!(
        "({}{held}{})",
        in_set(dialect, &format!("{hint}d.unit_id"), &set),
        departed_condition(&f.departed, departed_ends_before(f))
    )
}

/// ` OR (received by a departed unit before it left)` for each unit that
/// left the scope (`DossierFilter::departed`); ids and instants are our
/// own integers, written into the text.
pub(crate) fn departed_condition(
    departed: &[motcua_service::store::Departed],
    ends_before: bool,
) -> String {
    departed
        .iter()
        .map(|g| {
            format!(
                " OR (d.unit_id = {}{})",
                g.unit_id,
                departed_bound(g, ends_before)
            )
        })
        .collect()
}

/// ` AND received before the unit left`, and with `ends_before` ` AND
/// ended before it left`.
fn departed_bound(g: &motcua_service::store::Departed, ends_before: bool) -> String {
    let before = g.before.as_millisecond();
    if ends_before {
        format!(" AND d.received_at_ms < {before} AND d.ended_at_ms < {before}")
    } else {
        format!(" AND d.received_at_ms < {before}")
    }
}

/// Whether a departed unit's dossiers count only with ends before it
/// left: a list by end in the reports' attribution (`received_only`), as
/// the home dashboard's month counts a unit that left this month only for
/// its days before (its counters' days), ends included.
fn departed_ends_before(f: &DossierFilter) -> bool {
    f.received_only && (f.ended_from.is_some() || f.ended_to.is_some())
}

/// `column IN set` for a unit set. PostgreSQL gets `= ANY(ARRAY(…))`: with
/// `IN (subquery)` it estimates the set blindly, filters a hashed subplan
/// after reading every row of the status range (80 ms for a district's
/// queue at 1,000,000 dossiers), where the array lets it read each unit's
/// entries of the index (17 ms).
fn in_set(dialect: crate::conn::Dialect, column: &str, set: &str) -> String {
    match dialect {
        crate::conn::Dialect::Sqlite => format!("{column} IN {set}"),
        crate::conn::Dialect::Postgres => format!("{column} = ANY(ARRAY{set})"),
    }
}

/// `+` (which keeps SQLite off an index of the column it precedes) when the
/// filter keeps only open dossiers (near due, overdue, or open statuses
/// only) or only a search's few candidates; else nothing. SQLite, which runs no ANALYZE, otherwise reads a
/// unit set through the unit indexes, i.e. every dossier the units ever
/// had (a district's 100,000 at 1,000,000), where `dossiers_running_idx`
/// or `dossiers_status_due_idx` hand over the few open ones. PostgreSQL
/// chooses by its statistics and gets no hint.
fn unit_index_hint(dialect: crate::conn::Dialect, f: &DossierFilter) -> &'static str {
    let open_only = !f.statuses.is_empty()
        && f.statuses
            .iter()
            .all(|s| !s.is_terminal() && !s.ends_processing());
    let narrow = f.near_due_at.is_some() || f.overdue_at.is_some() || open_only || f.text.is_some();
    if dialect == crate::conn::Dialect::Sqlite && narrow {
        "+"
    } else {
        ""
    }
}

/// Most terms a name or number query reads before the other filters:
/// "nguyen" alone matches a third of a province; the first this many are
/// enough for a search box, which then asks for more letters.
pub(crate) const SEARCH_CANDIDATES: u32 = 5_000;

/// The search box's condition: a code prefix on the codes' unique index
/// (PostgreSQL: its byte-order twin, migration 0012), a name or number
/// prefix on `dossier_search`'s key.
fn text_condition(
    q: &mut Assemble,
    dialect: crate::conn::Dialect,
    t: &motcua_domain::search::dossier::DossierQuery,
) -> String {
    use motcua_domain::search::dossier::DossierQuery;
    let (low, high) = t.range();
    let low = q.arg(Arg::Text(low));
    let high = q.arg(Arg::Text(high));
    match t {
        DossierQuery::Code(_) => {
            let code = match dialect {
                crate::conn::Dialect::Sqlite => "d.code",
                crate::conn::Dialect::Postgres => "(d.code COLLATE \"C\")",
            };
            format!("{code} >= {low} AND {code} < {high}")
        }
        DossierQuery::Number(_) | DossierQuery::Name(_) => {
            let candidates = format!(
                "SELECT s.dossier_id FROM dossier_search s \
                 WHERE s.term >= {low} AND s.term < {high} LIMIT {SEARCH_CANDIDATES}"
            );
            match dialect {
                crate::conn::Dialect::Sqlite => format!("d.id IN ({candidates})"),
                // As an array: with `IN`, PostgreSQL merge-joined the
                // candidates with every dossier walked newest first (218 ms
                // for "van an" at 1,000,000); `= ANY` fetches just the
                // candidates by key (3.7 ms).
                crate::conn::Dialect::Postgres => format!("d.id = ANY(ARRAY({candidates}))"),
            }
        }
    }
}

/// The columns a dossier's public status is read from, with its rating:
/// the status page and the owner's pages read the same row.
pub(crate) const PUBLIC_STATUS_COLUMNS: &str = "d.code, d.lookup_token, d.status, v.name, \
     u.name, d.received_at_ms, d.current_due_ms, d.ended_at_ms, d.returned_at_ms, r.overall";

/// A row of [`PUBLIC_STATUS_COLUMNS`].
pub(crate) type PublicStatusRow = (
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Decodes a row of [`PUBLIC_STATUS_COLUMNS`].
pub(crate) fn public_status_of(r: PublicStatusRow) -> ServiceResult<PublicStatus> {
    let (code, token, status, procedure_name, unit_name, rec, due, end, ret, rating) = r;
    let opt = |v: Option<i64>| v.map(|ms| instant(ms, "dossiers")).transpose();
    Ok(PublicStatus {
        status: Status::parse(&status).map_err(|e| corrupt("dossiers.status", &status, e))?,
        code,
        lookup_token: token,
        procedure_name,
        unit_name,
        received_at: opt(rec)?,
        current_due: opt(due)?,
        ended_at: opt(end)?,
        returned_at: opt(ret)?,
        rating: rating.and_then(|r| u8::try_from(r).ok()),
    })
}

pub(crate) async fn public_status<B: Backend>(
    b: &B,
    code: &str,
) -> ServiceResult<Option<PublicStatus>> {
    // The rating comes with it: the status page of a returned dossier
    // offers the form or thanks, and must not read the dossier again.
    let sql = format!(
        "SELECT {PUBLIC_STATUS_COLUMNS} FROM dossiers d \
         JOIN procedure_versions v ON v.id = d.procedure_version_id \
         JOIN units u ON u.id = d.unit_id \
         LEFT JOIN dossier_ratings r ON r.dossier_id = d.id \
         WHERE d.code = $1 AND d.status NOT IN ('draft', 'voided')"
    );
    let row: Option<PublicStatusRow> = b
        .read()
        .await?
        .optional(Sql::assembled(sql, Vec::new()).text(code))
        .await
        .map_err(db)?;
    row.map(public_status_of).transpose()
}

type FileRow = (i64, i64, String, String, String, i64, String, String, i64);

fn file(r: FileRow) -> ServiceResult<FileRecord> {
    let (id, dossier_id, kind, name, content_type, size_bytes, sha256, created_by, at) = r;
    Ok(FileRecord {
        id,
        dossier_id,
        kind,
        name,
        content_type,
        size_bytes,
        sha256,
        created_by,
        created_at: instant(at, "files.created_at_ms")?,
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_file<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    dossier_id: i64,
    kind: &str,
    name: &str,
    content_type: &str,
    size_bytes: i64,
    sha256: &str,
) -> ServiceResult<FileRecord> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    let (id,): (i64,) = c
        .one(
            Sql::new(INSERT_FILE)
                .int(dossier_id)
                .text(kind)
                .text(name)
                .text(content_type)
                .int(size_bytes)
                .text(sha256)
                .text(ctx.actor.clone())
                .int(millis(ctx.at)),
        )
        .await
        .map_err(|e| {
            crate::error::map_db(e, |_| {
                Some(ServiceError::invalid("file", "unknown dossier or bad kind"))
            })
        })?;
    let (code,): (String,) = c
        .one(Sql::new("SELECT code FROM dossiers WHERE id = $1").int(dossier_id))
        .await
        .map_err(db)?;
    Conn::append(
        c,
        ctx,
        "dossier.file_attach",
        &subject(&code),
        &serde_json::json!({
            "file_id": id, "kind": kind, "name": name, "content_type": content_type,
            "size_bytes": size_bytes, "sha256": sha256,
        }),
    )
    .await?;
    commit(tx).await?;
    Ok(FileRecord {
        id,
        dossier_id,
        kind: kind.to_owned(),
        name: name.to_owned(),
        content_type: content_type.to_owned(),
        size_bytes,
        sha256: sha256.to_owned(),
        created_by: ctx.actor.clone(),
        created_at: crate::convert::stored_instant(ctx.at),
    })
}

pub(crate) async fn dossier_files<B: Backend>(
    b: &B,
    dossier_id: i64,
) -> ServiceResult<Vec<FileRecord>> {
    let rows: Vec<FileRow> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT id, dossier_id, kind, name, content_type, size_bytes, sha256, \
                 created_by, created_at_ms FROM files WHERE dossier_id = $1 ORDER BY id",
            )
            .int(dossier_id),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(file).collect()
}

pub(crate) async fn procedure_version_by_id<B: Backend>(
    b: &B,
    version_id: i64,
) -> ServiceResult<motcua_service::store::ProcedureVersion> {
    let row: Option<crate::catalog::rows::VersionRow> = b
        .read()
        .await?
        .optional(Sql::assembled(
            format!("{} WHERE v.id = $1", crate::catalog::sql::VERSION_SELECT),
            vec![Arg::Int(version_id)],
        ))
        .await
        .map_err(db)?;
    row.ok_or_else(|| ServiceError::not_found("procedure version", version_id.to_string()))?
        .into_version()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_in_ids_become_the_ids_taken_and_nothing_else_changes() {
        let bulk = Bulk {
            sequences: Vec::new(),
            tables: vec![
                vec![
                    Sql::new(INSERT_TERM).text("an").int(ID_STAND_IN),
                    Sql::new(INSERT_TERM).text("binh").int(ID_STAND_IN + 1),
                ],
                vec![
                    Sql::new("INSERT INTO t (a, b, c, d) VALUES ($1, $2, $3, $4)")
                        .int(ID_STAND_IN + 1)
                        .int(0)
                        .int(1_733_000_000_000)
                        // One past the batch: not a stand-in of it.
                        .int(ID_STAND_IN + 2),
                ],
            ],
            count: 2,
        };
        let tables = bulk.with_ids(&[41, 97]);
        let args: Vec<Vec<Arg>> = tables.into_iter().flatten().map(|q| q.args).collect();
        assert_eq!(
            args,
            vec![
                vec![Arg::Text("an".into()), Arg::Int(41)],
                vec![Arg::Text("binh".into()), Arg::Int(97)],
                vec![
                    Arg::Int(97),
                    Arg::Int(0),
                    Arg::Int(1_733_000_000_000),
                    Arg::Int(ID_STAND_IN + 2)
                ],
            ]
        );
    }
}
