//! The read-only diagnose bundle run on a host (the server failure guide's diagnose and
//! performance-analysis scripts): one shell command that prints labelled sections — the system,
//! its performance, each service the host declares (run as that service's user, with its PATH),
//! the host's own extra sections, its logs' recent errors — and the parser that splits them back.
//!
//! Every section runs in its own `sh -c` with an empty stdin, under a time limit, its stderr
//! folded into its output and a non-zero exit status written after it: one section failing, or
//! a tool missing on the host, never stops the others.

mod services;

use crate::core::inventory::Host;
use crate::core::settings::dangerous_matches;
use crate::core::template::shell_quote;

/// Marks the start of a section in the bundle's output.
const MARK: &str = "=== cockpit: ";

/// Lines of each log's recent errors to include.
pub const LOG_ERROR_LINES: usize = 20;

/// Seconds one section may run before it is stopped (the rest of the bundle still runs).
pub const SECTION_LIMIT_SECS: u64 = 15;

/// Longest section title kept, in characters.
const TITLE_MAX: usize = 120;

/// One section of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Its title, as the report shows it.
    pub title: String,
    /// The command, as `sh -c` runs it on the host.
    pub command: String,
}

impl Section {
    fn new(title: impl Into<String>, command: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            command: command.into(),
        }
    }
}

/// `command` when `tool` is on PATH, else a line saying it is missing (`hint`: where it comes
/// from, if anywhere in particular).
pub(crate) fn need(tool: &str, hint: &str, command: &str) -> String {
    let why = if hint.is_empty() {
        String::new()
    } else {
        format!(" ({hint})")
    };
    let missing = shell_quote(&format!(
        "(missing: {tool} is not installed here, or not on this user's PATH{why})"
    ));
    format!(
        "if command -v {tool} >/dev/null 2>&1; then {command}; else echo {missing}; fi",
        tool = shell_quote(tool)
    )
}

/// The sections of `host`'s bundle, in order: system, performance, listening ports, failed
/// units, each declared service's, the host's own (`diagnose`; one that matches a dangerous
/// pattern is not run), then each log's recent errors.
pub fn bundle_sections(host: &Host, dangerous_patterns: &[String]) -> Vec<Section> {
    let mut parts = vec![
        Section::new("system", "hostname; date; uname -sr; uptime"),
        Section::new("memory", "free -h 2>/dev/null || cat /proc/meminfo"),
        Section::new(
            "disk",
            "df -hP -x tmpfs -x devtmpfs -x overlay -x squashfs 2>/dev/null || df -h",
        ),
        Section::new(
            "cpu and top processes",
            need("top", "", "top -b -n 1 | head -n 20"),
        ),
        Section::new("virtual memory", need("vmstat", "procps", "vmstat 1 3")),
        Section::new("disk i/o", need("iostat", "sysstat", "iostat -x 1 2")),
        Section::new(
            "listening ports",
            "ss -tlnp 2>/dev/null || netstat -tlnp 2>/dev/null || echo '(neither ss nor netstat)'",
        ),
        Section::new("connections", "ss -s 2>/dev/null || echo '(ss is missing)'"),
        Section::new(
            "failed units",
            "systemctl --failed --no-legend --plain 2>/dev/null || echo '(no systemd)'",
        ),
    ];
    for name in host.services.keys() {
        parts.extend(services::sections(name, host));
    }
    for extra in &host.diagnose {
        let hits = dangerous_matches(&extra.run, dangerous_patterns);
        let command = match hits.first() {
            None => extra.run.clone(),
            Some(hit) => format!(
                "echo {}",
                shell_quote(&format!(
                    "(not run: it matches the dangerous pattern `{hit}`; a diagnose section must only read)"
                ))
            ),
        };
        parts.push(Section::new(extra.title.clone(), command));
    }
    for log in &host.logs {
        let q = shell_quote(log);
        parts.push(Section::new(
            format!("errors in {log}"),
            format!("if [ -r {q} ]; then grep -aiE 'error|fatal|panic|refused|denied|timed? ?out|50[234]|out of memory' {q} | tail -n {LOG_ERROR_LINES}; else echo '(not readable)'; fi"),
        ));
    }
    parts
}

/// `host`'s whole bundle as one shell command (read-only; see [`bundle_sections`]).
pub fn diagnose_command(host: &Host, dangerous_patterns: &[String]) -> String {
    render(&bundle_sections(host, dangerous_patterns))
}

/// The sections as one command: each under `sh -c` with an empty stdin and
/// [`SECTION_LIMIT_SECS`] (where `timeout` exists), its title printed first, a non-zero exit
/// status after its output. The bundle itself always ends with status 0.
pub fn render(sections: &[Section]) -> String {
    let limit = SECTION_LIMIT_SECS;
    let mut script = format!(
        "cockpit_section() {{ printf '%s\\n' \"$1\"; \
         if command -v timeout >/dev/null 2>&1; then timeout -k 5 {limit} sh -c \"$2\" </dev/null 2>&1; \
         else sh -c \"$2\" </dev/null 2>&1; fi; cockpit_status=$?; \
         case $cockpit_status in 0) ;; 124) echo '(stopped: still running after {limit} s)' ;; \
         *) echo \"(exit status $cockpit_status)\" ;; esac; }}"
    );
    for section in sections {
        let command = if section.command.contains('\0') {
            "echo '(not run: the command holds a NUL byte)'".to_string()
        } else {
            section.command.clone()
        };
        script.push_str(&format!(
            "; cockpit_section {} {}",
            shell_quote(&format!("{MARK}{}", clean_title(&section.title))),
            shell_quote(&command)
        ));
    }
    script.push_str("; true");
    script
}

/// A section's title as the report shows it: on one line (control characters, line breaks
/// included, which could forge a section mark, become spaces), at most 120 characters.
pub fn clean_title(title: &str) -> String {
    let one_line: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(TITLE_MAX)
        .collect();
    if one_line.trim().is_empty() {
        "(untitled)".to_string()
    } else {
        one_line
    }
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
mod tests;
