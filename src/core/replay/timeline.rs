//! A journal laid out in time: positions (how many entries have happened), the moment at any
//! position, markers for the timeline bar, search, and jumps to a step or a time.

use crate::core::health::HostState;
use crate::core::journal::{Entry, Record};
use crate::core::replay::shells::{ShellSpan, shell_session, shell_spans};
use crate::core::replay::{Moment, describe};
use crate::core::severity::Severity;

/// What a marker on the timeline bar stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// An incident was opened.
    Opened,
    /// The severity changed to this.
    Severity(Severity),
    /// A transaction was committed.
    Commit,
    /// A transaction was rolled back.
    Rollback,
    /// A host went down or degraded, or a drill fault was injected.
    HostDown,
    /// A host came back.
    HostUp,
    /// The incident was resolved.
    Resolved,
    /// Something was done off-script: an ad-hoc command run, or an interactive shell opened.
    OffScript,
}

impl MarkerKind {
    /// One character for the bar.
    pub fn glyph(self) -> char {
        match self {
            MarkerKind::Opened => 'O',
            MarkerKind::Severity(_) => 'S',
            MarkerKind::Commit => 'C',
            MarkerKind::Rollback => 'R',
            MarkerKind::HostDown => '▼',
            MarkerKind::HostUp => '▲',
            MarkerKind::Resolved => '✓',
            MarkerKind::OffScript => '$',
        }
    }
}

/// A marker: the entry (its position: entries up to and including it) and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// The position right after the entry.
    pub position: usize,
    /// Journal time (unix ms).
    pub at_ms: i64,
    /// What.
    pub kind: MarkerKind,
}

/// A verified journal, ready to replay.
#[derive(Debug, Clone)]
pub struct Timeline {
    entries: Vec<Entry>,
    /// Entry times made non-decreasing (a clock stepping back must not reorder the replay).
    times: Vec<i64>,
    markers: Vec<Marker>,
    hosts: Vec<String>,
    databases: Vec<String>,
    shells: Vec<ShellSpan>,
    /// For each shell, the furthest position any shell opened up to it reaches (its end, or
    /// the journal's end for one never ended): where looking further back can stop.
    shells_reach: Vec<usize>,
}

impl Timeline {
    /// Lays out verified entries.
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut times = Vec::with_capacity(entries.len());
        let mut latest = i64::MIN;
        for e in &entries {
            latest = latest.max(e.at_ms);
            times.push(latest);
        }
        let mut hosts: Vec<String> = Vec::new();
        let mut databases: Vec<String> = Vec::new();
        let note = |list: &mut Vec<String>, name: &str| {
            if !list.iter().any(|n| n == name) {
                list.push(name.to_string());
            }
        };
        let mut markers = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            match &e.record {
                Record::IncidentOpened { fleet, .. } => {
                    fleet.keys().for_each(|h| note(&mut hosts, h));
                }
                Record::HostStateChanged { host, .. }
                | Record::FaultInjected { host, .. }
                | Record::FaultCleared { host }
                | Record::LogPinned { host, .. }
                | Record::HostDiagnosed { host, .. }
                | Record::AdhocOutput { host, .. }
                | Record::ShellStarted { host, .. }
                | Record::ShellEnded { host, .. } => note(&mut hosts, host),
                Record::AdhocStarted { targets, .. } => {
                    targets.iter().for_each(|h| note(&mut hosts, h));
                }
                Record::SqlStatementStarted { database, .. }
                | Record::SqlRefused { database, .. } => note(&mut databases, database),
                _ => {}
            }
            if let Some(kind) = marker_kind(&e.record) {
                markers.push(Marker {
                    position: i + 1,
                    at_ms: times[i],
                    kind,
                });
            }
        }
        let shells = shell_spans(&entries, &times);
        let shells_reach = shells
            .iter()
            .scan(0, |reach, s| {
                *reach = s.ended.unwrap_or(usize::MAX).max(*reach);
                Some(*reach)
            })
            .collect();
        Self {
            entries,
            times,
            markers,
            hosts,
            databases,
            shells,
            shells_reach,
        }
    }

    /// Entries in the journal; positions run from 0 (nothing yet) to this.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry last applied at `position` (None at 0).
    pub fn entry_at(&self, position: usize) -> Option<&Entry> {
        position.checked_sub(1).and_then(|i| self.entries.get(i))
    }

    /// Every host the journal mentions, in order of first mention.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// Every database the SQL console used, in order of first use.
    pub fn databases(&self) -> &[String] {
        &self.databases
    }

    /// The recorded shells, in the order they opened.
    pub fn shells(&self) -> &[ShellSpan] {
        &self.shells
    }

    /// The shell whose screen stands at `position`: the one the entry there is about, else
    /// the last one opened that has not ended before it (None outside every shell).
    pub fn shell_at(&self, position: usize) -> Option<&ShellSpan> {
        let opened = self.shells.partition_point(|s| s.started <= position);
        // Shells opened earlier than one whose reach falls short of `position` all ended.
        let reaching = self.shells_reach[..opened]
            .iter()
            .rev()
            .take_while(|reach| **reach >= position)
            .count();
        let candidates = self.shells[opened - reaching..opened].iter().rev();
        let mut covering = candidates.filter(|s| s.covers(position));
        match self
            .entry_at(position)
            .and_then(|e| shell_session(&e.record))
        {
            Some(session) => covering.find(|s| s.session == session),
            None => covering.next(),
        }
    }

    /// Markers, in journal order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// The journal's first and last times (unix ms).
    pub fn span(&self) -> (i64, i64) {
        (
            self.times.first().copied().unwrap_or(0),
            self.times.last().copied().unwrap_or(0),
        )
    }

    /// The time shown at `position`: the last applied entry's (the first entry's at 0).
    pub fn time_at(&self, position: usize) -> i64 {
        match position.checked_sub(1) {
            Some(i) => self
                .times
                .get(i)
                .or(self.times.last())
                .copied()
                .unwrap_or(0),
            None => self.span().0,
        }
    }

    /// The time of the entry after `position`, if any.
    pub fn next_time(&self, position: usize) -> Option<i64> {
        self.times.get(position).copied()
    }

    /// The position at journal time `at_ms`: every entry up to then has happened.
    pub fn position_at(&self, at_ms: i64) -> usize {
        self.times.partition_point(|t| *t <= at_ms)
    }

    /// The moment at `position`, continuing from `from` when it is not past it (a forward
    /// step applies only the entries in between), else folded from the start: a fold is cheap
    /// (a 100,000-entry journal folds in well under a second), while keeping copies of the
    /// state along the way costs a copy of everything per copy.
    pub fn moment(&self, from: Option<Moment>, position: usize) -> Moment {
        let position = position.min(self.len());
        let mut moment = match from {
            Some(m) if m.position <= position => m,
            _ => Moment::default(),
        };
        for e in self.entries.iter().take(position).skip(moment.position) {
            moment.apply(e);
        }
        moment
    }

    /// The next (or previous) position whose entry matches `query` (case-insensitive, on its
    /// description, actor and text), strictly after (or before) `position`.
    pub fn search(&self, position: usize, query: &str, forward: bool) -> Option<usize> {
        let needle = query.trim().to_lowercase();
        if needle.is_empty() {
            return None;
        }
        let matches = |i: &usize| entry_matches(&self.entries[*i], &needle);
        if forward {
            (position..self.len()).find(matches).map(|i| i + 1)
        } else {
            (0..position.saturating_sub(1))
                .rev()
                .find(matches)
                .map(|i| i + 1)
        }
    }

    /// The position of the first entry about `step` of `incident` (its first run, tick or
    /// skip).
    pub fn step_position(&self, incident: &str, step: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| step_of(&e.record) == Some((incident, step)))
            .map(|i| i + 1)
    }

    /// The position right after `incident` was opened.
    pub fn incident_position(&self, incident: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| matches!(&e.record, Record::IncidentOpened { incident: id, .. } if id == incident))
            .map(|i| i + 1)
    }

    /// The first marker after `position`, or the last one before it.
    pub fn marker_after(&self, position: usize, forward: bool) -> Option<usize> {
        if forward {
            self.markers
                .iter()
                .find(|m| m.position > position)
                .map(|m| m.position)
        } else {
            self.markers
                .iter()
                .rev()
                .find(|m| m.position < position)
                .map(|m| m.position)
        }
    }
}

fn marker_kind(record: &Record) -> Option<MarkerKind> {
    Some(match record {
        Record::IncidentOpened { .. } => MarkerKind::Opened,
        Record::SeverityChanged { severity, .. } => MarkerKind::Severity(*severity),
        Record::SqlTransactionEnded { committed, .. } => {
            if *committed {
                MarkerKind::Commit
            } else {
                MarkerKind::Rollback
            }
        }
        Record::HostStateChanged { to, .. } => match to {
            HostState::Down | HostState::Degraded => MarkerKind::HostDown,
            HostState::Up | HostState::Recovered => MarkerKind::HostUp,
            HostState::Unknown | HostState::Recovering => return None,
        },
        Record::FaultInjected { .. } => MarkerKind::HostDown,
        Record::IncidentResolved { .. } => MarkerKind::Resolved,
        Record::AdhocStarted { .. } | Record::ShellStarted { .. } => MarkerKind::OffScript,
        _ => return None,
    })
}

/// The incident and step an entry is about, for step records.
fn step_of(record: &Record) -> Option<(&str, &str)> {
    match record {
        Record::StepCompleted { incident, step }
        | Record::StepReopened { incident, step }
        | Record::StepSkipped { incident, step, .. }
        | Record::StepStarted { incident, step, .. }
        | Record::StepOutput { incident, step, .. }
        | Record::StepFinished { incident, step, .. }
        | Record::ConfirmationGiven { incident, step, .. }
        | Record::DangerousRefused { incident, step, .. }
        | Record::StepAnnotated { incident, step, .. } => Some((incident, step)),
        _ => None,
    }
}

/// Whether an entry's description or any text in its record contains `needle` (lowercase).
fn entry_matches(entry: &Entry, needle: &str) -> bool {
    if describe(entry).to_lowercase().contains(needle) {
        return true;
    }
    serde_json::from_str::<serde_json::Value>(&entry.body)
        .map(|v| value_contains(&v, needle))
        .unwrap_or(false)
}

fn value_contains(value: &serde_json::Value, needle: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.to_lowercase().contains(needle),
        serde_json::Value::Array(items) => items.iter().any(|v| value_contains(v, needle)),
        serde_json::Value::Object(map) => map.values().any(|v| value_contains(v, needle)),
        _ => false,
    }
}
