//! The app on a shared journal: the team's entries join the workspace as they arrive; own
//! entries, applied when the local journal acknowledged them, are not applied again when they
//! come back from the store.

use super::App;
use crate::core::incident::Workspace;
use crate::core::journal::{Entry, Record};
use crate::core::shared_chain::SharedEntry;
use crate::io::shared::{SyncReport, SyncStatus};
use crate::ui::pane::Pane;
use crate::ui::text::{printable, truncate};

/// Columns another operator's name (or an incident id) takes in a message at most.
const WHO_COLUMNS: usize = 40;

/// What the app knows of the shared journal.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedView {
    /// The store, as shown (no password).
    pub label: String,
    /// How the link stands.
    pub status: SyncStatus,
    /// This cockpit's local journal id (the hash of its first entry), once known.
    origin: Option<String>,
    /// Own local entries, kept until the first shared batch rebuilds the workspace from the
    /// store; `None` once it has.
    local: Option<Vec<Entry>>,
    /// The local journal's last entry.
    local_head: u64,
}

impl SharedView {
    /// A view over the local journal's `local` entries (those folded at the start).
    pub fn new(label: String, local: Vec<Entry>) -> Self {
        Self {
            label,
            status: SyncStatus::Connecting,
            origin: local.first().map(|e| e.hash.clone()),
            local_head: local.last().map_or(0, |e| e.seq),
            local: Some(local),
        }
    }

    /// Whether the workspace holds the store's entries (the first batch arrived).
    pub fn joined(&self) -> bool {
        self.local.is_none()
    }

    /// The local journal's last entry number.
    pub fn local_head(&self) -> u64 {
        self.local_head
    }

    /// Notes an entry the local journal acknowledged.
    fn own(&mut self, entry: &Entry) {
        if entry.seq == 1 {
            self.origin.get_or_insert_with(|| entry.hash.clone());
        }
        self.local_head = self.local_head.max(entry.seq);
        if let Some(local) = self.local.as_mut() {
            local.push(entry.clone());
        }
    }

    fn is_own(&self, shared: &SharedEntry) -> bool {
        self.origin.as_deref() == Some(shared.origin.journal.as_str())
    }
}

/// The workspace of a cockpit joining the store: the shared entries in their order, then own
/// local entries the store does not hold yet (those after the last own entry it holds).
pub fn joined_workspace(
    shared: &[SharedEntry],
    origin: Option<&str>,
    local: &[Entry],
) -> Workspace {
    let uploaded = shared
        .iter()
        .filter(|s| Some(s.origin.journal.as_str()) == origin)
        .map(|s| s.origin.seq)
        .max()
        .unwrap_or(0);
    let mut ws = Workspace::fold(shared.iter().map(|s| &s.entry));
    for e in local.iter().filter(|e| e.seq > uploaded) {
        ws.apply(e);
    }
    ws
}

impl App {
    /// Notes an acknowledged local entry for the shared view (nothing without one).
    pub(super) fn note_own_entry(&mut self, entry: &Entry) {
        if let Some(view) = self.shared.as_mut() {
            view.own(entry);
        }
    }

    /// Takes a report of the shared journal link.
    pub(super) fn on_shared(&mut self, report: SyncReport) {
        let Some(view) = self.shared.as_mut() else {
            return;
        };
        match report {
            SyncReport::Status(status) => view.status = status,
            SyncReport::Entries(batch) => match view.local.take() {
                Some(local) => {
                    let origin = view.origin.clone();
                    let had = self.incident().map(|i| i.id.clone());
                    self.workspace = joined_workspace(&batch, origin.as_deref(), &local);
                    let now = self.incident().map(|i| i.id.clone());
                    if now.is_some() && now != had {
                        self.focus = Pane::Playbook;
                        self.step_cursor = self.first_open_step();
                    }
                }
                None => {
                    let theirs: Vec<Entry> = batch
                        .into_iter()
                        .filter(|s| !view.is_own(s))
                        .map(|s| s.entry)
                        .collect();
                    for entry in &theirs {
                        self.apply_theirs(entry);
                    }
                }
            },
        }
    }

    /// Applies another operator's entry, saying what changes the incident.
    fn apply_theirs(&mut self, entry: &Entry) {
        let had_incident = self.incident().is_some();
        self.workspace.apply(entry);
        // Who, as the store says: printable and cut, so the rest of the message is read.
        let who = truncate(&printable(&entry.actor), WHO_COLUMNS);
        let incident_of = |id: &str| truncate(&printable(id), WHO_COLUMNS);
        match &entry.record {
            Record::IncidentOpened { incident, .. } if !had_incident => {
                self.step_cursor = 0;
                self.focus = Pane::Playbook;
                let incident = incident_of(incident);
                self.announce(format!("incident {incident} opened by {who}"), false);
            }
            Record::IncidentResolved { incident, .. } => {
                let incident = incident_of(incident);
                self.announce(format!("incident {incident} resolved by {who}"), false);
            }
            Record::SeverityChanged { incident, severity } => {
                let incident = incident_of(incident);
                self.announce(format!("{who} set {incident} to {severity}"), false);
            }
            _ => {}
        }
    }
}
