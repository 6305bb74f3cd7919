import { init, RimpClient, RimpError, isRimpError } from "rimp-client/manual";

// rimp-client/manual: the wasm as a separate file, found by `init()` next to the module (Vite
// follows `new URL("./rimp_client_bg.wasm", import.meta.url)` in dev and build).
const out = document.getElementById("out");
const api = new URLSearchParams(location.search).get("api");
init().then(() => {
  const client = new RimpClient({ baseUrl: api, apiKey: "sk_test_consumers", dangerouslyAllowBrowser: true });
  return client.models.list();
}).then(
  (list) => {
    const shape = typeof RimpError === "function" && isRimpError(new Error("x")) === false;
    out.textContent = `ok models=${list.data.length} first=${list.data[0]?.id} exports=${shape}`;
  },
  (e) => {
    out.textContent = `error ${e?.name}: ${e?.message}`;
  },
);
