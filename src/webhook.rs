//! Webhook signature verification (`client.webhooks.unwrap`): every decision, none of the I/O.
//!
//! A delivery carries `X-Rimp-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each
//! `hex` is the lowercase HMAC-SHA-256, keyed with the whole `whsec_…` secret (its UTF-8
//! bytes), of `"<t>.<raw body>"`. Several `v1` values may be present (secret rotation): any one
//! that matches is enough.
//!
//! This module parses the header ([`parse_signature`]), checks the timestamp against the
//! tolerance ([`check_timestamp`]), compares the computed MAC with every candidate in constant
//! time ([`check_signature`]) and names each failure ([`Failure`]). The HMAC itself is
//! computed by the caller (the wasm glue uses Web Crypto, so the body never enters wasm
//! memory); [`verify`] chains the steps for a synchronous MAC, which is what the native tests
//! use.

use crate::error::{Error, ErrorKind};

/// The longest `X-Rimp-Signature` accepted, in bytes; a longer one is `malformed_signature`.
pub const MAX_SIGNATURE_HEADER_BYTES: usize = 8192;

/// `toleranceSec` when the call does not set it.
pub const DEFAULT_TOLERANCE_SEC: u64 = 300;

/// The largest `toleranceSec` accepted (about 68 years: anything larger is meaningless).
pub const MAX_TOLERANCE_SEC: u64 = 2_147_483_647;

/// The most digits a timestamp may have (Unix seconds need 10 until the year 2286).
const MAX_TIMESTAMP_DIGITS: usize = 15;

/// The length of an HMAC-SHA-256 in bytes.
pub const MAC_BYTES: usize = 32;

/// An HMAC-SHA-256.
pub type Mac = [u8; MAC_BYTES];

/// Why a delivery was refused; each becomes a `WebhookVerificationError` with [`Failure::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No secret: neither the call's `secret` nor the client's `webhookSecret`.
    MissingSecret,
    /// No `X-Rimp-Signature` header (or an empty one).
    MissingSignature,
    /// The header is not `t=<digits>,v1=<64 hex>…`, or is over 8 KiB.
    MalformedSignature,
    /// `|now − t| > toleranceSec`.
    TimestampOutOfTolerance,
    /// No `v1` matches the HMAC of the body under the secret.
    SignatureMismatch,
    /// The verified body is not JSON, or not an object with a string `type`.
    InvalidPayload,
    /// `crypto.subtle` is missing (an insecure browser context) or failed.
    CryptoUnavailable,
}

impl Failure {
    /// The error's `code`.
    pub fn code(self) -> &'static str {
        match self {
            Failure::MissingSecret => "missing_secret",
            Failure::MissingSignature => "missing_signature",
            Failure::MalformedSignature => "malformed_signature",
            Failure::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            Failure::SignatureMismatch => "signature_mismatch",
            Failure::InvalidPayload => "invalid_payload",
            Failure::CryptoUnavailable => "crypto_unavailable",
        }
    }

    /// The error's message (never the secret, the header or the body).
    pub fn message(self) -> &'static str {
        match self {
            Failure::MissingSecret => {
                "no webhook secret: pass { secret } to webhooks.unwrap or webhookSecret to the client (the whsec_… value POST /v1/webhooks returned)"
            }
            Failure::MissingSignature => {
                "the request has no X-Rimp-Signature header: it did not come from Rimp (or a proxy removed the header)"
            }
            Failure::MalformedSignature => {
                "the X-Rimp-Signature header is malformed: expected t=<unix seconds>,v1=<64 hex characters> (at most 8 KiB)"
            }
            Failure::TimestampOutOfTolerance => {
                "the X-Rimp-Signature timestamp is outside the tolerance (toleranceSec, default 300 s): a replayed or delayed delivery, or a wrong clock"
            }
            Failure::SignatureMismatch => {
                "no signature in X-Rimp-Signature matches the body: a wrong secret, or a body that is not the raw bytes received (parsed and re-serialised JSON never matches)"
            }
            Failure::InvalidPayload => {
                "the signature is valid but the body is not a JSON object with a string \"type\""
            }
            Failure::CryptoUnavailable => {
                "Web Crypto (crypto.subtle) is not available to compute the HMAC: browsers offer it only in secure contexts (https:// or localhost); Node.js 18+ has it"
            }
        }
    }

    /// The `WebhookVerificationError` for this failure.
    pub fn into_error<C>(self) -> Error<C> {
        let mut e = Error::new(ErrorKind::WebhookVerification, self.message());
        e.code = Some(self.code().into());
        e
    }
}

impl<C> From<Failure> for Error<C> {
    fn from(f: Failure) -> Self {
        f.into_error()
    }
}

/// A parsed `X-Rimp-Signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature<'a> {
    /// `t` exactly as sent (ASCII digits): the HMAC covers this text, not a re-formatted number.
    pub timestamp: &'a str,
    /// `t` as Unix seconds.
    pub unix: u64,
    /// Every `v1`, decoded.
    pub candidates: Vec<Mac>,
}

/// Parses `X-Rimp-Signature` (`None`: the header is absent).
///
/// The header is comma-separated `key=value` fields, spaces around them ignored (so the
/// `", "`-joined value of a repeated header parses too). `t` is required, once (repeats must
/// agree); `v1` at least once, each 64 hex characters; other keys (`v0`, a future `v2`) and
/// empty fields are ignored.
///
/// # Errors
/// [`Failure::MissingSignature`] for an absent or blank header; [`Failure::MalformedSignature`]
/// for anything else that is not as above, and for a header over
/// [`MAX_SIGNATURE_HEADER_BYTES`].
pub fn parse_signature(header: Option<&str>) -> Result<Signature<'_>, Failure> {
    let header = header.ok_or(Failure::MissingSignature)?;
    if header.len() > MAX_SIGNATURE_HEADER_BYTES {
        return Err(Failure::MalformedSignature);
    }
    if header.trim().is_empty() {
        return Err(Failure::MissingSignature);
    }
    let mut timestamp: Option<&str> = None;
    let mut candidates = Vec::new();
    for field in header.split(',') {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let (key, value) = field.split_once('=').ok_or(Failure::MalformedSignature)?;
        let (key, value) = (key.trim(), value.trim());
        match key {
            "t" => {
                let valid = !value.is_empty()
                    && value.len() <= MAX_TIMESTAMP_DIGITS
                    && value.bytes().all(|b| b.is_ascii_digit());
                if !valid || timestamp.is_some_and(|t| t != value) {
                    return Err(Failure::MalformedSignature);
                }
                timestamp = Some(value);
            }
            "v1" => candidates.push(decode_hex(value).ok_or(Failure::MalformedSignature)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Failure::MalformedSignature)?;
    if candidates.is_empty() {
        return Err(Failure::MalformedSignature);
    }
    let unix = timestamp
        .parse::<u64>()
        .map_err(|_| Failure::MalformedSignature)?;
    Ok(Signature {
        timestamp,
        unix,
        candidates,
    })
}

/// Checks `|now − t| ≤ tolerance` (both in Unix seconds).
///
/// # Errors
/// [`Failure::TimestampOutOfTolerance`].
pub fn check_timestamp(t: u64, now: u64, tolerance: u64) -> Result<(), Failure> {
    if t.abs_diff(now) <= tolerance {
        Ok(())
    } else {
        Err(Failure::TimestampOutOfTolerance)
    }
}

/// Checks the computed MAC (`computed_hex`, from the HMAC implementation) against every
/// candidate of `sig`, in constant time.
///
/// # Errors
/// [`Failure::SignatureMismatch`] when none matches; [`Failure::CryptoUnavailable`] when
/// `computed_hex` is not a MAC (the HMAC implementation misbehaved).
pub fn check_signature(computed_hex: &str, sig: &Signature<'_>) -> Result<(), Failure> {
    let computed = decode_hex(computed_hex).ok_or(Failure::CryptoUnavailable)?;
    if matches_any(&computed, &sig.candidates) {
        Ok(())
    } else {
        Err(Failure::SignatureMismatch)
    }
}

/// Whether `computed` equals any of `candidates`. Every candidate is compared in full, with no
/// early exit, so the time taken says nothing about how close a forgery came.
pub fn matches_any(computed: &Mac, candidates: &[Mac]) -> bool {
    let mut found = 0u8;
    for c in candidates {
        found |= u8::from(ct_eq(computed, c));
    }
    found == 1
}

/// Constant-time equality of two MACs: every byte is looked at whatever the first difference.
pub fn ct_eq(a: &Mac, b: &Mac) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    // `black_box` keeps the optimiser from turning the fold into an early-exit comparison.
    std::hint::black_box(diff) == 0
}

/// 64 hex characters (either case) as a MAC; `None` for anything else.
pub fn decode_hex(s: &str) -> Option<Mac> {
    let bytes = s.as_bytes();
    if bytes.len() != 2 * MAC_BYTES {
        return None;
    }
    let mut out = [0u8; MAC_BYTES];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (hi, lo) = match pair {
            [hi, lo] => (nibble(*hi)?, nibble(*lo)?),
            _ => return None,
        };
        *o = (hi << 4) | lo;
    }
    Some(out)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `toleranceSec`: a whole number of seconds from 0 to [`MAX_TOLERANCE_SEC`].
///
/// # Errors
/// `invalid_option` naming `toleranceSec`.
pub fn tolerance_sec<C>(value: f64) -> Result<u64, Error<C>> {
    crate::config::whole_number("toleranceSec", value, 0, MAX_TOLERANCE_SEC)
}

/// The secret to verify with: the call's, else the client's.
///
/// # Errors
/// [`Failure::MissingSecret`] when neither is set.
pub fn pick_secret<'a>(call: Option<&'a str>, client: Option<&'a str>) -> Result<&'a str, Failure> {
    call.or(client).ok_or(Failure::MissingSecret)
}

/// Every check but the payload's, for a MAC computed synchronously by `mac(timestamp)` (the
/// HMAC of `"<timestamp>.<body>"`, as hex): the secret, the header, the timestamp, the
/// signature, in that order.
///
/// # Errors
/// The first [`Failure`].
pub fn verify(
    secret: Option<&str>,
    header: Option<&str>,
    now: u64,
    tolerance: u64,
    mac: impl FnOnce(&str, &str) -> String,
) -> Result<(), Failure> {
    let secret = secret.ok_or(Failure::MissingSecret)?;
    let sig = parse_signature(header)?;
    check_timestamp(sig.unix, now, tolerance)?;
    check_signature(&mac(secret, sig.timestamp), &sig)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const A: &str = "5f0c7e9a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbc";
    const B: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn parses_valid_headers() {
        let cases: &[(&str, &str, usize)] = &[
            ("t=1779208200,v1=A", "1779208200", 1),
            ("t=1779208200,v1=A,v1=B", "1779208200", 2),
            ("v1=A, t=1779208200", "1779208200", 1),
            (" t = 1779208200 , v1 = A ", "1779208200", 1),
            ("t=1779208200,v0=xyz,v1=A,v2=whatever,foo=", "1779208200", 1),
            ("t=1779208200,,v1=A,", "1779208200", 1),
            ("t=1,v1=A,t=1", "1", 1),
            ("t=0001,v1=A", "0001", 1),
        ];
        for (h, t, n) in cases {
            let h = h.replace('A', A).replace('B', B);
            let s = parse_signature(Some(&h)).unwrap();
            assert_eq!((s.timestamp, s.candidates.len()), (*t, *n), "{h}");
        }
    }

    #[test]
    fn refuses_bad_headers() {
        let cases: &[(Option<&str>, Failure)] = &[
            (None, Failure::MissingSignature),
            (Some(""), Failure::MissingSignature),
            (Some("  "), Failure::MissingSignature),
            (Some("v1=A"), Failure::MalformedSignature),
            (Some("t=abc,v1=A"), Failure::MalformedSignature),
            (Some("t=-5,v1=A"), Failure::MalformedSignature),
            (Some("t=+5,v1=A"), Failure::MalformedSignature),
            (Some("t=1.5,v1=A"), Failure::MalformedSignature),
            (Some("t=,v1=A"), Failure::MalformedSignature),
            (Some("t=1234567890123456,v1=A"), Failure::MalformedSignature),
            (Some("t=1,t=2,v1=A"), Failure::MalformedSignature),
            (Some("t=1"), Failure::MalformedSignature),
            (Some("t=1,v1="), Failure::MalformedSignature),
            (Some("t=1,v1=zz"), Failure::MalformedSignature),
            (Some("t=1,v1=A0"), Failure::MalformedSignature),
            (Some("t=1,v1=G"), Failure::MalformedSignature),
            (Some("t=1,garbage,v1=A"), Failure::MalformedSignature),
            (Some("T=1,V1=A"), Failure::MalformedSignature),
        ];
        for (h, want) in cases {
            let h = h.map(|h| h.replace('A', A).replace('G', &"g".repeat(64)));
            assert_eq!(parse_signature(h.as_deref()), Err(*want), "{h:?}");
        }
        let long = String::from("t=1,v1=") + A + ",x=" + &"y".repeat(MAX_SIGNATURE_HEADER_BYTES);
        assert_eq!(
            parse_signature(Some(&long)),
            Err(Failure::MalformedSignature)
        );
        let at_limit = String::from("t=1,v1=") + A + ",x=";
        let at_limit = at_limit.clone() + &"y".repeat(MAX_SIGNATURE_HEADER_BYTES - at_limit.len());
        assert_eq!(at_limit.len(), MAX_SIGNATURE_HEADER_BYTES);
        assert!(parse_signature(Some(&at_limit)).is_ok());
    }

    #[test]
    fn tolerance_boundaries() {
        let cases: &[(u64, u64, u64, bool)] = &[
            (1000, 1000, 0, true),
            (1000, 1300, 300, true),
            (1000, 1301, 300, false),
            (1300, 1000, 300, true),
            (1301, 1000, 300, false),
            (0, u64::MAX, u64::MAX, true),
            (u64::MAX, 0, 300, false),
        ];
        for (t, now, tol, ok) in cases {
            assert_eq!(
                check_timestamp(*t, *now, *tol).is_ok(),
                *ok,
                "{t} {now} {tol}"
            );
        }
    }

    #[test]
    fn comparison() {
        let a = decode_hex(A).unwrap();
        let b = decode_hex(B).unwrap();
        assert!(ct_eq(&a, &a));
        assert!(!ct_eq(&a, &b));
        assert!(matches_any(&a, &[b, a]));
        assert!(matches_any(&a, &[a, a]));
        assert!(!matches_any(&a, &[b, b]));
        assert!(!matches_any(&a, &[]));
        assert_eq!(decode_hex(&A.to_uppercase()), Some(a));
        let h = String::from("t=5,v1=") + B + ",v1=" + A;
        let sig = parse_signature(Some(&h)).unwrap();
        assert_eq!(check_signature(A, &sig), Ok(()));
        assert_eq!(
            check_signature(&B.replace('1', "2"), &sig),
            Err(Failure::SignatureMismatch)
        );
        assert_eq!(
            check_signature("nope", &sig),
            Err(Failure::CryptoUnavailable)
        );
    }

    #[test]
    fn verify_order_and_errors() {
        let h = String::from("t=100,v1=") + A;
        let mac = |_: &str, _: &str| A.to_owned();
        assert_eq!(
            verify(None, Some(&h), 100, 300, mac),
            Err(Failure::MissingSecret)
        );
        assert_eq!(
            verify(Some("whsec_x"), None, 100, 300, mac),
            Err(Failure::MissingSignature)
        );
        assert_eq!(
            verify(Some("whsec_x"), Some(&h), 401, 300, mac),
            Err(Failure::TimestampOutOfTolerance)
        );
        assert_eq!(verify(Some("whsec_x"), Some(&h), 400, 300, mac), Ok(()));
        let seen = std::cell::RefCell::new(String::new());
        let _ = verify(Some("whsec_k"), Some(&h), 100, 300, |s, t| {
            *seen.borrow_mut() = String::from(s) + "|" + t;
            B.to_owned()
        });
        assert_eq!(*seen.borrow(), "whsec_k|100");
        assert_eq!(pick_secret(Some("a"), Some("b")), Ok("a"));
        assert_eq!(pick_secret(None, Some("b")), Ok("b"));
        assert_eq!(pick_secret(None, None), Err(Failure::MissingSecret));
    }

    #[test]
    fn errors_carry_code_and_class() {
        for f in [
            Failure::MissingSecret,
            Failure::MissingSignature,
            Failure::MalformedSignature,
            Failure::TimestampOutOfTolerance,
            Failure::SignatureMismatch,
            Failure::InvalidPayload,
            Failure::CryptoUnavailable,
        ] {
            let e: Error = f.into();
            assert_eq!(e.kind.class_name(), "WebhookVerificationError");
            assert!(!e.kind.is_api());
            assert_eq!(e.code.as_deref(), Some(f.code()));
            assert!(!e.retryable);
        }
        assert!(tolerance_sec::<()>(300.0).is_ok());
        assert!(tolerance_sec::<()>(-1.0).is_err());
        assert!(tolerance_sec::<()>(1.5).is_err());
        assert!(tolerance_sec::<()>(f64::NAN).is_err());
    }
}
