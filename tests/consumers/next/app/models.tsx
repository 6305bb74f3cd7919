"use client";

// A client component: the call runs in the browser, against rimp-mock (its URL comes in ?api=…).
import { useEffect, useState } from "react";
import { RimpClient, RimpError, isRimpError } from "rimp-client";

export default function Models() {
  const [text, setText] = useState("");
  useEffect(() => {
    const api = new URLSearchParams(window.location.search).get("api") ?? "";
    const client = new RimpClient({ baseUrl: api, apiKey: "sk_test_consumers", dangerouslyAllowBrowser: true });
    client.models.list().then(
      (list) => {
        const shape = typeof RimpError === "function" && isRimpError(new Error("x")) === false;
        setText(`ok models=${list.data.length} first=${list.data[0]?.id} exports=${shape}`);
      },
      (e: unknown) => setText(`error ${(e as Error)?.name}: ${(e as Error)?.message}`),
    );
  }, []);
  return <pre id="out">{text}</pre>;
}
