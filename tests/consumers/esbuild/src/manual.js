import { init, RimpClient } from "rimp-client/manual";

// rimp-client/manual bundled by esbuild: the wasm is copied next to the bundle (dist/), and
// init() is given its URL, as esbuild does not follow `new URL(…, import.meta.url)`.
const out = document.getElementById("out");
const api = new URLSearchParams(location.search).get("api");
init({ module_or_path: new URL("./rimp_client_bg.wasm", import.meta.url) })
  .then(() => new RimpClient({ baseUrl: api, apiKey: "sk_test_consumers", dangerouslyAllowBrowser: true }).models.list())
  .then(
    (list) => { out.textContent = `ok models=${list.data.length} first=${list.data[0]?.id}`; },
    (e) => { out.textContent = `error ${e?.name}: ${e?.message}`; },
  );
