// One process that loads both builds (import → index.js, require → index.cjs), as happens when an
// ESM app uses a CommonJS dependency that requires rimp-client: errors of one must pass
// `instanceof` checks of the other, and both clients must work.
import { createRequire } from "node:module";
import * as esm from "rimp-client";

const cjs = createRequire(import.meta.url)("rimp-client");
const a = new esm.RateLimitError("slow", { status: 429 });
const b = new cjs.QuotaExceededError("cap", { status: 429 });
const list = await new cjs.RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers" }).models.list();
const failed = await new esm.RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers", maxRetries: 0 })
  .generations.get("gen_does_not_exist").catch((e) => e);
console.log(JSON.stringify({
  models: list.data.length,
  exports: true,
  crossInstanceof: [a instanceof cjs.RateLimitError, a instanceof cjs.RimpError, b instanceof esm.QuotaExceededError,
    b instanceof esm.RimpError, cjs.isRimpError(a), esm.isRimpError(b), failed instanceof cjs.NotFoundError],
}));
