export interface AttemptResult {
  status: number | null;
  error: string | null;
  durationMs: number;
  /** The first KiB of the answer. */
  response: string | null;
  retryAfter: string | null;
}

const RESPONSE_KEPT_BYTES = 1024;

/** One POST; never throws. Redirects are not followed: a 3xx is a failure, as Standard Webhooks says. */
export async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const answer = await fetch(url, {
      method: "POST",
      headers: { ...headers, "user-agent": "douane-callback-receiver" },
      body,
      redirect: "manual",
      signal,
    });
    const response = await firstBytes(answer, signal);
    return {
      status: answer.status,
      error: null,
      durationMs: elapsed(),
      response,
      retryAfter: answer.headers.get("retry-after"),
    };
  } catch (error) {
    const timedOut = signal.aborted;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = timedOut
      ? `timeout after ${timeoutMs} ms`
      : `${cause?.code ?? "connection error"}: ${cause?.message ?? (error as Error).message}`;
    return { status: null, error: reason.slice(0, 500), durationMs: elapsed(), response: null, retryAfter: null };
  }
}

async function firstBytes(answer: Response, signal: AbortSignal): Promise<string | null> {
  if (!answer.body) return null;
  const reader = answer.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_KEPT_BYTES && !signal.aborted) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // an answer cut short still counts by its status
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString("utf8");
}
