
// ---- Resource types (js/resources.d.ts), appended by wasm-bindgen ----
//
// Shapes follow the Rimp API reference (see docs/api-notes.md for the ones it leaves open). Field names are the API's own (snake_case on the wire, as you
// pass and receive them). Documented enums are string-literal unions that still accept other
// strings, so a value the API adds later is not a type error. Where the docs show no schema
// (usage, models, api-keys, webhooks, the cancel answer) the types are a documented guess:
// every field optional, unknown fields allowed.

/** One of the documented values, or another string (a value the API may add later). */
export type OpenEnum<T extends string> = T | (string & {});

// ---- Generation ----

/** `queued` → `running` → `succeeded` | `failed` | `canceled` (the last three are terminal). */
export type GenerationStatus = OpenEnum<"queued" | "running" | "succeeded" | "failed" | "canceled">;
export type Modality = OpenEnum<"image" | "video" | "voice" | "music" | "avatar" | "chat" | "3d" | "upscale">;

/** One output file of a generation. */
export interface GenerationOutput {
  id: string;
  mime: string;
  width?: number | null;
  height?: number | null;
  /** Length in seconds. A **string** in the API's own example (`"4"`), a number elsewhere: read it with `Number(output.duration_s)`. */
  duration_s?: string | number | null;
  url: string;
}

/**
 * An image, video, music, 3D or upscale job. Synchronous endpoints (`images.generate`) may still
 * answer with a non-terminal `status`: check it, or call `generations.waitFor(id)`.
 */
export interface Generation {
  /** `gen_…` */
  id: string;
  object: OpenEnum<"generation">;
  status: GenerationStatus;
  modality: Modality;
  prompt: string;
  /** The request's parameters, free-form. */
  params: Record<string, unknown>;
  /** Credits held when the job was created. */
  reserved_credits: number;
  charged_credits: number;
  /** A failed job is refunded automatically. */
  refunded_credits: number;
  cache_hit: boolean;
  outputs: GenerationOutput[];
  /** Not in the docs' schema (sent by rimp-mock). */
  model?: string;
  /** Not in the docs' schema (sent by rimp-mock). ISO 8601. */
  created_at?: string;
  /** Not in the docs' schema (sent by rimp-mock). ISO 8601, null until terminal. */
  finished_at?: string | null;
  /** Not in the docs' schema (sent by rimp-mock): why a `failed` job failed. */
  error?: { code?: string; message?: string } | null;
  /** Not in the docs' schema (sent by rimp-mock): the comparison this job belongs to. */
  comparison_id?: string | null;
}

// ---- Params of the generation endpoints ----

/** `POST /v1/images` (synchronous). */
export interface ImageGenerateParams {
  model: string;
  prompt: string;
  aspect_ratio?: OpenEnum<"1:1" | "3:2" | "2:3" | "16:9" | "9:16"> | undefined;
  /** How many images, 1–4. */
  num_outputs?: number | undefined;
  negative_prompt?: string | undefined;
  /** Integer. */
  seed?: number | undefined;
}

/** `POST /v1/videos` (asynchronous: 202 and a `queued` generation). */
export interface VideoCreateParams {
  /** e.g. `"veo-3-1-fast"` */
  model: string;
  prompt: string;
  /** Whole seconds, 2–10. */
  duration_s?: number | undefined;
  aspect_ratio?: OpenEnum<"16:9" | "9:16" | "1:1"> | undefined;
  resolution?: OpenEnum<"720p" | "1080p"> | undefined;
  /** Image-to-video input (a URI). */
  image_url?: string | undefined;
  /** Integer. */
  seed?: number | undefined;
}

/** `POST /v1/music` (asynchronous). */
export interface MusicCreateParams {
  model: string;
  prompt: string;
  /** Whole seconds, 15–180. */
  duration_s?: number | undefined;
  with_vocals?: boolean | undefined;
}

/** `POST /v1/three-d` (asynchronous). */
export interface ThreeDCreateParams {
  model: string;
  /** At most 4000 characters. */
  prompt: string;
  /** Image-to-3D input (a URI). */
  image_url?: string | undefined;
  /** Texture edge in pixels, a **string** enum in the API (`"1024"`, `"2048"`, `"4096"`). */
  texture_size?: OpenEnum<"1024" | "2048" | "4096"> | undefined;
  mesh_complexity?: OpenEnum<"low" | "medium" | "high"> | undefined;
  rigged?: boolean | undefined;
  /** Integer. */
  seed?: number | undefined;
}

/** `POST /v1/upscale` (asynchronous). */
export interface UpscaleCreateParams {
  model: string;
  /** The image to upscale (a URI). Required. */
  image_url: string;
  /** A **string** enum in the API (`"2"`, `"4"`); the numbers 2 and 4 are accepted too and sent as given. */
  scale_factor?: OpenEnum<"2" | "4"> | 2 | 4 | undefined;
  face_enhance?: boolean | undefined;
}

// ---- Chat: not the Generation shape ----

/** A chat message. The docs' example shows only `content`. */
export interface ChatMessage {
  role?: OpenEnum<"system" | "user" | "assistant">;
  content: string;
}

/** `POST /v1/chat` (synchronous). */
export interface ChatCreateParams {
  model: string;
  /** 1–50 messages. */
  messages: ChatMessage[];
  /** 1–8000. */
  max_tokens?: number | undefined;
  /** 0–2. */
  temperature?: number | undefined;
  /** A separate field, not a message. At most 8000 characters. */
  system_prompt?: string | undefined;
}

/** A chat completion. Unlike a `Generation` it has no `reserved_credits`, `outputs`, `cache_hit` or `prompt`. */
export interface ChatCompletion {
  id: string;
  object: OpenEnum<"chat.completion">;
  status: OpenEnum<"succeeded" | "failed">;
  modality: OpenEnum<"chat">;
  /** The reply (null when `status` is `failed`). */
  message: ChatMessage | null;
  charged_credits: number;
  refunded_credits: number;
  /** Why it failed. */
  error_message?: string | null;
  /** Not in the docs' schema (sent by rimp-mock). */
  model?: string;
  /** Not in the docs' schema (sent by rimp-mock). ISO 8601. */
  created_at?: string;
}

// ---- Comparisons ----

/** `queued` → `running` → `succeeded` | `partial` | `failed` (terminal; there is no `canceled`). */
export type ComparisonStatus = OpenEnum<"queued" | "running" | "succeeded" | "partial" | "failed">;

/** `POST /v1/comparisons` (asynchronous). */
export interface ComparisonCreateParams {
  /** At most 4000 characters. */
  prompt: string;
  /** 2–12 model ids. */
  models: string[];
  /** Parameters sent to every model. */
  params_shared?: Record<string, unknown> | undefined;
}

/** One model's job inside a comparison. */
export interface ComparisonGeneration {
  id: string;
  model: string;
  /** A free string in the docs; in practice a generation status. */
  status: GenerationStatus;
  charged_credits: number;
  refunded_credits: number;
  /** Why this child failed (null otherwise). */
  error_code: string | null;
  outputs: GenerationOutput[];
  /** Not in the docs' schema (sent by rimp-mock). */
  modality?: Modality;
  /** Not in the docs' schema (sent by rimp-mock). */
  reserved_credits?: number;
}

/** One prompt across several models. */
export interface Comparison {
  /** `cmp_…` in rimp-mock. */
  id: string;
  object: OpenEnum<"comparison">;
  status: ComparisonStatus;
  prompt: string;
  params_shared: Record<string, unknown>;
  reserved_credits: number;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601, null until terminal. */
  finished_at: string | null;
  generations: ComparisonGeneration[];
}

// ---- Usage, models, API keys, webhooks (the API documents no schema for these; see docs/api-notes.md) ----

/** `GET /v1/usage` query. */
export interface UsageQuery {
  /** ISO 8601 date-time, e.g. `"2026-05-01T00:00:00Z"`. */
  start?: string | undefined;
  /** ISO 8601 date-time. */
  end?: string | undefined;
  /** Sent as `group_by`. */
  groupBy?: OpenEnum<"day" | "model" | "api_key"> | undefined;
}

/** Aggregated pay-as-you-go usage. **Guessed shape** (the docs show none): the fields rimp-mock sends. */
export interface Usage {
  object?: string;
  start?: string | null;
  end?: string | null;
  group_by?: string | null;
  total_credits?: number;
  total_refunded_credits?: number;
  total_generations?: number;
  data?: UsageGroup[];
  [field: string]: unknown;
}

/** One group of `Usage.data`. **Guessed shape.** */
export interface UsageGroup {
  /** The day, model or key id; `"total"` without `groupBy`. */
  group?: string;
  credits?: number;
  refunded_credits?: number;
  generations?: number;
  [field: string]: unknown;
}

/** `GET /v1/models`. **Guessed shape** (the docs show none). */
export interface ModelList {
  object?: string;
  data: Model[];
  [field: string]: unknown;
}

/** A model. **Guessed shape.** */
export interface Model {
  id: string;
  object?: string;
  modality?: Modality;
  description?: string;
  [field: string]: unknown;
}

export type ApiKeyScope = OpenEnum<"images:write" | "videos:write" | "generations:read" | "webhooks:manage">;

/** `POST /v1/api-keys`. */
export interface ApiKeyCreateParams {
  /** e.g. `"production-2026-q2"` */
  name: string;
  /** Not documented for the API (the docs set scopes in the dashboard); rimp-mock accepts it. Empty = full access. */
  scopes?: ApiKeyScope[] | undefined;
}

/** `PATCH /v1/api-keys/{id}`. */
export interface ApiKeyUpdateParams {
  /** IPv4/IPv6 CIDR blocks (Enterprise). The API's one **camelCase** field, sent as is. */
  ipAllowlist?: string[] | undefined;
  /** Not documented; rimp-mock accepts it. */
  name?: string | undefined;
}

/** An API key. **Guessed shape** (the docs show none). */
export interface ApiKey {
  /** `key_…` */
  id: string;
  object?: string;
  name?: string;
  scopes?: string[];
  created_at?: string;
  ip_allowlist?: string[];
  revoked?: boolean;
  revoked_at?: string | null;
  [field: string]: unknown;
}

/** The answer to `apiKeys.create`: the key itself is shown this once. **Guessed shape.** */
export interface CreatedApiKey extends ApiKey {
  /** The secret (`sk_test_…` / `sk_live_…`), returned only here. */
  key: string;
}

/** An event type a webhook subscribes to (`"*"`: every type). */
export type WebhookEventType = OpenEnum<
  "*" | "generation.completed" | "generation.failed" | "comparison.completed" | "usage.budget_threshold" | "usage.anomaly_detected"
>;

/** `POST /v1/webhooks`. */
export interface WebhookCreateParams {
  /** Your endpoint (https). */
  url: string;
  /** Events to send; `"*"` for all. */
  events: WebhookEventType[];
}

/** A webhook subscription. */
export interface Webhook {
  /** `whk_…` */
  id: string;
  url: string;
  events: string[];
  /** `whsec_…`: the signing secret, returned **only** by `create` (see `CreatedWebhook`). */
  secret?: string;
  object?: string;
  created_at?: string;
  [field: string]: unknown;
}

/** The answer to `webhooks.create`: the signing secret is shown this once. */
export interface CreatedWebhook extends Webhook {
  /** `whsec_…`: keep it (e.g. as the client's `webhookSecret`) to verify deliveries. */
  secret: string;
}

// ---- Webhook events (`webhooks.unwrap`) ----

/** Fields every delivered event has. */
export interface WebhookEventBase<T extends string, D> {
  /** `evt_…`: the same on every retry of a delivery (rimp-mock); dedupe on it. */
  id: string;
  type: T;
  /** ISO 8601. */
  created_at: string;
  /** The same instant in Unix seconds (sent by rimp-mock; not in the API's docs). */
  created?: number;
  data: D;
  /** `X-Rimp-Delivery` (`whd_…`), the same on every retry of one delivery; null when absent. */
  deliveryId: string | null;
}

/** `data` of `generation.completed`: the generation, plus `generation_id`. */
export interface GenerationEventData extends Partial<Generation> {
  generation_id: string;
  modality?: Modality;
  status?: GenerationStatus;
  charged_credits?: number;
  [field: string]: unknown;
}

/** `data` of `generation.failed`: the generation, refunded. */
export interface GenerationFailedEventData extends GenerationEventData {
  error?: { code?: string; message?: string; [field: string]: unknown } | null;
  refunded_credits?: number;
}

/** `data` of `comparison.completed`: the comparison, plus `comparison_id`. */
export interface ComparisonEventData extends Partial<Comparison> {
  comparison_id: string;
  [field: string]: unknown;
}

/** `data` of `usage.anomaly_detected`: an anomaly pause started. **Guessed shape** (rimp-mock's). */
export interface UsageAnomalyEventData {
  object?: OpenEnum<"usage.anomaly">;
  organization?: string;
  status?: OpenEnum<"paused">;
  reason?: OpenEnum<"manual" | "hourly_limit">;
  paused_at?: string;
  paused_until?: string;
  /** When calls resume (UTC, ISO 8601). */
  resumes_at?: string;
  retry_after_s?: number;
  pause_ms?: number;
  hourly_limit?: number;
  hourly_spend?: number;
  [field: string]: unknown;
}

/** `data` of `usage.budget_threshold` (a key's monthly budget at 50/80/100 %). **Undocumented
 *  shape**; rimp-mock never sends it. */
export interface UsageBudgetThresholdEventData {
  [field: string]: unknown;
}

export type GenerationCompletedEvent = WebhookEventBase<"generation.completed", GenerationEventData>;
export type GenerationFailedEvent = WebhookEventBase<"generation.failed", GenerationFailedEventData>;
export type ComparisonCompletedEvent = WebhookEventBase<"comparison.completed", ComparisonEventData>;
export type UsageAnomalyDetectedEvent = WebhookEventBase<"usage.anomaly_detected", UsageAnomalyEventData>;
export type UsageBudgetThresholdEvent = WebhookEventBase<"usage.budget_threshold", UsageBudgetThresholdEventData>;

/**
 * An event type this version does not know (the API may add some). Its `data` is typed `never`
 * so that checking `type` against a documented event narrows `data` exactly (a `string` member
 * with `data: unknown` would make every narrowed `data` `unknown`); read it with a cast, e.g.
 * `event.data as Record<string, unknown>`.
 */
export interface UnknownWebhookEvent {
  id: string;
  type: string;
  created_at: string;
  created?: number;
  data: never;
  deliveryId: string | null;
}

/** What `webhooks.unwrap` resolves to: discriminate on `type`. */
export type WebhookEvent =
  | GenerationCompletedEvent
  | GenerationFailedEvent
  | ComparisonCompletedEvent
  | UsageAnomalyDetectedEvent
  | UsageBudgetThresholdEvent
  | UnknownWebhookEvent;

/** Options of `webhooks.unwrap`. */
export interface WebhookUnwrapOptions {
  /** The signing secret (`whsec_…`); default: the client's `webhookSecret`. */
  secret?: string | undefined;
  /** The largest accepted |now − t|, in seconds (whole, ≥ 0). @default 300 */
  toleranceSec?: number | undefined;
}

/** The request headers: a `Headers`, or a plain record in any case (Node's `req.headers`). */
export type WebhookHeaders =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>;

// ---- Call options and method shapes ----

/** The options of every resource method: `CallOptions` plus `withResponse`. */
export interface ResourceCallOptions extends CallOptions {
  /**
   * Resolve to the whole `RimpResponse` (`data` plus `status`, `requestId`, `idempotencyKey`,
   * `replayed`, `rateLimit`, `attempts`) instead of the parsed body alone.
   * @default false
   */
  withResponse?: boolean | undefined;
}

/** The options of a GET: no `idempotencyKey` (a GET never carries one; it is refused). */
export type GetCallOptions = Omit<ResourceCallOptions, "idempotencyKey">;

/** Options that ask for the whole `RimpResponse` (every resource method and `waitFor`). */
export interface WithResponse {
  withResponse: true;
}

/** Options that ask for the body alone (the default). */
export interface BodyOnly {
  withResponse?: false | undefined;
}

/** `generations.waitFor` / `comparisons.waitFor` options. */
export interface WaitOptions<T = Generation | Comparison> extends Omit<CallOptions, "idempotencyKey"> {
  /** The first wait between polls, in ms; each next one is 1.5× longer (rounded up), up to `maxIntervalMs`. @default 1000 */
  intervalMs?: number | undefined;
  /** The cap of the growing interval (raised to `intervalMs` if lower). @default 10000 */
  maxIntervalMs?: number | undefined;
  /**
   * Here: the deadline for the **whole wait**, from the call (each poll keeps the client's
   * per-attempt timeout). When it passes — in a poll, in a retry wait, or between polls — the
   * wait rejects with a `TimeoutError` naming the last status. @default none (wait until terminal)
   */
  timeoutMs?: number | undefined;
  /** Called with the parsed object after the first poll and after each poll whose `status` changed (for a comparison: its own or any child's). Exceptions it throws are ignored. */
  onProgress?: ((current: T) => void) | undefined;
}

/** A method taking a params object: `images.generate`, `videos.create`, … */
export interface ParamsMethod<P, R> {
  (params: P, options: ResourceCallOptions & WithResponse): Promise<RimpResponse<R>>;
  (params: P, options?: ResourceCallOptions & BodyOnly): Promise<R>;
  (params: P, options?: ResourceCallOptions): Promise<R | RimpResponse<R>>;
}

/** A method taking an optional query object (`usage.get`, a GET). */
export interface QueryMethod<Q, R> {
  (query: Q | undefined, options: GetCallOptions & WithResponse): Promise<RimpResponse<R>>;
  (query?: Q, options?: GetCallOptions & BodyOnly): Promise<R>;
  (query?: Q, options?: GetCallOptions): Promise<R | RimpResponse<R>>;
}

/** A method taking only options (`models.list`, a GET). */
export interface OptionsMethod<R> {
  (options: GetCallOptions & WithResponse): Promise<RimpResponse<R>>;
  (options?: GetCallOptions & BodyOnly): Promise<R>;
  (options?: GetCallOptions): Promise<R | RimpResponse<R>>;
}

/** A method taking an id (percent-encoded into the path; an empty id is refused before sending). */
export interface IdMethod<R, O = ResourceCallOptions> {
  (id: string, options: O & WithResponse): Promise<RimpResponse<R>>;
  (id: string, options?: O & BodyOnly): Promise<R>;
  (id: string, options?: O): Promise<R | RimpResponse<R>>;
}

/** A method taking an id and a params object (`apiKeys.update`). */
export interface IdParamsMethod<P, R> {
  (id: string, params: P, options: ResourceCallOptions & WithResponse): Promise<RimpResponse<R>>;
  (id: string, params: P, options?: ResourceCallOptions & BodyOnly): Promise<R>;
  (id: string, params: P, options?: ResourceCallOptions): Promise<R | RimpResponse<R>>;
}

/** `waitFor(id, options)`; `withResponse: true` resolves to the last poll's `RimpResponse`. */
export interface WaitMethod<R> {
  (id: string, options: WaitOptions<R> & WithResponse): Promise<RimpResponse<R>>;
  (id: string, options?: WaitOptions<R> & BodyOnly): Promise<R>;
  (id: string, options?: WaitOptions<R> & { withResponse?: boolean }): Promise<R | RimpResponse<R>>;
}

// ---- The namespaces ----

/** `client.images` */
export interface ImagesResource {
  /** `POST /v1/images`: generate images (synchronous, but check `status`). */
  generate: ParamsMethod<ImageGenerateParams, Generation>;
}
/** `client.videos` */
export interface VideosResource {
  /** `POST /v1/videos`: queue a video; then `generations.waitFor(video.id)` or a webhook. */
  create: ParamsMethod<VideoCreateParams, Generation>;
}
/** `client.music` */
export interface MusicResource {
  /** `POST /v1/music`: queue a track. */
  create: ParamsMethod<MusicCreateParams, Generation>;
}
/** `client.threeD` */
export interface ThreeDResource {
  /** `POST /v1/three-d`: queue a 3D model. */
  create: ParamsMethod<ThreeDCreateParams, Generation>;
}
/** `client.upscale` */
export interface UpscaleResource {
  /** `POST /v1/upscale`: queue an upscale / restoration. */
  create: ParamsMethod<UpscaleCreateParams, Generation>;
}
/** `client.chat` */
export interface ChatResource {
  /** `POST /v1/chat`: a chat completion (synchronous). */
  create: ParamsMethod<ChatCreateParams, ChatCompletion>;
}
/** `client.generations` */
export interface GenerationsResource {
  /** `GET /v1/generations/{id}`: the polling endpoint of every async job. */
  get: IdMethod<Generation, GetCallOptions>;
  /**
   * `POST /v1/generations/{id}/cancel` (no body). Only `queued` and `running` jobs can be
   * canceled; otherwise a `ConflictError` with code `not_cancelable`. The API does not document
   * the success body: this resolves to what the server sends, parsed (a `Generation` from
   * rimp-mock), or `null` for an empty body.
   */
  cancel: IdMethod<Generation | null>;
  /**
   * Polls `GET /v1/generations/{id}` until the status is `succeeded`, `failed` or `canceled`,
   * and resolves with that generation: **a `failed` generation resolves, it does not reject**
   * (check `status`). Rejects only when a poll fails after its retries, at `timeoutMs`
   * (`TimeoutError`), or on abort (`AbortError`).
   */
  waitFor: WaitMethod<Generation>;
}
/** `client.comparisons` */
export interface ComparisonsResource {
  /** `POST /v1/comparisons`: one prompt across 2–12 models. */
  create: ParamsMethod<ComparisonCreateParams, Comparison>;
  /** `GET /v1/comparisons/{id}`, with every child generation. */
  get: IdMethod<Comparison, GetCallOptions>;
  /** Polls until `succeeded`, `partial` or `failed`, and resolves with the comparison (`partial` and `failed` resolve too). */
  waitFor: WaitMethod<Comparison>;
}
/** `client.usage` */
export interface UsageResource {
  /** `GET /v1/usage?start=&end=&group_by=` */
  get: QueryMethod<UsageQuery, Usage>;
}
/** `client.models` */
export interface ModelsResource {
  /** `GET /v1/models` */
  list: OptionsMethod<ModelList>;
}
/** `client.apiKeys` */
export interface ApiKeysResource {
  /** `POST /v1/api-keys`: the answer carries the secret key, shown only this once. */
  create: ParamsMethod<ApiKeyCreateParams, CreatedApiKey>;
  /** `PATCH /v1/api-keys/{id}`, e.g. `{ ipAllowlist: ["203.0.113.0/24"] }`. */
  update: IdParamsMethod<ApiKeyUpdateParams, ApiKey>;
  /**
   * `DELETE /v1/api-keys/{id}`: takes effect at once. The API does not document the success
   * body: this resolves to the key object the server sends (rimp-mock sends one), or `null`
   * for an empty body.
   */
  revoke: IdMethod<ApiKey | null>;
}
/** `client.webhooks` */
export interface WebhooksResource {
  /** `POST /v1/webhooks`: the answer carries the signing `secret`, shown only this once. */
  create: ParamsMethod<WebhookCreateParams, CreatedWebhook>;
  /**
   * Verifies a delivery and resolves to its event. Pass the **raw** body (as received, before
   * any JSON parsing) and the request's headers. Checks `X-Rimp-Signature` (HMAC-SHA-256 with
   * the secret, any `v1` may match, constant-time) and that its `t` is within `toleranceSec`
   * of now. Sends no request. Rejects with `WebhookVerificationError` (see its `code`), or
   * `InvalidRequestError` (`invalid_option`) for arguments of the wrong type.
   */
  unwrap(
    payload: string | Uint8Array | ArrayBuffer,
    headers: WebhookHeaders,
    options?: WebhookUnwrapOptions,
  ): Promise<WebhookEvent>;
}

export interface RimpClient {
  /** Image generation. */
  readonly images: ImagesResource;
  /** Video generation (async). */
  readonly videos: VideosResource;
  /** Music generation (async). */
  readonly music: MusicResource;
  /** 3D generation (async, `POST /v1/three-d`). */
  readonly threeD: ThreeDResource;
  /** Upscaling and restoration (async). */
  readonly upscale: UpscaleResource;
  /** Chat completions. */
  readonly chat: ChatResource;
  /** Get, cancel and wait for generations. */
  readonly generations: GenerationsResource;
  /** Multi-model comparisons. */
  readonly comparisons: ComparisonsResource;
  /** Aggregated usage. */
  readonly usage: UsageResource;
  /** The model catalogue. */
  readonly models: ModelsResource;
  /** API key management. */
  readonly apiKeys: ApiKeysResource;
  /** Webhook subscriptions. */
  readonly webhooks: WebhooksResource;
}
