//! Inline SVG charts (incidents over time by severity, the distribution of durations): plain
//! markup styled by `site.css`, no script, readable in print and in dark mode.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Utc};

use super::markdown::escape;

/// The severities shown as separate series, then everything else.
pub const SEVERITIES: [&str; 5] = ["P1", "P2", "P3", "P4", "P5"];

/// Index of a severity in [`SEVERITIES`], or 5 for anything else.
pub fn severity_index(severity: &str) -> usize {
    SEVERITIES.iter().position(|s| s.eq_ignore_ascii_case(severity)).unwrap_or(SEVERITIES.len())
}

/// One labelled column of a chart with one value per series.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bucket {
    pub label: String,
    pub values: Vec<u64>,
}

/// How a time axis is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Month,
    Quarter,
    Year,
}

/// Counts incidents per month by severity, falling back to quarters or years when there would
/// be more than `max_buckets` columns. Empty months between the first and the last are kept.
pub fn by_time_and_severity(
    starts: impl IntoIterator<Item = (DateTime<Utc>, usize)>,
    max_buckets: usize,
) -> Vec<Bucket> {
    let points: Vec<(i32, u32, usize)> =
        starts.into_iter().map(|(t, sev)| (t.year(), t.month0(), sev)).collect();
    let Some(first) = points.iter().map(|p| p.0 * 12 + p.1 as i32).min() else { return Vec::new() };
    let last = points.iter().map(|p| p.0 * 12 + p.1 as i32).max().unwrap_or(first);
    let months = (last - first + 1) as usize;
    let step = if months <= max_buckets {
        Step::Month
    } else if (last.div_euclid(3) - first.div_euclid(3) + 1) as usize <= max_buckets {
        Step::Quarter
    } else {
        Step::Year
    };
    let key = |year: i32, month0: u32| -> i32 {
        match step {
            Step::Month => year * 12 + month0 as i32,
            Step::Quarter => year * 4 + (month0 / 3) as i32,
            Step::Year => year,
        }
    };
    let (lo, hi) = (key(first / 12, (first % 12) as u32), key(last / 12, (last % 12) as u32));
    let width = SEVERITIES.len() + 1;
    let mut buckets: Vec<Bucket> = (lo..=hi)
        .map(|k| Bucket {
            label: match step {
                Step::Month => format!("{}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1),
                Step::Quarter => format!("{} Q{}", k.div_euclid(4), k.rem_euclid(4) + 1),
                Step::Year => k.to_string(),
            },
            values: vec![0; width],
        })
        .collect();
    for (year, month0, sev) in points {
        buckets[(key(year, month0) - lo) as usize].values[sev.min(width - 1)] += 1;
    }
    buckets
}

/// Duration classes for the distribution chart: upper bounds in seconds.
const DURATION_BOUNDS: [(i64, &str); 8] = [
    (5 * 60, "<5m"),
    (15 * 60, "5–15m"),
    (30 * 60, "15–30m"),
    (3600, "30–60m"),
    (2 * 3600, "1–2h"),
    (4 * 3600, "2–4h"),
    (8 * 3600, "4–8h"),
    (24 * 3600, "8–24h"),
];

/// Counts durations (seconds) per class, by severity.
pub fn duration_distribution(durations: impl IntoIterator<Item = (i64, usize)>) -> Vec<Bucket> {
    let width = SEVERITIES.len() + 1;
    let mut buckets: Vec<Bucket> = DURATION_BOUNDS
        .iter()
        .map(|(_, label)| label.to_string())
        .chain(std::iter::once("≥1d".to_string()))
        .map(|label| Bucket { label, values: vec![0; width] })
        .collect();
    for (secs, sev) in durations {
        let i = DURATION_BOUNDS.iter().position(|(b, _)| secs < *b).unwrap_or(DURATION_BOUNDS.len());
        buckets[i].values[sev.min(width - 1)] += 1;
    }
    buckets
}

/// Size and labels of one chart.
pub struct ChartSpec<'a> {
    /// Unique within the page (used for `aria-labelledby`).
    pub id: &'a str,
    pub title: &'a str,
    pub width: u32,
    pub height: u32,
    /// CSS class suffix and legend label of each series.
    pub series: &'a [(&'a str, &'a str)],
}

/// The severity series in chart order.
pub const SEVERITY_SERIES: [(&str, &str); 6] =
    [("p1", "P1"), ("p2", "P2"), ("p3", "P3"), ("p4", "P4"), ("p5", "P5"), ("other", "other")];

/// A stacked bar chart as an `<svg>` element. Series that are zero everywhere are left out of
/// the legend. Every bar has a `<title>` tooltip with its numbers.
pub fn stacked_bars(spec: &ChartSpec, buckets: &[Bucket]) -> String {
    let (w, h) = (spec.width as f64, spec.height as f64);
    let (left, right, top, bottom) = (40.0, 28.0, 26.0, 22.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = buckets.iter().map(|b| b.values.iter().sum::<u64>()).max().unwrap_or(0);
    let scale_max = nice_max(max);
    let used: Vec<bool> = (0..spec.series.len())
        .map(|s| buckets.iter().any(|b| b.values.get(s).is_some_and(|v| *v > 0)))
        .collect();

    let mut svg = String::with_capacity(2048 + buckets.len() * 160);
    let id = escape(spec.id);
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title>",
        escape(spec.title)
    );
    // Legend.
    let mut x = left;
    for (s, (class, label)) in spec.series.iter().enumerate() {
        if !used[s] {
            continue;
        }
        let _ = write!(
            svg,
            "<rect class=\"s-{}\" x=\"{}\" y=\"6\" width=\"10\" height=\"10\"/>\
             <text class=\"legend\" x=\"{}\" y=\"15\">{}</text>",
            escape(class),
            D1(x),
            D1(x + 14.0),
            escape(label)
        );
        x += 22.0 + 7.0 * label.chars().count() as f64;
    }
    // Grid and y labels at whole steps.
    let step = tick_step(scale_max);
    let mut value = 0;
    while value <= scale_max {
        let y = top + plot_h * (1.0 - value as f64 / scale_max.max(1) as f64);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{value}</text>",
            D1(w - right),
            D1(y),
            D1(y),
            D1(left - 5.0),
            D1(y + 4.0)
        );
        value += step;
    }
    if buckets.is_empty() {
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text></svg>",
            D1(left + plot_w / 2.0),
            D1(top + plot_h / 2.0)
        );
        return svg;
    }
    let slot = plot_w / buckets.len() as f64;
    let bar = (slot * 0.8).max(0.5);
    // Axis labels: at the first column of each year when columns are months or quarters
    // (showing the year), else every so many columns; never closer than about 44 px.
    let min_gap = (44.0 / slot).ceil().max(1.0) as usize;
    let year_of =
        |label: &str| label.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit())).map(str::to_string);
    let by_year =
        buckets.len() > 1 && buckets.iter().all(|b| b.label.len() > 4 && year_of(&b.label).is_some());
    let mut last_label: Option<usize> = None;
    for (i, b) in buckets.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let total: u64 = b.values.iter().sum();
        let mut tip = format!("{}: {total}", b.label);
        for (s, v) in b.values.iter().enumerate() {
            if *v > 0 && spec.series.len() > 1 {
                let _ = write!(tip, ", {} {v}", spec.series.get(s).map_or("", |x| x.1));
            }
        }
        let _ = write!(svg, "<g><title>{}</title>", escape(&tip));
        let mut y = top + plot_h;
        for (s, v) in b.values.iter().enumerate() {
            if *v == 0 || scale_max == 0 {
                continue;
            }
            let bh = plot_h * *v as f64 / scale_max as f64;
            y -= bh;
            let _ = write!(
                svg,
                "<rect class=\"s-{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                escape(spec.series.get(s).map_or("other", |x| x.0)),
                D1(x),
                D1(y),
                D1(bar),
                D1(bh)
            );
        }
        // An invisible full-height target so that empty or thin columns still show the tooltip.
        let _ = write!(
            svg,
            "<rect class=\"hit\" x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{}\"/></g>",
            D1(left + slot * i as f64),
            D1(slot),
            D1(plot_h)
        );
        let text = if by_year {
            let year = year_of(&b.label);
            (i == 0 || year != year_of(&buckets[i - 1].label)).then(|| year.unwrap_or_default())
        } else {
            Some(b.label.clone())
        };
        if let Some(text) = text.filter(|_| last_label.is_none_or(|l| i - l >= min_gap)) {
            last_label = Some(i);
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                D1(x + bar / 2.0),
                D1(h - 6.0),
                escape(&text)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The distance between two labelled grid lines: a 1, 2, 5 × 10ⁿ step giving at most five
/// intervals up to `max` (which [`nice_max`] made a multiple of it).
fn tick_step(max: u64) -> u64 {
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if max / step <= 5 && max.is_multiple_of(step) {
                return step;
            }
        }
        base = base.saturating_mul(10);
        if base > max {
            return max.max(1);
        }
    }
}

/// A coordinate with one decimal, written without float formatting machinery (charts are
/// drawn for every customer page).
struct D1(f64);

impl std::fmt::Display for D1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `max` (at least 1).
fn nice_max(max: u64) -> u64 {
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            if base.saturating_mul(m) >= max {
                return base.saturating_mul(m).max(1);
            }
        }
        base = base.saturating_mul(10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, 10, 0, 0, 0).unwrap()
    }

    #[test]
    fn months_fill_gaps() {
        let b = by_time_and_severity([(t(2025, 1), 0), (t(2025, 3), 1), (t(2025, 3), 0)], 60);
        assert_eq!(b.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), ["2025-01", "2025-02", "2025-03"]);
        assert_eq!(b[2].values[..2], [1, 1]);
        assert_eq!(b[1].values.iter().sum::<u64>(), 0);
    }

    #[test]
    fn long_spans_use_quarters_then_years() {
        let b = by_time_and_severity([(t(2018, 1), 0), (t(2024, 12), 9)], 60);
        assert_eq!(b.first().unwrap().label, "2018 Q1");
        assert_eq!(b.last().unwrap().label, "2024 Q4");
        assert_eq!(b.last().unwrap().values[5], 1, "unknown severity goes to `other`");
        let y = by_time_and_severity([(t(1990, 1), 0), (t(2024, 12), 0)], 60);
        assert_eq!(y.len(), 35);
        assert_eq!(y[0].label, "1990");
    }

    #[test]
    fn durations_fall_in_classes() {
        let b = duration_distribution([(60, 0), (2675, 0), (3600, 1), (100_000, 2)]);
        assert_eq!(b[0].values[0], 1);
        assert_eq!(b[3].values[0], 1, "44 min 35 s is in 30–60 min");
        assert_eq!(b[4].values[1], 1, "one hour is in 1–2 h");
        assert_eq!(b[8].values[2], 1);
    }

    #[test]
    fn svg_escapes_labels_and_has_tooltips() {
        let series = [("p1", "P1")];
        let spec = ChartSpec { id: "c", title: "<x>", width: 300, height: 120, series: &series };
        let svg = stacked_bars(&spec, &[Bucket { label: "a&b".into(), values: vec![3] }]);
        assert!(svg.contains("<title id=\"c-t\">&lt;x&gt;</title>"));
        assert!(svg.contains("<title>a&amp;b: 3</title>"));
        assert!(!svg.contains("<x>"));
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(11), 20);
        assert_eq!(tick_step(5), 1);
        assert_eq!(tick_step(20), 5);
        assert_eq!(tick_step(50), 10);
        assert_eq!(tick_step(1000), 200);
    }
}
