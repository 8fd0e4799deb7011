import type { Finding, MessageKeys, NamedDeclaration, ValidationLabel } from "./examine";

/** What the intake needs to know of one Douane API's callbacks. H7's is the published contract; the others are
 *  generic until Douane publishes theirs (see douane/gamma2, deltaie, pnts). */
export interface ApiContract {
  /** The channels it knows, for per-channel figures; null when any path under the base path is a channel. */
  channels: string[] | null;
  /** The channel of a path relative to the base path, and its path parameters. */
  channelOf(relativePath: string): { channel: string; pathParams: Record<string, string> };
  /** The message id of a parsed body (and its headers), or null when it has none. */
  messageIdOf(body: unknown, headers: Record<string, string | string[] | undefined>): string | null;
  /** When no message id is found: refuse the body (H7: the id is mandatory), or key it by its SHA-256. */
  withoutMessageId: "refuse" | "body_hash";
  /** Validation and search keys of a parsed body that arrived on `channel`. */
  /** `text` is the body as sent: a contract that checks numbers' digits reads it losslessly. */
  examine(channel: string, body: Record<string, unknown>, pathParams: Record<string, string>, text: string): Reading;
}

/** "unchecked": no published schema to check the body against (stored as it came, nothing claimed about it). */
export interface Reading {
  validation: ValidationLabel;
  findings: Finding[];
  keys: MessageKeys;
  /** Every declaration the message names (a registration names up to 99). */
  declarations: NamedDeclaration[];
}

export const noKeys: MessageKeys = {
  lrn: null,
  mrn: null,
  customsDeclarationReference: null,
  customsRequestReference: null,
  operatorRequestReference: null,
  state: null,
  messageDateTime: null,
  messageDateTimeRaw: null,
};

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

/** Where to look for a message id: a request header, or a JSON pointer (RFC 6901) into the body. */
export type MessageIdPlace = { header: string } | { pointer: string[] };
