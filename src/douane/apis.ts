import type { Config } from "../config";
import { h7Channels, type Channel } from "./h7/channels";

/** One Douane API whose callbacks we receive. Gamma2, DeltaIE and PNTS use the same scheme: each would be
 *  one more entry here with its own base path, token header and channels. */
export interface ApiDefinition {
  name: string;
  basePath: string;
  authHeader: string;
  channels: Channel[];
}

export function apisOf(config: Config): ApiDefinition[] {
  return [{ name: "h7", basePath: config.H7_BASE_PATH, authHeader: config.H7_AUTH_HEADER, channels: h7Channels }];
}
