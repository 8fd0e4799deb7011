// Where the machine's CPU went during a measured run, from Linux's /proc: the server, the load generator,
// PostgreSQL's processes, and everything else. "Everything else" is other people's work on a shared
// machine: when it is high, that run's numbers are not the service's.
import fs from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

export interface CpuSample {
  at: number; // seconds, monotonic
  busyTicks: number; // the whole machine, all cores
  serverTicks: number;
  postgresTicks: Map<number, number>; // per PostgreSQL process: only those alive at both ends are counted
  driverSeconds: number; // this process, from process.cpuUsage
}

/** Shares of one core (1.0 = one core fully busy) over the interval. */
export interface CpuShares {
  cores: number;
  machine: number;
  server: number;
  driver: number;
  postgres: number;
  others: number;
}

export function sampleCpu(serverPid: number | undefined): CpuSample | null {
  try {
    const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    const usage = process.cpuUsage();
    return {
      at: performance.now() / 1000,
      busyTicks: user + nice + system + irq + softirq + (steal ?? 0),
      serverTicks: serverPid === undefined ? 0 : ticksOf(serverPid),
      postgresTicks: new Map(postgresPids().map((pid) => [pid, ticksOf(pid)])),
      driverSeconds: (usage.user + usage.system) / 1e6,
    };
  } catch {
    return null; // not Linux: the report just has no CPU columns
  }
}

export function sharesBetween(start: CpuSample | null, end: CpuSample | null, cores: number): CpuShares | null {
  if (!start || !end) return null;
  const seconds = end.at - start.at;
  const share = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const machine = share(end.busyTicks - start.busyTicks);
  const server = share(end.serverTicks - start.serverTicks);
  let postgresTicks = 0;
  for (const [pid, ticks] of end.postgresTicks) postgresTicks += ticks - (start.postgresTicks.get(pid) ?? ticks);
  const postgres = share(postgresTicks);
  const driver = (end.driverSeconds - start.driverSeconds) / seconds;
  return { cores, machine, server, driver, postgres, others: Math.max(0, machine - server - driver - postgres) };
}

function ticksOf(pid: number): number {
  try {
    // comm (field 2) may hold spaces: read after its closing parenthesis; utime and stime are fields 14 and 15
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(after[11]) + Number(after[12]);
  } catch {
    return 0; // the process ended between listing and reading
  }
}

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}
