// Jest 30 with its default config: CommonJS, testEnvironment "node". (In __tests__/ rather than *.test.js so that `node --test` over tests/ does not pick it up.)
const { RimpClient, RimpError, isRimpError } = require("rimp-client");

test("models.list() against rimp-mock", async () => {
  const client = new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers" });
  const list = await client.models.list();
  expect(list.data.length).toBeGreaterThan(0);
  expect(typeof RimpError).toBe("function");
  expect(isRimpError(new Error("x"))).toBe(false);
});
