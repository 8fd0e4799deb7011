import { spawnSync } from "node:child_process";
import path from "node:path";
import request from "supertest";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";
import { parseStrictJson } from "../support/strict-json";

test("the strict parser refuses a repeated key that JSON.parse would accept", () => {
  expect(JSON.parse('{"listener":"public","listener":"public"}')).toEqual({ listener: "public" });
  expect(() => parseStrictJson('{"listener":"public","listener":"public"}')).toThrow(/repeated key "listener"/);
  expect(() => parseStrictJson('{"a":{"b":1,"b":2}}')).toThrow(/repeated key "b"/);
  expect(parseStrictJson('{"a":[1,{"b":"\\u0041"}],"c":null}')).toEqual({ a: [1, { b: "A" }], c: null });
});

describe.each(databaseProviders())("log lines on %s", (provider) => {
  test("every line is strict JSON with each key once, the level as a word and an ISO 8601 time", async () => {
    const service = await startTestService(provider, { H7_TOKEN: "log-test-token-0123456789" }); // LOG_LEVEL=debug
    try {
      const token = { token: "log-test-token-0123456789" };
      await postCallback(service.publicApp, paths.error, withMessageId(errorH7Example), token).expect(200);
      await postCallback(service.publicApp, paths.error, "{", token).expect(400);
      await postCallback(service.publicApp, paths.error, "{}", { token: "wrong-token-0000000000" }).expect(401);
      await request(service.publicApp).get("/nowhere").expect(404);
      await internal(service).get("/v1/apis").expect(200);
      await internal(service).get("/v1/quarantine/999").expect(404);
      await internal(service).post("/v1/apis/h7/tokens").expect(201);
    } finally {
      await service.stop();
    }
    const lines = service.logs
      .join("")
      .split("\n")
      .filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(7);
    const publicLines = [];
    for (const line of lines) {
      const entry = parseStrictJson(line) as Record<string, unknown>;
      expect({ line, level: entry.level }).toEqual({
        line,
        level: expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/),
      });
      expect({ line, time: entry.time }).toEqual({
        line,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      if (entry.listener === "public") publicLines.push(entry);
    }
    expect(publicLines.length).toBeGreaterThanOrEqual(4);
  }, 60_000);
});

test("a start-up refused for its configuration is one JSON line too, naming the variable", () => {
  const run = spawnSync(process.execPath, ["-r", require.resolve("tsx/cjs"), "src/main.ts"], {
    cwd: path.resolve(__dirname, "../.."),
    env: { PATH: process.env.PATH, PORT: "not-a-port", CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(run.status).toBe(1);
  const lines = `${run.stdout}${run.stderr}`.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  expect(parseStrictJson(lines[0])).toMatchObject({
    level: "fatal",
    msg: expect.stringMatching(/^invalid configuration:\n {2}PORT: /),
  });
});
