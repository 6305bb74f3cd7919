//! The resource methods (`client.images.generate`, `client.generations.get`, …): one exported
//! entry, `RimpCore.call(index, …)`, over the method table of the pure `crate::resources`
//! (`SURFACE`); the JS namespaces are plain objects js/runtime.js builds from that table. Their
//! TypeScript, with the request and response types, is hand-written in `js/resources.d.ts`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::options::{self, Opts};
use super::{Answered, E, Inner, Job, Prepared, RimpClient, call, response_js, stringify};
use crate::error::{Error, ErrorKind};
use crate::resources::{
    Endpoint, Input, Method, SURFACE, Shape, arg_slots, check_answer, check_id, query_name,
    surface_names,
};
use crate::transport::BodyText;

#[wasm_bindgen(js_class = RimpCore)]
impl RimpClient {
    /// Runs entry `index` of the method table (`crate::resources::SURFACE`) with the method's
    /// arguments as the caller passed them; the JS namespaces (`client.images.generate`, …)
    /// call this.
    #[wasm_bindgen(skip_typescript)]
    pub fn call(&self, index: u32, a: JsValue, b: JsValue, c: JsValue) -> Promise {
        let Some((_, _, method)) = usize::try_from(index).ok().and_then(|i| SURFACE.get(i)) else {
            let e: E = Error::new(ErrorKind::Client, "no such method");
            return Promise::reject(&super::errors::to_js(&e));
        };
        let args = [a, b, c];
        let pick = |slot: Option<usize>| {
            slot.and_then(|i| args.get(i).cloned())
                .unwrap_or(JsValue::UNDEFINED)
        };
        let (first, second, options) = arg_slots(*method);
        let job = match *method {
            Method::Send(ep) => Job::Send(ep),
            Method::Wait(kind) => Job::Wait(kind),
            Method::Unwrap => Job::Unwrap,
        };
        call(
            &self.inner,
            job,
            pick(first),
            pick(second),
            pick(Some(options)),
        )
    }
}

/// The method table's `namespace.method` names, comma-separated, in order: the JS side builds
/// `client.images`, `client.generations`, … from it.
#[wasm_bindgen(js_name = surface)]
pub fn surface() -> String {
    surface_names()
}

impl Inner {
    /// One resource call: sends, and resolves to the parsed body (or the `RimpResponse` with
    /// `withResponse: true`).
    pub(super) async fn resource(
        &self,
        ep: Endpoint,
        id: JsValue,
        input: JsValue,
        options: JsValue,
    ) -> Result<JsValue, E> {
        let (p, with_response) = self.prepare_resource(ep, &id, input, options)?;
        let ok = self.run(&p).await?;
        let data = ok.response.body.parse();
        check_answer(
            ep,
            shape(&data),
            ok.response.status,
            ok.response.body.text(),
            ok.response.headers.request_id(),
        )
        .map_err(|mut e: E| {
            e.attempts = ok.attempts;
            e.idempotency_key.clone_from(&ok.idempotency_key);
            e
        })?;
        Ok(result_js(&ok, data, with_response))
    }

    /// Checks the id, the params and the options (nothing is sent if any is wrong) and builds
    /// the call. Synchronous, so none of it is held across the `await`.
    fn prepare_resource(
        &self,
        ep: Endpoint,
        id: &JsValue,
        input: JsValue,
        options: JsValue,
    ) -> Result<(Prepared, bool), E> {
        let id = if ep.takes_id() {
            read_id(id)?
        } else {
            String::new()
        };
        let (query, body) = match ep.input() {
            Input::None => (Vec::new(), None),
            Input::Body => (Vec::new(), Some(params_json(&input)?)),
            Input::Query => {
                let mut pairs = options::query_pairs(input)?;
                for (name, _) in &mut pairs {
                    *name = query_name(name).to_owned();
                }
                (pairs, None)
            }
        };
        let o = Opts::new(options, "options")?;
        let call = options::call_options(&o, crate::config::RESOURCE_OPTIONS)?;
        let with_response = with_response(&o)?;
        let p = self.prepare(ep.method(), &ep.path(&id), &query, body, call)?;
        Ok((p, with_response))
    }
}

/// The shape of a parsed 2xx body (see `crate::resources::check_answer`).
fn shape(data: &JsValue) -> Shape {
    if data.is_null() {
        Shape::Empty
    } else if data.is_object() && options::is_array(data) == Ok(false) {
        Shape::Object
    } else {
        Shape::Other
    }
}

/// A path id: a non-empty string (see `crate::resources::check_id`).
pub(super) fn read_id(id: &JsValue) -> Result<String, E> {
    let s = id.as_string();
    check_id(s.as_deref()).map(str::to_owned)
}

/// `withResponse: true` asks for the `RimpResponse` instead of the body.
pub(super) fn with_response(o: &Opts) -> Result<bool, E> {
    Ok(o.boolean("withResponse")?.unwrap_or(false))
}

/// What a resource call resolves to.
pub(super) fn result_js(ok: &Answered, data: JsValue, with_response: bool) -> JsValue {
    if with_response {
        response_js(ok, data)
    } else {
        data
    }
}

/// The JSON body of `params`, which must be a plain object (an object literal, or one with a
/// null prototype, from any realm): an array, a `Map` or a class instance would be sent as
/// something other than what the caller sees.
fn params_json(params: &JsValue) -> Result<JsValue, E> {
    if !options::is_plain_object(params) {
        return Err(Error::invalid_option(
            "params",
            "params must be a plain object (an object literal of the request's fields)",
        ));
    }
    stringify(params, "params")
}
