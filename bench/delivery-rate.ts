// Issue 13's sustained delivery rate: target (e)'s local receiver notes each delivery's arrival and webhook-id;
// once the intake has ended, the backlog is watched draining through the service's pending-deliveries gauge.
import http from "node:http";
import type net from "node:net";
import type { TargetCheck } from "./report";

/** A downstream receiver for (e): answers 204 to every delivery, and remembers what it was sent. */
export interface Receiver {
  url: string;
  arrivals: number[]; // performance.now() of this process, one per request received
  webhookIds: Map<string, number>; // webhook-id → times received
  close(): Promise<void>;
}

export interface DeliveryRate {
  intakeSeconds: number; // from the first warm-up request to the last measured one, all mixes
  deliveredDuringIntake: number;
  pendingAfterIntake: number;
  drainSeconds: number; // until the last delivery once none was pending, or DRAIN_LIMIT_MS
  deliveredDuringDrain: number;
  pendingAtEnd: number; // 0 when the backlog drained in time
  received: number;
  distinct: number; // distinct webhook-ids: one per delivery
  repeats: number; // requests that came again with a webhook-id already received
  messages?: number; // messages stored: each should have been delivered once when the backlog drained
}

const DRAIN_LIMIT_MS = 60_000;
const POLL_MS = 250;

export function startReceiver(): Promise<Receiver> {
  const arrivals: number[] = [];
  const webhookIds = new Map<string, number>();
  const server = http.createServer((req, res) => {
    arrivals.push(performance.now());
    const id = String(req.headers["webhook-id"] ?? "");
    webhookIds.set(id, (webhookIds.get(id) ?? 0) + 1);
    req.resume().on("end", () => res.writeHead(204).end());
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hooks`,
        arrivals,
        webhookIds,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

/** Deliveries pending, all destinations: the gauge is set only for destinations that have some. */
async function pendingDeliveries(internalUrl: string, token: string): Promise<number> {
  const res = await fetch(`${internalUrl}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  let pending = 0;
  for (const match of (await res.text()).matchAll(/^receiver_deliveries_pending\{[^}]*\} (\d+)$/gm))
    pending += Number(match[1]);
  return pending;
}

/** Called when the intake has ended (`intakeEnded`): waits until nothing is pending or DRAIN_LIMIT_MS passed. */
export async function measureDrain(
  internalUrl: string,
  token: string,
  receiver: Receiver,
  intakeStarted: number,
  intakeEnded: number,
): Promise<DeliveryRate> {
  const between = (from: number, to: number) => receiver.arrivals.filter((at) => at >= from && at < to).length;
  const pendingAfterIntake = await pendingDeliveries(internalUrl, token);
  let pending = pendingAfterIntake;
  while (pending > 0 && performance.now() - intakeEnded < DRAIN_LIMIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    pending = await pendingDeliveries(internalUrl, token);
  }
  const last = receiver.arrivals.at(-1) ?? intakeEnded;
  const drainEnded = pending === 0 ? Math.max(intakeEnded, last) : intakeEnded + DRAIN_LIMIT_MS;
  let repeats = 0;
  for (const times of receiver.webhookIds.values()) repeats += times - 1;
  return {
    intakeSeconds: (intakeEnded - intakeStarted) / 1000,
    deliveredDuringIntake: between(intakeStarted, intakeEnded),
    pendingAfterIntake,
    drainSeconds: (drainEnded - intakeEnded) / 1000,
    deliveredDuringDrain: between(intakeEnded, drainEnded + 1),
    pendingAtEnd: pending,
    received: receiver.arrivals.length,
    distinct: receiver.webhookIds.size,
    repeats,
  };
}

const perSecond = (count: number, seconds: number) => (seconds > 0 ? String(Math.round(count / seconds)) : "–");

export function deliveryTable(rate: DeliveryRate): string {
  const drained =
    rate.pendingAtEnd === 0 ? `${rate.drainSeconds.toFixed(1)} s` : `not in 60 s (${rate.pendingAtEnd} left)`;
  return [
    "Delivery to a local receiver answering 204 (target e, one destination): deliveries received per second while " +
      "the intake ran (warm-ups and both mixes), then while the backlog drained with no intake.",
    "",
    "| during intake /s | pending after intake | drained in | during drain /s | received | distinct webhook-ids | repeats | messages stored |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${perSecond(rate.deliveredDuringIntake, rate.intakeSeconds)} | ${rate.pendingAfterIntake} | ${drained} | ` +
      `${perSecond(rate.deliveredDuringDrain, rate.drainSeconds)} | ${rate.received} | ${rate.distinct} | ` +
      `${rate.repeats} | ${rate.messages ?? "–"} |`,
  ].join("\n");
}

export function checkDelivery(rate: DeliveryRate): TargetCheck[] {
  const checks = [
    {
      check: "(e) each delivery received once (no repeated webhook-id)",
      measured: `${rate.repeats} repeats`,
      pass: rate.repeats === 0,
    },
  ];
  // Only a drained backlog says every message was delivered; not draining within the limit is shown in the table.
  if (rate.pendingAtEnd === 0 && rate.messages !== undefined)
    checks.push({
      check: "(e) every stored message delivered once the backlog drained",
      measured: `${rate.distinct} of ${rate.messages}`,
      pass: rate.distinct === rate.messages,
    });
  return checks;
}
