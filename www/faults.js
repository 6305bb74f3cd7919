// The fault panel: what each fault does to rimp-mock, and the control-API calls that arm and
// disarm it. The control API (`/__mock/*`) is CORS-enabled and needs no key; see mock/README.md.
//
// A fault applies to the *next call* only: `arm()` scripts the mock just before the call is sent
// (a fault rule for the call's first request, or an org/config switch), and `disarm()` removes
// what is left of it when the call has settled.

const envelope = (type, code, message) => ({ error: { type, code, message } });

/**
 * Every fault the panel offers. `kind` is how it is applied:
 *  - "rule": a `POST /__mock/faults` rule on the call's first request (method + exact path);
 *  - "org":  a `POST /__mock/config` change for the key's org, undone afterwards;
 *  - "config": a server-wide `POST /__mock/config` change, undone afterwards;
 *  - "webhook": a `POST /__mock/webhooks/faults` signature fault on the next webhook delivery
 *    attempt (of any event). It stays armed until a delivery uses it, so it is not undone.
 * `shareRateLimit: false` makes that call's client keep what it learns to itself.
 */
export const FAULTS = [
  { id: "none", label: "No fault", detail: "The call goes straight through." },
  {
    id: "502x2", label: "502 twice, then success",
    detail: "Two 502 provider_unavailable answers; the client backs off and retries with the same Idempotency-Key.",
    expect: "2 failed attempts, then success",
    kind: "rule", count: 2,
    action: () => ({
      type: "respond", status: 502,
      body: envelope("provider_unavailable", "provider_unavailable", "The upstream model provider is unavailable (rimp-mock fault)."),
    }),
  },
  {
    id: "429-short", label: "429 with Retry-After: 2",
    detail: "A rate_limited answer asking for a 2 s wait: shorter than maxRetryAfterMs, so the client waits exactly that and retries.",
    kind: "rule", count: 1,
    action: () => ({
      type: "respond", status: 429, headers: { "Retry-After": "2", "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0" },
      body: envelope("rate_limited", "rate_limited", "Rate limit exceeded for this API key (300 rpm)"),
    }),
  },
  {
    id: "429-reset", label: "429 with only X-RateLimit-Reset",
    detail: "No Retry-After, but X-RateLimit-Reset (epoch seconds) 3 s ahead: the client waits until the window resets.",
    kind: "rule", count: 1,
    action: () => ({
      type: "respond", status: 429,
      headers: { "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Math.ceil(Date.now() / 1000) + 3) },
      body: envelope("rate_limited", "rate_limited", "Rate limit exceeded for this API key (300 rpm)"),
    }),
  },
  {
    id: "429-5", label: "Next call: 429 Retry-After: 5 (try with two tabs)",
    detail: "A rate_limited answer asking for a 5 s wait. This call waits 5 s and retries; the client also tells every other tab of this page (same base URL and key) through a BroadcastChannel, so a call sent there within those 5 s holds until then (a wait from \"shared rate limit\") instead of earning its own 429.",
    kind: "rule", count: 1,
    action: () => ({
      type: "respond", status: 429, headers: { "Retry-After": "5", "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0" },
      body: envelope("rate_limited", "rate_limited", "Rate limit exceeded for this API key (300 rpm)"),
    }),
  },
  {
    id: "429-long", label: "429 with Retry-After: 3600",
    detail: "A one-hour wait is above maxRetryAfterMs: the client does not sleep, it fails at once with RateLimitError.retryAfterMs. (This call runs with shareRateLimit: false: shared, the hour would hold every later call of the page, and of its other tabs.)",
    kind: "rule", count: 1, shareRateLimit: false,
    action: () => ({
      type: "respond", status: 429, headers: { "Retry-After": "3600", "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0" },
      body: envelope("rate_limited", "rate_limited", "Rate limit exceeded for this API key (300 rpm)"),
    }),
  },
  {
    id: "anomaly", label: "anomaly_paused",
    detail: "The spending-anomaly detector pauses the org (429, Retry-After: 1800). Not retried.",
    kind: "org", set: { anomaly_pause: true }, restore: () => ({ anomaly_pause: false }),
  },
  {
    id: "quota", label: "quota_exceeded",
    detail: "The org has used its monthly spending cap (429 quota_exceeded). Not retried.",
    kind: "org", set: { monthly_quota_remaining: 0 }, restore: (org) => ({ monthly_quota_remaining: org?.monthly_quota_remaining ?? null }),
  },
  {
    id: "credits", label: "Insufficient credits",
    detail: "The wallet balance is 0, below the reservation (402 insufficient_credits). Not retried.",
    kind: "org", set: { balance: 0 }, restore: (org) => ({ balance: org?.balance ?? 1_000_000 }),
  },
  {
    id: "drop-after", label: "Connection dropped after the work",
    detail: "The mock does the work, charges, then drops the connection. The client retries with the same key and gets the stored answer (replayed): one generation, one charge.",
    kind: "rule", count: 1, action: () => ({ type: "drop_after" }),
  },
  {
    id: "slow", label: "Slow response past the timeout",
    detail: "The first attempt is held 1.5 s longer than timeoutMs. The client times out, then retries (a POST only because it carries an Idempotency-Key). Set maxRetries to 0 to see TimeoutError.",
    kind: "rule", count: 1, action: (settings) => ({ type: "delay", ms: Math.min(600_000, settings.timeoutMs + 1500) }),
  },
  {
    id: "webhook-bad-signature", label: "Next webhook: bad signature",
    detail: "rimp-mock signs the next webhook delivery attempt with the wrong key: the demo server's webhooks.unwrap rejects it (signature_mismatch, answered 400), the mock retries with a good signature, which is accepted. Needs the Webhooks switch on; send a call that ends a job (an image, a video).",
    kind: "webhook", action: () => ({ type: "bad_signature" }),
  },
  {
    id: "webhook-old-timestamp", label: "Next webhook: old timestamp",
    detail: "rimp-mock stamps the next webhook delivery attempt 10 minutes ago (validly signed): unwrap rejects it as timestamp_out_of_tolerance (default 300 s), then accepts the retry. Needs the Webhooks switch on.",
    kind: "webhook", action: () => ({ type: "old_timestamp", age_s: 600 }),
  },
];

/** Combines with any fault above (or none). */
export const HIDE_HEADERS =
  {
    id: "hidden-cors", label: "Hidden CORS headers",
    detail: "The mock stops sending Access-Control-Expose-Headers: X-Request-Id, Retry-After, X-RateLimit-* and Idempotent-Replayed read as null in the page.",
    kind: "config", set: { expose_headers: false }, restore: (cfg) => ({ expose_headers: cfg?.expose_headers ?? true }),
  };

export function faultById(id) {
  return FAULTS.find((f) => f.id === id) ?? FAULTS[0];
}

/** The org an `sk_test_<org>_…` / `sk_live_<org>_…` key belongs to in rimp-mock. */
export function orgOfKey(key) {
  const m = /^sk_(?:test|live)_([A-Za-z0-9-]+)/.exec(key ?? "");
  return m ? m[1] : null;
}

/** A small client for rimp-mock's control API at `base` (the API base URL). */
export class MockControl {
  constructor(base) {
    this.base = base.replace(/\/+$/, "");
  }

  async #send(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(`${this.base}/__mock${path}`, init);
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const msg = data?.error?.message ?? `HTTP ${res.status}`;
      throw new Error(`rimp-mock control ${method} ${path}: ${msg}`);
    }
    return data;
  }

  /** `{ name, version, time_scale }` when `base` is a rimp-mock, else null. */
  async info() {
    try {
      const data = await this.#send("GET", "");
      return data?.name === "rimp-mock" ? data : null;
    } catch {
      return null;
    }
  }

  ledger() { return this.#send("GET", "/ledger"); }
  /** The mock's request log (every request it received, with its outcome). */
  requests() { return this.#send("GET", "/requests"); }
  reset() { return this.#send("POST", "/reset"); }
  /** Every registered webhook of every org, with its secret (a mock extension). */
  webhooks() { return this.#send("GET", "/webhooks"); }

  /**
   * Applies `fault` to the next call, whose first request is `method path`, for the key's org.
   * Returns a disarm function that undoes what is left of it.
   */
  async arm(fault, { method, path, apiKey, settings }) {
    if (!fault || fault.kind === undefined) return async () => {};
    if (fault.kind === "webhook") {
      await this.#send("POST", "/webhooks/faults", { event: "*", count: 1, action: fault.action(settings) });
      return async () => {};   // used up by the next delivery attempt, whenever the job ends
    }
    if (fault.kind === "rule") {
      const { id } = await this.#send("POST", "/faults", { method, path, count: fault.count, action: fault.action(settings) });
      return async () => {
        const left = await this.#send("GET", "/faults");
        if (Array.isArray(left) && left.some((f) => f.id === id)) await this.#send("DELETE", `/faults/${encodeURIComponent(id)}`);
      };
    }
    if (fault.kind === "org") {
      const org = orgOfKey(apiKey);
      if (!org) throw new Error("This fault needs an sk_test_<org>_… key: it switches the key's org in rimp-mock.");
      const before = (await this.#send("GET", `/config?org=${encodeURIComponent(org)}`))?.org;
      await this.#send("POST", "/config", { org, ...fault.set });
      return async () => { await this.#send("POST", "/config", { org, ...fault.restore(before) }); };
    }
    const before = await this.#send("GET", "/config");
    await this.#send("POST", "/config", fault.set);
    return async () => { await this.#send("POST", "/config", fault.restore(before)); };
  }
}
