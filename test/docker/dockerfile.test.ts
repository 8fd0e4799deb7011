import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { dockerignore, envOf, readDockerfile, type Stage, type Step } from "./dockerfile";

const ROOT = path.resolve(__dirname, "../..");
const stages = readDockerfile(path.join(ROOT, "Dockerfile"));
const runtime = stages[stages.length - 1];
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const stepsOf = <Kind extends Step["kind"]>(stage: Stage, kind: Kind) =>
  stage.steps.filter((step): step is Extract<Step, { kind: Kind }> => step.kind === kind);

test("the image is built in one stage and runs from another, as an unprivileged user, with its data on a volume and a health check", () => {
  expect(stages.map((stage) => stage.name)).toEqual(["build", "runtime"]);
  expect(new Set(stages.map((stage) => stage.image))).toEqual(new Set(["node:22-bookworm-slim"])); // a supported LTS
  expect(packageJson.engines.node).toBe(">=20.19"); // the code still runs there
  const users = stepsOf(runtime, "user").map((step) => step.user);
  expect(users[users.length - 1]).toBe("node");
  const databaseUrl = envOf(runtime).DATABASE_URL;
  expect(stepsOf(runtime, "volume").flatMap((step) => step.paths)).toEqual([
    path.posix.dirname(databaseUrl.slice("file:".length)),
  ]);
  expect(stepsOf(runtime, "healthcheck")[0].command.join(" ")).toContain("/health/live");
  // `npm start`'s command, node's flags included: applies the migrations, then listens
  const start = packageJson.scripts.start;
  expect(stepsOf(runtime, "cmd")[0].command).toEqual(start.split(" "));
  expect(start).toMatch(/^node .*dist\/src\/main\.js$/);
  expect(
    stepsOf(runtime, "run")
      .map((step) => step.command)
      .join("\n"),
  ).not.toMatch(/npm (ci|install)/); // dependencies come built from the build stage
  expect(stepsOf(stages[0], "run").map((step) => step.command)).toContainEqual(
    expect.stringMatching(/^npm prune --omit=dev/),
  );
  expect(envOf(runtime).NODE_ENV).toBe("production");
});

/** RUN steps about the operating system, which this machine provides already (checked); every other RUN is performed as written. */
const SYSTEM_STEPS: { pattern: RegExp; check(match: RegExpMatchArray): void }[] = [
  {
    pattern: /^apt-get update && apt-get install -y --no-install-recommends ([^&]+) &&/,
    check: (match) =>
      match[1]
        .trim()
        .split(/\s+/)
        .forEach((tool) => execFileSync("which", [tool])),
  },
  {
    pattern: /^npm install -g npm@(\S+)$/,
    check: (match) => expect(execFileSync("npm", ["--version"], { encoding: "utf8" }).trim()).toBe(match[1]),
  },
  { pattern: /^mkdir -p \/data && chown node:node \/data$/, check: () => undefined }, // the test makes its own volume folder, owned by its own user
];

const enabled = process.env.DOCKERFILE_TEST === "1";
(enabled ? test : test.skip)(
  "the Dockerfile's steps, performed outside Docker on a clean copy, give a service that migrates, starts, passes its health check and takes callbacks",
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "dockerfile-"));
    fs.chmodSync(work, 0o755); // the unprivileged user reads the image's files, as in the image
    let service: ChildProcess | undefined;
    try {
      const context = cleanCopy(path.join(work, "context"));
      const roots = new Map<string, string>();
      let app = "";
      for (const stage of stages) {
        roots.set(stage.name, path.join(work, stage.name));
        app = performStage(stage, context, roots);
      }
      for (const devOnly of ["typescript", "jest", "tsx", "ts-jest", "@types/node"])
        expect(fs.existsSync(path.join(app, "node_modules", devOnly))).toBe(false);
      expect(fs.existsSync(path.join(app, "src"))).toBe(false);

      const volume = path.join(work, "volume");
      fs.mkdirSync(volume);
      const user = unprivilegedUser(volume);
      const port = await freePort();
      const env = {
        PATH: process.env.PATH!,
        HOME: user.home,
        ...envOf(runtime),
        PORT: String(port),
        DATABASE_URL: `file:${volume}/receiver.db`,
        H7_TOKEN: "docker-recipe-token-0123456789",
        LOG_LEVEL: "warn",
      };
      let output = "";
      const [command, ...args] = user.run(stepsOf(runtime, "cmd")[0].command);
      service = spawn(command, args, { cwd: app, env });
      service.stdout!.on("data", (chunk) => (output += chunk));
      service.stderr!.on("data", (chunk) => (output += chunk));
      await until(
        async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.ok === true,
        90_000,
        () => output,
      );

      const [check, ...checkArgs] = user.run(stepsOf(runtime, "healthcheck")[0].command);
      execFileSync(check, checkArgs, { cwd: app, env, stdio: "pipe" }); // the HEALTHCHECK command exits 0
      expect(fs.statSync(path.join(volume, "receiver.db")).uid).toBe(user.uid); // migrated on start, by the service's user, in the volume

      const cli = (...argv: string[]) => {
        const [node, ...rest] = user.run(["node", "dist/src/cli/main.js", ...argv]);
        return execFileSync(node, rest, { cwd: app, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      };
      expect(
        JSON.parse(cli("--json", "simulate", "--url", `http://127.0.0.1:${port}/dh7`, "--count", "5", "--rate", "0")),
      ).toMatchObject({ sent: 5, stored: 5, unexpected: 0 });
      expect(JSON.parse(cli("--json", "messages", "list")).items).toHaveLength(5);
      expect(JSON.parse(cli("--json", "status")).items[0]).toMatchObject({ api: "h7", status: "green" });

      const exited = new Promise((resolve) => service!.once("exit", (code) => resolve(code)));
      service.kill("SIGTERM");
      expect(await exited).toBe(0);
      service = undefined;
    } finally {
      service?.kill("SIGKILL");
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
  20 * 60_000,
);

/** The build context Docker would get: the working tree's files (tracked, or new and not git-ignored) minus .dockerignore. */
function cleanCopy(target: string): string {
  const ignored = dockerignore(path.join(ROOT, ".dockerignore"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of new Set(files)) {
    if (ignored(file) || !exists(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.cpSync(path.join(ROOT, file), path.join(target, file), { verbatimSymlinks: true });
  }
  return target;
}

/** Performs one stage in its own folder, which stands for the image's `/`; returns the folder of its last WORKDIR. */
function performStage(stage: Stage, context: string, roots: Map<string, string>): string {
  const root = roots.get(stage.name)!;
  let workdir = root;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), npm_config_prefer_offline: "true" };
  const inImage = (image: string, file: string) =>
    file.startsWith("/") ? path.join(image, file) : path.join(workdir, file);
  for (const step of stage.steps) {
    if (step.kind === "workdir") fs.mkdirSync((workdir = path.join(root, step.path)), { recursive: true });
    if (step.kind === "env") Object.assign(env, step.values);
    if (step.kind === "copy") {
      for (const source of step.sources) {
        const from = step.from === null ? path.join(context, source) : inImage(roots.get(step.from)!, source);
        // Docker: a folder's content goes into the destination; files go into a destination ending with "/".
        const into =
          step.destination.endsWith("/") && !fs.statSync(from).isDirectory()
            ? path.join(inImage(root, step.destination), path.basename(source))
            : inImage(root, step.destination);
        fs.mkdirSync(path.dirname(into), { recursive: true });
        fs.cpSync(from, into, { recursive: true, verbatimSymlinks: true });
      }
    }
    if (step.kind === "run") {
      const system = SYSTEM_STEPS.map((candidate) => ({
        candidate,
        match: step.command.match(candidate.pattern),
      })).find(({ match }) => match);
      if (system) system.candidate.check(system.match!);
      else run(step.command, workdir, env);
    }
  }
  return workdir;
}

function run(command: string, cwd: string, env: Record<string, string>): void {
  try {
    execFileSync("sh", ["-c", command], { cwd, env, stdio: "pipe", maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`RUN ${command} failed:\n${String(stdout).slice(-4000)}\n${String(stderr).slice(-4000)}`);
  }
}

/** As root, commands run as `nobody` (setpriv), the stand-in for the image's `node` user; otherwise as ourselves. */
function unprivilegedUser(volume: string) {
  if (process.getuid?.() !== 0)
    return { uid: process.getuid!(), home: os.homedir(), run: (command: string[]) => command };
  fs.chownSync(volume, 65534, 65534);
  // The test run's temporary folders are private (mkdtemp: 0700): `nobody` must be able to reach the image's files.
  for (let dir = path.dirname(volume); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = fs.statSync(dir);
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o005);
  }
  return {
    uid: 65534,
    home: "/nonexistent",
    run: (command: string[]) => ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...command],
  };
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function until(ready: () => Promise<boolean>, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline)
      throw new Error(`the service did not answer /health/live within ${timeoutMs} ms:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
