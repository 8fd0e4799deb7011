import { Command } from "commander";
import { z } from "zod";
import { readConfig } from "../config";
import { listenerLimitsOf } from "../http/listener-limits";
import { listen, portOf } from "../service";
import { createDouaneSandbox } from "../simulator/sandbox";
import { parseOptions } from "./arguments";
import type { CliContext } from "./context";

const sandboxOptions = z.object({
  port: z.string().regex(/^\d+$/, "a port number").transform(Number).pipe(z.number().int().min(0).max(65535)),
  host: z.string().min(1),
  callbackUrl: z.url({ protocol: /^https?$/ }),
  callbackToken: z.string().min(1, "required: --callback-token, or H7_TOKEN in the environment"),
  callbackHeader: z.string().regex(/^[A-Za-z0-9-]+$/, "an HTTP header name"),
  jwksUrl: z.url({ protocol: /^https?$/ }),
});

/** `sandbox`: a local stand-in for Douane's H7 API, for an operator's own certification tests. Runs until stopped. */
export function sandboxCommand(context: CliContext, env: NodeJS.ProcessEnv): Command {
  return new Command("sandbox")
    .description(
      "run a local stand-in for Douane's H7 API: checks the access token, answers 202, then calls the receiver back with a registration and a response",
    )
    .requiredOption(
      "--callback-url <url>",
      "the receiver's base URL as registered in the portal, base path included, e.g. http://localhost:8080/dh7",
    )
    .option(
      "--callback-token <token>",
      "the token Douane presents to the receiver (default: H7_TOKEN from the environment)",
    )
    .option(
      "--callback-header <name>",
      "the header carrying it: authorization sends Bearer <token>, any other the bare token",
      "authorization",
    )
    .requiredOption(
      "--jwks-url <url>",
      "the authorization server's JWKS: only its unexpired RS256 access tokens are accepted",
    )
    .option("--port <n>", "port to listen on (0: any free port)", "8090")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .action(async (raw: Record<string, string | undefined>) => {
      const options = parseOptions(sandboxOptions, { ...raw, callbackToken: raw.callbackToken ?? env.H7_TOKEN ?? "" });
      const sandbox = createDouaneSandbox(options);
      const server = await listen(sandbox.app, {
        port: options.port,
        host: options.host,
        limits: listenerLimitsOf(readConfig(env)),
      });
      context.output.stdout.write(
        `Douane sandbox listening on http://${options.host}:${portOf(server)}/dh7 (set H7_DOUANE_URL to it); Ctrl-C stops it\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
