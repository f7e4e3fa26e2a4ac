//! Host metrics read over SSH (load against cores, memory, disk) and seed 003's thresholds:
//! warning at 80 %, critical at 90 % by default.

use std::fmt;

/// The shell command whose output [`parse`] reads. Read-only, POSIX tools and /proc only.
pub const METRICS_COMMAND: &str = "nproc; cat /proc/loadavg; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo; df -P -k -x tmpfs -x devtmpfs -x overlay -x squashfs 2>/dev/null | tail -n +2";

/// What a host reported.
#[derive(Debug, Clone, PartialEq)]
pub struct HostMetrics {
    /// CPU cores.
    pub cores: u32,
    /// One-minute load average.
    pub load1: f64,
    /// Memory in use (total minus available), percent.
    pub memory_percent: u8,
    /// Each mounted filesystem and its use, percent.
    pub disks: Vec<(String, u8)>,
}

/// How worrying a metric is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Below the warning threshold.
    Normal,
    /// At or above the warning threshold.
    Warning,
    /// At or above the critical threshold.
    Critical,
}

/// The worst metric and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The worst level found.
    pub level: Level,
    /// A one-line summary, worst first, e.g. `disk / 93% (critical) · load 0.4/2 · mem 41%`.
    pub summary: String,
}

/// Reads [`METRICS_COMMAND`]'s output; `None` when it is not what the command prints.
pub fn parse(output: &str) -> Option<HostMetrics> {
    let mut lines = output.lines();
    let cores: u32 = lines.next()?.trim().parse().ok().filter(|c| *c > 0)?;
    let load1: f64 = lines.next()?.split_whitespace().next()?.parse().ok()?;
    let (mut total, mut available) = (None, None);
    let mut disks = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["MemTotal:", kb, ..] => total = kb.parse::<u64>().ok(),
            ["MemAvailable:", kb, ..] => available = kb.parse::<u64>().ok(),
            [_, _, _, _, capacity, mount @ ..] if capacity.ends_with('%') && !mount.is_empty() => {
                if let Ok(used) = capacity.trim_end_matches('%').parse::<u8>() {
                    disks.push((mount.join(" "), used));
                }
            }
            _ => {}
        }
    }
    let (total, available) = (total.filter(|t| *t > 0)?, available?);
    let memory_percent = (100 * total.saturating_sub(available) / total).min(100) as u8;
    Some(HostMetrics {
        cores,
        load1,
        memory_percent,
        disks,
    })
}

fn level(percent: f64, warn: u8, critical: u8) -> Level {
    if percent >= f64::from(critical) {
        Level::Critical
    } else if percent >= f64::from(warn) {
        Level::Warning
    } else {
        Level::Normal
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Normal => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        })
    }
}

impl HostMetrics {
    /// Load per core as a percentage (load 1.6 on 2 cores = 80 %).
    pub fn load_percent(&self) -> f64 {
        100.0 * self.load1 / f64::from(self.cores)
    }

    /// Judges every metric against the thresholds (percent of capacity).
    pub fn assess(&self, warn: u8, critical: u8) -> Assessment {
        let mut items: Vec<(Level, String)> = vec![
            (
                level(self.load_percent(), warn, critical),
                format!("load {:.2}/{}", self.load1, self.cores),
            ),
            (
                level(f64::from(self.memory_percent), warn, critical),
                format!("mem {}%", self.memory_percent),
            ),
        ];
        for (mount, used) in &self.disks {
            items.push((
                level(f64::from(*used), warn, critical),
                format!("disk {mount} {used}%"),
            ));
        }
        items.sort_by_key(|item| std::cmp::Reverse(item.0));
        let worst = items.first().map_or(Level::Normal, |i| i.0);
        // Disks below the warning level are left out of the summary: there can be many.
        let summary = items
            .iter()
            .filter(|(l, text)| *l > Level::Normal || !text.starts_with("disk"))
            .map(|(l, text)| {
                if *l > Level::Normal {
                    format!("{text} ({l})")
                } else {
                    text.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" · ");
        Assessment {
            level: worst,
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "2\n1.70 0.50 0.20 2/345 6789\nMemTotal:        4000000 kB\nMemAvailable:    1000000 kB\n/dev/vda1 41152812 38500000 2600000 94% /\n/dev/vdb 1000 100 900 10% /data\n";

    #[test]
    fn parses_what_the_command_prints() {
        let m = parse(SAMPLE).unwrap_or_else(|| panic!("not parsed"));
        assert_eq!(m.cores, 2);
        assert!((m.load1 - 1.7).abs() < 1e-9);
        assert_eq!(m.memory_percent, 75);
        assert_eq!(m.disks, [("/".to_string(), 94), ("/data".to_string(), 10)]);
    }

    #[test]
    fn seed_003_thresholds() {
        let Some(m) = parse(SAMPLE) else {
            panic!("not parsed")
        };
        let a = m.assess(80, 90);
        assert_eq!(a.level, Level::Critical);
        assert_eq!(
            a.summary,
            "disk / 94% (critical) · load 1.70/2 (warning) · mem 75%"
        );
        let relaxed = m.assess(95, 99);
        assert_eq!(relaxed.level, Level::Normal);
        assert_eq!(relaxed.summary, "load 1.70/2 · mem 75%");
    }

    #[test]
    fn garbage_is_not_metrics() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("zero\n"), None);
        assert_eq!(parse("0\n1 1 1\n"), None);
        assert_eq!(
            parse("2\n0.1 0 0\nMemTotal: 0 kB\nMemAvailable: 0 kB\n"),
            None
        );
    }
}
