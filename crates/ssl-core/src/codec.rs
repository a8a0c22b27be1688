//! Bounds-checked decoding and length-prefixed encoding of TLS structures.
//!
//! [`Reader`] borrows from its input and never panics: every read that would
//! run past the end returns [`DecodeError`]. Encoding appends to a `Vec<u8>`;
//! [`put_prefixed`] writes a length prefix and fills it in afterwards.

use core::fmt;

/// A structure did not decode: truncated, overlong, trailing bytes or an
/// out-of-range length. The peer gets a `decode_error` alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// A cursor over borrowed bytes.
///
/// ```
/// use ssl_core::codec::Reader;
/// let mut r = Reader::new(&[0, 2, 0xab, 0xcd, 7]);
/// assert_eq!(r.vec16("example").unwrap(), &[0xab, 0xcd]);
/// assert_eq!(r.u8("example").unwrap(), 7);
/// assert!(r.finish("example").is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread bytes, consuming them.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = &self.buf[self.pos..];
        self.pos = self.buf.len();
        out
    }

    /// Fails unless everything was read (trailing bytes are a decode error).
    pub fn finish(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.is_empty() { Ok(()) } else { Err(DecodeError(what)) }
    }

    /// Takes exactly `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError(what));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let s = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Reads a big-endian 24-bit integer.
    pub fn u24(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(3, what)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a vector with a one-byte length prefix.
    pub fn vec8(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u8(what)? as usize;
        self.take(n, what)
    }

    /// Reads a vector with a two-byte length prefix.
    pub fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u16(what)? as usize;
        self.take(n, what)
    }

    /// Reads a vector with a three-byte length prefix.
    pub fn vec24(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u24(what)? as usize;
        self.take(n, what)
    }

    /// Reads a non-empty vector with a one-byte length prefix.
    pub fn nonempty_vec8(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let v = self.vec8(what)?;
        if v.is_empty() { Err(DecodeError(what)) } else { Ok(v) }
    }

    /// Reads a non-empty vector with a two-byte length prefix.
    pub fn nonempty_vec16(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let v = self.vec16(what)?;
        if v.is_empty() { Err(DecodeError(what)) } else { Ok(v) }
    }

    /// Reads a two-byte-prefixed list of u16 values (the length must be even).
    pub fn u16_list(&mut self, what: &'static str) -> Result<U16List<'a>, DecodeError> {
        let v = self.vec16(what)?;
        U16List::new(v, what)
    }
}

/// A borrowed list of big-endian u16 values, validated to have even length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U16List<'a>(&'a [u8]);

impl<'a> U16List<'a> {
    /// Wraps raw bytes; fails on odd length.
    pub fn new(raw: &'a [u8], what: &'static str) -> Result<Self, DecodeError> {
        if !raw.len().is_multiple_of(2) {
            return Err(DecodeError(what));
        }
        Ok(U16List(raw))
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len() / 2
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `value` is in the list.
    pub fn contains(&self, value: u16) -> bool {
        self.iter().any(|v| v == value)
    }
}

/// Width of a length prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefix {
    /// One byte.
    U8,
    /// Two bytes.
    U16,
    /// Three bytes.
    U24,
}

impl Prefix {
    fn width(self) -> usize {
        match self {
            Prefix::U8 => 1,
            Prefix::U16 => 2,
            Prefix::U24 => 3,
        }
    }
}

/// Appends a u8.
#[inline]
pub fn put_u8(out: &mut Vec<u8>, v: u8) {
    out.push(v);
}

/// Appends a big-endian u16.
#[inline]
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends a big-endian 24-bit integer (the top byte of `v` is ignored).
#[inline]
pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

/// Appends a big-endian u32.
#[inline]
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Appends `body` with a length prefix.
pub fn put_vec(out: &mut Vec<u8>, prefix: Prefix, body: &[u8]) {
    put_prefixed(out, prefix, |o| o.extend_from_slice(body));
}

/// Appends whatever `f` writes, preceded by its length.
///
/// ```
/// use ssl_core::codec::{put_prefixed, put_u16, Prefix};
/// let mut out = Vec::new();
/// put_prefixed(&mut out, Prefix::U16, |o| put_u16(o, 0x1301));
/// assert_eq!(out, [0, 2, 0x13, 0x01]);
/// ```
pub fn put_prefixed(out: &mut Vec<u8>, prefix: Prefix, f: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    let w = prefix.width();
    out.extend_from_slice(&[0, 0, 0][..w]);
    f(out);
    let len = out.len() - at - w;
    let bytes = (len as u32).to_be_bytes();
    debug_assert!(len < (1usize << (8 * w)), "length prefix overflow");
    out[at..at + w].copy_from_slice(&bytes[4 - w..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_never_reads_past_the_end() {
        let mut r = Reader::new(&[0, 5, 1, 2]);
        assert_eq!(r.vec16("v"), Err(DecodeError("v")));
        let mut r = Reader::new(&[1]);
        assert!(r.u16("x").is_err());
        assert!(r.u24("x").is_err());
        assert!(r.u32("x").is_err());
        assert_eq!(r.u8("x"), Ok(1));
        assert!(r.u8("x").is_err());
        assert!(Reader::new(&[0, 0, 3, 9]).vec24("v").is_err());
    }

    #[test]
    fn trailing_bytes_are_detected() {
        let mut r = Reader::new(&[1, 2]);
        r.u8("a").unwrap();
        assert!(r.finish("a").is_err());
        r.u8("a").unwrap();
        assert!(r.finish("a").is_ok());
    }

    #[test]
    fn u16_list_rejects_odd_length() {
        assert!(Reader::new(&[0, 3, 1, 2, 3]).u16_list("l").is_err());
        let mut r = Reader::new(&[0, 4, 0x13, 0x01, 0x13, 0x02]);
        let l = r.u16_list("l").unwrap();
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![0x1301, 0x1302]);
        assert!(l.contains(0x1302));
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn prefixed_writes_nest() {
        let mut out = Vec::new();
        put_prefixed(&mut out, Prefix::U24, |o| {
            put_prefixed(o, Prefix::U8, |o| o.extend_from_slice(b"abc"));
            put_u32(o, 7);
        });
        assert_eq!(out, [0, 0, 8, 3, b'a', b'b', b'c', 0, 0, 0, 7]);
        let mut r = Reader::new(&out);
        let mut inner = Reader::new(r.vec24("outer").unwrap());
        assert_eq!(inner.vec8("inner").unwrap(), b"abc");
        assert_eq!(inner.u32("n").unwrap(), 7);
    }

    #[test]
    fn empty_vectors_can_be_refused() {
        assert!(Reader::new(&[0]).nonempty_vec8("x").is_err());
        assert!(Reader::new(&[0, 0]).nonempty_vec16("x").is_err());
    }
}
