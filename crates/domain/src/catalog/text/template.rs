//! The layout of the procedure import template (docs/import/procedures.md):
//! its columns and how a procedure is laid out in rows. Importers read by it
//! and exporters (CSV, XLSX) write by it, so the two cannot drift apart.

use super::{format_date, format_levels, format_time_limit, format_yes_no};
use crate::catalog::ProcedureDraft;
use crate::search::fold_vi;

/// A column of the template, in the template's order (A to U).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// A: Mã thủ tục. Empty on rows that continue the procedure above.
    Code,
    /// B: Tên thủ tục.
    Name,
    /// C: Lĩnh vực.
    Field,
    /// D: Cấp thực hiện.
    Levels,
    /// E: Cơ quan thực hiện.
    Agency,
    /// F: Thời hạn giải quyết.
    TimeLimit,
    /// G: Thời hạn trực tuyến.
    OnlineTimeLimit,
    /// H: Mức độ DVC trực tuyến.
    OnlineLevel,
    /// I: Phí, lệ phí.
    Fee,
    /// J: Ghi chú phí.
    FeeNote,
    /// K: Kết quả.
    ResultType,
    /// L: Căn cứ pháp lý.
    LegalBasis,
    /// M: Đối tượng.
    Applicant,
    /// N: Ngày hiệu lực.
    EffectiveFrom,
    /// O: Thành phần hồ sơ.
    Component,
    /// P: Loại bản.
    ComponentForm,
    /// Q: Số bản.
    Copies,
    /// R: Yêu cầu.
    Requirement,
    /// S: Số hóa.
    MustDigitise,
    /// T: Mẫu đơn.
    FormTemplate,
    /// U: Đơn vị áp dụng.
    Units,
}

/// Whether a column must be present and filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Required on every procedure row.
    Required,
    /// Required on every row that names a component (column O).
    WithComponent,
    /// May be left empty or left out.
    Optional,
}

impl Column {
    /// Every column in template order.
    pub const ALL: [Column; 21] = [
        Column::Code,
        Column::Name,
        Column::Field,
        Column::Levels,
        Column::Agency,
        Column::TimeLimit,
        Column::OnlineTimeLimit,
        Column::OnlineLevel,
        Column::Fee,
        Column::FeeNote,
        Column::ResultType,
        Column::LegalBasis,
        Column::Applicant,
        Column::EffectiveFrom,
        Column::Component,
        Column::ComponentForm,
        Column::Copies,
        Column::Requirement,
        Column::MustDigitise,
        Column::FormTemplate,
        Column::Units,
    ];

    /// The Vietnamese header exports write.
    pub fn header(self) -> &'static str {
        self.names().0
    }

    /// The English alias an importer also accepts (`time_limit`).
    pub fn alias(self) -> &'static str {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Column::Code => ("Mã thủ tục", "code"),
            Column::Name => ("Tên thủ tục", "name"),
            Column::Field => ("Lĩnh vực", "field"),
            Column::Levels => ("Cấp thực hiện", "levels"),
            Column::Agency => ("Cơ quan thực hiện", "agency"),
            Column::TimeLimit => ("Thời hạn giải quyết", "time_limit"),
            Column::OnlineTimeLimit => ("Thời hạn trực tuyến", "online_time_limit"),
            Column::OnlineLevel => ("Mức độ DVC trực tuyến", "online_level"),
            Column::Fee => ("Phí, lệ phí", "fee"),
            Column::FeeNote => ("Ghi chú phí", "fee_note"),
            Column::ResultType => ("Kết quả", "result_type"),
            Column::LegalBasis => ("Căn cứ pháp lý", "legal_basis"),
            Column::Applicant => ("Đối tượng", "applicant"),
            Column::EffectiveFrom => ("Ngày hiệu lực", "effective_from"),
            Column::Component => ("Thành phần hồ sơ", "component"),
            Column::ComponentForm => ("Loại bản", "component_form"),
            Column::Copies => ("Số bản", "copies"),
            Column::Requirement => ("Yêu cầu", "requirement"),
            Column::MustDigitise => ("Số hóa", "must_digitise"),
            Column::FormTemplate => ("Mẫu đơn", "form_template"),
            Column::Units => ("Đơn vị áp dụng", "units"),
        }
    }

    /// Whether the column must be present and filled.
    pub fn need(self) -> Need {
        match self {
            Column::OnlineTimeLimit
            | Column::FeeNote
            | Column::LegalBasis
            | Column::Component
            | Column::FormTemplate
            | Column::Units => Need::Optional,
            Column::ComponentForm | Column::Copies | Column::Requirement | Column::MustDigitise => {
                Need::WithComponent
            }
            _ => Need::Required,
        }
    }

    /// Whether the column describes a component (O to T), the only columns a
    /// continuation row fills.
    pub fn is_component(self) -> bool {
        matches!(
            self,
            Column::Component
                | Column::ComponentForm
                | Column::Copies
                | Column::Requirement
                | Column::MustDigitise
                | Column::FormTemplate
        )
    }

    /// The column's position in the template (0 for A).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Finds the column a header names: the Vietnamese header or the English
    /// alias, ignoring case, diacritics and punctuation; `Mã thủ tục (code)`
    /// (both, as the template's documentation shows them) is accepted too.
    pub fn find(header: &str) -> Option<Column> {
        let matches = |text: &str| {
            let folded = fold_vi(text);
            Column::ALL
                .into_iter()
                .find(|c| fold_vi(c.header()) == folded || fold_vi(c.alias()) == folded)
        };
        if let Some(c) = matches(header) {
            return Some(c);
        }
        let (name, rest) = header.split_once('(')?;
        let alias = rest.trim_end().strip_suffix(')')?;
        match (matches(name), matches(alias)) {
            (Some(a), Some(b)) if a == b => Some(a),
            _ => None,
        }
    }
}

/// The spreadsheet letters of a 0-based column index: 0 → `A`, 25 → `Z`,
/// 26 → `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateValue {
    /// Nothing.
    Empty,
    /// Text, written as is (codes and dates included, so they stay text).
    Text(String),
    /// An amount in đồng (column I), which a spreadsheet may show as a number.
    Amount(i64),
    /// A count (column Q), which a spreadsheet may show as a number.
    Count(u8),
}

impl TemplateValue {
    /// The value as the template's text.
    pub fn to_text(&self) -> String {
        match self {
            TemplateValue::Empty => String::new(),
            TemplateValue::Text(s) => s.clone(),
            TemplateValue::Amount(n) => n.to_string(),
            TemplateValue::Count(n) => n.to_string(),
        }
    }
}

/// Lays a procedure out as template rows, each with one value per column of
/// [`Column::ALL`]: the procedure row carries the procedure's columns, its
/// first component and its units; each further component takes a
/// continuation row with only the component columns filled.
pub fn template_rows(draft: &ProcedureDraft, units: &[String]) -> Vec<Vec<TemplateValue>> {
    use TemplateValue as V;
    let text = |s: &str| {
        if s.is_empty() {
            V::Empty
        } else {
            V::Text(s.to_owned())
        }
    };
    let mut first: Vec<TemplateValue> = Column::ALL
        .into_iter()
        .map(|c| match c {
            Column::Code => text(draft.code.as_str()),
            Column::Name => text(&draft.name),
            Column::Field => text(&draft.field),
            Column::Levels => text(&format_levels(&draft.levels)),
            Column::Agency => text(&draft.agency),
            Column::TimeLimit => text(&format_time_limit(draft.time_limit)),
            Column::OnlineTimeLimit => draft
                .online_time_limit
                .map_or(V::Empty, |l| text(&format_time_limit(l))),
            Column::OnlineLevel => text(draft.online_level.label_vi()),
            Column::Fee => V::Amount(draft.fee.get()),
            Column::FeeNote => text(&draft.fee_note),
            Column::ResultType => text(draft.result_type.label_vi()),
            Column::LegalBasis => text(&draft.legal_basis),
            Column::Applicant => text(draft.applicant.label_vi()),
            Column::EffectiveFrom => text(&format_date(draft.effective_from)),
            Column::Units => text(&units.join("; ")),
            _ => V::Empty,
        })
        .collect();
    let mut rows = Vec::with_capacity(draft.components.len().max(1));
    for (i, c) in draft.components.iter().enumerate() {
        let mut row = if i == 0 {
            std::mem::take(&mut first)
        } else {
            vec![V::Empty; Column::ALL.len()]
        };
        row[Column::Component.index()] = text(&c.name);
        row[Column::ComponentForm.index()] = text(c.form.label_vi());
        row[Column::Copies.index()] = V::Count(c.copies);
        row[Column::Requirement.index()] = text(c.requirement.label_vi());
        row[Column::MustDigitise.index()] = text(format_yes_no(c.must_digitise));
        row[Column::FormTemplate.index()] = c.form_template.as_deref().map_or(V::Empty, text);
        rows.push(row);
    }
    if rows.is_empty() {
        rows.push(first);
    }
    rows
}
