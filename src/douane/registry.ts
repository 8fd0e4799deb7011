import type { DouaneApi, MessageIdPlace } from "./contract";
import { deltaieApi } from "./deltaie/api";
import { gamma2Api } from "./gamma2/api";
import { h7Api } from "./h7/api";
import { pntsApi } from "./pnts/api";

/** The four APIs of the new EDI. The only list of them: nothing outside src/douane names a particular API. */
export const douaneApis: DouaneApi[] = [h7Api, gamma2Api, deltaieApi, pntsApi];

/** What the environment says of one served API (see config.ts). */
export interface ApiSettings {
  name: string;
  envPrefix: string;
  basePath: string;
  token?: string;
  authHeader: string;
  messageIdPlaces: MessageIdPlace[];
  /** <PREFIX>_RETENTION_DAYS: overrides RETENTION_DAYS for this API's messages and quarantine. */
  retentionDays?: number;
}
