//! [`Fields`] over a value `JSON.parse` made in JS: the envelope reader and `waitFor`'s
//! observation read through it, so a body never crosses into wasm memory, only the fields
//! asked for. (Values from `JSON.parse` are plain data: no getters or Proxies can throw here,
//! and the imports are `catch` all the same.)

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use super::options::is_array;
use crate::fields::Fields;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = parseJson, catch)]
    fn parse_json(text: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = jsonText, catch)]
    fn json_text(v: &JsValue) -> Result<JsValue, JsValue>;
}

/// A parsed JSON value held in JS.
pub struct JsFields(pub JsValue);

impl JsFields {
    /// `JSON.parse(text)`; `None` when `text` is not JSON.
    pub fn parse(text: &JsValue) -> Option<JsFields> {
        parse_json(text)
            .ok()
            .filter(|v| !v.is_undefined())
            .map(JsFields)
    }
}

impl Fields for JsFields {
    fn member(&self, key: &str) -> Option<JsFields> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(&self.0, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined())
            .map(JsFields)
    }

    fn text(&self) -> Option<String> {
        json_text(&self.0).ok().and_then(|t| t.as_string())
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && is_array(&self.0) == Ok(false)
    }

    fn is_string(&self) -> bool {
        self.0.is_string()
    }

    fn elements(&self) -> Option<Vec<JsFields>> {
        if is_array(&self.0) != Ok(true) {
            return None;
        }
        Some(Array::from(&self.0).iter().map(JsFields).collect())
    }
}
