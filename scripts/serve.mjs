// A tiny server for the demo and the browser tests: serves the repository root (so /www/ can
// import /pkg/) on 127.0.0.1 with the right MIME types (.wasm as application/wasm), and hosts
// the demo's webhook endpoint, verified with the package itself:
//
//   POST /webhooks/rimp     a Rimp delivery: `webhooks.unwrap(rawBody, req.headers)`; 200 when
//                           accepted, 400 (with the WebhookVerificationError code) when rejected
//   POST /webhooks/secret   {"secret": "whsec_…", "webhookId": "whk_…"}: the secret the page got
//                           from `client.webhooks.create` (demo only: loopback, never logged)
//   GET  /webhooks/log      every delivery so far (newest 500), oldest first
//   GET  /webhooks/events   the same as Server-Sent Events: the log so far, then each new one
//   DELETE /webhooks/log    clears the log
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1] || 8788);
const root = normalize(new URL("..", import.meta.url).pathname);
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".png": "image/png",
  ".svg": "image/svg+xml", ".ts": "text/plain; charset=utf-8", ".ico": "image/x-icon",
};

// ---- the webhook endpoint ------------------------------------------------------------------

const MAX_BODY = 1 << 20;
const MAX_LOG = 500;
let verifier = null;        // { webhookId, client }: a RimpClient holding the current secret
let pkg = null;             // the package, imported on first use (the static server works without pkg/)
const log = [];
const listeners = new Set();
let seq = 0;

async function loadPkg() {
  pkg ??= await import(new URL("../pkg/index.js", import.meta.url).href);
  return pkg;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) { reject(Object.assign(new Error("body too large"), { status: 413 })); req.destroy(); return; }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const isLoopback = (req) => ["127.0.0.1", "::1", "::ffff:127.0.0.1"].includes(req.socket.remoteAddress);

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

function record(entry) {
  const e = { seq: ++seq, receivedAt: new Date().toISOString(), ...entry };
  log.push(e);
  if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
  const frame = `event: delivery\ndata: ${JSON.stringify(e)}\n\n`;
  for (const res of listeners) res.write(frame);
  return e;
}

/** The object id a (possibly unverified) event is about: a generation's or a comparison's. */
function subjectOf(data) {
  if (!data || typeof data !== "object") return null;
  const id = data.id ?? data.generation_id ?? data.comparison_id;
  return typeof id === "string" ? id : null;
}

async function onDelivery(req, res) {
  const raw = await readBody(req);
  const header = (name) => { const v = req.headers[name]; return Array.isArray(v) ? v[0] : v ?? null; };
  const { RimpClient, WebhookVerificationError } = await loadPkg();
  const client = verifier?.client ?? new RimpClient({});   // no secret yet: rejected as missing_secret
  try {
    const event = await client.webhooks.unwrap(raw, req.headers);
    const e = record({
      outcome: "accepted", status: 200, type: event.type, eventId: event.id, deliveryId: event.deliveryId,
      subjectId: subjectOf(event.data), jobStatus: event.data?.status ?? null, webhookId: verifier?.webhookId ?? null,
    });
    json(res, 200, { received: true, seq: e.seq });
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    // Rejected: nothing in the body is trusted. The id is read only to show the delivery next to
    // the call it claims to be about.
    let claimed = null;
    try { claimed = JSON.parse(raw.toString("utf8")); } catch { claimed = null; }
    const e = record({
      outcome: "rejected", status: 400, code: err.code, message: err.message, type: header("x-rimp-event"),
      eventId: typeof claimed?.id === "string" ? claimed.id : null, deliveryId: header("x-rimp-delivery"),
      subjectId: subjectOf(claimed?.data), unverified: true, webhookId: verifier?.webhookId ?? null,
    });
    json(res, 400, { error: { type: "invalid_request", code: err.code, message: err.message }, seq: e.seq });
  }
}

async function onSecret(req, res) {
  if (!isLoopback(req)) { json(res, 403, { error: { code: "loopback_only" } }); return; }
  let body;
  try { body = JSON.parse((await readBody(req)).toString("utf8")); } catch { body = null; }
  if (typeof body?.secret !== "string" || !body.secret.startsWith("whsec_")) {
    json(res, 400, { error: { code: "invalid_secret", message: "expected {\"secret\": \"whsec_…\"}" } });
    return;
  }
  const { RimpClient } = await loadPkg();
  verifier = { webhookId: typeof body.webhookId === "string" ? body.webhookId : null, client: new RimpClient({ webhookSecret: body.secret }) };
  json(res, 200, { ok: true, webhookId: verifier.webhookId });
}

function onEvents(req, res) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  res.write("retry: 1000\n\n");
  for (const e of log) res.write(`event: delivery\ndata: ${JSON.stringify(e)}\n\n`);
  listeners.add(res);
  req.on("close", () => listeners.delete(res));
}

async function webhookRoute(req, res, path) {
  if (path === "/webhooks/rimp" && req.method === "POST") return onDelivery(req, res);
  if (path === "/webhooks/secret" && req.method === "POST") return onSecret(req, res);
  if (path === "/webhooks/events" && req.method === "GET") return onEvents(req, res);
  if (path === "/webhooks/log" && req.method === "GET") return json(res, 200, log);
  if (path === "/webhooks/log" && req.method === "DELETE") { const n = log.length; log.length = 0; return json(res, 200, { deleted: n }); }
  return json(res, 405, { error: { code: "method_not_allowed" } });
}

// ---- static files --------------------------------------------------------------------------

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://localhost");
    if (url.pathname.startsWith("/webhooks/")) {
      await webhookRoute(req, res, url.pathname);
      return;
    }
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) { res.writeHead(403).end(); return; }
    if ((await stat(path)).isDirectory()) path = join(path, "index.html");
    const body = await readFile(path);
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch (err) {
    if (res.headersSent) { res.destroy(); return; }
    if (err?.status === 413) { json(res, 413, { error: { code: "body_too_large" } }); return; }
    if (req.url.startsWith("/webhooks/")) {
      console.error(`serve: ${req.method} ${req.url}: ${err?.stack ?? err}`);
      json(res, 500, { error: { code: "internal", message: String(err?.message ?? err) } });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
});
server.listen(port, "127.0.0.1", () => console.log(`serving ${root} on http://127.0.0.1:${server.address().port}/`));
// Stop at once: close the listener and every open (keep-alive, event-stream) connection.
const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
