import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { databaseProviders } from "../support/databases";
import { internal, startTestService } from "../support/service";

const ops = path.resolve(__dirname, "../../ops");
const files = [path.join(ops, "prometheus/alerts.yml"), path.join(ops, "grafana/dashboard.json")];
const METRIC = /\b(?:receiver|process|nodejs)_[a-z0-9_]+\b/g;

/** Metric names as a PromQL expression can use them: a histogram's _bucket, _sum and _count series too. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, kind] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (kind === "histogram" || kind === "summary")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
  }
  return names;
}

describe.each(databaseProviders())("the alert rules and the dashboard on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());

  test("every metric the alert rules and the dashboard use is exported by /metrics", async () => {
    const exported = exportedNames((await internal(service).get("/metrics").expect(200)).text);
    for (const file of files) {
      const used = [...new Set(fs.readFileSync(file, "utf8").match(METRIC) ?? [])];
      expect(used.length).toBeGreaterThan(3);
      expect({ file: path.basename(file), missing: used.filter((name) => !exported.has(name)) }).toEqual({
        file: path.basename(file),
        missing: [],
      });
    }
  });
});

test("the dashboard is Grafana JSON whose every panel queries Prometheus", () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(ops, "grafana/dashboard.json"), "utf8"));
  expect(dashboard).toMatchObject({
    title: "douane-callback-receiver",
    uid: expect.any(String),
    panels: expect.any(Array),
  });
  for (const panel of dashboard.panels) {
    const queries = panel.targets.map((target: { expr: string }) => (target.expr.match(METRIC) ?? []).length > 0);
    expect({ title: panel.title, queries }).toEqual({ title: panel.title, queries: panel.targets.map(() => true) });
  }
});

// CI installs Debian's prometheus package for promtool (.ci/run); elsewhere without it, these are skipped.
const promtool = spawnSync("promtool", ["--version"]).status === 0;
const withPromtool = promtool || process.env.CI === "true" ? test : test.skip;

withPromtool("promtool accepts the alert rules, and their unit tests pass", () => {
  for (const args of [
    ["check", "rules", "alerts.yml"],
    ["test", "rules", "alerts.test.yml"],
  ]) {
    const run = spawnSync("promtool", args, { cwd: path.join(ops, "prometheus"), encoding: "utf8" });
    expect({
      args,
      status: run.status,
      error: run.error?.message,
      output: run.status === 0 ? "" : run.stdout + run.stderr,
    }).toEqual({ args, status: 0, error: undefined, output: "" });
  }
});
