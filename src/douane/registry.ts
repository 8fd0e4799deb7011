import type { ApiContract } from "./contract";
import { deltaieApi } from "./deltaie/api";
import type { MessageIdPlace } from "./generic/contract";
import { gamma2Api } from "./gamma2/api";
import { h7Api } from "./h7/api";
import { pntsApi } from "./pnts/api";

/** One Douane API of the customs account: its name in the data and URLs, its environment prefix, and its contract. */
export interface DouaneApi {
  name: string;
  /** Prefix of its environment variables: H7_BASE_PATH, GAMMA2_TOKEN, … */
  envPrefix: string;
  /** Where it is served when <PREFIX>_BASE_PATH is not set; none: served only when it is set. */
  defaultBasePath?: string;
  /** A published contract says where the message id is; an unpublished one reads it where <PREFIX>_MESSAGE_ID says. */
  messageIdConfigurable: boolean;
  contract(messageIdPlaces: MessageIdPlace[]): ApiContract;
}

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
}
