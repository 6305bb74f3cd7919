// The calls the forms make, one "plan" per call: what to show (title, code), the first request
// (for the fault panel) and how to run it with a RimpClient. Each step uses the resource methods
// of the client (`client.images.generate(params, { withResponse: true })`, …) exactly as an app
// would, so the page shows the response metadata (attempts, key, request id, rate limit) too.

/** `{ data, status, requestId, … }` from a `withResponse` call, or `{ data }` when a method returned the body. */
export function splitResponse(value) {
  if (value && typeof value === "object" && "data" in value && "attempts" in value && "status" in value) {
    return { data: value.data, meta: value };
  }
  return { data: value, meta: null };
}

const GEN_TERMINAL = new Set(["succeeded", "failed", "canceled"]);
const CMP_TERMINAL = new Set(["succeeded", "partial", "failed"]);

const js = (v) => JSON.stringify(v, null, 2).replace(/\n/g, "\n  ");

/**
 * Builds a plan. `hooks.phase(name)` marks the start of a step in the timeline;
 * `hooks.progress(obj)` reports `waitFor` progress.
 */
export function planCall(endpoint, params, control) {
  switch (endpoint) {
    case "image":
      return {
        title: "images.generate", method: "POST", path: "/v1/images",
        code: `await client.images.generate(${js(params)}, { signal })`,
        run: (client, opts, hooks) => {
          hooks.phase("request", "POST /v1/images");
          return client.images.generate(params, { ...opts, withResponse: true });
        },
      };
    case "video":
      return createAndWait({
        title: control.wait ? "videos.create + generations.waitFor" : "videos.create",
        path: "/v1/videos", params, control, resource: "videos", waiter: "generations", terminal: GEN_TERMINAL,
      });
    case "comparison":
      return createAndWait({
        title: control.wait ? "comparisons.create + comparisons.waitFor" : "comparisons.create",
        path: "/v1/comparisons", params, control, resource: "comparisons", waiter: "comparisons", terminal: CMP_TERMINAL,
      });
    case "chat":
      return {
        title: "chat.create", method: "POST", path: "/v1/chat",
        code: `await client.chat.create(${js(params)}, { signal })`,
        run: (client, opts, hooks) => {
          hooks.phase("request", "POST /v1/chat");
          return client.chat.create(params, { ...opts, withResponse: true });
        },
      };
    case "generation": {
      const id = params.id;
      const path = `/v1/generations/${encodeURIComponent(id)}`;
      if (control.op === "cancel") {
        return {
          title: "generations.cancel", method: "POST", path: `${path}/cancel`,
          code: `await client.generations.cancel(${JSON.stringify(id)}, { signal })`,
          run: (client, opts, hooks) => {
            hooks.phase("request", `POST ${path}/cancel`);
            return client.generations.cancel(id, { ...opts, withResponse: true });
          },
        };
      }
      if (control.op === "wait") {
        return {
          title: "generations.waitFor", method: "GET", path,
          code: `await client.generations.waitFor(${JSON.stringify(id)}, {\n  intervalMs: 500, signal,\n  onProgress: (g) => console.log(g.status),\n})`,
          run: (client, opts, hooks) => {
            hooks.phase("wait", `polling GET ${path}`);
            return client.generations.waitFor(id, { ...opts, intervalMs: 500, onProgress: hooks.progress, withResponse: true });
          },
        };
      }
      return {
        title: "generations.get", method: "GET", path,
        code: `await client.generations.get(${JSON.stringify(id)}, { signal })`,
        run: (client, opts, hooks) => {
          hooks.phase("request", `GET ${path}`);
          return client.generations.get(id, { ...opts, withResponse: true });
        },
      };
    }
    case "usage":
      return {
        title: "usage.get", method: "GET", path: "/v1/usage",
        code: `await client.usage.get(${JSON.stringify(params)}, { signal })`,
        run: (client, opts, hooks) => {
          hooks.phase("request", "GET /v1/usage");
          return client.usage.get(params, { ...opts, withResponse: true });
        },
      };
    case "models":
      return {
        title: "models.list", method: "GET", path: "/v1/models",
        code: "await client.models.list({ signal })",
        run: (client, opts, hooks) => {
          hooks.phase("request", "GET /v1/models");
          return client.models.list({ ...opts, withResponse: true });
        },
      };
    default:
      throw new Error(`unknown endpoint ${endpoint}`);
  }
}

function createAndWait({ title, path, params, control, resource, waiter, terminal }) {
  const wait = Boolean(control.wait);
  const waitOpts = { intervalMs: control.intervalMs, timeoutMs: control.waitTimeoutMs };
  const code = wait
    ? `const job = await client.${resource}.create(${js(params)}, { signal });\n` +
      `const done = await client.${waiter}.waitFor(job.id, {\n  intervalMs: ${waitOpts.intervalMs ?? 500}, timeoutMs: ${waitOpts.timeoutMs ?? 120000}, signal,\n  onProgress: (j) => console.log(j.status),\n});`
    : `await client.${resource}.create(${js(params)}, { signal })`;
  return {
    title, method: "POST", path, code, waits: wait,
    run: async (client, opts, hooks) => {
      hooks.phase("request", `POST ${path}`);
      const created = await client[resource].create(params, { ...opts, withResponse: true });
      const { data: job } = splitResponse(created);
      hooks.created?.(created);
      if (!wait || !job?.id || terminal.has(job.status)) return created;
      hooks.progress(job);
      hooks.phase("wait", `polling GET /v1/${resource === "videos" ? "generations" : "comparisons"}/${job.id}`);
      const { idempotencyKey: _unused, ...pollOpts } = opts;
      return client[waiter].waitFor(job.id, { ...pollOpts, ...waitOpts, onProgress: hooks.progress });
    },
  };
}
