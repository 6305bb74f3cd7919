// Compiled with the strictest optional-property setting users turn on
// (exactOptionalPropertyTypes): passing `undefined` explicitly, as the README's examples do
// (`idempotencyKey: err.idempotencyKey ?? undefined`), type-checks.
import { RimpClient, isRimpError } from "rimp-client";

declare const maybeKey: string | undefined;
declare const maybeSignal: AbortSignal | undefined;

export async function retryWithSameKey(client: RimpClient) {
  try {
    return await client.images.generate({ model: "flux-pro", prompt: "a lighthouse" });
  } catch (err) {
    if (!isRimpError(err)) throw err;
    return await client.images.generate(
      { model: "flux-pro", prompt: "a lighthouse" },
      { idempotencyKey: err.idempotencyKey ?? undefined, signal: maybeSignal, timeoutMs: undefined },
    );
  }
}

export const configured = new RimpClient({ apiKey: maybeKey, baseUrl: undefined, onRetry: undefined, retryBudget: undefined });
export const waited = (c: RimpClient) => c.generations.waitFor("gen_1", { timeoutMs: undefined, onProgress: undefined });
export const raw = (c: RimpClient) => c.request("GET", "/v1/models", { query: undefined, body: undefined, headers: undefined });
// Request params: an optional field may be passed as undefined (it is left out of the body or
// the query).
export const usage = (c: RimpClient) => c.usage.get({ start: maybeKey, groupBy: undefined });
export const image = (c: RimpClient) => c.images.generate({ model: "flux-pro", prompt: "p", aspect_ratio: undefined });
