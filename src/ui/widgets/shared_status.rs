//! The shared journal's mark on the status line: quiet when online, a warning while offline
//! with the entries waiting to go up.

use crate::io::shared::SyncStatus;
use crate::ui::app::App;
use crate::ui::text::{printable, truncate};

/// Columns a broken journal's reason takes at most (its end, "working locally", must show).
const REASON_COLUMNS: usize = 100;
use ratatui::style::Style;
use ratatui::text::Span;

/// The mark, when the cockpit works on a shared journal.
pub fn shared_span<'a>(app: &App, base: Style) -> Option<Span<'a>> {
    let view = app.shared.as_ref()?;
    let t = &app.theme;
    let on_base = |style: Style| style.patch(Style::default().bg(base.bg.unwrap_or_default()));
    Some(match &view.status {
        SyncStatus::Online => Span::styled("shared ✓", base),
        SyncStatus::Connecting => Span::styled("shared: connecting…", base),
        SyncStatus::Offline { waiting, .. } => Span::styled(
            format!(
                "shared journal offline, {waiting} {} waiting",
                if *waiting == 1 { "entry" } else { "entries" }
            ),
            on_base(t.text_warning()),
        ),
        SyncStatus::Error(reason) => Span::styled(
            format!("shared journal unusable: {}", printable(reason)),
            on_base(t.text_danger()),
        ),
        SyncStatus::Broken(reason) => Span::styled(
            format!(
                "{}; working locally",
                truncate(&printable(reason), REASON_COLUMNS)
            ),
            on_base(t.text_danger()),
        ),
    })
}
