//! The API's resource endpoints as data: each one's method, path and input, and the
//! checks on path ids.
//!
//! The wasm glue exports one method per endpoint (`client.images.generate`, …) and every one of
//! them runs the same code with its [`Endpoint`]; what differs between endpoints lives here.

use crate::error::Error;
use crate::url::encode_segment;

/// What an endpoint takes besides its path id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Nothing (`GET`, `DELETE`, and the cancel `POST`, which the API documents with no body).
    None,
    /// A JSON body: the caller's params object, passed through as given (snake_case).
    Body,
    /// Query parameters (`usage.get`).
    Query,
}

/// One of the 16 endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `images.generate`: `POST /v1/images`
    Images,
    /// `videos.create`: `POST /v1/videos`
    Videos,
    /// `music.create`: `POST /v1/music`
    Music,
    /// `threeD.create`: `POST /v1/three-d`
    ThreeD,
    /// `upscale.create`: `POST /v1/upscale`
    Upscale,
    /// `chat.create`: `POST /v1/chat`
    Chat,
    /// `generations.get`: `GET /v1/generations/{id}`
    GenerationGet,
    /// `generations.cancel`: `POST /v1/generations/{id}/cancel`
    GenerationCancel,
    /// `comparisons.create`: `POST /v1/comparisons`
    ComparisonCreate,
    /// `comparisons.get`: `GET /v1/comparisons/{id}`
    ComparisonGet,
    /// `usage.get`: `GET /v1/usage`
    Usage,
    /// `models.list`: `GET /v1/models`
    Models,
    /// `apiKeys.create`: `POST /v1/api-keys`
    ApiKeyCreate,
    /// `apiKeys.update`: `PATCH /v1/api-keys/{id}`
    ApiKeyUpdate,
    /// `apiKeys.revoke`: `DELETE /v1/api-keys/{id}`
    ApiKeyRevoke,
    /// `webhooks.create`: `POST /v1/webhooks`
    WebhookCreate,
}

impl Endpoint {
    /// Every endpoint, in the order the API reference lists them.
    pub const ALL: [Endpoint; 16] = [
        Endpoint::Images,
        Endpoint::Videos,
        Endpoint::Music,
        Endpoint::ThreeD,
        Endpoint::Upscale,
        Endpoint::Chat,
        Endpoint::ComparisonCreate,
        Endpoint::ComparisonGet,
        Endpoint::GenerationGet,
        Endpoint::GenerationCancel,
        Endpoint::Usage,
        Endpoint::Models,
        Endpoint::ApiKeyCreate,
        Endpoint::ApiKeyRevoke,
        Endpoint::ApiKeyUpdate,
        Endpoint::WebhookCreate,
    ];

    /// Method, the path before the id, and the path after it (`None`: no id).
    fn route(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Endpoint::Images => ("POST", "/v1/images", None),
            Endpoint::Videos => ("POST", "/v1/videos", None),
            Endpoint::Music => ("POST", "/v1/music", None),
            Endpoint::ThreeD => ("POST", "/v1/three-d", None),
            Endpoint::Upscale => ("POST", "/v1/upscale", None),
            Endpoint::Chat => ("POST", "/v1/chat", None),
            Endpoint::GenerationGet => ("GET", "/v1/generations/", Some("")),
            Endpoint::GenerationCancel => ("POST", "/v1/generations/", Some("/cancel")),
            Endpoint::ComparisonCreate => ("POST", "/v1/comparisons", None),
            Endpoint::ComparisonGet => ("GET", "/v1/comparisons/", Some("")),
            Endpoint::Usage => ("GET", "/v1/usage", None),
            Endpoint::Models => ("GET", "/v1/models", None),
            Endpoint::ApiKeyCreate => ("POST", "/v1/api-keys", None),
            Endpoint::ApiKeyUpdate => ("PATCH", "/v1/api-keys/", Some("")),
            Endpoint::ApiKeyRevoke => ("DELETE", "/v1/api-keys/", Some("")),
            Endpoint::WebhookCreate => ("POST", "/v1/webhooks", None),
        }
    }

    /// The HTTP method.
    pub fn method(self) -> &'static str {
        self.route().0
    }

    /// Whether the path holds an id.
    pub fn takes_id(self) -> bool {
        self.route().2.is_some()
    }

    /// What the call sends besides the id.
    pub fn input(self) -> Input {
        match self {
            Endpoint::Images
            | Endpoint::Videos
            | Endpoint::Music
            | Endpoint::ThreeD
            | Endpoint::Upscale
            | Endpoint::Chat
            | Endpoint::ComparisonCreate
            | Endpoint::ApiKeyCreate
            | Endpoint::ApiKeyUpdate
            | Endpoint::WebhookCreate => Input::Body,
            Endpoint::Usage => Input::Query,
            Endpoint::GenerationGet
            | Endpoint::GenerationCancel
            | Endpoint::ComparisonGet
            | Endpoint::Models
            | Endpoint::ApiKeyRevoke => Input::None,
        }
    }

    /// The path, with `id` percent-encoded as one segment (ignored by endpoints without one).
    /// Check the id with [`check_id`] first.
    pub fn path(self, id: &str) -> String {
        let (_, before, after) = self.route();
        match after {
            None => before.to_owned(),
            Some(after) => {
                let mut p = String::from(before);
                p.push_str(&encode_segment(id));
                p.push_str(after);
                p
            }
        }
    }
}

/// Checks a path id: a non-empty string other than `.` and `..`.
///
/// Those two are refused because percent-encoding cannot protect them: URL parsers treat `.`,
/// `..`, `%2e` and `%2e%2e` as dot segments and resolve them away, so
/// `generations.get("..")` would become `GET /v1/`.
///
/// # Errors
/// `InvalidRequestError` code `invalid_option` param `id`.
pub fn check_id<C>(id: Option<&str>) -> Result<&str, Error<C>> {
    match id {
        Some(id) if !id.is_empty() && id != "." && id != ".." => Ok(id),
        _ => Err(Error::invalid_option(
            "id",
            "id must be a non-empty string such as \"gen_abc123\"",
        )),
    }
}

/// The wire name of a query parameter: `groupBy` becomes the API's `group_by`; every other
/// name is sent as given.
pub fn query_name(name: &str) -> &str {
    match name {
        "groupBy" => "group_by",
        other => other,
    }
}

/// What a method of the JS surface does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// One request to an endpoint.
    Send(Endpoint),
    /// `waitFor`: poll a job until it ends.
    Wait(crate::wait::JobKind),
    /// `webhooks.unwrap`: verify a delivery (no request).
    Unwrap,
}

/// Every method of the client's resource namespaces, one line each: the namespace, the method
/// and what it does. The JS `client.images`, `client.generations`, … objects are built from
/// this table (`RimpCore.call(index, …)` runs entry `index`), so a new endpoint is one
/// `Endpoint` route and one line here.
pub const SURFACE: [(&str, &str, Method); 19] = [
    ("images", "generate", Method::Send(Endpoint::Images)),
    ("videos", "create", Method::Send(Endpoint::Videos)),
    ("music", "create", Method::Send(Endpoint::Music)),
    ("threeD", "create", Method::Send(Endpoint::ThreeD)),
    ("upscale", "create", Method::Send(Endpoint::Upscale)),
    ("chat", "create", Method::Send(Endpoint::Chat)),
    ("generations", "get", Method::Send(Endpoint::GenerationGet)),
    (
        "generations",
        "cancel",
        Method::Send(Endpoint::GenerationCancel),
    ),
    (
        "generations",
        "waitFor",
        Method::Wait(crate::wait::JobKind::Generation),
    ),
    (
        "comparisons",
        "create",
        Method::Send(Endpoint::ComparisonCreate),
    ),
    ("comparisons", "get", Method::Send(Endpoint::ComparisonGet)),
    (
        "comparisons",
        "waitFor",
        Method::Wait(crate::wait::JobKind::Comparison),
    ),
    ("usage", "get", Method::Send(Endpoint::Usage)),
    ("models", "list", Method::Send(Endpoint::Models)),
    ("apiKeys", "create", Method::Send(Endpoint::ApiKeyCreate)),
    ("apiKeys", "update", Method::Send(Endpoint::ApiKeyUpdate)),
    ("apiKeys", "revoke", Method::Send(Endpoint::ApiKeyRevoke)),
    ("webhooks", "create", Method::Send(Endpoint::WebhookCreate)),
    ("webhooks", "unwrap", Method::Unwrap),
];

/// Where a method's arguments go: the position of its first value (the id, or the payload),
/// of its second (params, query, or headers), and of its options. `images.generate(params,
/// options)` is `(None, Some(0), 1)`; `apiKeys.update(id, params, options)` is
/// `(Some(0), Some(1), 2)`.
pub fn arg_slots(method: Method) -> (Option<usize>, Option<usize>, usize) {
    match method {
        Method::Unwrap => (Some(0), Some(1), 2),
        Method::Wait(_) => (Some(0), None, 1),
        Method::Send(ep) => match (ep.takes_id(), ep.input()) {
            (true, Input::Body) => (Some(0), Some(1), 2),
            (true, _) => (Some(0), None, 1),
            (false, Input::Body | Input::Query) => (None, Some(0), 1),
            (false, Input::None) => (None, None, 0),
        },
    }
}

/// The surface as the JS side reads it: `namespace.method` names, comma-separated, in table
/// order (the index of a name is its entry).
pub fn surface_names() -> String {
    let mut out = String::new();
    for (i, (ns, method, _)) in SURFACE.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(ns);
        out.push('.');
        out.push_str(method);
    }
    out
}
