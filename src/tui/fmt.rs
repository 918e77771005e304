//! Small formatting helpers for numbers, sizes, ages and one-line previews of event data.

use std::time::Duration;

use crate::text;

/// `1204` -> `1,204`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes for people: `512 B`, `12.3 KiB`, `1.2 MiB`, `3.4 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v < 10.0 {
        format!("{v:.1} {}", UNITS[unit])
    } else {
        format!("{v:.0} {}", UNITS[unit])
    }
}

/// Events per second: `0`, `0.4`, `12.3`, `1,204`.
pub fn rate(r: f64) -> String {
    if r <= 0.0 {
        "0".into()
    } else if r < 100.0 {
        let s = format!("{r:.1}");
        s.trim_end_matches(".0").to_string()
    } else {
        count(r.round() as u64)
    }
}

/// A countdown: tenths below ten seconds (`4.2 s`), then whole units.
pub fn countdown(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        // Round up, so "0.0 s" never shows while time is left.
        let tenths = d.as_millis().div_ceil(100);
        format!("{}.{} s", tenths / 10, tenths % 10)
    } else {
        text::duration(Duration::from_secs(d.as_secs()))
    }
}

/// How long ago: `just now`, `3 s ago`, `2 min 5 s ago`.
pub fn ago(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        "just now".into()
    } else {
        format!("{} ago", whole(d))
    }
}

/// A duration in whole units: `0 s`, `42 s`, `3 min 5 s`, `2 h 10 min`.
pub fn whole(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s} s")
    } else {
        text::duration(Duration::from_secs(s))
    }
}

/// `1 event`, `2 events`.
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{} {word}", count(n))
    } else {
        format!("{} {word}s", count(n))
    }
}

/// `values` summed into `n` consecutive groups of (nearly) equal size, oldest first; `values`
/// itself when it has no more than `n`.
pub fn squeeze(values: &[u32], n: usize) -> Vec<u32> {
    if n == 0 || values.len() <= n {
        return values.to_vec();
    }
    (0..n)
        .map(|k| {
            let (a, b) = (k * values.len() / n, (k + 1) * values.len() / n);
            values[a..b].iter().fold(0u32, |s, v| s.saturating_add(*v))
        })
        .collect()
}

/// `█▇▅▂` style sparkline of `values` scaled to their maximum.
pub fn sparkline(values: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                '▁'
            } else {
                // Any event at all shows above the zero baseline.
                let level = (u64::from(v) * 7).div_ceil(u64::from(max)).max(1) as usize;
                BARS[level.min(7)]
            }
        })
        .collect()
}

/// Text on one line, safe for the terminal, at most `max_chars` characters: JSON spread over
/// lines is made compact, other line breaks and control characters are shown escaped, and a
/// cut ends in `…` (which counts).
pub fn preview(data: &str, max_chars: usize) -> String {
    match text::one_line(data, max_chars) {
        Some(line) => line,
        None => text::clip(data, max_chars).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_naturally() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1204), "1,204");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!(rate(0.0), "0");
        assert_eq!(rate(12.34), "12.3");
        assert_eq!(rate(3.0), "3");
        assert_eq!(rate(10_000.0), "10,000");
        assert_eq!(countdown(Duration::from_millis(4210)), "4.3 s");
        assert_eq!(countdown(Duration::from_millis(4200)), "4.2 s");
        assert_eq!(countdown(Duration::from_secs(75)), "1 min 15 s");
        assert_eq!(sparkline(&[0, 1, 2, 4]), "▁▃▅█");
        assert_eq!(squeeze(&[1, 2, 3, 4, 5, 6], 3), [3, 7, 11]);
        assert_eq!(squeeze(&[1; 60], 10), [6; 10]);
        assert_eq!(squeeze(&[1, 2], 5), [1, 2]);
    }

    #[test]
    fn preview_is_one_safe_line() {
        assert_eq!(
            preview("{\n  \"a\": 1,\n  \"b\": [1, 2]\n}", 100),
            "{\"a\":1,\"b\":[1,2]}"
        );
        assert_eq!(preview("line1\nline2", 100), "line1\\nline2");
        assert_eq!(preview("\x1b[31mred", 100), "\\x1b[31mred");
        assert_eq!(preview("abcdef", 3), "ab…");
        assert_eq!(preview("abc", 3), "abc");
        assert_eq!(preview("héllo", 3), "hé…");
    }
}
