//! The API's resource endpoints as data: each one's method, path and input, and the
//! checks on path ids.
//!
//! The wasm glue exports one method per endpoint (`client.images.generate`, …) and every one of
//! them runs the same code with its [`Endpoint`]; what differs between endpoints lives here.
//! A new endpoint is one line of the `endpoints!` table below.

use crate::error::Error;
use crate::url::percent_encode;
use crate::wait::JobKind;

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

/// Declares the endpoint table: one line per endpoint, and from those lines the [`Endpoint`]
/// enum (one documented variant per line), [`Endpoint::ALL`], the route and input of each
/// variant, and [`SURFACE`].
///
/// A line is `Variant => (namespace, method, HTTP method, path, Input)`. A path with an id is
/// written `"/v1/things/" + id + "/rest"` (`+ ""` when nothing follows the id). A line may end
/// in `then (namespace, method, Method::…)`: a surface method that sends no request of its own
/// (`waitFor`, `webhooks.unwrap`), placed in [`SURFACE`] right after the line's own entry.
macro_rules! endpoints {
    ($(
        $variant:ident => (
            $ns:literal, $name:literal, $http:literal,
            $path:literal $(+ id + $after:literal)?, $input:ident
        ) $(then $extra:expr)?
    ),* $(,)?) => {
        /// One of the API's endpoints.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Endpoint {
            $(
                #[doc = concat!(
                    "`", $ns, ".", $name, "`: `", $http, " ", $path $(, "{id}", $after)?, "`"
                )]
                $variant,
            )*
        }

        impl Endpoint {
            /// Every endpoint, in table order (the order of [`SURFACE`]).
            pub const ALL: [Endpoint; [$(Endpoint::$variant),*].len()] =
                [$(Endpoint::$variant),*];

            /// Method, the path before the id, and the path after it (`None`: no id).
            fn route(self) -> (&'static str, &'static str, Option<&'static str>) {
                match self {
                    $(Endpoint::$variant => ($http, $path, endpoints!(@after $($after)?)),)*
                }
            }

            /// What the call sends besides the id.
            pub fn input(self) -> Input {
                match self {
                    $(Endpoint::$variant => Input::$input,)*
                }
            }
        }

        /// Every method of the client's resource namespaces: the namespace, the method and
        /// what it does. The JS `client.images`, `client.generations`, … objects are built from
        /// this table (`RimpCore.call(index, …)` runs entry `index`).
        pub const SURFACE: &[(&str, &str, Method)] = &[
            $(($ns, $name, Method::Send(Endpoint::$variant)), $($extra,)?)*
        ];
    };
    (@after) => { None };
    (@after $after:literal) => { Some($after) };
}

endpoints! {
    Images => ("images", "generate", "POST", "/v1/images", Body),
    Videos => ("videos", "create", "POST", "/v1/videos", Body),
    Music => ("music", "create", "POST", "/v1/music", Body),
    ThreeD => ("threeD", "create", "POST", "/v1/three-d", Body),
    Upscale => ("upscale", "create", "POST", "/v1/upscale", Body),
    Chat => ("chat", "create", "POST", "/v1/chat", Body),
    GenerationGet => ("generations", "get", "GET", "/v1/generations/" + id + "", None),
    GenerationCancel => ("generations", "cancel", "POST", "/v1/generations/" + id + "/cancel", None)
        then ("generations", "waitFor", Method::Wait(JobKind::Generation)),
    ComparisonCreate => ("comparisons", "create", "POST", "/v1/comparisons", Body),
    ComparisonGet => ("comparisons", "get", "GET", "/v1/comparisons/" + id + "", None)
        then ("comparisons", "waitFor", Method::Wait(JobKind::Comparison)),
    Usage => ("usage", "get", "GET", "/v1/usage", Query),
    Models => ("models", "list", "GET", "/v1/models", None),
    ApiKeyCreate => ("apiKeys", "create", "POST", "/v1/api-keys", Body),
    ApiKeyUpdate => ("apiKeys", "update", "PATCH", "/v1/api-keys/" + id + "", Body),
    ApiKeyRevoke => ("apiKeys", "revoke", "DELETE", "/v1/api-keys/" + id + "", None),
    WebhookCreate => ("webhooks", "create", "POST", "/v1/webhooks", Body)
        then ("webhooks", "unwrap", Method::Unwrap),
}

impl Endpoint {
    /// The HTTP method.
    pub fn method(self) -> &'static str {
        self.route().0
    }

    /// Whether the path holds an id.
    pub fn takes_id(self) -> bool {
        self.route().2.is_some()
    }

    /// The path, with `id` percent-encoded as one segment (ignored by endpoints without one).
    /// Check the id with [`check_id`] first.
    pub fn path(self, id: &str) -> String {
        let (_, before, after) = self.route();
        match after {
            None => before.to_owned(),
            Some(after) => {
                let mut p = String::from(before);
                p.push_str(&percent_encode(id));
                p.push_str(after);
                p
            }
        }
    }
}

/// What a 2xx answer's body is, as the glue found it after `JSON.parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A JSON object (not an array).
    Object,
    /// An empty body (or the JSON literal `null`).
    Empty,
    /// Anything else: text that is not JSON (an HTML page from a proxy), a JSON array, string,
    /// number or boolean.
    Other,
}

impl Endpoint {
    /// Whether a 2xx answer may be empty. Every endpoint documents a JSON object as its answer,
    /// except the two whose success body the API does not show (`generations.cancel`,
    /// `apiKeys.revoke`), which resolve to `null` when it is empty.
    pub fn may_answer_empty(self) -> bool {
        matches!(self, Endpoint::GenerationCancel | Endpoint::ApiKeyRevoke)
    }
}

/// Checks the body of a 2xx answer to `ep`: a resource method resolves to the JSON object the
/// API documents, so anything else (a proxy's HTML page with status 200, an empty body where
/// an object is due) is refused rather than handed on as if it were that object.
///
/// # Errors
/// `APIError` code `invalid_response`, with the answer's `status`, `rawBody` (`raw`, cut to
/// [`crate::envelope::RAW_BODY_LIMIT`] bytes) and `requestId`; not retryable (the request
/// may have been carried out: retry it with the same `idempotencyKey`).
pub fn check_answer<C>(
    ep: Endpoint,
    shape: Shape,
    status: u16,
    raw: &str,
    request_id: Option<String>,
) -> Result<(), Error<C>> {
    match shape {
        Shape::Object => return Ok(()),
        Shape::Empty if ep.may_answer_empty() => return Ok(()),
        Shape::Empty | Shape::Other => {}
    }
    let (method, before, after) = ep.route();
    let mut msg = String::from("the answer to ");
    msg.push_str(method);
    msg.push(' ');
    msg.push_str(before);
    if let Some(after) = after {
        msg.push_str("{id}");
        msg.push_str(after);
    }
    msg.push_str(if shape == Shape::Empty {
        " was empty (or null)"
    } else {
        " is not a JSON object (see rawBody)"
    });
    msg.push_str(
        " although its status is 2xx: a proxy or a gateway, not the Rimp API, may have answered",
    );
    let mut e = Error::new(crate::error::ErrorKind::Api, msg);
    e.code = Some("invalid_response".into());
    e.status = Some(status);
    e.raw_body = Some(crate::envelope::truncate(raw, crate::envelope::RAW_BODY_LIMIT).to_owned());
    e.request_id = request_id;
    Err(e)
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
    Wait(JobKind),
    /// `webhooks.unwrap`: verify a delivery (no request).
    Unwrap,
}

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
