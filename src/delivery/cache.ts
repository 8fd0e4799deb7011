import type { Logger } from "pino";
import type { Db } from "../db/client";
import { type DestinationView, viewOf } from "./destinations";

/** How often a replica rereads the destinations, to see changes made through another replica or the CLI. */
const DESTINATION_RELOAD_MS = 5_000;

export interface StoredMessage {
  id: number;
  api: string;
  channel: string;
  customsDeclarationReference: string | null;
}

export function matches(destination: DestinationView, message: Pick<StoredMessage, "api" | "channel">): boolean {
  const { api, channels } = destination.filter;
  return (
    destination.enabled &&
    (api === undefined || api === message.api) &&
    (channels === undefined || channels.includes(message.channel))
  );
}

/** The destinations in memory, so the intake's group commit does not read them once per transaction. Reloaded
 *  at once after a change made here, and every few seconds for changes made elsewhere. */
export class DestinationCache {
  private destinations: DestinationView[] = [];
  private secrets = new Map<
    number,
    { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null }
  >();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  get all(): DestinationView[] {
    return this.destinations;
  }

  async reload(): Promise<void> {
    const rows = await this.db.destination.findMany({ orderBy: { id: "asc" } });
    this.destinations = rows.map(viewOf);
    this.secrets = new Map(rows.map((row) => [row.id, row]));
  }

  /** The secrets that sign for a destination now: the current one, and the previous one during its overlap. */
  secretsOf(id: number, now: Date): string[] {
    const row = this.secrets.get(id);
    if (!row) return [];
    const previous =
      row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now
        ? [row.previousSecret]
        : [];
    return [row.secret, ...previous];
  }

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(
      () => this.reload().catch((error) => this.logger.warn({ err: error }, "destinations reload failed")),
      DESTINATION_RELOAD_MS,
    ).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
