//! Property tests of webhook signature checking (`rimp_client::webhook`): the header parser
//! never panics and never accepts more than it should, a header that verifies still verifies
//! with extra unknown fields and with its matching `v1` anywhere among others (secret
//! rotation), and the tolerance is inclusive at exactly `toleranceSec` on both sides.
//!
//! `PROPTEST_CASES` sets the cases per property (256 by default).
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use rimp_client::webhook::{
    Failure, MAX_SIGNATURE_HEADER_BYTES, Mac, check_timestamp, parse_signature, verify,
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn hex(m: &Mac) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect()
}

/// A field that is neither `t` nor `v1`, and holds no comma.
fn unknown_field() -> impl Strategy<Value = String> {
    ("[a-zA-Z0-9_]{1,6}", "[^,]{0,20}")
        .prop_filter("not t or v1", |(k, _)| k != "t" && k != "v1")
        .prop_map(|(k, v)| k + "=" + &v)
}

/// Header text built from pieces a real header is made of, so malformed-but-close inputs are
/// common (pure random strings almost never get past the first check).
fn header_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("t=".to_owned()),
        Just("v1=".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("=".to_owned()),
        "[0-9]{0,20}",
        "[0-9a-fA-F]{60,68}",
        "[a-z]{1,4}",
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_parser_never_panics_on_any_text(s in "\\PC{0,200}") {
        let _ = parse_signature(Some(&s));
    }

    #[test]
    fn the_parser_never_panics_on_header_like_text(s in header_like()) {
        if let Ok(sig) = parse_signature(Some(&s)) {
            // What it accepts has a timestamp of digits that is in the text, and a `v1`.
            prop_assert!(!sig.candidates.is_empty());
            prop_assert!(sig.timestamp.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(s.contains(sig.timestamp));
            prop_assert_eq!(sig.timestamp.parse::<u64>().ok(), Some(sig.unix));
        }
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = parse_signature(Some(&s));
    }

    #[test]
    fn a_header_over_8_kib_is_malformed(pad in (MAX_SIGNATURE_HEADER_BYTES - 70)..(MAX_SIGNATURE_HEADER_BYTES + 100), mac in any::<Mac>()) {
        let h = String::from("t=1,v1=") + &hex(&mac) + ",x=" + &"y".repeat(pad);
        let r = parse_signature(Some(&h));
        if h.len() > MAX_SIGNATURE_HEADER_BYTES {
            prop_assert_eq!(r, Err(Failure::MalformedSignature));
        } else {
            prop_assert!(r.is_ok());
        }
    }

    #[test]
    fn a_verifying_header_still_verifies_with_extra_unknown_fields(
        mac in any::<Mac>(),
        t in 0u64..4_000_000_000,
        skew in -300i64..=300,
        extras in prop::collection::vec((unknown_field(), 0usize..8), 0..6),
        spaces in any::<bool>(),
    ) {
        let now = t.saturating_add_signed(skew);
        let mut fields = vec![format!("t={t}"), format!("v1={}", hex(&mac))];
        for (f, at) in extras {
            let at = at % (fields.len() + 1);
            fields.insert(at, f);
        }
        let h = fields.join(if spaces { ", " } else { "," });
        let good = hex(&mac);
        let r = verify(Some("whsec_k"), Some(&h), now, 300, |_, ts| {
            assert_eq!(ts, t.to_string());
            good.clone()
        });
        prop_assert_eq!(r, Ok(()), "{}", h);
    }

    #[test]
    fn any_v1_may_match_and_none_matching_is_a_mismatch(
        mac in any::<Mac>(),
        others in prop::collection::vec(any::<Mac>(), 0..6),
        at in 0usize..8,
    ) {
        let others: Vec<Mac> = others.into_iter().filter(|o| o != &mac).collect();
        let mut v1s: Vec<String> = others.iter().map(hex).collect();
        let without = format!("t=50,v1={}", v1s.join(",v1="));
        v1s.insert(at % (v1s.len() + 1), hex(&mac));
        let with = format!("t=50,v1={}", v1s.join(",v1="));
        prop_assert_eq!(verify(Some("s"), Some(&with), 50, 0, |_, _| hex(&mac)), Ok(()));
        let expected = if others.is_empty() { Failure::MalformedSignature } else { Failure::SignatureMismatch };
        prop_assert_eq!(verify(Some("s"), Some(&without), 50, 0, |_, _| hex(&mac)), Err(expected));
    }

    #[test]
    fn the_tolerance_is_inclusive_on_both_sides(t in 0u64..=u64::MAX / 2, tol in 0u64..=10_000_000) {
        prop_assert_eq!(check_timestamp(t, t + tol, tol), Ok(()));
        prop_assert_eq!(check_timestamp(t, t + tol + 1, tol), Err(Failure::TimestampOutOfTolerance));
        if let Some(before) = t.checked_sub(tol) {
            prop_assert_eq!(check_timestamp(t, before, tol), Ok(()));
            if let Some(earlier) = before.checked_sub(1) {
                prop_assert_eq!(check_timestamp(t, earlier, tol), Err(Failure::TimestampOutOfTolerance));
            }
        }
    }

    #[test]
    fn a_wrong_mac_never_verifies(mac in any::<Mac>(), other in any::<Mac>()) {
        prop_assume!(mac != other);
        let h = format!("t=7,v1={}", hex(&mac));
        prop_assert_eq!(verify(Some("s"), Some(&h), 7, 0, |_, _| hex(&other)), Err(Failure::SignatureMismatch));
    }
}
