//! `SslFile`: a TLS stream that behaves like a file (Pike's `SSL.File`).
//!
//! The design of the Notes ("SSL.File and Stdio.File Emulation Overview"),
//! piece by piece:
//! - **Stream**: the wrapped stream is always nonblocking ([`Stream`] is a
//!   `mio` source); "blocking mode" is emulated.
//! - **Buffering**: all I/O is buffered. The encrypted write buffer and the
//!   decrypted read buffer live in the engine ([`Connection`]); the read
//!   buffer has a back-pressure threshold ([`SslFile::set_read_threshold`]):
//!   above it the socket is not read until the user consumes.
//! - **Internal handlers in nonblocking mode** (`Core::pump`, run from
//!   `SslFile::on_ready`) are registered on the *real backend*
//!   ([`Backend::main`] or [`SslFile::set_backend`]). If a thread runs that
//!   backend, it drives the I/O; otherwise each I/O call performs the
//!   handler's work once, without waiting (`SslFile::rotate_once`) — so
//!   nonblocking use without callbacks works like a nonblocking socket.
//! - **Internal handlers in blocking mode** run on a dedicated *local
//!   backend* (a private `mio::Poll`, `LocalBackend`), created by
//!   [`SslFile::set_blocking`] and rotated until the call is done or the
//!   timeout expires (`SslFile::wait_io`).
//! - **User callbacks** only ever run as call-outs on the real backend
//!   (`SslFile::internal_poll`), never inside an API call or an internal
//!   handler, in the order accept → read (all buffered data) → close (once,
//!   only with an empty read buffer) → write (after the handshake, when the
//!   encrypted buffer has drained). A callback may call any method.

use crate::backend::{Backend, CallOutId, Handler, Readiness};
use crate::buffer::SharedBuffer;
use crate::error::{clone_io, not_connected, timed_out, tls_to_io, would_block};
use crate::stream::Stream;
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use rustls_pki_types::CertificateDer;
use ssl_core::constants::{CipherSuite, ProtocolVersion};
use ssl_core::{Connection, Context, Error as TlsError, Received, Session};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

/// How much plaintext a nonblocking `write` accepts per call, and how much
/// encrypted output may wait before writers block (Pike: 64 KiB).
const WRITE_CHUNK: usize = 64 * 1024;
const LOCAL_STREAM: Token = Token(0);
const LOCAL_WAKER: Token = Token(1);

/// Called with all buffered plaintext.
pub type ReadCallback<S> = Box<dyn FnMut(&SslFile<S>, &[u8]) + Send>;
/// Called when more data can be written.
pub type WriteCallback<S> = Box<dyn FnMut(&SslFile<S>) + Send>;
/// Called once when the connection ended: `None` for a clean close
/// (close_notify), the error otherwise (handshake failure included).
pub type CloseCallback<S> = Box<dyn FnMut(&SslFile<S>, Option<&io::Error>) + Send>;
/// Called when the handshake completed.
pub type AcceptCallback<S> = Box<dyn FnMut(&SslFile<S>) + Send>;
/// Called when a received record was judged invalid, with the error (and
/// the alert it will send) and the raw bytes received; it may call
/// [`SslFile::shutdown`] to take the plain stream instead.
pub type AlertCallback<S> = Box<dyn FnMut(&SslFile<S>, &TlsError, &[u8]) + Send>;

/// Called in buffer mode with the file's input buffer (new data arrived) or
/// output buffer (it drained and may be filled again).
pub type BufferCallback<S> = Box<dyn FnMut(&SslFile<S>, &SharedBuffer) + Send>;

/// How `close` ends the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseMode {
    /// Send close_notify (after all queued data), then close the stream
    /// without waiting for the peer's close_notify.
    Normal,
    /// Send close_notify and wait for the peer's; the stream stays open for
    /// reuse ([`SslFile::shutdown`] returns it).
    Clean,
}

/// What [`SslFile::is_open`] reports (Pike's 0/1/2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenState {
    /// Closed in both directions.
    Closed,
    /// Open (or decrypted data is still buffered).
    Open,
    /// Our close_notify is out, the peer's has not arrived.
    Closing,
}

/// Blocking or nonblocking operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Calls wait (on the local backend) until done or timed out.
    Blocking,
    /// Calls never wait; callbacks run on the real backend.
    Nonblocking,
}

/// A callback slot: taken out while the callback runs, so a callback can
/// replace or clear itself, and can never run re-entrantly.
enum Slot<T> {
    Empty,
    Set(T),
    InUse,
}

impl<T> Slot<T> {
    fn is_set(&self) -> bool {
        !matches!(self, Slot::Empty)
    }

    fn take_for_call(&mut self) -> Option<T> {
        match std::mem::replace(self, Slot::InUse) {
            Slot::Set(f) => Some(f),
            other => {
                *self = other;
                None
            }
        }
    }

    fn restore(&mut self, f: T) {
        if matches!(self, Slot::InUse) {
            *self = Slot::Set(f);
        }
    }

    fn put(&mut self, f: Option<T>) {
        *self = match f {
            Some(f) => Slot::Set(f),
            None => Slot::Empty,
        };
    }
}

/// Where the stream is registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reg {
    None,
    Real(Token),
    Local,
}

/// The local backend of blocking mode: a private poll.
pub(crate) struct LocalBackend {
    poll: Poll,
    events: Events,
}

struct LocalHandles {
    registry: Registry,
    waker: Waker,
}

/// The mutable state of a file, behind one lock.
pub(crate) struct Core<S: Stream> {
    stream: Option<S>,
    conn: Option<Connection>,
    ctx: Arc<Context>,
    mode: Mode,
    backend: Backend,
    reg: Reg,
    read_cb: Slot<ReadCallback<S>>,
    write_cb: Slot<WriteCallback<S>>,
    close_cb: Slot<CloseCallback<S>>,
    accept_cb: Slot<AcceptCallback<S>>,
    alert_cb: Slot<AlertCallback<S>>,
    /// Buffer mode (Pike's `set_buffer_mode`): decrypted data goes to
    /// `in_buf`, and what the user adds to `out_buf` is sent.
    in_buf: Option<SharedBuffer>,
    out_buf: Option<SharedBuffer>,
    buf_read_cb: Slot<BufferCallback<S>>,
    buf_write_cb: Slot<BufferCallback<S>>,
    /// Data moved into `in_buf` that the buffer read callback has not seen.
    in_unseen: bool,
    /// A buffer callback is running: what it adds or takes is handled when
    /// it returns, not by the buffer's hook.
    in_buffer_cb: bool,
    user_closed: Option<CloseMode>,
    eof: bool,
    read_err: Option<io::Error>,
    write_err: Option<io::Error>,
    /// Readiness hints: the stream may be readable / writable. Cleared when
    /// an attempt would block, set by readiness events (mio is
    /// edge-triggered), so we never make a system call that is sure to fail.
    read_ready: bool,
    write_ready: bool,
    /// A poll reported the peer's end of the stream: keep reading until EOF
    /// is seen, even after a short read (no further event will come).
    read_closed: bool,
    poll_pending: bool,
    /// Handshakes already reported to the accept callback (a TLS 1.2
    /// renegotiation reports again).
    handshakes_reported: u32,
    /// The addresses, read once at construction (they outlive the stream).
    addresses: (Option<SocketAddr>, Option<SocketAddr>),
    close_reported: bool,
    write_edge: bool,
    alert_hold: Option<(TlsError, Vec<u8>)>,
    alert_reported: bool,
    linger: Option<Duration>,
    linger_call_out: Option<CallOutId>,
    timeout: Option<Duration>,
    last_error: Option<io::ErrorKind>,
    read_threshold: usize,
    /// While callbacks wait for events in nonblocking mode, the backend
    /// keeps the file alive (as Pike's backend does): this is that
    /// reference. It is dropped once the connection is over.
    keepalive: Option<Arc<Inner<S>>>,
}

impl<S: Stream> Core<S> {
    fn handshake_complete(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.is_handshake_complete())
    }

    fn plaintext_len(&self) -> usize {
        self.conn.as_ref().map_or(0, |c| c.plaintext_len())
    }

    fn out_pending(&self) -> usize {
        self.conn.as_ref().map_or(0, |c| c.pending_tls().len())
    }

    /// The error that ended the connection, if any.
    fn failure(&self) -> Option<io::Error> {
        if let Some(e) = self.conn.as_ref().and_then(|c| c.error()) {
            return Some(tls_to_io(e.clone()));
        }
        self.read_err.as_ref().or(self.write_err.as_ref()).map(clone_io)
    }

    /// The error that ends reading: an engine error or a failed read (a
    /// failed write alone does not stop us reading what the peer sent).
    fn read_failure(&self) -> Option<io::Error> {
        if let Some(e) = self.conn.as_ref().and_then(|c| c.error()) {
            return Some(tls_to_io(e.clone()));
        }
        self.read_err.as_ref().map(clone_io)
    }

    /// What the close callback reports: nothing for a clean close.
    fn close_report(&self) -> Option<io::Error> {
        let clean = self.conn.as_ref().is_some_and(|c| c.peer_closed() && c.error().is_none());
        if clean { None } else { self.failure() }
    }

    /// Whether nothing more will arrive from the peer.
    fn peer_done(&self) -> bool {
        self.eof
            || self.read_err.is_some()
            || self.conn.as_ref().is_some_and(|c| c.peer_closed() || c.error().is_some())
    }

    /// The internal I/O handler: writes what is queued, reads what the
    /// back-pressure threshold allows, processes it, writes the answers.
    /// Returns whether anything happened.
    fn pump(&mut self) -> bool {
        let mut progress = self.feed_output(false);
        progress |= self.flush();
        progress |= self.fill();
        progress |= self.feed_output(false);
        progress |= self.flush();
        progress
    }

    /// Buffer mode: moves bytes from the output buffer into the connection,
    /// as long as less than `WRITE_CHUNK` of encrypted output waits (all of
    /// them with `all`, when closing). Only after the handshake, and not
    /// after `close` unless `all`.
    fn feed_output(&mut self, all: bool) -> bool {
        if self.out_buf.is_none() || self.failure().is_some() || (self.user_closed.is_some() && !all) {
            return false;
        }
        let room = if all { usize::MAX } else { WRITE_CHUNK.saturating_sub(self.out_pending()) };
        let (Some(out), Some(conn)) = (self.out_buf.as_ref(), self.conn.as_mut()) else { return false };
        if room == 0 || !conn.is_handshake_complete() {
            return false;
        }
        out.drain_quietly(room, |bytes| conn.send(bytes).unwrap_or(0)) > 0
    }

    /// Records readiness reported by a poll.
    fn note_readiness(&mut self, r: Readiness) {
        if r.readable || r.read_closed || r.error {
            self.read_ready = true;
        }
        if r.read_closed || r.error {
            self.read_closed = true;
        }
        if r.writable || r.write_closed || r.error {
            self.write_ready = true;
        }
    }

    fn flush(&mut self) -> bool {
        if self.alert_hold.is_some() {
            return false;
        }
        let (Some(conn), Some(stream)) = (self.conn.as_mut(), self.stream.as_mut()) else { return false };
        let mut progress = false;
        let had = conn.wants_write();
        while conn.wants_write() && self.write_err.is_none() && self.write_ready {
            match conn.write_tls(stream) {
                Ok(0) => break,
                Ok(_) => progress = true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.write_ready = false;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::debug!("write failed: {e}");
                    self.write_err = Some(e);
                    break;
                }
            }
        }
        if had && !conn.wants_write() {
            self.write_edge = true;
        }
        progress
    }

    fn fill(&mut self) -> bool {
        let (Some(conn), Some(stream)) = (self.conn.as_mut(), self.stream.as_mut()) else { return false };
        let mut progress = false;
        while self.read_ready
            && !self.eof
            && self.read_err.is_none()
            && conn.wants_read()
            && conn.plaintext_len() < self.read_threshold
        {
            match conn.read_tls_from(stream) {
                Ok(0) => {
                    self.eof = true;
                    progress = true;
                    let _ = conn.transport_eof();
                }
                Ok(_) => {
                    progress = true;
                    // A short read drained the socket: the next readiness event says when there is more.
                    if conn.last_read_was_short() && !self.read_closed {
                        self.read_ready = false;
                    }
                    if let Err(e) = conn.process_new_packets() {
                        if e.alert().is_some() && self.alert_cb.is_set() && !self.alert_reported {
                            // Hold the alert until the alert callback decided.
                            self.alert_reported = true;
                            self.alert_hold = Some((e, conn.unprocessed_input().to_vec()));
                        }
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.read_ready = false;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::debug!("read failed: {e}");
                    self.read_err = Some(e);
                    progress = true;
                }
            }
        }
        progress
    }

    /// A blocking wait's step: done once the output buffer (buffer mode)
    /// and the encrypted output have reached the stream, or failed.
    fn output_drained(&mut self) -> Option<io::Result<()>> {
        if let Some(e) = self.failure() {
            return Some(Err(e));
        }
        let drained = self.out_buf.as_ref().is_none_or(|b| b.is_empty());
        (drained && self.out_pending() == 0).then_some(Ok(()))
    }

    fn any_callback(&self) -> bool {
        self.read_cb.is_set()
            || self.buf_read_cb.is_set()
            || self.buf_write_cb.is_set()
            || self.write_cb.is_set()
            || self.close_cb.is_set()
            || self.accept_cb.is_set()
            || self.alert_cb.is_set()
    }

    fn record_error<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r
            && e.kind() != io::ErrorKind::WouldBlock
        {
            self.last_error = Some(e.kind());
        }
        r
    }

    /// Closes and forgets the stream (after a normal close or an error).
    fn drop_stream(&mut self, local: Option<&Registry>) {
        self.unregister(local);
        if let Some(s) = self.stream.take() {
            let _ = s.shutdown_both();
        }
    }

    fn unregister(&mut self, local: Option<&Registry>) {
        let Some(stream) = self.stream.as_mut() else { return };
        match self.reg {
            Reg::Real(token) => {
                let _ = self.backend.deregister(stream, token);
            }
            Reg::Local => {
                if let Some(r) = local {
                    let _ = r.deregister(stream);
                }
            }
            Reg::None => {}
        }
        self.reg = Reg::None;
    }

    /// Whether a close in progress has finished: the peer's close_notify
    /// (clean) or our own (normal) went out.
    fn close_finished(&self) -> bool {
        match self.user_closed {
            None => false,
            Some(_) if self.failure().is_some() => true,
            // A peer that only shut down its sending side still reads: our output must reach it.
            Some(CloseMode::Normal) => self.out_pending() == 0,
            Some(CloseMode::Clean) => {
                self.out_pending() == 0 && (self.eof || self.conn.as_ref().is_none_or(|c| c.peer_closed()))
            }
        }
    }
}

pub(crate) struct Inner<S: Stream> {
    core: Mutex<Core<S>>,
    cond: Condvar,
    local: Mutex<Option<LocalBackend>>,
    local_handles: OnceLock<LocalHandles>,
    blocked: AtomicUsize,
    /// Threads waiting on `cond` (so progress wakes nobody when nobody waits).
    cond_waiters: AtomicUsize,
    this: Weak<Inner<S>>,
}

impl<S: Stream> Drop for Inner<S> {
    /// The Notes' `_destruct`: clear the callbacks, go nonblocking, try to
    /// send close_notify once, and let go of the stream.
    fn drop(&mut self) {
        let local = self.local_handles.get().map(|h| &h.registry);
        let Ok(core) = self.core.get_mut() else { return };
        core.read_cb = Slot::Empty;
        core.write_cb = Slot::Empty;
        core.close_cb = Slot::Empty;
        core.accept_cb = Slot::Empty;
        core.alert_cb = Slot::Empty;
        core.buf_read_cb = Slot::Empty;
        core.buf_write_cb = Slot::Empty;
        core.alert_hold = None;
        for b in [core.in_buf.take(), core.out_buf.take()].into_iter().flatten() {
            b.set_hook(None);
        }
        if let (Some(conn), None) = (core.conn.as_mut(), core.user_closed)
            && conn.error().is_none()
            && core.read_err.is_none()
            && core.write_err.is_none()
        {
            conn.close_notify();
            core.flush();
        }
        if let Some(id) = core.linger_call_out.take() {
            core.backend.remove_call_out(id);
        }
        core.drop_stream(local);
    }
}

/// A TLS stream that behaves like a file: blocking or nonblocking, with
/// read/write/close/accept/alert callbacks run by a [`Backend`].
///
/// `SslFile` is a handle: clones refer to the same connection, so two
/// threads can read and write it at the same time, and callbacks receive
/// it. Dropping the last handle sends close_notify (best effort) and closes
/// the stream.
///
/// ```no_run
/// use std::io::{Read, Write};
/// use std::sync::Arc;
/// use ssl_file::{SslFile, Context};
/// # fn main() -> std::io::Result<()> {
/// let mut ctx = Context::new();
/// ctx.trusted_issuers.add_pem(&std::fs::read("ca.pem")?).unwrap();
/// let tcp = std::net::TcpStream::connect("example.com:443")?;
/// tcp.set_nonblocking(true)?; // SslFile does its own waiting
/// let file = SslFile::new(mio::net::TcpStream::from_std(tcp), Arc::new(ctx));
/// file.set_blocking()?;
/// file.connect(Some("example.com"), None)?;
/// (&file).write_all(b"GET / HTTP/1.0\r\n\r\n")?;
/// let mut page = Vec::new();
/// (&file).read_to_end(&mut page)?;
/// file.close(ssl_file::CloseMode::Normal)?;
/// # Ok(()) }
/// ```
pub struct SslFile<S: Stream = mio::net::TcpStream> {
    inner: Arc<Inner<S>>,
}

/// A handle that does not keep the file alive (see [`SslFile::downgrade`]).
pub struct WeakSslFile<S: Stream = mio::net::TcpStream> {
    inner: Weak<Inner<S>>,
}

impl<S: Stream> Clone for SslFile<S> {
    fn clone(&self) -> Self {
        SslFile { inner: self.inner.clone() }
    }
}

impl<S: Stream> core::fmt::Debug for SslFile<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let core = self.lock();
        f.debug_struct("SslFile")
            .field("mode", &core.mode)
            .field("connection", &core.conn)
            .field("user_closed", &core.user_closed)
            .finish_non_exhaustive()
    }
}

impl<S: Stream> SslFile<S> {
    /// Wraps `stream` (which must already be nonblocking, as mio streams
    /// are). The file starts in nonblocking mode on [`Backend::main`] with no
    /// callbacks; call [`SslFile::set_blocking`] for blocking use, then
    /// [`SslFile::connect`] or [`SslFile::accept`].
    pub fn new(stream: S, ctx: Arc<Context>) -> SslFile<S> {
        SslFile::with_backend(stream, ctx, Backend::main())
    }

    /// Like [`SslFile::new`] with another real backend.
    pub fn with_backend(stream: S, ctx: Arc<Context>, backend: Backend) -> SslFile<S> {
        let addresses = (stream.local_address().ok(), stream.peer_address().ok());
        let inner = Arc::new_cyclic(|this| Inner {
            core: Mutex::new(Core {
                stream: Some(stream),
                conn: None,
                ctx,
                mode: Mode::Nonblocking,
                backend,
                reg: Reg::None,
                read_cb: Slot::Empty,
                write_cb: Slot::Empty,
                close_cb: Slot::Empty,
                accept_cb: Slot::Empty,
                alert_cb: Slot::Empty,
                in_buf: None,
                out_buf: None,
                buf_read_cb: Slot::Empty,
                buf_write_cb: Slot::Empty,
                in_unseen: false,
                in_buffer_cb: false,
                user_closed: None,
                eof: false,
                read_err: None,
                write_err: None,
                read_ready: true,
                write_ready: true,
                read_closed: false,
                poll_pending: false,
                handshakes_reported: 0,
                addresses,
                close_reported: false,
                write_edge: false,
                alert_hold: None,
                alert_reported: false,
                linger: None,
                linger_call_out: None,
                timeout: None,
                last_error: None,
                read_threshold: ssl_core::connection::DEFAULT_READ_LIMIT,
                keepalive: None,
            }),
            cond: Condvar::new(),
            local: Mutex::new(None),
            local_handles: OnceLock::new(),
            blocked: AtomicUsize::new(0),
            cond_waiters: AtomicUsize::new(0),
            this: this.clone(),
        });
        let file = SslFile { inner };
        {
            let mut core = file.lock();
            let _ = file.register(&mut core, Mode::Nonblocking);
        }
        file
    }

    /// A weak handle, for timers and registries that must not keep the file alive.
    pub fn downgrade(&self) -> WeakSslFile<S> {
        WeakSslFile { inner: Arc::downgrade(&self.inner) }
    }

    /// The file behind a weak handle, if it still exists.
    pub fn upgrade(weak: &WeakSslFile<S>) -> Option<SslFile<S>> {
        weak.inner.upgrade().map(|inner| SslFile { inner })
    }

    /// Abandons a handshake still in progress: the stream is closed and the
    /// callbacks cleared. Returns `None` if the handshake had completed (or
    /// never started), `Some(())` if it was abandoned.
    pub fn shutdown_if_handshaking(&self) -> Option<()> {
        let mut core = self.lock();
        if core.conn.is_none() || core.handshake_complete() {
            return None;
        }
        core.read_err.get_or_insert_with(timed_out);
        core.read_cb = Slot::Empty;
        core.write_cb = Slot::Empty;
        core.close_cb = Slot::Empty;
        core.accept_cb = Slot::Empty;
        core.buf_read_cb = Slot::Empty;
        core.buf_write_cb = Slot::Empty;
        core.alert_hold = None;
        core.drop_stream(self.local_registry());
        self.update_keepalive(&mut core);
        Some(())
    }

    fn lock(&self) -> MutexGuard<'_, Core<S>> {
        self.inner.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn local_registry(&self) -> Option<&Registry> {
        self.inner.local_handles.get().map(|h| &h.registry)
    }

    // ---- registration: the real backend or the local one ----

    fn handler(&self) -> Handler {
        let weak = self.inner.this.clone();
        Arc::new(move |r: Readiness| {
            if let Some(inner) = weak.upgrade() {
                SslFile { inner }.on_ready(r);
            }
        })
    }

    fn ensure_local(&self) -> io::Result<&LocalHandles> {
        if let Some(h) = self.inner.local_handles.get() {
            return Ok(h);
        }
        let mut local = self.inner.local.lock().unwrap_or_else(|p| p.into_inner());
        if local.is_none() {
            let poll = Poll::new()?;
            let registry = poll.registry().try_clone()?;
            let waker = Waker::new(poll.registry(), LOCAL_WAKER)?;
            let _ = self.inner.local_handles.set(LocalHandles { registry, waker });
            *local = Some(LocalBackend { poll, events: Events::with_capacity(16) });
        }
        self.inner.local_handles.get().ok_or_else(|| io::Error::other("local backend"))
    }

    fn register(&self, core: &mut Core<S>, mode: Mode) -> io::Result<()> {
        let local = self.local_registry();
        core.unregister(local);
        core.mode = mode;
        let Some(stream) = core.stream.as_mut() else { return Ok(()) };
        match mode {
            Mode::Nonblocking => {
                let token = core.backend.register(stream, Interest::READABLE | Interest::WRITABLE, self.handler())?;
                core.reg = Reg::Real(token);
            }
            Mode::Blocking => {
                let h = self.ensure_local()?;
                h.registry.register(stream, LOCAL_STREAM, Interest::READABLE | Interest::WRITABLE)?;
                core.reg = Reg::Local;
            }
        }
        // A new registration: readiness is unknown, so try the stream once.
        core.read_ready = true;
        core.write_ready = true;
        self.update_keepalive(core);
        Ok(())
    }

    /// The internal handler on the real backend: I/O readiness.
    fn on_ready(&self, r: Readiness) {
        let mut core = self.lock();
        if core.mode != Mode::Nonblocking {
            return;
        }
        core.note_readiness(r);
        let progress = core.pump();
        self.after_io(&mut core, progress);
    }

    /// After I/O: finish a close in progress, wake blocked callers, and
    /// schedule the user callbacks.
    fn after_io(&self, core: &mut Core<S>, progress: bool) {
        if core.user_closed.is_some() && core.close_finished() {
            self.finish_close(core);
        }
        if progress {
            if self.inner.cond_waiters.load(Ordering::SeqCst) > 0 {
                self.inner.cond.notify_all();
            }
            if self.inner.blocked.load(Ordering::SeqCst) > 1
                && let Some(h) = self.inner.local_handles.get()
            {
                let _ = h.waker.wake();
            }
        }
        if progress || core.write_edge || core.alert_hold.is_some() {
            self.schedule_poll(core);
        }
        self.update_keepalive(core);
    }

    /// Keeps the file alive while it waits for events with callbacks set in
    /// nonblocking mode, and while a close it started is in progress (the
    /// backend finishes it: queued data and close_notify still go out); lets
    /// go once nothing more can happen.
    fn update_keepalive(&self, core: &mut Core<S>) {
        let closing = core.user_closed.is_some() && core.stream.is_some() && !core.close_finished();
        let ended = core.stream.is_none()
            || core.close_reported
            || (core.peer_done()
                && !core.close_cb.is_set()
                && core.plaintext_len() == 0
                && !core.in_unseen
                && core.alert_hold.is_none());
        // A close in progress is finished even without callbacks: data
        // written before `close` must reach the peer after the last handle
        // is gone.
        let keep = core.mode == Mode::Nonblocking && (closing || (core.any_callback() && !ended));
        if keep && core.keepalive.is_none() {
            core.keepalive = Some(self.inner.clone());
        } else if !keep {
            core.keepalive = None;
        }
    }

    fn finish_close(&self, core: &mut Core<S>) {
        if let Some(id) = core.linger_call_out.take() {
            core.backend.remove_call_out(id);
        }
        let clean_done = core.user_closed == Some(CloseMode::Clean)
            && core.failure().is_none()
            && core.conn.as_ref().is_some_and(|c| c.peer_closed());
        if !clean_done {
            core.drop_stream(self.local_registry());
        }
        self.update_keepalive(core);
    }

    /// Nonblocking mode without a thread running the real backend: do the
    /// internal handler's work once, without waiting (the Notes' "rotate
    /// the real backend once with 0.0 timeout per I/O-op").
    fn rotate_once(&self, core: &mut Core<S>) {
        if core.mode == Mode::Nonblocking && !core.backend.is_running() {
            // Nobody polls the real backend, so no readiness events arrive: try the stream.
            core.read_ready = true;
            core.write_ready = true;
            let progress = core.pump();
            self.after_io(core, progress);
        } else if core.mode == Mode::Nonblocking {
            // The running backend drives I/O; still move what is ready now.
            let progress = core.pump();
            self.after_io(core, progress);
        }
    }

    // ---- user callbacks: call-outs on the real backend ----

    fn schedule_poll(&self, core: &mut Core<S>) {
        self.update_keepalive(core);
        if core.poll_pending || !core.any_callback() {
            return;
        }
        core.poll_pending = true;
        let weak = self.inner.this.clone();
        core.backend.call_out(Duration::ZERO, move || {
            if let Some(inner) = weak.upgrade() {
                SslFile { inner }.internal_poll();
            }
        });
    }

    /// Decides which user callbacks to run, in Pike's order; runs each with
    /// the lock released.
    fn internal_poll(&self) {
        let mut core = self.lock();
        core.poll_pending = false;
        if let Some((err, raw)) = core.alert_hold.take() {
            core.alert_hold = Some((err.clone(), Vec::new()));
            if let Some(mut cb) = core.alert_cb.take_for_call() {
                drop(core);
                cb(self, &err, &raw);
                core = self.lock();
                core.alert_cb.restore(cb);
            }
            core.alert_hold = None;
            if core.stream.is_none() || core.conn.is_none() {
                return;
            }
            let progress = core.pump();
            if progress {
                self.inner.cond.notify_all();
            }
        }
        let handshakes = core.conn.as_ref().map_or(0, |c| c.handshakes());
        if core.handshake_complete() && handshakes > core.handshakes_reported {
            core.handshakes_reported = handshakes;
            if log::log_enabled!(log::Level::Debug)
                && let Some(c) = core.conn.as_ref()
            {
                let peer = core.stream.as_ref().and_then(|s| s.peer_address().ok());
                log::debug!(
                    "{:?} handshake with {} complete: {} {} resumed={}",
                    c.side(),
                    peer.map_or_else(|| "?".to_string(), |p| p.to_string()),
                    c.version().map_or_else(|| "?".to_string(), |v| v.to_string()),
                    c.cipher_suite().map_or_else(|| "?".to_string(), |s| s.to_string()),
                    c.negotiated().resumed,
                );
            }
            core.write_edge = true;
            if let Some(mut cb) = core.accept_cb.take_for_call() {
                drop(core);
                cb(self);
                core = self.lock();
                core.accept_cb.restore(cb);
            }
        }
        if let Some(input) = core.in_buf.clone()
            && core.buf_read_cb.is_set()
        {
            // Buffer mode: the data joins what the user left in the buffer
            // (up to the read threshold, so a callback that takes nothing
            // does not make us buffer without bound).
            if core.plaintext_len() > 0 && input.len() < core.read_threshold {
                input.append_with(|bytes| drain_plaintext_into(&mut core, bytes));
                core.in_unseen = true;
            }
            if core.in_unseen && matches!(core.buf_read_cb, Slot::Set(_)) {
                core.in_unseen = false;
                core = self.call_buffer_cb(core, |c| &mut c.buf_read_cb, &input);
                let progress = core.pump();
                if progress {
                    self.inner.cond.notify_all();
                }
            }
        } else if core.plaintext_len() > 0
            && let Some(mut cb) = core.read_cb.take_for_call()
        {
            let data = drain_plaintext(&mut core);
            drop(core);
            cb(self, &data);
            core = self.lock();
            core.read_cb.restore(cb);
            let progress = core.pump();
            if progress {
                self.inner.cond.notify_all();
            }
        }
        if core.plaintext_len() == 0
            && !(core.in_unseen && core.buf_read_cb.is_set())
            && core.user_closed.is_none()
            && !core.close_reported
            && core.peer_done()
            && let Some(mut cb) = core.close_cb.take_for_call()
        {
            core.close_reported = true;
            let err = core.close_report();
            drop(core);
            cb(self, err.as_ref());
            core = self.lock();
            core.close_cb.restore(cb);
        }
        let writable = core.handshake_complete()
            && core.user_closed.is_none()
            && core.write_edge
            && core.out_pending() == 0
            && core.failure().is_none();
        let output = core.out_buf.clone().filter(|_| core.buf_write_cb.is_set());
        if let Some(output) = output {
            // Buffer mode: the callback refills the drained output buffer;
            // what it adds is sent when it returns (Pike meant to do this too,
            // but called the wrong object there).
            if writable && output.is_empty() && matches!(core.buf_write_cb, Slot::Set(_)) {
                core.write_edge = false;
                core = self.call_buffer_cb(core, |c| &mut c.buf_write_cb, &output);
                let progress = core.pump();
                self.after_io(&mut core, progress);
            }
        } else if writable && let Some(mut cb) = core.write_cb.take_for_call() {
            core.write_edge = false;
            drop(core);
            cb(self);
            core = self.lock();
            core.write_cb.restore(cb);
        }
        let buffer_in = core.in_buf.as_ref().filter(|_| core.buf_read_cb.is_set()).map(|b| b.len());
        let buffer_out_empty = core.out_buf.as_ref().filter(|_| core.buf_write_cb.is_set()).map(|b| b.is_empty());
        let more = match buffer_in {
            Some(len) => core.in_unseen || (core.plaintext_len() > 0 && len < core.read_threshold),
            None => core.plaintext_len() > 0 && core.read_cb.is_set(),
        } || (core.write_edge
            && (core.write_cb.is_set() || buffer_out_empty == Some(true))
            && core.out_pending() == 0
            && core.handshake_complete())
            || (core.peer_done() && !core.close_reported && core.close_cb.is_set() && core.plaintext_len() == 0)
            || core.alert_hold.is_some();
        if more && core.user_closed.is_none() {
            self.schedule_poll(&mut core);
        }
        self.update_keepalive(&mut core);
    }

    /// Runs the buffer callback in `slot` with `buf`, the lock released
    /// (the buffers' hook waits until it returns); gives the lock back.
    fn call_buffer_cb<'a>(
        &'a self,
        mut core: MutexGuard<'a, Core<S>>,
        slot: fn(&mut Core<S>) -> &mut Slot<BufferCallback<S>>,
        buf: &SharedBuffer,
    ) -> MutexGuard<'a, Core<S>> {
        let Some(mut cb) = slot(&mut core).take_for_call() else { return core };
        core.in_buffer_cb = true;
        drop(core);
        cb(self, buf);
        let mut core = self.lock();
        core.in_buffer_cb = false;
        slot(&mut core).restore(cb);
        core
    }

    // ---- blocking mode: the local backend ----

    /// Rotates the local backend until `step` says done, or the deadline.
    /// Several threads may wait at once: one polls, the others wait for it.
    fn wait_io<T>(
        &self,
        deadline: Option<Instant>,
        mut step: impl FnMut(&mut Core<S>) -> Option<io::Result<T>>,
    ) -> io::Result<T> {
        self.inner.blocked.fetch_add(1, Ordering::SeqCst);
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _leave = Leave(&self.inner.blocked);
        let mut seen = Readiness::default();
        loop {
            {
                let mut core = self.lock();
                core.note_readiness(seen);
                seen = Readiness::default();
                let progress = core.pump();
                self.after_io(&mut core, progress);
                if let Some(r) = step(&mut core) {
                    return core.record_error(r);
                }
                if core.mode != Mode::Blocking {
                    return core.record_error(Err(would_block()));
                }
            }
            let now = Instant::now();
            let remaining = match deadline {
                Some(d) if d <= now => return Err(timed_out()),
                Some(d) => Some(d - now),
                None => None,
            };
            let got_local = self.inner.local.try_lock();
            match got_local {
                Ok(mut guard) => {
                    let Some(local) = guard.as_mut() else { return Err(io::Error::other("no local backend")) };
                    match local.poll.poll(&mut local.events, remaining) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                    for ev in local.events.iter().filter(|e| e.token() == LOCAL_STREAM) {
                        seen.readable |= ev.is_readable();
                        seen.writable |= ev.is_writable();
                        seen.read_closed |= ev.is_read_closed();
                        seen.write_closed |= ev.is_write_closed();
                        seen.error |= ev.is_error();
                    }
                }
                Err(_) => {
                    // Another thread drives the local backend: let it re-check, and wait for its progress.
                    if let Some(h) = self.inner.local_handles.get() {
                        let _ = h.waker.wake();
                    }
                    let core = self.lock();
                    let wait = remaining.unwrap_or(Duration::from_millis(100)).min(Duration::from_millis(100));
                    self.inner.cond_waiters.fetch_add(1, Ordering::SeqCst);
                    let _ = self.inner.cond.wait_timeout(core, wait);
                    self.inner.cond_waiters.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
    }

    fn deadline(&self, core: &Core<S>) -> Option<Instant> {
        core.timeout.map(|t| Instant::now() + t)
    }

    // ---- modes ----

    /// Blocking mode: clears the read, write, close and accept callbacks
    /// (not the alert callback) and moves the stream to the local backend.
    pub fn set_blocking(&self) -> io::Result<()> {
        let mut core = self.lock();
        core.read_cb = Slot::Empty;
        core.write_cb = Slot::Empty;
        core.close_cb = Slot::Empty;
        core.accept_cb = Slot::Empty;
        core.buf_read_cb = Slot::Empty;
        core.buf_write_cb = Slot::Empty;
        self.register(&mut core, Mode::Blocking)
    }

    /// Blocking mode, keeping the callbacks.
    pub fn set_blocking_keep_callbacks(&self) -> io::Result<()> {
        let mut core = self.lock();
        self.register(&mut core, Mode::Blocking)
    }

    /// Nonblocking mode with these callbacks (the accept callback is
    /// cleared, as in Pike). Unlike Pike, callbacks set during the handshake
    /// take effect at once, so a handshake failure reaches the close callback.
    pub fn set_nonblocking(
        &self,
        read: Option<ReadCallback<S>>,
        write: Option<WriteCallback<S>>,
        close: Option<CloseCallback<S>>,
    ) -> io::Result<()> {
        let mut core = self.lock();
        core.read_cb.put(read);
        core.write_cb.put(write);
        core.close_cb.put(close);
        core.accept_cb = Slot::Empty;
        self.register(&mut core, Mode::Nonblocking)?;
        self.rotate_once(&mut core);
        self.schedule_poll(&mut core);
        Ok(())
    }

    /// Nonblocking mode, keeping the callbacks.
    pub fn set_nonblocking_keep_callbacks(&self) -> io::Result<()> {
        let mut core = self.lock();
        self.register(&mut core, Mode::Nonblocking)?;
        self.schedule_poll(&mut core);
        Ok(())
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.lock().mode
    }

    /// Sets the read callback (called with all buffered plaintext).
    pub fn set_read_callback(&self, f: impl FnMut(&SslFile<S>, &[u8]) + Send + 'static) {
        let mut core = self.lock();
        core.read_cb = Slot::Set(Box::new(f));
        self.schedule_poll(&mut core);
    }

    /// Sets the write callback (called when the encrypted buffer drained).
    pub fn set_write_callback(&self, f: impl FnMut(&SslFile<S>) + Send + 'static) {
        let mut core = self.lock();
        core.write_cb = Slot::Set(Box::new(f));
        core.write_edge = true;
        self.schedule_poll(&mut core);
    }

    /// Sets the close callback (called once; `None` means a clean close).
    pub fn set_close_callback(&self, f: impl FnMut(&SslFile<S>, Option<&io::Error>) + Send + 'static) {
        let mut core = self.lock();
        core.close_cb = Slot::Set(Box::new(f));
        self.schedule_poll(&mut core);
    }

    /// Sets the accept callback (called when the handshake completed).
    pub fn set_accept_callback(&self, f: impl FnMut(&SslFile<S>) + Send + 'static) {
        let mut core = self.lock();
        core.accept_cb = Slot::Set(Box::new(f));
        self.schedule_poll(&mut core);
    }

    /// Sets the alert callback: called (as a call-out) when a received
    /// record is invalid, with the error and the raw bytes received; the
    /// alert is held until it returns, and is not sent if it calls
    /// [`SslFile::shutdown`].
    pub fn set_alert_callback(&self, f: impl FnMut(&SslFile<S>, &TlsError, &[u8]) + Send + 'static) {
        let mut core = self.lock();
        core.alert_cb = Slot::Set(Box::new(f));
    }

    /// Buffer mode (Pike's `set_buffer_mode`). With an `input` buffer,
    /// decrypted data is appended to it and the buffer read callback
    /// ([`SslFile::set_buffer_read_callback`]) is called to consume what it
    /// can; what it leaves stays for the next call (and `read` returns it
    /// first). With an `output` buffer, bytes the user adds to it are sent
    /// without a `write` call, and the buffer write callback
    /// ([`SslFile::set_buffer_write_callback`]) is called when it has
    /// drained. `None` leaves that side in normal mode. Data already
    /// decrypted stays readable; it reaches the input buffer with the next
    /// callback. The two buffers must differ.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ssl_file::{Backend, SharedBuffer, SslFile, Context};
    /// # fn main() -> std::io::Result<()> {
    /// # let tcp = mio::net::TcpStream::connect("127.0.0.1:4433".parse().unwrap())?;
    /// let file = SslFile::new(tcp, Arc::new(Context::new()));
    /// let (input, output) = (SharedBuffer::new(), SharedBuffer::new());
    /// file.set_buffer_mode(Some(input), Some(output.clone()))?;
    /// // A line-based protocol: answer each complete line, keep partial ones.
    /// file.set_buffer_read_callback(move |_file, input| {
    ///     while let Some(line) = input.read_line() {
    ///         output.add(b"echo: ");
    ///         output.add(&line);
    ///     }
    /// });
    /// file.accept(&[])?;
    /// Backend::main().run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_buffer_mode(&self, input: Option<SharedBuffer>, output: Option<SharedBuffer>) -> io::Result<()> {
        if let (Some(i), Some(o)) = (&input, &output)
            && SharedBuffer::ptr_eq(i, o)
        {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the input and output buffers must differ"));
        }
        let mut core = self.lock();
        for old in [core.in_buf.take(), core.out_buf.take()].into_iter().flatten() {
            old.set_hook(None);
        }
        for b in [&input, &output].into_iter().flatten() {
            let weak = self.inner.this.clone();
            b.set_hook(Some(Arc::new(move || {
                if let Some(inner) = weak.upgrade() {
                    SslFile { inner }.on_buffer_change();
                }
            })));
        }
        core.in_buf = input;
        core.out_buf = output;
        core.in_unseen = false;
        core.write_edge = true;
        let progress = core.pump();
        self.after_io(&mut core, progress);
        self.schedule_poll(&mut core);
        Ok(())
    }

    /// The buffers of buffer mode, as set by [`SslFile::set_buffer_mode`]
    /// (Pike's `query_buffer_mode`).
    pub fn query_buffer_mode(&self) -> (Option<SharedBuffer>, Option<SharedBuffer>) {
        let core = self.lock();
        (core.in_buf.clone(), core.out_buf.clone())
    }

    /// Sets the buffer read callback: in buffer mode, called with the input
    /// buffer after new data was appended to it (the normal read callback
    /// is not called while an input buffer is set and this one is).
    pub fn set_buffer_read_callback(&self, f: impl FnMut(&SslFile<S>, &SharedBuffer) + Send + 'static) {
        let mut core = self.lock();
        core.buf_read_cb = Slot::Set(Box::new(f));
        self.schedule_poll(&mut core);
    }

    /// Sets the buffer write callback: in buffer mode, called with the
    /// output buffer once it and the encrypted output have drained; what it
    /// adds is sent when it returns.
    pub fn set_buffer_write_callback(&self, f: impl FnMut(&SslFile<S>, &SharedBuffer) + Send + 'static) {
        let mut core = self.lock();
        core.buf_write_cb = Slot::Set(Box::new(f));
        core.write_edge = true;
        self.schedule_poll(&mut core);
    }

    /// The hook of the buffers: the user added output or took input.
    fn on_buffer_change(&self) {
        let mut core = self.lock();
        if core.in_buffer_cb || core.stream.is_none() {
            return;
        }
        let progress = core.pump();
        self.after_io(&mut core, progress);
        if core.in_buf.is_some() && core.plaintext_len() > 0 {
            // Room in the input buffer: the callback may get more.
            self.schedule_poll(&mut core);
        }
    }

    /// Removes every callback.
    pub fn clear_callbacks(&self) {
        let mut core = self.lock();
        core.read_cb.put(None);
        core.write_cb.put(None);
        core.close_cb.put(None);
        core.accept_cb.put(None);
        core.alert_cb.put(None);
        core.buf_read_cb.put(None);
        core.buf_write_cb.put(None);
        self.update_keepalive(&mut core);
    }

    /// Moves the file to another real backend.
    pub fn set_backend(&self, backend: Backend) -> io::Result<()> {
        let mut core = self.lock();
        let mode = core.mode;
        let local = self.local_registry();
        core.unregister(local);
        core.backend = backend;
        core.poll_pending = false;
        self.register(&mut core, mode)?;
        self.schedule_poll(&mut core);
        Ok(())
    }

    /// The real backend.
    pub fn backend(&self) -> Backend {
        self.lock().backend.clone()
    }

    /// Timeout of blocking operations (`None`: wait forever).
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        self.lock().timeout = timeout;
    }

    /// How long `close` may wait for our close_notify to go out and (clean
    /// close) for the peer's; `None` is no limit. Like Pike's `linger(0)`,
    /// zero closes at once without waiting.
    pub fn linger(&self, linger: Option<Duration>) {
        self.lock().linger = linger;
    }

    /// The back-pressure threshold: above this much buffered plaintext the
    /// socket is not read until the user consumes.
    pub fn set_read_threshold(&self, bytes: usize) {
        let mut core = self.lock();
        core.read_threshold = bytes.max(1);
        if let Some(c) = core.conn.as_mut() {
            c.set_read_limit(bytes);
        }
    }

    // ---- connect / accept ----

    fn start(&self, conn: Connection) -> io::Result<()> {
        let deadline;
        {
            let mut core = self.lock();
            if core.conn.is_some() {
                return Err(io::Error::new(io::ErrorKind::AlreadyExists, "connect or accept was already called"));
            }
            let mut conn = conn;
            conn.set_read_limit(core.read_threshold);
            core.conn = Some(conn);
            if core.mode == Mode::Nonblocking {
                self.rotate_once(&mut core);
                self.schedule_poll(&mut core);
                return match core.conn.as_ref().and_then(|c| c.error()) {
                    Some(e) => {
                        let e = tls_to_io(e.clone());
                        core.record_error(Err(e))
                    }
                    None => Ok(()),
                };
            }
            deadline = self.deadline(&core);
        }
        let r = self.wait_io(deadline, |core| {
            if core.handshake_complete() {
                return Some(Ok(()));
            }
            if let Some(e) = core.failure() {
                return Some(Err(e));
            }
            if core.eof {
                return Some(Err(io::Error::from(io::ErrorKind::UnexpectedEof)));
            }
            None
        });
        if let Err(e) = &r
            && e.kind() == io::ErrorKind::TimedOut
        {
            let mut core = self.lock();
            core.read_err = Some(timed_out());
            core.drop_stream(self.local_registry());
        }
        r
    }

    /// Starts the client handshake. `server_name` is sent as SNI and is the
    /// name the server's certificate must match; `session` resumes an
    /// earlier session. Blocking mode waits for the handshake; nonblocking
    /// mode returns at once (the accept callback tells when it is done).
    /// The session to resume later is [`SslFile::session`] (TLS 1.3 tickets
    /// arrive after the handshake).
    pub fn connect(&self, server_name: Option<&str>, session: Option<Session>) -> io::Result<()> {
        let ctx = self.lock().ctx.clone();
        log::trace!("client handshake starts (server name {server_name:?}, resuming: {})", session.is_some());
        let conn = Connection::client(ctx, server_name, session).map_err(tls_to_io)?;
        self.start(conn)
    }

    /// Starts the server handshake; `pending_data` are bytes already read
    /// from the stream (e.g. after a STARTTLS command).
    pub fn accept(&self, pending_data: &[u8]) -> io::Result<()> {
        let ctx = self.lock().ctx.clone();
        log::trace!("server handshake starts ({} bytes already read)", pending_data.len());
        let mut conn = Connection::server(ctx);
        if !pending_data.is_empty() {
            conn.read_tls(pending_data).map_err(tls_to_io)?;
        }
        self.start(conn)
    }

    // ---- reading ----

    fn read_step(core: &mut Core<S>, buf: &mut [u8]) -> Option<io::Result<usize>> {
        // Buffer mode: what reached the input buffer comes first.
        if let Some(input) = core.in_buf.as_ref()
            && !buf.is_empty()
            && !input.is_empty()
        {
            return Some(Ok(input.read_into_quietly(buf)));
        }
        let Some(conn) = core.conn.as_mut() else {
            return Some(Err(not_connected("connect or accept first")));
        };
        if core.user_closed.is_some() && conn.plaintext_len() == 0 {
            // Pike: "Not open." once we closed and nothing is buffered.
            return Some(Err(not_connected("the file was closed")));
        }
        match conn.recv(buf) {
            Ok(Received::Data(n)) if n > 0 || buf.is_empty() => Some(Ok(n)),
            Ok(Received::Eof) => Some(Ok(0)),
            Ok(_) => {
                if let Some(e) = core.read_failure() {
                    Some(Err(e))
                } else if core.eof {
                    Some(Ok(0))
                } else if core.user_closed.is_some() {
                    Some(Err(not_connected("the file was closed")))
                } else {
                    None
                }
            }
            Err(e) => Some(Err(tls_to_io(e))),
        }
    }

    fn read_into(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut core = self.lock();
        if core.mode == Mode::Nonblocking {
            self.rotate_once(&mut core);
            let r = Self::read_step(&mut core, buf).unwrap_or_else(|| Err(would_block()));
            let progress = core.pump();
            self.after_io(&mut core, progress);
            return core.record_error(r);
        }
        // Blocking mode: buffered data is returned at once, without touching the stream.
        if let Some(r) = Self::read_step(&mut core, buf) {
            return core.record_error(r);
        }
        let deadline = self.deadline(&core);
        drop(core);
        self.wait_io(deadline, |core| Self::read_step(core, buf))
    }

    /// Pike's `read(len, not_all)`: up to `len` bytes (`None`: until EOF).
    /// Blocking mode waits for all `len` bytes (or EOF), or with `not_all`
    /// for at least one; nonblocking mode returns what is there (an empty
    /// result with `WouldBlock` when nothing is), never spinning.
    pub fn read_pike(&self, len: Option<usize>, not_all: bool) -> io::Result<Vec<u8>> {
        let want = len.unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let mut buf = vec![0u8; want.min(64 * 1024)];
        loop {
            let room = (want - out.len()).min(buf.len());
            if room == 0 {
                return Ok(out);
            }
            match self.read_into(&mut buf[..room]) {
                Ok(0) => return Ok(out),
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if not_all || self.mode() == Mode::Nonblocking {
                        // Take what is buffered without waiting for more.
                        if self.lock().plaintext_len() == 0 {
                            return Ok(out);
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && !out.is_empty() => return Ok(out),
                Err(e) => return Err(e),
            }
        }
    }

    /// Bytes of decrypted data waiting to be read.
    pub fn buffered(&self) -> usize {
        self.lock().plaintext_len()
    }

    // ---- writing ----

    fn write_data(&self, data: &[u8]) -> io::Result<usize> {
        let mut core = self.lock();
        if core.user_closed.is_some() {
            return core.record_error(Err(not_connected("the file was closed")));
        }
        if core.conn.is_none() {
            return core.record_error(Err(not_connected("connect or accept first")));
        }
        if let Some(output) = core.out_buf.clone()
            && !output.is_empty()
        {
            // Buffer mode with bytes still in the output buffer: `write`
            // queues behind them (Pike's order), and blocking mode waits
            // until everything reached the stream.
            if let Some(e) = core.failure() {
                return core.record_error(Err(e));
            }
            output.append_quietly(data);
            let progress = core.pump();
            self.after_io(&mut core, progress);
            if core.mode == Mode::Nonblocking {
                return Ok(data.len());
            }
            let deadline = self.deadline(&core);
            drop(core);
            self.wait_io(deadline, Core::output_drained)?;
            return Ok(data.len());
        }
        if core.mode == Mode::Nonblocking {
            self.rotate_once(&mut core);
            if let Some(e) = core.failure() {
                return core.record_error(Err(e));
            }
            if !core.handshake_complete() || core.out_pending() >= WRITE_CHUNK {
                return Err(would_block());
            }
            let n = data.len().min(WRITE_CHUNK);
            let r = core.conn.as_mut().map(|c| c.send(&data[..n]));
            if let Some(Err(e)) = r {
                return core.record_error(Err(tls_to_io(e)));
            }
            let progress = core.pump();
            self.after_io(&mut core, progress);
            return Ok(n);
        }
        let deadline = self.deadline(&core);
        let handshaken = core.handshake_complete();
        drop(core);
        // Blocking: finish the handshake, then hand the data over in chunks,
        // waiting while too much encrypted output is queued.
        if !handshaken {
            self.wait_io(
                deadline,
                |core| {
                    if core.handshake_complete() { Some(Ok(())) } else { core.failure().map(Err) }
                },
            )?;
        }
        let mut done = 0;
        while done < data.len() {
            let n = (data.len() - done).min(WRITE_CHUNK);
            let backlog = {
                let mut core = self.lock();
                if let Some(e) = core.failure() {
                    return core.record_error(Err(e));
                }
                let r = core.conn.as_mut().map(|c| c.send(&data[done..done + n]));
                if let Some(Err(e)) = r {
                    return core.record_error(Err(tls_to_io(e)));
                }
                let progress = core.flush();
                self.after_io(&mut core, progress);
                core.out_pending()
            };
            done += n;
            if backlog >= WRITE_CHUNK {
                self.wait_io(deadline, |core| {
                    if let Some(e) = core.failure() {
                        return Some(Err(e));
                    }
                    (core.out_pending() < WRITE_CHUNK).then_some(Ok(()))
                })?;
            }
        }
        // Like Pike: a blocking write returns once everything reached the stream.
        if self.lock().out_pending() > 0 {
            self.wait_io(deadline, |core| {
                if let Some(e) = core.failure() {
                    return Some(Err(e));
                }
                (core.out_pending() == 0).then_some(Ok(()))
            })?;
        }
        Ok(data.len())
    }

    /// Blocking mode: waits until all encrypted output (and, in buffer
    /// mode, the output buffer) reached the stream.
    /// Nonblocking mode: writes what the stream takes now.
    pub fn flush_output(&self) -> io::Result<()> {
        let mut core = self.lock();
        if core.mode == Mode::Nonblocking || core.conn.is_none() {
            let progress = core.flush();
            self.after_io(&mut core, progress);
            return Ok(());
        }
        let deadline = self.deadline(&core);
        drop(core);
        self.wait_io(deadline, Core::output_drained)
    }

    // ---- closing ----

    /// Sends close_notify after all queued data and blocks further writes
    /// (and reads, once the buffer is empty). See [`CloseMode`]. Blocking
    /// mode waits (at most the linger time) for the exchange; nonblocking
    /// mode lets the backend finish it. Closing twice is fine.
    pub fn close(&self, mode: CloseMode) -> io::Result<()> {
        let deadline;
        {
            let mut core = self.lock();
            if core.user_closed.is_some() {
                return Ok(());
            }
            core.user_closed = Some(mode);
            if core.conn.is_none() {
                core.drop_stream(self.local_registry());
                return Ok(());
            }
            if let Some(e) = core.failure() {
                core.drop_stream(self.local_registry());
                return core.record_error(Err(e));
            }
            // Buffer mode: what the user put in the output buffer goes before close_notify.
            core.feed_output(true);
            if let Some(c) = core.conn.as_mut() {
                c.close_notify();
            }
            let progress = core.pump();
            if core.linger == Some(Duration::ZERO) {
                core.drop_stream(self.local_registry());
                return Ok(());
            }
            self.after_io(&mut core, progress);
            if core.mode == Mode::Nonblocking {
                if core.stream.is_some()
                    && !core.close_finished()
                    && let Some(l) = core.linger
                {
                    let weak = self.inner.this.clone();
                    let id = core.backend.call_out(l, move || {
                        if let Some(inner) = weak.upgrade() {
                            let f = SslFile { inner };
                            let mut core = f.lock();
                            core.linger_call_out = None;
                            core.read_err.get_or_insert_with(timed_out);
                            core.drop_stream(f.local_registry());
                            f.update_keepalive(&mut core);
                        }
                    });
                    core.linger_call_out = Some(id);
                }
                return Ok(());
            }
            deadline = core.linger.map(|l| Instant::now() + l);
        }
        let r = self.wait_io(deadline, |core| {
            if core.close_finished() || core.stream.is_none() {
                return Some(Ok(()));
            }
            None
        });
        let mut core = self.lock();
        if r.is_err() {
            core.drop_stream(self.local_registry());
        } else {
            self.finish_close(&mut core);
        }
        core.record_error(r)
    }

    /// Ends TLS without sending anything more and returns the plain stream
    /// with the bytes that arrived after the peer's close_notify (or, if the
    /// peer never spoke TLS, the raw bytes it sent) — for protocol fallback
    /// or reuse. Returns `None` (and closes the stream) when the stream is
    /// not reusable: a normal close, an unfinished clean close, or an error.
    pub fn shutdown(&self) -> io::Result<Option<(S, Vec<u8>)>> {
        let mut core = self.lock();
        let local = self.local_registry();
        core.unregister(local);
        core.read_cb = Slot::Empty;
        core.write_cb = Slot::Empty;
        core.close_cb = Slot::Empty;
        core.accept_cb = Slot::Empty;
        core.buf_read_cb = Slot::Empty;
        core.buf_write_cb = Slot::Empty;
        if let Some(id) = core.linger_call_out.take() {
            core.backend.remove_call_out(id);
        }
        let conn = core.conn.take();
        let reusable = match core.user_closed {
            None => true,
            Some(CloseMode::Clean) => conn.as_ref().is_some_and(|c| c.peer_closed()) && core.out_pending() == 0,
            Some(CloseMode::Normal) => false,
        };
        let reusable = reusable || core.alert_hold.is_some();
        core.alert_hold = None;
        core.keepalive = None;
        core.user_closed.get_or_insert(CloseMode::Normal);
        let Some(stream) = core.stream.take() else { return Ok(None) };
        if !reusable {
            let _ = stream.shutdown_both();
            return Ok(None);
        }
        let leftover = match conn {
            Some(mut c) if c.peer_closed() => c.take_leftover(),
            Some(c) if c.error().is_some() || !c.is_handshake_complete() => c.unprocessed_input().to_vec(),
            _ => Vec::new(),
        };
        Ok(Some((stream, leftover)))
    }

    /// Pike's `is_open`: `Open` while data is buffered or the connection is
    /// up, `Closing` while a clean close waits for the peer, else `Closed`.
    pub fn is_open(&self) -> OpenState {
        let mut core = self.lock();
        if core.plaintext_len() > 0 {
            return OpenState::Open;
        }
        if core.mode == Mode::Nonblocking {
            self.rotate_once(&mut core);
        } else {
            // Pike polls here to notice a close_notify that arrived (keep-alive clients).
            core.read_ready = true;
            let progress = core.pump();
            self.after_io(&mut core, progress);
        }
        if core.plaintext_len() > 0 {
            return OpenState::Open;
        }
        if core.stream.is_none() || core.failure().is_some() {
            return OpenState::Closed;
        }
        match (core.user_closed, core.conn.as_ref().is_some_and(|c| c.peer_closed())) {
            (None, false) => OpenState::Open,
            (Some(CloseMode::Clean), false) => OpenState::Closing,
            _ => OpenState::Closed,
        }
    }

    /// Renegotiates: TLS 1.2 starts a new handshake (secure renegotiation,
    /// when the context enables it); TLS 1.3 has none, so it updates the
    /// traffic keys in both directions instead (KeyUpdate with
    /// update_requested).
    pub fn renegotiate(&self) -> io::Result<()> {
        let mut core = self.lock();
        let r = match core.conn.as_mut() {
            Some(c) if c.version() == Some(ProtocolVersion::TLS1_2) => c.renegotiate().map_err(tls_to_io),
            Some(c) => c.key_update(true).map_err(tls_to_io),
            None => Err(not_connected("connect or accept first")),
        };
        let progress = core.pump();
        self.after_io(&mut core, progress);
        core.record_error(r)
    }

    // ---- queries ----

    /// The kind of the last error an operation reported (Pike's `errno`).
    pub fn last_error(&self) -> Option<io::ErrorKind> {
        self.lock().last_error
    }

    /// The negotiated protocol version.
    pub fn version(&self) -> Option<ProtocolVersion> {
        self.lock().conn.as_ref().and_then(|c| c.version())
    }

    /// The negotiated cipher suite.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.lock().conn.as_ref().and_then(|c| c.cipher_suite())
    }

    /// The negotiated application protocol.
    pub fn alpn(&self) -> Option<Vec<u8>> {
        self.lock().conn.as_ref().and_then(|c| c.alpn().map(|a| a.to_vec()))
    }

    /// The server name (SNI).
    pub fn server_name(&self) -> Option<String> {
        self.lock().conn.as_ref().and_then(|c| c.server_name().map(|s| s.to_string()))
    }

    /// The peer's certificates, end entity first.
    pub fn peer_certificates(&self) -> Vec<CertificateDer<'static>> {
        self.lock().conn.as_ref().map(|c| c.peer_certificates().to_vec()).unwrap_or_default()
    }

    /// The session to resume later (reads pending input first, so tickets
    /// that arrived are seen).
    pub fn session(&self) -> Option<Session> {
        let mut core = self.lock();
        // Look at the stream even without a readiness event: a ticket may be waiting.
        core.read_ready = true;
        let progress = core.pump();
        self.after_io(&mut core, progress);
        core.conn.as_ref().and_then(|c| c.session().cloned())
    }

    /// Runs `f` with the engine (for anything not wrapped here).
    pub fn with_connection<T>(&self, f: impl FnOnce(Option<&mut Connection>) -> T) -> T {
        let mut core = self.lock();
        f(core.conn.as_mut())
    }

    /// Whether the handshake completed.
    pub fn is_handshake_complete(&self) -> bool {
        self.lock().handshake_complete()
    }

    /// The peer's address (remembered after the stream is closed).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        let mut core = self.lock();
        if let Some(a) = core.stream.as_ref().and_then(|s| s.peer_address().ok()) {
            core.addresses.1 = Some(a);
        }
        core.addresses.1.ok_or_else(|| not_connected("no peer address"))
    }

    /// Our address (remembered after the stream is closed).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        let mut core = self.lock();
        if let Some(a) = core.stream.as_ref().and_then(|s| s.local_address().ok()) {
            core.addresses.0 = Some(a);
        }
        core.addresses.0.ok_or_else(|| not_connected("no local address"))
    }

    /// Whether two handles refer to the same file.
    pub fn ptr_eq(a: &SslFile<S>, b: &SslFile<S>) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Sets TCP_NODELAY where the stream supports it.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        match self.lock().stream.as_ref() {
            Some(s) => s.set_nodelay(nodelay),
            None => Err(not_connected("the stream is gone")),
        }
    }

    /// The context.
    pub fn context(&self) -> Arc<Context> {
        self.lock().ctx.clone()
    }
}

fn drain_plaintext<S: Stream>(core: &mut Core<S>) -> Vec<u8> {
    let mut data = Vec::new();
    drain_plaintext_into(core, &mut data);
    data
}

/// Appends all decrypted data to `out` (one copy, out of the engine).
fn drain_plaintext_into<S: Stream>(core: &mut Core<S>, out: &mut Vec<u8>) {
    let n = core.plaintext_len();
    let start = out.len();
    out.resize(start + n, 0);
    let mut at = start;
    if let Some(c) = core.conn.as_mut() {
        while at < start + n {
            match c.recv(&mut out[at..]) {
                Ok(Received::Data(k)) if k > 0 => at += k,
                _ => break,
            }
        }
    }
    out.truncate(at);
}

impl<S: Stream> Read for &SslFile<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_into(buf)
    }
}

impl<S: Stream> Read for SslFile<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_into(buf)
    }
}

impl<S: Stream> Write for &SslFile<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_data(buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        // Records may span the slices: gather them (writev-style) into one write.
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let mut joined = Vec::with_capacity(total);
        for b in bufs {
            joined.extend_from_slice(b);
        }
        self.write_data(&joined)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_output()
    }
}

impl<S: Stream> Write for SslFile<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_data(buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        (&*self).write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_output()
    }
}
