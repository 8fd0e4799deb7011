import type { DouaneApi } from "../contract";
import { h7Contract } from "./contract";

/** DeltaH7, low-value e-commerce imports: the published callback contract, served at /dh7 unless told otherwise. */
export const h7Api: DouaneApi = {
  name: "h7",
  envPrefix: "H7",
  defaultBasePath: "/dh7",
  messageIdConfigurable: false,
  contract: () => h7Contract,
};
