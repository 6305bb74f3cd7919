//! The resource namespaces (`client.images`, `client.generations`, …): one small exported class
//! per namespace whose methods are one-line calls into [`Inner::resource`] with their
//! [`Endpoint`] (the endpoint table is the pure `crate::resources`). Their TypeScript, with the
//! request and response types, is hand-written in `js/resources.d.ts`.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::options::{self, Opts};
use super::{Answered, E, Inner, Job, Prepared, RimpClient, call, response_js, stringify};
use crate::error::Error;
use crate::resources::{Endpoint, Input, check_id, query_name};
use crate::wait::JobKind;

/// `client.images`
#[wasm_bindgen(skip_typescript)]
pub struct ImagesResource(Rc<Inner>);
/// `client.videos`
#[wasm_bindgen(skip_typescript)]
pub struct VideosResource(Rc<Inner>);
/// `client.music`
#[wasm_bindgen(skip_typescript)]
pub struct MusicResource(Rc<Inner>);
/// `client.threeD`
#[wasm_bindgen(skip_typescript)]
pub struct ThreeDResource(Rc<Inner>);
/// `client.upscale`
#[wasm_bindgen(skip_typescript)]
pub struct UpscaleResource(Rc<Inner>);
/// `client.chat`
#[wasm_bindgen(skip_typescript)]
pub struct ChatResource(Rc<Inner>);
/// `client.generations`
#[wasm_bindgen(skip_typescript)]
pub struct GenerationsResource(Rc<Inner>);
/// `client.comparisons`
#[wasm_bindgen(skip_typescript)]
pub struct ComparisonsResource(Rc<Inner>);
/// `client.usage`
#[wasm_bindgen(skip_typescript)]
pub struct UsageResource(Rc<Inner>);
/// `client.models`
#[wasm_bindgen(skip_typescript)]
pub struct ModelsResource(Rc<Inner>);
/// `client.apiKeys`
#[wasm_bindgen(skip_typescript)]
pub struct ApiKeysResource(Rc<Inner>);
/// `client.webhooks`
#[wasm_bindgen(skip_typescript)]
pub struct WebhooksResource(Rc<Inner>);

/// The namespace objects of one client, as the JS objects its getters hand out.
pub(crate) struct Namespaces {
    images: JsValue,
    videos: JsValue,
    music: JsValue,
    three_d: JsValue,
    upscale: JsValue,
    chat: JsValue,
    generations: JsValue,
    comparisons: JsValue,
    usage: JsValue,
    models: JsValue,
    api_keys: JsValue,
    webhooks: JsValue,
}

impl Namespaces {
    pub(crate) fn new(inner: &Rc<Inner>) -> Namespaces {
        let rc = || Rc::clone(inner);
        Namespaces {
            images: ImagesResource(rc()).into(),
            videos: VideosResource(rc()).into(),
            music: MusicResource(rc()).into(),
            three_d: ThreeDResource(rc()).into(),
            upscale: UpscaleResource(rc()).into(),
            chat: ChatResource(rc()).into(),
            generations: GenerationsResource(rc()).into(),
            comparisons: ComparisonsResource(rc()).into(),
            usage: UsageResource(rc()).into(),
            models: ModelsResource(rc()).into(),
            api_keys: ApiKeysResource(rc()).into(),
            webhooks: WebhooksResource(rc()).into(),
        }
    }
}

#[wasm_bindgen(js_class = RimpCore)]
impl RimpClient {
    /// `client.images`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn images(&self) -> JsValue {
        self.namespaces.images.clone()
    }
    /// `client.videos`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn videos(&self) -> JsValue {
        self.namespaces.videos.clone()
    }
    /// `client.music`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn music(&self) -> JsValue {
        self.namespaces.music.clone()
    }
    /// `client.threeD`
    #[wasm_bindgen(getter = threeD, skip_typescript)]
    pub fn three_d(&self) -> JsValue {
        self.namespaces.three_d.clone()
    }
    /// `client.upscale`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn upscale(&self) -> JsValue {
        self.namespaces.upscale.clone()
    }
    /// `client.chat`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn chat(&self) -> JsValue {
        self.namespaces.chat.clone()
    }
    /// `client.generations`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn generations(&self) -> JsValue {
        self.namespaces.generations.clone()
    }
    /// `client.comparisons`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn comparisons(&self) -> JsValue {
        self.namespaces.comparisons.clone()
    }
    /// `client.usage`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn usage(&self) -> JsValue {
        self.namespaces.usage.clone()
    }
    /// `client.models`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn models(&self) -> JsValue {
        self.namespaces.models.clone()
    }
    /// `client.apiKeys`
    #[wasm_bindgen(getter = apiKeys, skip_typescript)]
    pub fn api_keys(&self) -> JsValue {
        self.namespaces.api_keys.clone()
    }
    /// `client.webhooks`
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn webhooks(&self) -> JsValue {
        self.namespaces.webhooks.clone()
    }
}

const NONE: JsValue = JsValue::UNDEFINED;

#[wasm_bindgen]
impl ImagesResource {
    /// `POST /v1/images`
    #[wasm_bindgen(skip_typescript)]
    pub fn generate(&self, params: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Images), NONE, params, options)
    }
}

#[wasm_bindgen]
impl VideosResource {
    /// `POST /v1/videos`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Videos), NONE, params, options)
    }
}

#[wasm_bindgen]
impl MusicResource {
    /// `POST /v1/music`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Music), NONE, params, options)
    }
}

#[wasm_bindgen]
impl ThreeDResource {
    /// `POST /v1/three-d`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::ThreeD), NONE, params, options)
    }
}

#[wasm_bindgen]
impl UpscaleResource {
    /// `POST /v1/upscale`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Upscale), NONE, params, options)
    }
}

#[wasm_bindgen]
impl ChatResource {
    /// `POST /v1/chat`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Chat), NONE, params, options)
    }
}

#[wasm_bindgen]
impl GenerationsResource {
    /// `GET /v1/generations/{id}`
    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, id: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::GenerationGet),
            id,
            NONE,
            options,
        )
    }
    /// `POST /v1/generations/{id}/cancel`
    #[wasm_bindgen(skip_typescript)]
    pub fn cancel(&self, id: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::GenerationCancel),
            id,
            NONE,
            options,
        )
    }
    /// Polls `GET /v1/generations/{id}` until the generation is finished.
    #[wasm_bindgen(js_name = waitFor, skip_typescript)]
    pub fn wait_for(&self, id: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Wait(JobKind::Generation), id, NONE, options)
    }
}

#[wasm_bindgen]
impl ComparisonsResource {
    /// `POST /v1/comparisons`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::ComparisonCreate),
            NONE,
            params,
            options,
        )
    }
    /// `GET /v1/comparisons/{id}`
    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, id: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::ComparisonGet),
            id,
            NONE,
            options,
        )
    }
    /// Polls `GET /v1/comparisons/{id}` until the comparison is finished.
    #[wasm_bindgen(js_name = waitFor, skip_typescript)]
    pub fn wait_for(&self, id: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Wait(JobKind::Comparison), id, NONE, options)
    }
}

#[wasm_bindgen]
impl UsageResource {
    /// `GET /v1/usage`
    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, query: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Usage), NONE, query, options)
    }
}

#[wasm_bindgen]
impl ModelsResource {
    /// `GET /v1/models`
    #[wasm_bindgen(skip_typescript)]
    pub fn list(&self, options: JsValue) -> Promise {
        call(&self.0, Job::Send(Endpoint::Models), NONE, NONE, options)
    }
}

#[wasm_bindgen]
impl ApiKeysResource {
    /// `POST /v1/api-keys`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::ApiKeyCreate),
            NONE,
            params,
            options,
        )
    }
    /// `PATCH /v1/api-keys/{id}`
    #[wasm_bindgen(skip_typescript)]
    pub fn update(&self, id: JsValue, params: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::ApiKeyUpdate),
            id,
            params,
            options,
        )
    }
    /// `DELETE /v1/api-keys/{id}`
    #[wasm_bindgen(skip_typescript)]
    pub fn revoke(&self, id: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::ApiKeyRevoke),
            id,
            NONE,
            options,
        )
    }
}

#[wasm_bindgen]
impl WebhooksResource {
    /// `POST /v1/webhooks`
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        call(
            &self.0,
            Job::Send(Endpoint::WebhookCreate),
            NONE,
            params,
            options,
        )
    }
    /// Verifies a delivery's `X-Rimp-Signature` and resolves to its event (no request).
    #[wasm_bindgen(skip_typescript)]
    pub fn unwrap(&self, payload: JsValue, headers: JsValue, options: JsValue) -> Promise {
        call(&self.0, Job::Unwrap, payload, headers, options)
    }
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
        Ok(result_js(&ok, ok.response.body.parse(), with_response))
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
        let call = options::call_options(&o)?;
        let with_response = with_response(&o)?;
        let p = self.prepare(ep.method(), &ep.path(&id), &query, body, call)?;
        Ok((p, with_response))
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
