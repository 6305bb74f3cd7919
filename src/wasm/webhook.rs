//! `client.webhooks.unwrap(payload, headers, options)`: the I/O around `crate::webhook`.
//!
//! The body never enters wasm memory: js/glue.js keeps it, hands it to Web Crypto for the HMAC
//! and `JSON.parse`s it. Only the `X-Rimp-Signature` header (refused unread when over 8 KiB)
//! and the computed hex cross; `X-Rimp-Delivery` goes from the headers onto the event as a JS
//! value.

use js_sys::{JsString, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::options::{Opts, type_error};
use super::{E, Inner};
use crate::config;
use crate::webhook::{self, Failure};

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// `{ bytes, text }`, or null for a payload of another type.
    #[wasm_bindgen(js_name = webhookBody, catch)]
    fn webhook_body(payload: &JsValue) -> Result<JsValue, JsValue>;
    /// A header's value (a JS string), or null.
    #[wasm_bindgen(js_name = webhookHeader, catch)]
    fn webhook_header(headers: &JsValue, name: &str) -> Result<JsValue, JsValue>;
    /// A promise of the hex HMAC, or null without Web Crypto.
    #[wasm_bindgen(js_name = webhookHmac, catch)]
    fn webhook_hmac(secret: &str, t: &str, body: &JsValue) -> Result<JsValue, JsValue>;
    /// `JSON.parse` of the body.
    #[wasm_bindgen(js_name = webhookParse, catch)]
    fn webhook_parse(body: &JsValue) -> Result<JsValue, JsValue>;
}

/// The signature header as Rust text: `Ok(None)` when absent; a JS string longer than the limit
/// is refused before it is copied into wasm memory.
fn signature_text(v: &JsValue) -> Result<Option<String>, Failure> {
    if !v.is_string() {
        return Ok(None);
    }
    // UTF-16 units never exceed UTF-8 bytes, so a longer string is certainly over the limit.
    let units = v.unchecked_ref::<JsString>().length() as usize;
    if units > webhook::MAX_SIGNATURE_HEADER_BYTES {
        return Err(Failure::MalformedSignature);
    }
    Ok(v.as_string())
}

fn crypto_failure(cause: Option<JsValue>) -> E {
    let mut e: E = Failure::CryptoUnavailable.into();
    e.cause = cause;
    e
}

impl Inner {
    /// Verifies a delivery and resolves to its event (with `deliveryId`). The call's `secret`
    /// is redacted from any error, like the client's (`Inner::redact`).
    pub(super) async fn unwrap_webhook(
        &self,
        payload: JsValue,
        headers: JsValue,
        options: JsValue,
    ) -> Result<JsValue, E> {
        let o = Opts::new(options, "options")?;
        o.known("options", crate::config::UNWRAP_OPTIONS)?;
        let call_secret = o.string("secret")?;
        self.verify_delivery(&o, call_secret.as_deref(), payload, headers)
            .await
            .map_err(|mut e| {
                if let Some(s) = &call_secret {
                    e.redact_secret(s);
                }
                e
            })
    }

    async fn verify_delivery(
        &self,
        o: &Opts,
        call_secret: Option<&str>,
        payload: JsValue,
        headers: JsValue,
    ) -> Result<JsValue, E> {
        if let Some(s) = call_secret {
            config::webhook_secret("secret", s)?;
        }
        let tolerance = o
            .number("toleranceSec")?
            .map(webhook::tolerance_sec)
            .transpose()?
            .unwrap_or(webhook::DEFAULT_TOLERANCE_SEC);
        let body = webhook_body(&payload)
            .ok()
            .filter(|b| !b.is_null())
            .ok_or_else(|| {
                type_error(
                    "payload",
                    "the raw request body as a string, Uint8Array (e.g. a Buffer) or ArrayBuffer, exactly as received",
                )
            })?;
        if !headers.is_object() {
            return Err(type_error(
                "headers",
                "a Headers (e.g. request.headers) or a record of header values (e.g. Node's req.headers)",
            ));
        }
        let unreadable = |_| type_error("headers", "readable (reading them threw)");
        let signature = webhook_header(&headers, "x-rimp-signature").map_err(unreadable)?;
        let delivery = webhook_header(&headers, "x-rimp-delivery").map_err(unreadable)?;

        let secret = webhook::pick_secret(call_secret, self.config.webhook_secret.as_deref())?;
        let header = signature_text(&signature)?;
        let sig = webhook::parse_signature(header.as_deref())?;
        let now = (js_sys::Date::now() / 1000.0).floor();
        // Date.now() is far inside u64 (and never negative on a sane clock).
        let now = if now > 0.0 { now as u64 } else { 0 };
        webhook::check_timestamp(sig.unix, now, tolerance)?;

        let pending = webhook_hmac(secret, sig.timestamp, &body)
            .map_err(|e| crypto_failure(Some(e)))?
            .dyn_into::<Promise>()
            .map_err(|_| crypto_failure(None))?;
        let hex = JsFuture::from(pending)
            .await
            .map_err(|e| crypto_failure(Some(e)))?;
        // 64 characters when Web Crypto works; anything else is refused without copying it.
        let hex = hex
            .as_string()
            .filter(|_| hex.unchecked_ref::<JsString>().length() == 64)
            .ok_or_else(|| crypto_failure(None))?;
        webhook::check_signature(&hex, &sig)?;

        let event = webhook_parse(&body).map_err(|_| Failure::InvalidPayload)?;
        // `event` is fresh `JSON.parse` output (plain data: no getters, no Proxy), so these
        // reads cannot run foreign code.
        let is_event = event.is_object()
            && !js_sys::Array::is_array(&event)
            && Reflect::get(&event, &JsValue::from_str("type")).is_ok_and(|t| t.is_string());
        if !is_event {
            return Err(Failure::InvalidPayload.into());
        }
        let delivery = if delivery.is_string() {
            delivery
        } else {
            JsValue::NULL
        };
        Reflect::set(&event, &JsValue::from_str("deliveryId"), &delivery)
            .map_err(|_| Failure::InvalidPayload)?;
        Ok(event)
    }
}
