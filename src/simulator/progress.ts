import type { Writable } from "node:stream";

export interface Progress {
  tick(status: number | null): void;
  finish(): void;
}

/** A progress bar on a terminal (redrawn in place with \r); on a pipe or a CI log, a line every tenth. */
export function progressOn(
  stream: Writable & { isTTY?: boolean },
  total: number,
  now: () => number = Date.now,
): Progress {
  let done = 0;
  let lastDraw = 0;
  let nextTenth = 1;
  const statuses = new Map<string, number>();
  const counts = () => [...statuses].map(([status, count]) => `${status}×${count}`).join(" ");
  const percent = () => Math.floor((done * 100) / Math.max(1, total));
  const draw = () => {
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    stream.write(
      `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${String(percent()).padStart(3)}%  ${counts()}`,
    );
  };
  return {
    tick(status) {
      done++;
      const key = status === null ? "none" : String(status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (stream.isTTY) {
        if (now() - lastDraw >= 80 || done === total) {
          lastDraw = now();
          draw();
        }
      } else if (done * 10 >= nextTenth * total) {
        while (done * 10 >= nextTenth * total) nextTenth++;
        stream.write(`progress: ${done}/${total} (${percent()}%) ${counts()}\n`);
      }
    },
    finish() {
      if (stream.isTTY) {
        draw();
        stream.write("\n");
      }
    },
  };
}
