//! Small pure helpers: a seeded PRNG, hashing, dates, query strings and CIDRs.
//!
//! Nothing here reads a clock or the environment; every input is a parameter.

use std::net::IpAddr;

/// SplitMix64: a tiny, well-mixed, seedable generator. Good enough for ids and
/// procedural pictures; not for anything secret.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose sequence depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` lowercase hex characters.
    pub fn hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n + 16);
        while out.len() < n {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(n);
        out
    }

    /// `n` characters from `[A-Za-z0-9]`.
    pub fn alnum(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| {
                let i = (self.next_u64() % ALPHABET.len() as u64) as usize;
                ALPHABET.get(i).copied().map(char::from).unwrap_or('x')
            })
            .collect()
    }
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// `ceil(a / b)` for positive `b`; `b == 0` gives 0.
pub fn ceil_div(a: u64, b: u64) -> u64 {
    if b == 0 { 0 } else { a.div_ceil(b) }
}

const MS_PER_DAY: i64 = 86_400_000;

/// (year, month 1-12, day 1-31) of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn split_epoch_ms(epoch_ms: u64) -> (i64, i64, i64, i64, i64, i64, i64) {
    let ms = i64::try_from(epoch_ms).unwrap_or(i64::MAX / 2);
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    (
        y,
        mo,
        d,
        rem / 3_600_000,
        (rem / 60_000) % 60,
        (rem / 1000) % 60,
        rem % 1000,
    )
}

/// `2026-05-19T16:30:00.123Z`.
pub fn iso_ms(epoch_ms: u64) -> String {
    let (y, mo, d, h, mi, s, ms) = split_epoch_ms(epoch_ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

/// `2026-05-19T16:30:00Z` (whole seconds, rounded down).
pub fn iso_s(epoch_ms: u64) -> String {
    let (y, mo, d, h, mi, s, _) = split_epoch_ms(epoch_ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2026-05-19` (UTC day).
pub fn iso_day(epoch_ms: u64) -> String {
    let (y, mo, d, ..) = split_epoch_ms(epoch_ms);
    format!("{y:04}-{mo:02}-{d:02}")
}

fn digits(s: &[u8], from: usize, n: usize) -> Option<i64> {
    let part = s.get(from..from + n)?;
    let mut v: i64 = 0;
    for c in part {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Parses an RFC 3339 date-time (`2026-05-19T16:30:00Z`, fractional seconds and
/// `±hh:mm` offsets allowed) or a plain date (`2026-05-19`, midnight UTC) into
/// epoch milliseconds. Anything else is `None`.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    let y = digits(s, 0, 4)?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let mo = digits(s, 5, 2)?;
    let d = digits(s, 8, 2)?;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let day_ms = days_from_civil(y, mo, d) * MS_PER_DAY;
    if s.len() == 10 {
        return Some(day_ms);
    }
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let h = digits(s, 11, 2)?;
    let mi = digits(s, 14, 2)?;
    let sec = digits(s, 17, 2)?;
    if s.get(13) != Some(&b':') || s.get(16) != Some(&b':') || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_ms: i64 = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(c) = s.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            if i - start < 3 {
                frac_ms = frac_ms * 10 + i64::from(c - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            frac_ms *= 10;
        }
    }
    let offset_ms = match s.get(i) {
        Some(b'Z' | b'z') if s.len() == i + 1 => 0,
        Some(sign @ (b'+' | b'-')) if s.len() == i + 6 => {
            let oh = digits(s, i + 1, 2)?;
            let om = digits(s, i + 4, 2)?;
            if s.get(i + 3) != Some(&b':') || oh > 23 || om > 59 {
                return None;
            }
            let off = (oh * 60 + om) * 60_000;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    Some(day_ms + ((h * 60 + mi) * 60 + sec) * 1000 + frac_ms - offset_ms)
}

/// Decodes `%XX` escapes and `+` (as a space) in a query component.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=1&b=2` → `[("a","1"),("b","2")]`, decoded.
pub fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// A parsed CIDR block (`203.0.113.0/24`, `2001:db8::/32`; a bare address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses the text form; `None` when it is not a valid block.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (ip, prefix) = match text.split_once('/') {
            Some((ip, p)) => {
                if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                (ip.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?))
            }
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { addr: ip, prefix })
    }

    /// Whether `ip` lies inside the block (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_deterministic() {
        let mut a = SplitMix64::new(1);
        let mut b = SplitMix64::new(1);
        assert_eq!(a.hex(24), b.hex(24));
        assert_ne!(SplitMix64::new(1).next_u64(), SplitMix64::new(2).next_u64());
        assert_eq!(a.hex(40).len(), 40);
        assert!(a.alnum(20).chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        let t = parse_datetime("2026-05-19T16:30:00Z").unwrap();
        assert_eq!(iso_s(t as u64), "2026-05-19T16:30:00Z");
        assert_eq!(
            parse_datetime("2026-05-19T18:30:00.5+02:00").unwrap(),
            t + 500
        );
        assert_eq!(parse_datetime("2024-02-29").unwrap() % MS_PER_DAY, 0);
        assert_eq!(
            iso_day(parse_datetime("2024-02-29").unwrap() as u64),
            "2024-02-29"
        );
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2023-02-29",
            "2026-05-19T25:00:00Z",
            "2026-05-19T16:30:00",
            "2026-05-19T16:30:00.Z",
            "2026-05-19T16:30:00+0200",
            "yesterday",
            "2026-05-19T16:30:00Zjunk",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_decoding() {
        let q = parse_query(Some(
            "start=2026-01-01T00%3A00%3A00Z&group_by=day&x&a+b=%zz",
        ));
        assert_eq!(q[0], ("start".into(), "2026-01-01T00:00:00Z".into()));
        assert_eq!(q[1], ("group_by".into(), "day".into()));
        assert_eq!(q[2], ("x".into(), String::new()));
        assert_eq!(q[3], ("a b".into(), "%zz".into()));
        assert!(parse_query(None).is_empty());
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains("203.0.113.9".parse().unwrap()));
        assert!(c.contains("::ffff:203.0.113.9".parse().unwrap()));
        assert!(!c.contains("127.0.0.1".parse().unwrap()));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Cidr::parse("10.0.0.1")
                .unwrap()
                .contains("10.0.0.1".parse().unwrap())
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0.0/",
            "nope/8",
            "::/129",
            "1.2.3.4/-1",
            "1.2.3.4/0x",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
