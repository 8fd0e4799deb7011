import type { Config } from "../config";
import { hashToken } from "./verify";

/** A token set in the environment, kept only as its hash: it seeds an empty store and is checked at start. */
export interface ConfiguredToken {
  api: string;
  variable: string;
  hash: string;
}

export const configuredTokensOf = (config: Pick<Config, "H7_TOKEN">): ConfiguredToken[] =>
  config.H7_TOKEN === undefined ? [] : [{ api: "h7", variable: "H7_TOKEN", hash: hashToken(config.H7_TOKEN).toString("hex") }];
