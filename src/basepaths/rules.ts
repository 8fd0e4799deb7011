/** The URL-move rules, pure: given an API's base paths and the time, what may be done and what to warn about. */
import type { MoveRefusalCode } from "../http/error-catalog";

const basePathRoles = ["current", "previous", "retired", "cancelled"] as const;
export type BasePathRole = (typeof basePathRoles)[number];

export interface BasePathState {
  id: number;
  api: string;
  basePath: string;
  role: BasePathRole;
  createdAt: Date;
  movedAt: Date | null;
  retiredAt: Date | null;
  lastCallAt: Date | null;
  callCount: number;
}

/** The old path is retired only once Douane has not called it for this long. */
const QUIET_MINUTES = 30;

/** A move refused; its code and status are in the error catalog (http/error-catalog/refusals.ts). */
export class MoveRefusal extends Error {
  constructor(
    readonly code: MoveRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether two base paths would catch each other's calls: equal, or one a segment prefix of the other. */
export const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** When the previous path may be retired without force, and why not before. */
export function retirement(
  previous: BasePathState,
  now: Date,
  windowMinutes: number,
): { allowed: true } | { allowed: false; refusal: MoveRefusal; notBefore: Date } {
  const windowEnds = new Date(previous.movedAt!.getTime() + windowMinutes * 60_000);
  const quietFrom = previous.lastCallAt ? new Date(previous.lastCallAt.getTime() + QUIET_MINUTES * 60_000) : windowEnds;
  const notBefore = new Date(Math.max(windowEnds.getTime(), quietFrom.getTime()));
  if (now < windowEnds) {
    return {
      allowed: false,
      notBefore,
      refusal: new MoveRefusal(
        "window_not_over",
        `the portal may take ${windowMinutes} minutes to apply the new URL: ${previous.basePath} is retired from ${notBefore.toISOString()} at the earliest (force to retire now)`,
      ),
    };
  }
  if (now < quietFrom) {
    return {
      allowed: false,
      notBefore,
      refusal: new MoveRefusal(
        "still_called",
        `Douane called ${previous.basePath} at ${previous.lastCallAt!.toISOString()}: it is retired once no call came for ${QUIET_MINUTES} minutes (force to retire now)`,
      ),
    };
  }
  return { allowed: true };
}

export interface MoveWarning {
  code: "old_url_still_called" | "new_url_not_called";
  message: string;
}

/** During a move the API is yellow: Douane still calls the old URL, or has not called the new one yet. */
export function moveWarnings(paths: BasePathState[]): MoveWarning[] {
  const previous = paths.find((path) => path.role === "previous");
  const current = paths.find((path) => path.role === "current");
  if (!previous || !current) return [];
  const warnings: MoveWarning[] = [];
  if (previous.lastCallAt && previous.lastCallAt >= previous.movedAt!) {
    warnings.push({
      code: "old_url_still_called",
      message: `Douane still calls the old URL ${previous.basePath} (last at ${previous.lastCallAt.toISOString()})`,
    });
  }
  if (!current.lastCallAt)
    warnings.push({ code: "new_url_not_called", message: `no call on the new URL ${current.basePath} yet` });
  return warnings;
}
