import { type Callback, generateCallback, type SimulatedChannel, simulatedChannels } from "./callbacks";
import { javaDateTimeOf } from "./identifiers";
import { type InvalidKind, makeInvalid } from "./invalid";
import { seededRandom } from "./random";

type ChannelChoice = SimulatedChannel | "mixed";

export interface RunOptions {
  seed: number;
  /** Requests to send, resends included. */
  count: number;
  channel: ChannelChoice;
  /** Fractions of `count`, in [0, 1], summing to at most 1. */
  duplicates: number;
  conflicts: number;
  invalid: number;
  maxErrors: number;
  /** Douane's clock: messageDateTime and the messageId's epoch. */
  at: Date;
}

export interface PlannedCall {
  index: number;
  /** new: a message of its own; duplicate: an earlier one resent as it was (same messageId, same body);
   *  conflict: an earlier messageId with another body. */
  kind: "new" | "duplicate" | "conflict";
  /** Set when the body was broken on purpose. */
  invalid: InvalidKind | null;
  /** The earlier call a duplicate or conflict resends. */
  originalIndex: number | null;
  callback: Callback;
  /** What the receiver must answer: 200 (stored or acknowledged) or 400 (refused, quarantined). */
  expectedStatus: 200 | 400;
}

/** The whole run decided up front from the seed. Pure: the same options give the same calls, byte for byte. */
export function planRun(options: RunOptions): PlannedCall[] {
  const random = seededRandom(options.seed);
  const calls: PlannedCall[] = [];
  const originals: PlannedCall[] = [];
  const valid: PlannedCall[] = [];
  const channelOf = (): SimulatedChannel =>
    options.channel === "mixed" ? random.pick(simulatedChannels) : options.channel;
  for (let index = 0; index < options.count; index++) {
    const roll = random.next();
    if (roll < options.duplicates && originals.length > 0) {
      const original = random.pick(originals);
      calls.push({ ...original, index, kind: "duplicate", originalIndex: original.index });
    } else if (roll < options.duplicates + options.conflicts && valid.length > 0) {
      const original = random.pick(valid);
      calls.push({
        index,
        kind: "conflict",
        invalid: null,
        originalIndex: original.index,
        callback: reissued(original.callback),
        expectedStatus: 200,
      });
    } else {
      const callback = generateCallback(random, channelOf(), { at: options.at, maxErrors: options.maxErrors });
      if (
        roll >= options.duplicates + options.conflicts &&
        roll < options.duplicates + options.conflicts + options.invalid
      ) {
        const broken = makeInvalid(random, callback);
        originals.push({
          index,
          kind: "new",
          invalid: broken.kind,
          originalIndex: null,
          callback: broken.callback,
          expectedStatus: 400,
        });
      } else {
        originals.push({ index, kind: "new", invalid: null, originalIndex: null, callback, expectedStatus: 200 });
        valid.push(originals[originals.length - 1]);
      }
      calls.push(originals[originals.length - 1]);
    }
  }
  return calls;
}

/** The same message issued again with a later messageDateTime: same messageId, other bytes. */
function reissued(callback: Callback): Callback {
  const body = structuredClone(callback.body);
  const parsed = Date.parse(body.header.messageDateTime.slice(0, 25));
  body.header.messageDateTime = javaDateTimeOf(new Date(parsed + 60_000));
  return { ...callback, body };
}
