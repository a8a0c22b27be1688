//! `SslPort`: a listening socket that hands out handshaken [`SslFile`]s.

use crate::backend::Backend;
use crate::file::SslFile;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use ssl_core::Context;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Weak};

/// Called once per connection whose handshake completed (nonblocking mode).
pub type PortAcceptCallback = Box<dyn FnMut(&SslPort, SslFile) + Send>;
/// Called when an incoming connection failed (handshake failure, socket error).
pub type PortErrorCallback = Box<dyn FnMut(&SslPort, &io::Error) + Send>;

struct Callbacks {
    accept: Option<PortAcceptCallback>,
    error: Option<PortErrorCallback>,
}

struct PortInner {
    listener: Mutex<TcpListener>,
    ctx: Arc<Context>,
    backend: Backend,
    callbacks: Mutex<Callbacks>,
    token: Mutex<Option<Token>>,
    local: Mutex<Option<(Poll, Events)>>,
    this: Weak<PortInner>,
}

impl Drop for PortInner {
    fn drop(&mut self) {
        if let (Ok(listener), Ok(token)) = (self.listener.get_mut(), self.token.get_mut())
            && let Some(t) = token.take()
        {
            let _ = self.backend.deregister(listener, t);
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
                callbacks: Mutex::new(Callbacks { accept: None, error: None }),
                token: Mutex::new(None),
                local: Mutex::new(None),
                this: this.clone(),
            }),
        })
    }

    /// The address the port listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?.local_addr()
    }

    fn accept_tcp(&self) -> io::Result<TcpStream> {
        let listener = self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?;
        let (stream, _) = listener.accept()?;
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }

    /// Waits for a connection and completes its handshake (blocking). A
    /// failed handshake is returned as the error; call again for the next
    /// connection.
    pub fn accept(&self) -> io::Result<SslFile> {
        let stream = loop {
            match self.accept_tcp() {
                Ok(s) => break s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait_readable()?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        let file = SslFile::with_backend(stream, self.inner.ctx.clone(), self.inner.backend.clone());
        file.set_blocking()?;
        file.accept(&[])?;
        Ok(file)
    }

    fn wait_readable(&self) -> io::Result<()> {
        let mut local = self.inner.local.lock().map_err(|_| io::Error::other("poisoned"))?;
        if local.is_none() {
            let poll = Poll::new()?;
            let mut listener = self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?;
            poll.registry().register(&mut *listener, Token(0), Interest::READABLE)?;
            *local = Some((poll, Events::with_capacity(8)));
        }
        if let Some((poll, events)) = local.as_mut() {
            poll.poll(events, Some(std::time::Duration::from_millis(500)))?;
        }
        Ok(())
    }

    /// Nonblocking mode: every connection is accepted and handshaken on the
    /// backend; `f` is called (as a call-out) once per connection whose
    /// handshake completed, with the file in nonblocking mode and no
    /// callbacks set.
    pub fn set_accept_callback(&self, f: impl FnMut(&SslPort, SslFile) + Send + 'static) -> io::Result<()> {
        if let Ok(mut cb) = self.inner.callbacks.lock() {
            cb.accept = Some(Box::new(f));
        }
        let mut token = self.inner.token.lock().map_err(|_| io::Error::other("poisoned"))?;
        if token.is_none() {
            let weak = self.inner.this.clone();
            let mut listener = self.inner.listener.lock().map_err(|_| io::Error::other("poisoned"))?;
            let t = self.inner.backend.register(
                &mut *listener,
                Interest::READABLE,
                Arc::new(move |_| {
                    if let Some(inner) = weak.upgrade() {
                        SslPort { inner }.on_incoming();
                    }
                }),
            )?;
            *token = Some(t);
        }
        drop(token);
        // Connections may already be waiting.
        let weak = self.inner.this.clone();
        self.inner.backend.call_out(std::time::Duration::ZERO, move || {
            if let Some(inner) = weak.upgrade() {
                SslPort { inner }.on_incoming();
            }
        });
        Ok(())
    }

    /// Called for every incoming connection that failed.
    pub fn set_error_callback(&self, f: impl FnMut(&SslPort, &io::Error) + Send + 'static) {
        if let Ok(mut cb) = self.inner.callbacks.lock() {
            cb.error = Some(Box::new(f));
        }
    }

    fn report(&self, e: &io::Error) {
        log::debug!("incoming connection failed: {e}");
        let cb = self.inner.callbacks.lock().ok().and_then(|mut c| c.error.take());
        if let Some(mut f) = cb {
            f(self, e);
            if let Ok(mut c) = self.inner.callbacks.lock() {
                c.error.get_or_insert(f);
            }
        }
    }

    fn on_incoming(&self) {
        loop {
            let stream = match self.accept_tcp() {
                Ok(s) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.report(&e);
                    return;
                }
            };
            let file = SslFile::with_backend(stream, self.inner.ctx.clone(), self.inner.backend.clone());
            let weak = self.inner.this.clone();
            file.set_accept_callback(move |f| {
                let Some(inner) = weak.upgrade() else { return };
                let port = SslPort { inner };
                f.clear_callbacks();
                let cb = port.inner.callbacks.lock().ok().and_then(|mut c| c.accept.take());
                if let Some(mut cb) = cb {
                    cb(&port, f.clone());
                    if let Ok(mut c) = port.inner.callbacks.lock() {
                        c.accept.get_or_insert(cb);
                    }
                }
            });
            let weak = self.inner.this.clone();
            file.set_close_callback(move |f, err| {
                if f.is_handshake_complete() {
                    return;
                }
                if let Some(inner) = weak.upgrade() {
                    let e = err
                        .map(crate::error::clone_io)
                        .unwrap_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof));
                    SslPort { inner }.report(&e);
                }
            });
            // A failure shows up in the close callback above (reported once).
            let _ = file.accept(&[]);
        }
    }
}
