//! Turning template rows into procedure drafts, cell by cell, reporting every
//! bad cell with its row and column.

use std::collections::HashMap;

use motcua_domain::DomainError;
use motcua_domain::catalog::text::template::{Column, column_letter};
use motcua_domain::catalog::text::{
    ParsedLimit, parse_applicant, parse_component_form, parse_copies, parse_date, parse_levels,
    parse_money, parse_online_level, parse_requirement, parse_result_type, parse_time_limit,
    parse_yes_no,
};
use motcua_domain::catalog::{Component, Money, ProcedureCode, ProcedureDraft};
use motcua_domain::error::shorten;
use motcua_domain::unit::UnitCode;

use super::import::{ImportIssue, ImportedProcedure, Issues, Layout};
use super::issue::{IssueCode, Reason};
use super::sheet::{Cell, Row, excel_serial_date, number_text};

/// A problem in a cell, already reported.
struct Bad;

/// Reads the rows under the header into procedures; every problem goes to
/// `issues`, every warning to `warnings`.
pub(super) fn read_rows(
    rows: &[Row],
    layout: &Layout,
    issues: &mut Issues,
    warnings: &mut Issues,
) -> Vec<ImportedProcedure> {
    let mut out = Vec::new();
    let mut seen: HashMap<ProcedureCode, usize> = HashMap::new();
    let mut current: Option<(usize, Option<ImportedProcedure>)> = None;
    for row in rows {
        let mut r = RowReader {
            row,
            layout,
            issues,
            warnings,
        };
        r.check_unnamed();
        let starts_procedure =
            r.cell(Column::Code).is_some() || !layout.columns.contains_key(&Column::Code);
        if starts_procedure {
            if let Some((_, Some(p))) = current.take() {
                finish(p, layout, issues, &mut out);
            }
            let read = RowReader {
                row,
                layout,
                issues,
                warnings,
            }
            .procedure(&mut seen);
            current = Some((row.number, read));
        } else {
            let component = r.continuation(current.is_some());
            if let (Some(c), Some((_, Some(p)))) = (component, current.as_mut()) {
                p.draft.components.push(c);
            }
        }
    }
    if let Some((_, Some(p))) = current {
        finish(p, layout, issues, &mut out);
    }
    out
}

/// Checks a complete procedure (after its continuation rows) with the
/// domain's rules, reporting a refusal at the procedure's row.
fn finish(
    p: ImportedProcedure,
    layout: &Layout,
    issues: &mut Issues,
    out: &mut Vec<ImportedProcedure>,
) {
    let Err(DomainError::Invalid { field, reason }) = p.draft.validate() else {
        out.push(p);
        return;
    };
    let column = match field {
        "name" => Some(Column::Name),
        "field" => Some(Column::Field),
        "agency" => Some(Column::Agency),
        "levels" => Some(Column::Levels),
        "time_limit" => Some(Column::TimeLimit),
        "online_time_limit" => Some(Column::OnlineTimeLimit),
        "legal_basis" => Some(Column::LegalBasis),
        "effective_from" => Some(Column::EffectiveFrom),
        f if f.starts_with("components") => Some(Column::Component),
        _ => None,
    };
    let index = column.and_then(|c| layout.columns.get(&c).copied());
    issues.push(
        ImportIssue::new(
            p.row,
            index.map(column_letter),
            index
                .and_then(|i| layout.header(i))
                .or_else(|| column.map(|c| c.header().to_owned())),
            Reason::new(IssueCode::RuleBroken, reason),
        )
        .of(column),
    );
}

struct RowReader<'a> {
    row: &'a Row,
    layout: &'a Layout,
    issues: &'a mut Issues,
    warnings: &'a mut Issues,
}

impl<'a> RowReader<'a> {
    /// The file column and non-blank cell of a template column.
    fn cell(&self, c: Column) -> Option<(usize, &'a Cell)> {
        let index = *self.layout.columns.get(&c)?;
        self.row.get(index).map(|cell| (index, cell))
    }

    fn issue(&self, index: usize, reason: Reason) -> ImportIssue {
        let column = self
            .layout
            .columns
            .iter()
            .find(|(_, i)| **i == index)
            .map(|(c, _)| *c);
        ImportIssue::new(
            self.row.number,
            Some(column_letter(index)),
            self.layout.header(index),
            reason,
        )
        .of(column)
    }

    fn report(&mut self, index: usize, reason: Reason) {
        let issue = self.issue(index, reason);
        self.issues.push(issue);
    }

    fn warn(&mut self, index: usize, reason: Reason) {
        let issue = self.issue(index, reason);
        self.warnings.push(issue);
    }

    /// Reads a column: `Ok(None)` when it is absent or blank.
    fn optional<T>(
        &mut self,
        c: Column,
        parse: impl FnOnce(&Cell) -> Result<T, Reason>,
    ) -> Result<Option<T>, Bad> {
        let Some((index, cell)) = self.cell(c) else {
            return Ok(None);
        };
        match parse(cell) {
            Ok(v) => Ok(Some(v)),
            Err(reason) => {
                self.report(index, reason);
                Err(Bad)
            }
        }
    }

    /// Reads a column that must be filled. A missing column was reported
    /// with the header, so only a blank cell is reported here.
    fn required<T>(
        &mut self,
        c: Column,
        why: &Reason,
        parse: impl FnOnce(&Cell) -> Result<T, Reason>,
    ) -> Option<T> {
        match self.optional(c, parse) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if let Some(index) = self.layout.columns.get(&c).copied() {
                    self.report(index, why.clone());
                }
                None
            }
            Err(Bad) => None,
        }
    }

    /// Values under a column with no header would be lost silently.
    fn check_unnamed(&mut self) {
        for (index, _) in &self.row.cells {
            if !self.layout.headers.contains_key(index) {
                self.report(
                    *index,
                    Reason::new(
                        IssueCode::UnnamedColumn,
                        "this column has no header, so its value would be ignored; name the \
                         column or clear it",
                    ),
                );
            }
        }
    }

    /// Reads a procedure row: the procedure, its first component and its
    /// units.
    fn procedure(mut self, seen: &mut HashMap<ProcedureCode, usize>) -> Option<ImportedProcedure> {
        let required = &Reason::new(IssueCode::Required, "is required");
        let mut code = self.required(Column::Code, required, read_code);
        if let Some((_, Some(warning))) = &code
            && let Some((index, _)) = self.cell(Column::Code)
        {
            self.warn(index, warning.clone());
        }
        if let (Some((c, _)), Some((index, _))) = (&code, self.cell(Column::Code)) {
            match seen.get(c) {
                Some(first) => {
                    let reason = Reason::new(
                        IssueCode::RepeatedCode,
                        format!("code {c} is already in row {first}"),
                    )
                    .arg("code", c)
                    .arg("first", first);
                    self.report(index, reason);
                    code = None;
                }
                None => {
                    seen.insert(c.clone(), self.row.number);
                }
            }
        }
        let name = self.required(Column::Name, required, text);
        let field = self.required(Column::Field, required, text);
        let levels = self.required(Column::Levels, required, |c| domain(c, parse_levels));
        let agency = self.required(Column::Agency, required, text);
        let time_limit =
            self.required(Column::TimeLimit, required, |c| domain(c, parse_time_limit));
        self.warn_bare_days(Column::TimeLimit, time_limit);
        let online_time_limit =
            self.optional(Column::OnlineTimeLimit, |c| domain(c, parse_time_limit));
        if let Ok(limit) = online_time_limit {
            self.warn_bare_days(Column::OnlineTimeLimit, limit);
        }
        let online_level = self.required(Column::OnlineLevel, required, |c| {
            domain(c, parse_online_level)
        });
        let fee = self.required(
            Column::Fee,
            &Reason::new(IssueCode::Required, "is required (0 when there is no fee)"),
            read_fee,
        );
        let fee_note = self.optional(Column::FeeNote, bounded(2000));
        let result_type = self.required(Column::ResultType, required, |c| {
            domain(c, parse_result_type)
        });
        let legal_basis = self.optional(Column::LegalBasis, bounded(4000));
        let applicant = self.required(Column::Applicant, required, |c| domain(c, parse_applicant));
        let effective_from = self.required(Column::EffectiveFrom, required, read_date);
        let component = self.component();
        let units = self.optional(Column::Units, read_units);
        let row = self.row.number;
        Some(ImportedProcedure {
            row,
            draft: ProcedureDraft {
                code: code?.0,
                name: name?,
                field: field?,
                levels: levels?,
                agency: agency?,
                time_limit: time_limit?.limit,
                online_time_limit: online_time_limit.ok()?.map(|l| l.limit),
                online_level: online_level?,
                fee: fee?,
                fee_note: fee_note.ok()?.unwrap_or_default(),
                result_type: result_type?,
                legal_basis: legal_basis.ok()?.unwrap_or_default(),
                applicant: applicant?,
                effective_from: effective_from?,
                components: component.ok()?.into_iter().collect(),
            },
            units: units.ok()?.unwrap_or_default(),
        })
    }

    fn warn_bare_days(&mut self, c: Column, limit: Option<ParsedLimit>) {
        if let (Some(l), Some((index, cell))) = (limit, self.cell(c))
            && l.bare_days
        {
            let n = match l.limit {
                motcua_domain::deadline::TimeLimit::CalendarDays(n) => n,
                _ => 0,
            };
            let said = cell.text().unwrap_or_default();
            self.warn(
                index,
                Reason::new(
                    IssueCode::BareDays,
                    format!(
                        "'{said}' is read as {n} calendar days; write '{n} ngày làm việc' if \
                         working days are meant, or '{n} ngày lịch' to confirm"
                    ),
                )
                .arg("said", shorten(said.trim()))
                .arg("n", n),
            );
        }
    }

    /// Reads a row without a code: only its component, which joins the
    /// procedure above.
    fn continuation(&mut self, after_procedure: bool) -> Option<Component> {
        if !after_procedure {
            let index = self.layout.columns.get(&Column::Code).copied().unwrap_or(0);
            self.report(
                index,
                Reason::new(
                    IssueCode::OrphanRow,
                    "Mã thủ tục is empty, so this row would continue the procedure above, but no \
                     procedure row comes before it; fill Mã thủ tục",
                ),
            );
            return None;
        }
        let stray: Vec<usize> = Column::ALL
            .into_iter()
            .filter(|c| !c.is_component())
            .filter_map(|c| self.cell(c).map(|(i, _)| i))
            .collect();
        for index in stray {
            self.report(
                index,
                Reason::new(
                    IssueCode::StrayCell,
                    "Mã thủ tục is empty, so this row continues the procedure above and may \
                     fill only the component columns; fill Mã thủ tục to start a new procedure",
                ),
            );
        }
        self.component().ok().flatten()
    }

    /// Reads the component columns of a row; `Ok(None)` when there is none.
    fn component(&mut self) -> Result<Option<Component>, Bad> {
        let with = &Reason::new(
            IssueCode::RequiredWithComponent,
            "is required for a component",
        );
        let Some(name_index) = self.layout.columns.get(&Column::Component).copied() else {
            return Ok(None);
        };
        let Ok(name) = self.optional(Column::Component, bounded(500)) else {
            return Err(Bad);
        };
        let Some(name) = name else {
            let others = [
                Column::ComponentForm,
                Column::Copies,
                Column::Requirement,
                Column::MustDigitise,
                Column::FormTemplate,
            ];
            if others.into_iter().any(|c| self.cell(c).is_some()) {
                self.report(
                    name_index,
                    Reason::new(
                        IssueCode::ComponentUnnamed,
                        "the component's details are filled but its name is empty",
                    ),
                );
                return Err(Bad);
            }
            return Ok(None);
        };
        let form = self.required(Column::ComponentForm, with, |c| {
            domain(c, parse_component_form)
        });
        let copies = self.required(Column::Copies, with, read_copies);
        let requirement =
            self.required(Column::Requirement, with, |c| domain(c, parse_requirement));
        let must_digitise = self.required(Column::MustDigitise, with, read_yes_no);
        let form_template = self.optional(Column::FormTemplate, text);
        Ok(Some(Component {
            name,
            form: form.ok_or(Bad)?,
            copies: copies.ok_or(Bad)?,
            requirement: requirement.ok_or(Bad)?,
            must_digitise: must_digitise.ok_or(Bad)?,
            form_template: form_template?,
        }))
    }
}

/// A value its column cannot take: the domain's refusal in English, the
/// value quoted for the other wordings (the column already says which field).
fn bad_value(value: &str, e: DomainError) -> Reason {
    let DomainError::Invalid { reason, .. } = e;
    bad(value, reason)
}

fn bad(value: &str, reason: impl Into<String>) -> Reason {
    Reason::new(IssueCode::BadValue, reason).arg("value", shorten(value.trim()))
}

/// A cell's text; a spreadsheet error value (`#REF!`) is refused.
fn text(cell: &Cell) -> Result<String, Reason> {
    cell.text()
        .map_err(|e| Reason::new(IssueCode::SpreadsheetError, e.clone()).arg("value", e))
}

/// Text of at most `max` characters.
fn bounded(max: usize) -> impl Fn(&Cell) -> Result<String, Reason> {
    move |cell| {
        let s = text(cell)?;
        let n = s.chars().count();
        if n > max {
            Err(Reason::new(
                IssueCode::TooLong,
                format!("has {n} characters; at most {max} are allowed"),
            )
            .arg("n", n)
            .arg("max", max))
        } else {
            Ok(s)
        }
    }
}

fn domain<T>(cell: &Cell, parse: impl FnOnce(&str) -> Result<T, DomainError>) -> Result<T, Reason> {
    let s = text(cell)?;
    parse(&s).map_err(|e| bad_value(&s, e))
}

/// A code, with a warning when a spreadsheet stored it as a number (which
/// drops trailing zeros: 2.000880 becomes 2.00088); such a number is read
/// back with its six decimals.
fn read_code(cell: &Cell) -> Result<(ProcedureCode, Option<Reason>), Reason> {
    match cell {
        Cell::Number(f) if (1.0..3.0).contains(f) => {
            let said = number_text(*f);
            let code = ProcedureCode::parse(&format!("{f:.6}")).map_err(|e| bad_value(&said, e))?;
            let warning = Reason::new(
                IssueCode::CodeAsNumber,
                format!(
                    "the code was stored as the number {said}, read as {code}; format the column \
                     as text"
                ),
            )
            .arg("number", &said)
            .arg("code", &code);
            Ok((code, Some(warning)))
        }
        _ => Ok((domain(cell, ProcedureCode::parse)?, None)),
    }
}

/// A whole number of đồng from a number cell, or the text forms
/// [`parse_money`] reads.
fn read_fee(cell: &Cell) -> Result<Money, Reason> {
    match cell {
        Cell::Number(f) if f.fract() != 0.0 => {
            let said = number_text(*f);
            Err(bad(
                &said,
                format!("{said} is not whole đồng: fees have no decimals"),
            ))
        }
        Cell::Number(f) if *f < 0.0 => {
            let said = number_text(*f);
            Err(bad(
                &said,
                format!("{said} is negative; a fee is 0 or more đồng"),
            ))
        }
        Cell::Number(f) if *f <= Money::MAX as f64 => {
            Money::dong(*f as i64).map_err(|e| bad_value(&number_text(*f), e))
        }
        _ => domain(cell, parse_money),
    }
}

fn read_copies(cell: &Cell) -> Result<u8, Reason> {
    domain(cell, parse_copies)
}

fn read_yes_no(cell: &Cell) -> Result<bool, Reason> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        _ => domain(cell, |s| parse_yes_no("must_digitise", s)),
    }
}

/// A date cell, an Excel serial number (a date cell that lost its format),
/// or the text forms [`parse_date`] reads.
fn read_date(cell: &Cell) -> Result<jiff::civil::Date, Reason> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Number(f) => excel_serial_date(*f).ok_or_else(|| {
            let said = number_text(*f);
            bad(&said, format!("{said} is not a date; write dd/mm/yyyy"))
        }),
        _ => domain(cell, parse_date),
    }
}

/// Unit codes separated by `;` (or `,`), each of the official four-part
/// form, none twice.
fn read_units(cell: &Cell) -> Result<Vec<String>, Reason> {
    let mut codes: Vec<String> = Vec::new();
    for part in text(cell)?
        .split([';', ','])
        .filter(|p| !p.trim().is_empty())
    {
        let code = UnitCode::parse(part).map_err(|e| bad_value(part, e))?;
        if codes.iter().any(|c| c == code.as_str()) {
            return Err(bad(part, format!("unit {code} is listed twice")));
        }
        codes.push(code.as_str().to_owned());
    }
    Ok(codes)
}
