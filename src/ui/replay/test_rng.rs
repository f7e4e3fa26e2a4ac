//! A small deterministic generator (xorshift) for the cast's randomised tests: a failing round
//! replays from its seed.

/// Xorshift64 from a non-zero seed.
pub(super) struct Rng(pub u64);

impl Rng {
    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
