import type { DouaneApi } from "../contract";
import { genericContract } from "../generic/contract";

/** DeltaIE, DELTA Import/Export clearance. Its callback contract is not public: served generically until it is (one file here then,
 *  with its channels and schemas, the way h7/ has them). Served only when DELTAIE_BASE_PATH is set. */
export const deltaieApi: DouaneApi = {
  name: "deltaie",
  envPrefix: "DELTAIE",
  messageIdConfigurable: true,
  contract: genericContract,
};
