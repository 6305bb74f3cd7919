// Type-checked (tsc --strict) against the installed package: every resource method as a
// TypeScript user writes it, the `withResponse` overloads, `waitFor` options, and the API's
// shapes. Lines marked @ts-expect-error must be errors (wrong params are caught at compile time).
import {
  RimpClient,
  type Generation, type GenerationStatus, type GenerationOutput, type Comparison, type ComparisonStatus,
  type ComparisonGeneration, type ChatCompletion, type Usage, type ModelList, type ApiKey, type CreatedApiKey,
  type Webhook, type RimpResponse, type WaitOptions, type ImageGenerateParams, type VideoCreateParams,
  type UpscaleCreateParams, type ThreeDCreateParams, type ChatCreateParams, type UsageQuery,
  type ResourceCallOptions, type ImagesResource, type GenerationsResource, type OpenEnum, type CallOptions,
  type WebhookEvent, WebhookVerificationError,
} from "rimp-client";

const client = new RimpClient({ baseUrl: "https://my-app.example/rimp" });

async function everyMethod(signal: AbortSignal): Promise<void> {
  // ---- generation endpoints: resolve to the parsed body ----
  const image: Generation = await client.images.generate({
    model: "flux-pro", prompt: "a red fox", aspect_ratio: "16:9", num_outputs: 2, negative_prompt: "blur", seed: 7,
  });
  const video: Generation = await client.videos.create(
    { model: "veo-3-1-fast", prompt: "waves", duration_s: 4, aspect_ratio: "9:16", resolution: "1080p", image_url: "https://x/a.png", seed: 1 },
    { idempotencyKey: "order-42", signal, timeoutMs: 30_000, maxRetries: 2, headers: { "X-Trace": "t" } },
  );
  const music: Generation = await client.music.create({ model: "suno-v4", prompt: "lo-fi", duration_s: 30, with_vocals: true });
  const mesh: Generation = await client.threeD.create({
    model: "meshy-4", prompt: "a teapot", image_url: "https://x/t.png", texture_size: "2048", mesh_complexity: "high", rigged: true, seed: 3,
  });
  const big: Generation = await client.upscale.create({ model: "real-esrgan", image_url: "https://x/in.png", scale_factor: "4", face_enhance: true });
  const big2: Generation = await client.upscale.create({ model: "real-esrgan", image_url: "https://x/in.png", scale_factor: 2 });
  const chat: ChatCompletion = await client.chat.create({
    model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }, { content: "no role" }], max_tokens: 100, temperature: 0.7, system_prompt: "Be brief.",
  });
  const got: Generation = await client.generations.get(video.id);
  const canceled: Generation | null = await client.generations.cancel(music.id, { signal });
  const done: Generation = await client.generations.waitFor(video.id);

  // ---- comparisons ----
  const cmp: Comparison = await client.comparisons.create({ prompt: "a lighthouse", models: ["flux-pro", "sdxl-turbo"], params_shared: { num_outputs: 1 } });
  const cmpGot: Comparison = await client.comparisons.get(cmp.id);
  const cmpDone: Comparison = await client.comparisons.waitFor(cmp.id, {
    intervalMs: 500, maxIntervalMs: 5000, timeoutMs: 120_000, signal,
    onProgress: (c: Comparison) => { const n: number = c.generations.length; void n; },
  });
  const child: ComparisonGeneration | undefined = cmpDone.generations[0];
  const childError: string | null | undefined = child?.error_code;

  // ---- account endpoints ----
  const usage: Usage = await client.usage.get({ start: "2026-05-01T00:00:00Z", end: "2026-06-01T00:00:00Z", groupBy: "model" });
  const usageAll: Usage = await client.usage.get();
  const totalCredits: number | undefined = usage.total_credits;
  const models: ModelList = await client.models.list();
  const firstModel: string | undefined = models.data[0]?.id;
  const key: CreatedApiKey = await client.apiKeys.create({ name: "production-2026-q2", scopes: ["generations:read"] });
  const secret: string | undefined = key.key;
  const updated: ApiKey = await client.apiKeys.update(key.id, { ipAllowlist: ["203.0.113.0/24", "2001:db8::/32"] });
  const revoked: ApiKey | null = await client.apiKeys.revoke(key.id);
  // @ts-expect-error revoke may resolve to null (an empty success body)
  const revokedKey: ApiKey = await client.apiKeys.revoke(key.id);
  const hook: Webhook = await client.webhooks.create({ url: "https://example.com/hook", events: ["generation.completed", "*"] });
  const whsec: string | undefined = hook.secret;

  void [image, mesh, big, big2, chat, got, canceled, done, cmpGot, childError, usageAll, totalCredits, firstModel, secret, updated, revoked, revokedKey, whsec];
}

async function shapes(id: string): Promise<void> {
  const g = await client.generations.get(id);
  // Documented enums narrow, and unknown strings still type-check.
  const status: GenerationStatus = g.status;
  if (status === "succeeded") {
    const out: GenerationOutput | undefined = g.outputs[0];
    const url: string | undefined = out?.url;
    // duration_s is a string in the docs' example, a number elsewhere.
    const seconds: number = Number(out?.duration_s ?? 0);
    void url; void seconds;
  }
  const future: GenerationStatus = "paused-by-a-later-api-version";
  const credits: number = g.reserved_credits + g.charged_credits - g.refunded_credits;
  const hit: boolean = g.cache_hit;
  const cs: ComparisonStatus = "partial";
  const chat = await client.chat.create({ model: "m", messages: [{ content: "x" }] });
  const reply: string | undefined = chat.message?.content;
  // @ts-expect-error a ChatCompletion is not a Generation: no outputs
  chat.outputs;
  // @ts-expect-error nor reserved_credits
  chat.reserved_credits;
  const open: OpenEnum<"a" | "b"> = "c";
  void [future, credits, hit, cs, reply, open];
}

async function withResponse(): Promise<void> {
  // `withResponse: true` resolves to the whole RimpResponse.
  const r: RimpResponse<Generation> = await client.images.generate({ model: "m", prompt: "p" }, { withResponse: true });
  const requestId: string | null = r.requestId;
  const replayed: boolean = r.replayed;
  const attempts: number = r.attempts;
  const idem: string | null = r.idempotencyKey;
  const remaining: number | null | undefined = r.rateLimit?.remaining;
  const data: Generation = r.data;
  const waited: RimpResponse<Comparison> = await client.comparisons.waitFor("cmp_1", { withResponse: true });
  const listed: RimpResponse<ModelList> = await client.models.list({ withResponse: true });
  const usage: RimpResponse<Usage> = await client.usage.get(undefined, { withResponse: true });
  const updated: RimpResponse<ApiKey> = await client.apiKeys.update("key_1", { name: "renamed" }, { withResponse: true });
  // `false` or absent: the body.
  const body: Generation = await client.generations.get("gen_1", { withResponse: false });
  // Options typed as plain CallOptions (no withResponse): the body.
  const co: CallOptions = { timeoutMs: 5000 };
  const viaCallOptions: Generation = await client.generations.get("gen_1", co);
  // A non-literal flag: either shape.
  const flag: boolean = Math.random() > 0.5;
  const either: Generation | RimpResponse<Generation> = await client.videos.create({ model: "m", prompt: "p" }, { withResponse: flag });
  // @ts-expect-error with withResponse: true the result is a RimpResponse, not a Generation
  const wrong: Generation = await client.images.generate({ model: "m", prompt: "p" }, { withResponse: true });
  // @ts-expect-error the body alone has no requestId
  (await client.generations.get("gen_1")).requestId;
  void [requestId, replayed, attempts, idem, remaining, data, waited, listed, usage, updated, body, viaCallOptions, either, wrong];
}

async function waiting(): Promise<void> {
  const opts: WaitOptions<Generation> = {
    intervalMs: 1000, maxIntervalMs: 10_000, timeoutMs: 300_000,
    onProgress: (g) => { const s: GenerationStatus = g.status; void s; },
  };
  const g: Generation = await client.generations.waitFor("gen_1", opts);
  // A failed generation resolves: check status.
  if (g.status === "failed") void g.error?.message;
  // @ts-expect-error onProgress receives a Generation, not a Comparison
  await client.generations.waitFor("gen_1", { onProgress: (c: Comparison) => void c.generations });
  // @ts-expect-error intervalMs is a number
  await client.generations.waitFor("gen_1", { intervalMs: "1s" });
  // @ts-expect-error waitFor needs the id
  await client.comparisons.waitFor();
}

async function wrongParams(): Promise<void> {
  // @ts-expect-error prompt is required
  await client.images.generate({ model: "flux-pro" });
  // @ts-expect-error num_outputs is a number (1–4)
  await client.images.generate({ model: "m", prompt: "p", num_outputs: "2" });
  // @ts-expect-error a typo is not a parameter (excess property check)
  await client.images.generate({ model: "m", prompt: "p", num_output: 2 });
  // @ts-expect-error aspect_ratio is a string
  await client.images.generate({ model: "m", prompt: "p", aspect_ratio: 1.5 });
  // @ts-expect-error duration_s is a number on the way in
  await client.videos.create({ model: "m", prompt: "p", duration_s: "4" });
  // @ts-expect-error with_vocals is a boolean
  await client.music.create({ model: "m", prompt: "p", with_vocals: "yes" });
  // @ts-expect-error image_url is required for upscale
  await client.upscale.create({ model: "real-esrgan" });
  // @ts-expect-error scale_factor is "2" | "4" (or 2 | 4)
  await client.upscale.create({ model: "m", image_url: "u", scale_factor: 3 });
  // @ts-expect-error texture_size is a string enum, not a number
  await client.threeD.create({ model: "m", prompt: "p", texture_size: 2048 });
  // @ts-expect-error messages are objects with content
  await client.chat.create({ model: "m", messages: ["hi"] });
  // @ts-expect-error models is a string array
  await client.comparisons.create({ prompt: "p", models: "flux-pro" });
  // @ts-expect-error the API's camelCase field is ipAllowlist
  await client.apiKeys.update("key_1", { ip_allowlist: ["203.0.113.0/24"] });
  // @ts-expect-error update needs the id first
  await client.apiKeys.update({ ipAllowlist: [] });
  // @ts-expect-error events is required
  await client.webhooks.create({ url: "https://example.com/hook" });
  // @ts-expect-error the query name is groupBy (sent as group_by)
  await client.usage.get({ group_by: "day" });
  // @ts-expect-error ids are strings
  await client.generations.get(42);
  // @ts-expect-error images has generate, not create
  await client.images.create({ model: "m", prompt: "p" });
  // @ts-expect-error withResponse is a boolean
  await client.models.list({ withResponse: "yes" });
  // @ts-expect-error an unknown call option
  await client.models.list({ retries: 2 });
  // @ts-expect-error the namespaces are read-only
  client.images = client.images;
}

// The named types are usable on their own.
const params: ImageGenerateParams = { model: "m", prompt: "p" };
const vp: VideoCreateParams = { model: "m", prompt: "p" };
const up: UpscaleCreateParams = { model: "m", image_url: "u" };
const tp: ThreeDCreateParams = { model: "m", prompt: "p" };
const cp: ChatCreateParams = { model: "m", messages: [] };
const q: UsageQuery = { groupBy: "api_key" };
const o: ResourceCallOptions = { withResponse: true, signal: AbortSignal.timeout(1000) };
const images: ImagesResource = client.images;
const gens: GenerationsResource = client.generations;

void [everyMethod, shapes, withResponse, waiting, wrongParams, params, vp, up, tp, cp, q, o, images, gens];

// ---- webhooks.unwrap: the event union narrows on `type` ----
async function webhookEvents(raw: string, headers: Record<string, string | string[] | undefined>): Promise<void> {
  const verifier = new RimpClient({ webhookSecret: "whsec_x" });
  const e: WebhookEvent = await verifier.webhooks.unwrap(raw, headers, { toleranceSec: 60 });
  await verifier.webhooks.unwrap(new Uint8Array(0), { get: (_name: string) => null }, { secret: "whsec_y" });
  // @ts-expect-error the payload is the raw body, not a parsed object
  await verifier.webhooks.unwrap({ type: "x" }, headers);
  const delivery: string | null = e.deliveryId;
  switch (e.type) {
    case "generation.completed": { const id: string = e.data.generation_id; break; }
    case "generation.failed": { const m: string | undefined = e.data.error?.message; break; }
    case "comparison.completed": { const id: string = e.data.comparison_id; break; }
    case "usage.anomaly_detected": { const at: string | undefined = e.data.resumes_at; break; }
    default: { const t: string = e.type; const data = e.data as Record<string, unknown>; }
  }
  try {
    await verifier.webhooks.unwrap(raw, headers);
  } catch (err) {
    if (err instanceof WebhookVerificationError && err.code === "signature_mismatch") return;
  }
}
void webhookEvents;
