import { isUtf8 } from "node:buffer";
import http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, registrationH7Example, responseH7Example } from "../support/examples";
import { startTestService, TEST_TOKEN, type TestService } from "../support/service";
import { sendHttp, sendRaw, type WireAnswer, type WireRequest } from "../support/wire";

// Property-based: fast-check generates the hostile cases (and shrinks a failing one to a minimal one; its seed is
// printed to replay it). Every case goes over a real socket to the in-process public app, so paths, headers and
// body bytes arrive exactly as generated. The property, whatever the case: a 4xx (or a 200 for what is a valid
// message after all), never a 5xx; a Message row only for a 200, holding the bytes sent; the process still serves.

jest.setTimeout(30_000);

const MAX_BODY_BYTES = 64 * 1024;
const RUNS = Number(process.env.HOSTILE_RUNS_SCALE ?? 1); // HOSTILE_RUNS_SCALE=10 for a longer hunt
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * RUNS)) });

let sequence = 0;
const freshId = () => `hostile-${process.pid}-${Date.now()}-${++sequence}`;
const zoned = "2021-03-01T10:15:00+01:00[Europe/Paris]";
const errorBody = (messageId = freshId(), extra = "") =>
  `{${extra}"header":{"messageDateTime":"${zoned}","messageId":"${messageId}"},"error":[{"errorType":15,"errorDescription":"Déclaration refusée"}]}`;

const examples = [
  { path: paths.error, message: errorH7Example },
  { path: paths.registration("REQ0001"), message: registrationH7Example },
  { path: paths.response("228231995374"), message: responseH7Example },
];
const bytesOf = (example: (typeof examples)[number]) =>
  Buffer.from(JSON.stringify({ ...example.message, header: { ...example.message.header, messageId: freshId() } }));

/** The token and application/json are sent unless told otherwise; the path is Error_H7's unless told. */
type Request = Omit<WireRequest, "path"> & { path?: string };

describe.each(databaseProviders())("hostile input on %s", (provider) => {
  let service: TestService;
  let server: http.Server;
  let port: number;
  let cases = 0;
  let rows = 0; // Message rows after the last case
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    service = await startTestService(provider, { MAX_BODY_BYTES: String(MAX_BODY_BYTES), LOG_LEVEL: "error" });
    server = http.createServer(service.publicApp).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    port = (server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    console.log(`hostile input on ${provider}: ${cases} generated cases, none answered 5xx`);
    await new Promise((resolve) => server?.close(resolve));
    await service?.stop();
  });

  beforeEach(async () => {
    rows = await service.db.message.count();
  });
  afterEach(async () => {
    // Still up and storing, and nothing reached Object.prototype.
    const messageId = freshId();
    const answer = await send({ path: paths.error, body: errorBody(messageId) });
    expect(answer).toMatchObject({ status: 200, body: { messageId, duplicate: false } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  });

  const send = (request: Request) =>
    sendHttp(port, {
      ...request,
      path: request.path ?? paths.error,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...request.headers },
    });

  /** Sends one case and checks the property; returns the answer for the case's own expectations. */
  async function hostile(request: Request): Promise<WireAnswer> {
    const answer = await send(request);
    cases++;
    const [before, after] = [rows, (rows = await service.db.message.count())];
    expect(answer.status).toBeLessThan(500);
    if (answer.status === 200) {
      expect(after - before).toBe(answer.body.duplicate ? 0 : 1);
      const row = await service.db.message.findUniqueOrThrow({ where: { id: answer.body.id as number } });
      if (request.body !== undefined) expect(Buffer.from(row.rawBody).equals(Buffer.from(request.body))).toBe(true);
      expect(() => JSON.parse(row.pathParams)).not.toThrow();
    } else {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(after).toBe(before);
    }
    return answer;
  }

  async function hostileRaw(bytes: Buffer | string): Promise<number | null> {
    const status = await sendRaw(port, bytes);
    cases++;
    if (status === null) await new Promise((resolve) => setTimeout(resolve, 100)); // a request aborted mid-commit
    const [before, after] = [rows, (rows = await service.db.message.count())];
    expect(status === null || status < 500).toBe(true);
    // No answer: nothing was acknowledged, so a valid message may or may not be stored (Douane would resend it).
    if (status === null) expect(after - before).toBeLessThanOrEqual(1);
    else expect(after - before).toBe(status === 200 ? 1 : 0);
    return status;
  }

  const rawRequest = (body: string, head: string[] = [], method = "POST", path = paths.error) =>
    [
      `${method} ${path} HTTP/1.1`,
      "Host: receiver",
      `Authorization: Bearer ${TEST_TOKEN}`,
      "Content-Type: application/json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...head,
      "Connection: close",
      "",
      body,
    ].join("\r\n");

  describe("bodies", () => {
    test("valid H7 bodies cut at any byte are refused with 400 invalid_json or invalid_utf8", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...examples),
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          async (example, where) => {
            const whole = bytesOf(example);
            const answer = await hostile({
              path: example.path,
              body: whole.subarray(0, Math.floor(where * whole.length)),
            });
            expect(answer.status).toBe(400);
            expect(["invalid_json", "invalid_utf8"]).toContain(answer.body.error);
          },
        ),
        runs(120),
      );
    });

    const mutation = fc.record({
      at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      op: fc.constantFrom("delete", "insert", "replace"),
      byte: fc.oneof(fc.constantFrom(...Buffer.from('{}[]",:\\0-e. ntfu')), fc.integer({ min: 0, max: 255 })),
    });
    test("valid H7 bodies with bytes deleted, inserted or replaced are refused with a 4xx, or stored as sent", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...examples),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          async (example, mutations) => {
            const bytes = [...bytesOf(example)];
            for (const { at, op, byte } of mutations) {
              const i = Math.floor(at * bytes.length);
              if (op === "delete") bytes.splice(i, 1);
              else bytes.splice(i, op === "insert" ? 0 : 1, byte);
            }
            await hostile({ path: example.path, body: Buffer.from(bytes) });
          },
        ),
        runs(150),
      );
    });

    test("any JSON value without a string header.messageId is refused with 400 missing_message_id", async () => {
      const noMessageId = fc
        .jsonValue({ maxDepth: 4 })
        .filter((value) => typeof (value as { header?: { messageId?: unknown } })?.header?.messageId !== "string");
      await fc.assert(
        fc.asyncProperty(
          noMessageId,
          fc.constantFrom(...examples.map((example) => example.path)),
          async (value, path) => {
            const answer = await hostile({ path, body: JSON.stringify(value) });
            expect(answer).toMatchObject({ status: 400, body: { error: "missing_message_id" } });
          },
        ),
        runs(90),
      );
    });

    test("random bytes are refused with a 4xx", async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
          const answer = await hostile({ body: Buffer.from(bytes) });
          expect(answer.status).toBe(400);
        }),
        runs(70),
      );
    });

    const badUtf8 = fc.constantFrom(
      [0xff],
      [0xfe],
      [0x80],
      [0xbf],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xed, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
      [0xc3],
      [0xf0, 0x9f, 0x98],
    );
    test("invalid UTF-8 anywhere in a string of a valid message is refused with 400 invalid_utf8", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: "grapheme", maxLength: 40 }),
          fc.nat(),
          badUtf8,
          async (text, at, sequence) => {
            const clean = Buffer.from(JSON.stringify(text).slice(1, -1));
            const i = Math.min(at % (clean.length + 1), clean.length);
            const description = Buffer.concat([clean.subarray(0, i), Buffer.from(sequence), clean.subarray(i)]);
            const [before, after] = errorBody().split("Déclaration refusée");
            const body = Buffer.concat([Buffer.from(before), description, Buffer.from(after)]);
            const answer = await hostile({ body });
            // Inserted inside a character, a sequence could complete it: Node's own UTF-8 check is the oracle.
            if (isUtf8(body)) expect(answer.status).toBe(200);
            else expect(answer).toMatchObject({ status: 400, body: { error: "invalid_utf8" } });
          },
        ),
        runs(70),
      );
    });

    // Valid JSON escapes that neither database takes as they are: PostgreSQL refuses U+0000 in text, Prisma refuses
    // unpaired surrogates. Before the fix, each was a 503 for ever (and failed every message of its group commit).
    const unstorable = fc.constantFrom("\\u0000", "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud83d");

    test("U+0000 or an unpaired surrogate escaped in header.messageId is refused with 400 missing_message_id", async () => {
      await fc.assert(
        fc.asyncProperty(unstorable, fc.boolean(), async (bad, first) => {
          const messageId = first ? `${bad}${freshId()}` : `${freshId()}${bad}`;
          expect(await hostile({ body: errorBody(messageId) })).toMatchObject({
            status: 400,
            body: { error: "missing_message_id" },
          });
        }),
        runs(20),
      );
    });

    test("U+0000 or an unpaired surrogate in the keys or a path parameter is stored, the keys with U+FFFD in its place", async () => {
      await fc.assert(
        fc.asyncProperty(unstorable, async (bad) => {
          const messageId = freshId();
          // A registration whose customsRequestReference is "", as in the spec's example, so the path's is the key.
          const registration =
            `{"header":{"messageDateTime":"${zoned}","messageId":"${messageId}","operatorRequestReference":"O${bad}"},` +
            `"request":{"customsRequestReference":"","requestRegistrationDateTime":"${zoned}"},` +
            `"declarations":[{"lrn":"L${bad}1","customsDeclarationReference":"C${bad}","mrn":"${"M".repeat(17)}${bad}"}]}`;
          const answer = await hostile({ path: "/dh7/demandes/R%00Q/enregistrement", body: registration });
          expect(answer).toMatchObject({ status: 200, body: { messageId } });
          const row = await service.db.message.findUniqueOrThrow({ where: { id: answer.body.id as number } });
          expect(row).toMatchObject({
            validation: "valid",
            customsRequestReference: "R\uFFFDQ",
            lrn: "L\uFFFD1",
            operatorRequestReference: "O\uFFFD",
            mrn: `${"M".repeat(17)}\uFFFD`,
          });
        }),
        runs(12),
      );
    });

    test("10,000 levels of nesting are refused with 400 when unclosed, and stored when closed inside a valid message", async () => {
      const unclosed = await hostile({ body: "[".repeat(10_000) });
      expect(unclosed).toMatchObject({ status: 400, body: { error: "invalid_json" } });
      const objects = await hostile({ body: '{"a":'.repeat(10_000) });
      expect(objects).toMatchObject({ status: 400, body: { error: "invalid_json" } });
      const closed = await hostile({
        body: errorBody(freshId(), `"deep":${"[".repeat(10_000)}${"]".repeat(10_000)},`),
      });
      expect(closed.status).toBe(200);
      const overLimit = await hostile({ body: "[".repeat(100_000) });
      expect(overLimit).toMatchObject({ status: 413, body: { error: "payload_too_large" } });
    });

    test("deep nesting of any depth, bare or inside a message, closed or not, is a 4xx unless it is a valid message", async () => {
      const nesting = fc.record({
        depth: fc.integer({ min: 500, max: 40_000 }),
        opener: fc.constantFrom("[", '{"a":', '{"__proto__":'),
        closed: fc.boolean(),
        inMessage: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(nesting, async ({ depth, opener, closed, inMessage }) => {
          const deep =
            opener.repeat(depth) + (closed ? (opener === "[" ? "]".repeat(depth) : `1${"}".repeat(depth)}`) : "");
          const body = inMessage ? errorBody(freshId(), `"deep":${deep},`) : deep;
          const answer = await hostile({ body });
          if (Buffer.byteLength(body) > MAX_BODY_BYTES) expect(answer.status).toBe(413);
          else if (!closed) expect(answer.body.error).toBe("invalid_json");
          else expect(answer.status).toBe(inMessage ? 200 : 400);
        }),
        runs(20),
      );
    });

    test("huge strings and arrays are stored, refused by the schema, or refused with 413 over MAX_BODY_BYTES", async () => {
      const huge = fc.record({
        kind: fc.constantFrom("string", "array"),
        size: fc.integer({ min: 0, max: 80_000 }),
        chunked: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(huge, async ({ kind, size, chunked }) => {
          const error =
            kind === "string"
              ? `[{"errorDescription":"${"é".repeat(Math.floor(size / 2))}"}]`
              : `[${Array(size).fill("{}").join(",")}]`;
          const body = `{"header":{"messageDateTime":"${zoned}","messageId":"${freshId()}"},"error":${error}}`;
          const answer = await hostile({ body, chunked });
          if (Buffer.byteLength(body) > MAX_BODY_BYTES)
            expect(answer).toMatchObject({ status: 413, body: { error: "payload_too_large" } });
          else if (kind === "string" ? Math.floor(size / 2) > 350 : size > 999)
            expect(answer.body.error).toBe("invalid_schema");
          else expect(answer.status).toBe(200);
        }),
        runs(30),
      );
    });

    const protoKey = fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "polluted",
      "toString",
      "hasOwnProperty",
      "__defineGetter__",
      "valueOf",
    );
    const { value: protoJson } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom("1", '"x"', "null", "true", '{"polluted":"yes"}', '{"isAdmin":true}'),
        tie("object"),
        tie("array"),
      ),
      // Each name once per object: a repeated name is refused for that alone (edge.test.ts).
      object: fc
        .uniqueArray(fc.tuple(protoKey, tie("value")), { maxLength: 4, selector: ([key]) => key })
        .map((members) => `{${members.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`),
      array: fc.array(tie("value"), { maxLength: 3 }).map((items) => `[${items.join(",")}]`),
    }));
    const members = fc
      .uniqueArray(fc.tuple(protoKey, protoJson), { maxLength: 4, selector: ([key]) => key })
      .map((list) => list.map(([key, value]) => `${JSON.stringify(key)}:${value},`).join(""));

    test("__proto__, constructor and prototype keys anywhere pollute nothing: alone a 400, in a valid message stored as sent", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("body", "message", "header"),
          members,
          protoJson,
          async (where, extra, value) => {
            const messageId = freshId();
            const body =
              where === "body"
                ? value
                : where === "message"
                  ? errorBody(messageId, extra)
                  : `{"header":{${extra}"messageDateTime":"${zoned}","messageId":"${messageId}"},"error":[]}`;
            const answer = await hostile({ body });
            if (where === "body") expect(answer.status).toBe(400);
            else expect(answer).toMatchObject({ status: 200, body: { messageId } });
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
          },
        ),
        runs(90),
      );
    });

    test("a header.messageId only on the prototype chain is no messageId", async () => {
      const answer = await hostile({
        body: `{"header":{"__proto__":{"messageId":"${freshId()}","messageDateTime":"${zoned}"}},"error":[]}`,
      });
      expect(answer).toMatchObject({ status: 400, body: { error: "missing_message_id" } });
    });
  });

  describe("paths", () => {
    const segment = fc.oneof(
      fc.constantFrom(
        "..",
        ".",
        "%2F",
        "%2f",
        "%2e%2e",
        "%2E",
        "%00",
        "%",
        "%zz",
        "%C0%AF",
        "%E2%82",
        "%ED%A0%80",
        "%FF",
        "%5C",
        "\\",
        ";",
        "%3B",
        "%20",
        "+",
      ),
      fc.constantFrom("declarations", "erreurs", "reponses", "demandes", "enregistrement", "", "dh7", "228231995374"),
      fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,24}$/),
      fc.integer({ min: 200, max: 20_000 }).map((n) => "R".repeat(n)),
    );
    const absurdPath = fc
      .tuple(
        fc.constantFrom("/dh7/", "/dh7//", "//dh7/", "/DH7/", "/dh7/../", "/dh7%2F", "/%64h7/", "/./dh7/", "/"),
        fc.array(segment, { maxLength: 7 }),
        fc.constantFrom(
          "",
          "?a=%00",
          "?__proto__[polluted]=1&constructor[prototype][polluted]=1",
          `?${"q".repeat(2000)}`,
          "#fragment",
          "?%",
        ),
      )
      .map(([start, segments, tail]) => start + segments.join("/") + tail);

    test("absurd paths (long, encoded slashes, dot segments, %00, bad percent-encodings) get a 4xx or store the message as sent", async () => {
      await fc.assert(
        fc.asyncProperty(absurdPath, fc.constantFrom(...examples), async (path, example) => {
          const answer = await hostile({ path, body: bytesOf(example) });
          if (path.length > 17_000) expect(answer.status).toBe(431);
        }),
        runs(120),
      );
    });
  });

  describe("content types and methods", () => {
    test("a missing, foreign or non-UTF-8 content type is refused with 415 and stores nothing", async () => {
      const foreign = fc.oneof(
        fc.constantFrom(
          null,
          "",
          "text/plain",
          "application/xml",
          "application/json; charset=latin1",
          "application/json; charset=utf-16",
          "application/jsonx",
          "application/json-seq",
          "application/problem+json",
          "multipart/form-data; boundary=x",
          "application/x-www-form-urlencoded",
          "application/octet-stream",
          "json",
          "application",
          "*/*",
          "application/*",
          "application/json; charset=utf-8; charset=latin1",
          "application/json; charset=",
          "text/json",
        ),
        fc
          .string({ unit: fc.constantFrom(..."abcjsonapplitx/;= -+*\"'"), maxLength: 40 })
          .filter((type) => !/^\s*application\/json\s*(;|$)/i.test(type)),
      );
      await fc.assert(
        fc.asyncProperty(foreign, async (contentType) => {
          const answer = await hostile({ body: errorBody(), headers: { "content-type": contentType } });
          expect(answer).toMatchObject({ status: 415, body: { error: "unsupported_content_type" } });
        }),
        runs(70),
      );
    });

    test("application/json in any letter case, with a UTF-8 charset or none, is accepted", async () => {
      const json = fc.constantFrom(
        "application/json",
        "APPLICATION/JSON",
        "Application/Json; charset=UTF-8",
        "application/json;charset=utf8",
        'application/json; charset="utf-8"',
        "application/json ; charset=utf-8",
      );
      await fc.assert(
        fc.asyncProperty(json, async (contentType) => {
          expect((await hostile({ body: errorBody(), headers: { "content-type": contentType } })).status).toBe(200);
        }),
        runs(12),
      );
    });

    const method = fc.constantFrom(
      "GET",
      "HEAD",
      "PUT",
      "PATCH",
      "DELETE",
      "OPTIONS",
      "TRACE",
      "PROPFIND",
      "MKCOL",
      "LOCK",
      "PURGE",
      "SEARCH",
      "M-SEARCH",
      "SUBSCRIBE",
    );
    test("any method but POST is refused: 405 with Allow: POST when authenticated, 401 (or 429) when not", async () => {
      await fc.assert(
        fc.asyncProperty(
          method,
          fc.boolean(),
          fc.constantFrom(...examples.map((example) => example.path)),
          fc.boolean(),
          async (verb, authenticated, path, withBody) => {
            const answer = await hostile({
              method: verb,
              path,
              body: withBody ? errorBody() : undefined,
              headers: authenticated ? {} : { authorization: null },
            });
            if (authenticated) expect(answer).toMatchObject({ status: 405, headers: { allow: "POST" } });
            else expect([401, 429]).toContain(answer.status);
          },
        ),
        runs(40),
      );
    });
  });

  describe("raw HTTP", () => {
    test("header floods get 431 over Node's 16 KiB header limit, and are served normally under it", async () => {
      const flood = fc.record({
        count: fc.integer({ min: 1, max: 4000 }),
        size: fc.integer({ min: 1, max: 40 }),
        oneBig: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(flood, async ({ count, size, oneBig }) => {
          const head = oneBig
            ? [`X-Big: ${"b".repeat(count * size)}`]
            : Array.from({ length: count }, (_, i) => `X-Flood-${i}: ${"v".repeat(size)}`);
          const request = rawRequest(errorBody(), head);
          // What Node counts against its limit: the URL, and each header's name and value.
          const counted = request
            .split("\r\n\r\n")[0]
            .split("\r\n")
            .reduce((total, line, i) => total + (i === 0 ? paths.error.length : line.length - 2), 0);
          const status = await hostileRaw(request);
          if (counted > 16_384 + 64) expect(status).toBe(431);
          else if (counted < 16_384 - 64) expect(status).toBe(200);
          else expect([200, 431]).toContain(status);
        }),
        runs(30),
      );
    });

    const malformed = [
      "GARBAGE\r\n\r\n",
      rawRequest(errorBody()).replace("HTTP/1.1", "HTTP/9.9"),
      rawRequest(errorBody(), ["Transfer-Encoding: chunked"]),
      rawRequest(errorBody()).replace(/Content-Length: \d+/, "Content-Length: -1"),
      rawRequest(errorBody()).replace(/Content-Length: \d+/, "Content-Length: abc"),
      rawRequest(errorBody(), ["Content-Length: 5"]),
      rawRequest(errorBody(), ["Bad Header Line"]),
      rawRequest(errorBody(), ["Bad Name: x"]),
      rawRequest(errorBody(), ["X-Folded: a", " b"]),
      rawRequest(errorBody()).replace(/\r\n/g, "\n"),
      rawRequest(errorBody()).replace(/Content-Length: \d+/, "Content-Length: 100000"),
      rawRequest(errorBody()).replace(/Content-Length: \d+/, "Content-Length: 99999999999999999999"),
      rawRequest("", [], "FOO"),
      rawRequest("", [], "POST", "/dh7/a b"),
      rawRequest("", [], "POST", "http://elsewhere.example/dh7/declarations/erreurs"),
      rawRequest(errorBody()).replace("Host: receiver\r\n", ""),
      rawRequest("zz\r\nabc\r\n0\r\n\r\n").replace(/Content-Length: \d+/, "Transfer-Encoding: chunked"),
      rawRequest("5\r\nab").replace(/Content-Length: \d+/, "Transfer-Encoding: chunked"),
      `POST ${paths.error} HTTP/1.1\r\nHost: receiver\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n`, // headers never finished
    ];
    test("malformed HTTP (framing, versions, header syntax, methods, truncation) gets a 4xx", async () => {
      for (const bytes of malformed) {
        const status = await hostileRaw(bytes);
        if (status === null || status < 400)
          throw new Error(`answered ${status} to ${JSON.stringify(bytes.slice(0, 120))}`);
      }
    });

    test("random bytes and randomly damaged requests get a 4xx, or a 200 for a request the damage left valid", async () => {
      const damaged = fc.record({
        request: fc.constant(null).map(() => rawRequest(errorBody())),
        at: fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 0, max: 255 })),
          { minLength: 1, maxLength: 4 },
        ),
      });
      const bytes = fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 400 }).map((array) => Buffer.from(array)),
        damaged.map(({ request, at }) => {
          const buffer = Buffer.from(request);
          for (const [where, byte] of at) buffer[Math.floor(where * buffer.length)] = byte;
          return buffer;
        }),
      );
      await fc.assert(
        fc.asyncProperty(bytes, async (request) => {
          const status = await hostileRaw(request);
          // Blank lines before a request line are allowed (RFC 9112 2.2): only those may get no answer.
          if (status === null) expect(request.toString("latin1")).toMatch(/^[\r\n]*$/);
          else expect(status === 200 || status >= 400).toBe(true);
        }),
        runs(80),
      );
    });

    test("CONNECT is closed without an answer (Node does so when nothing handles it), storing nothing", async () => {
      expect(
        await hostileRaw("CONNECT elsewhere.example:443 HTTP/1.1\r\nHost: elsewhere.example:443\r\n\r\n"),
      ).toBeNull();
    });
  });

  test("the service logged no unexpected error", () => {
    const errors = service.logs
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((line) => ["error", "fatal"].includes(line.level));
    expect(errors).toEqual([]);
  });
});
