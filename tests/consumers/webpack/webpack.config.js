// A stock webpack 5 setup: one entry, production mode, output in dist/.
const path = require("node:path");

module.exports = {
  entry: "./src/main.js",
  output: { path: path.resolve(__dirname, "dist"), filename: "main.js", publicPath: "auto", clean: true },
};
