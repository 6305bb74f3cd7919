// "What to do next" for each error class (the README's Errors section). Plain text.
import { ms } from "./dom.js";

export function adviceFor(err, { settings, isPost }) {
  const name = err?.name ?? "Error";
  const code = err?.code ?? null;
  const key = err?.idempotencyKey;
  const sameKey = isPost && key ? " Retrying later with the same Idempotency-Key is safe: the server will not create or charge twice." : "";
  const support = err?.requestId ? ` Quote request id ${err.requestId} to support.` : "";
  switch (name) {
    case "RateLimitError":
      if (code === "anomaly_paused") {
        return "The spending-anomaly detector paused your org for 30 minutes (spend above 10× the usual hourly rate). " +
          "Don't retry in a loop: look for a leaked key or a runaway loop. Only support can lift the pause early." + support;
      }
      if (err.retryAfterMs !== null && err.retryAfterMs !== undefined && err.retryAfterMs > settings.maxRetryAfterMs) {
        return `The server asked for a wait of ${ms(err.retryAfterMs)}, longer than maxRetryAfterMs (${ms(settings.maxRetryAfterMs)}), ` +
          "so the client failed at once instead of freezing your UI. Tell the user when to try again (now + retryAfterMs), " +
          "or raise maxRetryAfterMs if waiting that long is acceptable." + sameKey;
      }
      return "Still rate-limited after the client's retries. Slow down (the X-RateLimit-* headers say how much budget is left) and retry after retryAfterMs." + sameKey;
    case "QuotaExceededError":
      return "Your org reached its monthly spending cap. Retrying will not help until the cap is raised or the next month starts; send the user to billing.";
    case "InsufficientCreditsError":
      return "The wallet balance is below this job's reservation. Top up the wallet, then retry." + sameKey;
    case "ProviderUnavailableError":
      return `The model provider is down; the client already made ${err.attempts} attempt(s) with backoff. Retry later or switch to another model.` + sameKey;
    case "InternalServerError":
      return "A Rimp-side bug. Retry later with backoff and report it." + sameKey + support;
    case "ContentPolicyError":
      return "Moderation rejected the prompt or the output. Change the prompt; retrying the same input will fail again.";
    case "InvalidRequestError":
      if (code === "browser_api_key" || code === "invalid_option") return "Fix the client options (see the message).";
      return `Fix the request${err.param ? `: the field at fault is "${err.param}"` : ""}, then send it again. Not retryable as is.`;
    case "AuthenticationError":
      return "The API key is missing, malformed or revoked. Check the key in the settings bar (or your proxy's).";
    case "AuthorizationError":
      return "The key is valid but not allowed to do this (scope, role or IP allowlist).";
    case "NotFoundError":
      return "No such resource for this key's org (resources of another org also read as not found). Check the id.";
    case "ConflictError":
      if (code === "idempotency_key_reuse") return "This Idempotency-Key was already used with a different body. Use a new key for a different request.";
      if (code === "not_cancelable") return "The job already reached a final state; there is nothing to cancel.";
      return "The request conflicts with the resource's current state.";
    case "ConnectionError":
      return "The request never got an HTTP answer: the server is down or unreachable, the connection dropped, or CORS refused it (the browser console says which)." + sameKey;
    case "TimeoutError":
      return `Every attempt ran past timeoutMs (${ms(settings.timeoutMs)}), or a waitFor deadline passed. Raise the timeout or retry later.` + sameKey;
    case "AbortError":
      return "You aborted the call (its AbortSignal fired); the client stopped at once, even mid-wait. If a POST was in flight the server may have done the work." + sameKey;
    case "RimpError":
      if (code === "browser_api_key") {
        return "The client refuses an apiKey in a web page. Use a proxy baseUrl without a key, or (test keys, local mock only) tick dangerouslyAllowBrowser.";
      }
      return "See the message.";
    default:
      return "An unexpected error (not from rimp-client). See the browser console.";
  }
}
