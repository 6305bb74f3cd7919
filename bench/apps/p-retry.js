// One-call app: p-retry wrapping a bare fetch (3 retries on any failure).
import pRetry from "p-retry";
const g = globalThis;
const models = await pRetry(async () => {
  const res = await fetch(`${g.RIMP_API ?? "https://api.rimp.io"}/v1/models`, { headers: { authorization: `Bearer ${g.RIMP_KEY ?? "sk_test_app"}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}, { retries: 3 });
g.appDone ? g.appDone(models) : console.log(models);
