// rimp-client without automatic initialisation: call `await init()` (or `initSync({ module })`)
// yourself before `new RimpClient()`. The default entry does this for you.
export * from "./rimp_client.js";
export { default as init } from "./rimp_client.js";
export {
  RimpError, APIError, InvalidRequestError, AuthenticationError, AuthorizationError, NotFoundError,
  ConflictError, InsufficientCreditsError, RateLimitError, QuotaExceededError, ContentPolicyError,
  ProviderUnavailableError, InternalServerError, ConnectionError, TimeoutError, AbortError, isRimpError,
} from "./__SNIPPET_DIR__/js/errors.js";
