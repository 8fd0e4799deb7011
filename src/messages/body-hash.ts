import { hash } from "node:crypto";

/** A body's `bodySha256`: SHA-256 of its bytes as they came, in hex. What the intake stores, what a duplicate is
 *  compared by, and what an archive's bodies are checked against. One-shot, without a Hash object (half the time
 *  of createHash's for a callback's few hundred bytes). */
export const bodySha256Of = (body: Buffer): string => hash("sha256", body, "hex");
