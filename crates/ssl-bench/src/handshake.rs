//! Handshakes per second in memory, client and server side timed
//! separately: the time inside each side's calls (construction, feeding
//! the peer's flight, taking its own flight, dropping the connection).
//! Resumed handshakes are primed with one handshake (untimed); every
//! timed handshake is checked to be full or resumed, as asked.

use crate::engine::{Endpoint, Lib, SideTimes, drop_timed, handshake};
use std::time::{Duration, Instant};

pub struct HsRound {
    pub client_per_s: f64,
    pub server_per_s: f64,
}

/// Handshakes for at least `budget` of wall time (and at least `min` of them).
pub fn round<L: Lib>(lib: &L, budget: Duration, min: usize, resumed: bool) -> HsRound {
    let mut bufs = (Vec::new(), Vec::new());
    if resumed {
        let mut t = SideTimes::default();
        // Full the first time; later rounds find the caches already primed.
        drop(handshake(lib, &mut t, &mut bufs));
    }
    let mut t = SideTimes::default();
    let start = Instant::now();
    let mut n = 0usize;
    while n < min || start.elapsed() < budget {
        let (c, s) = handshake(lib, &mut t, &mut bufs);
        assert_eq!(c.resumed(), resumed, "client: resumed should be {resumed}");
        assert_eq!(s.resumed(), resumed, "server: resumed should be {resumed}");
        drop_timed(c, s, &mut t);
        n += 1;
    }
    HsRound { client_per_s: n as f64 / t.client.as_secs_f64(), server_per_s: n as f64 / t.server.as_secs_f64() }
}
