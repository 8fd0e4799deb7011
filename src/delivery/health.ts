import type { Db } from "../db/client";
import type { Metrics } from "../http/metrics";
import type { DestinationView } from "./destinations";

/** A destination failing for longer than this turns its APIs' status yellow. */
const FAILING_ALERT_MS = 15 * 60_000;

export interface DeliveryWarning {
  destinationId: number;
  url: string;
  failingSince: Date;
  message: string;
}

/** Enabled destinations that receive `api`'s messages and have failed every attempt for over 15 minutes. */
export function deliveryWarnings(destinations: DestinationView[], api: string, now: Date): DeliveryWarning[] {
  return destinations
    .filter((d) => d.enabled && (d.filter.api === undefined || d.filter.api === api))
    .filter((d) => d.failingSince !== null && now.getTime() - d.failingSince.getTime() > FAILING_ALERT_MS)
    .map((d) => ({
      destinationId: d.id,
      url: d.url,
      failingSince: d.failingSince!,
      message: `every delivery to destination ${d.id} has failed since ${d.failingSince!.toISOString()}: see GET /v1/destinations/${d.id}/deliveries?status=pending`,
    }));
}

/** Pending count and oldest pending age per destination, sampled when /metrics is scraped. */
export async function sampleDeliveryMetrics(db: Db, metrics: Metrics, now: Date): Promise<void> {
  // only existing destinations: a replica that had not yet seen a removal may have queued a few for it
  const destinations = (await db.destination.findMany({ select: { id: true } })).map((d) => d.id);
  const rows = await db.delivery.groupBy({
    by: ["destinationId"],
    where: { status: "pending", destinationId: { in: destinations } },
    _count: { _all: true },
    _min: { createdAt: true },
  });
  metrics.deliveriesPending.reset();
  metrics.oldestPendingSeconds.reset();
  for (const row of rows) {
    const destination = String(row.destinationId);
    metrics.deliveriesPending.set({ destination }, row._count._all);
    metrics.oldestPendingSeconds.set(
      { destination },
      row._min.createdAt ? Math.max(0, (now.getTime() - row._min.createdAt.getTime()) / 1000) : 0,
    );
  }
}
