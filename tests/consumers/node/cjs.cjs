const { RimpClient, RimpError, isRimpError } = require("rimp-client");

const client = new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers" });
client.models.list().then((list) => {
  console.log(JSON.stringify({ resolved: require.resolve("rimp-client"), models: list.data.length, first: list.data[0]?.id, exports: typeof RimpError === "function" && !isRimpError(new Error("x")) }));
});
