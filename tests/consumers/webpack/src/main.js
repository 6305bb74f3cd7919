import { RimpClient, RimpError, isRimpError } from "rimp-client";

// The page shows the result of one real call to rimp-mock (its URL comes in ?api=…) in #out.
const out = document.getElementById("out");
const api = new URLSearchParams(location.search).get("api");
const client = new RimpClient({ baseUrl: api, apiKey: "sk_test_consumers", dangerouslyAllowBrowser: true });
client.models.list().then(
  (list) => {
    const shape = typeof RimpError === "function" && isRimpError(new Error("x")) === false;
    out.textContent = `ok models=${list.data.length} first=${list.data[0]?.id} exports=${shape}`;
  },
  (e) => {
    out.textContent = `error ${e?.name}: ${e?.message}`;
  },
);
