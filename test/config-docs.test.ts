import fs from "node:fs";
import path from "node:path";
import { environmentVariables } from "../src/config";

const root = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("the configuration documentation", () => {
  const table = read("docs/configuration.md");
  const example = read(".env.example");
  // The first cell of each table row names one variable or several (`TLS_CERT_FILE`, `TLS_KEY_FILE`).
  const firstCells = [...table.matchAll(/^\|([^|]*)\|/gm)].map((row) => row[1]);
  const documented = new Set(
    firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z0-9_]+)`/g)].map((name) => name[1])),
  );
  const exampled = new Set([...example.matchAll(/^#?\s*([A-Z0-9_]+)=/gm)].map((match) => match[1]));

  it("has a row in docs/configuration.md for every variable the service reads", () => {
    expect(environmentVariables.filter((name) => !documented.has(name))).toEqual([]);
  });

  it("lists every variable the service reads in .env.example", () => {
    expect(environmentVariables.filter((name) => !exampled.has(name))).toEqual([]);
  });

  it("documents no variable the service does not read", () => {
    const known = new Set<string>(environmentVariables);
    expect([...documented].filter((name) => !known.has(name))).toEqual([]);
    expect([...exampled].filter((name) => !known.has(name))).toEqual([]);
  });
});
