//! cockpit's log file, written through the one redactor: errors from hosts, servers and files
//! quote what they were given, and a secret in that text must not land on disk in clear.

use crate::core::redact::Redactor;
use std::io::{self, Write};
use std::sync::Arc;
use tracing_subscriber::fmt::MakeWriter;

/// Wraps a log writer so that every event is redacted before it is written.
pub struct RedactingLog<M> {
    inner: M,
    redactor: Arc<Redactor>,
}

impl<M> RedactingLog<M> {
    /// Redacts what `inner` would write.
    pub fn new(inner: M, redactor: Redactor) -> Self {
        Self {
            inner,
            redactor: Arc::new(redactor),
        }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingLog<M> {
    type Writer = RedactedEvent<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactedEvent {
            inner: self.inner.make_writer(),
            redactor: Arc::clone(&self.redactor),
            text: Vec::new(),
        }
    }
}

/// One event's text, held until the event is complete (the formatter writes an event, then
/// drops its writer), so a secret split over two writes is still recognised.
pub struct RedactedEvent<W: Write> {
    inner: W,
    redactor: Arc<Redactor>,
    text: Vec<u8>,
}

impl<W: Write> RedactedEvent<W> {
    fn emit(&mut self) -> io::Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.text);
        let clean = self.redactor.redact(&String::from_utf8_lossy(&text));
        self.inner.write_all(clean.as_bytes())
    }
}

impl<W: Write> Write for RedactedEvent<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactedEvent<W> {
    fn drop(&mut self) {
        let _ = self.emit();
        let _ = self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_event_split_over_writes_is_redacted_whole() {
        let sink = Sink::default();
        let into = sink.clone();
        let log = RedactingLog::new(move || into.clone(), Redactor::default());
        {
            let mut w = log.make_writer();
            let _ = w.write_all(b"ssh db: mysql -uroot -phun");
            let _ = w.write_all(b"ter2 speed failed\n");
        }
        let written =
            String::from_utf8_lossy(&sink.0.lock().map(|v| v.clone()).unwrap_or_default())
                .into_owned();
        assert_eq!(written, "ssh db: mysql -uroot -p*** speed failed\n");
    }
}
