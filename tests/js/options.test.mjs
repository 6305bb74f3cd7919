// Option names, against the BUILT package (RIMP_PKG, default pkg/): a misspelt option (the
// spellings other SDKs use, `baseURL`, `timeout`) is refused with the name it likely meant, in
// the constructor and in calls, instead of being ignored.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");

let pkg;
before(async () => {
  pkg = await import(pathToFileURL(resolve(pkgDir, "index.js")).href);
});

const rejection = (p) => p.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e);

test("a misspelt option name is refused with the name it likely meant, not ignored", async () => {
  const fetch = async () => new Response('{"data":[]}', { status: 200, headers: { "content-type": "application/json" } });
  // The spellings other SDKs use: without this, a test key would go to the default production URL.
  for (const [options, param, meant] of [
    [{ apiKey: "sk_test_1", baseURL: "http://localhost:8787", fetch }, "baseURL", "baseUrl"],
    [{ timeout: 5000, fetch }, "timeout", "timeoutMs"],
    [{ retryBudget: { capcity: 10 }, fetch }, "retryBudget.capcity", null],
  ]) {
    const e = (() => {
      try {
        new pkg.RimpClient(options);
      } catch (e) {
        return e;
      }
      assert.fail(`accepted ${JSON.stringify(options)}`);
    })();
    assert.ok(e instanceof pkg.InvalidRequestError);
    assert.equal(e.code, "invalid_option");
    assert.equal(e.param, param);
    if (meant) assert.match(e.message, new RegExp(`did you mean "${meant}"\\?`));
  }
  let sent = 0;
  const client = new pkg.RimpClient({ baseUrl: "https://api.test", fetch: async (...a) => (sent++, fetch(...a)) });
  const e = await rejection(client.models.list({ timeout: 10 }));
  assert.equal(e.param, "timeout");
  assert.match(e.message, /did you mean "timeoutMs"\?/);
  const w = await rejection(client.webhooks.unwrap("{}", {}, { tolerance: 5 }));
  assert.equal(w.param, "tolerance");
  assert.equal(sent, 0, "nothing is sent");
  // An option of another method is refused too: it would have no effect here.
  for (const [call, param] of [
    [() => client.images.generate({ model: "m", prompt: "p" }, { body: { model: "other" } }), "body"],
    [() => client.models.list({ intervalMs: 5 }), "intervalMs"],
    [() => client.request("GET", "/v1/models", { withResponse: true }), "withResponse"],
  ]) {
    const r = await rejection(call());
    assert.equal(r.code, "invalid_option");
    assert.equal(r.param, param);
  }
  assert.equal(sent, 0, "nothing is sent");
  // Every documented call option passes.
  assert.deepEqual(await client.models.list({ timeoutMs: 1000, maxRetries: 1, headers: { "x-trace": "1" }, signal: new AbortController().signal }), { data: [] });
});
