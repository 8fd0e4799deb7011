import type { Response } from "express";

/** Answers the exact bytes Douane sent, with the content type it sent them with. */
export function sendRawBody(res: Response, row: { rawBody: Uint8Array; contentType: string }): void {
  res.setHeader("Content-Type", row.contentType || "application/octet-stream");
  res.status(200).send(Buffer.from(row.rawBody));
}
