import { init, RimpClient, RimpError, isRimpError } from "rimp-client/manual";

await init(); // in Node, reads rimp_client_bg.wasm from the package directory
const client = new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers" });
const list = await client.models.list();
console.log(JSON.stringify({ models: list.data.length, first: list.data[0]?.id, exports: typeof RimpError === "function" && !isRimpError(new Error("x")) }));
