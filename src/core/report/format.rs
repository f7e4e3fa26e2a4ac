//! Times and durations as the report prints them: UTC, ISO-8601, and short human durations.

use chrono::DateTime;

/// `2026-11-21T20:26:16Z` (the unix milliseconds as a number when out of range).
pub fn iso(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| format!("{at_ms} ms"))
}

/// The UTC day, `2026-11-21`.
pub fn day(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Time of day in UTC, `20:26:16` (the unix milliseconds as a number when out of range).
pub fn time_of_day(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| format!("{at_ms} ms"))
}

/// Time of day in UTC, `20:26:16`, with the day in front when it is not `on_day`.
pub fn clock(at_ms: i64, on_day: &str) -> String {
    if DateTime::from_timestamp_millis(at_ms).is_none() {
        return format!("{at_ms} ms");
    }
    let time = time_of_day(at_ms);
    if day(at_ms) == on_day {
        time
    } else {
        format!("{} {time}", day(at_ms))
    }
}

/// Offset from a reference moment: `+00:03`, `-02:10`, `+1:02:03` (whole seconds, rounded down).
pub fn offset(ms: i64) -> String {
    let sign = if ms < 0 { '-' } else { '+' };
    let secs = ms.unsigned_abs() / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{sign}{h}:{m:02}:{s:02}")
    } else {
        format!("{sign}{m:02}:{s:02}")
    }
}

/// A duration for people: `47 ms`, `2.9 s`, `7 min 02 s`, `1 h 05 min`, `3 d 04 h`.
pub fn duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    let secs = ms / 1000;
    let text = if ms < 1000 {
        format!("{ms} ms")
    } else if secs < 60 {
        format!("{}.{} s", secs, ms % 1000 / 100)
    } else if secs < 3600 {
        format!("{} min {:02} s", secs / 60, secs % 60)
    } else if secs < 86_400 {
        format!("{} h {:02} min", secs / 3600, secs / 60 % 60)
    } else {
        format!("{} d {:02} h", secs / 86_400, secs / 3600 % 24)
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations_read_well() {
        assert_eq!(iso(1_795_292_776_472), "2026-11-21T20:26:16Z");
        assert_eq!(clock(1_795_292_776_472, "2026-11-21"), "20:26:16");
        assert_eq!(
            clock(1_795_292_776_472, "2026-11-20"),
            "2026-11-21 20:26:16"
        );
        assert_eq!(offset(3_999), "+00:03");
        assert_eq!(offset(-130_000), "-02:10");
        assert_eq!(offset(3_723_000), "+1:02:03");
        assert_eq!(duration(394), "394 ms");
        assert_eq!(duration(1_050), "1.0 s");
        assert_eq!(duration(7_158), "7.1 s");
        assert_eq!(duration(422_000), "7 min 02 s");
        assert_eq!(duration(3_900_000), "1 h 05 min");
        assert_eq!(duration(273_600_000), "3 d 04 h");
        assert_eq!(duration(-61_000), "-1 min 01 s");
        assert_eq!(iso(i64::MAX), format!("{} ms", i64::MAX));
    }
}
