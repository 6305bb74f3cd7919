

/** Options for `new RimpClient(options)`. */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer <apiKey>`. Omit when `baseUrl` is your own proxy that adds it.
   *  In a browser page the constructor refuses a key unless `dangerouslyAllowBrowser` is true. */
  apiKey?: string | undefined;
  /** @default "https://api.rimp.io" */
  baseUrl?: string | undefined;
  /** Retries after the first attempt (0–20). @default 3 (at most 4 attempts) */
  maxRetries?: number | undefined;
  /** First backoff step; the wait after failed attempt i is `min(maxRetryDelayMs, retryDelayMs·2^i + U[0, retryDelayMs/2))`. @default 1000 */
  retryDelayMs?: number | undefined;
  /** Backoff cap. @default 30000 */
  maxRetryDelayMs?: number | undefined;
  /** A server-requested wait (`Retry-After`, `X-RateLimit-Reset`) above this is not slept: the call
   *  fails at once with a `RateLimitError` carrying `retryAfterMs`. @default 60000 */
  maxRetryAfterMs?: number | undefined;
  /** Per-attempt timeout, covering the response body. @default 60000 */
  timeoutMs?: number | undefined;
  /** The `fetch` to use. @default globalThis.fetch, looked up at call time */
  fetch?: ((input: string, init: RimpFetchInit) => Promise<FetchResponse>) | undefined;
  /** Passed to every `fetch` (e.g. `credentials: "include"` for a cookie-authenticated proxy,
   *  `keepalive`, `priority`, `cache`, `mode`). The client's own `method`, `headers`, `body` and
   *  `signal` always win. */
  fetchOptions?: FetchOptions | undefined;
  /** Allow an `apiKey` over plain `http://` to a host that is not loopback (the key would travel
   *  in clear text). Without it the constructor throws `InvalidRequestError` code
   *  `insecure_base_url`. @default false */
  allowInsecureHttp?: boolean | undefined;
  /** A retry budget shared by every client of the same `baseUrl` in this JS realm: a token
   *  bucket that retries spend and successes refill. When it is empty, failures are returned
   *  without retrying (`retryBudgetExhausted: true` on the error), so an outage costs about one
   *  attempt per call instead of four. `false` turns it off.
   *  @default { capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1 } */
  retryBudget?: false | RetryBudgetOptions | undefined;
  /** Share what this client learns about its key's rate limit with every other client of the
   *  same `baseUrl` and key in this origin (other tabs, workers; through `BroadcastChannel`, and
   *  `localStorage` for clients created later): when one is told the key is limited until T (a
   *  429 with `Retry-After` or `X-RateLimit-Reset`, or `X-RateLimit-Remaining: 0` / `RateLimit:
   *  …;r=0` with a reset), the others hold new attempts until T instead of sending them (shown
   *  in `onRetry` as `"shared-rate-limit"`; a hold longer than `maxRetryAfterMs` fails at once
   *  with a `RateLimitError`, nothing sent). Only a hash of the base URL and key is used as the
   *  channel's name. @default true in browser pages and workers, false elsewhere (Node) */
  shareRateLimit?: boolean | undefined;
  /** Where log lines go. @default globalThis.console */
  logger?: Logger | undefined;
  /** How much to log: each attempt, wait and retry at `"debug"`; a retry refused because the
   *  retry budget is empty at `"warn"`. Lines never carry a header (so never the key).
   *  @default "warn" */
  logLevel?: "off" | "error" | "warn" | "info" | "debug" | undefined;
  /** Extra headers for every request (each extra non-safelisted header costs a CORS preflight grant). */
  headers?: Record<string, string> | undefined;
  /** Allow `apiKey` in a browser page (anyone who opens the page can read the key). @default false */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** Called before each wait between attempts. Exceptions it throws are ignored. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** The signing secret (`whsec_…`, returned once by `webhooks.create`) that
   *  `webhooks.unwrap` verifies deliveries with, unless the call passes its own `secret`.
   *  Never printed: redacted from errors, absent from `toJSON()`. */
  webhookSecret?: string | undefined;
}

/** A logger such as `console`, pino or winston. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The numbers of a retry budget (whole numbers). */
export interface RetryBudgetOptions {
  /** Tokens when full (1–1000000). @default 500 */
  capacity?: number | undefined;
  /** Tokens a retry spends. @default 5 */
  retryCost?: number | undefined;
  /** Tokens a retry after a per-attempt timeout spends. @default 10 */
  timeoutCost?: number | undefined;
  /** Tokens a success gives back (up to `capacity`). @default 1 */
  successRefund?: number | undefined;
}

// The platform's own types where the environment declares them (DOM, or @types/node), else the
// structural parts the client uses: so the declarations type-check with or without DOM types.
/** The `AbortSignal` of this environment. */
export type AbortSignalLike = typeof globalThis extends { AbortSignal: { prototype: infer S } }
  ? S
  : {
      readonly aborted: boolean;
      readonly reason?: unknown;
      addEventListener(type: "abort", listener: () => void): void;
      removeEventListener(type: "abort", listener: () => void): void;
    };
/** The `Response` of this environment (what a custom `fetch` resolves to). */
export type FetchResponse = typeof globalThis extends { Response: { prototype: infer R } }
  ? R
  : { readonly status: number; readonly headers: { get(name: string): string | null }; text(): Promise<string> };
/** `RequestInit` without the fields the client sets itself. */
export type FetchOptions = typeof globalThis extends { Request: new (input: never, init?: infer I) => unknown }
  ? Omit<NonNullable<I>, "method" | "headers" | "body" | "signal">
  : {
      credentials?: "omit" | "same-origin" | "include";
      keepalive?: boolean;
      priority?: "high" | "low" | "auto";
      cache?: string;
      mode?: string;
      redirect?: string;
      referrer?: string;
      referrerPolicy?: string;
      integrity?: string;
    };

/** What the client passes to `fetch` as its second argument (`fetchOptions` merged in). */
export interface RimpFetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignalLike;
  [option: string]: unknown;
}

/** The last argument of every method. */
export interface CallOptions {
  /** Sent as `Idempotency-Key` on every attempt of a POST (1–200 printable ASCII characters). Default for POST: a fresh UUID v4 per call. Refused on GET. */
  idempotencyKey?: string | undefined;
  /** Aborts the call, including a wait between attempts; rejects with `AbortError` (`cause` = `signal.reason`). */
  signal?: AbortSignalLike | undefined;
  /** Per-attempt timeout for this call. */
  timeoutMs?: number | undefined;
  /** Retries for this call. */
  maxRetries?: number | undefined;
  /** Extra headers for this call (override the client's). */
  headers?: Record<string, string> | undefined;
}

/** Options of `client.request()`. */
export interface RequestOptions extends CallOptions {
  /** Sent as JSON (`JSON.stringify`). Not allowed on GET/HEAD. */
  body?: unknown;
  /** Appended to the path, percent-encoded; `undefined` values are skipped. */
  query?: Record<string, string | number | boolean | null | undefined> | undefined;
}

/** A successful answer and how it was reached. */
export interface RimpResponse<T> {
  /** The parsed JSON body (`null` when empty, the text when not JSON). */
  data: T;
  status: number;
  /** `X-Request-Id` (null when absent or hidden by CORS). */
  requestId: string | null;
  /** The `Idempotency-Key` sent on every attempt (null for GET). */
  idempotencyKey: string | null;
  /** The server sent `Idempotent-Replayed: true`: this is the stored answer of an earlier attempt. */
  replayed: boolean;
  rateLimit: RateLimitInfo | null;
  /** Attempts made, 1-based. */
  attempts: number;
}

/** The `X-RateLimit-*` headers. */
export interface RateLimitInfo {
  limit: number | null;
  remaining: number | null;
  /** When the window resets, epoch milliseconds (the header is epoch seconds). */
  resetAt: number | null;
}

/** Passed to `onRetry` before each wait. */
export interface RetryEvent {
  /** The attempt that failed, 1-based (for a `"shared-rate-limit"` hold: the attempts made so
   *  far, 0 before the first). */
  attempt: number;
  /** The wait before the next attempt. */
  delayMs: number;
  /** Where the wait came from: the client's backoff, the server's `Retry-After` or rate-limit
   *  reset, or a limit another client of the same key learned (`"shared-rate-limit"`: the
   *  attempt is held, nothing was sent). */
  delaySource: "backoff" | "retry-after" | "rate-limit-reset" | "shared-rate-limit";
  error: RimpError;
  idempotencyKey: string | null;
}

/** Fields common to every rimp-client error. */
export interface RimpErrorProps {
  code?: string | null;
  requestId?: string | null;
  idempotencyKey?: string | null;
  attempts?: number;
  retryable?: boolean;
}

/** Fields of an `APIError`. */
export interface APIErrorProps extends RimpErrorProps {
  status?: number | null;
  type?: string | null;
  param?: string | null;
  retryAfterMs?: number | null;
  rateLimit?: RateLimitInfo | null;
  rawBody?: string | null;
}

/** Base of every error rimp-client throws or rejects with. `instanceof` works across copies of the package. */
export declare class RimpError extends Error {
  constructor(message: string, props?: RimpErrorProps, options?: { cause?: unknown });
  /** A machine-readable code: the server's `error.code`, or the client's own (`invalid_option`, `browser_api_key`, `fetch_unavailable`). */
  readonly code: string | null;
  /** `X-Request-Id`, else the envelope's `request_id`: quote it to support. */
  readonly requestId: string | null;
  /** The `Idempotency-Key` sent: retry later with the same key to avoid a duplicate. */
  readonly idempotencyKey: string | null;
  /** Attempts made (0 when refused before sending). */
  readonly attempts: number;
  /** Could a later identical call succeed (the errors page's "Retry?" column)? */
  readonly retryable: boolean;
  /** True when the call failed without its retries because the retry budget was empty. */
  readonly retryBudgetExhausted: boolean;
  /** `JSON.stringify(err)`: `name`, `message` and every field (not `cause` or `stack`). */
  toJSON(): { name: string; message: string; [field: string]: unknown };
}
/** The server answered with a non-2xx status, or the client refused the request before sending (`status` null). */
export declare class APIError extends RimpError {
  constructor(message: string, props?: APIErrorProps, options?: { cause?: unknown });
  readonly status: number | null;
  /** The envelope's `type`. */
  readonly type: string | null;
  /** The field at fault (`invalid_body`), or the refused option. */
  readonly param: string | null;
  /** The wait the server asked for (`Retry-After`, else `X-RateLimit-Reset` − now on a 429). */
  readonly retryAfterMs: number | null;
  readonly rateLimit: RateLimitInfo | null;
  /** The body's first 2048 characters when it was not a JSON error envelope (an API key in it
   *  is replaced with `[redacted]`). */
  readonly rawBody: string | null;
}
/** 400 `invalid_request`, and options refused before sending (`code` `invalid_option`, `idempotency_key_too_long`). */
export declare class InvalidRequestError extends APIError {}
/** 401 `authentication`. */
export declare class AuthenticationError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 403 `authorization`. */
export declare class AuthorizationError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 404 `not_found` (also for resources of another org). */
export declare class NotFoundError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 409 `conflict` (`idempotency_key_reuse`, `not_cancelable`). */
export declare class ConflictError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 402 `insufficient_credits`. */
export declare class InsufficientCreditsError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 429 `rate_limited` (codes `rate_limited`, `anomaly_paused`). */
export declare class RateLimitError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 429 `quota_exceeded`: the monthly cap. */
export declare class QuotaExceededError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 422 `content_policy_blocked`. */
export declare class ContentPolicyError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 502 `provider_unavailable` (and 503/504 without an envelope). */
export declare class ProviderUnavailableError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** 500 `internal` (and other 5xx without an envelope). */
export declare class InternalServerError extends APIError {
  /** Always set: this class only comes from a server's answer. */
  readonly status: number;
}
/** `fetch` rejected (network, DNS, CORS); `cause` is the original error. */
export declare class ConnectionError extends RimpError {}
/** The per-attempt timeout was the last failure, or a `waitFor` deadline passed. */
export declare class TimeoutError extends RimpError {}
/** The caller's signal aborted; `cause` is `signal.reason`. */
export declare class AbortError extends RimpError {}
/** Why `webhooks.unwrap` refused a delivery. */
export type WebhookVerificationCode =
  | "missing_secret"
  | "missing_signature"
  | "malformed_signature"
  | "timestamp_out_of_tolerance"
  | "signature_mismatch"
  | "invalid_payload"
  | "crypto_unavailable";
/** `webhooks.unwrap` refused a delivery: answer it with a 400 and do not act on it. The
 *  message never contains the secret. `crypto_unavailable`: `crypto.subtle` is missing (a
 *  browser page that is not a secure context). */
export declare class WebhookVerificationError extends RimpError {
  readonly code: WebhookVerificationCode;
}
/** True for an error from any copy of rimp-client. */
export declare function isRimpError(value: unknown): value is RimpError;

/** The Rimp API client. */
export declare class RimpClient {
  /** Throws `InvalidRequestError` (code `invalid_option`, `param` set) for a bad option, and a
   *  `RimpError` for an `apiKey` in a browser page without `dangerouslyAllowBrowser`. */
  constructor(options?: ClientOptions);
}
export interface RimpClient {
  /** Sends one request with the client's retry rules. Rejects with a `RimpError` subclass. */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<RimpResponse<T>>;
  /** `{ baseUrl, apiKey: "[redacted]" | null }` */
  toJSON(): { baseUrl: string; apiKey: string | null };
  /** `RimpClient(<baseUrl>)` */
  toString(): string;
}
