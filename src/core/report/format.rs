//! Times and durations as the report prints them: UTC, ISO-8601, and short human durations.

use chrono::{DateTime, Datelike, Timelike, Utc};
use std::fmt::Write;

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
    let mut out = String::with_capacity(19);
    hms_into(&mut out, t);
    out
}

/// Appends `20:26:16`.
fn hms_into(out: &mut String, t: &DateTime<Utc>) {
    two_digits(out, t.hour());
    out.push(':');
    two_digits(out, t.minute());
    out.push(':');
    two_digits(out, t.second());
}

/// Appends `n` (below 100) as two digits, as `{:02}` would.
fn two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Whether two moments fall on the same UTC day.
fn same_day(a: &DateTime<Utc>, b: &DateTime<Utc>) -> bool {
    a.date_naive() == b.date_naive()
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

/// Time of day in UTC, `20:26:16`, with the day in front when it is not the UTC day of
/// `day_ms`: the same text as [`clock`]`(at_ms, &`[`day`]`(day_ms))`, without writing the days
/// out to compare them (a report prints tens of thousands of these).
pub fn clock_on(at_ms: i64, day_ms: i64) -> String {
    let mut out = String::with_capacity(19);
    clock_on_into(&mut out, at_ms, day_ms);
    out
}

/// Appends [`clock_on`]`(at_ms, day_ms)`.
pub fn clock_on_into(out: &mut String, at_ms: i64, day_ms: i64) {
    let Some(t) = DateTime::from_timestamp_millis(at_ms) else {
        let _ = write!(out, "{at_ms} ms");
        return;
    };
    match DateTime::from_timestamp_millis(day_ms) {
        Some(day) if same_day(&t, &day) => {}
        _ => {
            out.push_str(&day_of(&t));
            out.push(' ');
        }
    }
    hms_into(out, &t);
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
    let mut out = String::with_capacity(32);
    offset_into(&mut out, ms);
    out
}

/// Appends [`offset`]`(ms)`.
pub fn offset_into(out: &mut String, ms: i64) {
    let sign = if ms < 0 { '-' } else { '+' };
    let secs = ms.unsigned_abs() / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    out.push(sign);
    if h > 0 {
        let _ = write!(out, "{h}:");
    }
    two_digits(out, m as u32);
    out.push(':');
    two_digits(out, s as u32);
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
        // The same text as `clock` on the day written out, across days, years and the range.
        let moments = [
            1_795_292_776_472,
            1_795_292_776_472 + 86_400_000,
            1_795_292_776_472 - 86_400_000,
            0,
            -1,
            -62_198_755_200_000,
            253_402_300_800_000,
            i64::MAX,
        ];
        for at_ms in moments {
            for day_ms in moments {
                assert_eq!(clock_on(at_ms, day_ms), clock(at_ms, &day(day_ms)));
            }
        }
        assert_eq!(offset(36_000_000), "+10:00:00");
        assert_eq!(offset(-59_999), "-00:59");
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
