//! Randomness is given to the engine, never picked by it.

use crate::error::Error;
use core::fmt;

/// A source of cryptographically secure random bytes.
///
/// The engine draws every random value it sends (randoms, session IDs,
/// ticket keys, key-exchange secrets made by our own code) from the
/// `SecureRandom` in its [`Context`](crate::Context). (`ring`'s own key
/// generation and signing draw from the operating system inside `ring`.)
pub trait SecureRandom: Send + Sync + fmt::Debug {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error>;
}

/// The operating system's generator (through `ring`).
#[derive(Debug)]
pub struct SystemRandom(ring::rand::SystemRandom);

impl SystemRandom {
    /// A handle to the OS generator.
    pub fn new() -> Self {
        SystemRandom(ring::rand::SystemRandom::new())
    }
}

impl Default for SystemRandom {
    fn default() -> Self {
        SystemRandom::new()
    }
}

impl SecureRandom for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error> {
        use ring::rand::SecureRandom as _;
        self.0.fill(dest).map_err(|_| Error::Internal("random generator failed"))
    }
}

/// Draws a fixed-size random array.
pub(crate) fn random_array<const N: usize>(rng: &dyn SecureRandom) -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    rng.fill(&mut out)?;
    Ok(out)
}

/// Adapts a `SecureRandom` to the closure form the RustCrypto-backed helpers take.
/// A failing generator aborts the handshake later through `failed`.
pub(crate) struct RngFill<'a> {
    rng: &'a dyn SecureRandom,
    pub(crate) failed: bool,
}

impl<'a> RngFill<'a> {
    pub(crate) fn new(rng: &'a dyn SecureRandom) -> Self {
        RngFill { rng, failed: false }
    }

    pub(crate) fn fill(&mut self, dest: &mut [u8]) {
        if self.rng.fill(dest).is_err() {
            self.failed = true;
        }
    }
}
