//! Reading the forms back the way a person would: the PDF's text, page count
//! and page size through poppler's `pdftotext` and `pdfinfo` (Debian package
//! poppler-utils, installed in CI).

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a poppler tool on `pdf` given on stdin and returns its stdout.
fn run(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool} (Debian package poppler-utils) must be installed: {e}"));
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{tool} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text with runs of whitespace made single spaces.
pub(crate) fn text_of(pdf: &[u8]) -> String {
    run("pdftotext", &["-enc", "UTF-8", "-", "-"], pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of one page (1-based), whitespace made single spaces.
pub(crate) fn page_text(pdf: &[u8], page: usize) -> String {
    let n = page.to_string();
    run(
        "pdftotext",
        &["-enc", "UTF-8", "-f", &n, "-l", &n, "-", "-"],
        pdf,
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

fn info(pdf: &[u8], key: &str) -> String {
    run("pdfinfo", &["-"], pdf)
        .lines()
        .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("pdfinfo printed no {key}"))
}

pub(crate) fn pages(pdf: &[u8]) -> usize {
    info(pdf, "Pages:").parse().expect("page count")
}

/// The first page's size in points rounded to two decimals, e.g.
/// "419.53 x 595.28" (pdfinfo prints three decimals or two depending on its
/// version).
pub(crate) fn page_size(pdf: &[u8]) -> String {
    let size = info(pdf, "Page size:");
    let points: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let [width, height] = points[..] else {
        panic!("unexpected page size {size:?}");
    };
    format!("{width:.2} x {height:.2}")
}

/// A5 portrait and landscape, A4 landscape, in points as pdfinfo prints them
/// (148 × 210 mm and 297 × 210 mm at 72/25.4 points per mm).
pub(crate) const A5_PORTRAIT: &str = "419.53 x 595.28";
pub(crate) const A5_LANDSCAPE: &str = "595.28 x 419.53";
pub(crate) const A4_LANDSCAPE: &str = "841.89 x 595.28";

/// Writes `pdf` for a person to look at when `RENDER_SAMPLES` names a
/// directory: `RENDER_SAMPLES=/tmp cargo nextest run -p motcua-render`.
pub(crate) fn save_sample(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("RENDER_SAMPLES") {
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).unwrap();
    }
}

/// The text line by line as laid out (`pdftotext -layout`), each line's
/// runs of whitespace made single spaces: words on one printed line stay on
/// one line here, so a name that wrapped is seen split.
pub(crate) fn lines_of(pdf: &[u8]) -> Vec<String> {
    run("pdftotext", &["-layout", "-enc", "UTF-8", "-", "-"], pdf)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}
