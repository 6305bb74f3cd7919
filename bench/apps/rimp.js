// One-call app: rimp-client's default entry (the wasm embedded in the JS).
import { RimpClient } from "rimp-client";
const g = globalThis;
const client = new RimpClient({ baseUrl: g.RIMP_API ?? "https://api.rimp.io", apiKey: g.RIMP_KEY ?? "sk_test_app", dangerouslyAllowBrowser: true });
const models = await client.models.list();
g.appDone ? g.appDone(models) : console.log(models);
