//! Writing procedures as the import template in CSV, so that an export
//! imports back to the same drafts.

use motcua_domain::catalog::ProcedureDraft;
use motcua_domain::catalog::text::template::{Column, TemplateValue, template_rows};

use super::sheet::needs_guard;

/// Writes procedures, each with its unit codes, as the import template:
/// UTF-8 with a BOM (so spreadsheets pick the encoding), comma-separated,
/// CRLF line ends, the Vietnamese header row, one row per procedure plus one
/// continuation row per further component. Text that a spreadsheet would run
/// as a formula (starting with `=`, `+`, `-` or `@`) gets a leading
/// apostrophe, which the importer removes.
pub fn procedures_csv(rows: &[(ProcedureDraft, Vec<String>)]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    write_record(&mut out, Column::ALL.iter().map(|c| c.header().to_owned()));
    for (draft, units) in rows {
        for row in template_rows(draft, units) {
            write_record(&mut out, row.iter().map(cell_text));
        }
    }
    out.into_bytes()
}

fn cell_text(value: &TemplateValue) -> String {
    match value {
        TemplateValue::Text(s) => guard(s),
        other => other.to_text(),
    }
}

/// Prefixes an apostrophe to text a spreadsheet would read as a formula, and
/// to text that already starts with such an apostrophe, so that removing one
/// on import always gives the original back.
fn guard(s: &str) -> String {
    if needs_guard(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Appends one CSV record (RFC 4180): fields with a comma, quote, line break
/// or surrounding space are quoted, quotes doubled.
fn write_record(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let quote = field.contains([',', '"', '\n', '\r'])
            || field.starts_with(char::is_whitespace)
            || field.ends_with(char::is_whitespace);
        if quote {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}
