import { noKeys } from "../../src/douane/contract";
import { classify, firstOfEachKey, keyOf } from "../../src/messages/classify";
import { groupInsert } from "../../src/messages/message-columns";

const record = (messageId: string, body: string) => ({ api: "h7", messageId, bodySha256: body });

describe("what a group commit means for each callback (no database)", () => {
  test("a record whose key the INSERT returned is stored", () => {
    expect(classify([record("a", "x")], new Map([[keyOf({ api: "h7", messageId: "a" }), 7]]), new Map())).toEqual([
      { outcome: "stored", id: 7 },
    ]);
  });

  test("a record the INSERT skipped is a duplicate when its body is the stored one, a conflict otherwise", () => {
    const found = new Map([[keyOf({ api: "h7", messageId: "a" }), { id: 3, bodySha256: "x" }]]);
    expect(classify([record("a", "x"), record("a", "y")], new Map(), found)).toEqual([
      { outcome: "duplicate", id: 3 },
      { outcome: "conflict", id: 3, storedBodySha256: "x" },
    ]);
  });

  test("copies in one group: the first is stored, the others are answered from it", () => {
    const records = [record("a", "x"), record("a", "x"), record("a", "z"), record("b", "x")];
    expect(firstOfEachKey(records)).toEqual([records[0], records[3]]);
    const inserted = new Map([
      [keyOf(records[0]), 1],
      [keyOf(records[3]), 2],
    ]);
    expect(classify(records, inserted, new Map())).toEqual([
      { outcome: "stored", id: 1 },
      { outcome: "duplicate", id: 1 },
      { outcome: "conflict", id: 1, storedBodySha256: "x" },
      { outcome: "stored", id: 2 },
    ]);
  });

  test("the same messageId under another API is another message", () => {
    const records = [record("a", "x"), { ...record("a", "y"), api: "gamma" }];
    expect(firstOfEachKey(records)).toHaveLength(2);
  });

  test("a record neither inserted nor found is an error, never a silent answer", () => {
    expect(() => classify([record("a", "x")], new Map(), new Map())).toThrow(/neither inserted nor found/);
  });
});

describe("the group INSERT", () => {
  test("carries one placeholder per argument, row after row, in the column order", () => {
    const message = {
      api: "h7",
      channel: "declaration_error",
      messageId: "m1",
      pathParams: { a: "1" },
      rawBody: Buffer.from("{}"),
      storedBody: Buffer.from("the body as stored"),
      rawBodyCompression: "br" as const,
      bodySha256: "s",
      contentType: "application/json",
      headers: {},
      receivedAt: new Date(0),
      tokenId: 1,
      validation: "valid" as const,
      findings: [],
      ...noKeys,
      lrn: "L",
      declarations: [],
      simulated: false,
    };
    const { sql, args } = groupInsert([message, { ...message, messageId: "m2" }]);
    const columns = sql.match(/\(([^)]*)\) VALUES/)![1].split(", ");
    expect(sql.match(/\?/g)).toHaveLength(args.length);
    expect(args).toHaveLength(2 * columns.length);
    expect(args[columns.indexOf('"messageId"')]).toBe("m1");
    expect(args[columns.length + columns.indexOf('"messageId"')]).toBe("m2");
    expect(args[columns.indexOf('"pathParams"')]).toBe('{"a":"1"}');
    expect(args[columns.indexOf('"lrn"')]).toBe("L");
    expect(args[columns.indexOf('"rawBody"')]).toEqual(Buffer.from("the body as stored"));
    expect(args[columns.indexOf('"rawBodyCompression"')]).toBe("br");
  });
});
