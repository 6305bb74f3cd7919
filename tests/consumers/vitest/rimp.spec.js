// Run with --environment node, jsdom and happy-dom (vitest's default config otherwise). Named *.spec.js so that `node --test` over tests/ does not pick it up.
import { test, expect } from "vitest";
import { RimpClient, RimpError, isRimpError } from "rimp-client";

test("models.list() against rimp-mock", async () => {
  // jsdom and happy-dom define `document`, so the client needs dangerouslyAllowBrowser for a key.
  const client = new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers", dangerouslyAllowBrowser: true });
  const list = await client.models.list();
  expect(list.data.length).toBeGreaterThan(0);
  expect(typeof RimpError).toBe("function");
  expect(isRimpError(new Error("x"))).toBe(false);
});
