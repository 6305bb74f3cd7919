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
    if secret.chars().count() < MIN_SECRET_CHARS || !text.contains(secret) {
        return None;
    }
    let mut out = replace_spans(text, secret);
    for _ in 0..MAX_ROUNDS {
        if !out.contains(secret) {
            return Some(out);
        }
        out = replace_spans(&out, secret);
    }
    Some(REDACTED.to_owned())
}

/// One pass: each maximal run of overlapping occurrences becomes one `[redacted]`.
fn replace_spans(text: &str, secret: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // End of the text already copied or covered.
    let mut copied = 0;
    // The span being covered: (start, end).
    let mut span: Option<(usize, usize)> = None;
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find(secret)) {
        let start = from + found;
        let end = start + secret.len();
        span = match span {
            Some((s, e)) if start <= e => Some((s, end.max(e))),
            Some((s, e)) => {
                out.push_str(text.get(copied..s).unwrap_or_default());
                out.push_str(REDACTED);
                copied = e;
                Some((start, end))
            }
            None => Some((start, end)),
        };
        // Next search starts one character later, to find overlapping occurrences.
        from = start
            + text
                .get(start..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8);
    }
    if let Some((s, e)) = span {
        out.push_str(text.get(copied..s).unwrap_or_default());
        out.push_str(REDACTED);
        copied = e;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}
