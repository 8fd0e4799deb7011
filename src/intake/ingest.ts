import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { examineMessage, readMessageId } from "../douane/examine";
import { matchChannel } from "../douane/h7/channels";
import { HttpError, StorageUnavailable } from "../http/errors";
import type { Metrics } from "../http/metrics";
import { quarantine } from "../messages/quarantine";
import type { Classification } from "../messages/classify";
import type { Envelope, MessageRecord, QuarantineReason } from "../messages/records";
import type { MessageWriter } from "../messages/writer";
import type { ApiDefinition } from "./apis";

export interface IngestDeps {
  api: ApiDefinition;
  db: Db;
  writer: MessageWriter;
  validationMode: Config["VALIDATION_MODE"];
  metrics: Metrics;
  clock: () => Date;
}

/** The whole intake of one authenticated callback, top to bottom:
 *  content type → parse → messageId → validate → store (committed) → answer. */
export function ingest(deps: IngestDeps): RequestHandler {
  const { api, writer, validationMode, metrics } = deps;
  return async (req, res) => {
    const { channel, pathParams } = matchChannel(api.channels, req.path);
    const envelope = envelopeOf(req, res, deps, channel.name, pathParams);
    const json = parseJson(envelope.rawBody);
    const messageId = json.ok ? readMessageId(json.value) : null;
    res.locals.log = { ...res.locals.log, channel: channel.name, messageId };
    const refuse = (status: number, reason: QuarantineReason, message: string, detail: Record<string, unknown> = {}) =>
      refuseAndKeep(deps, res, envelope, { status, reason, message, detail, messageId });

    if (!isJsonContentType(envelope.contentType)) {
      return refuse(415, "unsupported_content_type", "the body must be application/json (UTF-8)");
    }
    if (!json.ok) return refuse(400, json.reason, json.message);
    if (messageId === null) return refuse(400, "missing_message_id", "header.messageId is required (a string of 1 to 291 characters)");

    const examination = examineMessage(channel, json.value as Record<string, unknown>, pathParams);
    const errors = examination.findings.filter((finding) => finding.severity === "error");
    // A retry of an invalid message that ops since accepted by hand is a duplicate, not a new refusal.
    if (errors.length > 0 && validationMode === "reject" && !(await committed(deps, res, isStored(deps, messageId)))) {
      const issues = errors.map(({ path, message }) => ({ path, message }));
      return refuse(400, "invalid_schema", `the body does not match the ${channel.name} message schema`, { issues });
    }

    const record: MessageRecord = { ...envelope, ...examination.keys, messageId, validation: examination.valid ? "valid" : "invalid", findings: examination.findings };
    const outcome = await committed(deps, res, writer.store(record));
    if (outcome.outcome === "unstorable") {
      return refuse(400, "unstorable", "the database refused to store this message as it is", { database: { code: outcome.code, message: outcome.message } });
    }
    const quarantineId = outcome.outcome === "conflict" ? await keepConflict(deps, res, record, outcome) : null;
    res.locals.log = { ...res.locals.log, outcome: outcome.outcome, rowId: outcome.id };
    metrics.callbacks.inc({ api: api.name, channel: channel.name, outcome: outcome.outcome });
    res.status(200).json(answerOf(outcome, messageId, quarantineId));
  };
}

/** A body that differs from the one stored under its messageId is kept beside it. Here, in the request, and not
 *  in the writer's commit loop: a stream of conflicts must not hold the valid callbacks queued behind it. */
async function keepConflict(deps: IngestDeps, res: Response, record: MessageRecord, stored: { id: number; storedBodySha256: string }): Promise<number> {
  const detail = { storedMessageRowId: stored.id, storedBodySha256: stored.storedBodySha256 };
  const quarantineId = await committed(deps, res, quarantine(deps.db, { ...record, reason: "conflict", detail }));
  deps.metrics.quarantined.inc({ api: deps.api.name, reason: "conflict" });
  return quarantineId;
}

/** A body over MAX_BODY_BYTES is not read, so only the fact that it came is kept. */
export function keepTooLarge(deps: IngestDeps): ErrorRequestHandler {
  return async (error, req, res, next) => {
    if ((error as { type?: string }).type !== "entity.too.large") return next(error);
    const { channel, pathParams } = matchChannel(deps.api.channels, req.path);
    const envelope = envelopeOf(req, res, deps, channel.name, pathParams);
    const detail = { message: `the body is larger than ${(error as { limit?: number }).limit} bytes`, contentLength: req.headers["content-length"] ?? null };
    res.locals.log = { ...res.locals.log, channel: channel.name };
    await committed(deps, res, quarantine(deps.db, { ...envelope, reason: "too_large", detail, messageId: null }));
    countRefusal(deps, channel.name, "too_large");
    next(error);
  };
}

function envelopeOf(req: Request, res: Response, deps: IngestDeps, channel: string, pathParams: Record<string, string>): Envelope {
  const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  return {
    api: deps.api.name,
    channel,
    pathParams,
    rawBody,
    bodySha256: createHash("sha256").update(rawBody).digest("hex"),
    contentType: req.headers["content-type"] ?? "",
    headers: headersWithoutCredentials(req.headers, deps.api.authHeader),
    receivedAt: deps.clock(),
    tokenId: res.locals.token?.id ?? null,
  };
}

async function refuseAndKeep(
  deps: IngestDeps,
  res: Response,
  envelope: Envelope,
  refusal: { status: number; reason: QuarantineReason; message: string; detail: Record<string, unknown>; messageId: string | null },
): Promise<never> {
  const quarantineId = await committed(
    deps,
    res,
    quarantine(deps.db, { ...envelope, reason: refusal.reason, detail: { message: refusal.message, ...refusal.detail }, messageId: refusal.messageId }),
  );
  res.locals.log = { ...res.locals.log, outcome: `refused_${refusal.reason}`, quarantineId };
  countRefusal(deps, envelope.channel, refusal.reason);
  throw new HttpError(refusal.status, refusal.reason, refusal.message, { ...refusal.detail, quarantineId });
}

async function isStored(deps: IngestDeps, messageId: string): Promise<boolean> {
  return (await deps.db.message.count({ where: { api: deps.api.name, messageId } })) > 0;
}

function countRefusal(deps: IngestDeps, channel: string, reason: QuarantineReason): void {
  deps.metrics.callbacks.inc({ api: deps.api.name, channel, outcome: `refused_${reason}` });
  deps.metrics.quarantined.inc({ api: deps.api.name, reason });
}

/** The write's result once committed; a database failure becomes a 503 (nothing acknowledged). */
async function committed<T>(deps: IngestDeps, res: Response, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    res.locals.log = { ...res.locals.log, outcome: "unavailable" };
    deps.metrics.callbacks.inc({ api: deps.api.name, channel: String(res.locals.log.channel ?? "unknown"), outcome: "unavailable" });
    throw new StorageUnavailable(error);
  }
}

function answerOf(outcome: Classification, messageId: string, quarantineId: number | null) {
  if (outcome.outcome === "stored") return { id: outcome.id, messageId, duplicate: false };
  if (outcome.outcome === "duplicate") return { id: outcome.id, messageId, duplicate: true };
  return { id: outcome.id, messageId, duplicate: true, conflict: true, quarantineId };
}

/** `application/json`, with an optional charset that must then be UTF-8. */
export function isJsonContentType(contentType: string): boolean {
  const [type, ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return false;
  return parameters.every((parameter) => !parameter.startsWith("charset=") || /^charset="?utf-?8"?$/.test(parameter));
}

type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: "invalid_utf8" | "invalid_json"; message: string };

function parseJson(bytes: Buffer): ParsedJson {
  if (!isUtf8(bytes)) return { ok: false, reason: "invalid_utf8", message: "the body is not valid UTF-8" };
  // A byte order mark is allowed before JSON text (RFC 8259 §8.1) and is not part of it.
  const text = bytes.toString("utf8", hasBom(bytes) ? 3 : 0);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: "invalid_json", message: `the body is not valid JSON: ${(error as Error).message}` };
  }
}

const hasBom = (bytes: Buffer) => bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];
function headersWithoutCredentials(headers: Request["headers"], authHeader: string): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== authHeader && !CREDENTIAL_HEADERS.includes(name)) kept[name] = value;
  }
  return kept;
}
