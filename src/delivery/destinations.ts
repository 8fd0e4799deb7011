import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type Db, inListChunks, type Tx } from "../db/client";
import type { Clock } from "../tokens/store";

/** 24 hours: the old secret keeps signing next to the new one while receivers switch over. */
const SECRET_OVERLAP_MS = 24 * 60 * 60_000;

const destinationUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2000);

export const destinationFilter = z
  .object({
    api: z.string().min(1).optional().describe("only this Douane API's messages"),
    channels: z.array(z.string().min(1)).min(1).optional().describe("only these channels (e.g. declaration_response)"),
  })
  .strict();
export type DestinationFilter = z.infer<typeof destinationFilter>;

export const destinationInput = z.object({
  url: destinationUrl,
  description: z.string().max(500).optional(),
  filter: destinationFilter.default({}),
});
export const destinationChange = z
  .object({
    url: destinationUrl.optional(),
    description: z.string().max(500).nullable().optional(),
    filter: destinationFilter.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/** What any answer may show of a destination: never a secret (it is shown once, in the answer that made it). */
export type DestinationView = {
  id: number;
  url: string;
  description: string | null;
  filter: DestinationFilter;
  enabled: boolean;
  failingSince: Date | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

type Row = NonNullable<Awaited<ReturnType<Db["destination"]["findUnique"]>>>;

export const viewOf = (row: Row): DestinationView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  filter: JSON.parse(row.filter) as DestinationFilter,
  enabled: row.enabled,
  failingSince: row.failingSince,
  previousSecretExpiresAt: row.previousSecretExpiresAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** Destination administration, shared by the internal API and the CLI. */
export class DestinationAdmin {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly afterChange: () => Promise<void> = async () => {},
  ) {}

  async create(input: z.infer<typeof destinationInput>): Promise<DestinationView & { secret: string }> {
    const now = this.clock();
    const secret = newSecret();
    const row = await this.db.destination.create({
      data: {
        url: input.url,
        description: input.description ?? null,
        filter: JSON.stringify(input.filter),
        secret,
        createdAt: now,
        updatedAt: now,
      },
    });
    await this.afterChange();
    return { ...viewOf(row), secret };
  }

  async list(): Promise<DestinationView[]> {
    return (await this.db.destination.findMany({ orderBy: { id: "asc" } })).map(viewOf);
  }

  async get(id: number): Promise<DestinationView | null> {
    const row = await this.db.destination.findUnique({ where: { id } });
    return row && viewOf(row);
  }

  async update(id: number, change: z.infer<typeof destinationChange>): Promise<DestinationView | null> {
    const { count } = await this.db.destination.updateMany({
      where: { id },
      data: {
        url: change.url,
        description: change.description,
        filter: change.filter && JSON.stringify(change.filter),
        enabled: change.enabled,
        updatedAt: this.clock(),
      },
    });
    if (count === 0) return null;
    await this.afterChange();
    return this.get(id);
  }

  /** The destination, its deliveries and their attempts go together. */
  async remove(id: number): Promise<boolean> {
    const removed = await this.db.$transaction(async (tx) => {
      const deliveries = (await tx.delivery.findMany({ where: { destinationId: id }, select: { id: true } })).map(
        (d) => d.id,
      );
      // In chunks of the most ids Prisma's SQLite client takes in one query; each statement's journal (held in memory
      // on SQLite) then stays small too, whatever the backlog.
      for (const chunk of inListChunks(deliveries)) await deleteDeliveries(tx, chunk);
      await tx.delivery.deleteMany({ where: { destinationId: id } });
      return (await tx.destination.deleteMany({ where: { id } })).count > 0;
    });
    if (removed) await this.afterChange();
    return removed;
  }

  /** A new secret, returned this once; the current one keeps signing alongside it for 24 hours. */
  async rotateSecret(id: number): Promise<(DestinationView & { secret: string }) | null> {
    const row = await this.db.destination.findUnique({ where: { id } });
    if (!row) return null;
    const now = this.clock();
    const secret = newSecret();
    const { count } = await this.db.destination.updateMany({
      where: { id, secret: row.secret }, // a concurrent rotation wins alone
      data: {
        secret,
        previousSecret: row.secret,
        previousSecretExpiresAt: new Date(now.getTime() + SECRET_OVERLAP_MS),
        updatedAt: now,
      },
    });
    if (count === 0) return null;
    await this.afterChange();
    return { ...(await this.get(id))!, secret };
  }
}

/** Deliveries and their attempts, by delivery id (attempts first: they name their delivery); how many deliveries
 *  went. At most IN_LIST_CHUNK ids a call on SQLite. */
export async function deleteDeliveries(tx: Tx, ids: number[]): Promise<number> {
  await tx.deliveryAttempt.deleteMany({ where: { deliveryId: { in: ids } } });
  return (await tx.delivery.deleteMany({ where: { id: { in: ids } } })).count;
}
