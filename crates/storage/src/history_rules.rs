//! The unit tree through time, the same on both databases: what each
//! [`UnitChange`] checks and writes, expressed over [`TreeTx`], the handful
//! of plain queries each backend implements on its transaction's connection.
//!
//! # What the `units` row shows
//!
//! The `units` row mirrors the unit's **latest version**: its code, name,
//! parent and level are those of the newest version, even when that version
//! starts in the future (a rename recorded in June that takes effect on
//! 1 July shows the new name from June on). `units.valid_from` is the first
//! day of the first version and `units.valid_to` the last day of the last
//! one (set when the unit is abolished, merged away or split). Storage keeps
//! no clock, so the row never depends on when it is read; the tree as it
//! stood (or will stand) on a given day is [`units_on`](motcua_service::store::UnitHistoryStore::units_on)
//! and `subtree_ids_on`, read from `unit_versions`. A consequence: the
//! current-tree `subtree_ids` still reaches ended units under their last
//! parent, which is what access checks on their old records need.
//!
//! # Codes
//!
//! `units.code` stays unique (`units_code_key`), so the latest code of every
//! unit, ended or not, is taken; older versions keep the codes they had, and
//! a code may pass to another unit only for days on which no version of a
//! different unit holds it. A code therefore never names two units on the
//! same day, and `unit_by_code` stays unambiguous.
//!
//! # Concurrency
//!
//! Every change runs in one write transaction with its audit entry: SQLite's
//! `BEGIN IMMEDIATE` serialises writers; PostgreSQL takes a transaction-scoped
//! advisory lock on the tree before reading it, so two nodes cannot both pass
//! the checks on a state the other is changing.

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::error::ServiceResult;
use motcua_service::store::{
    AuditContext, MergeTarget, NewUnit, Succession, SuccessionKind, Unit, UnitChange, UnitVersion,
};
use serde_json::{Value, json};

use crate::audit;
use crate::convert::{day, day_text};
use crate::error::{Broken, corrupt};

pub(crate) const INSERT_VERSION: &str = "INSERT INTO unit_versions \
     (unit_id, valid_from, valid_to, code, name, parent_id, kind, level) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const VERSIONS_OF: &str = "SELECT unit_id, valid_from, valid_to, code, name, \
     parent_id, kind, level FROM unit_versions WHERE unit_id = $1 ORDER BY valid_from";
/// Every version of every unit, by unit then time (what departures from a
/// subtree are worked out from).
pub(crate) const ALL_VERSIONS: &str = "SELECT unit_id, valid_from, valid_to, code, name, \
     parent_id, kind, level FROM unit_versions ORDER BY unit_id, valid_from";
/// Versions in force on a day: started on or before it, not ended before it.
pub(crate) const UNITS_ON: &str = "SELECT unit_id, valid_from, valid_to, code, name, \
     parent_id, kind, level FROM unit_versions \
     WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY code, unit_id";
/// The root's version in force that day, then each level below it along the
/// versions in force that day; the depth bound stops a cycle bad data might hold.
pub(crate) const SUBTREE_ON: &str = "WITH RECURSIVE tree (id, depth) AS ( \
     SELECT unit_id, 0 FROM unit_versions \
     WHERE unit_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) \
     UNION ALL \
     SELECT v.unit_id, t.depth + 1 FROM unit_versions v JOIN tree t ON v.parent_id = t.id \
     WHERE v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2) AND t.depth < 64 \
     ) SELECT id FROM tree ORDER BY depth, id";
/// Versions of children that are in force on or after a day.
pub(crate) const LIVE_CHILDREN: &str = "SELECT unit_id, code FROM unit_versions \
     WHERE parent_id = $1 AND (valid_to IS NULL OR valid_to >= $2) ORDER BY code, unit_id";
/// Other units holding a code: in a version overlapping `[$3, $4]` (`$4`
/// none: open), or as their latest code on the `units` row.
pub(crate) const CODE_HOLDERS: &str = "SELECT unit_id FROM unit_versions \
     WHERE code = $1 AND unit_id <> $2 AND (valid_to IS NULL OR valid_to >= $3) \
     AND ($4 IS NULL OR valid_from <= $4) \
     UNION SELECT id FROM units WHERE code = $1 AND id <> $2";
pub(crate) const SET_VERSION_END: &str =
    "UPDATE unit_versions SET valid_to = $3 WHERE unit_id = $1 AND valid_from = $2";
pub(crate) const UPDATE_UNIT: &str = "UPDATE units SET code = $2, name = $3, level = $4, \
     parent_id = $5, valid_to = $6 WHERE id = $1";
pub(crate) const INSERT_SUCCESSION: &str = "INSERT INTO unit_successions \
     (predecessor_id, successor_id, kind, effective) VALUES ($1, $2, $3, $4)";
pub(crate) const SUCCESSIONS_OF: &str = "SELECT predecessor_id, successor_id, kind, effective \
     FROM unit_successions WHERE predecessor_id = $1 OR successor_id = $1 \
     ORDER BY effective, predecessor_id, successor_id";
pub(crate) const ALL_SUCCESSIONS: &str = "SELECT predecessor_id, successor_id, kind, effective \
     FROM unit_successions ORDER BY effective, predecessor_id, successor_id";
pub(crate) const UNIT_EXISTS: &str = "SELECT count(*) FROM units WHERE id = $1";

/// `unit_id, valid_from, valid_to, code, name, parent_id, kind, level`.
pub(crate) type VersionRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<i64>,
    String,
    String,
);

/// `predecessor_id, successor_id, kind, effective`.
pub(crate) type SuccessionRow = (i64, i64, String, String);

pub(crate) fn version(r: VersionRow) -> ServiceResult<UnitVersion> {
    let (unit_id, valid_from, valid_to, code, name, parent_id, kind, level) = r;
    Ok(UnitVersion {
        unit_id,
        valid_from: day(&valid_from, "unit_versions.valid_from")?,
        valid_to: valid_to
            .map(|d| day(&d, "unit_versions.valid_to"))
            .transpose()?,
        code: UnitCode::parse(&code).map_err(|e| corrupt("unit_versions.code", &code, e))?,
        name,
        parent_id,
        kind: UnitKind::parse(&kind).map_err(|e| corrupt("unit_versions.kind", &kind, e))?,
        level: Level::parse(&level).map_err(|e| corrupt("unit_versions.level", &level, e))?,
    })
}

pub(crate) fn succession(r: SuccessionRow) -> ServiceResult<Succession> {
    let (predecessor_id, successor_id, kind, effective) = r;
    let kind = match kind.as_str() {
        "merge" => SuccessionKind::Merge,
        "split" => SuccessionKind::Split,
        other => return Err(corrupt("unit_successions.kind", other, "unknown kind")),
    };
    Ok(Succession {
        predecessor_id,
        successor_id,
        kind,
        effective: day(&effective, "unit_successions.effective")?,
    })
}

/// The version a new unit starts with: everything it was given.
pub(crate) fn first_version(id: i64, u: &NewUnit) -> UnitVersion {
    UnitVersion {
        unit_id: id,
        valid_from: u.valid_from,
        valid_to: u.valid_to,
        code: u.code.clone(),
        name: u.name.clone(),
        parent_id: u.parent_id,
        kind: u.kind,
        level: u.level,
    }
}

/// The plain reads and writes a change needs, run on the transaction's
/// connection. Each backend implements them with the SQL above.
#[async_trait]
pub(crate) trait TreeTx: Send {
    /// The `units` row, if any.
    async fn unit(&mut self, id: i64) -> ServiceResult<Option<Unit>>;
    /// A unit's versions, oldest first.
    async fn versions(&mut self, id: i64) -> ServiceResult<Vec<UnitVersion>>;
    /// `(id, code)` of children with a version in force on or after `from`.
    async fn live_children(&mut self, id: i64, from: Date) -> ServiceResult<Vec<(i64, String)>>;
    /// Units other than `except` holding `code` between `from` and `to`.
    async fn code_holders(
        &mut self,
        code: &str,
        except: i64,
        from: Date,
        to: Option<Date>,
    ) -> ServiceResult<Vec<i64>>;
    /// Ids under `root` (itself first) along the versions in force on `on`.
    async fn subtree_on(&mut self, root: i64, on: Date) -> ServiceResult<Vec<i64>>;
    /// Ids under `root` (itself first) along the `units` rows.
    async fn subtree_latest(&mut self, root: i64) -> ServiceResult<Vec<i64>>;
    /// Sets the last day of the version starting `valid_from`.
    async fn set_version_end(
        &mut self,
        unit_id: i64,
        valid_from: Date,
        valid_to: Option<Date>,
    ) -> ServiceResult<()>;
    /// Adds a version.
    async fn insert_version(&mut self, v: &UnitVersion) -> ServiceResult<()>;
    /// Writes the `units` row's code, name, level, parent and last day.
    async fn update_unit(&mut self, u: &Unit) -> ServiceResult<()>;
    /// Adds a `units` row (not its version) and returns its id.
    async fn insert_unit_row(&mut self, u: &NewUnit) -> ServiceResult<i64>;
    /// Adds a succession link.
    async fn insert_succession(&mut self, s: &Succession) -> ServiceResult<()>;
    /// Appends the change's audit entry.
    async fn append(
        &mut self,
        ctx: &AuditContext,
        action: &str,
        subject: &str,
        detail: &Value,
    ) -> ServiceResult<()>;
}

/// A unit with its versions, as a change finds it.
struct Current {
    unit: Unit,
    latest: UnitVersion,
}

async fn current<T: TreeTx + ?Sized>(tx: &mut T, id: i64) -> ServiceResult<Current> {
    let unit = tx
        .unit(id)
        .await?
        .ok_or_else(|| ServiceError::not_found("unit", id.to_string()))?;
    let latest = tx
        .versions(id)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::Internal(format!("unit {} has no version", unit.code)))?;
    Ok(Current { unit, latest })
}

/// The last day of a version that a change starting `effective` closes.
fn day_before(effective: Date) -> ServiceResult<Date> {
    effective
        .yesterday()
        .map_err(|e| ServiceError::invalid("effective", e.to_string()))
}

/// A change starts after the unit's latest version does, and not after the
/// unit has ended.
fn check_effective(c: &Current, effective: Date) -> ServiceResult<()> {
    if effective <= c.latest.valid_from {
        return Err(ServiceError::invalid(
            "effective",
            format!(
                "{effective} is not after {}, when the current version of unit {} starts",
                c.latest.valid_from, c.unit.code
            ),
        ));
    }
    if let Some(end) = c.latest.valid_to
        && effective > end
    {
        return Err(ServiceError::Conflict(format!(
            "unit {} ended on {end}",
            c.unit.code
        )));
    }
    Ok(())
}

/// A unit that ends the day before `effective` must not leave children in
/// force from that day (units in `ending` end with it and do not count).
async fn check_no_children<T: TreeTx + ?Sized>(
    tx: &mut T,
    c: &Current,
    effective: Date,
    ending: &[i64],
) -> ServiceResult<()> {
    let children = tx.live_children(c.unit.id, effective).await?;
    if let Some((_, code)) = children.iter().find(|(id, _)| !ending.contains(id)) {
        return Err(ServiceError::Conflict(format!(
            "unit {} still has unit {code} under it on or after {effective}; move, merge or abolish it first",
            c.unit.code
        )));
    }
    Ok(())
}

/// No other unit holds `code` on a day from `from` to `to`.
async fn check_code_free<T: TreeTx + ?Sized>(
    tx: &mut T,
    code: &UnitCode,
    except: i64,
    from: Date,
    to: Option<Date>,
) -> ServiceResult<()> {
    if tx
        .code_holders(code.as_str(), except, from, to)
        .await?
        .is_empty()
    {
        Ok(())
    } else {
        Err(ServiceError::Conflict(format!(
            "a unit with code {code} already exists"
        )))
    }
}

/// Whether a unit has a version in force on `on`.
async fn exists_on<T: TreeTx + ?Sized>(tx: &mut T, id: i64, on: Date) -> ServiceResult<bool> {
    Ok(tx
        .versions(id)
        .await?
        .iter()
        .any(|v| v.valid_from <= on && v.valid_to.is_none_or(|to| to >= on)))
}

/// A parent for a unit in force from `from` (to `to`): it exists that day,
/// does not end while the unit continues, and is not among `ending`.
async fn check_parent<T: TreeTx + ?Sized>(
    tx: &mut T,
    parent: i64,
    from: Date,
    to: Option<Date>,
    ending: &[i64],
) -> ServiceResult<Unit> {
    let p = tx
        .unit(parent)
        .await?
        .ok_or_else(|| ServiceError::invalid("parent_id", format!("no unit with id {parent}")))?;
    if ending.contains(&parent) || !exists_on(tx, parent, from).await? {
        return Err(ServiceError::invalid(
            "parent_id",
            format!("unit {} does not exist on {from}", p.code),
        ));
    }
    if let Some(end) = p.valid_to
        && to.is_none_or(|to| to > end)
    {
        return Err(ServiceError::invalid(
            "parent_id",
            format!("unit {} ends on {end}, before the unit under it", p.code),
        ));
    }
    Ok(p)
}

/// Closes a unit's latest version the day before `effective` and opens the
/// next one; the `units` row follows the new version.
async fn next_version<T: TreeTx + ?Sized>(
    tx: &mut T,
    c: &Current,
    next: UnitVersion,
) -> ServiceResult<Unit> {
    tx.set_version_end(
        c.unit.id,
        c.latest.valid_from,
        Some(day_before(next.valid_from)?),
    )
    .await?;
    tx.insert_version(&next).await?;
    let unit = Unit {
        code: next.code.clone(),
        name: next.name.clone(),
        level: next.level,
        parent_id: next.parent_id,
        ..c.unit.clone()
    };
    tx.update_unit(&unit).await?;
    Ok(unit)
}

/// Ends a unit the day before `effective`.
async fn end_unit<T: TreeTx + ?Sized>(
    tx: &mut T,
    c: &Current,
    effective: Date,
) -> ServiceResult<Unit> {
    let last = day_before(effective)?;
    tx.set_version_end(c.unit.id, c.latest.valid_from, Some(last))
        .await?;
    let unit = Unit {
        valid_to: Some(last),
        ..c.unit.clone()
    };
    tx.update_unit(&unit).await?;
    Ok(unit)
}

/// Adds a unit created by a merge or split, from `effective`, with its first
/// version. The caller has checked its code and parent.
async fn create_unit<T: TreeTx + ?Sized>(tx: &mut T, u: &NewUnit) -> ServiceResult<Unit> {
    let id = tx.insert_unit_row(u).await?;
    tx.insert_version(&first_version(id, u)).await?;
    Ok(crate::unit_from_new(id, u))
}

/// A unit that a merge or split creates, checked: a name, dates in order,
/// its code free from `effective`, its parent there.
async fn check_new_unit<T: TreeTx + ?Sized>(
    tx: &mut T,
    u: &NewUnit,
    effective: Date,
    ending: &[i64],
) -> ServiceResult<NewUnit> {
    let name = u.name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "a unit needs a name"));
    }
    if let Some(to) = u.valid_to
        && to < effective
    {
        return Err(ServiceError::invalid(
            "valid_to",
            format!("{to} is before {effective}, when the unit starts"),
        ));
    }
    check_code_free(tx, &u.code, -1, effective, u.valid_to).await?;
    if let Some(p) = u.parent_id {
        check_parent(tx, p, effective, u.valid_to, ending).await?;
    }
    Ok(NewUnit {
        name: name.to_owned(),
        valid_from: effective,
        ..u.clone()
    })
}

fn unit_ref(u: &Unit) -> Value {
    json!({ "id": u.id, "code": u.code.as_str() })
}

/// Applies a change inside the caller's write transaction; any refusal
/// returns before the first write, and the caller's rollback undoes a failure
/// after it.
pub(crate) async fn apply<T: TreeTx + ?Sized>(
    tx: &mut T,
    ctx: &AuditContext,
    change: &UnitChange,
) -> ServiceResult<Vec<Unit>> {
    audit::check_context(ctx)?;
    match change {
        UnitChange::Rename {
            unit_id,
            name,
            code,
            effective,
        } => {
            rename(
                tx,
                ctx,
                *unit_id,
                name.as_deref(),
                code.as_ref(),
                *effective,
            )
            .await
        }
        UnitChange::Move {
            unit_id,
            parent_id,
            level,
            effective,
        } => move_unit(tx, ctx, *unit_id, *parent_id, *level, *effective).await,
        UnitChange::Abolish { unit_id, effective } => abolish(tx, ctx, *unit_id, *effective).await,
        UnitChange::Merge {
            sources,
            target,
            effective,
        } => merge(tx, ctx, sources, target, *effective).await,
        UnitChange::Split {
            source,
            into,
            effective,
        } => split(tx, ctx, *source, into, *effective).await,
    }
}

async fn rename<T: TreeTx + ?Sized>(
    tx: &mut T,
    ctx: &AuditContext,
    unit_id: i64,
    name: Option<&str>,
    code: Option<&UnitCode>,
    effective: Date,
) -> ServiceResult<Vec<Unit>> {
    if name.is_none() && code.is_none() {
        return Err(ServiceError::invalid(
            "name",
            "give a new name or a new code",
        ));
    }
    let name = name.map(str::trim);
    if name.is_some_and(str::is_empty) {
        return Err(ServiceError::invalid("name", "a unit needs a name"));
    }
    let c = current(tx, unit_id).await?;
    check_effective(&c, effective)?;
    let next = UnitVersion {
        valid_from: effective,
        code: code.cloned().unwrap_or_else(|| c.latest.code.clone()),
        name: name.map_or_else(|| c.latest.name.clone(), str::to_owned),
        ..c.latest.clone()
    };
    if next.code != c.latest.code {
        check_code_free(tx, &next.code, unit_id, effective, next.valid_to).await?;
    }
    let unit = next_version(tx, &c, next).await?;
    let detail = json!({
        "id": unit_id,
        "effective": day_text(effective),
        "from": { "code": c.latest.code.as_str(), "name": c.latest.name },
        "to": { "code": unit.code.as_str(), "name": unit.name },
    });
    tx.append(
        ctx,
        audit::UNIT_RENAME,
        &audit::unit_subject(unit.code.as_str()),
        &detail,
    )
    .await?;
    Ok(vec![unit])
}

async fn move_unit<T: TreeTx + ?Sized>(
    tx: &mut T,
    ctx: &AuditContext,
    unit_id: i64,
    parent_id: Option<i64>,
    level: Option<Level>,
    effective: Date,
) -> ServiceResult<Vec<Unit>> {
    let c = current(tx, unit_id).await?;
    check_effective(&c, effective)?;
    if let Some(p) = parent_id {
        if p == unit_id {
            return Err(ServiceError::invalid(
                "parent_id",
                format!("unit {} cannot be its own parent", c.unit.code),
            ));
        }
        let parent = tx
            .unit(p)
            .await?
            .ok_or_else(|| ServiceError::not_found("unit", p.to_string()))?;
        if tx.subtree_on(unit_id, effective).await?.contains(&p)
            || tx.subtree_latest(unit_id).await?.contains(&p)
        {
            return Err(ServiceError::invalid(
                "parent_id",
                format!(
                    "unit {} is below unit {}, so it cannot become its parent",
                    parent.code, c.unit.code
                ),
            ));
        }
        check_parent(tx, p, effective, c.latest.valid_to, &[]).await?;
    }
    let level = level.unwrap_or(c.latest.level);
    if parent_id == c.latest.parent_id && level == c.latest.level {
        return Err(ServiceError::invalid(
            "parent_id",
            format!("unit {} is already there", c.unit.code),
        ));
    }
    let next = UnitVersion {
        valid_from: effective,
        parent_id,
        level,
        ..c.latest.clone()
    };
    let unit = next_version(tx, &c, next).await?;
    let detail = json!({
        "id": unit_id,
        "effective": day_text(effective),
        "from": { "parent_id": c.latest.parent_id, "level": c.latest.level.as_str() },
        "to": { "parent_id": parent_id, "level": level.as_str() },
    });
    tx.append(
        ctx,
        audit::UNIT_MOVE,
        &audit::unit_subject(unit.code.as_str()),
        &detail,
    )
    .await?;
    Ok(vec![unit])
}

async fn abolish<T: TreeTx + ?Sized>(
    tx: &mut T,
    ctx: &AuditContext,
    unit_id: i64,
    effective: Date,
) -> ServiceResult<Vec<Unit>> {
    let c = current(tx, unit_id).await?;
    check_effective(&c, effective)?;
    check_no_children(tx, &c, effective, &[]).await?;
    let unit = end_unit(tx, &c, effective).await?;
    let detail = json!({
        "id": unit_id,
        "effective": day_text(effective),
        "valid_to": unit.valid_to.map(day_text),
    });
    tx.append(
        ctx,
        audit::UNIT_ABOLISH,
        &audit::unit_subject(unit.code.as_str()),
        &detail,
    )
    .await?;
    Ok(vec![unit])
}

async fn merge<T: TreeTx + ?Sized>(
    tx: &mut T,
    ctx: &AuditContext,
    sources: &[i64],
    target: &MergeTarget,
    effective: Date,
) -> ServiceResult<Vec<Unit>> {
    if sources.is_empty() {
        return Err(ServiceError::invalid(
            "sources",
            "name at least one unit to merge",
        ));
    }
    if let Some((i, id)) = sources
        .iter()
        .enumerate()
        .find(|(i, id)| sources[..*i].contains(id))
    {
        return Err(ServiceError::invalid(
            format!("sources[{i}]"),
            format!("unit {id} is named twice"),
        ));
    }
    let mut ending = Vec::with_capacity(sources.len());
    for id in sources {
        ending.push(current(tx, *id).await?);
    }
    for c in &ending {
        check_effective(c, effective)?;
    }
    for c in &ending {
        check_no_children(tx, c, effective, sources).await?;
    }
    let checked_new = match target {
        MergeTarget::Existing(t) => {
            if sources.contains(t) {
                return Err(ServiceError::invalid(
                    "target",
                    format!("unit {t} cannot merge into itself"),
                ));
            }
            let c = current(tx, *t).await?;
            if !exists_on(tx, *t, effective).await? {
                return Err(ServiceError::invalid(
                    "target",
                    format!("unit {} does not exist on {effective}", c.unit.code),
                ));
            }
            None
        }
        MergeTarget::New(u) => Some(check_new_unit(tx, u, effective, sources).await?),
    };

    let mut changed = Vec::with_capacity(sources.len() + 1);
    for c in &ending {
        changed.push(end_unit(tx, c, effective).await?);
    }
    let target_unit = match (target, &checked_new) {
        (_, Some(u)) => create_unit(tx, u).await?,
        (MergeTarget::Existing(t), None) => current(tx, *t).await?.unit,
        (MergeTarget::New(_), None) => {
            return Err(ServiceError::Internal("merge target not checked".into()));
        }
    };
    for c in &ending {
        tx.insert_succession(&Succession {
            predecessor_id: c.unit.id,
            successor_id: target_unit.id,
            kind: SuccessionKind::Merge,
            effective,
        })
        .await?;
    }
    let detail = json!({
        "effective": day_text(effective),
        "sources": changed.iter().map(unit_ref).collect::<Vec<_>>(),
        "target": unit_ref(&target_unit),
        "created": checked_new.as_ref().map(|u| audit::unit_detail(target_unit.id, u)),
    });
    tx.append(
        ctx,
        audit::UNIT_MERGE,
        &audit::unit_subject(target_unit.code.as_str()),
        &detail,
    )
    .await?;
    changed.push(target_unit);
    Ok(changed)
}

async fn split<T: TreeTx + ?Sized>(
    tx: &mut T,
    ctx: &AuditContext,
    source: i64,
    into: &[NewUnit],
    effective: Date,
) -> ServiceResult<Vec<Unit>> {
    if into.is_empty() {
        return Err(ServiceError::invalid(
            "into",
            "name the units the split creates",
        ));
    }
    let c = current(tx, source).await?;
    check_effective(&c, effective)?;
    check_no_children(tx, &c, effective, &[]).await?;
    let mut checked = Vec::with_capacity(into.len());
    for (i, u) in into.iter().enumerate() {
        if into[..i].iter().any(|o| o.code == u.code) {
            return Err(ServiceError::Conflict(format!(
                "the split creates two units with code {}",
                u.code
            )));
        }
        checked.push(check_new_unit(tx, u, effective, &[source]).await?);
    }

    let ended = end_unit(tx, &c, effective).await?;
    let mut created = Vec::with_capacity(checked.len());
    for u in &checked {
        let unit = create_unit(tx, u).await?;
        tx.insert_succession(&Succession {
            predecessor_id: source,
            successor_id: unit.id,
            kind: SuccessionKind::Split,
            effective,
        })
        .await?;
        created.push(unit);
    }
    let detail = json!({
        "effective": day_text(effective),
        "source": unit_ref(&ended),
        "into": created
            .iter()
            .zip(&checked)
            .map(|(unit, u)| audit::unit_detail(unit.id, u))
            .collect::<Vec<_>>(),
    });
    tx.append(
        ctx,
        audit::UNIT_SPLIT,
        &audit::unit_subject(ended.code.as_str()),
        &detail,
    )
    .await?;
    let mut out = vec![ended];
    out.extend(created);
    Ok(out)
}

/// What a failed write of a change means: a code taken concurrently (the
/// checks ran under the tree lock, so this is a backstop) or a unit that
/// vanished.
pub(crate) fn explain_tree_write(b: &Broken, code: &str) -> Option<ServiceError> {
    match b {
        Broken::Unique(n) if n == "units_code_key" => Some(ServiceError::Conflict(format!(
            "a unit with code {code} already exists"
        ))),
        Broken::Unique(n) if n.starts_with("unit_versions") => Some(ServiceError::Conflict(
            format!("unit {code} already has a version starting that day"),
        )),
        Broken::ForeignKey(_) => Some(ServiceError::invalid(
            "parent_id",
            "the parent unit does not exist",
        )),
        _ => None,
    }
}
