//! `GET /ho-so/xuat?format=csv|xlsx&…`: the dossier list, with the list
//! page's filters, as a file (issue 18, point 7). The same use case as the
//! page reads it, a page of 200 at a time, so the file holds exactly the
//! rows the person could page through, up to [`MAX_ROWS`]; a longer list is
//! cut and says so in its last line.
//!
//! CSV is UTF-8 with a byte-order mark (Excel then opens Vietnamese text
//! correctly); XLSX keeps every cell as text. The file is named after the
//! list and the day: `danh-sach-ho-so-20261206.csv`.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Staff;
use super::list::{Filters, Row, rows};
use crate::api::dossiers::parse_list;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::ui::StaffState;

/// Where the export lives.
pub const PATH: &str = "/ho-so/xuat";

/// The most rows a file holds: a year of a large district's dossiers; a
/// province-wide list is narrowed by its filters first.
pub const MAX_ROWS: usize = 10_000;

/// Rows read per call.
const PAGE: u32 = 200;

/// `GET /ho-so/xuat`.
pub async fn export(
    State(st): State<StaffState>,
    staff: Staff,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = staff.lang.texts();
    let format = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "format")
        .map_or("csv", |(_, v)| v.trim());
    if !matches!(format, "csv" | "xlsx") {
        return Err(WebError::invalid(
            "format",
            format!("{format:?} is not csv or xlsx"),
        ));
    }
    let mut f = Filters::from_pairs(&pairs);
    f.cursor.clear();
    f.limit = PAGE.to_string();
    let mut q = f
        .params()
        .map(parse_list)
        .ok_or_else(|| WebError::invalid("limit", "not a number"))??;
    let now = st.services.now();
    let mut all: Vec<Row> = Vec::new();
    let mut cut = false;
    loop {
        let page = st.services.dossiers().list(&staff.actor, &q).await?;
        all.extend(rows(&st, staff.lang, &page.items).await?);
        match page.next {
            Some(next) if all.len() < MAX_ROWS => q.cursor = Some(next),
            Some(_) => {
                cut = true;
                break;
            }
            None => break,
        }
    }
    all.truncate(MAX_ROWS);
    let headers = headers(&t);
    let mut table: Vec<Vec<String>> = all
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.code,
                r.applicant,
                r.procedure_code,
                r.procedure_name,
                r.received,
                r.due,
                r.mark,
                r.status,
                r.holder,
            ]
        })
        .collect();
    if cut {
        table.push(vec![
            t.fill("list.export_cut", &[("rows", MAX_ROWS.to_string())]),
        ]);
    }
    let day = motcua_domain::time::to_local(now).date().strftime("%Y%m%d");
    let (bytes, content_type) = match format {
        "xlsx" => (
            motcua_render::table_xlsx(t.get("list.title"), &headers, &table).map_err(internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (csv_bytes(&headers, &table)?, "text/csv; charset=utf-8"),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"danh-sach-ho-so-{day}.{format}\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

fn headers(t: &Texts) -> Vec<&str> {
    [
        "list.col_number",
        "list.col_code",
        "list.col_applicant",
        "list.col_procedure_code",
        "list.col_procedure",
        "list.col_received",
        "list.col_due",
        "list.col_mark",
        "list.col_status",
        "list.col_holder",
    ]
    .into_iter()
    .map(|k| t.get(k))
    .collect()
}

fn csv_bytes(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, WebError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        w.write_record(headers).map_err(internal)?;
        for r in rows {
            w.write_record(r).map_err(internal)?;
        }
        w.flush().map_err(internal)?;
    }
    Ok(out)
}

fn internal(e: impl std::fmt::Display) -> WebError {
    WebError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Lỗi hệ thống",
        format!("the export could not be written: {e}"),
    )
}
