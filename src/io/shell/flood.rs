//! A flood of output (`yes`, a binary file catted) is shown in full but recorded only up to a
//! rate, with a note of how much was left out, so one shell cannot fill the journal's disk.

/// Output recorded at most per [`FLUSH_EVERY`](super::FLUSH_EVERY).
pub const RECORDED_PER_FLUSH: usize = 64 * 1024;

/// How much output the current flush window has recorded, and left out.
#[derive(Debug, Default)]
pub(super) struct Flood {
    recorded: usize,
    left_out: u64,
}

impl Flood {
    /// The part of `bytes` to record: all of it while the window has room.
    pub(super) fn keep<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let room = RECORDED_PER_FLUSH
            .saturating_sub(self.recorded)
            .min(bytes.len());
        self.recorded += room;
        self.left_out += (bytes.len() - room) as u64;
        &bytes[..room]
    }

    /// The window ends: a note of what was left out, if anything was.
    pub(super) fn note(&mut self) -> Option<String> {
        let left_out = std::mem::take(&mut self.left_out);
        self.recorded = 0;
        (left_out > 0).then(|| {
            format!(
                "\r\n[cockpit: {left_out} bytes of output not recorded: more than {} KiB a second]\r\n",
                RECORDED_PER_FLUSH / 1024
            )
        })
    }
}
