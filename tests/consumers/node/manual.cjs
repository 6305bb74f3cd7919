const { init, RimpClient, RimpError, isRimpError } = require("rimp-client/manual");

init() // in Node, reads rimp_client_bg.wasm from the package directory
  .then(() => new RimpClient({ baseUrl: process.env.RIMP_MOCK_URL, apiKey: "sk_test_consumers" }).models.list())
  .then((list) => {
    console.log(JSON.stringify({ models: list.data.length, first: list.data[0]?.id, exports: typeof RimpError === "function" && !isRimpError(new Error("x")) }));
  });
