// One-call app: rimp-client's manual entry (the wasm fetched as a separate file by init()).
import { init, RimpClient } from "rimp-client/manual";
const g = globalThis;
await init();
const client = new RimpClient({ baseUrl: g.RIMP_API ?? "https://api.rimp.io", apiKey: g.RIMP_KEY ?? "sk_test_app", dangerouslyAllowBrowser: true });
const models = await client.models.list();
g.appDone ? g.appDone(models) : console.log(models);
