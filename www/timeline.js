// One card per call: the live timeline (attempts, waits and why, polls and progress), the
// response metadata (Idempotency-Key, request id, replayed, rate limit), then the result or error.
import { h, append, code, ms, num, seconds, safeUrl, clockTime } from "./dom.js";
import { adviceFor } from "./advice.js";

const HIDDEN = "hidden by CORS";
const SOURCE_TEXT = {
  "backoff": "backoff (exponential, jittered)",
  "retry-after": "Retry-After header",
  "rate-limit-reset": "X-RateLimit-Reset header",
  "shared-rate-limit": "shared rate limit (another tab or call of this key was told to wait; nothing sent meanwhile)",
};
const GEN_STEPS = ["queued", "running", "succeeded"];
const CMP_STEPS = ["queued", "running", "succeeded"];

let counter = 0;

const headerOf = (headers, name) => {
  if (!headers) return null;
  if (typeof headers.get === "function") return headers.get(name);
  const hit = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return hit === undefined ? null : headers[hit];
};

const plural = (n, word) => `${num(n)} ${word}${n === 1 ? "" : "s"}`;
/** `/v1/generations/gen_910a2dec89025cc1beeb8da1/cancel` → `/v1/generations/gen_910a…/cancel` */
const shortPath = (p) => p.replace(/\b([a-z]+_[0-9a-f]{6})[0-9a-f]{6,}/g, "$1…");
const shortKey = (k) => (k && k.length > 13 ? `${k.slice(0, 8)}…${k.slice(-4)}` : k);

export class CallCard {
  /**
   * @param {HTMLElement} list  the <ol> of calls
   * @param {{ plan, fault, settings, onCancel, onRetrySameKey }} o
   */
  constructor(list, { plan, faults, settings, onCancel, onRetrySameKey, onCancelJob }) {
    this.n = ++counter;
    this.plan = plan;
    this.settings = settings;
    this.faults = faults;
    this.onRetrySameKey = onRetrySameKey;
    this.onCancelJob = onCancelJob;
    this.t0 = performance.now();
    this.wallStart = Date.now();
    this.phaseName = "request";
    this.attempts = [];      // fetches of the first request (phase "request")
    this.polls = [];         // fetches while waiting (phase "wait")
    this.current = null;     // the fetch in flight
    this.pendingWait = null;
    this.lastStatus = null;
    this.anyHiddenHeaders = false;

    this.badge = h("span", { class: "badge", "data-role": "state" }, "running");
    this.elapsedEl = h("span", { class: "elapsed", "aria-hidden": "true" }, "0.0 s");
    this.cancelBtn = h("button", { class: "btn btn-small btn-danger", type: "button", "data-role": "cancel", onclick: () => onCancel() },
      "Cancel");
    this.cancelJobBtn = null;
    this.actions = h("div", { class: "call-actions" }, this.elapsedEl, this.cancelBtn);

    this.meta = {
      key: h("dd", { "data-field": "idempotency-key" }, plan.method === "GET" ? h("span", { class: "muted" }, "none (GET never sends one)") : "—"),
      requestId: h("dd", { "data-field": "request-id" }, "—"),
      replayed: h("dd", { "data-field": "replayed" }, "—"),
      rate: h("dd", { "data-field": "rate-limit" }, "—"),
      attempts: h("dd", { "data-field": "attempts" }, "0"),
      ledger: h("dd", { "data-field": "ledger" }, "—"),
    };
    const row = (label, dd, title) => h("div", { class: "meta-item", title }, h("dt", {}, label), dd);
    this.metaEl = h("dl", { class: "call-meta" },
      row("Attempts", this.meta.attempts),
      row("Idempotency-Key", this.meta.key, "Sent unchanged on every attempt of a POST"),
      row("Request id", this.meta.requestId, "X-Request-Id of the last answer"),
      row("Replayed", this.meta.replayed, "Idempotent-Replayed: true means the stored answer of an earlier attempt"),
      row("Rate limit", this.meta.rate, "X-RateLimit-* of the last answer"),
    );
    this.ledgerRow = row("rimp-mock saw", this.meta.ledger, "The mock's request log and ledger for this call");
    this.ledgerRow.classList.add("meta-wide");
    this.ledgerRow.hidden = true;
    this.metaEl.append(this.ledgerRow);

    this.events = h("ol", { class: "timeline", "aria-label": "Timeline" });
    this.progressEl = null;
    this.pollList = null;
    this.resultEl = h("div", { class: "call-result", "aria-live": "polite" });

    this.el = h("li", { class: "call", dataset: { state: "running", n: this.n, endpoint: plan.title } },
      h("header", { class: "call-head" },
        h("div", { class: "call-title" },
          h("span", { class: "call-num" }, `#${this.n}`),
          h("h3", {}, code(plan.title)),
          this.badge,
          faults.map((f) => h("span", { class: "fault-chip", title: f.detail, "data-role": "fault", "data-fault": f.id }, `fault: ${f.label}`)),
        ),
        this.actions,
      ),
      this.metaEl,
      this.events,
      this.resultEl,
      h("details", { class: "call-code" }, h("summary", {}, "Code"), h("pre", { class: "code" }, code(plan.code))),
    );
    list.prepend(this.el);
    this.timer = setInterval(() => this.#tick(), 100);
  }

  #tick() {
    this.elapsedEl.textContent = seconds(performance.now() - this.t0);
  }

  #event(cls, ...children) {
    const li = h("li", { class: `ev ${cls}` }, h("span", { class: "ev-dot", "aria-hidden": "true" }), h("div", { class: "ev-body" }, ...children));
    this.events.append(li);
    return li;
  }

  phase(name, label) {
    this.phaseName = name;
    if (name === "wait") {
      this.progressEl = h("div", { class: "progress", "data-role": "progress" });
      this.pollCount = h("span", { class: "muted" }, "0 polls");
      this.pollList = h("ol", { class: "polls" });
      this.#event("ev-phase", h("div", { class: "ev-main" }, h("strong", {}, "Waiting for the job"), " ", h("span", { class: "muted", title: label }, shortPath(label))),
        this.progressEl,
        h("details", { class: "poll-details" }, h("summary", {}, this.pollCount), this.pollList));
      if (this.onCancelJob && this.jobId && this.plan.title.includes("generations.waitFor")) this.#addCancelJob();
    } else {
      this.#event("ev-phase", h("div", { class: "ev-main" }, h("strong", { title: label }, shortPath(label))));
    }
  }

  /** The created job (`videos.create` / `comparisons.create`) before waiting. */
  created(jobId) {
    this.jobId = jobId;
  }

  #addCancelJob() {
    this.cancelJobBtn = h("button", { class: "btn btn-small", type: "button", onclick: () => this.onCancelJob(this.jobId) }, "Cancel job");
    this.actions.prepend(this.cancelJobBtn);
  }

  /** A fetch is starting (called by the traced fetch). Returns a handle to finish it. */
  attemptStart(method, url, headers) {
    if (this.pendingWait) this.#closeWait();
    const key = headerOf(headers, "idempotency-key");
    const a = { method, url, key, start: performance.now() };
    const path = (() => { try { const u = new URL(url); return u.pathname + u.search; } catch { return url; } })();
    if (this.phaseName === "wait") {
      a.n = this.polls.length + 1;
      this.polls.push(a);
      a.el = h("li", { class: "poll", "data-outcome": "pending" }, `Poll ${a.n} · ${method} ${shortPath(path)} · …`);
      this.pollList.append(a.el);
      this.pollCount.textContent = `${a.n} poll${a.n === 1 ? "" : "s"}`;
    } else {
      a.n = this.attempts.length + 1;
      this.attempts.push(a);
      this.meta.attempts.textContent = String(a.n);
      a.statusEl = h("span", { class: "status" }, "in flight…");
      a.detailEl = h("span", { class: "ev-detail" });
      a.el = this.#event("ev-attempt",
        h("div", { class: "ev-main" }, h("strong", {}, `Attempt ${a.n}`), " ", a.statusEl, " ", a.detailEl),
        h("div", { class: "ev-sub" },
          h("span", { title: path }, `${method} ${shortPath(path)}`),
          h("span", {}, `at +${seconds(a.start - this.t0)}`),
          a.durationEl = h("span", {}),
          key ? h("span", { class: "key", title: key, "data-key": key }, "key ", code(shortKey(key))) : h("span", { class: "muted" }, "no key (GET)"),
          a.ridEl = h("span", { class: "rid" }),
        ));
      a.el.dataset.outcome = "pending";
      a.el.dataset.attempt = String(a.n);
      this.#renderKey();
    }
    this.current = a;
    return a;
  }

  attemptEnd(a, res) {
    a.duration = performance.now() - a.start;
    a.status = res.status;
    a.requestId = res.headers.get("x-request-id");
    a.replayed = res.headers.get("idempotent-replayed") === "true";
    const int = (name) => { const v = res.headers.get(name); return v === null || v === "" || Number.isNaN(Number(v)) ? null : Number(v); };
    const reset = int("x-ratelimit-reset");
    a.rateLimit = { limit: int("x-ratelimit-limit"), remaining: int("x-ratelimit-remaining"), resetAt: reset === null ? null : reset * 1000 };
    if (a.requestId === null) this.anyHiddenHeaders = true;
    const outcome = res.ok ? "ok" : "error";
    a.el.dataset.outcome = outcome;
    if (this.phaseName === "wait" && a.el.classList.contains("poll")) {
      a.el.textContent = `${a.el.textContent.replace(/ · …$/, "")} · ${res.status}${res.ok ? "" : " " + res.statusText}`;
      return;
    }
    a.statusEl.textContent = `${res.status} ${res.statusText}`.trim();
    a.statusEl.dataset.status = String(res.status);
    if (a.replayed) a.detailEl.append(h("span", { class: "tag tag-replay" }, "replayed"));
    a.durationEl.textContent = `took ${seconds(a.duration)}`;
    a.ridEl.textContent = "";
    a.ridEl.append("request id ", a.requestId ? code(a.requestId) : h("em", {}, HIDDEN));
  }

  attemptFail(a, error, why) {
    a.duration = performance.now() - a.start;
    a.el.dataset.outcome = why;
    const text = {
      canceled: "canceled by you",
      timeout: `timed out (timeoutMs ${num(this.settings.timeoutMs)})`,
      network: `no answer: ${error?.name ?? "Error"}${error?.message ? `: ${error.message}` : ""}`,
    }[why];
    if (this.phaseName === "wait" && a.el.classList.contains("poll")) {
      a.el.textContent = `${a.el.textContent.replace(/ · …$/, "")} · ${text}`;
      return;
    }
    a.statusEl.textContent = text;
    if (why === "network") a.detailEl.append(h("span", { class: "muted" }, "(connection dropped, refused, or blocked by CORS)"));
    a.durationEl.textContent = `after ${seconds(a.duration)}`;
  }

  /** `onRetry(event)`: the failed attempt's error and the wait before the next one. */
  retry(event) {
    const a = this.current;
    const src = event.delaySource;
    // A shared hold comes before an attempt: it is not about the previous attempt's answer.
    if (a?.detailEl && event.error && src !== "shared-rate-limit") {
      append(a.detailEl, [h("span", { class: "err-name" }, event.error.name),
        event.error.code ? h("span", { class: "muted" }, ` · ${event.error.code}`) : null]);
    }
    const bar = h("span", { class: "wait-bar", "aria-hidden": "true" }, h("span", { style: `animation-duration:${Math.max(0, event.delayMs)}ms` }));
    const li = this.#event("ev-wait",
      h("div", { class: "ev-main" },
        h("strong", {}, `Wait ${ms(event.delayMs)}`), " before attempt ", String(event.attempt + 1), " · from ",
        h("span", { class: "source", "data-source": src }, SOURCE_TEXT[src] ?? src)),
      bar);
    li.dataset.source = src;
    li.dataset.delay = String(event.delayMs);
    li.dataset.state = "waiting";
    if (this.phaseName === "wait" && this.pollList) {
      // keep the main timeline for the first request; waits between polls go to the poll list
      this.pollList.append(h("li", { class: "poll poll-wait" }, `retry wait ${ms(event.delayMs)} (${SOURCE_TEXT[src] ?? src})`));
      li.remove();
      return;
    }
    this.pendingWait = li;
  }

  /** A webhook delivery about this call's job, as the demo server verified it (or refused it). */
  webhook(entry) {
    this.webhooksSeen ??= new Set();
    if (this.webhooksSeen.has(entry.seq)) return;
    this.webhooksSeen.add(entry.seq);
    const ok = entry.outcome === "accepted";
    const li = this.#event(ok ? "ev-webhook" : "ev-webhook ev-webhook-bad",
      h("div", { class: "ev-main" },
        h("strong", { "data-role": "webhook-text" }, ok ? `webhook: ${entry.type} (accepted)` : `webhook rejected: ${entry.code}`),
        ok && entry.jobStatus ? h("span", { class: "muted" }, ` · job ${entry.jobStatus}`) : null),
      h("div", { class: "ev-sub" },
        h("span", {}, `${ok ? "verified by" : "refused by"} webhooks.unwrap · answered ${entry.status}`),
        entry.deliveryId ? h("span", {}, "delivery ", code(entry.deliveryId)) : null,
        entry.eventId ? h("span", {}, "event ", code(entry.eventId)) : null,
        h("span", {}, `at +${seconds(Math.max(0, Date.parse(entry.receivedAt) - (Date.now() - (performance.now() - this.t0))))}`),
        ok ? null : h("span", { class: "muted" }, "rimp-mock retries it, signed again")));
    li.dataset.role = "webhook";
    li.dataset.outcome = entry.outcome;
    li.dataset.type = entry.type ?? "";
    if (!ok) li.dataset.code = entry.code ?? "";
  }

  #closeWait() {
    this.pendingWait.dataset.state = "done";
    this.pendingWait = null;
  }

  progress(job) {
    if (!this.progressEl || !job) return;
    const isCmp = job.object === "comparison";
    const steps = isCmp ? CMP_STEPS : GEN_STEPS;
    const status = String(job.status ?? "");
    const terminal = ["succeeded", "failed", "canceled", "partial"].includes(status);
    const idx = status === "queued" ? 0 : status === "running" ? 1 : terminal ? 2 : -1;
    this.progressEl.textContent = "";
    this.progressEl.dataset.status = status;
    const ol = h("ol", { class: "stepper" });
    steps.forEach((s, i) => {
      const label = i === 2 && terminal ? status : s;
      ol.append(h("li", { class: i < idx ? "done" : i === idx ? (terminal && status !== "succeeded" ? "bad" : terminal ? "done" : "now") : "" }, label));
    });
    this.progressEl.append(ol);
    if (isCmp && Array.isArray(job.generations)) {
      this.progressEl.append(h("ul", { class: "children" },
        job.generations.map((g) => h("li", { "data-status": g.status }, code(g.model ?? "?"), " ", h("span", {}, g.status ?? "?")))));
    }
    this.progressEl.append(h("p", { class: "muted small" }, `${job.id ?? ""} · ${status} · after ${seconds(performance.now() - this.t0)}`));
  }

  #renderKey() {
    const keys = this.attempts.map((a) => a.key);
    const first = keys[0];
    this.meta.key.textContent = "";
    if (!first) {
      this.meta.key.append(h("span", { class: "muted" }, this.plan.method === "GET" ? "none (GET never sends one)" : "—"));
      return;
    }
    const same = keys.every((k) => k === first);
    this.el.dataset.sameKey = String(same);
    this.meta.key.append(code(first, "key-full"));
    if (keys.length > 1) {
      this.meta.key.append(" ", h("span", { class: same ? "tag tag-ok" : "tag tag-bad", "data-role": "same-key" },
        same ? `same on all ${keys.length} attempts` : "changed between attempts!"));
    }
  }

  #renderMeta({ requestId, replayed, rateLimit, attempts, idempotencyKey }) {
    if (attempts !== undefined) {
      this.meta.attempts.textContent = String(attempts);
      this.el.dataset.attempts = String(attempts);
    }
    if (idempotencyKey && !this.attempts[0]?.key) {
      this.meta.key.textContent = "";
      this.meta.key.append(code(idempotencyKey, "key-full"));
    }
    const last = this.#lastAnswered();
    this.meta.requestId.textContent = "";
    const rid = requestId ?? last?.requestId ?? null;
    this.meta.requestId.append(rid ? code(rid) : last ? h("em", {}, HIDDEN) : "—");
    if (!rateLimit || (rateLimit.limit === null && rateLimit.remaining === null)) rateLimit = last?.rateLimit ?? null;
    if (replayed !== undefined) {
      this.meta.replayed.textContent = "";
      this.meta.replayed.append(replayed
        ? h("span", { class: "tag tag-replay" }, "yes: the stored answer, nothing created or charged twice")
        : h("span", {}, "no"));
      this.el.dataset.replayed = String(Boolean(replayed));
    }
    this.meta.rate.textContent = "";
    if (rateLimit && (rateLimit.limit !== null || rateLimit.remaining !== null)) {
      const parts = [`${rateLimit.remaining ?? "?"} / ${rateLimit.limit ?? "?"} left`];
      if (rateLimit.resetAt) parts.push(`resets ${clockTime(rateLimit.resetAt)} (in ${Math.max(0, Math.floor((rateLimit.resetAt - Date.now()) / 1000))} s)`);
      this.meta.rate.append(parts.join(" · "));
    } else {
      this.meta.rate.append(last && last.requestId === null ? h("em", {}, HIDDEN) : "—");
    }
  }

  /** What rimp-mock saw during this call: its request log entries and ledger delta. */
  server({ ledger, requests }) {
    const parts = [];
    const key = this.attempts[0]?.key ?? null;
    const pathOf = (u) => { try { return new URL(u).pathname; } catch { return u; } };
    let mine = null;
    let clientCount = 0;
    if (requests) {
      if (key) {
        mine = requests.filter((e) => e.headers?.["idempotency-key"] === key);
        clientCount = this.attempts.filter((a) => a.key === key).length;
      } else {
        mine = requests.filter((e) => e.method === this.plan.method && e.path === this.plan.path);
        clientCount = [...this.attempts, ...this.polls].filter((a) => a.method === this.plan.method && pathOf(a.url) === this.plan.path).length;
      }
      const outcome = (e) => e.outcome === "dropped_after" ? "dropped after the work"
        : e.outcome === "dropped_before" ? "dropped before the work"
          : e.outcome === "pending" ? (e.fault ? "still held by the delay fault" : "still in progress") : `${e.status}${e.replayed ? " (replayed)" : ""}`;
      if (mine.length) {
        const shown = mine.slice(0, 6).map(outcome).join(" → ");
        parts.push(`${mine.length} × ${this.plan.method} ${shortPath(this.plan.path)}: ${shown}${mine.length > 6 ? " → …" : ""}`);
      }
      this.el.dataset.serverRequests = String(mine.length);
      const extra = mine.length - clientCount;
      this.el.dataset.browserResends = String(Math.max(0, extra));
      if (extra > 0) {
        const li = this.#event("ev-note",
          h("div", { class: "ev-main" }, h("strong", {}, `The browser re-sent ${extra === 1 ? "a request" : `${extra} requests`} by itself`)),
          h("p", { class: "ev-text" },
            `rimp-mock received ${mine.length} request(s) where fetch reported ${clientCount}. Chromium re-sends a request when a reused keep-alive ` +
            "connection closes before any response, without telling the page. " +
            (key ? "The copy carried the same Idempotency-Key, so the server answered from its idempotency store instead of working (and charging) twice."
              : "A GET is safe to repeat.")));
        li.dataset.role = "browser-resend";
      }
    }
    if (ledger) {
      const made = [
        [ledger.generations, "generation"], [ledger.children, "comparison child", "comparison children"], [ledger.chats, "chat completion"],
      ].filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many ?? `${one}s`}`);
      parts.push(`${made.length ? `created ${made.join(", ")}` : "nothing created"} · ${plural(ledger.credits, "credit")} charged`);
      this.el.dataset.generationsCreated = String(ledger.generations);
    }
    if (!parts.length) return;
    this.ledgerRow.hidden = false;
    this.meta.ledger.replaceChildren(...parts.map((p) => h("span", { class: "server-line" }, p)));
  }

  #finish(state, label) {
    clearInterval(this.timer);
    this.#tick();
    if (this.pendingWait) {
      if (state === "aborted") {
        this.pendingWait.querySelector(".ev-main").append(h("span", { class: "interrupted" }, " · cut short by the abort"));
        this.pendingWait.dataset.state = "interrupted";
        this.pendingWait = null;
      } else this.#closeWait();
    }
    this.el.dataset.state = state;
    this.badge.textContent = label;
    this.cancelBtn.remove();
    this.cancelJobBtn?.remove();
  }

  succeed(value, meta, lastMeta) {
    const m = meta ?? lastMeta;
    if (m) this.#renderMeta(m);
    else this.#renderMeta({ requestId: null, attempts: this.attempts.length || undefined });
    if (!this.attempts.length && this.polls.length) this.meta.attempts.textContent = `${this.polls.length} poll${this.polls.length === 1 ? "" : "s"}`;
    const status = value && typeof value === "object" ? value.status : undefined;
    const bad = status === "failed" || status === "canceled";
    this.#finish(bad ? "job-failed" : "succeeded", bad ? `done · job ${status}` : status === "partial" ? "done · partial" : "succeeded");
    this.resultEl.append(renderResult(value));
  }

  fail(err, { isPost }) {
    const isAbort = err?.name === "AbortError";
    this.#finish(isAbort ? "aborted" : "failed", isAbort ? "aborted" : "failed");
    this.el.dataset.errorClass = err?.name ?? "Error";
    this.#renderMeta({
      requestId: err?.requestId ?? null,
      replayed: undefined,
      rateLimit: err?.rateLimit ?? null,
      attempts: err?.attempts ?? this.attempts.length,
      idempotencyKey: err?.idempotencyKey ?? null,
    });
    const lastAttempt = this.attempts[this.attempts.length - 1];
    if (lastAttempt?.detailEl && !lastAttempt.detailEl.childElementCount && lastAttempt.status !== undefined && err?.name) {
      append(lastAttempt.detailEl, [h("span", { class: "err-name" }, err.name), err.code ? h("span", { class: "muted" }, ` · ${err.code}`) : null]);
    }
    const rows = [
      ["message", err?.message],
      ["type", err?.type],
      ["code", err?.code],
      ["status", err?.status],
      ["param", err?.param],
      ["retryAfterMs", err?.retryAfterMs === null || err?.retryAfterMs === undefined ? err?.retryAfterMs : ms(err.retryAfterMs)],
      ["retryable", err?.retryable],
      ["requestId", err?.requestId === null && this.anyHiddenHeaders ? HIDDEN : err?.requestId],
      ["idempotencyKey", err?.idempotencyKey],
      ["attempts", err?.attempts],
      ["cause", err?.cause ? `${err.cause.name ?? "Error"}: ${err.cause.message ?? String(err.cause)}` : undefined],
    ].filter(([, v]) => v !== undefined);
    const box = h("div", { class: "error-box", role: "alert" },
      h("p", { class: "error-title" }, h("span", { class: "error-class", "data-role": "error-class" }, err?.name ?? "Error"),
        err?.code ? h("span", { class: "muted" }, ` · ${err.code}`) : null),
      h("dl", { class: "error-fields" }, rows.map(([k, v]) =>
        h("div", { "data-field": k }, h("dt", {}, k), h("dd", {}, v === null ? h("span", { class: "muted" }, "null") : String(v))))),
      h("p", { class: "advice" }, h("strong", {}, "What next: "), adviceFor(err, { settings: this.settings, isPost })),
    );
    const worthRetrying = err?.retryable || ["ConnectionError", "TimeoutError", "AbortError"].includes(err?.name);
    if (isPost && err?.idempotencyKey && this.onRetrySameKey && worthRetrying) {
      box.append(h("div", { class: "form-actions" },
        h("button", { class: "btn btn-small", type: "button", onclick: () => this.onRetrySameKey(err.idempotencyKey) },
          "Send again with the same Idempotency-Key")));
    }
    this.resultEl.append(box);
  }

  #lastAnswered() {
    const all = [...this.attempts, ...this.polls].filter((a) => a.status !== undefined);
    return all.length ? all[all.length - 1] : null;
  }

  note(text) {
    this.resultEl.append(h("p", { class: "note" }, text));
  }
}

// ---- results -------------------------------------------------------------------------------

function jsonBlock(value, open) {
  const text = JSON.stringify(value, null, 2) ?? String(value);
  const copy = h("button", { class: "btn btn-small btn-ghost copy", type: "button" }, "Copy");
  copy.addEventListener("click", async (e) => {
    e.preventDefault();
    try { await navigator.clipboard.writeText(text); copy.textContent = "Copied"; } catch { copy.textContent = "Copy failed"; }
    setTimeout(() => { copy.textContent = "Copy"; }, 1500);
  });
  return h("details", { class: "json", open }, h("summary", {}, "JSON ", copy), h("pre", { class: "code" }, code(text)));
}

function outputTile(o, i, ownerId) {
  const url = safeUrl(o?.url);
  const dims = o?.width && o?.height ? `${o.width}×${o.height}` : "";
  const label = [o?.mime, dims, o?.duration_s ? `${o.duration_s} s` : ""].filter(Boolean).join(" · ");
  let media;
  if (url && String(o?.mime ?? "").startsWith("image/")) {
    media = h("img", { src: url, alt: `Output ${i + 1} of ${ownerId ?? "the generation"}`, width: o.width ?? undefined, height: o.height ?? undefined, loading: "lazy", decoding: "async" });
  } else if (url && String(o?.mime ?? "").startsWith("audio/")) {
    media = h("audio", { src: url, controls: true, preload: "none" });
  } else {
    media = h("div", { class: "file-tile" }, h("span", { class: "file-icon", "aria-hidden": "true" }, String(o?.mime ?? "file").split("/")[0] === "video" ? "▶" : "⬚"),
      h("span", {}, o?.mime ?? "file"));
  }
  return h("figure", { class: "output" }, media,
    h("figcaption", {}, label, url ? [" · ", h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, "open")] : null));
}

export function renderResult(value) {
  const frag = h("div", { class: "result" });
  if (value && typeof value === "object" && value.object === "generation") {
    frag.append(h("p", { class: "result-line" }, code(value.id), " · ", value.modality ?? "", " · status ", h("strong", { "data-role": "job-status" }, value.status ?? "?"),
      value.charged_credits !== undefined ? ` · ${num(value.charged_credits)} credits charged` : "",
      value.refunded_credits ? ` · ${num(value.refunded_credits)} refunded` : ""));
    if (value.error?.message || value.error_message) frag.append(h("p", { class: "note" }, value.error?.message ?? value.error_message));
    if (Array.isArray(value.outputs) && value.outputs.length) {
      frag.append(h("div", { class: "outputs" }, value.outputs.map((o, i) => outputTile(o, i, value.id))));
    }
    frag.append(jsonBlock(value, false));
  } else if (value && typeof value === "object" && value.object === "comparison") {
    frag.append(h("p", { class: "result-line" }, code(value.id), " · status ", h("strong", { "data-role": "job-status" }, value.status ?? "?")));
    frag.append(h("div", { class: "outputs" }, (value.generations ?? []).map((g) => h("figure", { class: "output child", "data-status": g.status },
      g.outputs?.[0] && safeUrl(g.outputs[0].url) ? h("img", { src: safeUrl(g.outputs[0].url), alt: `Output of ${g.model}`, loading: "lazy", width: g.outputs[0].width ?? undefined, height: g.outputs[0].height ?? undefined })
        : h("div", { class: "file-tile" }, h("span", { class: "file-icon", "aria-hidden": "true" }, g.status === "failed" ? "✕" : "…"), h("span", {}, g.error_code ?? g.status)),
      h("figcaption", {}, code(g.model ?? "?"), ` · ${g.status}`)))));
    frag.append(jsonBlock(value, false));
  } else if (value && typeof value === "object" && value.object === "chat.completion") {
    frag.append(h("div", { class: "bubble" }, h("span", { class: "bubble-who" }, "assistant"), h("p", {}, value.message?.content ?? "")));
    if (value.error_message) frag.append(h("p", { class: "note" }, value.error_message));
    frag.append(jsonBlock(value, false));
  } else if (value && typeof value === "object" && value.object === "list" && Array.isArray(value.data)) {
    frag.append(h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "id"), h("th", { scope: "col" }, "modality"), h("th", { scope: "col" }, "description"))),
      h("tbody", {}, value.data.map((m) => h("tr", {}, h("td", {}, code(m.id ?? "")), h("td", {}, m.modality ?? ""), h("td", {}, m.description ?? "")))))));
    frag.append(jsonBlock(value, false));
  } else if (value && typeof value === "object" && value.object === "usage" && Array.isArray(value.data)) {
    frag.append(h("p", { class: "result-line" }, `${num(value.total_generations ?? 0)} generations · ${num(value.total_credits ?? 0)} credits · ${num(value.total_refunded_credits ?? 0)} refunded`));
    if (value.data.length) {
      frag.append(h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, value.group_by ?? "group"), h("th", { scope: "col" }, "generations"), h("th", { scope: "col" }, "credits"), h("th", { scope: "col" }, "refunded"))),
        h("tbody", {}, value.data.map((r) => h("tr", {}, h("td", {}, String(r.group ?? "")), h("td", {}, num(r.generations ?? 0)), h("td", {}, num(r.credits ?? 0)), h("td", {}, num(r.refunded_credits ?? 0))))))));
    }
    frag.append(jsonBlock(value, false));
  } else {
    frag.append(jsonBlock(value, true));
  }
  return frag;
}
