//! The load, memory and disk a simulated host reports. The fleet reads them with
//! [`METRICS_COMMAND`] over SSH; a demo host answers with figures of its own made-up machine
//! rather than running the command, which would report the machine cockpit runs on (five
//! "hosts" all sharing its load).

use crate::core::metrics::METRICS_COMMAND;
use crate::demo::hosts::DemoHostSpec;
use crate::io::ssh::remote_command;

/// A simulated machine's size and steady usage.
struct Machine {
    cores: u32,
    load1: f64,
    cpu_percent: u64,
    memory_kb: u64,
    memory_used_percent: u64,
    disk_kb: u64,
    disk_used_percent: u64,
}

fn machine(spec: DemoHostSpec) -> Machine {
    match spec.role {
        "nginx" => Machine {
            cores: 2,
            load1: 0.31,
            cpu_percent: 14,
            memory_kb: 4 << 20,
            memory_used_percent: 38,
            disk_kb: 40 << 20,
            disk_used_percent: 27,
        },
        "backup-store" => Machine {
            cores: 2,
            load1: 0.12,
            cpu_percent: 6,
            memory_kb: 4 << 20,
            memory_used_percent: 22,
            disk_kb: 500 << 20,
            disk_used_percent: 61,
        },
        _ => Machine {
            cores: 8,
            load1: 1.84,
            cpu_percent: 31,
            memory_kb: 16 << 20,
            memory_used_percent: 57,
            disk_kb: 200 << 20,
            disk_used_percent: 43,
        },
    }
}

/// What the host prints for `command` when that is the metrics command; `None` for any other
/// command, which runs for real.
pub(crate) fn simulated_output(spec: DemoHostSpec, command: &str) -> Option<String> {
    (command == remote_command(METRICS_COMMAND))
        .then(|| metrics_output(&machine(spec), uptime_ticks()))
}

/// Clock ticks (1/100 s, as /proc/stat counts) of one core since the epoch: the simulated
/// machines' CPU counters grow with the real clock, so two readings give their usage.
fn uptime_ticks() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_millis() / 10) as u64)
}

/// The metrics command's output (`nproc`, `/proc/loadavg`, the `/proc/stat` cpu line, two
/// `/proc/meminfo` lines and `df -P -k` rows without the header) for `m` at `ticks`.
fn metrics_output(m: &Machine, ticks: u64) -> String {
    let available_kb = m.memory_kb * (100 - m.memory_used_percent) / 100;
    let used_kb = m.disk_kb * m.disk_used_percent / 100;
    let all = ticks * u64::from(m.cores);
    let busy = all / 100 * m.cpu_percent;
    format!(
        "{cores}\n{load1:.2} {load5:.2} {load15:.2} 1/211 4242\n\
         cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\n\
         MemTotal:       {total} kB\nMemAvailable:   {available_kb} kB\n\
         /dev/vda1 {disk} {used_kb} {free} {used}% /\n",
        cores = m.cores,
        load1 = m.load1,
        load5 = m.load1 * 0.9,
        load15 = m.load1 * 0.8,
        total = m.memory_kb,
        disk = m.disk_kb,
        free = m.disk_kb - used_kb,
        used = m.disk_used_percent,
        idle = all - busy,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::metrics::{Level, Thresholds, parse};

    const SEED_003: Thresholds = Thresholds {
        warn: 80,
        critical: 90,
    };
    use crate::demo::hosts::DEMO_HOSTS;

    #[test]
    fn every_demo_host_reports_metrics_the_fleet_reads_as_normal() {
        for spec in DEMO_HOSTS {
            let m = machine(spec);
            let (before, after) = (metrics_output(&m, 1_000_000), metrics_output(&m, 1_000_500));
            let earlier = parse(&before).and_then(|b| b.cpu);
            let metrics = parse(&after).unwrap_or_else(|| panic!("unreadable: {after}"));
            let a = metrics.assess(earlier.as_ref(), SEED_003);
            assert_eq!(a.level, Level::Normal, "{after}");
            assert!(
                a.summary.starts_with(&format!("cpu {}%", m.cpu_percent)),
                "{}",
                a.summary
            );
            assert!(
                simulated_output(spec, &remote_command(METRICS_COMMAND)).is_some(),
                "metrics answered"
            );
        }
    }

    #[test]
    fn other_commands_run_for_real() {
        assert_eq!(simulated_output(DEMO_HOSTS[0], "true"), None);
    }
}
