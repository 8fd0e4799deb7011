import http from "node:http";
import net from "node:net";

// Requests sent over a real socket exactly as written: supertest (superagent) resolves dot segments in paths and
// re-encodes bodies and headers, which is what hostile-input tests must not have done for them.

export interface WireRequest {
  method?: string;
  path: string;
  /** null leaves a header out */
  headers?: Record<string, string | null>;
  body?: Buffer | string;
  /** send the body chunked instead of with a Content-Length */
  chunked?: boolean;
}

export interface WireAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the JSON body, {} when empty, { text } when not JSON */
  body: Record<string, unknown>;
}

export function sendHttp(
  port: number,
  { method = "POST", path, headers = {}, body, chunked = false }: WireRequest,
): Promise<WireAnswer> {
  // Node's client gives a GET's body no Content-Length by itself: the server would read it as a next request.
  const length: Record<string, string> =
    body === undefined || chunked ? {} : { "content-length": String(Buffer.byteLength(body)) };
  const sent = Object.fromEntries(
    Object.entries({ ...length, ...headers }).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  return new Promise((resolve, reject) => {
    const call = http.request({ host: "127.0.0.1", port, method, path, headers: sent, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: jsonOrText(Buffer.concat(chunks).toString("utf8")),
        }),
      );
    });
    // An early answer (413, 401) may close the socket while the body is still being written: the answer decides.
    call.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
    );
    if (body !== undefined && chunked) call.write(body);
    call.end(chunked ? undefined : body);
  });
}

function jsonOrText(text: string): Record<string, unknown> {
  try {
    return text === "" ? {} : JSON.parse(text);
  } catch {
    return { text };
  }
}

/** Raw bytes on a socket, for what no HTTP client would send: the status of the first answer, or null if the
 *  server closed the connection without one. A client that stops mid-request is one that closes its side after
 *  `stalledMs` without an answer; Node then aborts the request (and answers 400 if it still can). */
export function sendRaw(port: number, bytes: Buffer | string, stalledMs = 200): Promise<number | null> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    const stalled = setTimeout(() => socket.end(), stalledMs);
    const done = (status: number | null) => {
      clearTimeout(stalled);
      socket.destroy();
      resolve(status);
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const head = /^HTTP\/1\.[01] (\d{3}) [\s\S]*?\r\n\r\n/.exec(received.toString("latin1"));
      if (head) done(Number(head[1]));
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error),
    );
    socket.on("close", () => done(null));
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer within 10 s")));
  });
}
