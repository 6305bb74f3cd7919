//! The glue of the shared rate limit (`shareRateLimit`): the handle js/glue.js keeps per
//! channel name, seen by the request loop as a [`SharedLimit`].

use wasm_bindgen::prelude::*;

use crate::engine::SharedLimit;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = shareOpen, catch)]
    fn share_open(name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = shareUntil, catch)]
    fn share_until(handle: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(js_name = sharePublish, catch)]
    fn share_publish(handle: &JsValue, until: f64) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = isBrowserLike, catch)]
    fn is_browser_like_js() -> Result<bool, JsValue>;
}

/// A browser page or a worker: where sharing is on by default.
pub fn is_browser_like() -> bool {
    is_browser_like_js().unwrap_or(false)
}

/// One channel's handle.
pub struct JsShare(JsValue);

impl JsShare {
    /// Opens (or joins) the channel `name` (`crate::shared_limit::channel_name`).
    pub fn open(name: &str) -> Option<JsShare> {
        share_open(name).ok().map(JsShare)
    }
}

impl SharedLimit for JsShare {
    fn paused_until(&self) -> Option<u64> {
        // Epoch milliseconds: whole numbers far inside f64's exact range.
        share_until(&self.0)
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .map(|v| v as u64)
    }

    fn publish(&self, until_ms: u64) {
        let _ = share_publish(&self.0, until_ms as f64);
    }
}
