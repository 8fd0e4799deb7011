import type { DouaneApi } from "../contract";
import { genericContract } from "../generic/contract";

/** PNTS, presentation notification and temporary storage. Its callback contract is not public: served generically until it is (one file here then,
 *  with its channels and schemas, the way h7/ has them). Served only when PNTS_BASE_PATH is set. */
export const pntsApi: DouaneApi = {
  name: "pnts",
  envPrefix: "PNTS",
  messageIdConfigurable: true,
  contract: genericContract,
};
