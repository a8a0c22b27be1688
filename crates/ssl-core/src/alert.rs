//! Alert messages (RFC 8446 §6).

use crate::codec::{DecodeError, Reader};
use crate::constants::{AlertDescription, AlertLevel};

/// An alert as sent on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert.
    pub fn fatal(description: AlertDescription) -> Self {
        Alert { level: AlertLevel::FATAL, description }
    }

    /// A warning alert.
    pub fn warning(description: AlertDescription) -> Self {
        Alert { level: AlertLevel::WARNING, description }
    }

    /// Decodes the two-byte body; anything else is a decode error.
    pub fn decode(body: &[u8]) -> Result<Alert, DecodeError> {
        let mut r = Reader::new(body);
        let level = AlertLevel(r.u8("alert")?);
        let description = AlertDescription(r.u8("alert")?);
        r.finish("alert")?;
        Ok(Alert { level, description })
    }

    /// The two bytes on the wire.
    pub fn encode(&self) -> [u8; 2] {
        [self.level.0, self.description.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_round_trip_and_bad_lengths() {
        let a = Alert::fatal(AlertDescription::DECODE_ERROR);
        assert_eq!(Alert::decode(&a.encode()), Ok(a));
        assert!(Alert::decode(&[2]).is_err());
        assert!(Alert::decode(&[2, 50, 0]).is_err());
        assert!(Alert::decode(&[]).is_err());
    }
}
