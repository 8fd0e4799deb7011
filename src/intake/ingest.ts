import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { ApiDefinition } from "../douane/apis";
import type { Reading } from "../douane/contract";
import { errors, intakeRefusals } from "../http/error-catalog";
import { StorageUnavailable } from "../http/errors";
import { addToLog } from "../http/locals";
import type { Metrics } from "../http/metrics";
import { bodySha256Of } from "../messages/body-hash";
import type { Classification } from "../messages/classify";
import type { Envelope, MessageRecord, QuarantineReason } from "../messages/records";
import type { StoredBody } from "../messages/stored-body";
import type { MessageWriter } from "../messages/writer";
import { quarantine } from "../quarantine/store";
import type { MessageReader } from "./message-reader";
import type { ArrivedBody, Refusal } from "./read-message";

export interface IngestDeps {
  api: ApiDefinition;
  db: Db;
  writer: MessageWriter;
  reader: MessageReader;
  validationMode: Config["VALIDATION_MODE"];
  simulatedHeader: Config["SIMULATED_HEADER"];
  metrics: Metrics;
  clock: () => Date;
}

/** The whole intake of one authenticated callback, top to bottom:
 *  content encoding and type → parse → messageId → validate → store (committed) → answer. */
export function ingest(deps: IngestDeps): RequestHandler {
  const { api, writer, validationMode, metrics } = deps;
  return async (req, res) => {
    const { channel, pathParams } = api.contract.channelOf(req.path);
    const receivedAt = deps.clock();
    const arrived = arrivedBody(req, deps, channel, pathParams);
    const { bodySha256, checked } = await deps.reader.read(api, arrived);
    const envelope = envelopeOf(req, res, deps, arrived, bodySha256, receivedAt);
    addToLog(res, { channel, messageId: checked.messageId });
    const refuse = (refusal: Refusal) => refuseAndKeep(deps, res, envelope, refusal, checked.messageId);

    if (checked.refusal) return refuse(checked.refusal);
    const { examination, messageId, stored } = checked;
    const failed = examination.findings.filter((finding) => finding.severity === "error");
    // A retry of an invalid message that ops since accepted by hand is a duplicate, not a new refusal.
    if (failed.length > 0 && validationMode === "reject" && !(await committed(deps, res, isStored(deps, messageId)))) {
      const issues = failed.map(({ path, message }) => ({ path, message }));
      const message = `the body does not match the ${channel} message schema`;
      return refuse({ reason: "invalid_schema", message, detail: { issues } });
    }

    const record = messageRecordOf(envelope, messageId, examination, stored);
    const outcome = await committed(deps, res, writer.store(record));
    if (outcome.outcome === "unstorable") {
      return refuse({ reason: "unstorable", detail: { database: { code: outcome.code, message: outcome.message } } });
    }
    const quarantineId = outcome.outcome === "conflict" ? await keepConflict(deps, res, record, outcome) : null;
    addToLog(res, { outcome: outcome.outcome, rowId: outcome.id });
    metrics.callbacks.inc({ api: api.name, channel, outcome: outcome.outcome });
    res.status(200).json(answerOf(outcome, messageId, quarantineId));
  };
}

/** A body that differs from the one stored under its messageId is kept beside it. Here, in the request, and not
 *  in the writer's commit loop: a stream of conflicts must not hold the valid callbacks queued behind it. */
async function keepConflict(
  deps: IngestDeps,
  res: Response,
  record: MessageRecord,
  stored: { id: number; storedBodySha256: string },
): Promise<number> {
  const detail = { storedMessageRowId: stored.id, storedBodySha256: stored.storedBodySha256 };
  const quarantineId = await committed(deps, res, quarantine(deps.db, { ...record, reason: "conflict", detail }));
  deps.metrics.quarantined.inc({ api: deps.api.name, reason: "conflict" });
  return quarantineId;
}

/** A body over MAX_BODY_BYTES is not read, so only the fact that it came is kept. */
export function keepTooLarge(deps: IngestDeps): ErrorRequestHandler {
  return async (error, req, res, next) => {
    if ((error as { type?: string }).type !== "entity.too.large") return next(error);
    const { channel, pathParams } = deps.api.contract.channelOf(req.path);
    const arrived = arrivedBody(req, deps, channel, pathParams);
    const envelope = envelopeOf(req, res, deps, arrived, bodySha256Of(arrived.rawBody), deps.clock());
    const detail = {
      message: `the body is larger than ${(error as { limit?: number }).limit} bytes`,
      contentLength: req.headers["content-length"] ?? null,
    };
    addToLog(res, { channel });
    await committed(deps, res, quarantine(deps.db, { ...envelope, reason: "too_large", detail, messageId: null }));
    countRefusal(deps, channel, "too_large");
    next(error);
  };
}

function arrivedBody(req: Request, deps: IngestDeps, channel: string, pathParams: Record<string, string>): ArrivedBody {
  return {
    channel,
    pathParams,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    contentType: req.headers["content-type"] ?? "",
    headers: headersWithoutCredentials(req.headers, deps.api.authHeader),
  };
}

// Object literals field by field, not spreads: one shape for every callback, and no copy of a copy.
function envelopeOf(
  req: Request,
  res: Response,
  deps: IngestDeps,
  arrived: ArrivedBody,
  bodySha256: string,
  receivedAt: Date,
): Envelope {
  return {
    api: deps.api.name,
    channel: arrived.channel,
    pathParams: arrived.pathParams,
    rawBody: arrived.rawBody,
    bodySha256,
    contentType: arrived.contentType,
    headers: arrived.headers,
    receivedAt,
    tokenId: res.locals.token?.id ?? null,
    simulated: deps.simulatedHeader === "honour" && req.headers[SIMULATED_HEADER] === "true",
  };
}

/** Field by field as well: the spread of the envelope and the keys into one object of 23 fields made V8 build it
 *  as a dictionary, about 12 µs a callback (0.1 so), and every later read of it slower. */
function messageRecordOf(
  envelope: Envelope,
  messageId: string,
  examination: Reading,
  stored: StoredBody,
): MessageRecord {
  const { keys } = examination;
  return {
    api: envelope.api,
    channel: envelope.channel,
    pathParams: envelope.pathParams,
    rawBody: envelope.rawBody,
    storedBody: stored.rawBody,
    rawBodyCompression: stored.rawBodyCompression,
    bodySha256: envelope.bodySha256,
    contentType: envelope.contentType,
    headers: envelope.headers,
    receivedAt: envelope.receivedAt,
    tokenId: envelope.tokenId,
    simulated: envelope.simulated,
    lrn: keys.lrn,
    mrn: keys.mrn,
    customsDeclarationReference: keys.customsDeclarationReference,
    customsRequestReference: keys.customsRequestReference,
    operatorRequestReference: keys.operatorRequestReference,
    state: keys.state,
    messageDateTime: keys.messageDateTime,
    messageDateTimeRaw: keys.messageDateTimeRaw,
    messageId,
    validation: examination.validation,
    declarations: examination.declarations,
    findings: examination.findings,
  };
}

/** Sent by our simulator (never by Douane), so certification traffic can be told apart and purged; believed only
 *  with SIMULATED_HEADER=honour, since whoever holds a Douane token could send it too. */
export const SIMULATED_HEADER = "x-simulated";

async function refuseAndKeep(
  deps: IngestDeps,
  res: Response,
  envelope: Envelope,
  { reason, message = intakeRefusals[reason].message, detail = {} }: Refusal,
  messageId: string | null,
): Promise<never> {
  const quarantineId = await committed(
    deps,
    res,
    quarantine(deps.db, { ...envelope, reason, detail: { message, ...detail }, messageId }),
  );
  addToLog(res, { outcome: `refused_${reason}`, quarantineId });
  countRefusal(deps, envelope.channel, reason);
  throw errors.intakeRefused({ reason, message, extra: { ...detail, quarantineId } });
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
    addToLog(res, { outcome: "unavailable" });
    deps.metrics.callbacks.inc({
      api: deps.api.name,
      channel: res.locals.log?.channel ?? "unknown",
      outcome: "unavailable",
    });
    throw new StorageUnavailable(error);
  }
}

function answerOf(outcome: Classification, messageId: string, quarantineId: number | null) {
  if (outcome.outcome === "stored") return { id: outcome.id, messageId, duplicate: false };
  if (outcome.outcome === "duplicate") return { id: outcome.id, messageId, duplicate: true };
  return { id: outcome.id, messageId, duplicate: true, conflict: true, quarantineId };
}

const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];
function headersWithoutCredentials(headers: Request["headers"], authHeader: string): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== authHeader && !CREDENTIAL_HEADERS.includes(name)) kept[name] = value;
  }
  return kept;
}
