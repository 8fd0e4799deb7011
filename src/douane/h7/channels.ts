import type { z } from "zod";
import { errorH7, responseH7, responseRegistrationH7, unknownH7 } from "./messages";

export interface Channel {
  name: string;
  /** Path segments under the base path; `:name` segments are path parameters. */
  segments: string[];
  schema: z.ZodType;
  /** Path parameters that the body repeats, with where the body has them. */
  repeatedInBody: Record<string, string[]>;
}

export const h7Channels: Channel[] = [
  {
    name: "declaration_response",
    segments: ["declarations", ":customsDeclarationReference", "reponses"],
    schema: responseH7,
    repeatedInBody: { customsDeclarationReference: ["header", "customsDeclarationReference"] },
  },
  {
    name: "request_registration",
    segments: ["demandes", ":customsRequestReference", "enregistrement"],
    schema: responseRegistrationH7,
    repeatedInBody: { customsRequestReference: ["request", "customsRequestReference"] },
  },
  { name: "declaration_error", segments: ["declarations", "erreurs"], schema: errorH7, repeatedInBody: {} },
];

export const unknownChannel: Channel = { name: "unknown", segments: [], schema: unknownH7, repeatedInBody: {} };

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
