import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { errorMessage, registrationMessage, responseMessage, seedRows } from "./messages";

describe.each(databaseProviders())("GET /v1/messages on %s", (provider) => {
  let service: TestService;
  let now = new Date("2024-01-01T10:00:00Z");
  const ids: Record<string, number> = {};
  let h7TokenId: number;

  /** Receives one callback at `time`, remembered under `name`. */
  async function receive(name: string, time: string, path: string, body: unknown) {
    now = new Date(time);
    const answer = await postCallback(service.publicApp, path, body).expect(200);
    ids[name] = answer.body.id;
  }

  beforeAll(async () => {
    service = await startTestService(provider, { VALIDATION_MODE: "flag" }, () => now);
    await receive(
      "E1",
      "2024-01-01T10:00:00Z",
      paths.error,
      errorMessage({
        lrn: "LRN-A",
        customsDeclarationReference: "CDR-1",
        mrn: "21FR00000000000001",
        operatorRequestReference: "OP-A",
      }),
    );
    await receive(
      "R1",
      "2024-01-01T11:00:00Z",
      paths.response("CDR-1"),
      responseMessage({ lrn: "LRN-A", customsDeclarationReference: "CDR-1", mrn: "21FR00000000000001", state: "ACC" }),
    );
    await receive(
      "R2",
      "2024-01-01T12:00:00Z",
      paths.response("CDR-2"),
      responseMessage({ lrn: "LRN-B", customsDeclarationReference: "CDR-2", mrn: "21FR00000000000002", state: "REJ" }),
    );
    await receive(
      "G1",
      "2024-01-01T13:00:00Z",
      paths.registration("REQ-9"),
      registrationMessage({
        customsRequestReference: "REQ-9",
        operatorRequestReference: "OP-B",
        lrn: "LRN-B",
        customsDeclarationReference: "CDR-2",
        mrn: "21FR00000000000002",
      }),
    );
    const invalid = errorMessage({ lrn: "LRN-C", customsDeclarationReference: "CDR-3" });
    await receive("X1", "2024-01-01T14:00:00Z", paths.error, { ...invalid, error: "not a list" });
    await seedRows(service.db, 1, () => ({
      api: "other",
      channel: "unknown",
      tokenId: 4242,
      receivedAt: new Date("2024-01-01T15:00:00Z"),
    }));
    ids.Z1 = (await service.db.message.findFirstOrThrow({ where: { api: "other" } })).id;
    h7TokenId = (await service.db.message.findUniqueOrThrow({ where: { id: ids.E1 } })).tokenId!;
  }, 60_000);
  afterAll(() => service?.stop());

  const list = async (query: string) => {
    const answer = await internal(service).get(`/v1/messages?${query}`).expect(200);
    return answer.body as { items: { id: number }[]; nextCursor: string | null };
  };
  const listed = async (query: string) =>
    (await list(query)).items.map((item) => Object.keys(ids).find((name) => ids[name] === item.id));

  test("without filters every message is listed, newest first, with its keys and without its raw body", async () => {
    const { items, nextCursor } = await list("");
    expect(items.map((item) => item.id)).toEqual([ids.Z1, ids.X1, ids.G1, ids.R2, ids.R1, ids.E1]);
    expect(nextCursor).toBeNull();
    expect(items[4]).toEqual({
      id: ids.R1,
      api: "h7",
      channel: "declaration_response",
      messageId: expect.any(String),
      receivedAt: "2024-01-01T11:00:00.000Z",
      validation: "valid",
      lrn: "LRN-A",
      mrn: "21FR00000000000001",
      customsDeclarationReference: "CDR-1",
      customsRequestReference: null,
      operatorRequestReference: null,
      state: "ACC",
      messageDateTime: "2021-03-01T09:15:00.000Z",
      messageDateTimeRaw: "2021-03-01T10:15:00+01:00[Europe/Paris]",
      tokenId: h7TokenId,
      contentType: "application/json",
      bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      acceptedBy: null,
    });
  });

  test.each([
    ["api=other", ["Z1"]],
    ["api=h7", ["X1", "G1", "R2", "R1", "E1"]],
    ["channel=declaration_response", ["R2", "R1"]],
    ["channel=request_registration", ["G1"]],
    ["lrn=LRN-A", ["R1", "E1"]],
    ["mrn=21FR00000000000002", ["G1", "R2"]],
    ["customsDeclarationReference=CDR-1", ["R1", "E1"]],
    ["customsRequestReference=REQ-9", ["G1"]],
    ["operatorRequestReference=OP-A", ["E1"]],
    ["operatorRequestReference=OP-B", ["G1"]],
    ["state=REJ", ["R2"]],
    ["validation=invalid", ["X1"]],
    ["validation=valid", ["Z1", "G1", "R2", "R1", "E1"]],
    ["tokenId=4242", ["Z1"]],
    ["receivedFrom=2024-01-01T11:00:00Z", ["Z1", "X1", "G1", "R2", "R1"]],
    ["receivedTo=2024-01-01T11:00:00Z", ["E1"]],
    ["receivedFrom=2024-01-01T12:00:00%2B01:00&receivedTo=2024-01-01T13:00:00Z", ["R2", "R1"]],
    ["lrn=LRN-nobody", []],
  ])("the filter %s lists exactly its messages, newest first", async (query, expected) => {
    expect(await listed(query)).toEqual(expected);
  });

  test("the token filter matches the id of the token the callbacks came with", async () => {
    expect(await listed(`tokenId=${h7TokenId}`)).toEqual(["X1", "G1", "R2", "R1", "E1"]);
  });

  test.each([
    ["lrn=LRN-A&channel=declaration_error", ["E1"]],
    ["customsDeclarationReference=CDR-2&receivedFrom=2024-01-01T12:30:00Z", ["G1"]],
    ["lrn=LRN-B&mrn=21FR00000000000002&state=REJ&validation=valid&api=h7", ["R2"]],
    ["state=ACC&validation=invalid", []],
    ["api=h7&tokenId=4242", []],
  ])("combined filters %s must all hold", async (query, expected) => {
    expect(await listed(query)).toEqual(expected);
  });

  test("limit pages through a filter with nextCursor, null on the last page", async () => {
    const first = await list("api=h7&limit=2");
    expect(first.items.map((item) => item.id)).toEqual([ids.X1, ids.G1]);
    const second = await list(`api=h7&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((item) => item.id)).toEqual([ids.R2, ids.R1]);
    const last = await list(`api=h7&limit=2&cursor=${second.nextCursor}`);
    expect(last).toEqual({ items: [expect.objectContaining({ id: ids.E1 })], nextCursor: null });
    expect(await list("api=h7&limit=5")).toMatchObject({ nextCursor: null });
  });

  test.each([
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["validation=maybe", "validation"],
    ["tokenId=first", "tokenId"],
    ["receivedFrom=yesterday", "receivedFrom"],
    ["receivedTo=2024-01-01", "receivedTo"],
    ["receivedFrom=2024-01-01T10:00:00", "receivedFrom"],
    ["cursor=not-a-cursor", "cursor"],
    [`cursor=${Buffer.from("q5").toString("base64url")}`, "cursor"],
    ["lrn=", "lrn"],
    ["lrn=A&lrn=B", "lrn"],
    ["lnr=LRN-A", "lnr"],
  ])("a bad query parameter (%s) is a 400 naming it", async (query, name) => {
    const answer = await internal(service).get(`/v1/messages?${query}`).expect(400);
    expect(answer.body).toMatchObject({ error: "invalid_query", issues: [expect.objectContaining({ path: name })] });
    expect(answer.body.message).toContain(name);
  });
});
