//! URL building: percent-encoding of path segments and query strings.

/// Percent-encodes `s`: RFC 3986 unreserved characters (`A–Z a–z 0–9 - . _ ~`) stay, every
/// other byte becomes `%XX`. Used for a path segment (a `/` is encoded, so an id stays one
/// segment) and for a query name or value (a space is `%20`, which every server reads).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 0x0f] {
                let c = char::from_digit(u32::from(nibble), 16).unwrap_or('0');
                out.push(c.to_ascii_uppercase());
            }
        }
    }
    out
}

/// `base` + `path` + `?query` (pairs already stringified; the order is kept).
pub fn build(base: &str, path: &str, query: &[(String, String)]) -> String {
    let mut url = String::with_capacity(base.len() + path.len() + 16 * query.len());
    url.push_str(base);
    url.push_str(path);
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&percent_encode(k));
        url.push('=');
        url.push_str(&percent_encode(v));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes() {
        assert_eq!(percent_encode("gen_abc-1.~"), "gen_abc-1.~");
        assert_eq!(percent_encode("../x y/é"), "..%2Fx%20y%2F%C3%A9");
        assert_eq!(
            build(
                "https://h",
                "/v1/usage",
                &[
                    ("group_by".into(), "day".into()),
                    ("a&b".into(), "=".into())
                ]
            ),
            "https://h/v1/usage?group_by=day&a%26b=%3D"
        );
        assert_eq!(build("http://h", "/v1/models", &[]), "http://h/v1/models");
    }
}
