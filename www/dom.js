// Tiny DOM helpers. Server data only ever reaches the page as text nodes or checked URLs.

/** `h("div", { class: "x", dataset: { a: 1 }, onclick }, "text", child, [more])` */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function code(text, cls) {
  return h("code", { class: cls }, text);
}

const nf = new Intl.NumberFormat("en-US");
export const num = (n) => nf.format(n);

/** 1234 → "1 234 ms", 3600000 → "3 600 000 ms (1 h)" */
export function ms(n) {
  if (n === null || n === undefined) return "—";
  const base = `${nf.format(Math.round(n))} ms`;
  if (n >= 3_600_000) return `${base} (${+(n / 3_600_000).toFixed(1)} h)`;
  if (n >= 60_000) return `${base} (${+(n / 60_000).toFixed(1)} min)`;
  if (n >= 1000) return `${base} (${+(n / 1000).toFixed(1)} s)`;
  return base;
}

export function seconds(n) {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}

/** Only http(s) URLs become links or image sources. */
export function safeUrl(u) {
  try {
    const url = new URL(u, location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function clockTime(epochMs) {
  return new Date(epochMs).toLocaleTimeString("en-GB", { hour12: false });
}
