import path from "node:path";
import { Piscina } from "piscina";
import { asBuffer } from "../db/driver";
import type { ApiDefinition } from "../douane/apis";
import type { ApiSettings } from "../douane/registry";
import { COMPRESSED_FROM_BYTES } from "../messages/stored-body";
import { type ArrivedBody, type ReadMessage, readMessage } from "./read-message";

/** From this size a body is read on a worker thread. Reading a body (UTF-8, JSON, the repeated-member check, the
 *  schema, SHA-256) costs about 25 µs at Douane's usual 0.5–1 KB, less than handing it to a thread and back; a
 *  600 KB Error_H7 costs about 7 ms, which on the event loop would hold every other callback that long. The same
 *  size as the one from which a body is stored compressed, so that compressing is done there too. */
const OFF_THREAD_BYTES = COMPRESSED_FROM_BYTES;

/** Reads callbacks' bodies (read-message.ts): a small one at once, a large one on a worker thread, started at the
 *  first large body and kept for the next ones. */
export class MessageReader {
  private pool: Piscina | null = null;

  constructor(
    private readonly apis: ApiDefinition[],
    /** The same APIs as settings, without their tokens: how the worker thread builds its definitions. */
    private readonly settings: ApiSettings[],
    private readonly offThreadBytes = OFF_THREAD_BYTES,
  ) {}

  async read(api: ApiDefinition, arrived: ArrivedBody): Promise<ReadMessage> {
    if (arrived.rawBody.length < this.offThreadBytes) return readMessage(api, arrived);
    this.pool ??= this.startPool();
    const read: ReadMessage = await this.pool.run({ api: api.name, arrived });
    // A Buffer comes back from the worker thread as a plain Uint8Array.
    if (read.checked.refusal === null) read.checked.stored.rawBody = asBuffer(read.checked.stored.rawBody) as Buffer;
    return read;
  }

  /** Bodies read on the worker thread so far. */
  get readOffThread(): number {
    return this.pool?.completed ?? 0;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  private startPool(): Piscina {
    const workerData = this.settings
      .filter((settings) => this.apis.some((api) => api.name === settings.name))
      .map(({ token: _token, ...withoutToken }) => withoutToken);
    // From compiled JavaScript the worker runs its .js file; from TypeScript (tests, tsx) it is compiled on load.
    const compiled = __filename.endsWith(".js");
    return new Piscina({
      filename: path.join(__dirname, `read-worker${compiled ? ".js" : ".ts"}`),
      execArgv: compiled ? [] : ["--require", require.resolve("tsx/cjs")],
      minThreads: 1,
      maxThreads: 1,
      workerData,
    });
  }
}
