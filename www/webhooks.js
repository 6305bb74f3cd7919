// The Webhooks panel: registers this demo's own endpoint (scripts/serve.mjs, same origin as the
// page: POST /webhooks/rimp) with `client.webhooks.create`, hands the returned secret to that
// server (POST /webhooks/secret, demo only), and follows the server's delivery log live
// (Server-Sent Events, GET /webhooks/events). The server verifies each delivery with
// `client.webhooks.unwrap(rawBody, req.headers)`; the page only shows the outcome.
import { h, code } from "./dom.js";

export const WEBHOOK_PATH = "/webhooks/rimp";
export const WEBHOOK_EVENTS = ["generation.completed", "generation.failed", "comparison.completed"];

export class WebhookPanel {
  /**
   * @param {{ toggle: HTMLInputElement, status: HTMLElement, log: HTMLElement,
   *   makeClient: () => import("/pkg/index.js").RimpClient, settings: () => object,
   *   mock: () => import("./faults.js").MockControl | null, onDelivery: (entry) => void }} o
   */
  constructor({ toggle, status, log, makeClient, settings, mock, onDelivery }) {
    Object.assign(this, { toggle, status, log, makeClient, settings, mock, onDelivery });
    this.url = `${location.origin}${WEBHOOK_PATH}`;
    this.source = null;
    this.webhook = null;     // { id, baseUrl, apiKey } of this page's registration
    this.seen = new Set();
    this.busy = Promise.resolve();
    toggle.addEventListener("change", () => this.#queue(() => (toggle.checked ? this.#enable() : this.#disable())));
  }

  #queue(fn) {
    this.busy = this.busy.then(fn, fn);
    return this.busy;
  }

  /** Registers again for the current settings (called when the base URL or key changes). */
  refresh() {
    if (!this.toggle.checked) return this.busy;
    const s = this.settings();
    if (this.webhook && this.webhook.baseUrl === s.baseUrl && this.webhook.apiKey === s.apiKey) return this.busy;
    return this.#queue(() => this.#enable());
  }

  #setStatus(state, ...text) {
    this.status.dataset.state = state;
    this.status.replaceChildren(...text);
  }

  async #enable() {
    const s = this.settings();
    this.#setStatus("checking", "Registering ", code(this.url), "…");
    try {
      await this.#removeOld(s);
      const wh = await this.makeClient().webhooks.create({ url: this.url, events: WEBHOOK_EVENTS });
      const res = await fetch("/webhooks/secret", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ secret: wh.secret, webhookId: wh.id }),
      });
      if (!res.ok) throw new Error(`the demo server refused the secret (HTTP ${res.status})`);
      this.webhook = { id: wh.id, baseUrl: s.baseUrl, apiKey: s.apiKey };
      this.#connect();
      this.#setStatus("ok", "Registered ", code(wh.id), " → ", code(this.url), ` for ${WEBHOOK_EVENTS.join(", ")}. Deliveries show here and in the matching call.`);
    } catch (e) {
      this.webhook = null;
      this.#setStatus("off", `Could not register: ${e?.name ?? "Error"}: ${e?.message ?? e}`);
    }
  }

  async #disable() {
    const s = this.settings();
    const old = this.webhook;
    this.webhook = null;
    // The event stream stays open: nothing is delivered without a registration, and a page that
    // switches back on sees the log at once.
    if (old) await this.#removeOld({ ...s, baseUrl: old.baseUrl, apiKey: old.apiKey }).catch(() => {});
    this.#setStatus("idle", "Off: nothing registered.");
  }

  /** rimp-mock only: deletes earlier registrations of this endpoint by the key's org (one at a time). */
  async #removeOld(s) {
    const m = this.mock();
    if (!m) return;
    const all = await m.webhooks().catch(() => []);
    const mine = (Array.isArray(all) ? all : []).filter((w) => w.url === this.url);
    for (const w of mine) {
      // DELETE /v1/webhooks/{id} is a mock extension (the client has no method for it); another
      // org's registration answers 404 and stays.
      await fetch(`${s.baseUrl}/v1/webhooks/${encodeURIComponent(w.id)}`, {
        method: "DELETE", headers: s.apiKey ? { authorization: `Bearer ${s.apiKey}` } : {},
      }).catch(() => null);
    }
  }

  #connect() {
    if (this.source) return;
    this.source = new EventSource("/webhooks/events");
    this.source.addEventListener("delivery", (ev) => {
      let entry;
      try { entry = JSON.parse(ev.data); } catch { return; }
      if (this.seen.has(entry.seq)) return;
      this.seen.add(entry.seq);
      this.#render(entry);
      this.onDelivery(entry);
    });
  }

  #render(e) {
    const ok = e.outcome === "accepted";
    const li = h("li", { class: "wh-entry", dataset: { outcome: e.outcome, code: e.code ?? "", subject: e.subjectId ?? "" } },
      h("span", { class: ok ? "tag tag-ok" : "tag tag-bad" }, ok ? "accepted" : `rejected: ${e.code}`), " ",
      code(e.type ?? "?"), " ",
      e.subjectId ? h("span", { class: "muted", title: e.unverified ? "read from an unverified body" : "" }, e.subjectId) : null,
      h("span", { class: "muted small" }, ` · ${e.deliveryId ?? "no delivery id"} · answered ${e.status}`));
    this.log.prepend(li);
    while (this.log.children.length > 30) this.log.lastElementChild.remove();
    this.log.hidden = false;
  }
}
