//! A report in the formats people take it away in: a text table for the
//! terminal, CSV (the columns of form 06/VPCP/KSTT first), JSON, and form 06
//! as XLSX and PDF. The CLI and the API write the same bytes.

use motcua_domain::stats::{Figures, RATE_NAMES};
use motcua_service::Services;
use motcua_service::error::{ServiceError, ServiceResult};
use motcua_service::stats::report::Report;
use serde_json::{Value, json};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text columns.
    Table,
    /// Comma-separated values, UTF-8.
    Csv,
    /// The API's JSON.
    Json,
    /// Form 06 as a workbook.
    Xlsx,
    /// Form 06 as a PDF.
    Pdf,
}

impl Format {
    /// Parses a name: table, csv, json, xlsx or pdf.
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim() {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "xlsx" => Ok(Format::Xlsx),
            "pdf" => Ok(Format::Pdf),
            other => Err(format!(
                "unknown format '{}'; allowed: table, csv, json, xlsx, pdf",
                other.chars().take(40).collect::<String>()
            )),
        }
    }

    /// Whether the output is binary (written to a file, not a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx | Format::Pdf)
    }

    /// The media type of the output.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Table => "text/plain; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }
}

/// The CSV header: key, label, the counts, then the rates in percent.
pub fn csv_header() -> Vec<String> {
    let mut h = vec!["key".to_owned(), "label".to_owned()];
    h.extend(Figures::NAMES.iter().map(|n| (*n).to_owned()));
    h.extend(RATE_NAMES.iter().map(|n| (*n).to_owned()));
    h.push("average_processing_days".to_owned());
    h
}

fn csv_record(key: &str, label: &str, f: &Figures) -> Vec<String> {
    let mut r = vec![key.to_owned(), label.to_owned()];
    r.extend(f.values().iter().map(i64::to_string));
    r.extend(f.rates().iter().map(|r| r.display()));
    r.push(f.average_days_display());
    r
}

/// The report as CSV: one row per group, then `TOTAL`.
pub fn to_csv(report: &Report) -> ServiceResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Internal(format!("writing CSV: {e}"));
    w.write_record(csv_header()).map_err(fail)?;
    for r in &report.rows {
        w.write_record(csv_record(&r.key, &r.label, &r.figures))
            .map_err(fail)?;
    }
    w.write_record(csv_record("TOTAL", "Tổng cộng", &report.total))
        .map_err(fail)?;
    w.into_inner()
        .map_err(|e| ServiceError::Internal(format!("writing CSV: {e}")))
}

fn figures_json(key: &str, label: &str, f: &Figures) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("key".into(), json!(key));
    o.insert("label".into(), json!(label));
    for (n, v) in Figures::NAMES.iter().zip(f.values()) {
        o.insert((*n).into(), json!(v));
    }
    let mut rates = serde_json::Map::new();
    for (n, r) in RATE_NAMES.iter().zip(f.rates()) {
        rates.insert(
            (*n).into(),
            json!({ "num": r.num, "den": r.den, "percent": r.percent() }),
        );
    }
    o.insert("rates".into(), Value::Object(rates));
    // Working days of eight office hours, suspensions excluded; the base
    // is `resolved_timed`.
    o.insert(
        "average_processing_days".into(),
        json!(f.average_days().map(|d| (d * 100.0).round() / 100.0)),
    );
    Value::Object(o)
}

/// The report as the API's JSON document.
pub fn json(report: &Report) -> Value {
    json!({
        "unit": report.unit,
        "unit_name": report.unit_name,
        "from": report.from.to_string(),
        "to": report.to.to_string(),
        "by": report.by.as_str(),
        "rows": report.rows.iter().map(|r| figures_json(&r.key, &r.label, &r.figures)).collect::<Vec<_>>(),
        "total": figures_json("TOTAL", "Tổng cộng", &report.total),
    })
}

/// The report as an aligned text table of form 06's columns.
pub fn table(report: &Report) -> String {
    let head = [
        "key",
        "label",
        "(3)",
        "(4)",
        "(5)",
        "(6)",
        "(7)",
        "(8)",
        "(9)",
        "(10)",
        "(11)",
        "(12)",
        "(13)",
        "on time %",
    ];
    let mut lines: Vec<Vec<String>> = vec![head.iter().map(|s| (*s).to_owned()).collect()];
    let row = |key: &str, label: &str, f: &Figures| {
        let mut v = vec![key.to_owned(), label.chars().take(40).collect()];
        v.extend(f.values()[..11].iter().map(i64::to_string));
        v.push(f.rates()[0].display());
        v
    };
    for r in &report.rows {
        lines.push(row(&r.key, &r.label, &r.figures));
    }
    lines.push(row("TOTAL", "Tổng cộng", &report.total));
    let cols = head.len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "{} ({}) {} – {}, by {}\n",
        report.unit_name,
        report.unit,
        report.from,
        report.to,
        report.by.as_str()
    );
    for l in lines {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i].saturating_sub(c.chars().count());
                if i < 2 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The report in `format`. Form 06 names the unit's governing body, read
/// from the store, and is dated `today`.
pub async fn render(
    services: &Services,
    report: &Report,
    format: Format,
    today: jiff::civil::Date,
) -> ServiceResult<Vec<u8>> {
    match format {
        Format::Table => Ok(table(report).into_bytes()),
        Format::Csv => to_csv(report),
        Format::Json => serde_json::to_vec_pretty(&json(report))
            .map_err(|e| ServiceError::Internal(format!("writing JSON: {e}"))),
        Format::Xlsx | Format::Pdf => {
            let form = form06(services, report, today).await?;
            let out = if format == Format::Xlsx {
                motcua_render::form06_xlsx(&form)
            } else {
                motcua_render::form06_pdf(&form)
            };
            out.map_err(|e| ServiceError::Internal(e.to_string()))
        }
    }
}

/// Form 06/VPCP/KSTT of a report: for sectors and levels, sectors within
/// levels with a subtotal per level; for other breakdowns, one group of
/// the report's rows.
pub async fn form06(
    services: &Services,
    report: &Report,
    today: jiff::civil::Date,
) -> ServiceResult<motcua_render::Form06> {
    use motcua_domain::stats::Breakdown;
    use motcua_domain::unit::Level;
    use motcua_render::{Form06, Form06Group};
    use motcua_service::stats::report::level_label;
    // The governing body and the province, from the unit's ancestors.
    let mut parent_unit_name = String::new();
    let mut place = String::new();
    let mut next = report.parent_id;
    let mut first = true;
    while let Some(id) = next {
        let u = services.unit(id).await?;
        if first {
            parent_unit_name = u.name.to_uppercase();
            first = false;
        }
        if let Some((_, rest)) = u
            .name
            .rsplit_once("tỉnh ")
            .or_else(|| u.name.rsplit_once("thành phố "))
        {
            place = rest.to_owned();
        }
        next = u.parent_id;
    }
    if place.is_empty() {
        place = report
            .unit_name
            .rsplit_once("tỉnh ")
            .map(|(_, r)| r.to_owned())
            .unwrap_or_default();
    }
    let heading = match report.by {
        Breakdown::Sector | Breakdown::Level => "Lĩnh vực, công việc giải quyết theo cấp",
        Breakdown::Unit => "Đơn vị",
        Breakdown::Procedure => "Thủ tục hành chính",
        Breakdown::Channel => "Kênh tiếp nhận",
        Breakdown::Month => "Tháng",
    };
    let groups = match report.by {
        Breakdown::Sector | Breakdown::Level => {
            let mut groups: Vec<Form06Group> = Vec::new();
            for row in &report.sectors_by_level {
                let level = row.level.as_deref().and_then(|l| Level::parse(l).ok());
                let label = level.map_or("Cấp khác", level_label).to_owned();
                if groups.last().is_none_or(|g| g.label != label) {
                    groups.push(Form06Group {
                        label,
                        rows: Vec::new(),
                        subtotal: Some(Figures::default()),
                    });
                }
                if let Some(g) = groups.last_mut() {
                    g.rows.push((row.label.clone(), row.figures));
                    if let Some(sub) = g.subtotal.as_mut() {
                        sub.add(&row.figures);
                    }
                }
            }
            groups
        }
        _ => vec![Form06Group {
            label: String::new(),
            rows: report
                .rows
                .iter()
                .map(|r| (r.label.clone(), r.figures))
                .collect(),
            subtotal: None,
        }],
    };
    Ok(Form06 {
        parent_unit_name,
        unit_name: report.unit_name.clone(),
        from: report.from,
        to: report.to,
        group_heading: heading.to_owned(),
        groups,
        total: report.total,
        place,
        signed_on: today,
        signer_title: "THỦ TRƯỞNG ĐƠN VỊ".to_owned(),
        signer_name: String::new(),
    })
}
