//! Body validation in the style of the zod schemas behind the real API:
//! every failure names the field (`param`, a dotted path such as
//! `messages.0.content`). Unknown fields are ignored, as zod strips them.

use serde_json::{Map, Value};

/// A validation failure: answered as 400 `invalid_body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field, as a dotted path; `None` for the body as a whole.
    pub param: Option<String>,
    /// Human text.
    pub message: String,
}

impl Invalid {
    /// A failure of `param`.
    pub fn field(param: &str, message: impl Into<String>) -> Self {
        Invalid {
            param: Some(param.to_owned()),
            message: message.into(),
        }
    }
}

/// The JSON type name zod uses in its messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn expected(field: &str, want: &str, got: &Value) -> Invalid {
    Invalid::field(
        field,
        format!("Expected {want}, received {}", type_name(got)),
    )
}

/// Why a body could not be read as a JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// No body, or only whitespace: `empty_body`.
    Empty,
    /// Not JSON, or not an object: `invalid_body`.
    Invalid(Invalid),
}

/// Parses a request body that must be a JSON object.
pub fn object(body: &[u8]) -> Result<Map<String, Value>, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Empty);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(BodyError::Invalid(Invalid {
            param: None,
            message: format!("Expected object, received {}", type_name(&other)),
        })),
        Err(e) => Err(BodyError::Invalid(Invalid {
            param: None,
            message: format!("Malformed JSON body: {e}"),
        })),
    }
}

/// A required non-empty string of at most `max` characters.
pub fn req_str(m: &Map<String, Value>, field: &str, max: Option<usize>) -> Result<String, Invalid> {
    match opt_str(m, field, max)? {
        Some(s) if s.is_empty() => Err(Invalid::field(
            field,
            "String must contain at least 1 character(s)",
        )),
        Some(s) => Ok(s),
        None => Err(Invalid::field(field, "Required")),
    }
}

/// An optional string of at most `max` characters.
pub fn opt_str(
    m: &Map<String, Value>,
    field: &str,
    max: Option<usize>,
) -> Result<Option<String>, Invalid> {
    match m.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => {
            if let Some(max) = max
                && s.chars().count() > max
            {
                return Err(Invalid::field(
                    field,
                    format!("String must contain at most {max} character(s)"),
                ));
            }
            Ok(Some(s.clone()))
        }
        Some(other) => Err(expected(field, "string", other)),
    }
}

/// An optional integer in `min..=max`.
pub fn opt_int(
    m: &Map<String, Value>,
    field: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, Invalid> {
    let Some(v) = m.get(field) else {
        return Ok(None);
    };
    let n = match v {
        Value::Number(n) => n,
        other => return Err(expected(field, "number", other)),
    };
    let Some(i) = n.as_i64() else {
        if n.is_u64() {
            return Err(Invalid::field(
                field,
                format!("Number must be less than or equal to {max}"),
            ));
        }
        return Err(Invalid::field(field, "Expected integer, received float"));
    };
    if i < min {
        return Err(Invalid::field(
            field,
            format!("Number must be greater than or equal to {min}"),
        ));
    }
    if i > max {
        return Err(Invalid::field(
            field,
            format!("Number must be less than or equal to {max}"),
        ));
    }
    Ok(Some(i))
}

/// An optional seed: any integer that fits in 64 bits (signed or not).
pub fn opt_seed(m: &Map<String, Value>, field: &str) -> Result<(), Invalid> {
    match m.get(field) {
        None => Ok(()),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
        Some(Value::Number(_)) => Err(Invalid::field(field, "Expected integer, received float")),
        Some(other) => Err(expected(field, "number", other)),
    }
}

/// An optional number in `min..=max`.
pub fn opt_number(
    m: &Map<String, Value>,
    field: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, Invalid> {
    match m.get(field) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x.is_nan() || x < min || x > max {
                Err(Invalid::field(
                    field,
                    format!("Number must be between {min} and {max}"),
                ))
            } else {
                Ok(Some(x))
            }
        }
        Some(other) => Err(expected(field, "number", other)),
    }
}

/// An optional boolean.
pub fn opt_bool(m: &Map<String, Value>, field: &str) -> Result<Option<bool>, Invalid> {
    match m.get(field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(expected(field, "boolean", other)),
    }
}

/// An optional enum. With `numbers_ok`, a JSON number whose text is one of the
/// options is accepted too (the docs type `scale_factor` and `texture_size`
/// as enum<string> of digits; the mock takes `2` and `"2"` alike).
pub fn opt_enum(
    m: &Map<String, Value>,
    field: &str,
    options: &[&str],
    numbers_ok: bool,
) -> Result<Option<String>, Invalid> {
    let text = match m.get(field) {
        None => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if numbers_ok => n.to_string(),
        Some(other) => return Err(expected(field, "string", other)),
    };
    if options.contains(&text.as_str()) {
        Ok(Some(text))
    } else {
        let list = options
            .iter()
            .map(|o| format!("'{o}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        Err(Invalid::field(
            field,
            format!("Invalid enum value. Expected {list}, received '{text}'"),
        ))
    }
}

/// Whether `s` looks like an absolute URI (`scheme:rest`, no whitespace).
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

/// Whether `s` is an `http(s)://host…` URL.
pub fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An optional URI string.
pub fn opt_uri(m: &Map<String, Value>, field: &str) -> Result<Option<String>, Invalid> {
    match opt_str(m, field, None)? {
        Some(s) if !is_uri(&s) => Err(Invalid::field(field, "Invalid url")),
        other => Ok(other),
    }
}

/// An optional object.
pub fn opt_object<'a>(
    m: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, Invalid> {
    match m.get(field) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(expected(field, "object", other)),
    }
}

/// A required array of `min..=max` items.
pub fn req_array<'a>(
    m: &'a Map<String, Value>,
    field: &str,
    min: usize,
    max: usize,
) -> Result<&'a Vec<Value>, Invalid> {
    match m.get(field) {
        None => Err(Invalid::field(field, "Required")),
        Some(Value::Array(a)) => {
            if a.len() < min {
                Err(Invalid::field(
                    field,
                    format!("Array must contain at least {min} element(s)"),
                ))
            } else if a.len() > max {
                Err(Invalid::field(
                    field,
                    format!("Array must contain at most {max} element(s)"),
                ))
            } else {
                Ok(a)
            }
        }
        Some(other) => Err(expected(field, "array", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn body_parsing() {
        assert_eq!(object(b""), Err(BodyError::Empty));
        assert_eq!(object(b" \n "), Err(BodyError::Empty));
        assert!(matches!(object(b"{"), Err(BodyError::Invalid(_))));
        assert!(matches!(object(b"[1]"), Err(BodyError::Invalid(_))));
        assert!(object(b"{\"a\":1}").is_ok());
    }

    #[test]
    fn fields() {
        let m = obj(
            json!({"s": "x", "e": "", "n": 3, "f": 1.5, "b": true, "big": 18446744073709551615u64, "z": null}),
        );
        assert_eq!(req_str(&m, "s", Some(1)).unwrap(), "x");
        assert_eq!(
            req_str(&m, "s", Some(0)).unwrap_err().param.as_deref(),
            Some("s")
        );
        assert!(req_str(&m, "e", None).is_err());
        assert_eq!(
            req_str(&m, "missing", None).unwrap_err().message,
            "Required"
        );
        assert_eq!(
            req_str(&m, "z", None).unwrap_err().message,
            "Expected string, received null"
        );
        assert_eq!(opt_int(&m, "n", 1, 4).unwrap(), Some(3));
        assert!(opt_int(&m, "n", 4, 5).is_err());
        assert!(opt_int(&m, "f", 0, 5).is_err());
        assert!(opt_int(&m, "big", 0, 5).is_err());
        assert!(opt_seed(&m, "big").is_ok() && opt_seed(&m, "f").is_err());
        assert_eq!(opt_number(&m, "f", 0.0, 2.0).unwrap(), Some(1.5));
        assert!(opt_number(&m, "n", 0.0, 2.0).is_err());
        assert_eq!(opt_bool(&m, "b").unwrap(), Some(true));
        assert!(opt_bool(&m, "s").is_err());
        assert_eq!(
            opt_enum(&m, "n", &["2", "3"], true).unwrap(),
            Some("3".into())
        );
        assert!(opt_enum(&m, "n", &["2", "3"], false).is_err());
        assert!(opt_enum(&m, "s", &["a"], false).is_err());
    }

    #[test]
    fn urls() {
        assert!(is_uri("https://x.test/a.png"));
        assert!(is_uri("data:image/png;base64,AAAA"));
        assert!(!is_uri("not a url"));
        assert!(!is_uri("/relative"));
        assert!(!is_uri("1http://x"));
        assert!(is_http_url("https://example.com/hook"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("https://"));
    }
}
