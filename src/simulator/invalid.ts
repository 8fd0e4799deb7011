import { type Callback, errorsOf, type SimulatedChannel } from "./callbacks";
import type { Random } from "./random";

/** Ways a callback is made deliberately invalid, each one the service must refuse (400, kept in quarantine). */
export const invalidKinds = [
  "bad_mrn",
  "missing_field",
  "bad_date_time",
  "bad_amount",
  "too_many_errors",
  "missing_message_id",
] as const;
export type InvalidKind = (typeof invalidKinds)[number];

const applicable: Record<SimulatedChannel, readonly InvalidKind[]> = {
  declaration_response: ["bad_mrn", "missing_field", "bad_date_time", "bad_amount", "missing_message_id"],
  request_registration: ["bad_mrn", "missing_field", "bad_date_time", "missing_message_id"],
  declaration_error: ["bad_mrn", "missing_field", "bad_date_time", "too_many_errors", "missing_message_id"],
};

/** A copy of `callback` broken in one way that fits its channel. Pure. */
export function makeInvalid(
  random: Random,
  callback: Callback,
  kind = random.pick(applicable[callback.channel]),
): { callback: Callback; kind: InvalidKind } {
  if (!applicable[callback.channel].includes(kind)) throw new Error(`${kind} does not apply to ${callback.channel}`);
  const body = structuredClone(callback.body);
  switch (kind) {
    case "bad_mrn": {
      const holder =
        callback.channel === "declaration_response"
          ? body.header
          : callback.channel === "request_registration"
            ? body.declarations[0]
            : (body.declaration ??= {});
      holder.mrn = "21FR0000000123"; // 14 characters, where 18 are required
      break;
    }
    case "missing_field": {
      const required = {
        declaration_response: "declarationState",
        request_registration: "declarations",
        declaration_error: "error",
      } as const;
      delete body[required[callback.channel]];
      break;
    }
    case "bad_date_time":
      body.header.messageDateTime = body.header.messageDateTime.slice(0, 19).replace("T", " "); // no offset, no zone
      break;
    case "bad_amount":
      body.dutiesAndTaxes.generalTaxation = {
        guaranteedAmount: 0,
        unguaranteedAmount: 12.345,
        totalPayableTaxAmount: 12.345,
      };
      break;
    case "too_many_errors":
      body.error = errorsOf(random, 1000);
      break;
    case "missing_message_id":
      delete body.header.messageId;
      break;
  }
  return { callback: { ...callback, body }, kind };
}
