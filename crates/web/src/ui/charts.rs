//! Small SVG charts drawn on the server: no script, a few hundred bytes,
//! readable by screen readers through `<title>` and `<desc>` (pages also
//! show the figures as a table). Colours come from the style sheet's
//! classes, so the markup passes a strict Content-Security-Policy.

use std::fmt::Write;

/// One bar: what it counts and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Short label under or beside the bar (`24/11`, a status name).
    pub label: String,
    /// The count.
    pub value: u64,
    /// Marks the bar (today's column).
    pub highlight: bool,
}

/// Escapes text for SVG (XML) content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn scaled(value: u64, max: u64, span: f64) -> f64 {
    if max == 0 {
        0.0
    } else {
        // Counts on a dashboard are far below 2^52, where f64 is exact.
        span * (value as f64) / (max as f64)
    }
}

/// Vertical bars side by side (a series over days), with each value above
/// its bar and each label below. `id` makes the title and description ids
/// unique on the page.
pub fn columns(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    const W: f64 = 560.0;
    const H: f64 = 190.0;
    const TOP: f64 = 18.0;
    const BOTTOM: f64 = 24.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let n = bars.len().max(1) as f64;
    let slot = W / n;
    let width = (slot * 0.68).max(2.0);
    let plot = H - TOP - BOTTOM;
    // Labels wider than their slot (about 6 units a character at 11px) are
    // written under every other bar, counting back from the last (today).
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let step = if longest as f64 * 6.2 > slot - 4.0 {
        2
    } else {
        1
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="0" y1="{y}" x2="{W}" y2="{y}"/>"#,
        y = H - BOTTOM
    );
    for (i, b) in bars.iter().enumerate() {
        let h = scaled(b.value, max, plot);
        let x = slot * i as f64 + (slot - width) / 2.0;
        let y = H - BOTTOM - h;
        let class = if b.highlight { "bar bar-today" } else { "bar" };
        let label = escape(&b.label);
        let _ = write!(
            svg,
            r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}"><title>{label}: {}</title></rect>"#,
            b.value
        );
        let cx = x + width / 2.0;
        if b.value > 0 {
            let _ = write!(
                svg,
                r#"<text class="bar-value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                y - 4.0,
                b.value
            );
        }
        if (bars.len() - 1 - i).is_multiple_of(step) {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{cx:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
                H - 8.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars one under another (counts by status), with the label on
/// the left and the value at the bar's end.
pub fn rows(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    const W: f64 = 480.0;
    const ROW: f64 = 30.0;
    const LABEL: f64 = 240.0;
    const VALUE: f64 = 56.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let h = ROW * bars.len().max(1) as f64;
    let span = W - LABEL - VALUE;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg viewBox="0 0 {W} {h}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = ROW * i as f64;
        let w = scaled(b.value, max, span).max(if b.value > 0 { 2.0 } else { 0.0 });
        let label = escape(&b.label);
        let _ = write!(
            svg,
            r#"<text class="row-label" x="{:.1}" y="{:.1}" text-anchor="end">{label}</text><rect class="bar-row" x="{LABEL}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{label}: {}</title></rect><text class="row-value" x="{:.1}" y="{:.1}">{}</text>"#,
            LABEL - 8.0,
            y + ROW / 2.0 + 4.5,
            y + 5.0,
            ROW - 10.0,
            b.value,
            LABEL + w + 6.0,
            y + ROW / 2.0 + 4.5,
            b.value
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: u64) -> Bar {
        Bar {
            label: label.into(),
            value,
            highlight: false,
        }
    }

    #[test]
    fn columns_scale_to_the_largest_value_and_carry_a_text_alternative() {
        let svg = columns(
            "c",
            "Hồ sơ <mỗi ngày>",
            "Tổng 6",
            &[bar("23/11", 2), bar("24/11", 4), bar("25/11", 0)],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"<title id="c-t">Hồ sơ &lt;mỗi ngày&gt;</title>"#));
        assert!(svg.contains(r#"<desc id="c-d">Tổng 6</desc>"#));
        // Plot height 190 - 18 - 24 = 148: 4 is full height, 2 is half.
        assert!(svg.contains(r#"height="148.0"><title>24/11: 4</title>"#));
        assert!(svg.contains(r#"height="74.0"><title>23/11: 2</title>"#));
        assert!(svg.contains(r#"height="0.0"><title>25/11: 0</title>"#));
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn crowded_labels_are_written_under_every_other_bar_ending_with_the_last() {
        let short: Vec<Bar> = (10..24).map(|d| bar(&format!("{d}/11"), 1)).collect();
        assert_eq!(
            columns("c", "t", "d", &short)
                .matches(r#"class="tick""#)
                .count(),
            14
        );
        let long: Vec<Bar> = (10..24).map(|d| bar(&format!("{d} Nov"), 1)).collect();
        let svg = columns("c", "t", "d", &long);
        assert_eq!(svg.matches(r#"class="tick""#).count(), 7);
        assert!(svg.contains(">23 Nov</text>") && !svg.contains(">22 Nov</text>"));
    }

    #[test]
    fn charts_of_nothing_draw_empty_bars_without_dividing_by_zero() {
        let svg = rows("r", "t", "d", &[bar("Chờ bổ sung", 0)]);
        assert!(svg.contains(r#"width="0.0""#));
        assert!(!svg.contains("NaN"));
        let svg = columns("c", "t", "d", &[]);
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&#39;");
    }
}
