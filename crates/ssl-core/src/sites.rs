//! [`LazySites`]: server contexts loaded when a client first asks for their
//! name and unloaded when unused — Pike's "lazy load certificates ... for
//! servers with many sites", built on the context selection hook
//! ([`ContextHooks::select_context`]).

use crate::context::{Context, ContextHooks, SystemClock, TimeSource};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Loads the context of one site from its server name (lower case).
pub type SiteLoader = Box<dyn Fn(&str) -> Option<Arc<Context>> + Send + Sync>;

/// Server contexts by server name, each loaded on first use by a loader you
/// give, kept while used, and dropped after `idle` without use or when more
/// than `capacity` are held (the least recently used first). Names the
/// loader does not know are remembered too (as "none"), so an unknown name
/// does not reach the loader at every handshake. Set it as the hooks of the
/// port's context: a name the loader does not know is served by that
/// context.
///
/// The loader gets the name the client sent (already restricted to a DNS
/// name: printable ASCII, at most 253 bytes, no trailing dot): check it
/// before using it in a path. Give every loaded context the same
/// `ticket_keys` (or a shared secret), so tickets outlive an unload.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ssl_core::Context;
/// use ssl_core::sites::LazySites;
/// let mut port_ctx = Context::new(); // answers names no site has
/// let tickets = port_ctx.ticket_keys.clone();
/// let sites = LazySites::new(1000, Duration::from_secs(600), Box::new(move |name: &str| {
///     let dir = std::path::Path::new("/etc/sites").join(name);
///     let (chain, key) = (std::fs::read(dir.join("chain.pem")).ok()?, std::fs::read(dir.join("key.pem")).ok()?);
///     let mut ctx = Context::new();
///     ctx.add_cert_pem(&chain, &key).ok()?;
///     ctx.ticket_keys = tickets.clone();
///     Some(Arc::new(ctx))
/// }));
/// port_ctx.hooks = Arc::new(sites);
/// ```
pub struct LazySites {
    loader: SiteLoader,
    capacity: usize,
    idle_ms: u64,
    clock: Arc<dyn TimeSource>,
    held: Mutex<HashMap<String, Held>>,
}

struct Held {
    ctx: Option<Arc<Context>>,
    last_used_ms: u64,
}

impl core::fmt::Debug for LazySites {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LazySites").field("capacity", &self.capacity).field("held", &self.len()).finish_non_exhaustive()
    }
}

impl LazySites {
    /// At most `capacity` names held (at least one), each for `idle` after
    /// its last use, on the system clock.
    pub fn new(capacity: usize, idle: Duration, loader: SiteLoader) -> LazySites {
        LazySites::with_clock(capacity, idle, loader, Arc::new(SystemClock))
    }

    /// Like [`LazySites::new`] on another clock.
    pub fn with_clock(capacity: usize, idle: Duration, loader: SiteLoader, clock: Arc<dyn TimeSource>) -> LazySites {
        LazySites {
            loader,
            capacity: capacity.max(1),
            idle_ms: idle.as_millis().min(u64::MAX as u128) as u64,
            clock,
            held: Mutex::new(HashMap::new()),
        }
    }

    /// Names held now (loaded sites and remembered unknown names).
    pub fn len(&self) -> usize {
        self.held.lock().map(|h| h.len()).unwrap_or(0)
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The context for `name`: held, or loaded now.
    pub fn get(&self, name: &str) -> Option<Arc<Context>> {
        let name = name.to_ascii_lowercase();
        let now = self.clock.now_ms();
        if let Ok(mut held) = self.held.lock()
            && let Some(h) = held.get_mut(&name)
            && now < h.last_used_ms.saturating_add(self.idle_ms)
        {
            h.last_used_ms = now;
            return h.ctx.clone();
        }
        // Loaded without the lock, so a slow load holds up no other name.
        let ctx = (self.loader)(&name);
        if let Ok(mut held) = self.held.lock() {
            held.retain(|_, h| now < h.last_used_ms.saturating_add(self.idle_ms));
            while held.len() >= self.capacity {
                let Some(oldest) = held.iter().min_by_key(|(_, h)| h.last_used_ms).map(|(k, _)| k.clone()) else {
                    break;
                };
                held.remove(&oldest);
            }
            held.insert(name, Held { ctx: ctx.clone(), last_used_ms: now });
        }
        ctx
    }
}

impl ContextHooks for LazySites {
    fn select_context(&self, server_name: Option<&str>, _alpn: &[&[u8]]) -> Option<Arc<Context>> {
        self.get(server_name?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting(loads: Arc<AtomicUsize>) -> SiteLoader {
        Box::new(move |name: &str| {
            loads.fetch_add(1, Ordering::SeqCst);
            name.ends_with(".test").then(|| Arc::new(Context::new()))
        })
    }

    #[test]
    fn loads_once_unloads_when_idle_or_crowded_and_remembers_unknown_names() {
        let loads = Arc::new(AtomicUsize::new(0));
        let clock = Arc::new(ManualClock::new(1_000_000));
        let sites = LazySites::with_clock(2, Duration::from_secs(60), counting(loads.clone()), clock.clone());
        let a = sites.get("a.test").unwrap();
        assert!(Arc::ptr_eq(&a, &sites.get("A.Test").unwrap()), "held, and names are case-insensitive");
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        // An unknown name reaches the loader once.
        assert!(sites.get("unknown.example").is_none());
        assert!(sites.get("unknown.example").is_none());
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        // A third name: the least recently used ("a.test") goes.
        clock.advance(Duration::from_secs(1));
        sites.get("unknown.example");
        sites.get("b.test").unwrap();
        assert_eq!(sites.len(), 2);
        assert!(!Arc::ptr_eq(&a, &sites.get("a.test").unwrap()), "reloaded");
        assert_eq!(loads.load(Ordering::SeqCst), 4);
        // Idle for the whole period: unloaded and loaded again.
        clock.advance(Duration::from_secs(61));
        sites.get("a.test").unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 5);
        assert_eq!(sites.len(), 1, "the idle names were dropped");
        // No name, no load.
        assert!(sites.select_context(None, &[]).is_none());
        assert_eq!(loads.load(Ordering::SeqCst), 5);
    }
}
