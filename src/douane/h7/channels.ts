import type { z } from "zod";
import { errorH7, responseH7, responseRegistrationH7 } from "./messages";

/** Where a channel's messages carry the keys people search by: the members the spec publishes for them
 *  (H7-CALLBACKS.md §6), and only those. A key missing there is taken from the path parameter of its name. */
export interface KeyPlaces {
  customsRequestReference?: string[];
  operatorRequestReference?: string[];
  state?: string[];
  /** The object (or, with `each`, the array of objects) that holds each named declaration's lrn,
   *  customsDeclarationReference and mrn. */
  declarations: { at: string[]; each?: true };
}

export interface Channel {
  name: string;
  /** Path segments under the base path; `:name` segments are path parameters. */
  segments: string[];
  /** Null on the unknown channel: nothing is checked there. */
  schema: z.ZodType | null;
  /** Null on the unknown channel, whose keys are looked for wherever H7 messages carry them. */
  keys: KeyPlaces | null;
  /** Whether the schema checks number texts (amounts): the body is then read without floats. Only where it
   *  matters, as the lossless reading costs about 50 times JSON.parse's (100 ms for a 600 KB Error_H7). */
  exactNumbers: boolean;
  /** Path parameters that the body repeats, with where the body has them. */
  repeatedInBody: Record<string, string[]>;
}

export const h7Channels: Channel[] = [
  {
    name: "declaration_response",
    segments: ["declarations", ":customsDeclarationReference", "reponses"],
    schema: responseH7,
    keys: { state: ["declarationState", "state"], declarations: { at: ["header"] } },
    exactNumbers: true,
    repeatedInBody: { customsDeclarationReference: ["header", "customsDeclarationReference"] },
  },
  {
    name: "request_registration",
    segments: ["demandes", ":customsRequestReference", "enregistrement"],
    schema: responseRegistrationH7,
    keys: {
      operatorRequestReference: ["header", "operatorRequestReference"],
      customsRequestReference: ["request", "customsRequestReference"],
      declarations: { at: ["declarations"], each: true },
    },
    exactNumbers: false,
    repeatedInBody: { customsRequestReference: ["request", "customsRequestReference"] },
  },
  {
    name: "declaration_error",
    segments: ["declarations", "erreurs"],
    schema: errorH7,
    keys: { operatorRequestReference: ["request", "operatorRequestReference"], declarations: { at: ["declaration"] } },
    exactNumbers: false, // errorType is a small integer: JSON.parse reads it exactly
    repeatedInBody: {},
  },
];

export const unknownChannel: Channel = {
  name: "unknown",
  segments: [],
  schema: null,
  keys: null,
  exactNumbers: false,
  repeatedInBody: {},
};

export interface ChannelMatch {
  channel: Channel;
  pathParams: Record<string, string>;
}

/** Finds the channel of a path relative to the base path. Any other path is the `unknown` channel,
 *  whose path is kept as the `path` parameter so the message can still be traced. */
export function matchChannel(channels: Channel[], relativePath: string): ChannelMatch {
  const segments = relativePath.split("/").filter((segment) => segment !== "");
  for (const channel of channels) {
    const pathParams = matchSegments(channel.segments, segments);
    if (pathParams) return { channel, pathParams };
  }
  return { channel: unknownChannel, pathParams: { path: relativePath } };
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(":")) {
      const value = safeDecode(segments[i]);
      if (value === null) return null;
      params[pattern[i].slice(1)] = value;
    } else if (pattern[i] !== segments[i]) {
      return null;
    }
  }
  return params;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
