// An ES module under node16/nodenext.
import { RimpClient, RimpError, isRimpError, type ClientOptions, type ModelList, type Generation, type RimpResponse } from "rimp-client";
import { init } from "rimp-client/manual";

const options: ClientOptions = { baseUrl: "http://127.0.0.1:8787", apiKey: "sk_test_consumers", maxRetries: 2 };
const client = new RimpClient(options);

export async function run(): Promise<string> {
  try {
    const list: ModelList = await client.models.list();
    const image: Generation = await client.images.generate({ model: "flux-pro", prompt: "a lighthouse" });
    const res: RimpResponse<ModelList> = await client.models.list({ withResponse: true });
    const id: string | null = res.requestId;
    return `${list.data.length} ${image.status} ${id}`;
  } catch (e) {
    if (e instanceof RimpError) return e.name;
    if (isRimpError(e)) return e.message;
    throw e;
  }
}
export const ready: Promise<unknown> = init();
