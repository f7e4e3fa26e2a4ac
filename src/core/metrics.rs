//! Host metrics read over SSH (CPU usage, load, memory, disk) and the resource pressure they
//! put a host under, judged with seed 003's thresholds: warning at 80 %, critical at 90 % of
//! capacity by default.
//!
//! Pressure is a dimension of its own, apart from reachability and service state
//! ([`crate::core::health`]): a backup host carrying all the traffic is busy and healthy. CPU is
//! judged by its usage between two probes, as seed 003 does; the load average is shown for
//! information only (it counts tasks waiting for the disk too, and any busy machine exceeds its
//! core count).

use crate::core::diagnostic::Collector;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The shell command whose output [`parse`] reads. Read-only, POSIX tools and /proc only.
pub const METRICS_COMMAND: &str = "nproc; cat /proc/loadavg; grep '^cpu ' /proc/stat; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo; df -P -k -x tmpfs -x devtmpfs -x overlay -x squashfs 2>/dev/null | tail -n +2";

/// The machine's CPU time counters (`/proc/stat`'s `cpu` line), in clock ticks since boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuTimes {
    /// Ticks spent doing work (everything but idle and iowait).
    pub busy: u64,
    /// Every tick.
    pub total: u64,
}

impl CpuTimes {
    /// Reads `cpu  user nice system idle iowait irq softirq steal …`.
    fn parse(line: &str) -> Option<CpuTimes> {
        let mut fields = line.split_whitespace();
        if fields.next()? != "cpu" {
            return None;
        }
        let ticks: Vec<u64> = fields
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        if ticks.len() < 4 {
            return None;
        }
        let total = ticks.iter().fold(0u64, |sum, t| sum.saturating_add(*t));
        let idle = ticks[3].saturating_add(ticks.get(4).copied().unwrap_or(0));
        Some(CpuTimes {
            busy: total.saturating_sub(idle),
            total,
        })
    }

    /// CPU usage in percent between an earlier reading and this one; `None` when no time
    /// passed or the counters went back (the host rebooted).
    pub fn usage_since(&self, earlier: &CpuTimes) -> Option<f64> {
        let total = self.total.checked_sub(earlier.total)?;
        let busy = self.busy.checked_sub(earlier.busy)?;
        (total > 0).then(|| (100.0 * busy as f64 / total as f64).min(100.0))
    }
}

/// What a host reported.
#[derive(Debug, Clone, PartialEq)]
pub struct HostMetrics {
    /// CPU cores.
    pub cores: u32,
    /// One-minute load average.
    pub load1: f64,
    /// CPU time counters, when the host has `/proc/stat`.
    pub cpu: Option<CpuTimes>,
    /// Memory in use (total minus available), percent.
    pub memory_percent: u8,
    /// Each mounted filesystem and its use, percent.
    pub disks: Vec<(String, u8)>,
}

/// How much pressure a resource is under.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Below the warning threshold.
    #[default]
    Normal,
    /// At or above the warning threshold.
    Warning,
    /// At or above the critical threshold.
    Critical,
}

impl Level {
    /// The name used in files and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Level::Normal => "normal",
            Level::Warning => "warning",
            Level::Critical => "critical",
        }
    }
}

/// The pressure thresholds, percent of capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// At or above: warning (80 by default).
    pub warn: u8,
    /// At or above: critical (90 by default).
    pub critical: u8,
}

/// A host's resource pressure: the worst resource and what each one says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The worst level found.
    pub level: Level,
    /// The resource at that level (`cpu`, `mem`, `disk /data`), when one is above normal.
    pub worst: Option<String>,
    /// A one-line summary, worst first, e.g. `disk / 93% (critical) · cpu 12% · load 0.40/2 ·
    /// mem 41%`.
    pub summary: String,
    /// Each judged resource (`cpu`, `mem`, `disk /data`) and its level, worst first.
    pub levels: Vec<(String, Level)>,
}

/// Reads [`METRICS_COMMAND`]'s output; `None` when it is not what the command prints.
pub fn parse(output: &str) -> Option<HostMetrics> {
    let mut lines = output.lines();
    let cores: u32 = lines.next()?.trim().parse().ok().filter(|c| *c > 0)?;
    let load1: f64 = lines
        .next()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
        .filter(|l: &f64| l.is_finite() && *l >= 0.0)?;
    let (mut total, mut available, mut cpu) = (None, None, None);
    let mut disks = Vec::new();
    for line in lines {
        if line.starts_with("cpu ") {
            cpu = CpuTimes::parse(line);
            continue;
        }
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
        cpu,
        memory_percent,
        disks,
    })
}

fn level(percent: f64, t: Thresholds) -> Level {
    if percent >= f64::from(t.critical) {
        Level::Critical
    } else if percent >= f64::from(t.warn) {
        Level::Warning
    } else {
        Level::Normal
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl HostMetrics {
    /// Judges CPU usage (since `earlier`, the previous reading of the same host), memory and
    /// every disk against the thresholds. The load average is reported, not judged.
    pub fn assess(&self, earlier: Option<&CpuTimes>, t: Thresholds) -> Assessment {
        let mut items: Vec<(Level, String, String)> = Vec::new();
        let cpu = match (self.cpu, earlier) {
            (Some(now), Some(before)) => now.usage_since(before),
            _ => None,
        };
        if let Some(usage) = cpu {
            items.push((level(usage, t), "cpu".into(), format!("cpu {usage:.0}%")));
        }
        items.push((
            Level::Normal,
            "load".into(),
            format!("load {:.2}/{}", self.load1, self.cores),
        ));
        items.push((
            level(f64::from(self.memory_percent), t),
            "mem".into(),
            format!("mem {}%", self.memory_percent),
        ));
        for (mount, used) in &self.disks {
            items.push((
                level(f64::from(*used), t),
                format!("disk {mount}"),
                format!("disk {mount} {used}%"),
            ));
        }
        items.sort_by_key(|item| std::cmp::Reverse(item.0));
        let worst = items.first().map_or(Level::Normal, |i| i.0);
        // Disks below the warning level are left out of the summary: there can be many.
        let summary = items
            .iter()
            .filter(|(l, name, _)| *l > Level::Normal || !name.starts_with("disk"))
            .map(|(l, _, text)| {
                if *l > Level::Normal {
                    format!("{text} ({l})")
                } else {
                    text.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" · ");
        Assessment {
            levels: items
                .iter()
                .filter(|(_, name, _)| name != "load")
                .map(|(l, name, _)| (name.clone(), *l))
                .collect(),
            level: worst,
            worst: items
                .first()
                .filter(|i| i.0 > Level::Normal)
                .map(|i| i.1.clone()),
            summary,
        }
    }
}

/// A host's pressure over successive readings: the CPU usage between two of them, and the
/// level changes worth journaling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PressureTracker {
    /// The last readable metrics, judged; `None` before the first.
    pub current: Option<Assessment>,
    /// Why the last reading failed, until one succeeds again.
    pub unreadable: Option<String>,
    cpu_before: Option<CpuTimes>,
}

impl PressureTracker {
    /// The current level (normal before any reading).
    pub fn level(&self) -> Level {
        self.current.as_ref().map_or(Level::Normal, |a| a.level)
    }

    /// Takes one reading; returns the level before and after when it changed. A failed
    /// reading keeps the last level (it is shown as unreadable, not as relief).
    pub fn observe(
        &mut self,
        reading: Result<&HostMetrics, &str>,
        thresholds: Thresholds,
    ) -> Option<(Level, Level)> {
        let metrics = match reading {
            Ok(metrics) => metrics,
            Err(why) => {
                self.unreadable = Some(why.to_string());
                return None;
            }
        };
        let before = self.level();
        let assessment = metrics.assess(self.cpu_before.as_ref(), thresholds);
        self.cpu_before = metrics.cpu;
        self.unreadable = None;
        let after = assessment.level;
        self.current = Some(assessment);
        (before != after).then_some((before, after))
    }
}

/// A `fail_on_pressure` limit as written (`warning` or `critical`); reported where written otherwise.
pub(crate) fn pressure_limit(
    level: &toml::Spanned<String>,
    checker: &mut Collector<'_>,
) -> Option<Level> {
    match level.get_ref().as_str() {
        "warning" => Some(Level::Warning),
        "critical" => Some(Level::Critical),
        other => {
            checker.error(
                level.span(),
                format!("unknown pressure level `{other}`"),
                Some("`warning` or `critical` (80 % and 90 % by default)"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "2\n1.70 0.50 0.20 2/345 6789\ncpu  100 0 100 700 100 0 0 0 0 0\nMemTotal:        4000000 kB\nMemAvailable:    1000000 kB\n/dev/vda1 41152812 38500000 2600000 94% /\n/dev/vdb 1000 100 900 10% /data\n";

    const SEED_003: Thresholds = Thresholds {
        warn: 80,
        critical: 90,
    };

    fn sample() -> HostMetrics {
        parse(SAMPLE).unwrap_or_else(|| panic!("not parsed"))
    }

    #[test]
    fn parses_what_the_command_prints() {
        let m = sample();
        assert_eq!(m.cores, 2);
        assert!((m.load1 - 1.7).abs() < 1e-9);
        assert_eq!(
            m.cpu,
            Some(CpuTimes {
                busy: 200,
                total: 1000
            })
        );
        assert_eq!(m.memory_percent, 75);
        assert_eq!(m.disks, [("/".to_string(), 94), ("/data".to_string(), 10)]);
    }

    #[test]
    fn seed_003_thresholds_judge_cpu_usage_memory_and_disk() {
        let m = sample();
        let earlier = CpuTimes {
            busy: 110,
            total: 900,
        };
        // 90 busy ticks of 100: 90 % CPU, critical; the disk is critical too.
        let a = m.assess(Some(&earlier), SEED_003);
        assert_eq!(a.level, Level::Critical);
        assert_eq!(a.worst.as_deref(), Some("cpu"));
        assert_eq!(
            a.summary,
            "cpu 90% (critical) · disk / 94% (critical) · load 1.70/2 · mem 75%"
        );
        let relaxed = m.assess(
            Some(&earlier),
            Thresholds {
                warn: 95,
                critical: 99,
            },
        );
        assert_eq!(relaxed.level, Level::Normal);
        assert_eq!(relaxed.worst, None);
        assert_eq!(relaxed.summary, "cpu 90% · load 1.70/2 · mem 75%");
    }

    #[test]
    fn a_load_far_above_the_cores_is_not_pressure_by_itself() {
        let busy_but_healthy = parse(
            "2\n7.90 6.0 5.0 9/345 6789\nMemTotal: 4000 kB\nMemAvailable: 3000 kB\n/dev/vda1 10 1 9 10% /\n",
        )
        .unwrap_or_else(|| panic!("not parsed"));
        let a = busy_but_healthy.assess(None, SEED_003);
        assert_eq!(a.level, Level::Normal, "{}", a.summary);
        assert_eq!(a.summary, "load 7.90/2 · mem 25%");
    }

    #[test]
    fn cpu_usage_needs_two_readings_that_move_forward() {
        let now = CpuTimes {
            busy: 50,
            total: 100,
        };
        assert_eq!(now.usage_since(&now), None, "no time passed");
        let rebooted = CpuTimes {
            busy: 10,
            total: 500,
        };
        assert_eq!(now.usage_since(&rebooted), None);
        let before = CpuTimes { busy: 0, total: 0 };
        assert_eq!(now.usage_since(&before), Some(50.0));
        assert_eq!(
            sample().assess(None, SEED_003).worst.as_deref(),
            Some("disk /")
        );
    }

    #[test]
    fn the_tracker_reports_level_changes_and_keeps_the_level_when_unreadable() {
        let mut tracker = PressureTracker::default();
        let m = |busy: u64, total: u64| HostMetrics {
            cpu: Some(CpuTimes { busy, total }),
            ..sample()
        };
        let quiet = HostMetrics {
            disks: Vec::new(),
            ..m(0, 0)
        };
        assert_eq!(tracker.observe(Ok(&quiet), SEED_003), None, "no usage yet");
        let hot = HostMetrics {
            disks: Vec::new(),
            ..m(95, 100)
        };
        assert_eq!(
            tracker.observe(Ok(&hot), SEED_003),
            Some((Level::Normal, Level::Critical))
        );
        assert_eq!(tracker.observe(Err("timed out"), SEED_003), None);
        assert_eq!(tracker.level(), Level::Critical);
        assert_eq!(tracker.unreadable.as_deref(), Some("timed out"));
        let calm = HostMetrics {
            disks: Vec::new(),
            ..m(100, 200)
        };
        assert_eq!(
            tracker.observe(Ok(&calm), SEED_003),
            Some((Level::Critical, Level::Normal)),
            "5 busy ticks of 100"
        );
        assert_eq!(tracker.unreadable, None);
    }

    #[test]
    fn garbage_is_not_metrics() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("zero\n"), None);
        assert_eq!(parse("0\n1 1 1\n"), None);
        assert_eq!(
            parse("2\nNaN 0 0\nMemTotal: 1 kB\nMemAvailable: 1 kB\n"),
            None
        );
        assert_eq!(
            parse("2\n0.1 0 0\nMemTotal: 0 kB\nMemAvailable: 0 kB\n"),
            None
        );
        let odd_cpu = parse("2\n0.1 0 0\ncpu x y\nMemTotal: 4 kB\nMemAvailable: 1 kB\n");
        assert_eq!(odd_cpu.map(|m| m.cpu), Some(None));
    }
}
