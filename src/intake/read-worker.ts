import { workerData } from "piscina";
import { asBuffer } from "../db/driver";
import { apisOf } from "../douane/apis";
import type { ApiSettings } from "../douane/registry";
import { type ArrivedBody, type ReadMessage, readMessage } from "./read-message";

/** The worker thread's side of message-reader.ts: the same reading, under the same API definitions. */
const apis = new Map(apisOf(workerData as ApiSettings[]).map((api) => [api.name, api]));

export default function read({ api, arrived }: { api: string; arrived: ArrivedBody }): ReadMessage {
  const definition = apis.get(api);
  if (!definition) throw new Error(`unknown API ${api}`);
  // A Buffer arrives from another thread as a plain Uint8Array.
  return readMessage(definition, { ...arrived, rawBody: asBuffer(arrived.rawBody) as Buffer });
}
