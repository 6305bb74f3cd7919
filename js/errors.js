// The error classes of rimp-client. One standalone ES module (wasm-bindgen
// snippets cannot import anything); Rust builds every instance through `makeError`.
//
// `instanceof` must keep working when two copies of the package are loaded (two bundles, an
// iframe, a duplicated dependency): every instance carries the names of its class lineage under
// a `Symbol.for` key, and each class answers `instanceof` from that brand.

const LINEAGE = Symbol.for("rimp-client.error.lineage");

// The rimp-client classes a constructor descends from (a user's own subclass has no `rimpName`
// of its own and is skipped, so `new (class extends RateLimitError {})()` is a RateLimitError).
function lineageOf(ctor) {
  const names = [];
  for (let c = ctor; c && c !== Error && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.prototype.hasOwnProperty.call(c, "rimpName")) names.push(c.rimpName);
  }
  return names;
}

function orNull(v) {
  return v === undefined ? null : v;
}

/** Base of every error rimp-client throws or rejects with. */
export class RimpError extends Error {
  static rimpName = "RimpError";

  static [Symbol.hasInstance](value) {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
    const lineage = value[LINEAGE];
    // A rimp-client class (from any copy of the package) answers from the brand; a user's own
    // subclass, or a value without the brand, gets the ordinary prototype-chain check.
    if (Array.isArray(lineage) && Object.prototype.hasOwnProperty.call(this, "rimpName")
      && lineage.includes(this.rimpName)) {
      return true;
    }
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  constructor(message, props = {}, options = undefined) {
    super(message, options);
    Object.defineProperty(this, LINEAGE, { value: lineageOf(new.target) });
    this.code = orNull(props.code);
    this.requestId = orNull(props.requestId);
    this.idempotencyKey = orNull(props.idempotencyKey);
    this.attempts = props.attempts ?? 0;
    this.retryable = props.retryable ?? false;
    this.retryBudgetExhausted = props.retryBudgetExhausted ?? false;
  }

  /**
   * What `JSON.stringify(err)` gives: `name` and `message` (an `Error`'s own are not
   * enumerable, so JSON loggers would drop them) with every field of the error. The `cause`
   * is left out: it may be any value, even one that cannot be serialised.
   */
  toJSON() {
    const out = { name: this.name, message: this.message };
    for (const key of Object.keys(this)) out[key] = this[key];
    return out;
  }
}

/** The server answered with a non-2xx status (or the client refused an invalid request). */
export class APIError extends RimpError {
  static rimpName = "APIError";
  constructor(message, props = {}, options = undefined) {
    super(message, props, options);
    this.status = orNull(props.status);
    this.type = orNull(props.type);
    this.param = orNull(props.param);
    this.retryAfterMs = orNull(props.retryAfterMs);
    this.rateLimit = orNull(props.rateLimit);
    this.rawBody = orNull(props.rawBody);
  }
}

export class InvalidRequestError extends APIError { static rimpName = "InvalidRequestError"; }
export class AuthenticationError extends APIError { static rimpName = "AuthenticationError"; }
export class AuthorizationError extends APIError { static rimpName = "AuthorizationError"; }
export class NotFoundError extends APIError { static rimpName = "NotFoundError"; }
export class ConflictError extends APIError { static rimpName = "ConflictError"; }
export class InsufficientCreditsError extends APIError { static rimpName = "InsufficientCreditsError"; }
export class RateLimitError extends APIError { static rimpName = "RateLimitError"; }
export class QuotaExceededError extends APIError { static rimpName = "QuotaExceededError"; }
export class ContentPolicyError extends APIError { static rimpName = "ContentPolicyError"; }
export class ProviderUnavailableError extends APIError { static rimpName = "ProviderUnavailableError"; }
export class InternalServerError extends APIError { static rimpName = "InternalServerError"; }
/** `fetch` rejected: network down, DNS, or a CORS refusal. `cause` is the original error. */
export class ConnectionError extends RimpError { static rimpName = "ConnectionError"; }
/** The per-attempt timeout was the last failure, or a `waitFor` deadline passed. */
export class TimeoutError extends RimpError { static rimpName = "TimeoutError"; }
/** The caller's signal aborted; `cause` is `signal.reason`. */
export class AbortError extends RimpError { static rimpName = "AbortError"; }
/** `webhooks.unwrap` refused a delivery; `code` says why (`signature_mismatch`, …). */
export class WebhookVerificationError extends RimpError { static rimpName = "WebhookVerificationError"; }

const CLASSES = {
  RimpError, APIError, InvalidRequestError, AuthenticationError, AuthorizationError, NotFoundError,
  ConflictError, InsufficientCreditsError, RateLimitError, QuotaExceededError, ContentPolicyError,
  ProviderUnavailableError, InternalServerError, ConnectionError, TimeoutError, AbortError,
  WebhookVerificationError,
};

// `name` lives on each prototype (not enumerable, survives minifiers renaming classes).
for (const [name, cls] of Object.entries(CLASSES)) {
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
}

/** Every class by name (used by the glue and the test suites; not part of the public entry). */
export function errorClasses() {
  return CLASSES;
}

/** True for an error from any copy of rimp-client. */
export function isRimpError(value) {
  return value instanceof RimpError;
}

/** Used by the wasm glue: builds an instance of the class named `className`. */
export function makeError(className, message, props, hasCause, cause) {
  const cls = CLASSES[className] ?? RimpError;
  const err = hasCause ? new cls(message, props, { cause }) : new cls(message, props);
  // Start the stack at the caller, not at this factory (V8; elsewhere the frame stays).
  if (typeof Error.captureStackTrace === "function") Error.captureStackTrace(err, makeError);
  return err;
}
