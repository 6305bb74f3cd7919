//! Native, table-driven tests of secret redaction (`redact`), in text and in every text field
//! of an error.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

mod native;

use rimp_client::envelope::classify;
use rimp_client::error::Error;
use rimp_client::headers::ResponseHeaders;
use rimp_client::redact::redact;

use native::NOW;

const KEY: &str = "sk_live_abcdef123456";

#[test]
fn redaction() {
    let table: [(&str, &str, Option<&str>); 10] = [
        ("no secret here", KEY, None),
        (
            "bad key sk_live_abcdef123456",
            KEY,
            Some("bad key [redacted]"),
        ),
        (
            "sk_live_abcdef123456 and sk_live_abcdef123456!",
            KEY,
            Some("[redacted] and [redacted]!"),
        ),
        ("Bearer sk_live_abcdef12345", KEY, None),
        ("short key abc in text abc", "abc", None),
        ("seven77 seven77", "seven77", None),
        ("eight888 x", "eight888", Some("[redacted] x")),
        // Overlapping occurrences are one span.
        ("xaaaaaaaaaay", "aaaaaaaa", Some("x[redacted]y")),
        ("é-clé-secrète-é", "clé-secrète", Some("é-[redacted]-é")),
        // A replacement that would form the secret again is redacted again.
        ("d]zzzzzzzzzzzz", "d]zzzzzz", Some("[redacte[redacted]")),
    ];
    for (text, secret, want) in table {
        let got = redact(text, secret);
        assert_eq!(got.as_deref(), want, "{text:?}");
        if let Some(g) = got {
            assert!(!g.contains(secret), "{g:?}");
        }
    }
}

#[test]
fn an_error_redacts_the_secret_in_every_text_field() {
    let mut e: Error = classify(
        401,
        &ResponseHeaders::default(),
        r#"{"error":{"type":"authentication","code":"bad_key_sk_live_abcdef123456","message":"invalid key sk_live_abcdef123456","param":"sk_live_abcdef123456"}}"#,
        NOW,
    );
    e.redact_secret(KEY);
    assert_eq!(e.message, "invalid key [redacted]");
    assert_eq!(e.code.as_deref(), Some("bad_key_[redacted]"));
    assert_eq!(e.param.as_deref(), Some("[redacted]"));
    let mut raw: Error = classify(
        502,
        &ResponseHeaders::default(),
        "<html>Authorization: Bearer sk_live_abcdef123456</html>",
        NOW,
    );
    raw.redact_secret(KEY);
    assert_eq!(
        raw.raw_body.as_deref(),
        Some("<html>Authorization: Bearer [redacted]</html>")
    );
    let before = raw.clone();
    raw.redact_secret("short");
    assert_eq!(raw, before);
}
