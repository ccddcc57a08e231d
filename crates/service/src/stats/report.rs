//! The dossier report (issue 17; form 06/VPCP/KSTT and §9's figures):
//! a unit's subtree as it stood during the period, its counters' levels at
//! the end of the day before the period and at the period's end, grouped by
//! the breakdown asked for. Reports read only the statistics layer.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::catalog::OnlineLevel;
use motcua_domain::dossier::Channel;
use motcua_domain::stats::{Breakdown, Figures, Period};
use motcua_domain::unit::{Level, UnitCode};
use serde::Serialize;

use crate::access::{Actor, Permission, deny};
use crate::error::{ServiceError, ServiceResult};
use crate::store::{CodePage, ProcedureFilter, StatLevels, Store, UnitVersion};

/// What a report is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// The unit's code: its subtree is counted.
    pub unit: String,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// How rows are grouped.
    pub by: Breakdown,
}

/// One row: a group and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// Unit code, procedure code, sector name, level, channel or `YYYY-MM`.
    pub key: String,
    /// What the key names, in Vietnamese.
    pub label: String,
    /// For the sector breakdown within levels: the level's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// A report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The unit's code.
    pub unit: String,
    /// Its name as it stood at the period's end.
    pub unit_name: String,
    /// The period.
    pub from: Date,
    /// The period.
    pub to: Date,
    /// The breakdown.
    pub by: Breakdown,
    /// Rows in key order (months in time order).
    pub rows: Vec<ReportRow>,
    /// The total over the subtree.
    pub total: Figures,
    /// Form 06's rows: sectors within levels (`level` set), whatever the
    /// breakdown.
    pub sectors_by_level: Vec<ReportRow>,
    /// The unit's parent as the tree stood (the governing body a form names).
    #[serde(skip)]
    pub parent_id: Option<i64>,
    /// The day whose tree the rows follow: the lists behind the rows of
    /// the root itself and of a level ask for the same tree ([`row_units`]).
    #[serde(skip)]
    pub tree_on: Date,
}

/// What a counter group is, for grouping.
struct GroupInfo {
    /// The procedures: code, name, sector, online level.
    procedures: HashMap<i64, (String, String, String, OnlineLevel)>,
    /// Leaf unit → (the root's child holding it, its level).
    units: HashMap<i64, (i64, Level)>,
    /// The distinct (root's child, level) pairs of `units`: the labels the
    /// database sums the leaves under (a key's `unit_id` is an index here).
    labels: Vec<(i64, Level)>,
    /// The root's children (and the root) by id: code and name.
    names: HashMap<i64, (UnitCode, String)>,
    /// The root's parent.
    parent: Option<i64>,
}

/// Runs a report. The actor needs `ViewStatistics` on the unit (a grant
/// on it or above it); periods and breakdowns are checked first, each error
/// naming its parameter.
pub async fn dossier_report(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    q: &ReportQuery,
) -> ServiceResult<Report> {
    let period = Period::new(q.from, q.to)?;
    let code =
        UnitCode::parse(q.unit.trim()).map_err(|e| ServiceError::invalid("unit", e.to_string()))?;
    let unit = match store.unit_by_code(&code).await {
        Ok(u) => u,
        Err(ServiceError::NotFound { .. }) => {
            return Err(ServiceError::invalid(
                "unit",
                format!("no unit with code {code}"),
            ));
        }
        Err(e) => return Err(e),
    };
    if !actor.may(Permission::ViewStatistics, unit.id) {
        return deny(
            store,
            actor,
            now,
            Permission::ViewStatistics,
            &format!("unit:{}", unit.id),
        )
        .await;
    }
    // The tree as it stood at the period's end, or on the unit's last day
    // when it ended before.
    // A unit created after the period (a commune of the 2025 reform) holds
    // its predecessors' history: its tree is read on its first day.
    let on = match unit.valid_to {
        Some(end) if end < period.to => end.max(period.from),
        _ => period.to,
    }
    .max(unit.valid_from);
    let info = group_info(store, unit.id, on).await?;
    let map = info.label_map();
    let before = store.stat_levels(&map, period.day_before()).await?;
    let end = store.stat_levels(&map, period.to).await?;
    // The whole period: the total and form 06's sectors within levels.
    let mut total = Figures::default();
    let mut sectors: BTreeMap<(u8, String), (String, Figures)> = BTreeMap::new();
    for (key, f) in group_figures(&info, &before, &end) {
        total.add(&f);
        let (sector, _, level) = group_of(&info, Breakdown::Sector, &key, &period);
        let level = level.unwrap_or_default();
        sectors
            .entry((level_rank(Some(&level)), sector))
            .or_insert_with(|| (level, Figures::default()))
            .1
            .add(&f);
    }
    let mut rows: BTreeMap<String, ReportRow> = BTreeMap::new();
    if q.by == Breakdown::Month {
        let mut start = before;
        for m in period.months() {
            let close = if m.to == period.to {
                end.clone()
            } else {
                store.stat_levels(&map, m.to).await?
            };
            for (key, f) in group_figures(&info, &start, &close) {
                let (k, label, _) = group_of(&info, q.by, &key, &m);
                add_row(&mut rows, k, label, None, &f);
            }
            start = close;
        }
    } else {
        for (key, f) in group_figures(&info, &before, &end) {
            let (k, label, _) = group_of(&info, q.by, &key, &period);
            add_row(&mut rows, k, label, None, &f);
        }
    }
    let unit_name = info
        .names
        .get(&unit.id)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| unit.name.clone());
    let mut rows: Vec<ReportRow> = rows.into_values().collect();
    if q.by == Breakdown::Level {
        rows.sort_by_key(|r| level_rank(Some(&r.key)));
    }
    let form = sectors
        .into_iter()
        .map(|((_, sector), (level, figures))| ReportRow {
            key: sector.clone(),
            label: sector,
            level: Some(level),
            figures,
        })
        .collect();
    Ok(Report {
        unit: unit.code.to_string(),
        unit_name,
        parent_id: info.parent,
        from: period.from,
        to: period.to,
        by: q.by,
        rows,
        total,
        sectors_by_level: form,
        tree_on: on,
    })
}

/// The part of a report's subtree one of its rows counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPart {
    /// The root's own row: the root and the units counted under it rather
    /// than under one of its children (its predecessors).
    Own,
    /// A level's row: the units of that level, as the tree stood.
    Level(Level),
    /// The whole subtree as the report groups it: the total, or a child's
    /// row (asked with the child as the root).
    All,
}

/// The receiving units whose dossiers a report row of `root`'s subtree
/// counts, grouped as the report groups them on the tree of `on` (the
/// report's [`Report::tree_on`]): the dossier list behind the row asks for
/// exactly these.
pub(crate) async fn row_units(
    store: &dyn Store,
    root: i64,
    on: Date,
    part: RowPart,
) -> ServiceResult<Vec<i64>> {
    let info = group_info(store, root, on).await?;
    let mut ids: Vec<i64> = info
        .units
        .iter()
        .filter(|(_, (child, level))| match part {
            RowPart::Own => *child == root,
            RowPart::Level(l) => *level == l,
            RowPart::All => true,
        })
        .map(|(id, _)| *id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// The procedures a report's row of `sector` counts: those whose latest
/// version is in that field, as reports group them.
pub(crate) async fn sector_procedures(store: &dyn Store, sector: &str) -> ServiceResult<Vec<i64>> {
    let mut ids: Vec<i64> = procedures(store)
        .await?
        .into_iter()
        .filter(|(_, p)| p.2 == sector)
        .map(|(id, _)| id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// The fields (lĩnh vực) of the catalog's procedures, sorted, each once.
pub(crate) async fn catalog_sectors(store: &dyn Store) -> ServiceResult<Vec<String>> {
    let mut out: Vec<String> = procedures(store)
        .await?
        .into_values()
        .map(|p| p.2)
        .filter(|s| !s.trim().is_empty())
        .collect();
    // In Vietnamese order (Đ with D), as a reader looks for a field.
    out.sort_by_cached_key(|s| (motcua_domain::search::fold_vi(s), s.clone()));
    out.dedup();
    Ok(out)
}

/// Every procedure by id: code, name, sector and online level of its
/// latest version.
async fn procedures(
    store: &dyn Store,
) -> ServiceResult<HashMap<i64, (String, String, String, OnlineLevel)>> {
    let mut procedures = HashMap::new();
    let mut page = CodePage {
        after: None,
        limit: 500,
    };
    loop {
        let list = store
            .list_procedures(&ProcedureFilter::default(), &page)
            .await?;
        for p in &list {
            procedures.insert(
                p.procedure_id,
                (
                    p.draft.code.to_string(),
                    p.draft.name.clone(),
                    p.draft.field.clone(),
                    p.draft.online_level,
                ),
            );
        }
        match list.last() {
            Some(last) if list.len() == 500 => page.after = Some(last.draft.code.to_string()),
            _ => break,
        }
    }
    Ok(procedures)
}

/// The flows of receiving units over a period, every group summed: what
/// was received (by channel) and resolved (by classification and outcome).
/// The home dashboard's month needs nothing else, and this keeps it cheap
/// for a whole province: no level before the period, sums per channel in
/// the database, and a period that runs to `today` or later is read up to
/// the end of its last month, one bucket per group rather than a row per
/// day. Flows never change on a day still to come (only the overdue state
/// is foreseen), so the days after today add nothing. The states (carried
/// over, in progress and the like) are left at zero; no unit means every
/// unit.
pub(crate) async fn flows_of(
    store: &dyn Store,
    unit_ids: &[i64],
    period: &Period,
    today: Date,
) -> ServiceResult<Figures> {
    let to = if period.to >= today {
        period.to.last_of_month()
    } else {
        period.to
    };
    let zero = motcua_domain::stats::Counts::default();
    let mut total = Figures::default();
    for change in store
        .stat_flows_by_channel(unit_ids, period.from, to)
        .await?
    {
        total.add_group(change.key.channel, OnlineLevel::None, &zero, &change.counts);
    }
    Ok(Figures {
        carried_over: 0,
        in_progress: 0,
        within_limit: 0,
        overdue: 0,
        awaiting_applicant: 0,
        done_not_collected: 0,
        ..total
    })
}

/// Each group's figures from its levels before and at the end of a
/// period; groups with nothing to show are left out.
fn group_figures(
    info: &GroupInfo,
    before: &[StatLevels],
    end: &[StatLevels],
) -> Vec<(crate::store::StatKey, Figures)> {
    let starts: HashMap<_, _> = before.iter().map(|l| (l.key, l.counts)).collect();
    let ends: HashMap<_, _> = end.iter().map(|l| (l.key, l.counts)).collect();
    let mut keys: Vec<_> = starts.keys().chain(ends.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let online = info
                .procedures
                .get(&key.procedure_id)
                .map_or(OnlineLevel::None, |p| p.3);
            let mut f = Figures::default();
            f.add_group(
                key.channel,
                online,
                &starts.get(&key).copied().unwrap_or_default(),
                &ends.get(&key).copied().unwrap_or_default(),
            );
            (f != Figures::default()).then_some((key, f))
        })
        .collect()
}

fn add_row(
    rows: &mut BTreeMap<String, ReportRow>,
    key: String,
    label: String,
    level: Option<String>,
    f: &Figures,
) {
    rows.entry(key.clone())
        .or_insert_with(|| ReportRow {
            key,
            label,
            level,
            figures: Figures::default(),
        })
        .figures
        .add(f);
}

fn level_rank(level: Option<&str>) -> u8 {
    match level {
        Some("central") => 0,
        Some("province") => 1,
        Some("district") => 2,
        Some("commune") => 3,
        _ => 4,
    }
}

/// The Vietnamese name of a level.
pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Central => "Cấp trung ương",
        Level::Province => "Cấp tỉnh",
        Level::District => "Cấp huyện",
        Level::Commune => "Cấp xã",
    }
}

/// The Vietnamese name of a channel.
pub fn channel_label(c: Channel) -> &'static str {
    match c {
        Channel::InPerson => "Trực tiếp",
        Channel::Online => "Trực tuyến",
        Channel::Postal => "Qua dịch vụ bưu chính",
    }
}

impl GroupInfo {
    /// Each leaf unit with the index of its label in `labels`.
    fn label_map(&self) -> Vec<(i64, i64)> {
        let index: HashMap<(i64, Level), i64> = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (*l, i as i64))
            .collect();
        self.units
            .iter()
            .filter_map(|(id, l)| index.get(l).map(|i| (*id, *i)))
            .collect()
    }

    /// The root's child and level a summed key's label stands for.
    fn label(&self, key: &crate::store::StatKey) -> Option<(i64, Level)> {
        usize::try_from(key.unit_id)
            .ok()
            .and_then(|i| self.labels.get(i))
            .copied()
    }
}

fn group_of(
    info: &GroupInfo,
    by: Breakdown,
    key: &crate::store::StatKey,
    month: &Period,
) -> (String, String, Option<String>) {
    let procedure = info.procedures.get(&key.procedure_id);
    let unknown = || ("?".to_owned(), "(không rõ)".to_owned());
    match by {
        Breakdown::Unit => {
            let child = info.label(key).map(|(c, _)| c);
            match child.and_then(|c| info.names.get(&c)) {
                Some((code, name)) => (code.to_string(), name.clone(), None),
                None => {
                    let (k, l) = unknown();
                    (k, l, None)
                }
            }
        }
        Breakdown::Procedure => match procedure {
            Some((code, name, _, _)) => (code.clone(), name.clone(), None),
            None => {
                let (k, l) = unknown();
                (k, l, None)
            }
        },
        Breakdown::Sector | Breakdown::Level => {
            let sector = procedure
                .map(|p| p.2.clone())
                .unwrap_or_else(|| "(không rõ)".to_owned());
            let level = info.label(key).map(|(_, l)| l);
            if by == Breakdown::Level {
                let key = level.map_or("?", Level::as_str).to_owned();
                let label = level.map_or("(không rõ)", level_label).to_owned();
                return (key, label, None);
            }
            (sector.clone(), sector, level.map(|l| l.as_str().to_owned()))
        }
        Breakdown::Channel => (
            key.channel.as_str().to_owned(),
            channel_label(key.channel).to_owned(),
            None,
        ),
        Breakdown::Month => {
            let k = format!("{:04}-{:02}", month.from.year(), month.from.month());
            let label = format!("Tháng {:02}/{:04}", month.from.month(), month.from.year());
            (k, label, None)
        }
    }
}

/// The units counted under `root` as the tree stood `on`, each with the
/// root's child it lies under; units that ended before `on` count under
/// their successors (the 2025 reform's abolished districts and merged
/// communes keep their history).
async fn group_info(store: &dyn Store, root: i64, on: Date) -> ServiceResult<GroupInfo> {
    let tree = store.units_on(on).await?;
    let by_id: HashMap<i64, &UnitVersion> = tree.iter().map(|u| (u.unit_id, u)).collect();
    let mut units = HashMap::new();
    let mut names = HashMap::new();
    for id in store.subtree_ids_on(root, on).await? {
        // Walk up to the root's child.
        let mut cur = id;
        let mut child = id;
        while cur != root {
            child = cur;
            match by_id.get(&cur).and_then(|u| u.parent_id) {
                Some(p) => cur = p,
                None => break,
            }
        }
        if let Some(v) = by_id.get(&child) {
            names.insert(child, (v.code.clone(), v.name.clone()));
        }
        let level = by_id.get(&id).map_or(Level::Commune, |u| u.level);
        units.insert(id, (child, level));
    }
    // Predecessors that ended before `on`, recursively, count under the
    // unit that carries on their work, with the units that hung under them
    // (an abolished district's communes).
    let successions = store.all_successions().await?;
    let all_units = store.list_units().await?;
    let mut queue: Vec<i64> = units.keys().copied().collect();
    while let Some(id) = queue.pop() {
        let Some(&(child, level)) = units.get(&id) else {
            continue;
        };
        for s in successions
            .iter()
            .filter(|s| s.successor_id == id && s.effective <= on)
        {
            if let std::collections::hash_map::Entry::Vacant(e) = units.entry(s.predecessor_id) {
                e.insert((child, level));
                queue.push(s.predecessor_id);
            }
        }
        if !by_id.contains_key(&id) {
            for u in all_units.iter().filter(|u| u.parent_id == Some(id)) {
                if !units.contains_key(&u.id) && !by_id.contains_key(&u.id) {
                    units.insert(u.id, (child, level));
                    queue.push(u.id);
                }
            }
        }
    }
    let mut labels: Vec<(i64, Level)> = units.values().copied().collect();
    labels.sort_unstable_by_key(|(c, l)| (*c, l.as_str()));
    labels.dedup();
    let parent = by_id.get(&root).and_then(|v| v.parent_id);
    if let Some(v) = by_id.get(&root) {
        names.insert(root, (v.code.clone(), v.name.clone()));
    }
    let procedures = procedures(store).await?;
    Ok(GroupInfo {
        procedures,
        units,
        labels,
        names,
        parent,
    })
}

impl crate::services::Stats<'_> {
    /// Runs a report. The actor needs `ViewStatistics` on the unit (a grant
    /// on it or above it); periods and breakdowns are checked first, each error
    /// naming its parameter.
    pub async fn dossier_report(&self, actor: &Actor, q: &ReportQuery) -> ServiceResult<Report> {
        self::dossier_report(self.store(), actor, self.now(), q).await
    }

    /// The fields (lĩnh vực) of the catalog's procedures, sorted, each once.
    pub async fn catalog_sectors(&self) -> ServiceResult<Vec<String>> {
        self::catalog_sectors(self.store()).await
    }
}
