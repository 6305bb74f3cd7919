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
