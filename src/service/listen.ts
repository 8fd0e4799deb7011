import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { type ListenerLimits, serverOptionsOf } from "../http/listener-limits";
import { deferContinue } from "../intake/body";

export interface ListenOptions {
  port: number;
  host: string;
  tls?: { certFile: string; keyFile: string };
  limits: ListenerLimits;
  /** The public listener: 100 Continue only once the caller is authenticated (see intake/body.ts). */
  deferContinue?: boolean;
  /** Called for each connection closed on arrival because `limits.maxConnections` are open. */
  onDrop?: () => void;
}

/** Starts a listener, HTTPS when given a certificate, with its connections capped and timed out so neither
 *  silent nor slow clients can hold them (docs/operations-edge.md). */
export function listen(app: http.RequestListener, options: ListenOptions): Promise<http.Server> {
  const serverOptions = serverOptionsOf(options.limits);
  const server = options.tls
    ? https.createServer(
        { ...serverOptions, cert: fs.readFileSync(options.tls.certFile), key: fs.readFileSync(options.tls.keyFile) },
        app,
      )
    : http.createServer(serverOptions, app);
  server.maxConnections = options.limits.maxConnections;
  if (options.deferContinue) server.on("checkContinue", deferContinue(app));
  if (options.onDrop) server.on("drop", options.onDrop);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

export const portOf = (server: http.Server) => (server.address() as AddressInfo).port;
