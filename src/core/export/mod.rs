//! Journal exports: pure formatting of verified entries into files other tools read.

pub mod jsonl;
pub mod shell_cast;

/// An instant as ISO-8601 UTC with milliseconds (`2026-11-21T16:03:07.412Z`); None when
/// `at_ms` lies outside the range a date can express.
pub fn iso_utc(at_ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_with_milliseconds() {
        assert_eq!(iso_utc(0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(
            iso_utc(1_795_363_387_412).as_deref(),
            Some("2026-11-22T16:03:07.412Z")
        );
        assert_eq!(iso_utc(-1).as_deref(), Some("1969-12-31T23:59:59.999Z"));
        assert_eq!(iso_utc(i64::MAX), None);
    }
}
