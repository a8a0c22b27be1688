//! Observing a connection's messages as they go out and come in (for
//! tracing tools such as `ssl client --trace`; no effect on the protocol).

use crate::alert::Alert;
use crate::connection::Side;
use crate::constants::HandshakeType;

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceDirection {
    /// We sent it.
    Sent,
    /// The peer sent it.
    Received,
}

/// One traced protocol event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEvent<'a> {
    /// A handshake message, header included.
    Handshake {
        /// The type.
        typ: HandshakeType,
        /// The whole message.
        raw: &'a [u8],
    },
    /// A ChangeCipherSpec message.
    ChangeCipherSpec,
    /// An alert.
    Alert(Alert),
}

/// Receives every traced event of the connections of a context.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use ssl_core::trace::{Trace, TraceDirection, TraceEvent};
/// use ssl_core::Side;
/// #[derive(Default)]
/// struct Names(Mutex<Vec<String>>);
/// impl Trace for Names {
///     fn event(&self, _side: Side, dir: TraceDirection, ev: TraceEvent<'_>) {
///         if let TraceEvent::Handshake { typ, .. } = ev {
///             self.0.lock().unwrap().push(format!("{dir:?} {typ}"));
///         }
///     }
/// }
/// let mut ctx = ssl_core::Context::new();
/// ctx.trace = Some(Arc::new(Names::default()));
/// ```
pub trait Trace: Send + Sync {
    /// Called for each event.
    fn event(&self, side: Side, direction: TraceDirection, event: TraceEvent<'_>);
}
