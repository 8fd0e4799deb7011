import type { Config } from "../config";
import { hashToken } from "./verify";

/** A token set in the environment, kept only as its hash: it seeds an empty store and is checked at start. */
export interface ConfiguredToken {
  api: string;
  variable: string;
  hash: string;
}

export const configuredTokensOf = (config: Pick<Config, "apis">): ConfiguredToken[] =>
  config.apis.flatMap((api) =>
    api.token === undefined
      ? []
      : [{ api: api.name, variable: `${api.envPrefix}_TOKEN`, hash: hashToken(api.token).toString("hex") }],
  );
