//! Entering and leaving the full-screen terminal, on every exit path, panic included.
//!
//! Bracketed paste is on while cockpit runs: the terminal marks pasted text, so a paste arrives
//! as one `Paste` event for a text field and can never press keys (`R` resolving an incident).
//! The mouse is captured when the inventory leaves `mouse` on; every way out releases it, so
//! the operator's shell never receives mouse reports after cockpit.

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};

/// The terminal cockpit draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Raw mode, alternate screen, hidden cursor, bracketed paste, and the mouse when `mouse`.
pub fn enter(mouse: bool) -> std::io::Result<Term> {
    enable_raw_mode()?;
    let mut entered = execute!(stdout(), EnterAlternateScreen, Hide, EnableBracketedPaste);
    if mouse && entered.is_ok() {
        entered = execute!(stdout(), EnableMouseCapture);
    }
    if let Err(e) = entered {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Puts the terminal back. Never panics and prints nothing, so it is safe on a dead tty and
/// inside the panic hook.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
}

/// Restores the terminal before the default panic message is printed.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
