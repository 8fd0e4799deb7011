import type { ApiContract, MessageIdPlace } from "../contract";
import { noKeys } from "../contract";
import { storableMessageId } from "../examine";

/** Parses `header:messageId,/header/messageId,/messageId` (the <API>_MESSAGE_ID variable). */
export function parseMessageIdPlaces(text: string): MessageIdPlace[] {
  return text
    .split(",")
    .map((place) => place.trim())
    .filter((place) => place !== "")
    .map((place) => {
      if (place.toLowerCase().startsWith("header:"))
        return { header: place.slice("header:".length).trim().toLowerCase() };
      if (!place.startsWith("/"))
        throw new Error(`"${place}" is neither header:<name> nor a JSON pointer starting with /`);
      return {
        pointer: place
          .slice(1)
          .split("/")
          .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~")),
      };
    });
}

export const DEFAULT_MESSAGE_ID_PLACES = "header:messageId,/header/messageId,/messageId";

/**
 * An API whose callback contract Douane has not published (Gamma2, DeltaIE, PNTS): every authenticated POST
 * under its base path is stored as it came, its relative path as the channel, validation "unchecked". The
 * message id is read from the configured places, first found wins; without one, the body's SHA-256 is the
 * idempotency key, so a byte-identical retry is still a duplicate.
 */
export function genericContract(places: MessageIdPlace[]): ApiContract {
  return {
    channels: null,
    channelOf: (relativePath) => ({ channel: relativePath, pathParams: {} }),
    messageIdOf(body, headers) {
      for (const place of places) {
        const value = "header" in place ? headers[place.header] : valueAt(body, place.pointer);
        const id = storableMessageId(typeof value === "number" ? String(value) : value);
        if (id !== null) return id;
      }
      return null;
    },
    withoutMessageId: "body_hash",
    examine: () => ({ validation: "unchecked", findings: [], keys: noKeys, declarations: [] }),
  };
}

function valueAt(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
