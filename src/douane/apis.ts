import type { ApiContract } from "./contract";
import { type ApiSettings, douaneApis } from "./registry";

/** One Douane API whose callbacks we receive, as configured: where, with which token header, under which contract. */
export interface ApiDefinition {
  name: string;
  basePath: string;
  authHeader: string;
  contract: ApiContract;
}

export function apisOf(settings: ApiSettings[]): ApiDefinition[] {
  return settings.map((api) => {
    const known = douaneApis.find((candidate) => candidate.name === api.name);
    if (!known) throw new Error(`unknown Douane API ${api.name}`);
    return {
      name: api.name,
      basePath: api.basePath,
      authHeader: api.authHeader,
      contract: known.contract(api.messageIdPlaces),
    };
  });
}
