//! The algorithms behind the suites: hashes and HKDF, AEADs, key exchange,
//! signatures and randomness. `ring` does everything it has; RustCrypto
//! crates fill the gaps (AES-CCM, P-521, finite-field DH).

pub mod aead;
pub mod hash;
pub mod hkdf;
pub mod kx;
pub mod prf;
pub mod rand;
pub mod sign;

mod ffdhe;
mod p521;

pub use hash::Secret;
pub use rand::{SecureRandom, SystemRandom};
