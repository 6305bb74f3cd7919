// A route handler: the call runs on the server, with the key from the environment.
import { RimpClient, isRimpError } from "rimp-client";

export const dynamic = "force-dynamic";

export async function GET() {
  const client = new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers_server" });
  try {
    const image = await client.images.generate({ model: "flux-pro", prompt: "a lighthouse at dusk" });
    return Response.json({ ok: true, id: image.id, status: image.status, outputs: image.outputs.length });
  } catch (e) {
    return Response.json({ ok: false, rimp: isRimpError(e), error: String(e) }, { status: 500 });
  }
}
