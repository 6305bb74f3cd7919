//! Keeping a secret (the API key) out of the text an error carries.
//!
//! A server or a proxy may echo the `Authorization` header back in its error message or body
//! ("invalid key sk_live_…"); the client removes every occurrence before the error reaches
//! the caller's logs.

/// What each occurrence of the secret becomes.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this (in characters) are never searched for: replacing every `a` or
/// `12` in a message would mangle it and hide nothing worth hiding. Real keys are far longer.
pub const MIN_SECRET_CHARS: usize = 8;

/// How many rounds of replacement are tried before giving up on the text (see [`redact`]).
const MAX_ROUNDS: usize = 4;

/// `text` with every occurrence of `secret` replaced by `[redacted]`; `None` when `secret` does
/// not occur (so the caller keeps its string) or is shorter than [`MIN_SECRET_CHARS`].
///
/// Overlapping occurrences are covered as one span. The result never contains `secret`: when
/// replacing would create a new occurrence (a secret that starts with the end of
/// `[redacted]`), it is redacted again, and a text that still holds one after a few rounds is
/// replaced whole.
pub fn redact(text: &str, secret: &str) -> Option<String> {
    if secret.chars().count() < MIN_SECRET_CHARS
        || find(text.as_bytes(), secret.as_bytes(), 0).is_none()
    {
        return None;
    }
    let mut out = replace_spans(text, secret);
    for _ in 0..MAX_ROUNDS {
        if find(out.as_bytes(), secret.as_bytes(), 0).is_none() {
            return Some(out);
        }
        out = replace_spans(&out, secret);
    }
    Some(REDACTED.to_owned())
}

/// The first index at or after `from` where `needle` (non-empty) starts in `hay`.
///
/// Written by hand over bytes: `str::find`/`contains` with a `&str` pattern pull the two-way
/// searcher and its panic formatting into the wasm (about 6 KB before wasm-opt, measured with
/// twiggy); error texts are short (bounded before they cross into wasm), so the plain scan is
/// fast enough. A match of a UTF-8 needle in UTF-8 text always starts and ends on character
/// boundaries.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    (from..=last_start)
        .find(|&i| hay.get(i) == Some(&first) && hay.get(i..i + needle.len()) == Some(needle))
}

/// One pass: each maximal run of overlapping occurrences becomes one `[redacted]`.
fn replace_spans(text: &str, secret: &str) -> String {
    let (hay, needle) = (text.as_bytes(), secret.as_bytes());
    let mut out: Vec<u8> = Vec::with_capacity(hay.len());
    // End of the text already copied or covered.
    let mut copied = 0;
    // The span being covered: (start, end).
    let mut span: Option<(usize, usize)> = None;
    let mut from = 0;
    while let Some(start) = find(hay, needle, from) {
        let end = start + needle.len();
        span = match span {
            Some((s, e)) if start <= e => Some((s, end.max(e))),
            Some((s, e)) => {
                out.extend_from_slice(hay.get(copied..s).unwrap_or_default());
                out.extend_from_slice(REDACTED.as_bytes());
                copied = e;
                Some((start, end))
            }
            None => Some((start, end)),
        };
        // The next search starts one byte later, to find overlapping occurrences (a match can
        // only start on a character boundary, so no character is split).
        from = start + 1;
    }
    if let Some((s, e)) = span {
        out.extend_from_slice(hay.get(copied..s).unwrap_or_default());
        out.extend_from_slice(REDACTED.as_bytes());
        copied = e;
    }
    out.extend_from_slice(hay.get(copied..).unwrap_or_default());
    // Whole UTF-8 sequences were replaced by ASCII, so this is valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}
