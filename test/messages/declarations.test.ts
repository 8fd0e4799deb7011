import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { errorMessage, registrationMessage, responseMessage } from "./messages";

describe.each(databaseProviders())("GET /v1/declarations/:customsDeclarationReference on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider, { VALIDATION_MODE: "flag" });
  }, 60_000);
  afterAll(() => service?.stop());

  const post = async (path: string, body: unknown) =>
    (await postCallback(service.publicApp, path, body).expect(200)).body.id as number;

  test("the timeline follows Douane's messageDateTime, not arrival order, and gives the latest state, lrn and mrn", async () => {
    const cdr = "CDR-T1";
    // Arrival order: the acceptance (issued last), then the registration, then an error issued in between.
    // 09:40+01:00 is 08:40Z: earlier than 09:00Z although its text sorts later.
    const accepted = await post(
      paths.response(cdr),
      responseMessage({
        customsDeclarationReference: cdr,
        lrn: "LRN-T1",
        mrn: "21FR000000000000T1",
        state: "ACC",
        messageDateTime: "2024-03-01T11:00:00+01:00[Europe/Paris]",
      }),
    );
    const registered = await post(
      paths.registration("REQ-T1"),
      registrationMessage({
        customsRequestReference: "REQ-T1",
        customsDeclarationReference: cdr,
        lrn: "LRN-T1-OLD",
        mrn: "21FR000000000000T0",
        messageDateTime: "2024-03-01T09:40:00+01:00[Europe/Paris]",
      }),
    );
    const error = await post(
      paths.error,
      errorMessage({
        customsDeclarationReference: cdr,
        lrn: "LRN-T1",
        mrn: "21FR000000000000T1",
        messageDateTime: "2024-03-01T09:00:00Z[UTC]",
      }),
    );
    const undated = await post(paths.response(cdr), {
      ...responseMessage({ customsDeclarationReference: cdr, state: "REG" }),
      header: { messageId: `undated-${Date.now()}`, lrn: "LRN-T1", customsDeclarationReference: cdr },
    });
    await post(
      paths.response("CDR-OTHER"),
      responseMessage({
        customsDeclarationReference: "CDR-OTHER",
        state: "REJ",
        messageDateTime: "2024-03-01T12:00:00Z[UTC]",
      }),
    );

    const { body } = await internal(service).get(`/v1/declarations/${cdr}`).expect(200);
    expect(body.messages.map((message: { id: number }) => message.id)).toEqual([registered, error, accepted, undated]);
    expect(body.messages[0]).toMatchObject({
      channel: "request_registration",
      messageDateTime: "2024-03-01T08:40:00.000Z",
    });
    expect(body.messages[3]).toMatchObject({ messageDateTime: null, validation: "invalid" });
    // A message without messageDateTime (stored only in flag mode) comes last, so its state is the latest word.
    expect(body).toMatchObject({
      customsDeclarationReference: cdr,
      state: "REG",
      lrn: "LRN-T1",
      mrn: "21FR000000000000T1",
    });
    expect(body.messages[0]).not.toHaveProperty("rawBody");
  });

  test("the state is the one of the latest message that carries one; lrn and mrn the latest known", async () => {
    const cdr = "CDR-T2";
    await post(
      paths.response(cdr),
      responseMessage({
        customsDeclarationReference: cdr,
        lrn: "LRN-T2",
        mrn: "21FR000000000000T2",
        state: "ACC",
        messageDateTime: "2024-04-01T10:00:00Z[UTC]",
      }),
    );
    await post(
      paths.error,
      errorMessage({
        customsDeclarationReference: cdr,
        lrn: "LRN-T2B",
        mrn: "21FR00000000000T2B",
        messageDateTime: "2024-04-01T11:00:00Z[UTC]",
      }),
    );
    const { body } = await internal(service).get(`/v1/declarations/${cdr}`).expect(200);
    expect(body).toMatchObject({ state: "ACC", lrn: "LRN-T2B", mrn: "21FR00000000000T2B" });
    expect(body.messages).toHaveLength(2);
  });

  test("a declaration no message mentions is 404", async () => {
    const answer = await internal(service).get("/v1/declarations/CDR-NEVER-SEEN").expect(404);
    expect(answer.body.error).toBe("not_found");
  });
});
