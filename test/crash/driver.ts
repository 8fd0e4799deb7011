// The crash test's load generator, in a process of its own so that killing the server cannot take it along.
// It posts distinct H7 callbacks, `concurrency` at a time, until the server is gone or it is told to stop, and
// reports what it sent (messageId → SHA-256 of the exact bytes) and which of those were answered 200.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { errorH7Example, paths, registrationH7Example, responseH7Example } from "../support/examples";

export interface DriverStart {
  port: number;
  token: string;
  concurrency: number;
  label: string;
}

export interface DriverReport {
  /** [messageId, sha256 of the body] of every request written to a socket */
  sent: [string, string][];
  /** [messageId, id] of every 200 */
  acked: [string, number][];
  statuses: Record<string, number>;
  /** how the loops ended: the network error each one met (the server was killed) */
  errors: Record<string, number>;
  /** answers that were not { id, messageId: <the one sent>, duplicate: false } */
  anomalies: string[];
}

let stopping = false;
let sequence = 0;

function nextCallback(label: string): { path: string; messageId: string; body: Buffer } {
  const messageId = `${label}-${++sequence}-${randomBytes(6).toString("hex")}`;
  const kind = sequence % 3;
  const errors = Array.from({ length: 1 + (sequence % 40) }, (_, i) => ({
    errorType: 15,
    errorCode: `H7_NAT_${String(i).padStart(3, "0")}`,
    errorDescription: `Déclaration n°${sequence} refusée ✓ — ${"é".repeat(i % 7)}`,
  }));
  const message =
    kind === 0
      ? { ...errorH7Example, header: { ...errorH7Example.header, messageId }, error: errors }
      : kind === 1
        ? { ...registrationH7Example, header: { ...registrationH7Example.header, messageId } }
        : { ...responseH7Example, header: { ...responseH7Example.header, messageId } };
  const path = kind === 0 ? paths.error : kind === 1 ? paths.registration("REQ0001") : paths.response("228231995374");
  // Some bodies indented: the stored bytes must be the ones sent, not a re-serialisation.
  return { path, messageId, body: Buffer.from(JSON.stringify(message, null, sequence % 5 === 0 ? 2 : undefined)) };
}

function post(
  agent: http.Agent,
  start: DriverStart,
  path: string,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: "127.0.0.1",
        port: start.port,
        method: "POST",
        path,
        headers: {
          authorization: `Bearer ${start.token}`,
          "content-type": "application/json",
          "content-length": body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function run(start: DriverStart): Promise<DriverReport> {
  const report: DriverReport = { sent: [], acked: [], statuses: {}, errors: {}, anomalies: [] };
  const agent = new http.Agent({ keepAlive: true, maxSockets: start.concurrency });
  let announced = false;
  const loop = async () => {
    while (!stopping) {
      const { path, messageId, body } = nextCallback(start.label);
      report.sent.push([messageId, createHash("sha256").update(body).digest("hex")]);
      let answer: Awaited<ReturnType<typeof post>>;
      try {
        answer = await post(agent, start, path, body);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        report.errors[code] = (report.errors[code] ?? 0) + 1;
        return; // the server is gone: this loop is done
      }
      report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
      if (answer.status !== 200) continue;
      const acked = JSON.parse(answer.text) as { id: number; messageId: string; duplicate: boolean };
      if (acked.messageId !== messageId || acked.duplicate !== false)
        report.anomalies.push(`${messageId}: ${answer.text}`);
      report.acked.push([messageId, acked.id]);
      if (!announced) {
        announced = true;
        process.send?.({ type: "loaded" });
      }
    }
  };
  await Promise.all(Array.from({ length: start.concurrency }, loop));
  agent.destroy();
  return report;
}

process.on("message", (message: { type: "start"; start: DriverStart } | { type: "stop" }) => {
  if (message.type === "stop") {
    stopping = true;
    return;
  }
  run(message.start).then(
    (report) => process.send?.({ type: "report", report }, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
