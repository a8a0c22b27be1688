//! [`SharedBuffer`]: the byte buffers of buffer mode (Pike's `Stdio.Buffer`
//! given to `set_buffer_mode`).
//!
//! A `SharedBuffer` is a handle: the user keeps one clone, the file another.
//! As a file's *input* buffer it receives the decrypted data, and the buffer
//! read callback consumes from it what it can use (a whole line, a whole
//! message); the rest stays for the next call. As a file's *output* buffer,
//! bytes added to it are sent without a `write` call, and the buffer write
//! callback is called when it has drained, to fill it again.

use std::sync::{Arc, Mutex, MutexGuard};

/// What a file installs on its buffers: called after the user added bytes
/// (output) or took bytes (input), without any buffer lock held.
pub(crate) type Hook = Arc<dyn Fn() + Send + Sync>;

/// A byte buffer shared between the user and an [`SslFile`](crate::SslFile)
/// in buffer mode ([`SslFile::set_buffer_mode`](crate::SslFile::set_buffer_mode)).
///
/// ```
/// use ssl_file::SharedBuffer;
/// let buf = SharedBuffer::new();
/// buf.add(b"HELO a\r\nMAIL");
/// assert_eq!(buf.read_line().as_deref(), Some(&b"HELO a\r\n"[..]));
/// assert_eq!(buf.read_line(), None); // "MAIL" waits for the rest of its line
/// assert_eq!(buf.read_all(), b"MAIL");
/// ```
#[derive(Clone, Default)]
pub struct SharedBuffer {
    inner: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    bytes: Mutex<Bytes>,
    hook: Mutex<Option<Hook>>,
}

/// The bytes, consumed from the front without moving the rest each time.
#[derive(Default)]
struct Bytes {
    buf: Vec<u8>,
    start: usize,
}

impl Bytes {
    fn data(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n.min(self.buf.len() - self.start);
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start >= 64 * 1024 && self.start * 2 >= self.buf.len() {
            // Most of the allocation is consumed: move the rest to the front.
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.data().len());
        let out = self.data()[..n].to_vec();
        self.consume(n);
        out
    }
}

impl core::fmt::Debug for SharedBuffer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedBuffer").field("len", &self.len()).finish_non_exhaustive()
    }
}

impl SharedBuffer {
    /// An empty buffer.
    pub fn new() -> SharedBuffer {
        SharedBuffer::default()
    }

    fn bytes(&self) -> MutexGuard<'_, Bytes> {
        self.inner.bytes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn notify(&self) {
        let hook = self.inner.hook.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(hook) = hook {
            hook();
        }
    }

    /// Bytes in the buffer.
    pub fn len(&self) -> usize {
        self.bytes().data().len()
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `data`. On a file's output buffer the file sends it: at once
    /// as far as the stream takes it, the rest when the stream is writable
    /// (inside the buffer write callback: when the callback returns).
    pub fn add(&self, data: &[u8]) {
        self.bytes().buf.extend_from_slice(data);
        self.notify();
    }

    /// Removes and returns up to `n` bytes from the front.
    pub fn read(&self, n: usize) -> Vec<u8> {
        let out = self.bytes().take(n);
        self.notify();
        out
    }

    /// Removes and returns everything.
    pub fn read_all(&self) -> Vec<u8> {
        self.read(usize::MAX)
    }

    /// Removes and returns the first line, through its `\n`, if a whole
    /// line is in the buffer; otherwise leaves the buffer as it is.
    pub fn read_line(&self) -> Option<Vec<u8>> {
        let line = {
            let mut b = self.bytes();
            let end = b.data().iter().position(|c| *c == b'\n')? + 1;
            b.take(end)
        };
        self.notify();
        Some(line)
    }

    /// Shows the buffered bytes to `f`, which returns how many of them to
    /// remove from the front (e.g. the length of each complete message it
    /// found). Returns that count. `f` runs with the buffer locked: it must
    /// not use this buffer or the file it belongs to.
    pub fn consume_with(&self, f: impl FnOnce(&[u8]) -> usize) -> usize {
        let n = {
            let mut b = self.bytes();
            let n = f(b.data()).min(b.data().len());
            b.consume(n);
            n
        };
        self.notify();
        n
    }

    /// Whether `a` and `b` are handles to the same buffer.
    pub fn ptr_eq(a: &SharedBuffer, b: &SharedBuffer) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    // ---- for the file: no hook is called ----

    pub(crate) fn set_hook(&self, hook: Option<Hook>) {
        *self.inner.hook.lock().unwrap_or_else(|p| p.into_inner()) = hook;
    }

    /// Appends without calling the hook (the file filling its input buffer).
    pub(crate) fn append_quietly(&self, data: &[u8]) {
        self.append_with(|bytes| bytes.extend_from_slice(data));
    }

    /// Lets `fill` append to the bytes directly (no copy in between); no
    /// hook is called.
    pub(crate) fn append_with(&self, fill: impl FnOnce(&mut Vec<u8>)) {
        fill(&mut self.bytes().buf);
    }

    /// Moves up to `buf.len()` bytes into `buf` without calling the hook.
    pub(crate) fn read_into_quietly(&self, buf: &mut [u8]) -> usize {
        let mut b = self.bytes();
        let n = buf.len().min(b.data().len());
        buf[..n].copy_from_slice(&b.data()[..n]);
        b.consume(n);
        n
    }

    /// Shows up to `max` bytes from the front to `send`, which returns how
    /// many it took; those are removed. No hook is called.
    pub(crate) fn drain_quietly(&self, max: usize, send: impl FnOnce(&[u8]) -> usize) -> usize {
        let mut b = self.bytes();
        let n = max.min(b.data().len());
        if n == 0 {
            return 0;
        }
        let took = send(&b.data()[..n]).min(n);
        b.consume(took);
        took
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn bytes_come_out_in_order_and_lines_wait_for_their_end() {
        let b = SharedBuffer::new();
        b.add(b"one\ntw");
        assert_eq!(b.read_line().unwrap(), b"one\n");
        assert_eq!(b.read_line(), None);
        assert_eq!(b.len(), 2);
        b.add(b"o\nthree");
        assert_eq!(b.read_line().unwrap(), b"two\n");
        assert_eq!(b.read(3), b"thr");
        assert_eq!(b.consume_with(|d| d.len()), 2);
        assert!(b.is_empty());
        assert_eq!(b.read(10), b"");
    }

    #[test]
    fn large_consumed_prefixes_are_given_back() {
        let b = SharedBuffer::new();
        let data: Vec<u8> = (0..300_000u32).map(|i| i as u8).collect();
        b.add(&data);
        let mut got = Vec::new();
        while !b.is_empty() {
            got.extend(b.read(7_000));
            let bytes = b.bytes();
            assert!(bytes.start < 64 * 1024 || bytes.start * 2 < bytes.buf.len());
        }
        assert_eq!(got, data);
        assert_eq!(b.bytes().buf.len(), 0);
    }

    #[test]
    fn the_hook_sees_user_changes_only() {
        let b = SharedBuffer::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        b.set_hook(Some(Arc::new(move || {
            c.fetch_add(1, Ordering::SeqCst);
        })));
        b.add(b"abc\n");
        b.read_line();
        b.append_quietly(b"xyz");
        let mut out = [0u8; 2];
        assert_eq!(b.read_into_quietly(&mut out), 2);
        assert_eq!(b.drain_quietly(10, |d| d.len()), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // The hook may use the buffer (no lock is held when it runs).
        let b2 = b.clone();
        b.set_hook(Some(Arc::new(move || {
            let _ = b2.len();
        })));
        b.add(b"fine");
        assert_eq!(b.len(), 4);
        assert!(SharedBuffer::ptr_eq(&b, &b.clone()));
        assert!(!SharedBuffer::ptr_eq(&b, &SharedBuffer::new()));
        b.set_hook(None);
    }
}
