//! The procedure catalog as an XLSX workbook laid out as the import template
//! (docs/import/procedures.md), so that a downloaded catalog can be edited
//! and imported back.

use motcua_domain::catalog::ProcedureDraft;
use motcua_domain::catalog::text::template::{Column, TemplateValue, template_rows};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use crate::RenderError;

/// The sheet's name.
const SHEET: &str = "Thủ tục hành chính";

/// Writes procedures, each with its unit codes, as the import template's
/// first sheet: a bold, frozen header row; one row per procedure and one
/// continuation row per further component. Every cell is text (a code such
/// as `2.000880` must not become a number, and dates are written
/// `dd/mm/yyyy`) except the fee, a whole number shown with thousands
/// separators, and the number of copies.
pub fn procedures_xlsx(rows: &[(ProcedureDraft, Vec<String>)]) -> Result<Vec<u8>, RenderError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let text = Format::new()
        .set_num_format("@")
        .set_align(FormatAlign::Top);
    let long_text = text.clone().set_text_wrap();
    let amount = Format::new()
        .set_num_format("#,##0")
        .set_align(FormatAlign::Top);
    let count = Format::new()
        .set_num_format("0")
        .set_align(FormatAlign::Top);

    for column in Column::ALL {
        let c = col(column);
        sheet.set_column_width(c, width(column))?;
        let format = match column {
            Column::Fee => &amount,
            Column::Copies => &count,
            _ => &text,
        };
        sheet.set_column_format(c, format)?;
        sheet.write_string_with_format(0, c, column.header(), &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let mut r: u32 = 0;
    for (draft, units) in rows {
        for values in template_rows(draft, units) {
            r += 1;
            for (column, value) in Column::ALL.into_iter().zip(&values) {
                let c = col(column);
                match value {
                    TemplateValue::Empty => {}
                    TemplateValue::Text(s) => {
                        let format = if wraps(column) { &long_text } else { &text };
                        sheet.write_string_with_format(r, c, s, format)?;
                    }
                    TemplateValue::Amount(n) => {
                        sheet.write_number_with_format(r, c, *n as f64, &amount)?;
                    }
                    TemplateValue::Count(n) => {
                        sheet.write_number_with_format(r, c, f64::from(*n), &count)?;
                    }
                }
            }
        }
    }
    sheet.autofilter(0, 0, r, col(Column::Units))?;
    Ok(workbook.save_to_buffer()?)
}

fn col(column: Column) -> u16 {
    // 21 columns: the index always fits.
    column.index() as u16
}

/// Columns whose text runs long enough to wrap.
fn wraps(column: Column) -> bool {
    matches!(
        column,
        Column::Name
            | Column::Agency
            | Column::FeeNote
            | Column::LegalBasis
            | Column::Component
            | Column::FormTemplate
    )
}

/// Column widths in characters, sized for typical content.
fn width(column: Column) -> f64 {
    match column {
        Column::Code => 22.0,
        Column::Name | Column::Component => 50.0,
        Column::LegalBasis | Column::FeeNote => 45.0,
        Column::Agency | Column::FormTemplate => 30.0,
        Column::Field | Column::Levels | Column::Units => 20.0,
        Column::TimeLimit | Column::OnlineTimeLimit | Column::ComponentForm => 20.0,
        Column::OnlineLevel | Column::ResultType | Column::Applicant => 17.0,
        Column::Requirement | Column::EffectiveFrom => 14.0,
        Column::Fee => 13.0,
        Column::Copies | Column::MustDigitise => 8.0,
    }
}
