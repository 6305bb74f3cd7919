//! `Idempotency-Key` rules: caller keys checked against the API's limits (1 to 200 printable
//! ASCII characters), a fresh UUID v4 for every POST that has none.

use crate::error::Error;

/// The longest key the API accepts.
pub const MAX_KEY_CHARS: usize = 200;

/// Formats 16 random bytes as a UUID version 4 (RFC 9562 §5.4).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// Checks a caller-supplied key: 1 to 200 visible ASCII characters (a header value cannot
/// hold control characters, and the API counts characters).
///
/// # Errors
/// `InvalidRequestError` with code `idempotency_key_too_long` over 200 characters (the API's
/// own code), else `invalid_option`.
pub fn validate_key<C>(key: &str) -> Result<(), Error<C>> {
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(Error::invalid_input(
            "idempotency_key_too_long",
            "idempotencyKey",
            "idempotencyKey must be at most 200 characters",
        ));
    }
    if key.is_empty() || !key.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(Error::invalid_option(
            "idempotencyKey",
            "idempotencyKey must be 1 to 200 printable ASCII characters",
        ));
    }
    Ok(())
}

/// The key a call sends on every attempt: the caller's (validated), else for POST a fresh
/// UUID v4 from `random`, else none. GET and HEAD never send one (the server ignores it),
/// so a caller key there is refused rather than silently dropped.
///
/// # Errors
/// As [`validate_key`], and `invalid_option` for a key on GET/HEAD.
pub fn key_for_call<C>(
    method: &str,
    caller_key: Option<&str>,
    random: impl FnOnce() -> [u8; 16],
) -> Result<Option<String>, Error<C>> {
    let no_key_method = matches!(method, "GET" | "HEAD");
    match caller_key {
        Some(_) if no_key_method => Err(Error::invalid_option(
            "idempotencyKey",
            "idempotencyKey is only sent with POST, PUT, PATCH and DELETE; GET and HEAD never carry one",
        )),
        Some(k) => validate_key(k).map(|()| Some(k.to_owned())),
        None if method == "POST" => Ok(Some(uuid_v4(random()))),
        None => Ok(None),
    }
}
