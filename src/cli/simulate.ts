import { randomInt } from "node:crypto";
import type { Writable } from "node:stream";
import { Command, Option } from "commander";
import { z } from "zod";
import { simulatedChannels } from "../simulator/callbacks";
import { planRun } from "../simulator/plan";
import { progressOn } from "../simulator/progress";
import { sendAll } from "../simulator/sender";
import { formatSummary, summarize } from "../simulator/summary";
import { parseOptions } from "./arguments";
import type { CliContext } from "./context";

/** "0.1" or "10%". */
const fraction = z
  .string()
  .regex(/^(\d+(\.\d+)?%|0(\.\d+)?|1(\.0+)?)$/, "a fraction from 0 to 1, or a percentage like 10%")
  .transform((text) => (text.endsWith("%") ? Number(text.slice(0, -1)) / 100 : Number(text)))
  .pipe(z.number().min(0).max(1));
const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "a whole number").transform(Number).pipe(z.number().int().min(min).max(max));

const simulateOptions = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    token: z.string().min(1, "required: --token, or H7_TOKEN in the environment"),
    header: z.string().regex(/^[A-Za-z0-9-]+$/, "an HTTP header name"),
    count: integer(1, 1_000_000),
    rate: z
      .string()
      .regex(/^\d+(\.\d+)?$/, "requests per second, 0 for as fast as possible")
      .transform(Number),
    concurrency: integer(1, 256),
    duplicates: fraction,
    conflicts: fraction,
    invalid: fraction,
    channel: z.enum([...simulatedChannels, "mixed"]),
    maxErrors: integer(1, 999),
    seed: integer(0, 2 ** 32 - 1),
    at: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
    timeout: integer(1, 600_000),
  })
  .refine((options) => options.duplicates + options.conflicts + options.invalid <= 1, {
    path: ["invalid"],
    message: "--duplicates, --conflicts and --invalid add up to more than 1",
  });

/** `simulate`: Douane's side of the free tests, before Douane sends anything. Needs no database: it only
 *  talks HTTP to a running receiver, as Douane would. */
export function simulateCommand(context: CliContext, env: NodeJS.ProcessEnv, stderr: Writable): Command {
  return new Command("simulate")
    .description("send spec-true DELTA H7 callbacks to a running receiver, as Douane would, and summarise its answers")
    .requiredOption(
      "--url <url>",
      "the receiver's base URL as registered in the portal, base path included, e.g. http://localhost:8080/dh7",
    )
    .option("--token <token>", "the token Douane presents (default: H7_TOKEN from the environment)")
    .option(
      "--header <name>",
      "the header carrying it: authorization sends Bearer <token>, any other the bare token",
      "authorization",
    )
    .option("--count <n>", "requests to send, resends included", "10")
    .option("--rate <r>", "requests per second; 0 for as fast as --concurrency allows", "10")
    .option("--concurrency <n>", "requests in flight at most", "4")
    .option("--duplicates <p>", "fraction resent unchanged (same messageId, same body), e.g. 0.1 or 10%", "0")
    .option("--conflicts <p>", "fraction resent with a known messageId but another body (kept in quarantine)", "0")
    .option(
      "--invalid <p>",
      "fraction deliberately invalid (bad MRN, missing field, bad date-time…): refused with 400",
      "0",
    )
    .addOption(
      new Option("--channel <name>", "which callbacks").choices([...simulatedChannels, "mixed"]).default("mixed"),
    )
    .option("--max-errors <n>", "most errors in one Error_H7 (Douane's limit: 999)", "999")
    .option("--seed <n>", "the random choices of the run (default: random; printed at the end)")
    .option(
      "--at <instant>",
      "Douane's clock for messageDateTime and the messageIds, ISO 8601 (default: now); with --seed, replays a run byte for byte",
    )
    .option("--timeout <ms>", "per request", "10000")
    .action(async (raw: Record<string, string | undefined>) => {
      const options = parseOptions(simulateOptions, {
        ...raw,
        token: raw.token ?? env.H7_TOKEN ?? "",
        seed: raw.seed ?? String(randomInt(2 ** 31)),
        at: raw.at ?? new Date().toISOString(),
      });
      const calls = planRun(options);
      const progress = progressOn(stderr, calls.length);
      const { answers, elapsedMs } = await sendAll(calls, { ...options, timeoutMs: options.timeout }, (answer) =>
        progress.tick(answer.status),
      );
      progress.finish();
      const summary = summarize(answers, elapsedMs);
      const { stdout } = context.output;
      if (context.output.json) {
        stdout.write(
          `${JSON.stringify({ url: options.url, seed: options.seed, at: options.at, channel: options.channel, ...summary }, null, 2)}\n`,
        );
      } else {
        stdout.write(formatSummary(summary, options.url));
        stdout.write(
          `replay: --seed ${options.seed} --at ${options.at.toISOString()} (with the same other options) sends these callbacks again, byte for byte\n`,
        );
      }
      if (summary.unexpected > 0) context.exitCode = 1;
    });
}
