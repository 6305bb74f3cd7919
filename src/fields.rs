//! Reading fields out of a parsed JSON value, whoever parsed it: the error envelope and a
//! polled job's status are read through [`Fields`], which the glue implements over the object
//! `JSON.parse` made in JS (so only the fields cross into wasm memory, never the body) and the
//! native code over [`crate::json::Json`]. One reader, one set of decisions, tested natively.

use crate::json::Json;

/// A parsed JSON value, seen through the few questions the client asks of it.
pub trait Fields: Sized {
    /// The member `key`, when `self` is an object that has it.
    fn member(&self, key: &str) -> Option<Self>;
    /// A string as is, a number as written; `None` for anything else.
    fn text(&self) -> Option<String>;
    /// Whether `self` is an object (not an array, not `null`).
    fn is_object(&self) -> bool;
    /// Whether `self` is a string.
    fn is_string(&self) -> bool;
    /// The elements, when `self` is an array.
    fn elements(&self) -> Option<Vec<Self>>;
}

impl<'a> Fields for &'a Json {
    fn member(&self, key: &str) -> Option<&'a Json> {
        Json::get(self, key)
    }

    fn text(&self) -> Option<String> {
        match self {
            Json::String(s) | Json::Number(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    fn elements(&self) -> Option<Vec<&'a Json>> {
        match self {
            Json::Array(items) => Some(items.iter().collect()),
            _ => None,
        }
    }
}
