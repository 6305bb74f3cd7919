import { RimpClient, RimpError, isRimpError } from "rimp-client";

const client = new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers" });
const list = await client.models.list();
console.log(JSON.stringify({ models: list.data.length, first: list.data[0]?.id, exports: typeof RimpError === "function" && !isRimpError(new Error("x")) }));
