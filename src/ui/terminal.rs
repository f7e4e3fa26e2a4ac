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
        redraw_all(&mut self.term)
    }
}

/// Clears the screen and forgets what was drawn, so the next frame is drawn whole.
///
/// Never asks the terminal where its cursor is (ratatui's `Terminal::clear` does): the answer
/// can be lost to a wake-up of crossterm's reader left pending by the input stream dropped for
/// the shell, and that failure would end the session as a lost terminal.
fn redraw_all<B: ratatui::backend::Backend>(term: &mut Terminal<B>) -> Result<(), B::Error> {
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
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

#[cfg(test)]
mod tests {
    use super::redraw_all;
    use ratatui::Terminal;
    use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
    use ratatui::buffer::Cell;
    use ratatui::layout::{Position, Size};
    use ratatui::widgets::Paragraph;

    /// A terminal that never answers a cursor-position query, like one whose answer was lost.
    struct NoCursorAnswer(TestBackend);

    fn never<T>(never: std::convert::Infallible) -> T {
        match never {}
    }

    impl Backend for NoCursorAnswer {
        type Error = std::io::Error;
        fn draw<'a, I>(&mut self, content: I) -> std::io::Result<()>
        where
            I: Iterator<Item = (u16, u16, &'a Cell)>,
        {
            self.0.draw(content).map_err(never)
        }
        fn hide_cursor(&mut self) -> std::io::Result<()> {
            self.0.hide_cursor().map_err(never)
        }
        fn show_cursor(&mut self) -> std::io::Result<()> {
            self.0.show_cursor().map_err(never)
        }
        fn get_cursor_position(&mut self) -> std::io::Result<Position> {
            Err(std::io::Error::other(
                "the cursor position could not be read",
            ))
        }
        fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> std::io::Result<()> {
            self.0.set_cursor_position(position).map_err(never)
        }
        fn clear(&mut self) -> std::io::Result<()> {
            self.0.clear().map_err(never)
        }
        fn clear_region(&mut self, clear_type: ClearType) -> std::io::Result<()> {
            self.0.clear_region(clear_type).map_err(never)
        }
        fn size(&self) -> std::io::Result<Size> {
            self.0.size().map_err(never)
        }
        fn window_size(&mut self) -> std::io::Result<WindowSize> {
            self.0.window_size().map_err(never)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush().map_err(never)
        }
    }

    #[test]
    fn coming_back_redraws_everything_without_asking_for_the_cursor() {
        let mut term = Terminal::new(NoCursorAnswer(TestBackend::new(20, 3))).expect("terminal");
        let text = "cockpit 事故";
        term.draw(|f| f.render_widget(Paragraph::new(text), f.area()))
            .expect("first frame");
        // What the shell left on the screen, unknown to ratatui's buffers.
        term.backend_mut().0.clear().map_err(never::<()>).ok();
        redraw_all(&mut term).expect("a redraw that never asks where the cursor is");
        term.draw(|f| f.render_widget(Paragraph::new(text), f.area()))
            .expect("frame after coming back");
        let drawn: String = (0..20)
            .map(|x| term.backend().0.buffer()[(x, 0)].symbol().to_string())
            .collect();
        assert!(drawn.starts_with("cockpit 事"), "{drawn:?}");
    }
}
