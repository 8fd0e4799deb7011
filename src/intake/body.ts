import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { errors } from "../http/error-catalog";

/** Bytes of request bodies held in memory by this process, across all requests: what bounds its memory under
 *  a flood of large bodies. A body's bytes are counted from the moment they are expected until its answer. */
export class InflightBytes {
  private used = 0;

  constructor(
    readonly max: number,
    private readonly observe: (held: number, refused: boolean) => void = () => {},
  ) {}

  get held(): number {
    return this.used;
  }

  reserve(bytes: number): boolean {
    const refused = this.used + bytes > this.max;
    if (!refused) this.used += bytes;
    this.observe(this.used, refused);
    return !refused;
  }

  release(bytes: number): void {
    this.used -= bytes;
    this.observe(this.used, false);
  }
}

const awaitingContinue = new WeakSet<IncomingMessage>();

/** The listener for a server's 'checkContinue' event: instead of Node's immediate 100 Continue, the app answers,
 *  and `readBody` sends 100 Continue only once the caller is authenticated and its body has room. */
export function deferContinue(app: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    app(req, res);
  };
}

/** Reads the raw body into `req.body` as the bytes on the wire (no decoding of any Content-Encoding), within
 *  `limit` bytes per body and `inflight` bytes for the process. Errors carry body-parser's `type` names. */
export function readBody(limit: number, inflight: InflightBytes): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers["content-length"] === undefined ? null : Number(req.headers["content-length"]);
    if (declared !== null && declared > limit) return next(tooLarge(limit, declared));
    let held = 0;
    const hold = (bytes: number) => inflight.reserve(bytes) && ((held += bytes), true);
    res.once("close", () => {
      inflight.release(held);
      held = 0;
    });
    if (declared !== null && !hold(declared)) return next(errors.busy());
    if (awaitingContinue.delete(req)) res.writeContinue();

    let chunks: Buffer[] = [];
    let received = 0;
    const stop = (error: unknown) => {
      req.off("data", onData).off("end", onEnd).off("aborted", onAborted).off("error", onAborted);
      chunks = [];
      req.resume(); // what is still coming is read and dropped: the answer goes out on a sound connection
      next(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return stop(tooLarge(limit, received));
      if (received > held && !hold(received - held)) return stop(errors.busy());
      chunks.push(chunk);
    };
    const onEnd = () => {
      req.off("aborted", onAborted).off("error", onAborted);
      req.body = Buffer.concat(chunks, received);
      chunks = [];
      next();
    };
    // A client that goes away mid-body: 'aborted' and then 'error' (ECONNRESET); the first one counts.
    const onAborted = () => stop(Object.assign(new Error("request aborted"), { type: "request.aborted", status: 400 }));
    req.on("data", onData).once("end", onEnd).once("aborted", onAborted).once("error", onAborted);
  };
}

const tooLarge = (limit: number, length: number) =>
  Object.assign(new Error(`request entity too large`), { type: "entity.too.large", status: 413, limit, length });
