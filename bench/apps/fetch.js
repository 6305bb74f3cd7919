// One-call app: bare fetch (no retries, no typed errors).
const g = globalThis;
const res = await fetch(`${g.RIMP_API ?? "https://api.rimp.io"}/v1/models`, { headers: { authorization: `Bearer ${g.RIMP_KEY ?? "sk_test_app"}` } });
if (!res.ok) throw new Error(`HTTP ${res.status}`);
const models = await res.json();
g.appDone ? g.appDone(models) : console.log(models);
