//! Any list a page shows as an XLSX workbook: one sheet, a bold frozen
//! header row with a filter, every cell text (a dossier code or an identity
//! number must never become a number), columns sized to their content.

use rust_xlsxwriter::{Format, Workbook};

use crate::RenderError;

/// The widest a column is made, in characters (long names wrap in Excel).
const MAX_WIDTH: usize = 60;

/// Writes `rows` under `headers` on a sheet named `sheet` (Excel allows 31
/// characters; longer is cut).
pub fn table_xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, RenderError> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    let name: String = sheet.chars().take(31).collect();
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, h) in headers.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| RenderError::Xlsx("too many columns".into()))?;
        ws.write_string_with_format(0, c, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| RenderError::Xlsx("too many rows".into()))?;
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| RenderError::Xlsx("too many columns".into()))?;
            ws.write_string_with_format(r, c, v, &text)?;
        }
    }
    for (c, h) in headers.iter().enumerate() {
        let widest = rows
            .iter()
            .filter_map(|row| row.get(c))
            .map(|v| v.chars().count())
            .chain(std::iter::once(h.chars().count()))
            .max()
            .unwrap_or(8)
            .clamp(6, MAX_WIDTH);
        let c = u16::try_from(c).map_err(|_| RenderError::Xlsx("too many columns".into()))?;
        ws.set_column_width(c, widest as f64 + 2.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if !headers.is_empty() {
        let last = u16::try_from(headers.len() - 1).unwrap_or(u16::MAX);
        let rows = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        ws.autofilter(0, 0, rows, last)?;
    }
    Ok(workbook.save_to_buffer()?)
}
