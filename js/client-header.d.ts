// Type declarations of rimp-client. They name no DOM-only type, so they check with or without
// the DOM lib (a Node-only project with `types: ["node"]` and `skipLibCheck: false` included).
