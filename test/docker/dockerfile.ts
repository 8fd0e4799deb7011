import fs from "node:fs";

/** A Dockerfile read as its stages, enough to check the recipe and to perform it outside Docker. */
export interface Stage {
  name: string;
  image: string;
  steps: Step[];
}

export type Step =
  | { kind: "workdir"; path: string }
  | { kind: "env"; values: Record<string, string> }
  | { kind: "copy"; from: string | null; sources: string[]; destination: string }
  | { kind: "run"; command: string }
  | { kind: "user"; user: string }
  | { kind: "volume"; paths: string[] }
  | { kind: "expose"; ports: string[] }
  | { kind: "healthcheck"; command: string[]; options: string[] }
  | { kind: "cmd"; command: string[] };

export function readDockerfile(file: string): Stage[] {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { keyword, rest } of instructions(fs.readFileSync(file, "utf8"))) {
    const text = rest.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? "");
    const stage = stages[stages.length - 1];
    switch (keyword) {
      case "ARG": {
        const [name, value = ""] = text.split("=");
        args[name] = value;
        break;
      }
      case "FROM": {
        const [image, , name] = text.split(/\s+/);
        stages.push({ name: name ?? String(stages.length), image, steps: [] });
        break;
      }
      case "WORKDIR":
        stage.steps.push({ kind: "workdir", path: text });
        break;
      case "ENV":
        stage.steps.push({
          kind: "env",
          values: Object.fromEntries(text.split(/\s+/).map((pair) => pair.split("=") as [string, string])),
        });
        break;
      case "COPY": {
        const words = text.split(/\s+/);
        const from = words.find((word) => word.startsWith("--from="))?.slice("--from=".length) ?? null;
        const paths = words.filter((word) => !word.startsWith("--"));
        stage.steps.push({ kind: "copy", from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] });
        break;
      }
      case "RUN":
        stage.steps.push({ kind: "run", command: text });
        break;
      case "USER":
        stage.steps.push({ kind: "user", user: text });
        break;
      case "VOLUME":
        stage.steps.push({ kind: "volume", paths: JSON.parse(text) });
        break;
      case "EXPOSE":
        stage.steps.push({ kind: "expose", ports: text.split(/\s+/) });
        break;
      case "HEALTHCHECK": {
        const at = text.indexOf("CMD ");
        stage.steps.push({
          kind: "healthcheck",
          options: text.slice(0, at).trim().split(/\s+/),
          command: JSON.parse(text.slice(at + 4)),
        });
        break;
      }
      case "CMD":
        stage.steps.push({ kind: "cmd", command: JSON.parse(text) });
        break;
      default:
        throw new Error(`${keyword} is not understood by this reader: teach it, so the recipe test stays true`);
    }
  }
  return stages;
}

/** Instructions with their continuation lines joined, comments and the parser directive dropped. */
function instructions(text: string) {
  const joined = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n\s*/g, "");
  return joined
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [keyword] = line.trim().split(/\s+/);
      return { keyword: keyword.toUpperCase(), rest: line.trim().slice(keyword.length).trim() };
    });
}

/** The last value of an ENV of a stage. */
export const envOf = (stage: Stage) =>
  Object.assign({}, ...stage.steps.filter((step) => step.kind === "env").map((step) => step.values)) as Record<
    string,
    string
  >;

/** `.dockerignore` patterns as a test on context-relative paths: the subset this project uses (names and `*`,
 *  anchored at the context's root as Docker anchors them; a folder excludes what is under it). */
export function dockerignore(file: string): (relative: string) => boolean {
  const patterns = fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"))
    : [];
  const regexes = patterns.map(
    (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/.*)?$`),
  );
  return (relative) => regexes.some((regex) => regex.test(relative));
}
