//! Randomised robustness tests of every parser that reads server input: no input may panic
//! (a panic would poison the wasm instance). Deterministic (seeded), so a failure reproduces.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rimp_client::envelope::{Envelope, classify};
use rimp_client::error::Error;
use rimp_client::headers::{ResponseHeaders, parse_http_date, parse_retry_after, parse_uint};
use rimp_client::json::Json;
use rimp_client::transport::MAX_TIMER_MS;

/// splitmix64
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: [&str; 15] = [
    r#"{"error":{"type":"rate_limited","code":"rate_limited","message":"slow","param":"x","request_id":"req_1"}}"#,
    r#"{"error":"text"}"#,
    r#"{"type":"internal","detail":"d","title":"t"}"#,
    r#"[1,2.5e-3,-0,true,false,null,"\u00e9\ud83d\ude00\n"]"#,
    "<html><body>502</body></html>",
    "Wed, 25 Nov 2026 00:00:30 GMT",
    "Wednesday, 25-Nov-26 00:00:30 GMT",
    "Wed Nov 25 00:00:30 2026",
    "12",
    "0.05",
    "99999999999999999999",
    "",
    "1, 1",
    "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
    "true, true",
];

const ALPHABET: &[u8] = b"{}[]\":,\\/ .-+eE0123456789abcdefnrtu\t\n\rGMTWedNov";

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut b: Vec<u8> = seed.as_bytes().to_vec();
    for _ in 0..=rng.below(6) {
        match rng.below(5) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b.remove(i);
            }
            1 => {
                let i = rng.below(b.len() + 1);
                b.insert(i, ALPHABET[rng.below(ALPHABET.len())]);
            }
            2 if !b.is_empty() => {
                let i = rng.below(b.len());
                b.truncate(i);
            }
            3 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = (rng.next() & 0xff) as u8;
            }
            _ => {
                let i = rng.below(b.len() + 1);
                let dup = b[..i].to_vec();
                b.extend_from_slice(&dup);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn exercise(s: &str, now: u64) {
    let _ = Json::parse(s);
    let _ = Envelope::parse(s);
    let _ = parse_retry_after(s, now);
    let _ = parse_http_date(s, now);
    let _ = parse_uint(s);
    let mut h = ResponseHeaders::default();
    for name in ResponseHeaders::NAMES {
        h.set(name, s.to_owned());
    }
    let _ = h.rate_limit();
    let _ = h.replayed();
    if let Some(r) = parse_retry_after(s, now) {
        assert!(r <= MAX_TIMER_MS);
    }
    let _ = rimp_client::redact::redact(s, "sk_test_secret");
    for status in [0u16, 200, 429, 503, 999, u16::MAX] {
        let e: Error = classify(status, &h, s, now);
        assert!(e.raw_body.as_ref().is_none_or(|r| r.len() <= 2048));
    }
}

#[test]
fn parsers_never_panic_on_mutated_input() {
    let mut rng = Rng(0x5EED);
    for _ in 0..60_000 {
        let seed = SEEDS[rng.below(SEEDS.len())];
        let input = mutate(&mut rng, seed);
        let now = match rng.below(3) {
            0 => 0,
            1 => u64::MAX,
            _ => 1_795_564_800_000,
        };
        exercise(&input, now);
    }
}

#[test]
fn parsers_never_panic_on_random_bytes() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let len = rng.below(64);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        exercise(&String::from_utf8_lossy(&bytes), rng.next());
    }
}
