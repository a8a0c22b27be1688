//! `SslPort`: a listening socket that hands out handshaken [`SslFile`]s.
//!
//! Handshakes of incoming connections always run concurrently on an event
//! loop — the port's backend in callback mode, a private one for the
//! blocking [`SslPort::accept`] — so a slow or silent client never holds up
//! the others, and a handshake that takes longer than the handshake timeout
//! is abandoned.

use crate::backend::Backend;
use crate::file::SslFile;
use mio::net::{TcpListener, TcpStream};
use mio::{Interest, Token};
use ssl_core::Context;
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

/// Called once per connection whose handshake completed (nonblocking mode).
pub type PortAcceptCallback = Box<dyn FnMut(&SslPort, SslFile) + Send>;
/// Called when an incoming connection failed (handshake failure, timeout,
/// socket error), with the peer's address when known.
pub type PortErrorCallback = Box<dyn FnMut(&SslPort, Option<SocketAddr>, &io::Error) + Send>;
/// Called with each new file before its handshake starts (to set an alert
/// callback, a read threshold, …).
pub type PortPrepareCallback = Box<dyn FnMut(&SslFile) + Send>;

/// The default limit on how long an incoming handshake may take.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct State {
    accept: Option<PortAcceptCallback>,
    error: Option<PortErrorCallback>,
    prepare: Option<PortPrepareCallback>,
    /// Where the listener is registered, and for which mode.
    registered: Option<(Backend, Token, bool)>,
    /// Blocking mode: handshaken files and failures waiting for `accept`.
    ready: VecDeque<io::Result<SslFile>>,
    handshake_timeout: Option<Duration>,
}

struct PortInner {
    listener: Mutex<TcpListener>,
    ctx: Arc<Context>,
    backend: Backend,
    state: Mutex<State>,
    /// The private event loop of blocking `accept` (handshakes in progress
    /// wait there between calls).
    blocking: std::sync::OnceLock<Backend>,
    this: Weak<PortInner>,
}

impl Drop for PortInner {
    fn drop(&mut self) {
        if let (Ok(listener), Ok(state)) = (self.listener.get_mut(), self.state.get_mut())
            && let Some((backend, token, _)) = state.registered.take()
        {
            let _ = backend.deregister(listener, token);
        }
    }
}

/// A TLS listener.
///
/// ```no_run
/// use std::sync::Arc;
/// use ssl_file::{SslPort, Context};
/// # fn main() -> std::io::Result<()> {
/// let mut ctx = Context::new();
/// ctx.add_cert_pem(&std::fs::read("cert.pem")?, &std::fs::read("key.pem")?).unwrap();
/// let port = SslPort::bind("127.0.0.1:4433".parse().unwrap(), Arc::new(ctx))?;
/// loop {
///     match port.accept() {
///         Ok(file) => { /* serve it, e.g. in a thread */ let _ = file; }
///         Err(e) => eprintln!("handshake failed: {e}"),
///     }
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct SslPort {
    inner: Arc<PortInner>,
}

impl SslPort {
    /// Listens on `addr` (address reuse on, backlog 1024) with the main backend.
    pub fn bind(addr: SocketAddr, ctx: Arc<Context>) -> io::Result<SslPort> {
        SslPort::bind_with_backend(addr, ctx, Backend::main())
    }

    /// Listens on `addr`; nonblocking accepts run on `backend`.
    pub fn bind_with_backend(addr: SocketAddr, ctx: Arc<Context>, backend: Backend) -> io::Result<SslPort> {
        let domain = socket2::Domain::for_address(addr);
        let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(1024)?;
        socket.set_nonblocking(true)?;
        let listener = TcpListener::from_std(socket.into());
        Ok(SslPort {
            inner: Arc::new_cyclic(|this| PortInner {
                listener: Mutex::new(listener),
                ctx,
                backend,
                state: Mutex::new(State { handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT), ..State::default() }),
                blocking: std::sync::OnceLock::new(),
                this: this.clone(),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The address the port listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?.local_addr()
    }

    /// How long an incoming handshake may take (`None`: no limit). The
    /// default is [`DEFAULT_HANDSHAKE_TIMEOUT`].
    pub fn set_handshake_timeout(&self, timeout: Option<Duration>) {
        self.state().handshake_timeout = timeout;
    }

    /// Called with each new file before its handshake starts.
    pub fn set_prepare_callback(&self, f: impl FnMut(&SslFile) + Send + 'static) {
        self.state().prepare = Some(Box::new(f));
    }

    /// Called for every incoming connection that failed.
    pub fn set_error_callback(&self, f: impl FnMut(&SslPort, Option<SocketAddr>, &io::Error) + Send + 'static) {
        self.state().error = Some(Box::new(f));
    }

    /// Registers the listener on `backend` for callback (`true`) or blocking mode.
    fn listen_on(&self, backend: &Backend, callbacks: bool) -> io::Result<()> {
        let mut st = self.state();
        if let Some((b, _, mode)) = &st.registered
            && b == backend
            && *mode == callbacks
        {
            return Ok(());
        }
        let mut listener = self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?;
        if let Some((b, t, _)) = st.registered.take() {
            let _ = b.deregister(&mut *listener, t);
        }
        let weak = self.inner.this.clone();
        let token = backend.register(
            &mut *listener,
            Interest::READABLE,
            Arc::new(move |_| {
                if let Some(inner) = weak.upgrade() {
                    SslPort { inner }.on_incoming(callbacks);
                }
            }),
        )?;
        st.registered = Some((backend.clone(), token, callbacks));
        Ok(())
    }

    /// Waits for a connection whose handshake completed (blocking) and
    /// returns it in blocking mode. Incoming handshakes run concurrently, so
    /// a silent client does not hold up the others. A failed handshake is
    /// returned as the error (after the error callback, if any); call again
    /// for the next connection.
    pub fn accept(&self) -> io::Result<SslFile> {
        let private = match self.inner.blocking.get() {
            Some(b) => b.clone(),
            None => {
                let b = Backend::new()?;
                self.inner.blocking.get_or_init(|| b).clone()
            }
        };
        self.listen_on(&private, false)?;
        // Connections may already be waiting.
        self.on_incoming(false);
        loop {
            let next = self.state().ready.pop_front();
            if let Some(r) = next {
                let file = r?;
                file.set_backend(self.inner.backend.clone())?;
                file.set_blocking()?;
                return Ok(file);
            }
            // Keep this backend's registration while waiting; run it.
            let registered = self.state().registered.clone();
            let backend = match registered {
                Some((b, _, false)) => b,
                _ => {
                    self.listen_on(&private, false)?;
                    private.clone()
                }
            };
            backend.run_once(Some(Duration::from_millis(500)))?;
        }
    }

    /// Nonblocking mode: every connection is accepted and handshaken on the
    /// backend; `f` is called (as a call-out) once per connection whose
    /// handshake completed, with the file in nonblocking mode and no
    /// callbacks set.
    pub fn set_accept_callback(&self, f: impl FnMut(&SslPort, SslFile) + Send + 'static) -> io::Result<()> {
        self.state().accept = Some(Box::new(f));
        let backend = self.inner.backend.clone();
        self.listen_on(&backend, true)?;
        let weak = self.inner.this.clone();
        self.inner.backend.call_out(Duration::ZERO, move || {
            if let Some(inner) = weak.upgrade() {
                SslPort { inner }.on_incoming(true);
            }
        });
        Ok(())
    }

    fn report(&self, peer: Option<SocketAddr>, e: io::Error, callbacks: bool) {
        log::debug!("incoming connection from {peer:?} failed: {e}");
        let cb = self.state().error.take();
        if let Some(mut f) = cb {
            f(self, peer, &e);
            self.state().error.get_or_insert(f);
        }
        if !callbacks {
            self.state().ready.push_back(Err(e));
        }
    }

    fn deliver(&self, file: SslFile, callbacks: bool) {
        if !callbacks {
            self.state().ready.push_back(Ok(file));
            return;
        }
        let cb = self.state().accept.take();
        if let Some(mut cb) = cb {
            cb(self, file);
            self.state().accept.get_or_insert(cb);
        }
    }

    fn accept_tcp(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let listener = self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?;
        let (stream, peer) = listener.accept()?;
        let _ = stream.set_nodelay(true);
        Ok((stream, peer))
    }

    fn on_incoming(&self, callbacks: bool) {
        let Some((backend, _, _)) = self.state().registered.clone() else { return };
        loop {
            let (stream, peer) = match self.accept_tcp() {
                Ok(s) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.report(None, e, callbacks);
                    return;
                }
            };
            let file = SslFile::with_backend(stream, self.inner.ctx.clone(), backend.clone());
            let prepare = self.state().prepare.take();
            if let Some(mut p) = prepare {
                p(&file);
                self.state().prepare.get_or_insert(p);
            }
            // The handshake timeout is cancelled as soon as the handshake ends
            // either way, so a busy port does not keep a closure (and the
            // file's allocation, through its weak reference) per connection
            // for the whole timeout.
            let timeout = self.state().handshake_timeout;
            let deadline = timeout.map(|limit| {
                let weak_file = file.downgrade();
                let weak_port = self.inner.this.clone();
                backend.call_out(limit, move || {
                    let Some(f) = SslFile::upgrade(&weak_file) else { return };
                    if f.is_handshake_complete() || f.shutdown_if_handshaking().is_none() {
                        return;
                    }
                    if let Some(inner) = weak_port.upgrade() {
                        let e = io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out");
                        SslPort { inner }.report(Some(peer), e, callbacks);
                    }
                })
            });
            let weak = self.inner.this.clone();
            let b = backend.clone();
            file.set_accept_callback(move |f| {
                if let Some(id) = deadline {
                    b.remove_call_out(id);
                }
                let Some(inner) = weak.upgrade() else { return };
                f.clear_callbacks();
                SslPort { inner }.deliver(f.clone(), callbacks);
            });
            let weak = self.inner.this.clone();
            let b = backend.clone();
            file.set_close_callback(move |f, err| {
                if let Some(id) = deadline {
                    b.remove_call_out(id);
                }
                if f.is_handshake_complete() {
                    return;
                }
                if let Some(inner) = weak.upgrade() {
                    let e = err
                        .map(crate::error::clone_io)
                        .unwrap_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof));
                    SslPort { inner }.report(Some(peer), e, callbacks);
                }
            });
            // A failure shows up in the close callback above (reported once).
            let _ = file.accept(&[]);
        }
    }
}
