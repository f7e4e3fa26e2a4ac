//! Times and durations as the report prints them: UTC, ISO-8601, and short human durations.

use chrono::{DateTime, Datelike, Timelike, Utc};

// A report prints tens of thousands of times: each is written from the date's fields, not
// through chrono's format strings (parsed again at every call); a year chrono would print
// with a sign (before 0 or after 9999) still goes through chrono.

/// The date's `2026-11-21`, when its year takes four digits.
fn ymd(t: &DateTime<Utc>) -> Option<String> {
    (0..=9999)
        .contains(&t.year())
        .then(|| format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()))
}

/// `20:26:16`.
fn hms(t: &DateTime<Utc>) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// The UTC day of a moment, `2026-11-21`.
fn day_of(t: &DateTime<Utc>) -> String {
    ymd(t).unwrap_or_else(|| t.format("%Y-%m-%d").to_string())
}

/// `2026-11-21T20:26:16Z` (the unix milliseconds as a number when out of range).
pub fn iso(at_ms: i64) -> String {
    match DateTime::from_timestamp_millis(at_ms) {
        Some(t) => match ymd(&t) {
            Some(date) => format!("{date}T{}Z", hms(&t)),
            None => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        },
        None => format!("{at_ms} ms"),
    }
}

/// The UTC day, `2026-11-21`.
pub fn day(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .map(|t| day_of(&t))
        .unwrap_or_default()
}

/// Time of day in UTC, `20:26:16` (the unix milliseconds as a number when out of range).
pub fn time_of_day(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .map(|t| hms(&t))
        .unwrap_or_else(|| format!("{at_ms} ms"))
}

/// Time of day in UTC, `20:26:16`, with the day in front when it is not `on_day`.
pub fn clock(at_ms: i64, on_day: &str) -> String {
    let Some(t) = DateTime::from_timestamp_millis(at_ms) else {
        return format!("{at_ms} ms");
    };
    let time = hms(&t);
    let day = day_of(&t);
    if day == on_day {
        time
    } else {
        format!("{day} {time}")
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
        // Years chrono prints with a sign, and the first and last of four digits.
        for at_ms in [
            -62_198_755_200_000,
            -62_167_219_200_000,
            253_402_300_799_000,
            253_402_300_800_000,
        ] {
            let t = DateTime::from_timestamp_millis(at_ms).expect("in range");
            assert_eq!(iso(at_ms), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(day(at_ms), t.format("%Y-%m-%d").to_string());
            assert_eq!(time_of_day(at_ms), t.format("%H:%M:%S").to_string());
        }
    }
}
