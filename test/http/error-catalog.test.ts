import fs from "node:fs";
import path from "node:path";
import { MoveRefusal } from "../../src/basepaths/rules";
import { errorCatalog, errors } from "../../src/http/error-catalog";
import { LifecycleRefusal } from "../../src/tokens/lifecycle";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
/** The table rows of a document's section, from its `## heading` to the next one. */
const rowsOf = (file: string, heading: string) => {
  const text = read(file);
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${file} has no section ${heading}`);
  const end = text.indexOf("\n## ", start + 1);
  return text
    .slice(start, end < 0 ? undefined : end)
    .split("\n")
    .filter((line) => line.startsWith("|"));
};
const cellsOf = (row: string) => row.split("|").map((cell) => cell.trim());

describe("the error catalog", () => {
  const codes = errorCatalog.map((entry) => entry.code);

  it("gives each code once, in snake_case", () => {
    expect(codes.filter((code, index) => codes.indexOf(code) !== index)).toEqual([]);
    expect(codes.filter((code) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(code))).toEqual([]);
  });

  it("answers every code with a 4xx or 5xx status", () => {
    expect(errorCatalog.filter((entry) => entry.status < 400 || entry.status > 599)).toEqual([]);
  });

  it("has every code in a row of the docs' answers tables, beside its status", () => {
    const rows = [...rowsOf("README.md", "Answers"), ...rowsOf("docs/internal-api.md", "Errors")];
    const documented = (entry: (typeof errorCatalog)[number]) =>
      rows.some(
        (row) =>
          cellsOf(row).includes(String(entry.status)) &&
          (row.includes(`\`${entry.code}\``) || row.includes(`"${entry.code}"`)),
      );
    expect(errorCatalog.filter((entry) => !documented(entry)).map(({ code, status }) => `${status} ${code}`)).toEqual(
      [],
    );
  });

  it("documents in the internal API's table no code the catalog lacks", () => {
    const named = rowsOf("docs/internal-api.md", "Errors")
      .slice(2)
      .flatMap((row) => [...cellsOf(row)[2].matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1]));
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((code) => !codes.includes(code))).toEqual([]);
  });

  it("is the only place an HttpError is made", () => {
    const sources = (dir: string): string[] =>
      fs
        .readdirSync(path.join(root, dir), { withFileTypes: true })
        .flatMap((entry) => (entry.isDirectory() ? sources(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
    const makers = sources("src")
      .filter((file) => file.endsWith(".ts") && !file.startsWith(path.join("src", "generated")))
      .filter((file) => read(file).includes("new HttpError("));
    expect(makers).toEqual([path.join("src", "http", "error-catalog", "http-error.ts")]);
  });
});

const shapeOf = (error: ReturnType<typeof errors.notFound>) => ({
  status: error.status,
  code: error.code,
  message: error.message,
  extra: error.extra,
  headers: error.headers,
});

describe("the catalog's named constructors", () => {
  it("name what was not found, by id or by what it is about", () => {
    expect(shapeOf(errors.notFound({ what: "destination", id: 3 }))).toEqual({
      status: 404,
      code: "not_found",
      message: "no destination with id 3",
      extra: {},
      headers: {},
    });
    expect(errors.notFound({ what: "message", about: "declaration 228231995374" }).message).toBe(
      "no message about declaration 228231995374",
    );
  });

  it("refuse a Douane token with its reason and a challenge for the API's realm", () => {
    expect(shapeOf(errors.unauthorized({ message: "expired", realm: "h7", reason: "expired_token" }))).toEqual({
      status: 401,
      code: "unauthorized",
      message: "expired",
      extra: { reason: "expired_token" },
      headers: { "WWW-Authenticate": 'Bearer realm="h7"' },
    });
  });

  it("name each invalid field of a request part, the part itself for a field without a path", () => {
    const issues = [
      { path: "lnr", message: "unknown" },
      { path: "", message: "expected an object" },
    ];
    expect(shapeOf(errors.invalidRequest({ part: "query", issues }))).toEqual({
      status: 400,
      code: "invalid_query",
      message: "invalid query parameter: lnr, query",
      extra: { issues },
      headers: {},
    });
  });

  it("give lifecycle and move refusals the status of their code", () => {
    const answers = [
      errors.refused(new LifecycleRefusal("not_found", "no token 9 for this API")),
      errors.refused(new LifecycleRefusal("last_usable_token", "the last one")),
      errors.refused(new MoveRefusal("no_move", "no move of h7 is in progress")),
      errors.refused(new MoveRefusal("still_called", "called 2 minutes ago")),
    ];
    expect(answers.map(({ status, code, message }) => [status, code, message])).toEqual([
      [404, "not_found", "no token 9 for this API"],
      [409, "last_usable_token", "the last one"],
      [404, "no_move", "no move of h7 is in progress"],
      [409, "still_called", "called 2 minutes ago"],
    ]);
  });

  it("carry a failed submission's record with the status of its failure", () => {
    const submission = { id: 4, status: "timeout" };
    const failed = errors.submissionFailed({ code: "douane_timeout", message: "no answer in 30 s", submission });
    expect([failed.status, failed.code, failed.message, failed.extra]).toEqual([
      504,
      "douane_timeout",
      "no answer in 30 s",
      { submission },
    ]);
  });

  it("turn body-parser's error types into their entries and leave other errors alone", () => {
    const tooLarge = errors.fromBodyParser({ type: "entity.too.large", message: "request entity too large" });
    expect([tooLarge?.status, tooLarge?.code, tooLarge?.message]).toEqual([
      413,
      "payload_too_large",
      "request entity too large",
    ]);
    expect(errors.fromBodyParser({ type: "constructor", message: "x" })).toBeNull();
    expect(errors.fromBodyParser({ message: "x" })).toBeNull();
  });

  it("keep the status Express gave a client error it reported", () => {
    const refused = errors.badRequest({ status: 414, message: "URI too long" });
    expect([refused.status, refused.code]).toEqual([414, "bad_request"]);
  });

  it("tell a busy intake's sender to retry later on a closed connection", () => {
    expect(errors.busy().headers).toEqual({ "Retry-After": "5", Connection: "close" });
  });
});
