//! Finite-field Diffie-Hellman (FFDHE) key agreement.
//!
//! Covers the RFC 7919 named groups (TLS 1.3 `ffdhe*` key shares and TLS 1.2
//! negotiated FFDHE) as well as server-chosen TLS 1.2 DHE parameters. The
//! arithmetic uses `crypto-bigint`'s constant-time Montgomery exponentiation;
//! only the (public) bit length of the exponent influences timing.

use std::fmt;
use std::sync::OnceLock;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use zeroize::{Zeroize, Zeroizing};

/// Errors from finite-field Diffie-Hellman operations (mapped to `illegal_parameter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "names mirror P521Error::InvalidPublicKey")]
pub(crate) enum DhError {
    /// The prime is even, too small or too large.
    InvalidPrime,
    /// The generator is not in the range 1 < g < p-1.
    InvalidGenerator,
    /// The peer's public value is malformed or not in the range 1 < Y < p-1.
    InvalidPublicKey,
}

impl fmt::Display for DhError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DhError::InvalidPrime => "invalid DH prime",
            DhError::InvalidGenerator => "invalid DH generator",
            DhError::InvalidPublicKey => "invalid DH public value",
        })
    }
}

impl std::error::Error for DhError {}

/// Largest prime accepted, in bits (the size of ffdhe8192).
const MAX_PRIME_BITS: usize = 8192;

/// Word size of `crypto-bigint` limbs, used to round precisions.
const LIMB_BITS: u32 = 64;

/// RFC 7919 Appendix A: the ffdhe2048 prime.
const FFDHE2048_P: &str = "\
    FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1 \
    D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9 \
    7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561 \
    2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935 \
    984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735 \
    30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB \
    B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19 \
    0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61 \
    9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73 \
    3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA \
    886B4238 61285C97 FFFFFFFF FFFFFFFF";

/// RFC 7919 Appendix A: the ffdhe3072 prime.
const FFDHE3072_P: &str = "\
    FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1 \
    D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9 \
    7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561 \
    2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935 \
    984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735 \
    30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB \
    B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19 \
    0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61 \
    9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73 \
    3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA \
    886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238 \
    61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C \
    AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3 \
    64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D \
    ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF \
    3C1B20EE 3FD59D7C 25E41D2B 66C62E37 FFFFFFFF FFFFFFFF";

/// RFC 7919 Appendix A: the ffdhe4096 prime.
const FFDHE4096_P: &str = "\
    FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1 \
    D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9 \
    7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561 \
    2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935 \
    984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735 \
    30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB \
    B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19 \
    0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61 \
    9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73 \
    3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA \
    886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238 \
    61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C \
    AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3 \
    64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D \
    ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF \
    3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB \
    7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004 \
    87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832 \
    A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A \
    1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF \
    8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E655F6A \
    FFFFFFFF FFFFFFFF";

/// RFC 7919 Appendix A: the ffdhe6144 prime.
const FFDHE6144_P: &str = "\
    FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1 \
    D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9 \
    7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561 \
    2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935 \
    984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735 \
    30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB \
    B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19 \
    0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61 \
    9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73 \
    3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA \
    886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238 \
    61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C \
    AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3 \
    64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D \
    ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF \
    3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB \
    7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004 \
    87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832 \
    A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A \
    1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF \
    8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E0DD902 \
    0BFD64B6 45036C7A 4E677D2C 38532A3A 23BA4442 CAF53EA6 \
    3BB45432 9B7624C8 917BDD64 B1C0FD4C B38E8C33 4C701C3A \
    CDAD0657 FCCFEC71 9B1F5C3E 4E46041F 388147FB 4CFDB477 \
    A52471F7 A9A96910 B855322E DB6340D8 A00EF092 350511E3 \
    0ABEC1FF F9E3A26E 7FB29F8C 183023C3 587E38DA 0077D9B4 \
    763E4E4B 94B2BBC1 94C6651E 77CAF992 EEAAC023 2A281BF6 \
    B3A739C1 22611682 0AE8DB58 47A67CBE F9C9091B 462D538C \
    D72B0374 6AE77F5E 62292C31 1562A846 505DC82D B854338A \
    E49F5235 C95B9117 8CCF2DD5 CACEF403 EC9D1810 C6272B04 \
    5B3B71F9 DC6B80D6 3FDD4A8E 9ADB1E69 62A69526 D43161C1 \
    A41D570D 7938DAD4 A40E329C D0E40E65 FFFFFFFF FFFFFFFF";

/// RFC 7919 Appendix A: the ffdhe8192 prime.
const FFDHE8192_P: &str = "\
    FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1 \
    D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9 \
    7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561 \
    2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935 \
    984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735 \
    30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB \
    B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19 \
    0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61 \
    9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73 \
    3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA \
    886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238 \
    61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C \
    AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3 \
    64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D \
    ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF \
    3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB \
    7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004 \
    87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832 \
    A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A \
    1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF \
    8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E0DD902 \
    0BFD64B6 45036C7A 4E677D2C 38532A3A 23BA4442 CAF53EA6 \
    3BB45432 9B7624C8 917BDD64 B1C0FD4C B38E8C33 4C701C3A \
    CDAD0657 FCCFEC71 9B1F5C3E 4E46041F 388147FB 4CFDB477 \
    A52471F7 A9A96910 B855322E DB6340D8 A00EF092 350511E3 \
    0ABEC1FF F9E3A26E 7FB29F8C 183023C3 587E38DA 0077D9B4 \
    763E4E4B 94B2BBC1 94C6651E 77CAF992 EEAAC023 2A281BF6 \
    B3A739C1 22611682 0AE8DB58 47A67CBE F9C9091B 462D538C \
    D72B0374 6AE77F5E 62292C31 1562A846 505DC82D B854338A \
    E49F5235 C95B9117 8CCF2DD5 CACEF403 EC9D1810 C6272B04 \
    5B3B71F9 DC6B80D6 3FDD4A8E 9ADB1E69 62A69526 D43161C1 \
    A41D570D 7938DAD4 A40E329C CFF46AAA 36AD004C F600C838 \
    1E425A31 D951AE64 FDB23FCE C9509D43 687FEB69 EDD1CC5E \
    0B8CC3BD F64B10EF 86B63142 A3AB8829 555B2F74 7C932665 \
    CB2C0F1C C01BD702 29388839 D2AF05E4 54504AC7 8B758282 \
    2846C0BA 35C35F5C 59160CC0 46FD8251 541FC68C 9C86B022 \
    BB709987 6A460E74 51A8A931 09703FEE 1C217E6C 3826E52C \
    51AA691E 0E423CFC 99E9E316 50C1217B 624816CD AD9A95F9 \
    D5B80194 88D9C0A0 A1FE3075 A577E231 83F81D4A 3F2FA457 \
    1EFC8CE0 BA8A4FE8 B6855DFE 72B0A66E DED2FBAB FBE58A30 \
    FAFABE1C 5D71A87E 2F741EF8 C1FE86FE A6BBFDE5 30677F0D \
    97D11D49 F7A8443D 0822E506 A9F4614E 011E2A94 838FF88C \
    D68C8BB7 C5C6424C FFFFFFFF FFFFFFFF";

/// One RFC 7919 named group: code point, prime and short-exponent size.
struct NamedGroupSpec {
    code: u16,
    prime_hex: &'static str,
    exponent_bits: u32,
}

/// The RFC 7919 groups; exponent sizes are the Appendix A "at least" values.
const NAMED_GROUPS: [NamedGroupSpec; 5] = [
    NamedGroupSpec { code: 256, prime_hex: FFDHE2048_P, exponent_bits: 225 },
    NamedGroupSpec { code: 257, prime_hex: FFDHE3072_P, exponent_bits: 275 },
    NamedGroupSpec { code: 258, prime_hex: FFDHE4096_P, exponent_bits: 325 },
    NamedGroupSpec { code: 259, prime_hex: FFDHE6144_P, exponent_bits: 375 },
    NamedGroupSpec { code: 260, prime_hex: FFDHE8192_P, exponent_bits: 400 },
];

/// Lazily parsed parameters of the named groups, one cell per group.
static NAMED_CACHE: [OnceLock<DhGroup>; 5] = [const { OnceLock::new() }; 5];

/// Decodes a hex string, ignoring ASCII whitespace. Only used on the constants above.
fn decode_hex(s: &str) -> Vec<u8> {
    let nibbles: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("invalid hex digit in FFDHE constant"),
        })
        .collect();
    assert!(nibbles.len().is_multiple_of(2), "odd-length FFDHE constant");
    nibbles.chunks(2).map(|c| (c[0] << 4) | c[1]).collect()
}

/// Returns `v` without its leading zero bytes (the TLS 1.2 form of a DH premaster secret).
///
/// RFC 5246 §8.1.2 strips leading zeros from Z. Note that this is inherently
/// variable-time in the number of leading zero bytes of the secret.
pub(crate) fn strip_leading_zeros(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    &v[start..]
}

/// Precision (a multiple of the limb size) able to hold `bytes` big-endian bytes.
fn precision_for_bytes(bytes: usize) -> u32 {
    let bits = u32::try_from(bytes * 8).expect("DH sizes are bounded");
    bits.div_ceil(LIMB_BITS) * LIMB_BITS
}

/// Short-exponent size for a custom group of `bits` bits: twice the NIST SP 800-57
/// security strength of a modulus that size, and never below 256 bits.
fn custom_exponent_bits(bits: usize) -> u32 {
    let strength = match bits {
        0..2048 => 80,
        2048..3072 => 112,
        3072..7680 => 128,
        7680..15360 => 192,
        _ => 256,
    };
    (2 * strength).max(256)
}

/// Finite-field Diffie-Hellman group parameters.
#[derive(Clone)]
pub(crate) struct DhGroup {
    /// The prime modulus.
    p: BoxedUint,
    /// p - 1, kept for range checks.
    p_minus_1: BoxedUint,
    /// The generator.
    g: BoxedUint,
    /// The generator in Montgomery form.
    g_monty: BoxedMontyForm,
    /// Montgomery parameters for p, computed once.
    params: BoxedMontyParams,
    /// Length of p in bytes.
    p_len: usize,
    /// Length of p in bits.
    bits: usize,
    /// Size of private exponents in bits.
    exponent_bits: u32,
}

impl fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DhGroup")
            .field("bits", &self.bits)
            .field("exponent_bits", &self.exponent_bits)
            .finish_non_exhaustive()
    }
}

impl DhGroup {
    /// The RFC 7919 group for a named-group code point 256..=260 (ffdhe2048, 3072, 4096,
    /// 6144, 8192); `None` otherwise. Parameters are parsed once per process.
    pub(crate) fn named(code: u16) -> Option<&'static DhGroup> {
        let index = NAMED_GROUPS.iter().position(|spec| spec.code == code)?;
        Some(NAMED_CACHE[index].get_or_init(|| {
            let spec = &NAMED_GROUPS[index];
            let p = decode_hex(spec.prime_hex);
            Self::build(&p, &[2], spec.exponent_bits).expect("RFC 7919 parameters are valid")
        }))
    }

    /// Server-chosen parameters from a TLS 1.2 ServerKeyExchange (big-endian `p` and `g`).
    ///
    /// Requires p odd with at least `min_bits` and at most 8192 bits, and 1 < g < p-1
    /// (leading zero bytes are ignored). p is not tested for primality. If p is one of the
    /// RFC 7919 primes the group uses that group's exponent size.
    pub(crate) fn from_params(p: &[u8], g: &[u8], min_bits: usize) -> Result<DhGroup, DhError> {
        let p = strip_leading_zeros(p);
        let g = strip_leading_zeros(g);
        let bits = match p.first() {
            Some(&top) => (p.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
            None => return Err(DhError::InvalidPrime),
        };
        if bits < min_bits || bits > MAX_PRIME_BITS || p[p.len() - 1] & 1 == 0 {
            return Err(DhError::InvalidPrime);
        }
        let exponent_bits = NAMED_GROUPS
            .iter()
            .find(|spec| decode_hex(spec.prime_hex) == p)
            .map_or_else(|| custom_exponent_bits(bits), |spec| spec.exponent_bits);
        Self::build(p, g, exponent_bits)
    }

    /// Builds a group from minimal big-endian `p` (odd, non-empty) and `g`, checking g.
    fn build(p: &[u8], g: &[u8], exponent_bits: u32) -> Result<DhGroup, DhError> {
        let p_len = p.len();
        let precision = precision_for_bytes(p_len);
        let p = BoxedUint::from_be_slice(p, precision).map_err(|_| DhError::InvalidPrime)?;
        let bits = p.bit_width_vartime() as usize;
        let one = BoxedUint::one_with_precision(precision);
        let p_minus_1 = p.wrapping_sub(&one);
        if g.len() > p_len {
            return Err(DhError::InvalidGenerator);
        }
        let g = BoxedUint::from_be_slice(g, precision).map_err(|_| DhError::InvalidGenerator)?;
        if g <= one || g >= p_minus_1 {
            return Err(DhError::InvalidGenerator);
        }
        let odd: Odd<BoxedUint> = p.clone().into_odd().into_option().ok_or(DhError::InvalidPrime)?;
        // The modulus is public, so the variable-time setup is fine.
        let params = BoxedMontyParams::new_vartime(odd);
        let g_monty = BoxedMontyForm::new(g.clone(), &params);
        Ok(DhGroup { p, p_minus_1, g, g_monty, params, p_len, bits, exponent_bits })
    }

    /// Length of p in bytes; public values and shared secrets are padded to this length.
    pub(crate) fn prime_len(&self) -> usize {
        self.p_len
    }

    /// The prime p, minimal big-endian.
    pub(crate) fn p_bytes(&self) -> Vec<u8> {
        strip_leading_zeros(&self.p.to_be_bytes()).to_vec()
    }

    /// The generator g, minimal big-endian.
    pub(crate) fn g_bytes(&self) -> Vec<u8> {
        strip_leading_zeros(&self.g.to_be_bytes()).to_vec()
    }

    /// Encodes `v` (< p) big-endian, left-padded with zeros to exactly `p_len` bytes.
    fn encode_padded(&self, v: &BoxedUint) -> Vec<u8> {
        let full = Zeroizing::new(v.to_be_bytes());
        full[full.len() - self.p_len..].to_vec()
    }
}

/// An ephemeral finite-field Diffie-Hellman private key (zeroized on drop).
pub(crate) struct DhPrivateKey {
    /// The group this key belongs to.
    group: DhGroup,
    /// The secret exponent x, 2^(k-1) <= x < 2^k with k = `group.exponent_bits`.
    x: BoxedUint,
    /// g^x mod p, padded to `prime_len`.
    public: Vec<u8>,
}

impl fmt::Debug for DhPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DhPrivateKey").field("group", &self.group).finish_non_exhaustive()
    }
}

impl Drop for DhPrivateKey {
    fn drop(&mut self) {
        self.x.as_mut_words().zeroize();
    }
}

impl DhPrivateKey {
    /// Generates a random short exponent x with 2^(k-1) <= x < 2^k, where k is 225 / 275 /
    /// 325 / 375 / 400 bits for ffdhe2048 / 3072 / 4096 / 6144 / 8192 (RFC 7919 Appendix A),
    /// and twice the NIST SP 800-57 security strength of the modulus size (at least 256
    /// bits) for custom groups.
    pub(crate) fn generate(group: &DhGroup, rng: &mut dyn FnMut(&mut [u8])) -> DhPrivateKey {
        let k = group.exponent_bits;
        let len = k.div_ceil(8) as usize;
        let excess = len as u32 * 8 - k;
        let mut buf = Zeroizing::new(vec![0u8; len]);
        rng(&mut buf);
        buf[0] &= 0xff >> excess;
        buf[0] |= 0x80 >> excess;
        let x = BoxedUint::from_be_slice(&buf, k.div_ceil(LIMB_BITS) * LIMB_BITS).expect("exponent fits its precision");
        let mut y = group.g_monty.pow_bounded_exp(&x, k).retrieve();
        let public = group.encode_padded(&y);
        y.as_mut_words().zeroize();
        DhPrivateKey { group: group.clone(), x, public }
    }

    /// g^x mod p, big-endian, left-padded with zeros to `prime_len` bytes (the form used by
    /// TLS 1.3 key shares and RFC 7919).
    pub(crate) fn public_key(&self) -> Vec<u8> {
        self.public.clone()
    }

    /// Checks the peer value (at most `prime_len` bytes, 1 < Y < p-1, else
    /// [`DhError::InvalidPublicKey`]) and returns Y^x mod p, big-endian, left-padded to
    /// `prime_len` (TLS 1.3 form; use [`strip_leading_zeros`] for TLS 1.2).
    pub(crate) fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, DhError> {
        let group = &self.group;
        if peer.len() > group.p_len {
            return Err(DhError::InvalidPublicKey);
        }
        let precision = group.p.bits_precision();
        let y = BoxedUint::from_be_slice(peer, precision).map_err(|_| DhError::InvalidPublicKey)?;
        let one = BoxedUint::one_with_precision(precision);
        if y <= one || y >= group.p_minus_1 {
            return Err(DhError::InvalidPublicKey);
        }
        let y = BoxedMontyForm::new(y, &group.params);
        let mut z = y.pow_bounded_exp(&self.x, group.exponent_bits);
        let mut secret = z.retrieve();
        z.as_montgomery_mut().as_mut_words().zeroize();
        // Y^x = 1 is impossible for a safe prime once 1 < Y < p-1; with a custom group it
        // would mean a predictable secret, so reject it.
        let degenerate = secret == one;
        let out = Zeroizing::new(group.encode_padded(&secret));
        secret.as_mut_words().zeroize();
        if degenerate {
            return Err(DhError::InvalidPublicKey);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// RFC 3526 group 14 (2048-bit MODP) prime, used as a "custom" server group.
    const MODP2048_P: &str = "\
        FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 \
        29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD \
        EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245 \
        E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED \
        EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D \
        C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F \
        83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D \
        670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B \
        E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9 \
        DE2BCBF6 95581718 3995497C EA956AE5 15D22618 98FA0510 \
        15728E5A 8AACAA68 FFFFFFFF FFFFFFFF";

    /// Deterministic SplitMix64 byte generator for tests only.
    fn test_rng(seed: u64) -> impl FnMut(&mut [u8]) {
        let mut state = seed;
        move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                *b = (z ^ (z >> 31)) as u8;
            }
        }
    }

    fn named(code: u16) -> &'static DhGroup {
        DhGroup::named(code).expect("named group")
    }

    /// Both sides of an exchange derive the same padded secret.
    fn exchange(group: &DhGroup, seed: u64) {
        let mut rng = test_rng(seed);
        let alice = DhPrivateKey::generate(group, &mut rng);
        let bob = DhPrivateKey::generate(group, &mut rng);
        let (pa, pb) = (alice.public_key(), bob.public_key());
        assert_eq!(pa.len(), group.prime_len());
        assert_eq!(pb.len(), group.prime_len());
        assert_ne!(pa, pb);
        let s1 = alice.agree(&pb).expect("alice agrees");
        let s2 = bob.agree(&pa).expect("bob agrees");
        assert_eq!(s1.len(), group.prime_len());
        assert_eq!(*s1, *s2);
        // A minimal (unpadded) encoding of the peer value is accepted too.
        let s3 = alice.agree(strip_leading_zeros(&pb)).expect("unpadded peer");
        assert_eq!(*s1, *s3);
    }

    fn add_one(v: &[u8]) -> Vec<u8> {
        let mut out = v.to_vec();
        for b in out.iter_mut().rev() {
            let (sum, carry) = b.overflowing_add(1);
            *b = sum;
            if !carry {
                return out;
            }
        }
        out.insert(0, 1);
        out
    }

    fn sub_one(v: &[u8]) -> Vec<u8> {
        let mut out = v.to_vec();
        for b in out.iter_mut().rev() {
            let (diff, borrow) = b.overflowing_sub(1);
            *b = diff;
            if !borrow {
                break;
            }
        }
        out
    }

    #[test]
    fn ffdhe2048_and_3072_agree() {
        exchange(named(256), 1);
        exchange(named(257), 2);
    }

    #[test]
    fn large_named_groups_agree() {
        exchange(named(258), 3);
        exchange(named(259), 4);
        exchange(named(260), 5);
    }

    #[test]
    fn named_group_lookup() {
        assert!(DhGroup::named(255).is_none());
        assert!(DhGroup::named(261).is_none());
        assert!(DhGroup::named(23).is_none());
        for (code, bits) in [(256, 2048), (257, 3072), (258, 4096), (259, 6144), (260, 8192)] {
            let group = named(code);
            assert_eq!(group.bits, bits);
            assert_eq!(group.prime_len(), bits / 8);
            assert_eq!(group.p_bytes().len(), bits / 8);
            assert_eq!(group.g_bytes(), vec![2]);
            assert!(std::ptr::eq(group, named(code)), "parsed once");
        }
    }

    #[test]
    fn known_answer_ffdhe2048() {
        // Independently computed: x = the 29 generated bytes below with the top byte
        // masked to 0x01, public = 2^x mod p, shared = 3^x mod p.
        let mut rng = |buf: &mut [u8]| {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = (i as u8).wrapping_mul(37).wrapping_add(11);
            }
        };
        let key = DhPrivateKey::generate(named(256), &mut rng);
        let expected_public = decode_hex(
            "\
             35aed20ff654079a077fa2b061bde2327088a240732dbe50ebae2412a00d0a22 \
             7eb901a5c6bdff64bdea7362c28c8b4fcb08b9e30168a30cf5a1f0bdda87c498 \
             73927f8d53f45ddb4fb1a3eab3c1c8a3d8a170fc9e253ba7b18604583f962da3 \
             f0f9bb7c3fb106a0064eccc5acc04c5acd3792accb0e5a5123061812a77af043 \
             62b70bd87d7a70f38e0067f0f2f2dda78342712e3cdd94bd523049d1e1e94fbb \
             8b997eee7b1bf1a02558427597135efc434b20e3fcb1aef59fa51ea281aac547 \
             c8fb79e2410c1b39ef79b3a153558652176c25634d04a5a6b81609b205302780 \
             95d36a4b34481b81544a0434e090019be1e63385591b89ebd5057d16c086c2e2",
        );
        let expected_shared = decode_hex(
            "\
             a2ae763fb909714161fc5445506a5176d73e0f1ba9797e58f3d78c9277693e78 \
             a83bf5c75e6c004fe2cadc1e55cc1105b36789133669a8a84ae13cb9159a84a4 \
             0df4b377b2e6c4f1ed57e13ab4acc2e384098e3dd34716ddb0d1a3d69f8f1605 \
             391df76dd38721421520cc717e4d82a94cc78855270ec782fc263a458ffbab59 \
             5e7f3f6224c0ab3b152b24bb4675272635f9a3df328efceca472b0e51ce30b23 \
             3aa7289c8b1d3fc6db8102c40c5c232cb8c8d77d6ed445c95a7fb0a70668ba0a \
             37c44c37c53780ffaa6c63df3f9218ec8e7f5fc8380add2df5d92328129f9499 \
             206486e2f6fd532ffe16918b299b3c72a4aff803d47494e6720d86e3605b03ee",
        );
        assert_eq!(key.public_key(), expected_public);
        assert_eq!(*key.agree(&[3]).unwrap(), expected_shared);
    }

    #[test]
    fn rejects_bad_peer_values() {
        let group = named(256);
        let key = DhPrivateKey::generate(group, &mut test_rng(7));
        let p = group.p_bytes();
        let p_minus_1 = sub_one(&p);
        let bad: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0; 256],
            vec![1],
            {
                let mut one = vec![0; 256];
                one[255] = 1;
                one
            },
            p_minus_1.clone(),
            p.clone(),
            add_one(&p),
            vec![0xff; 256],
            // Too long, even though the value itself would be in range.
            [&[0u8][..], &key.public_key()].concat(),
            vec![2; 257],
        ];
        for value in &bad {
            assert_eq!(key.agree(value).unwrap_err(), DhError::InvalidPublicKey);
        }
        // The boundaries just inside the range are accepted.
        assert!(key.agree(&[2]).is_ok());
        assert!(key.agree(&sub_one(&p_minus_1)).is_ok());
    }

    #[test]
    fn from_params_validation() {
        let p = named(256).p_bytes();
        let even = {
            let mut v = p.clone();
            v[255] ^= 1;
            v
        };
        assert_eq!(DhGroup::from_params(&even, &[2], 2048).unwrap_err(), DhError::InvalidPrime);
        let short = {
            let mut v = p[..128].to_vec();
            v[127] |= 1;
            v
        };
        assert_eq!(DhGroup::from_params(&short, &[2], 2048).unwrap_err(), DhError::InvalidPrime);
        let huge = {
            let mut v = vec![0xff; 1025];
            v[0] = 1;
            v
        };
        assert_eq!(DhGroup::from_params(&huge, &[2], 2048).unwrap_err(), DhError::InvalidPrime);
        assert_eq!(DhGroup::from_params(&[], &[2], 2048).unwrap_err(), DhError::InvalidPrime);
        assert_eq!(DhGroup::from_params(&[0, 0], &[2], 2048).unwrap_err(), DhError::InvalidPrime);
        let p_minus_1 = sub_one(&p);
        for g in [&[][..], &[0], &[1], &[0, 1], &p_minus_1, &p, &add_one(&p), &[1; 257]] {
            assert_eq!(DhGroup::from_params(&p, g, 2048).unwrap_err(), DhError::InvalidGenerator);
        }

        let group = DhGroup::from_params(&p, &[2], 2048).expect("ffdhe2048 accepted");
        assert_eq!(group.bits, 2048);
        assert_eq!(group.prime_len(), 256);
        assert_eq!(group.exponent_bits, 225);
        assert_eq!(group.p_bytes(), p);
        assert_eq!(group.g_bytes(), vec![2]);
        exchange(&group, 8);

        // Leading zeros in p and g are tolerated; the 3072-bit prime keeps its exponent size.
        let p3072 = [&[0u8][..], &named(257).p_bytes()].concat();
        let group = DhGroup::from_params(&p3072, &[0, 0, 5], 2048).unwrap();
        assert_eq!(group.bits, 3072);
        assert_eq!(group.exponent_bits, 275);
        assert_eq!(group.g_bytes(), vec![5]);
        assert_eq!(group.p_bytes(), named(257).p_bytes());

        // A custom group may pass a lower minimum, but never above 8192 bits.
        let modp = decode_hex(MODP2048_P);
        assert_eq!(DhGroup::from_params(&modp, &[2], 3072).unwrap_err(), DhError::InvalidPrime);
    }

    #[test]
    fn custom_group_agrees() {
        let modp = decode_hex(MODP2048_P);
        let group = DhGroup::from_params(&modp, &[2], 2048).expect("custom group");
        assert_eq!(group.bits, 2048);
        assert_eq!(group.exponent_bits, 256);
        exchange(&group, 9);
        let public = DhPrivateKey::generate(&group, &mut test_rng(10)).public_key();
        assert_eq!(public.len(), 256);

        // A modulus whose size is not a multiple of the limb size (2049 bits, 257 bytes)
        // still yields values padded to exactly prime_len bytes.
        let odd = [&[1u8][..], &named(256).p_bytes()].concat();
        let group = DhGroup::from_params(&odd, &[3], 2048).expect("2049-bit modulus");
        assert_eq!(group.bits, 2049);
        assert_eq!(group.prime_len(), 257);
        assert_eq!(group.p_bytes(), odd);
        for seed in 11..15 {
            exchange(&group, seed);
        }
    }

    #[test]
    fn exponent_sizes() {
        for (code, k) in [(256, 225), (257, 275), (258, 325), (259, 375), (260, 400)] {
            assert_eq!(named(code).exponent_bits, k);
        }
        assert_eq!(custom_exponent_bits(2048), 256);
        assert_eq!(custom_exponent_bits(4096), 256);
        assert_eq!(custom_exponent_bits(8192), 384);
        let group = named(256);
        let mut zeros = |buf: &mut [u8]| buf.fill(0);
        let mut ones = |buf: &mut [u8]| buf.fill(0xff);
        let low = DhPrivateKey::generate(group, &mut zeros);
        let high = DhPrivateKey::generate(group, &mut ones);
        assert_eq!(low.x.bit_width_vartime(), 225);
        assert_eq!(high.x.bit_width_vartime(), 225);
        assert_eq!(low.x.trailing_zeros_vartime(), 224);
        assert_eq!(high.x.trailing_ones_vartime(), 225);
    }

    #[test]
    fn strip_leading_zeros_cases() {
        assert_eq!(strip_leading_zeros(&[0, 0, 1, 0]), &[1, 0]);
        assert_eq!(strip_leading_zeros(&[5]), &[5]);
        assert_eq!(strip_leading_zeros(&[0, 0]), &[] as &[u8]);
        assert_eq!(strip_leading_zeros(&[]), &[] as &[u8]);
    }

    /// a^e mod m with a small base, using crypto-bigint directly.
    fn pow_small(base: u8, e: &BoxedUint, m: &BoxedUint) -> BoxedUint {
        let params = BoxedMontyParams::new_vartime(m.to_odd().into_option().unwrap());
        let base = BoxedUint::from_be_slice(&[base], m.bits_precision()).unwrap();
        BoxedMontyForm::new(base, &params).pow(e).retrieve()
    }

    #[test]
    fn prime_sanity() {
        for (code, bits) in [(256, 2048), (257, 3072), (258, 4096), (259, 6144), (260, 8192)] {
            let p = decode_hex(NAMED_GROUPS[usize::from(code - 256)].prime_hex);
            assert_eq!(p.len() * 8, bits);
            assert_eq!(named(code).p.bit_width_vartime() as usize, bits);
            assert!(p[..8].iter().all(|&b| b == 0xff), "top 64 bits set");
            assert!(p[p.len() - 8..].iter().all(|&b| b == 0xff), "low 64 bits set");
            assert_eq!(p[p.len() - 1] & 7, 7, "p = 7 mod 8");
        }
        for code in [256, 257] {
            let group = named(code);
            let one = BoxedUint::one_with_precision(group.p.bits_precision());
            let q = group.p_minus_1.shr_vartime(1).unwrap();
            // Fermat base 2 for p; 2 is a quadratic residue, so 2^q = 1 as well.
            assert_eq!(pow_small(2, &group.p_minus_1, &group.p), one);
            assert_eq!(pow_small(2, &q, &group.p), one);
            // Fermat bases 2 and 3 for q = (p-1)/2.
            let q_minus_1 = q.wrapping_sub(&one);
            assert_eq!(pow_small(2, &q_minus_1, &q), one);
            assert_eq!(pow_small(3, &q_minus_1, &q), one);
        }
    }

    #[test]
    fn print_timings() {
        for code in [256, 260] {
            let group = named(code);
            let mut rng = test_rng(u64::from(code));
            let peer = DhPrivateKey::generate(group, &mut rng).public_key();
            let start = Instant::now();
            let key = DhPrivateKey::generate(group, &mut rng);
            let public = key.public_key();
            let secret = key.agree(&peer).unwrap();
            let elapsed = start.elapsed();
            assert_eq!(public.len(), secret.len());
            println!("ffdhe{}: generate+public+agree {elapsed:?}", group.bits);
        }
    }
}
