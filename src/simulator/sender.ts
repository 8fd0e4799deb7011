import { SIMULATED_HEADER } from "../intake/ingest";
import type { PlannedCall } from "./plan";
import type { Answer } from "./summary";

export interface SendOptions {
  /** The receiver's base URL, base path included: http://localhost:8080/dh7 */
  url: string;
  token: string;
  /** The header the receiver reads the token from; `authorization` gets `Bearer <token>`, any other the bare token. */
  header: string;
  /** Requests per second; 0: as fast as `concurrency` allows. */
  rate: number;
  /** Requests in flight at most. */
  concurrency: number;
  timeoutMs: number;
}

/** Sends the planned calls as Douane would (POST, JSON, the token in the configured header), paced at `rate`. */
export async function sendAll(
  calls: PlannedCall[],
  options: SendOptions,
  onAnswer: (answer: Answer) => void = () => {},
): Promise<{ answers: Answer[]; elapsedMs: number }> {
  const base = options.url.replace(/\/+$/, "");
  const tokenHeader = options.header.toLowerCase() === "authorization" ? `Bearer ${options.token}` : options.token;
  const start = performance.now();
  const answers: Answer[] = new Array(calls.length);
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const call = calls[next++];
      if (options.rate > 0) await sleep(start + (call.index * 1000) / options.rate - performance.now());
      const answer = await send(
        call,
        `${base}${call.callback.path}`,
        { [options.header]: tokenHeader },
        options.timeoutMs,
      );
      answers[call.index] = answer;
      onAnswer(answer);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, calls.length)) }, worker));
  return { answers, elapsedMs: performance.now() - start };
}

async function send(call: PlannedCall, url: string, auth: Record<string, string>, timeoutMs: number): Promise<Answer> {
  const sentAt = performance.now();
  const outcome = { index: call.index, kind: call.kind, expectedStatus: call.expectedStatus };
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "douane-callback-receiver-simulator",
        [SIMULATED_HEADER]: "true",
        ...auth,
      },
      body: JSON.stringify(call.callback.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { ...outcome, status: response.status, body: jsonObjectOrNull(text), latencyMs: performance.now() - sentAt };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ...outcome,
      status: null,
      body: null,
      latencyMs: performance.now() - sentAt,
      error: cause ?? (error as Error).name,
    };
  }
}

function jsonObjectOrNull(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
