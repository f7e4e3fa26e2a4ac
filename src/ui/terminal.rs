//! Entering and leaving the full-screen terminal, on every exit path, panic included.
//!
//! Bracketed paste is on while cockpit runs: the terminal marks pasted text, so a paste arrives
//! as one `Paste` event for a text field and can never press keys (`R` resolving an incident).
//! The mouse is captured when the inventory leaves `mouse` on; every way out releases it, so
//! the operator's shell never receives mouse reports after cockpit.
//!
//! [`Screen`] is the one way in for the live cockpit and the replay alike: a guard that puts the
//! terminal back when it goes out of scope (a normal exit or an error) and, through the panic
//! hook it installs, on a panic too.

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
use std::cell::Cell;
use std::io::{Stdout, Write, stdout};
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::Once;

/// The terminal cockpit draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// The full-screen terminal while it is in use; dropping it restores the terminal.
///
/// Ratatui's own `Terminal` drop may print (and so panic) on a dead tty, so the terminal object
/// is never dropped: [`restore`] ignores errors and prints nothing.
pub struct Screen {
    term: ManuallyDrop<Term>,
}

impl Screen {
    /// Enters the full-screen terminal (see [`enter`]), with the panic hook installed first so
    /// that a panic from here on restores it.
    pub fn enter(mouse: bool) -> std::io::Result<Self> {
        install_panic_hook();
        Ok(Self {
            term: ManuallyDrop::new(enter(mouse)?),
        })
    }
}

impl Screen {
    /// Gives the terminal to a program that draws on it itself (an interactive shell): the
    /// alternate screen is left, the cursor shown, the mouse and bracketed paste released;
    /// raw mode stays, so every key goes through untouched.
    pub fn step_aside(&mut self) -> std::io::Result<()> {
        execute!(
            stdout(),
            DisableMouseCapture,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            Show
        )
    }

    /// Takes the terminal back after [`Screen::step_aside`], whatever the program left it in
    /// (cursor keys in application mode, colours, mouse reporting), and forces a full redraw.
    pub fn come_back(&mut self, mouse: bool) -> std::io::Result<()> {
        enable_raw_mode()?;
        // Normal cursor keys and keypad, no colours, no mouse reporting, no scroll region.
        stdout().write_all(b"\x1b[?1l\x1b>\x1b[0m\x1b[r")?;
        execute!(
            stdout(),
            DisableMouseCapture,
            EnterAlternateScreen,
            Hide,
            EnableBracketedPaste
        )?;
        if mouse {
            execute!(stdout(), EnableMouseCapture)?;
        }
        self.term.clear()
    }
}

impl Deref for Screen {
    type Target = Term;
    fn deref(&self) -> &Term {
        &self.term
    }
}

impl DerefMut for Screen {
    fn deref_mut(&mut self) -> &mut Term {
        &mut self.term
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode, alternate screen, hidden cursor, bracketed paste, and the mouse when `mouse`.
fn enter(mouse: bool) -> std::io::Result<Term> {
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

/// Restores the terminal before the default panic message is printed. Installed once per
/// process, however many times it is asked for.
pub fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                restore();
            }
            previous(info);
        }));
    });
}

thread_local! {
    /// This thread runs code under [`contain_panic`]: a panic is caught there, so it neither
    /// restores the terminal nor prints anything.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work`, which hands hostile input to a crate that may panic on it (the replay's
/// terminal emulator on a recorded shell's output), and catches such a panic: `None` then,
/// the screen untouched and nothing printed. The caller must drop whatever `work` was
/// changing, as it may be half-changed.
pub fn contain_panic<R>(work: impl FnOnce() -> R) -> Option<R> {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    CONTAINED.with(|c| c.set(was));
    result.ok()
}
