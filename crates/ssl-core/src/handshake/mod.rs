//! Handshake state machines: one type per state, each consumed by value
//! when a message arrives, so a message the state does not expect is an
//! error by construction.

pub mod key_schedule;
pub mod tls12;
pub(crate) mod tls12_client;
pub(crate) mod tls12_server;
pub(crate) mod tls13_client;
pub(crate) mod tls13_server;

use crate::connection::Common;
use crate::error::{Error, MessageKind};
use crate::msgs::HandshakeMessage;

/// A handshake (or post-handshake) state.
pub(crate) trait State: Send + Sync + 'static {
    /// Handles one handshake message, returning the next state.
    fn handle(self: Box<Self>, cx: &mut Common, msg: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error>;

    /// Handles a ChangeCipherSpec message (TLS 1.2 and below).
    fn handle_ccs(self: Box<Self>, _cx: &mut Common) -> Result<Box<dyn State>, Error> {
        Err(Error::unexpected(self.expecting(), MessageKind::ChangeCipherSpec))
    }

    /// What the state waits for, for error messages.
    fn expecting(&self) -> &'static str;

    /// Starts a renegotiation (TLS 1.2, after the handshake).
    fn renegotiate(self: Box<Self>, _cx: &mut Common) -> Result<Box<dyn State>, Error> {
        Err(Error::Config("renegotiation is only possible after a TLS 1.2 handshake".into()))
    }

    /// The peer answered our renegotiation with a no_renegotiation warning
    /// (TLS 1.2 client): back to the established connection.
    fn renegotiation_refused(self: Box<Self>, _cx: &mut Common) -> Result<Box<dyn State>, Error> {
        Err(Error::unexpected(self.expecting(), MessageKind::Alert))
    }
}

/// The unexpected-message error for `msg` in a state waiting for `expected`.
pub(crate) fn unexpected(expected: &'static str, msg: &HandshakeMessage<'_>) -> Error {
    Error::unexpected(expected, MessageKind::Handshake(msg.typ))
}
