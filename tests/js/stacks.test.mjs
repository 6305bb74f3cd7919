// Errors as a developer sees them, against the BUILT package (RIMP_PKG, default pkg/): stacks
// point at the caller's code, and JSON.stringify keeps name and message. Without the first,
// an error made inside the wasm glue would show only wasm and glue frames, which an
// error tracker cannot map to the app.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../..", import.meta.url).pathname;
const pkgDir = resolve(root, process.env.RIMP_PKG ?? "pkg");
const { RimpClient, NotFoundError, InvalidRequestError } = await import(pathToFileURL(resolve(pkgDir, "index.js")).href);

const client = new RimpClient({
  baseUrl: "https://api.test",
  maxRetries: 0,
  fetch: async () =>
    new Response('{"error":{"type":"not_found","code":"generation_not_found","message":"No such generation."}}', {
      status: 404,
      headers: { "content-type": "application/json" },
    }),
});

async function loadGallery(id) {
  return await client.generations.get(id);
}

async function openPage(id) {
  return await loadGallery(id);
}

test("an API error's stack shows the caller's async frames, not wasm", async () => {
  const e = await openPage("gen_missing").then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof NotFoundError);
  const lines = e.stack.split("\n");
  assert.equal(lines[0], "NotFoundError: No such generation.");
  assert.match(lines[1], /at async loadGallery .*stacks\.test\.mjs/);
  assert.match(lines[2], /at async openPage /);
  assert.doesNotMatch(e.stack, /wasm-function|wasm_bindgen/);
});

test("so does a refused argument's", async () => {
  const e = await openPage(42).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(e instanceof InvalidRequestError);
  assert.equal(e.param, "id");
  assert.match(e.stack.split("\n")[1], /at async loadGallery /);
});

test("JSON.stringify(err) keeps name, message and the fields, for JSON loggers", async () => {
  const e = await loadGallery("gen_missing").then(() => assert.fail("resolved"), (e) => e);
  const json = JSON.parse(JSON.stringify(e));
  assert.equal(json.name, "NotFoundError");
  assert.equal(json.message, "No such generation.");
  assert.equal(json.code, "generation_not_found");
  assert.equal(json.status, 404);
  assert.equal(json.attempts, 1);
  assert.equal("stack" in json, false);
  assert.equal("cause" in json, false);
});
