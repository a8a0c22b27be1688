//! The one error type of the protocol engine.
//!
//! Every variant knows which alert it makes us send ([`Error::alert`]); a
//! variant that describes something the peer told us ([`Error::PeerAlert`])
//! or a local misuse sends nothing.

use crate::codec::DecodeError;
use crate::constants::{AlertDescription, ExtensionType, HandshakeType};
use core::fmt;

/// Why a certificate was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The peer sent no certificate but one was required.
    Missing,
    /// The certificate does not parse.
    BadEncoding,
    /// The certificate has expired.
    Expired,
    /// The certificate is not valid yet.
    NotValidYet,
    /// The chain does not end in one of our trust anchors.
    UnknownIssuer,
    /// The certificate is not valid for the name we connected to.
    NameMismatch,
    /// A signature in the chain is wrong.
    BadSignature,
    /// The certificate uses an algorithm we do not support.
    UnsupportedAlgorithm,
    /// The certificate may not be used for this purpose (extended key usage).
    InvalidPurpose,
    /// The certificate was revoked.
    Revoked,
    /// Another verification failure, with the verifier's description.
    Other(String),
}

impl CertificateError {
    /// The alert RFC 8446 §6.2 names for this failure.
    pub fn alert(&self) -> AlertDescription {
        match self {
            CertificateError::Missing => AlertDescription::CERTIFICATE_REQUIRED,
            CertificateError::Expired | CertificateError::NotValidYet => AlertDescription::CERTIFICATE_EXPIRED,
            CertificateError::UnknownIssuer => AlertDescription::UNKNOWN_CA,
            CertificateError::UnsupportedAlgorithm => AlertDescription::UNSUPPORTED_CERTIFICATE,
            CertificateError::Revoked => AlertDescription::CERTIFICATE_REVOKED,
            CertificateError::BadEncoding
            | CertificateError::BadSignature
            | CertificateError::NameMismatch
            | CertificateError::InvalidPurpose
            | CertificateError::Other(_) => AlertDescription::BAD_CERTIFICATE,
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::Missing => f.write_str("no certificate was sent"),
            CertificateError::BadEncoding => f.write_str("certificate does not parse"),
            CertificateError::Expired => f.write_str("certificate has expired"),
            CertificateError::NotValidYet => f.write_str("certificate is not valid yet"),
            CertificateError::UnknownIssuer => f.write_str("certificate issuer is not trusted"),
            CertificateError::NameMismatch => f.write_str("certificate is not valid for the requested name"),
            CertificateError::BadSignature => f.write_str("signature does not verify"),
            CertificateError::UnsupportedAlgorithm => f.write_str("certificate uses an unsupported algorithm"),
            CertificateError::InvalidPurpose => f.write_str("certificate is not valid for this purpose"),
            CertificateError::Revoked => f.write_str("certificate was revoked"),
            CertificateError::Other(s) => write!(f, "certificate rejected: {s}"),
        }
    }
}

/// An error of the TLS engine.
///
/// ```
/// use ssl_core::{Error, constants::AlertDescription};
/// let e = Error::Decode("ServerHello");
/// assert_eq!(e.alert(), Some(AlertDescription::DECODE_ERROR));
/// assert_eq!(e.to_string(), "decode_error: cannot decode ServerHello");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A peer structure did not decode (decode_error).
    Decode(&'static str),
    /// A message arrived where the protocol does not allow it (unexpected_message).
    UnexpectedMessage {
        /// What the state machine was waiting for.
        expected: &'static str,
        /// What arrived.
        got: MessageKind,
    },
    /// A peer value is syntactically valid but not allowed (illegal_parameter).
    IllegalParameter(&'static str),
    /// A record failed authentication (bad_record_mac).
    BadRecordMac,
    /// A record or message is too large (record_overflow).
    RecordOverflow,
    /// No acceptable parameters could be negotiated (handshake_failure).
    HandshakeFailure(&'static str),
    /// No common protocol version (protocol_version).
    ProtocolVersion,
    /// A required extension is absent (missing_extension).
    MissingExtension(ExtensionType),
    /// An extension appeared where it is not allowed (unsupported_extension).
    UnsupportedExtension(ExtensionType),
    /// A signature or Finished check failed (decrypt_error).
    DecryptError(&'static str),
    /// The peer's certificate was not accepted (alert depends on the reason).
    Certificate(CertificateError),
    /// None of the client's application protocols is supported (no_application_protocol).
    NoApplicationProtocol,
    /// The server has no certificate for the requested name (unrecognized_name).
    UnrecognizedName,
    /// A TLS_FALLBACK_SCSV arrived while we support a higher version (inappropriate_fallback).
    InappropriateFallback,
    /// The peer's parameters are too weak for our policy (insufficient_security).
    InsufficientSecurity(&'static str),
    /// Something failed on our side (internal_error).
    Internal(&'static str),
    /// The peer sent a fatal alert (or a warning alert we treat as fatal).
    PeerAlert(AlertDescription),
    /// The peer closed the connection with close_notify; nothing more can be read.
    PeerClosed,
    /// The transport ended without close_notify: the data may have been truncated.
    Truncated,
    /// The connection was closed (by us); it cannot send any more.
    Closed,
    /// A local configuration or usage problem (no alert is sent for it).
    Config(String),
}

/// What kind of message arrived, for unexpected-message errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// A handshake message.
    Handshake(HandshakeType),
    /// A ChangeCipherSpec message.
    ChangeCipherSpec,
    /// Application data.
    ApplicationData,
    /// An alert.
    Alert,
    /// A heartbeat message.
    Heartbeat,
    /// A record of an unknown content type.
    Unknown(u8),
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageKind::Handshake(t) => write!(f, "{t}"),
            MessageKind::ChangeCipherSpec => f.write_str("change_cipher_spec"),
            MessageKind::ApplicationData => f.write_str("application_data"),
            MessageKind::Alert => f.write_str("alert"),
            MessageKind::Heartbeat => f.write_str("heartbeat"),
            MessageKind::Unknown(t) => write!(f, "content type {t}"),
        }
    }
}

impl Error {
    /// The alert we send for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Error::Decode(_) => A::DECODE_ERROR,
            Error::UnexpectedMessage { .. } => A::UNEXPECTED_MESSAGE,
            Error::IllegalParameter(_) => A::ILLEGAL_PARAMETER,
            Error::BadRecordMac => A::BAD_RECORD_MAC,
            Error::RecordOverflow => A::RECORD_OVERFLOW,
            Error::HandshakeFailure(_) => A::HANDSHAKE_FAILURE,
            Error::ProtocolVersion => A::PROTOCOL_VERSION,
            Error::MissingExtension(_) => A::MISSING_EXTENSION,
            Error::UnsupportedExtension(_) => A::UNSUPPORTED_EXTENSION,
            Error::DecryptError(_) => A::DECRYPT_ERROR,
            Error::Certificate(c) => c.alert(),
            Error::NoApplicationProtocol => A::NO_APPLICATION_PROTOCOL,
            Error::UnrecognizedName => A::UNRECOGNIZED_NAME,
            Error::InappropriateFallback => A::INAPPROPRIATE_FALLBACK,
            Error::InsufficientSecurity(_) => A::INSUFFICIENT_SECURITY,
            Error::Internal(_) => A::INTERNAL_ERROR,
            Error::PeerAlert(_) | Error::PeerClosed | Error::Truncated | Error::Closed | Error::Config(_) => {
                return None;
            }
        })
    }

    /// Builds the unexpected-message error.
    pub(crate) fn unexpected(expected: &'static str, got: MessageKind) -> Error {
        Error::UnexpectedMessage { expected, got }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(a) = self.alert() {
            write!(f, "{a}: ")?;
        }
        match self {
            Error::Decode(what) => write!(f, "cannot decode {what}"),
            Error::UnexpectedMessage { expected, got } => {
                write!(f, "expected {expected}, got {got}")
            }
            Error::IllegalParameter(what) => write!(f, "illegal {what}"),
            Error::BadRecordMac => f.write_str("record authentication failed"),
            Error::RecordOverflow => f.write_str("record too large"),
            Error::HandshakeFailure(why) => f.write_str(why),
            Error::ProtocolVersion => f.write_str("no protocol version in common"),
            Error::MissingExtension(e) => write!(f, "missing extension {e}"),
            Error::UnsupportedExtension(e) => write!(f, "extension {e} not allowed here"),
            Error::DecryptError(what) => write!(f, "{what} does not verify"),
            Error::Certificate(c) => write!(f, "{c}"),
            Error::NoApplicationProtocol => f.write_str("no application protocol in common"),
            Error::UnrecognizedName => f.write_str("no certificate for the requested name"),
            Error::InappropriateFallback => f.write_str("inappropriate fallback"),
            Error::InsufficientSecurity(why) => f.write_str(why),
            Error::Internal(what) => write!(f, "internal error: {what}"),
            Error::PeerAlert(a) => write!(f, "peer sent alert {a}"),
            Error::PeerClosed => f.write_str("peer closed the connection"),
            Error::Truncated => f.write_str("connection closed without close_notify"),
            Error::Closed => f.write_str("connection is closed"),
            Error::Config(s) => write!(f, "configuration: {s}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_error_names_its_alert() {
        assert_eq!(Error::BadRecordMac.alert(), Some(AlertDescription::BAD_RECORD_MAC));
        assert_eq!(Error::RecordOverflow.alert(), Some(AlertDescription::RECORD_OVERFLOW));
        assert_eq!(Error::Certificate(CertificateError::UnknownIssuer).alert(), Some(AlertDescription::UNKNOWN_CA));
        assert_eq!(
            Error::MissingExtension(ExtensionType::KEY_SHARE).alert(),
            Some(AlertDescription::MISSING_EXTENSION)
        );
        assert_eq!(Error::PeerAlert(AlertDescription::HANDSHAKE_FAILURE).alert(), None);
        assert_eq!(Error::from(DecodeError("x")), Error::Decode("x"));
    }
}
