//! The four panes.

/// A pane of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// The host grid.
    Hosts,
    /// Live logs.
    Logs,
    /// The playbook checklist.
    Playbook,
    /// The SQL console.
    Sql,
}

impl Pane {
    /// In focus order.
    pub const ALL: [Pane; 4] = [Pane::Hosts, Pane::Logs, Pane::Playbook, Pane::Sql];

    /// The title drawn on its border.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Hosts => "Hosts",
            Pane::Logs => "Logs",
            Pane::Playbook => "Playbook",
            Pane::Sql => "SQL",
        }
    }

    /// The next pane in focus order (`step` = 1 forward, -1 back).
    pub fn cycle(self, step: isize) -> Pane {
        let i = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0) as isize;
        Pane::ALL[(i + step).rem_euclid(Pane::ALL.len() as isize) as usize]
    }
}
