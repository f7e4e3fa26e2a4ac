//! What the operator can ask for. Keys map to actions through the keymap; `App::update` turns
//! actions into state changes and commands.

use crate::core::role::Authority;
use crate::ui::pane::Pane;

/// An operator intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Focus the Hosts pane.
    FocusHosts,
    /// Focus the Logs pane.
    FocusLogs,
    /// Focus the Playbook pane.
    FocusPlaybook,
    /// Focus the SQL pane.
    FocusSql,
    /// Zoom the focused pane to full screen, or back.
    ToggleZoom,
    /// Show or hide the key bindings.
    ToggleHelp,
    /// Open the command palette: a command typed with completion runs the action of the same
    /// name (`:severity P1`, `:host db-1`, `:run role:web uptime`).
    OpenPalette,
    /// Switch to the next colour theme (the palette's `theme NAME` picks one).
    SwitchTheme,
    /// Quit (asks first while an incident is open).
    Quit,
    /// Open an incident.
    OpenIncident,
    /// Pick which open incident to work on.
    PickIncident,
    /// Resolve the open incident.
    ResolveIncident,
    /// Add a note to the incident.
    AddNote,
    /// Write a note and send it to the incident's notification channels.
    BroadcastNote,
    /// Change the incident's severity.
    ChangeSeverity,
    /// Inject or clear a drill fault (demo).
    InjectFault,
    /// Drill only: move the incident clock ahead, to rehearse escalation and checkpoints.
    AdvanceDrillClock,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Move a page up.
    PageUp,
    /// Move a page down.
    PageDown,
    /// Go to the first row.
    Top,
    /// Go to the last row (logs: follow again).
    Bottom,
    /// Show details of the selected item.
    Select,
    /// Tick the selected step done (a done step stays done: see `ReopenStep`).
    TickStep,
    /// Open a done or skipped step again (journaled).
    ReopenStep,
    /// Do the selected step if it is pending: run it, or tick it when the operator does it by
    /// hand; on a finished step, select the next pending one.
    RunNextStep,
    /// Skip the selected step, giving a reason.
    SkipStep,
    /// Run the selected step (again): its command, statement or checks.
    RunStep,
    /// Write a remark on the selected step into the journal.
    AnnotateStep,
    /// Run the read-only diagnose bundle on the selected host and journal its report.
    Diagnose,
    /// Answer what the selected host waits for: trust its unknown key, or type a passphrase.
    AnswerAccess,
    /// Run an off-script command on the selected host, or on a role or tag (`role:NAME …`),
    /// journaled as off-script.
    AdhocCommand,
    /// Open an interactive shell on the selected host, recorded into the journal; the cockpit
    /// steps aside until it ends.
    OpenShell,
    /// Stop or resume following new log lines.
    ToggleFollow,
    /// Show the next host's logs alone, then all hosts merged again.
    CycleLogHosts,
    /// Show only log lines matching a regular expression.
    FilterInclude,
    /// Hide log lines matching a regular expression.
    FilterExclude,
    /// Search the logs: highlight matches and jump to the newest one.
    SearchLogs,
    /// Jump to the next newer line matching the search.
    SearchNewer,
    /// Jump to the next older line matching the search.
    SearchOlder,
    /// Pin the selected log line (the newest while following) into the journal.
    PinLine,
    /// Type in the SQL editor (Esc leaves it).
    EditSql,
    /// Run the selection, or the statement under the editor's cursor.
    RunSql,
    /// Cancel the statement running on the shown database.
    CancelSql,
    /// Commit or roll back the shown database's open transaction.
    DecideSql,
    /// Show the next database of the inventory.
    NextDatabase,
    /// Write the shown result as CSV.
    ExportCsv,
    /// Search the shown database's statement history.
    SqlHistory,
    /// Scroll the result grid left a column.
    ScrollLeft,
    /// Scroll the result grid right a column.
    ScrollRight,
    /// Dialogs: confirm the dialog or choose the selected item.
    Confirm,
    /// Dialogs: cancel, or close without choosing.
    Cancel,
    /// Dialogs that only show something (details, reports, the incident picker): close.
    Close,
    /// Dialogs asking yes or no: yes.
    AnswerYes,
    /// The transaction dialog: roll back (no).
    AnswerNo,
    /// The transaction dialog: commit.
    Commit,
    /// The transaction dialog: roll back.
    RollBack,
    /// A form's choice field: the previous choice.
    PreviousChoice,
    /// A form's choice field: the next choice.
    NextChoice,
    /// A form: the next field.
    NextField,
    /// A form: the previous field.
    PreviousField,
    /// The SQL editor: leave it (the SQL pane's keys work again).
    LeaveEditor,
    /// Replay: play or pause.
    PlayPause,
    /// Replay: play faster.
    Faster,
    /// Replay: play slower.
    Slower,
    /// Replay: skip idle time, or not.
    SkipIdle,
    /// Replay: the next journal entry.
    NextEntry,
    /// Replay: the previous journal entry.
    PreviousEntry,
    /// Replay: the next marker.
    NextMarker,
    /// Replay: the previous marker.
    PreviousMarker,
    /// Replay: the journal's start.
    ToStart,
    /// Replay: the journal's end.
    ToEnd,
    /// Replay: search the entries.
    SearchJournal,
    /// Replay: the next entry matching the search.
    SearchNext,
    /// Replay: the previous entry matching the search.
    SearchPrevious,
    /// Replay: jump to a time.
    JumpToTime,
    /// Replay: jump to where the selected step was run, ticked or skipped.
    JumpToStep,
    /// A mouse click: focus the pane, and select the item clicked when there is one (never
    /// bound to a key).
    Click {
        /// The pane under the pointer.
        pane: Pane,
        /// The item under the pointer: a host's or a step's index, a log line's arrival
        /// number.
        item: Option<u64>,
    },
    /// The mouse wheel over a pane: scroll it by `lines` (negative: up) without moving focus.
    Wheel {
        /// The pane under the pointer.
        pane: Pane,
        /// Lines to scroll.
        lines: i8,
    },
}

impl Action {
    /// Every action, in the order the help and docs/keys.md list them.
    pub const ALL: [Action; 80] = [
        Action::FocusNext,
        Action::FocusPrev,
        Action::FocusHosts,
        Action::FocusLogs,
        Action::FocusPlaybook,
        Action::FocusSql,
        Action::ToggleZoom,
        Action::ToggleHelp,
        Action::OpenPalette,
        Action::SwitchTheme,
        Action::Quit,
        Action::OpenIncident,
        Action::PickIncident,
        Action::ResolveIncident,
        Action::AddNote,
        Action::BroadcastNote,
        Action::ChangeSeverity,
        Action::InjectFault,
        Action::AdvanceDrillClock,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Select,
        Action::TickStep,
        Action::ReopenStep,
        Action::RunNextStep,
        Action::SkipStep,
        Action::RunStep,
        Action::AnnotateStep,
        Action::Diagnose,
        Action::AnswerAccess,
        Action::AdhocCommand,
        Action::OpenShell,
        Action::ToggleFollow,
        Action::CycleLogHosts,
        Action::FilterInclude,
        Action::FilterExclude,
        Action::SearchLogs,
        Action::SearchNewer,
        Action::SearchOlder,
        Action::PinLine,
        Action::EditSql,
        Action::RunSql,
        Action::CancelSql,
        Action::DecideSql,
        Action::NextDatabase,
        Action::ExportCsv,
        Action::SqlHistory,
        Action::ScrollLeft,
        Action::ScrollRight,
        Action::Confirm,
        Action::Cancel,
        Action::Close,
        Action::AnswerYes,
        Action::AnswerNo,
        Action::Commit,
        Action::RollBack,
        Action::PreviousChoice,
        Action::NextChoice,
        Action::NextField,
        Action::PreviousField,
        Action::LeaveEditor,
        Action::PlayPause,
        Action::Faster,
        Action::Slower,
        Action::SkipIdle,
        Action::NextEntry,
        Action::PreviousEntry,
        Action::NextMarker,
        Action::PreviousMarker,
        Action::ToStart,
        Action::ToEnd,
        Action::SearchJournal,
        Action::SearchNext,
        Action::SearchPrevious,
        Action::JumpToTime,
        Action::JumpToStep,
    ];

    /// The stable name the `[keys]` table calls it by (kebab-case, never changed once
    /// released: operators' files depend on it).
    pub fn name(self) -> &'static str {
        match self {
            Action::FocusNext => "focus-next",
            Action::FocusPrev => "focus-prev",
            Action::FocusHosts => "focus-hosts",
            Action::FocusLogs => "focus-logs",
            Action::FocusPlaybook => "focus-playbook",
            Action::FocusSql => "focus-sql",
            Action::ToggleZoom => "toggle-zoom",
            Action::ToggleHelp => "toggle-help",
            Action::OpenPalette => "open-palette",
            Action::SwitchTheme => "switch-theme",
            Action::Quit => "quit",
            Action::OpenIncident => "open-incident",
            Action::PickIncident => "pick-incident",
            Action::ResolveIncident => "resolve-incident",
            Action::AddNote => "add-note",
            Action::BroadcastNote => "broadcast-note",
            Action::ChangeSeverity => "change-severity",
            Action::InjectFault => "inject-fault",
            Action::AdvanceDrillClock => "advance-drill-clock",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Select => "select",
            Action::TickStep => "tick-step",
            Action::ReopenStep => "reopen-step",
            Action::RunNextStep => "run-next-step",
            Action::SkipStep => "skip-step",
            Action::RunStep => "run-step",
            Action::AnnotateStep => "annotate-step",
            Action::Diagnose => "diagnose",
            Action::AnswerAccess => "answer-access",
            Action::AdhocCommand => "adhoc-command",
            Action::OpenShell => "open-shell",
            Action::ToggleFollow => "toggle-follow",
            Action::CycleLogHosts => "cycle-log-hosts",
            Action::FilterInclude => "filter-include",
            Action::FilterExclude => "filter-exclude",
            Action::SearchLogs => "search-logs",
            Action::SearchNewer => "search-newer",
            Action::SearchOlder => "search-older",
            Action::PinLine => "pin-line",
            Action::EditSql => "edit-sql",
            Action::RunSql => "run-sql",
            Action::CancelSql => "cancel-sql",
            Action::DecideSql => "decide-sql",
            Action::NextDatabase => "next-database",
            Action::ExportCsv => "export-csv",
            Action::SqlHistory => "sql-history",
            Action::ScrollLeft => "scroll-left",
            Action::ScrollRight => "scroll-right",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Close => "close",
            Action::AnswerYes => "answer-yes",
            Action::AnswerNo => "answer-no",
            Action::Commit => "commit",
            Action::RollBack => "roll-back",
            Action::PreviousChoice => "previous-choice",
            Action::NextChoice => "next-choice",
            Action::NextField => "next-field",
            Action::PreviousField => "previous-field",
            Action::LeaveEditor => "leave-editor",
            Action::PlayPause => "play-pause",
            Action::Faster => "faster",
            Action::Slower => "slower",
            Action::SkipIdle => "skip-idle",
            Action::NextEntry => "next-entry",
            Action::PreviousEntry => "previous-entry",
            Action::NextMarker => "next-marker",
            Action::PreviousMarker => "previous-marker",
            Action::ToStart => "to-start",
            Action::ToEnd => "to-end",
            Action::SearchJournal => "search-journal",
            Action::SearchNext => "search-next",
            Action::SearchPrevious => "search-previous",
            Action::JumpToTime => "jump-to-time",
            Action::JumpToStep => "jump-to-step",
            Action::Click { .. } => "mouse-click",
            Action::Wheel { .. } => "mouse-wheel",
        }
    }

    /// The action a `[keys]` name stands for (mouse actions have names but no keys).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// What the action needs of the person pressing it: looking (everyone), acting (not an
    /// observer) or commanding the incident (severity, resolve). Every action is listed, so a
    /// new one cannot be added without deciding; `App::update` checks it before anything.
    pub fn authority(self) -> Authority {
        use Action::*;
        match self {
            ChangeSeverity | ResolveIncident => Authority::Command,
            OpenIncident | AddNote | BroadcastNote | InjectFault | AdvanceDrillClock | TickStep
            | ReopenStep | RunNextStep | SkipStep | RunStep | AnnotateStep | Diagnose
            | AnswerAccess | AdhocCommand | OpenShell | PinLine | RunSql | CancelSql
            | DecideSql => Authority::Act,
            FocusNext
            | FocusPrev
            | FocusHosts
            | FocusLogs
            | FocusPlaybook
            | FocusSql
            | ToggleZoom
            | ToggleHelp
            | OpenPalette
            | SwitchTheme
            | Quit
            | Up
            | Down
            | PageUp
            | PageDown
            | Top
            | Bottom
            | Select
            | ToggleFollow
            | CycleLogHosts
            | FilterInclude
            | FilterExclude
            | SearchLogs
            | SearchNewer
            | SearchOlder
            | EditSql
            | NextDatabase
            | ExportCsv
            | SqlHistory
            | ScrollLeft
            | ScrollRight
            | PickIncident
            | Confirm
            | Cancel
            | Close
            | AnswerYes
            | AnswerNo
            | Commit
            | RollBack
            | PreviousChoice
            | NextChoice
            | NextField
            | PreviousField
            | LeaveEditor
            | PlayPause
            | Faster
            | Slower
            | SkipIdle
            | NextEntry
            | PreviousEntry
            | NextMarker
            | PreviousMarker
            | ToStart
            | ToEnd
            | SearchJournal
            | SearchNext
            | SearchPrevious
            | JumpToTime
            | JumpToStep
            | Click { .. }
            | Wheel { .. } => Authority::Look,
        }
    }

    /// What the action does, for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::FocusNext => "focus next pane",
            Action::FocusPrev => "focus previous pane",
            Action::FocusHosts => "focus Hosts",
            Action::FocusLogs => "focus Logs",
            Action::FocusPlaybook => "focus Playbook",
            Action::FocusSql => "focus SQL",
            Action::ToggleZoom => "zoom pane / unzoom",
            Action::ToggleHelp => "this help",
            Action::OpenPalette => "command palette (Tab completes)",
            Action::SwitchTheme => "next colour theme",
            Action::Quit => "quit (asks while an incident is open)",
            Action::OpenIncident => "open an incident",
            Action::PickIncident => "pick the open incident to work on",
            Action::ResolveIncident => "resolve the incident",
            Action::AddNote => "add a note to the journal",
            Action::BroadcastNote => "note to the journal and the channels",
            Action::ChangeSeverity => "change severity",
            Action::InjectFault => "drill: inject / clear a fault",
            Action::AdvanceDrillClock => "drill: move the incident clock ahead",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first row",
            Action::Bottom => "last row / follow",
            Action::Select => "details",
            Action::TickStep => "tick step done",
            Action::ReopenStep => "reopen a done / skipped step",
            Action::RunNextStep => "next step: run it (or tick it)",
            Action::SkipStep => "skip step (with reason)",
            Action::RunStep => "run the step / run it again",
            Action::AnnotateStep => "add a remark to the step",
            Action::Diagnose => "diagnose host (read-only, journaled)",
            Action::AnswerAccess => "trust host key / type key passphrase",
            Action::AdhocCommand => "run an off-script command (journaled)",
            Action::OpenShell => "open a recorded shell on the host",
            Action::ToggleFollow => "pause / follow new lines",
            Action::CycleLogHosts => "next host alone / all hosts merged",
            Action::FilterInclude => "show only lines matching a regex",
            Action::FilterExclude => "hide lines matching a regex",
            Action::SearchLogs => "search: highlight, jump to newest match",
            Action::SearchNewer => "next newer match",
            Action::SearchOlder => "next older match",
            Action::PinLine => "pin selected line into the journal",
            Action::EditSql => "edit SQL (Esc leaves the editor)",
            Action::RunSql => "run statement under cursor / selection",
            Action::CancelSql => "cancel the running statement",
            Action::DecideSql => "commit / roll back the transaction",
            Action::NextDatabase => "next database",
            Action::ExportCsv => "export the result as CSV",
            Action::SqlHistory => "search statement history",
            Action::ScrollLeft => "result: column left",
            Action::ScrollRight => "result: column right",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Close => "close a view or list",
            Action::AnswerYes => "yes",
            Action::AnswerNo => "no (roll back)",
            Action::Commit => "commit",
            Action::RollBack => "roll back",
            Action::PreviousChoice => "previous choice",
            Action::NextChoice => "next choice",
            Action::NextField => "next field",
            Action::PreviousField => "previous field",
            Action::LeaveEditor => "leave the editor",
            Action::PlayPause => "play / pause",
            Action::Faster => "faster (1× 10× 60× max)",
            Action::Slower => "slower",
            Action::SkipIdle => "skip idle time on / off",
            Action::NextEntry => "next entry",
            Action::PreviousEntry => "previous entry",
            Action::NextMarker => "next marker",
            Action::PreviousMarker => "previous marker",
            Action::ToStart => "start of the journal",
            Action::ToEnd => "end of the journal",
            Action::SearchJournal => "search entries",
            Action::SearchNext => "next match",
            Action::SearchPrevious => "previous match",
            Action::JumpToTime => "jump to a time",
            Action::JumpToStep => "jump to the selected step (Playbook)",
            Action::Click { .. } => "click: focus the pane, select the row",
            Action::Wheel { .. } => "wheel: scroll the pane under the pointer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_action_has_one_unique_kebab_case_name_both_ways() {
        let mut seen = HashSet::new();
        for action in Action::ALL {
            let name = action.name();
            assert!(seen.insert(name), "{name} is used twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !name.starts_with('-')
                    && !name.ends_with('-'),
                "{name} is not kebab-case"
            );
            assert_eq!(Action::from_name(name), Some(action));
        }
        assert_eq!(Action::from_name("Quit"), None);
        assert_eq!(Action::from_name(""), None);
    }
}
