//! `motcua unit import FILE`: a province's unit tree from CSV or XLSX
//! (docs/import/units.csv is an example), so that a fresh install needs no
//! signed-in user and no unit added by hand.
//!
//! Every row is checked first (its cells, its code against the earlier rows
//! and the database, its parent); any problem means nothing is written, and
//! every problem is reported with its row and column like the procedure and
//! dossier imports. The units then go to storage in one transaction, in the
//! file's order, so a parent must come before its children or already exist.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::catalog::text::normalize;
use motcua_domain::catalog::text::template::column_letter;
use motcua_domain::role::Role;
use motcua_domain::unit::{Level, UnitCode, UnitKind};

use crate::access::{Actor, Permission, deny, require};
use crate::catalog::import::Issues;
use crate::catalog::{FileFormat, ImportErrors, ImportIssue};
use crate::dossiers::import::file::{self, Cell, Row};
use crate::error::ServiceError;
use crate::procedures::ImportFailure;
use crate::store::{NewUnit, NewUnitUnder, Store, Unit};
use crate::units::default_level;

/// The most units a file may hold: a province has a few thousand.
pub const MAX_UNITS: usize = 20_000;

/// The template's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Code,
    Name,
    Kind,
    Level,
    Parent,
    ValidFrom,
    ValidTo,
}

impl Col {
    const ALL: [Col; 7] = [
        Col::Code,
        Col::Name,
        Col::Kind,
        Col::Level,
        Col::Parent,
        Col::ValidFrom,
        Col::ValidTo,
    ];

    /// The header in the template, and the English alias also accepted.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Col::Code => ("Mã đơn vị", "code"),
            Col::Name => ("Tên đơn vị", "name"),
            Col::Kind => ("Loại", "kind"),
            Col::Level => ("Cấp", "level"),
            Col::Parent => ("Mã đơn vị cấp trên", "parent"),
            Col::ValidFrom => ("Hiệu lực từ", "valid_from"),
            Col::ValidTo => ("Hiệu lực đến", "valid_to"),
        }
    }

    fn required(self) -> bool {
        matches!(self, Col::Code | Col::Name | Col::Kind | Col::ValidFrom)
    }

    fn find(header: &str) -> Option<Col> {
        let h = normalize(header).trim().to_lowercase();
        Col::ALL.into_iter().find(|c| {
            let (vi, en) = c.names();
            h == vi.to_lowercase() || h == en
        })
    }
}

/// Which file column holds which template column.
#[derive(Default)]
struct Layout {
    columns: HashMap<Col, usize>,
    headers: HashMap<usize, String>,
}

impl Layout {
    fn read(header: &Row, issues: &mut Issues) -> Layout {
        let mut layout = Layout::default();
        for (index, cell) in &header.cells {
            let Cell::Text(text) = cell else { continue };
            let text = normalize(text).trim().to_owned();
            layout.headers.insert(*index, text.clone());
            let at = |reason: String| {
                ImportIssue::new(
                    header.number,
                    Some(column_letter(*index)),
                    Some(text.clone()),
                    reason,
                )
            };
            match Col::find(&text) {
                None => issues.push(at(format!(
                    "unknown column; the template's columns are {}",
                    Col::ALL.map(|c| c.names().0).join(", ")
                ))),
                Some(c) if layout.columns.contains_key(&c) => {
                    issues.push(at(format!("{} is named twice", c.names().0)))
                }
                Some(c) => {
                    layout.columns.insert(c, *index);
                }
            }
        }
        for c in Col::ALL {
            if c.required() && !layout.columns.contains_key(&c) {
                issues.push(ImportIssue::new(
                    header.number,
                    None,
                    Some(c.names().0.to_owned()),
                    "required column is missing",
                ));
            }
        }
        layout
    }

    fn issue(&self, row: usize, c: Col, reason: impl Into<String>) -> ImportIssue {
        let index = self.columns.get(&c).copied();
        ImportIssue::new(
            row,
            index.map(column_letter),
            Some(
                index
                    .and_then(|i| self.headers.get(&i).cloned())
                    .unwrap_or_else(|| c.names().0.to_owned()),
            ),
            reason.into(),
        )
    }

    /// The cell's text, trimmed; `None` when blank.
    fn text(&self, row: &Row, c: Col) -> Result<Option<String>, String> {
        let Some(index) = self.columns.get(&c) else {
            return Ok(None);
        };
        let cell = row
            .cells
            .iter()
            .find(|(i, _)| i == index)
            .map(|(_, cell)| cell);
        let text = match cell {
            None => return Ok(None),
            Some(Cell::Text(s)) => normalize(s).trim().to_owned(),
            Some(Cell::Number(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Some(Cell::Number(f)) => f.to_string(),
            Some(Cell::Moment(m)) => m.date().to_string(),
            Some(Cell::Bool(b)) => b.to_string(),
            Some(Cell::Error(e)) => return Err(format!("the cell holds the error {e}")),
        };
        Ok(Some(text).filter(|t| !t.is_empty()))
    }
}

/// A date as `YYYY-MM-DD` or `dd/mm/yyyy`.
fn parse_date(s: &str) -> Result<Date, String> {
    let bad = || format!("'{s}' is not a date (YYYY-MM-DD or dd/mm/yyyy)");
    if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or_else(bad)?;
        let n = |t: &str| t.trim().parse::<i16>().map_err(|_| bad());
        let (y, m, d) = (n(y)?, n(m)?, n(d)?);
        return Date::new(
            y,
            i8::try_from(m).map_err(|_| bad())?,
            i8::try_from(d).map_err(|_| bad())?,
        )
        .map_err(|_| bad());
    }
    s.parse::<Date>().map_err(|_| bad())
}

/// Reads a unit tree file and adds every unit in it, or none. A system
/// actor (the command line) or a system administrator may add roots; others
/// need to manage units on each parent already in the database.
pub async fn import_file(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    bytes: &[u8],
    format: FileFormat,
) -> Result<Vec<Unit>, ImportFailure> {
    let mut issues = Issues::default();
    let all = file::read(bytes, format == FileFormat::Xlsx, &mut issues);
    if !issues.is_empty() {
        return Err(rejected(issues));
    }
    let Some((header, data)) = all.split_first() else {
        issues.file("the file is empty; the first row must be the template's header");
        return Err(rejected(issues));
    };
    let layout = Layout::read(header, &mut issues);
    if !issues.is_empty() {
        return Err(rejected(issues));
    }
    if data.is_empty() {
        issues.row(
            header.number,
            "no units: the file has a header and no rows under it",
        );
    }
    if data.len() > MAX_UNITS {
        issues.file(format!(
            "the file has more than {MAX_UNITS} units; split it"
        ));
        return Err(rejected(issues));
    }
    // Codes of the rows read so far, with their row and kind.
    let mut seen: HashMap<UnitCode, usize> = HashMap::new();
    let mut units = Vec::with_capacity(data.len());
    for row in data {
        if let Some(u) = check_row(store, actor, now, &layout, row, &seen, &mut issues).await? {
            seen.insert(u.unit.code.clone(), row.number);
            units.push(u);
        }
    }
    if !issues.is_empty() {
        return Err(rejected(issues));
    }
    Ok(store.insert_units(&actor.context(now), &units).await?)
}

fn rejected(issues: Issues) -> ImportFailure {
    ImportFailure::Rejected(ImportErrors(issues.into_list()))
}

/// One row as a unit to add, or its problems reported.
async fn check_row(
    store: &dyn Store,
    actor: &Actor,
    now: Timestamp,
    layout: &Layout,
    row: &Row,
    seen: &HashMap<UnitCode, usize>,
    issues: &mut Issues,
) -> Result<Option<NewUnitUnder>, ServiceError> {
    let n = row.number;
    let before = issues.len();
    let cell = |c: Col, issues: &mut Issues| -> Option<String> {
        match layout.text(row, c) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                if c.required() {
                    issues.push(layout.issue(n, c, "required cell is blank"));
                }
                None
            }
            Err(e) => {
                issues.push(layout.issue(n, c, e));
                None
            }
        }
    };
    let code = cell(Col::Code, issues).and_then(|t| match UnitCode::parse(&t) {
        Ok(code) => Some(code),
        Err(e) => {
            issues.push(layout.issue(n, Col::Code, e.to_string()));
            None
        }
    });
    let name = cell(Col::Name, issues);
    if let Some(name) = &name
        && name.chars().count() > 300
    {
        issues.push(layout.issue(n, Col::Name, "a unit name has at most 300 characters"));
    }
    let kind = cell(Col::Kind, issues).and_then(|t| match UnitKind::parse(&t) {
        Ok(k) => Some(k),
        Err(_) => {
            issues.push(layout.issue(
                n,
                Col::Kind,
                format!(
                    "'{t}' is not a unit kind; use one of {}",
                    UnitKind::ALL.map(UnitKind::as_str).join(", ")
                ),
            ));
            None
        }
    });
    let level = match cell(Col::Level, issues) {
        None => kind.map(default_level),
        Some(t) => match Level::parse(&t) {
            Ok(l) => Some(l),
            Err(_) => {
                issues.push(layout.issue(
                    n,
                    Col::Level,
                    format!(
                        "'{t}' is not a level; use one of {}",
                        Level::ALL.map(Level::as_str).join(", ")
                    ),
                ));
                None
            }
        },
    };
    let date = |c: Col, issues: &mut Issues| {
        cell(c, issues).and_then(|t| match parse_date(&t) {
            Ok(d) => Some(d),
            Err(e) => {
                issues.push(layout.issue(n, c, e));
                None
            }
        })
    };
    let valid_from = date(Col::ValidFrom, issues);
    let valid_to = date(Col::ValidTo, issues);
    if let (Some(from), Some(to)) = (valid_from, valid_to)
        && to < from
    {
        issues.push(layout.issue(n, Col::ValidTo, format!("{to} is before {from}")));
    }
    let parent_text = cell(Col::Parent, issues);
    let parent = match &parent_text {
        None => None,
        Some(t) => match UnitCode::parse(t) {
            Ok(p) => Some(p),
            Err(e) => {
                issues.push(layout.issue(n, Col::Parent, e.to_string()));
                return Ok(None);
            }
        },
    };
    if let Some(code) = &code {
        if let Some(first) = seen.get(code) {
            issues.push(layout.issue(n, Col::Code, format!("{code} is already on row {first}")));
        } else {
            match store.unit_by_code(code).await {
                Ok(_) => issues.push(layout.issue(
                    n,
                    Col::Code,
                    format!("a unit with code {code} already exists"),
                )),
                Err(ServiceError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    match &parent {
        None if kind == Some(UnitKind::Desk) => issues.push(layout.issue(
            n,
            Col::Parent,
            "a one-stop desk belongs to the unit that hosts it",
        )),
        // A root: the system or a system administrator only.
        None if !actor.holds(Role::SystemAdmin) => {
            deny::<()>(store, actor, now, Permission::ManageUnits, "root").await?;
        }
        None => {}
        Some(p) if seen.contains_key(p) => {}
        Some(p) => match store.unit_by_code(p).await {
            Ok(u) => require(store, actor, now, Permission::ManageUnits, u.id).await?,
            Err(ServiceError::NotFound { .. }) => issues.push(layout.issue(
                n,
                Col::Parent,
                format!("no unit with code {p} in the database or in an earlier row"),
            )),
            Err(e) => return Err(e),
        },
    }
    if issues.len() > before {
        return Ok(None);
    }
    let (Some(code), Some(name), Some(kind), Some(level), Some(valid_from)) =
        (code, name, kind, level, valid_from)
    else {
        return Ok(None);
    };
    Ok(Some(NewUnitUnder {
        unit: NewUnit {
            code,
            name,
            kind,
            level,
            parent_id: None,
            valid_from,
            valid_to,
        },
        parent,
    }))
}

impl crate::services::Units<'_> {
    /// Reads a unit tree file and adds every unit in it, or none. A system
    /// actor (the command line) or a system administrator may add roots; others
    /// need to manage units on each parent already in the database.
    pub async fn import_file(
        &self,
        actor: &Actor,
        bytes: &[u8],
        format: FileFormat,
    ) -> Result<Vec<Unit>, ImportFailure> {
        self::import_file(self.store(), actor, self.now(), bytes, format).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_both_spellings_and_nothing_else() {
        let d = jiff::civil::date(2025, 7, 1);
        assert_eq!(parse_date("2025-07-01"), Ok(d));
        assert_eq!(parse_date("01/07/2025"), Ok(d));
        assert!(parse_date("31/02/2025").is_err());
        assert!(parse_date("July 1").is_err());
    }

    #[test]
    fn headers_match_in_vietnamese_or_english_whatever_the_case() {
        assert_eq!(Col::find("Mã đơn vị cấp trên"), Some(Col::Parent));
        assert_eq!(Col::find(" PARENT "), Some(Col::Parent));
        assert_eq!(Col::find("mã đơn vị"), Some(Col::Code));
        assert_eq!(Col::find("Ghi chú"), None);
    }
}
