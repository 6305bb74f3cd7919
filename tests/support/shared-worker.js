// The worker side of tests/support/shared-page.html: a call per message, with the options posted.
import { RimpClient } from "/pkg/index.js";
const params = new URL(self.location.href).searchParams;
const api = params.get("api");
// As an app does, the worker makes its client when it starts (which joins the key's channel).
self.appClient = new RimpClient({ baseUrl: api, apiKey: params.get("key") });
self.onmessage = async (msg) => {
  const { id, opts } = msg.data;
  const events = [];
  const client = new RimpClient({ baseUrl: api, onRetry: (e) => events.push({ source: e.delaySource, attempt: e.attempt, delayMs: e.delayMs }), ...opts });
  const started = Date.now();
  try {
    await client.models.list();
    self.postMessage({ id, ok: true, started, ended: Date.now(), events });
  } catch (e) {
    self.postMessage({ id, ok: false, name: e.name, code: e.code, started, ended: Date.now(), events });
  }
};
self.postMessage("ready");
