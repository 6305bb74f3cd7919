// One-call app: ky (retries GET on 408/413/429/500/502/503/504 by default).
import ky from "ky";
const g = globalThis;
const models = await ky.get(`${g.RIMP_API ?? "https://api.rimp.io"}/v1/models`, { headers: { authorization: `Bearer ${g.RIMP_KEY ?? "sk_test_app"}` } }).json();
g.appDone ? g.appDone(models) : console.log(models);
