import { RimpClient, RimpError, isRimpError } from "rimp-client";

self.onmessage = (e) => {
  const client = new RimpClient({ baseUrl: e.data, apiKey: "sk_test_consumers" });
  client.models.list().then(
    (list) => {
      const shape = typeof RimpError === "function" && isRimpError(new Error("x")) === false;
      self.postMessage(`ok models=${list.data.length} first=${list.data[0]?.id} exports=${shape}`);
    },
    (err) => self.postMessage(`error ${err?.name}: ${err?.message}`),
  );
};
