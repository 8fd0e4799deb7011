import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { errorH7Example, paths, withMessageId } from "../support/examples";
import { type RunningServer, startServerProcess as start } from "../support/process";
import { TEST_TOKEN } from "../support/service";

describe("the server process", () => {
  let testDatabase: TestDatabase;
  const started: RunningServer[] = [];
  const startServerProcess = async (...args: Parameters<typeof start>) => {
    const server = await start(...args);
    started.push(server);
    return server;
  };
  afterEach(() => {
    for (const server of started.splice(0)) if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });
  beforeAll(async () => {
    testDatabase = await createTestDatabase("sqlite");
  });
  afterAll(() => testDatabase?.drop());

  test("SIGTERM stops accepting, finishes the request in flight with its commit, and exits 0", async () => {
    const server = await startServerProcess({ DATABASE_URL: testDatabase.database.url, H7_TOKEN: TEST_TOKEN });
    const body = Buffer.from(JSON.stringify(withMessageId(errorH7Example)));
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const call = http.request(
        {
          port: server.port,
          path: paths.error,
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "Content-Length": body.length,
            Authorization: `Bearer ${TEST_TOKEN}`,
          },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk)).on("end", () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      call.on("error", reject);
      call.write(body.subarray(0, 40)); // the request is in flight: half its body sent
      setTimeout(() => {
        server.child.kill("SIGTERM");
        setTimeout(async () => {
          await expect(connects(server.port)).resolves.toBe(false); // no new connection accepted
          call.end(body.subarray(40));
        }, 300);
      }, 200);
    });
    const { status, body: text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text).duplicate).toBe(false);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("shutting down");
  }, 60_000);

  test("with TLS_CERT_FILE and TLS_KEY_FILE the public listener serves HTTPS", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-tls-"));
    const [cert, key] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const server = await startServerProcess({
      DATABASE_URL: testDatabase.database.url,
      H7_TOKEN: TEST_TOKEN,
      TLS_CERT_FILE: cert,
      TLS_KEY_FILE: key,
    });
    try {
      const body = JSON.stringify(withMessageId(errorH7Example));
      const answer = await new Promise<{ status: number; authorized: boolean }>((resolve, reject) => {
        const call = https.request(
          {
            host: "127.0.0.1",
            port: server.port,
            path: paths.error,
            method: "POST",
            ca: fs.readFileSync(cert),
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${TEST_TOKEN}` },
          },
          (res) => {
            const authorized = (res.socket as import("node:tls").TLSSocket).authorized;
            res.resume().on("end", () => resolve({ status: res.statusCode!, authorized }));
          },
        );
        call.on("error", reject);
        call.end(body);
      });
      expect(answer).toEqual({ status: 200, authorized: true });
      await expect(plainHttpStatus(server.port)).rejects.toThrow(); // no plain HTTP on the TLS port
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("a bad configuration stops start-up with a message naming the variable", async () => {
    await expect(
      startServerProcess({ DATABASE_URL: testDatabase.database.url, VALIDATION_MODE: "lenient" }, 10_000),
    ).rejects.toThrow(/VALIDATION_MODE/);
  }, 30_000);
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function plainHttpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = http.get({ port, path: "/health/live", timeout: 2_000 }, (res) => resolve(res.statusCode!));
    call.on("error", reject).on("timeout", () => call.destroy(new Error("timeout")));
  });
}
