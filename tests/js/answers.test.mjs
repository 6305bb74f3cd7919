// 2xx answers that are not what the API documents, against the BUILT package (RIMP_PKG, default
// pkg/): a resource method resolves only to the JSON object its type promises, so a proxy's
// HTML page with status 200 (or an empty body where an object is due) rejects with a typed
// `APIError` (`invalid_response`), sent once, with a bounded `rawBody`; `request()` keeps any
// 2xx body as it is.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const DIAG = Symbol.for("rimp-client.diagnostics");

let pkg;
before(async () => {
  pkg = await import(pathToFileURL(resolve(pkgDir, "index.js")).href);
});

/** A client whose fetch always answers `body` with `status`, counting its calls. */
function answering(body, status = 200, contentType = "text/html") {
  const fetch = async () => {
    fetch.calls += 1;
    // A 204 must have no body at all.
    return new Response(status === 204 ? null : body, { status, headers: { "content-type": contentType, "x-request-id": "req_proxy" } });
  };
  fetch.calls = 0;
  const client = new pkg.RimpClient({ baseUrl: "https://api.test", fetch, retryBudget: false, shareRateLimit: false });
  return { client, fetch };
}

const rejection = (p) => p.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e);

test("an HTML page with status 200 rejects a resource method with APIError invalid_response, sent once", async () => {
  const { client, fetch } = answering("<html><body>Welcome to the hotel Wi-Fi</body></html>");
  const e = await rejection(client.images.generate({ model: "flux-pro", prompt: "a lighthouse" }, { idempotencyKey: "gen-once-1" }));
  assert.ok(e instanceof pkg.APIError);
  assert.equal(e.constructor, pkg.APIError, "the base class: no error type was named");
  assert.equal(e.code, "invalid_response");
  assert.equal(e.status, 200);
  assert.equal(e.retryable, false);
  assert.equal(e.requestId, "req_proxy");
  assert.equal(e.idempotencyKey, "gen-once-1");
  assert.equal(e.attempts, 1);
  assert.equal(e.rawBody, "<html><body>Welcome to the hotel Wi-Fi</body></html>");
  assert.match(e.message, /POST \/v1\/images is not a JSON object/);
  assert.equal(fetch.calls, 1, "a 2xx is never retried");
});

test("every shape that is not a JSON object is refused; an object passes", async () => {
  for (const [body, why] of [["", /was empty/], ["null", /was empty/], ["[1,2]", /not a JSON object/], ['"text"', /not a JSON object/], ["42", /not a JSON object/]]) {
    const { client } = answering(body, 200, "application/json");
    const e = await rejection(client.generations.get("gen_1"));
    assert.equal(e.code, "invalid_response", body);
    assert.match(e.message, why, body);
    assert.match(e.message, /GET \/v1\/generations\/\{id\}/, body);
  }
  const { client } = answering('{"data":[{"id":"flux-pro"}]}', 200, "application/json");
  assert.deepEqual(await client.models.list(), { data: [{ id: "flux-pro" }] });
});

test("generations.cancel and apiKeys.revoke resolve to null for an empty success body", async () => {
  const { client } = answering("", 204);
  assert.equal(await client.generations.cancel("gen_1"), null);
  assert.equal(await client.apiKeys.revoke("key_old"), null);
  const html = answering("<html>proxy</html>");
  assert.equal((await rejection(html.client.apiKeys.revoke("key_old"))).code, "invalid_response");
});

test("request() keeps any 2xx body as it is, in data", async () => {
  const { client } = answering("<html>proxy</html>");
  const r = await client.request("GET", "/v1/models");
  assert.equal(r.data, "<html>proxy</html>");
  assert.equal(r.status, 200);
  assert.equal((await answering("", 204).client.request("DELETE", "/v1/api-keys/k")).data, null);
});

test("a huge 2xx page gives a rawBody of at most 2048 characters, and wasm memory does not grow", async () => {
  const page = "<html>" + "x".repeat(50 * 1024 * 1024) + "</html>";
  const { client } = answering(page);
  await rejection(client.generations.get("gen_1"));
  const before = pkg.RimpClient[DIAG]().memoryBytes;
  for (let i = 0; i < 3; i++) {
    const e = await rejection(client.generations.get("gen_1"));
    assert.equal(e.rawBody.length, 2048);
    assert.ok(e.rawBody.startsWith("<html>xxx"));
  }
  // The same through waitFor, whose poll answer is not a job either.
  const w = await rejection(client.generations.waitFor("gen_1"));
  assert.equal(w.code, "invalid_response");
  assert.equal(w.rawBody.length, 2048);
  assert.equal(pkg.RimpClient[DIAG]().memoryBytes - before, 0);
});

test("a custom fetch that resolves to no Response is reported as such, once, not as a network error", async () => {
  for (const [answer, what] of [[{}, "an object without text()"], [undefined, "undefined"], ["ok", "a string"]]) {
    let calls = 0;
    const client = new pkg.RimpClient({ baseUrl: "https://api.test", fetch: async () => (calls++, answer) });
    const e = await rejection(client.models.list());
    assert.ok(e instanceof pkg.RimpError);
    assert.ok(!(e instanceof pkg.ConnectionError));
    assert.equal(e.code, "invalid_fetch_response");
    assert.equal(e.retryable, false);
    assert.ok(e.message.includes(`resolved to ${what}, not a Response`), e.message);
    assert.equal(calls, 1, "not retried");
  }
});
