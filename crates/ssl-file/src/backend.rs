//! `Backend`: an event loop on `mio::Poll` — I/O readiness handlers per
//! source, and call-outs (closures run after a delay), usable from any
//! thread. It plays the part of Pike's backend: user callbacks of an
//! [`SslFile`](crate::SslFile) only ever run as call-outs on one.

use crossbeam_channel::{Receiver, Sender, unbounded};
use mio::event::Source;
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const WAKER: Token = Token(usize::MAX);

thread_local! {
    /// The backend this thread is rotating right now (its address), if any:
    /// a call-out made from inside the loop needs no wake-up.
    static ROTATING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Readiness of a source, as passed to its handler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Data (or EOF) can be read.
    pub readable: bool,
    /// Data can be written.
    pub writable: bool,
    /// The peer closed its writing half (or the connection ended).
    pub read_closed: bool,
    /// The connection can no longer be written.
    pub write_closed: bool,
    /// An error is pending on the socket.
    pub error: bool,
}

impl Readiness {
    fn of(e: &mio::event::Event) -> Readiness {
        Readiness {
            readable: e.is_readable(),
            writable: e.is_writable(),
            read_closed: e.is_read_closed(),
            write_closed: e.is_write_closed(),
            error: e.is_error(),
        }
    }
}

/// A handler called when a registered source becomes ready.
pub type Handler = Arc<dyn Fn(Readiness) + Send + Sync>;

/// Identifies a call-out, for [`Backend::remove_call_out`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallOutId(u64);

type Job = Box<dyn FnOnce() + Send>;

struct Shared {
    registry: Registry,
    waker: Waker,
    /// The poll itself; the thread that rotates the loop holds this lock.
    rotation: Mutex<Rotation>,
    /// Call-outs submitted from any thread: (deadline, id).
    submit_tx: Sender<(Instant, u64)>,
    submit_rx: Receiver<(Instant, u64)>,
    /// The closures of pending call-outs (removed when run or cancelled).
    jobs: Mutex<HashMap<u64, Job>>,
    handlers: Mutex<HashMap<Token, Handler>>,
    next_token: AtomicUsize,
    next_id: AtomicU64,
    running: AtomicUsize,
    stop: AtomicBool,
}

struct Rotation {
    poll: Poll,
    events: Events,
    timers: BinaryHeap<Reverse<(Instant, u64)>>,
}

/// A handle to an event loop. Cheap to clone; every clone drives the same loop.
///
/// ```
/// use ssl_file::Backend;
/// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
/// use std::time::Duration;
/// let backend = Backend::new().unwrap();
/// let fired = Arc::new(AtomicBool::new(false));
/// let f = fired.clone();
/// backend.call_out(Duration::ZERO, move || f.store(true, Ordering::SeqCst));
/// backend.run_once(Some(Duration::from_millis(100))).unwrap();
/// assert!(fired.load(Ordering::SeqCst));
/// ```
#[derive(Clone)]
pub struct Backend {
    shared: Arc<Shared>,
}

impl core::fmt::Debug for Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Backend").field("running", &self.is_running()).finish_non_exhaustive()
    }
}

impl PartialEq for Backend {
    fn eq(&self, other: &Backend) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Backend {
    /// A new, independent event loop.
    pub fn new() -> io::Result<Backend> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let (submit_tx, submit_rx) = unbounded();
        Ok(Backend {
            shared: Arc::new(Shared {
                registry,
                waker,
                rotation: Mutex::new(Rotation { poll, events: Events::with_capacity(1024), timers: BinaryHeap::new() }),
                submit_tx,
                submit_rx,
                jobs: Mutex::new(HashMap::new()),
                handlers: Mutex::new(HashMap::new()),
                next_token: AtomicUsize::new(1),
                next_id: AtomicU64::new(1),
                running: AtomicUsize::new(0),
                stop: AtomicBool::new(false),
            }),
        })
    }

    /// The process-wide default backend (Pike's main backend).
    pub fn main() -> Backend {
        static MAIN: OnceLock<Backend> = OnceLock::new();
        MAIN.get_or_init(|| Backend::new().expect("cannot create the main event loop")).clone()
    }

    /// Whether some thread is inside [`Backend::run`].
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::SeqCst) > 0
    }

    /// Runs the loop on this thread until [`Backend::stop`] is called.
    pub fn run(&self) -> io::Result<()> {
        self.shared.running.fetch_add(1, Ordering::SeqCst);
        struct Leave<'a>(&'a Shared);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.running.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let _leave = Leave(&self.shared);
        while !self.shared.stop.swap(false, Ordering::SeqCst) {
            self.rotate(None)?;
        }
        Ok(())
    }

    /// Makes [`Backend::run`] return (from any thread).
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = self.shared.waker.wake();
    }

    /// Rotates the loop once: waits up to `timeout` (`None`: until something
    /// happens) for I/O or a due call-out, then runs the ready handlers and
    /// the due call-outs. Returns `false` without waiting if another thread
    /// (or this one, re-entrantly) is already rotating it.
    pub fn run_once(&self, timeout: Option<Duration>) -> io::Result<bool> {
        self.rotate(timeout)
    }

    fn rotate(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let Ok(mut rot) = self.shared.rotation.try_lock() else {
            return Ok(false);
        };
        struct Mark(usize);
        impl Drop for Mark {
            fn drop(&mut self) {
                ROTATING.with(|r| r.set(self.0));
            }
        }
        let _mark = Mark(ROTATING.with(|r| r.replace(Arc::as_ptr(&self.shared) as usize)));
        self.take_submissions(&mut rot);
        let now = Instant::now();
        let mut wait = timeout;
        if let Some(Reverse((deadline, _))) = rot.timers.peek() {
            let until = deadline.saturating_duration_since(now);
            wait = Some(wait.map_or(until, |w| w.min(until)));
        }
        let Rotation { poll, events, .. } = &mut *rot;
        match poll.poll(events, wait) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        let ready: Vec<(Token, Readiness)> =
            events.iter().filter(|e| e.token() != WAKER).map(|e| (e.token(), Readiness::of(e))).collect();
        for (token, r) in ready {
            let handler = self.shared.handlers.lock().ok().and_then(|h| h.get(&token).cloned());
            if let Some(h) = handler {
                h(r);
            }
        }
        self.take_submissions(&mut rot);
        let now = Instant::now();
        let mut due = Vec::new();
        while let Some(Reverse((deadline, id))) = rot.timers.peek().copied() {
            if deadline > now {
                break;
            }
            rot.timers.pop();
            due.push(id);
        }
        for id in due {
            let job = self.shared.jobs.lock().ok().and_then(|mut j| j.remove(&id));
            if let Some(job) = job {
                job();
            }
        }
        Ok(true)
    }

    fn take_submissions(&self, rot: &mut Rotation) {
        while let Ok(t) = self.shared.submit_rx.try_recv() {
            rot.timers.push(Reverse(t));
        }
        // Cancelled call-outs leave their deadlines behind; when they are
        // most of the heap (a busy port cancels a handshake timeout per
        // connection), drop them so the heap stays as small as the work.
        if rot.timers.len() > 1024
            && let Ok(jobs) = self.shared.jobs.lock()
            && rot.timers.len() > 2 * jobs.len()
        {
            rot.timers.retain(|Reverse((_, id))| jobs.contains_key(id));
        }
    }

    /// Runs `f` on the loop after `delay` (from any thread).
    pub fn call_out(&self, delay: Duration, f: impl FnOnce() + Send + 'static) -> CallOutId {
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut j) = self.shared.jobs.lock() {
            j.insert(id, Box::new(f));
        }
        let _ = self.shared.submit_tx.send((Instant::now() + delay, id));
        if ROTATING.with(|r| r.get()) != Arc::as_ptr(&self.shared) as usize {
            let _ = self.shared.waker.wake();
        }
        CallOutId(id)
    }

    /// Cancels a call-out that has not run yet; returns whether it was pending.
    pub fn remove_call_out(&self, id: CallOutId) -> bool {
        self.shared.jobs.lock().map(|mut j| j.remove(&id.0).is_some()).unwrap_or(false)
    }

    /// Number of call-outs waiting to run.
    pub fn pending_call_outs(&self) -> usize {
        self.shared.jobs.lock().map(|j| j.len()).unwrap_or(0)
    }

    /// Registers `source` for `interest`; `handler` runs on the loop when it is ready.
    pub fn register(&self, source: &mut dyn Source, interest: Interest, handler: Handler) -> io::Result<Token> {
        let token = Token(self.shared.next_token.fetch_add(1, Ordering::Relaxed));
        if let Ok(mut h) = self.shared.handlers.lock() {
            h.insert(token, handler);
        }
        if let Err(e) = self.shared.registry.register(source, token, interest) {
            if let Ok(mut h) = self.shared.handlers.lock() {
                h.remove(&token);
            }
            return Err(e);
        }
        Ok(token)
    }

    /// Changes the interest of a registered source.
    pub fn reregister(&self, source: &mut dyn Source, token: Token, interest: Interest) -> io::Result<()> {
        self.shared.registry.reregister(source, token, interest)
    }

    /// Removes a source and its handler.
    pub fn deregister(&self, source: &mut dyn Source, token: Token) -> io::Result<()> {
        if let Ok(mut h) = self.shared.handlers.lock() {
            h.remove(&token);
        }
        self.shared.registry.deregister(source)
    }

    /// Number of registered sources.
    pub fn registered(&self) -> usize {
        self.shared.handlers.lock().map(|h| h.len()).unwrap_or(0)
    }

    /// Wakes the loop (from any thread) so it re-evaluates its timeout.
    pub fn wake(&self) {
        let _ = self.shared.waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn call_outs_run_in_deadline_order_and_can_be_removed() {
        let b = Backend::new().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        for (delay, tag) in [(30u64, 3), (10, 1), (20, 2)] {
            let l = log.clone();
            b.call_out(Duration::from_millis(delay), move || l.lock().unwrap().push(tag));
        }
        let l = log.clone();
        let gone = b.call_out(Duration::from_millis(15), move || l.lock().unwrap().push(99));
        assert!(b.remove_call_out(gone));
        assert!(!b.remove_call_out(gone));
        let start = Instant::now();
        while log.lock().unwrap().len() < 3 && start.elapsed() < Duration::from_secs(5) {
            b.run_once(Some(Duration::from_millis(50))).unwrap();
        }
        assert_eq!(*log.lock().unwrap(), vec![1, 2, 3]);
        assert_eq!(b.pending_call_outs(), 0);
    }

    #[test]
    fn cancelled_call_outs_do_not_pile_up_in_the_timer_heap() {
        let b = Backend::new().unwrap();
        let hour = Duration::from_secs(3600);
        let ids: Vec<CallOutId> = (0..5000).map(|_| b.call_out(hour, || {})).collect();
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        b.call_out(Duration::ZERO, move || {
            r.fetch_add(1, Ordering::SeqCst);
        });
        for id in &ids[3..] {
            assert!(b.remove_call_out(*id));
        }
        b.run_once(Some(Duration::ZERO)).unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        assert_eq!(b.pending_call_outs(), 3);
        assert_eq!(b.shared.rotation.lock().unwrap().timers.len(), 3, "only live deadlines are kept");
        // The three still pending can be cancelled later.
        assert!(ids[..3].iter().all(|id| b.remove_call_out(*id)));
    }

    #[test]
    fn call_out_from_another_thread_wakes_a_running_loop() {
        let b = Backend::new().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let runner = {
            let b = b.clone();
            std::thread::spawn(move || b.run())
        };
        while !b.is_running() {
            std::thread::yield_now();
        }
        let h = hits.clone();
        let b2 = b.clone();
        b.call_out(Duration::ZERO, move || {
            h.fetch_add(1, Ordering::SeqCst);
            b2.stop();
        });
        runner.join().unwrap().unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        assert!(!b.is_running());
    }

    #[test]
    fn nested_rotation_returns_at_once() {
        let b = Backend::new().unwrap();
        let inner = Arc::new(Mutex::new(None));
        let (b2, i2) = (b.clone(), inner.clone());
        b.call_out(Duration::ZERO, move || {
            *i2.lock().unwrap() = Some(b2.run_once(Some(Duration::from_secs(5))).unwrap());
        });
        let t = Instant::now();
        b.run_once(Some(Duration::from_millis(100))).unwrap();
        assert_eq!(*inner.lock().unwrap(), Some(false));
        assert!(t.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn io_handlers_see_readiness() {
        let b = Backend::new().unwrap();
        let (mut a, mut c) = mio::net::UnixStream::pair().unwrap();
        let seen = Arc::new(Mutex::new(Readiness::default()));
        let s = seen.clone();
        let token = b.register(&mut a, Interest::READABLE, Arc::new(move |r| *s.lock().unwrap() = r)).unwrap();
        io::Write::write_all(&mut c, b"x").unwrap();
        b.run_once(Some(Duration::from_secs(1))).unwrap();
        assert!(seen.lock().unwrap().readable);
        assert_eq!(b.registered(), 1);
        b.deregister(&mut a, token).unwrap();
        assert_eq!(b.registered(), 0);
    }
}
