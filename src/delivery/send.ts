import http from "node:http";
import https from "node:https";

export interface AttemptResult {
  status: number | null;
  error: string | null;
  durationMs: number;
  /** The first KiB of the answer. */
  response: string | null;
  retryAfter: string | null;
}

const RESPONSE_KEPT_BYTES = 1024;
/** Statuses whose answer has no body: the response is then null rather than empty. */
const NO_BODY = new Set([101, 204, 205, 304]);

/** node:http rather than fetch: undici's fetch cost about 0.25 ms of the event loop per request, which the intake
 *  shares. Connections are kept alive, the most recently used first, so the idle ones time out. */
const agents = {
  "http:": new http.Agent({ keepAlive: true, scheduling: "lifo" }),
  "https:": new https.Agent({ keepAlive: true, scheduling: "lifo" }),
};

/** One POST; never throws. Redirects are not followed: a 3xx is a failure, as Standard Webhooks says. */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    /** Set once the status has come: settles with it and what was read of the answer. */
    let answered: (() => void) | null = null;
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const failed = (reason: string) =>
      settle({ status: null, error: reason.slice(0, 500), durationMs: elapsed(), response: null, retryAfter: null });
    const target = new URL(url);
    const payload = Buffer.from(body, "utf8");
    const request = (target.protocol === "https:" ? https : http).request(
      target,
      {
        method: "POST",
        agent: agents[target.protocol as keyof typeof agents],
        headers: { ...headers, "user-agent": "douane-callback-receiver", "content-length": payload.length },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        let size = 0;
        answered = () => {
          const status = answer.statusCode ?? null;
          const retryAfter = answer.headers["retry-after"];
          settle({
            status,
            error: null,
            durationMs: elapsed(),
            response:
              status !== null && NO_BODY.has(status)
                ? null
                : Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString("utf8"),
            retryAfter: retryAfter === undefined ? null : String(retryAfter),
          });
        };
        answer.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size < RESPONSE_KEPT_BYTES) return;
          answered?.();
          answer.destroy(); // the rest is not read (nor is the connection reused)
        });
        answer.on("end", () => answered?.());
        // an answer cut short still counts by its status
        answer.on("error", () => answered?.());
      },
    );
    const timer = setTimeout(() => {
      if (answered) answered();
      else failed(`timeout after ${timeoutMs} ms`);
      request.destroy();
    }, timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) answered();
      else failed(`${error.code ?? "connection error"}: ${error.message}`);
    });
    request.end(payload);
  });
}
