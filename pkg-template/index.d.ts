export * from "./rimp_client.js";
export { default as init } from "./rimp_client.js";
