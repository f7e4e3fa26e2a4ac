//! The `~.` escape of OpenSSH's client: at the start of a line, `~.` leaves the shell even
//! when the host no longer answers. (Skeleton: replaced by the real watcher.)

/// What the typed bytes come to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Escaped {
    /// Bytes to send to the host.
    pub send: Vec<u8>,
    /// The operator asked to leave (`~.` at the start of a line).
    pub leave: bool,
}

/// Watches typed bytes for `~.` at the start of a line.
#[derive(Debug, Default)]
pub struct EscapeWatch {
    at_line_start: bool,
}

impl EscapeWatch {
    /// A watcher at the start of a line.
    pub fn new() -> Self {
        Self {
            at_line_start: true,
        }
    }

    /// Feeds typed bytes.
    pub fn feed(&mut self, bytes: &[u8]) -> Escaped {
        let _ = self.at_line_start;
        Escaped {
            send: bytes.to_vec(),
            leave: false,
        }
    }
}
