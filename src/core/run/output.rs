//! The part of a command's output the journal keeps: its end, bounded, secrets masked.

/// Bytes of one target's output kept in its `step_output` record.
pub const OUTPUT_TAIL_BYTES: usize = 4096;

/// Marks output that was cut at the front.
const CUT: &str = "…\n";

/// The last `max` bytes of `text` (cut on a character boundary, marked when cut).
pub fn tail(text: &str, max: usize) -> String {
    let end = last_bytes(text, max);
    if end.len() == text.len() {
        return text.to_string();
    }
    format!("{CUT}{end}")
}

/// At most the last `max` bytes of `text`, starting on a character boundary.
pub fn last_bytes(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text.get(start..).unwrap_or_default()
}

/// stdout then stderr (under a `[stderr]` line) as the journal keeps them: at most
/// [`OUTPUT_TAIL_BYTES`] from the end, each secret replaced by `***`.
pub fn journal_output(stdout: &str, stderr: &str, secrets: &[String]) -> String {
    let mut both = stdout.trim_end().to_string();
    if !stderr.trim().is_empty() {
        if !both.is_empty() {
            both.push('\n');
        }
        both.push_str("[stderr]\n");
        both.push_str(stderr.trim_end());
    }
    let mut masked = both;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        masked = masked.replace(secret.as_str(), crate::core::redact::MASK);
    }
    tail(&masked, OUTPUT_TAIL_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(tail("short", 10), "short");
        assert_eq!(tail("abcdef", 3), "…\ndef");
        assert_eq!(tail("主应用", 4), "…\n用");
    }

    #[test]
    fn output_is_bounded_masked_and_keeps_stderr_last() {
        let out = journal_output("ok hunter2\n", "warning\n", &["hunter2".into()]);
        assert_eq!(out, "ok ***\n[stderr]\nwarning");
        let big = "x".repeat(10 * OUTPUT_TAIL_BYTES);
        let out = journal_output(&big, "the error", &[]);
        assert!(out.len() <= OUTPUT_TAIL_BYTES + CUT.len());
        assert!(out.ends_with("[stderr]\nthe error"));
    }
}
