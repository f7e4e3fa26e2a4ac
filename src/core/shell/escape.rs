//! The `~.` escape of OpenSSH's client: at the start of a line, `~.` leaves the shell even
//! when the host no longer answers.
//!
//! A line starts when the session starts and after a typed CR or LF. There a `~` is held
//! back: `.` next leaves (neither is sent), `~` next sends one `~`, anything else sends the
//! `~` and itself. A `~` held at the end of what was typed waits for the next keys.

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
    /// The next byte typed starts a line.
    at_line_start: bool,
    /// A `~` typed at the start of a line, not yet sent.
    tilde_held: bool,
}

impl EscapeWatch {
    /// A watcher at the start of a line.
    pub fn new() -> Self {
        Self {
            at_line_start: true,
            tilde_held: false,
        }
    }

    /// Feeds typed bytes: what to send, and whether to leave. Bytes after `~.` are not sent.
    pub fn feed(&mut self, bytes: &[u8]) -> Escaped {
        let mut send = Vec::with_capacity(bytes.len() + 1);
        for &byte in bytes {
            if self.tilde_held {
                self.tilde_held = false;
                match byte {
                    b'.' => {
                        self.at_line_start = false;
                        return Escaped { send, leave: true };
                    }
                    b'~' => {
                        send.push(b'~');
                        self.at_line_start = false;
                        continue;
                    }
                    _ => send.push(b'~'),
                }
            } else if self.at_line_start && byte == b'~' {
                self.tilde_held = true;
                self.at_line_start = false;
                continue;
            }
            send.push(byte);
            self.at_line_start = byte == b'\r' || byte == b'\n';
        }
        Escaped { send, leave: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `chunks` in turn: everything sent, and whether it left.
    fn run(chunks: &[&[u8]]) -> (Vec<u8>, bool) {
        let mut watch = EscapeWatch::new();
        let mut sent = Vec::new();
        for chunk in chunks {
            let out = watch.feed(chunk);
            sent.extend_from_slice(&out.send);
            if out.leave {
                return (sent, true);
            }
        }
        (sent, false)
    }

    #[test]
    fn tilde_dot_at_the_start_leaves_and_sends_nothing_of_it() {
        assert_eq!(run(&[b"~."]), (Vec::new(), true));
        assert_eq!(run(&[b"ls\r~."]), (b"ls\r".to_vec(), true));
        assert_eq!(run(&[b"ls\n~."]), (b"ls\n".to_vec(), true));
        // What follows `~.` in the same chunk is not sent.
        assert_eq!(run(&[b"~.rm -rf /\r"]), (Vec::new(), true));
    }

    #[test]
    fn tilde_elsewhere_or_followed_by_other_keys_is_sent() {
        assert_eq!(run(&[b"a~."]), (b"a~.".to_vec(), false));
        assert_eq!(run(&[b"~~"]), (b"~".to_vec(), false));
        // `~~.` sends `~.`: the second `~` is not at a line's start.
        assert_eq!(run(&[b"~~."]), (b"~.".to_vec(), false));
        assert_eq!(run(&[b"~x"]), (b"~x".to_vec(), false));
        assert_eq!(run(&[b"~/bin\r"]), (b"~/bin\r".to_vec(), false));
        // `~` then Enter starts a new line, where `~.` leaves.
        assert_eq!(run(&[b"~\r~."]), (b"~\r".to_vec(), true));
        // Arrow keys are bytes like any other: `~` then ESC sends both.
        assert_eq!(run(&[b"~\x1b[A"]), (b"~\x1b[A".to_vec(), false));
        assert_eq!(run(&[b"cd ~\r"]), (b"cd ~\r".to_vec(), false));
    }

    #[test]
    fn a_held_tilde_waits_for_the_next_chunk() {
        let mut watch = EscapeWatch::new();
        assert_eq!(watch.feed(b"~"), Escaped::default());
        assert_eq!(
            watch.feed(b"x"),
            Escaped {
                send: b"~x".to_vec(),
                leave: false
            }
        );
        let mut watch = EscapeWatch::new();
        assert_eq!(
            watch.feed(b"ls\r~"),
            Escaped {
                send: b"ls\r".to_vec(),
                leave: false
            }
        );
        assert_eq!(
            watch.feed(b"."),
            Escaped {
                send: Vec::new(),
                leave: true
            }
        );
        assert_eq!(run(&[b"~", b"", b"."]), (Vec::new(), true));
    }

    /// Every input cut at every point (and at every pair of points) comes to what it comes
    /// to in one piece.
    #[test]
    fn chunking_at_every_split_point_changes_nothing() {
        let inputs: [&[u8]; 8] = [
            b"ls\r~.",
            b"echo a~.b\r~~x\n~.tail",
            b"~~~.\r~\r~.",
            b"~x~.\n~y",
            b"\r\r~\r~.",
            b"top\x1b[A~\r~~",
            b"~",
            b"plain text, no escape at all",
        ];
        for input in inputs {
            let whole = run(&[input]);
            for i in 0..=input.len() {
                assert_eq!(run(&[&input[..i], &input[i..]]), whole, "{input:?} at {i}");
                for j in i..=input.len() {
                    assert_eq!(
                        run(&[&input[..i], &input[i..j], &input[j..]]),
                        whole,
                        "{input:?} at {i}, {j}"
                    );
                }
            }
            let bytewise: Vec<&[u8]> = input.chunks(1).collect();
            assert_eq!(run(&bytewise), whole, "{input:?} a byte at a time");
        }
        assert_eq!(
            run(&[b"echo a~.b\r~~x\n~.tail"]),
            (b"echo a~.b\r~x\n".to_vec(), true)
        );
        assert_eq!(run(&[b"~~~.\r~\r~."]), (b"~~.\r~\r".to_vec(), true));
    }
}
