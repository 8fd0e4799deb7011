import express, { type Express } from "express";
import { examineMessage } from "../douane/examine";
import { unknownChannel } from "../douane/h7/channels";
import { jwtBearerChecker } from "./bearer";
import { type Callback, generateCallback } from "./callbacks";
import type { PlannedCall } from "./plan";
import { seededRandom } from "./random";
import { type SendOptions, sendAll } from "./sender";
import type { Answer } from "./summary";

export interface SandboxOptions {
  /** The receiver's public base URL, base path included, as registered in the portal: where returns go. */
  callbackUrl: string;
  /** The token the sandbox presents to the receiver, as Douane would (the one registered in the portal). */
  callbackToken: string;
  callbackHeader?: string;
  /** The authorization server's JWKS: only access tokens it signed, unexpired, are accepted. */
  jwksUrl: string;
  clock?: () => Date;
  seed?: number;
  /** The path of Douane's server the operations are under, as in https://edi.douane.gouv.fr/dh7. */
  basePath?: string;
}

export interface DouaneSandbox {
  app: Express;
  /** Submissions accepted, per access token (by fingerprint, never the token). */
  acceptedByToken: Map<string, number>;
  refused: string[];
  /** While true, returns are kept instead of sent: "a return that never comes". */
  holding: boolean;
  /** Sends the returns kept while holding (late returns). */
  releaseHeld(): Promise<Answer[]>;
  /** Resolves when every return sent so far has been answered by the receiver. */
  settled(): Promise<Answer[]>;
}

/**
 * A local stand-in for Douane's H7 API (declarations/creer, demandes/invalider): it checks the bearer token
 * against the authorization server's keys, answers 202, then calls the receiver back with what Douane would
 * send: a Response_Registration_H7 and a Response_H7 (state ACC, or INV for an invalidation), made by the
 * simulator's generators with the submission's lrn and operatorRequestReference.
 */
export function createDouaneSandbox(options: SandboxOptions): DouaneSandbox {
  const clock = options.clock ?? (() => new Date());
  const checkBearer = jwtBearerChecker(options.jwksUrl, clock);
  const random = seededRandom(options.seed ?? 7);
  const send: Omit<SendOptions, "url"> = {
    token: options.callbackToken,
    header: options.callbackHeader ?? "authorization",
    rate: 0,
    concurrency: 1,
    timeoutMs: 10_000,
  };
  const inFlight: Promise<Answer[]>[] = [];
  let held: Callback[] = [];
  const deliver = (callbacks: Callback[]) => {
    const calls: PlannedCall[] = callbacks.map((callback, index) => ({
      index,
      kind: "new",
      invalid: null,
      originalIndex: null,
      callback,
      expectedStatus: 200,
    }));
    const sending = sendAll(calls, { ...send, url: options.callbackUrl }).then((result) => result.answers);
    inFlight.push(sending);
    return sending;
  };

  const sandbox: DouaneSandbox = {
    app: express(),
    acceptedByToken: new Map(),
    refused: [],
    holding: false,
    releaseHeld: () => {
      const callbacks = held;
      held = [];
      return deliver(callbacks);
    },
    settled: async () => (await Promise.all(inFlight)).flat(),
  };
  const accept = (operation: "declaration" | "invalidation") => async (req: express.Request, res: express.Response) => {
    const check = await checkBearer(req.headers.authorization);
    if (!check.ok) {
      sandbox.refused.push(check.reason);
      res.status(401).json({ error: "invalid_token", error_description: check.reason });
      return;
    }
    sandbox.acceptedByToken.set(check.fingerprint, (sandbox.acceptedByToken.get(check.fingerprint) ?? 0) + 1);
    const { lrn, operatorRequestReference } = examineMessage(unknownChannel, req.body ?? {}, {}).keys;
    if (!lrn) {
      res.status(400).json({ error: "lrn is required" });
      return;
    }
    res.status(202).json({ lrn, operatorRequestReference });
    const returns = returnsOf(random, clock(), operation, lrn, operatorRequestReference);
    if (sandbox.holding) held.push(...returns);
    else void deliver(returns);
  };
  sandbox.app.use(express.json({ limit: "5mb" }));
  const base = options.basePath ?? "/dh7";
  sandbox.app.post(`${base}/declarations/creer`, accept("declaration"));
  sandbox.app.post(`${base}/demandes/invalider`, accept("invalidation"));
  return sandbox;
}

/** Registration then response, as Douane sends them, keyed on what the operator sent. */
function returnsOf(
  random: ReturnType<typeof seededRandom>,
  at: Date,
  operation: "declaration" | "invalidation",
  lrn: string,
  operatorRequestReference: string | null,
): Callback[] {
  const registration = generateCallback(random, "request_registration", { at, maxErrors: 1 });
  const body = registration.body;
  if (operatorRequestReference) body.header.operatorRequestReference = operatorRequestReference;
  body.declarations = [{ ...body.declarations[0], lrn }];
  const response = generateCallback(random, "declaration_response", {
    at: new Date(at.getTime() + 1000),
    maxErrors: 1,
  });
  const { customsDeclarationReference, mrn } = body.declarations[0];
  response.body.header = { ...response.body.header, lrn, customsDeclarationReference, mrn };
  response.body.declarationState.state = operation === "invalidation" ? "INV" : "ACC";
  response.path = `/declarations/${customsDeclarationReference}/reponses`;
  return [registration, response];
}
