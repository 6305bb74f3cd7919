// Type-checked (tsc --strict) against the installed package: how a TypeScript user writes
// against rimp-client's core API. Lines marked @ts-expect-error must be errors.
import {
  RimpClient, RimpError, APIError, RateLimitError, QuotaExceededError, AbortError, ConnectionError,
  TimeoutError, InvalidRequestError, isRimpError, init,
  type ClientOptions, type RimpResponse, type RetryEvent, type RateLimitInfo, type CallOptions,
} from "rimp-client";
import { initSync } from "rimp-client/manual";

const options: ClientOptions = {
  baseUrl: "https://my-app.example/rimp",
  maxRetries: 2,
  retryDelayMs: 500,
  maxRetryDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  timeoutMs: 20_000,
  headers: { "X-App": "demo" },
  fetch: (input, init) => globalThis.fetch(input, init),
  onRetry: (e: RetryEvent) => {
    const source: "backoff" | "retry-after" | "rate-limit-reset" | "shared-rate-limit" = e.delaySource;
    const n: number = e.delayMs + e.attempt;
    const err: RimpError = e.error;
    void source; void n; void err;
  },
};
const client = new RimpClient(options);
new RimpClient();

interface Model { id: string }
async function main(): Promise<void> {
  const r: RimpResponse<{ data: Model[] }> = await client.request<{ data: Model[] }>("GET", "/v1/models", {
    query: { limit: 10, flag: true, name: "x", skip: undefined },
  });
  const first: string | undefined = r.data.data[0]?.id;
  const rid: string | null = r.requestId;
  const rl: RateLimitInfo | null = r.rateLimit;
  const key: string | null = r.idempotencyKey;
  const replayed: boolean = r.replayed;
  const attempts: number = r.attempts;
  void first; void rid; void rl; void key; void replayed; void attempts;

  const unknownData = await client.request("POST", "/v1/images", { body: { model: "m", prompt: "p" }, idempotencyKey: "k" });
  // @ts-expect-error data is unknown without a type argument
  unknownData.data.id;

  const call: CallOptions = { signal: AbortSignal.timeout(1000), timeoutMs: 5, maxRetries: 0, headers: {} };
  void call;

  try {
    await client.request("GET", "/v1/models");
  } catch (e) {
    if (e instanceof RateLimitError) {
      const wait: number | null = e.retryAfterMs;
      const status: number | null = e.status;
      const code: string | null = e.code;
      void wait; void status; void code;
    } else if (e instanceof QuotaExceededError || e instanceof InvalidRequestError) {
      const p: string | null = e.param;
      void p;
    } else if (e instanceof APIError) {
      const raw: string | null = e.rawBody;
      void raw;
    } else if (e instanceof AbortError || e instanceof ConnectionError || e instanceof TimeoutError) {
      const cause: unknown = e.cause;
      void cause;
    }
    if (isRimpError(e)) {
      const id: string | null = e.requestId;
      const retryable: boolean = e.retryable;
      void id; void retryable;
    }
  }
  const custom = new RateLimitError("slow down", { status: 429, retryAfterMs: 1000 });
  void custom;
  void init;
  void initSync;
  const json: { baseUrl: string; apiKey: string | null } = client.toJSON();
  void json;
}
void main;

// Misuse the types must catch:
// @ts-expect-error maxRetries is a number
new RimpClient({ maxRetries: "3" });
// @ts-expect-error unknown option
new RimpClient({ retries: 3 });
// @ts-expect-error onRetry takes a RetryEvent
new RimpClient({ onRetry: (e: string) => e });
// @ts-expect-error method is required
client.request();
// @ts-expect-error query values are primitives
client.request("GET", "/v1/usage", { query: { nested: { a: 1 } } });
// @ts-expect-error idempotencyKey is a string
client.request("POST", "/v1/images", { idempotencyKey: 42 });
