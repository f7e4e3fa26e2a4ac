//! The read-only diagnose bundle run on a host (seed 000's diagnose script): one shell command
//! that prints labelled sections, and the parser that splits them back.

use crate::core::template::shell_quote;

/// Marks the start of a section in the bundle's output.
const MARK: &str = "=== cockpit: ";

/// Lines of each log's recent errors to include.
pub const LOG_ERROR_LINES: usize = 20;

/// The bundle for a host whose logs are `logs`: system, load, memory, disk, listening
/// ports, failed units, and the latest error lines of each log. Read-only; every tool missing
/// on the host is reported as missing, not as a failure of the bundle.
pub fn diagnose_command(logs: &[String]) -> String {
    let mut parts: Vec<(String, String)> = vec![
        ("system".into(), "hostname; date; uname -sr; uptime".into()),
        (
            "memory".into(),
            "free -h 2>/dev/null || cat /proc/meminfo".into(),
        ),
        (
            "disk".into(),
            "df -hP -x tmpfs -x devtmpfs -x overlay -x squashfs 2>/dev/null || df -h".into(),
        ),
        (
            "listening ports".into(),
            "ss -tlnp 2>/dev/null || netstat -tlnp 2>/dev/null || echo '(neither ss nor netstat)'"
                .into(),
        ),
        (
            "failed units".into(),
            "systemctl --failed --no-legend --plain 2>/dev/null || echo '(no systemd)'".into(),
        ),
    ];
    for log in logs {
        let q = shell_quote(log);
        parts.push((
            format!("errors in {log}"),
            format!("if [ -r {q} ]; then grep -aiE 'error|fatal|panic|refused|denied|timed? ?out|50[234]|out of memory' {q} | tail -n {LOG_ERROR_LINES}; else echo '(not readable)'; fi"),
        ));
    }
    parts
        .iter()
        .map(|(title, cmd)| {
            format!(
                "echo {}; {{ {cmd}; }} 2>&1",
                shell_quote(&format!("{MARK}{title}"))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Splits the bundle's output into (section title, body) pairs, in order.
pub fn sections(output: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for line in output.lines() {
        match line.strip_prefix(MARK) {
            Some(title) => found.push((title.to_string(), String::new())),
            None => match found.last_mut() {
                Some((_, body)) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None => found.push((String::new(), format!("{line}\n"))),
            },
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_where_the_bundle_marks_them() {
        let out = "=== cockpit: system\nweb-1\nup 3 days\n=== cockpit: errors in /var/log/x.log\n(not readable)\n";
        assert_eq!(
            sections(out),
            [
                ("system".to_string(), "web-1\nup 3 days\n".to_string()),
                (
                    "errors in /var/log/x.log".to_string(),
                    "(not readable)\n".to_string()
                )
            ]
        );
    }

    #[test]
    fn hostile_log_names_stay_quoted() {
        let cmd = diagnose_command(&["/tmp/x'; rm -rf / #".to_string()]);
        assert!(cmd.contains(r"'/tmp/x'\''; rm -rf / #'"), "{cmd}");
    }
}
