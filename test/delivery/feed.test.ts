import { errorMessage, responseMessage } from "../messages/messages";
import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService } from "../support/service";

describe.each(databaseProviders())("the feed on %s", (provider) => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService(provider);
  }, 60_000);
  afterAll(() => service?.stop());
  const feed = (query: string) => internal(service).get(`/v1/feed?${query}`);
  const store = async (message: { header: { messageId: string } }, path: string) =>
    (await postCallback(service.publicApp, path, message).expect(200)).body.id as number;

  test("serves stored messages oldest first with gap-free positions, as the webhook events, paged by nextPosition", async () => {
    const ids = [
      await store(responseMessage({ customsDeclarationReference: "CDR-F1" }), paths.response("CDR-F1")),
      await store(errorMessage(), paths.error),
      await store(responseMessage({ customsDeclarationReference: "CDR-F2" }), paths.response("CDR-F2")),
    ];
    const { body: first } = await feed("limit=2").expect(200);
    expect(first.items.map((item: { position: number }) => item.position)).toEqual([1, 2]);
    expect(first.items[0]).toMatchObject({
      position: 1,
      type: "h7.declaration_response",
      data: { id: ids[0], keys: expect.objectContaining({ customsDeclarationReference: "CDR-F1" }) },
    });
    expect(first.items[1]).toMatchObject({ type: "h7.declaration_error", data: { id: ids[1] } });
    expect(first.nextPosition).toBe(2);
    const { body: rest } = await feed(`after=${first.nextPosition}`).expect(200);
    expect(rest).toEqual({
      items: [expect.objectContaining({ position: 3, data: expect.objectContaining({ id: ids[2] }) })],
      nextPosition: 3,
    });
    expect(
      await feed("after=3")
        .expect(200)
        .then((r) => r.body),
    ).toEqual({ items: [], nextPosition: 3 });
  });

  test("with wait, the request is held until a message is committed, then answers with it", async () => {
    const { body: before } = await feed("after=0&limit=500").expect(200);
    const waiting = feed(`after=${before.nextPosition}&wait=10`);
    const answered = waiting.then((response) => response.body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = await store(responseMessage({ customsDeclarationReference: "CDR-W" }), paths.response("CDR-W"));
    expect(await answered).toEqual({
      items: [expect.objectContaining({ position: before.nextPosition + 1, data: expect.objectContaining({ id }) })],
      nextPosition: before.nextPosition + 1,
    });
  });

  test("a wait that sees nothing new ends empty, at the same position", async () => {
    const { body: now } = await feed("after=0&limit=500").expect(200);
    expect((await feed(`after=${now.nextPosition}&wait=1`).expect(200)).body).toEqual({
      items: [],
      nextPosition: now.nextPosition,
    });
  });

  test("wait is at most 30 seconds and unknown parameters are refused by name", async () => {
    expect((await feed("wait=31").expect(400)).body.issues).toEqual([expect.objectContaining({ path: "wait" })]);
    expect((await feed("from=3").expect(400)).body.issues).toEqual([expect.objectContaining({ path: "from" })]);
  });
});
