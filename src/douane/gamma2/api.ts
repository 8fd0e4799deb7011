import type { DouaneApi } from "../contract";
import { genericContract } from "../generic/contract";

/** Gamma2, excise movements (EMCS, e-AD). Its callback contract is not public: served generically until it is (one file here then,
 *  with its channels and schemas, the way h7/ has them). Served only when GAMMA2_BASE_PATH is set. */
export const gamma2Api: DouaneApi = {
  name: "gamma2",
  envPrefix: "GAMMA2",
  messageIdConfigurable: true,
  contract: genericContract,
};
