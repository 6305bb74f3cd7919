// The call runs in a module worker; the page only shows what the worker answers.
const out = document.getElementById("out");
const worker = new Worker(new URL("./w.js", import.meta.url), { type: "module" });
worker.onmessage = (e) => { out.textContent = e.data; };
worker.onerror = (e) => { out.textContent = `error worker: ${e.message ?? "failed to load"}`; };
worker.postMessage(new URLSearchParams(location.search).get("api"));
