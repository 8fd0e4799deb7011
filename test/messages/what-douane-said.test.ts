// What an ERP reads back must be what Douane said (issue 10), written from ../shared/douane/H7-CALLBACKS.md.
import { databaseProviders } from "../support/databases";
import { errorH7Example, paths, registrationH7Example, responseH7Example, withMessageId } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { seedRows } from "./messages";

const emoji = (n: number) => "\u{1F600}".repeat(n);

describe.each(databaseProviders())("what the internal API answers is what Douane said, on %s", (provider) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(provider); // VALIDATION_MODE=reject: only valid messages are stored
  }, 60_000);
  afterAll(() => service?.stop());

  const post = async (path: string, body: unknown) =>
    (await postCallback(service.publicApp, path, body).expect(200)).body.id as number;
  const listed = async (query: string) =>
    (await internal(service).get(`/v1/messages?${query}`).expect(200)).body.items.map(
      (item: { id: number }) => item.id,
    );
  /** The detail's JSON text as it left the service, before any JSON.parse on our side. */
  const detailText = async (id: number) =>
    (
      await internal(service)
        .get(`/v1/messages/${id}`)
        .expect(200)
        .buffer(true)
        .parse((res, done) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => done(null, text));
        })
    ).body as string;

  describe("spec-true keys, with members the spec does not define present", () => {
    test("an Error_H7 is found by declaration.lrn, never by an lrn in its header", async () => {
      const body = withMessageId({
        ...errorH7Example,
        declaration: { ...errorH7Example.declaration, lrn: "ERR-DECL-1" },
      });
      const id = await post(paths.error, { ...body, header: { ...body.header, lrn: "ERR-HEADER-1" } });
      expect(await listed("lrn=ERR-DECL-1")).toEqual([id]);
      expect(await listed("lrn=ERR-HEADER-1")).toEqual([]);
    });

    test("an Error_H7 without a declaration block is not found by a root-level lrn", async () => {
      const { declaration: _declaration, ...rest } = withMessageId(errorH7Example);
      const id = await post(paths.error, {
        ...rest,
        lrn: "ERR-ROOT-1",
        request: { operatorRequestReference: "OP-ROOT-1" },
      });
      expect(await listed("lrn=ERR-ROOT-1")).toEqual([]);
      expect(await listed("operatorRequestReference=OP-ROOT-1")).toEqual([id]);
    });

    test("a Response_H7 shows declarationState.state, not a state in its header, in the timeline and ?state=", async () => {
      const cdr = "CDR-STATE-1";
      const body = withMessageId(responseH7Example);
      const id = await post(paths.response(cdr), {
        ...body,
        header: { ...body.header, customsDeclarationReference: cdr, state: "REJ" },
        declarationState: { ...body.declarationState, state: "ACC" },
      });
      const { body: timeline } = await internal(service).get(`/v1/declarations/${cdr}`).expect(200);
      expect(timeline).toMatchObject({ state: "ACC", messages: [expect.objectContaining({ id, state: "ACC" })] });
      expect(await listed(`state=REJ&customsDeclarationReference=${cdr}`)).toEqual([]);
      expect(await listed(`state=ACC&customsDeclarationReference=${cdr}`)).toEqual([id]);
    });
  });

  describe("every declaration a registration names", () => {
    const declarations = Array.from({ length: 99 }, (_, i) => ({
      lrn: `REG99-LRN-${i}`,
      customsDeclarationReference: `REG99-CDR-${i}`,
      mrn: `26FR99${String(i).padStart(12, "0")}`,
    }));
    let id: number;
    beforeAll(async () => {
      const body = withMessageId(registrationH7Example);
      id = await post(paths.registration("REG99"), {
        ...body,
        request: { ...body.request, customsRequestReference: "REG99" },
        declarations,
      });
    });

    test.each([0, 49, 98])(
      "the 99-declaration registration is found from declaration %i by lrn, mrn and customsDeclarationReference",
      async (i) => {
        const { lrn, mrn, customsDeclarationReference } = declarations[i];
        expect(await listed(`lrn=${lrn}`)).toEqual([id]);
        expect(await listed(`mrn=${mrn}`)).toEqual([id]);
        expect(await listed(`customsDeclarationReference=${customsDeclarationReference}`)).toEqual([id]);
        expect(await listed(`lrn=${lrn}&mrn=${mrn}&channel=request_registration`)).toEqual([id]);
      },
    );

    test.each([0, 49, 98])(
      "the timeline of declaration %i holds the registration, with that declaration's lrn and mrn",
      async (i) => {
        const { body } = await internal(service)
          .get(`/v1/declarations/${declarations[i].customsDeclarationReference}`)
          .expect(200);
        expect(body).toMatchObject({
          lrn: declarations[i].lrn,
          mrn: declarations[i].mrn,
          messages: [expect.objectContaining({ id, channel: "request_registration" })],
        });
      },
    );

    test("the detail lists the 99 declarations in their order", async () => {
      const { body } = await internal(service).get(`/v1/messages/${id}`).expect(200);
      expect(body.declarations).toEqual(declarations);
    });

    test("a registration refused for its schema and accepted by hand is found from its last declaration", async () => {
      const body = withMessageId(registrationH7Example);
      const refused = await postCallback(service.publicApp, paths.registration("REG3"), {
        ...body,
        header: { ...body.header, messageDateTime: "yesterday" },
        declarations: declarations.slice(96).map((d) => ({
          lrn: `Q-${d.lrn}`,
          customsDeclarationReference: `Q-${d.customsDeclarationReference}`,
          mrn: d.mrn.replace("26FR", "27FR"),
        })),
      }).expect(400);
      const { body: accepted } = await internal(service)
        .post(`/v1/quarantine/${refused.body.quarantineId}/accept`, { reason: "checked with Douane" })
        .expect(201);
      expect(accepted).toMatchObject({
        validation: "invalid",
        declarations: [
          expect.objectContaining({ lrn: "Q-REG99-LRN-96" }),
          expect.anything(),
          expect.objectContaining({ lrn: "Q-REG99-LRN-98" }),
        ],
      });
      expect(await listed("lrn=Q-REG99-LRN-98")).toEqual([accepted.id]);
    });

    test("a later response about a middle declaration joins the registration in its timeline", async () => {
      const cdr = declarations[49].customsDeclarationReference;
      const body = withMessageId(responseH7Example);
      const response = await post(paths.response(cdr), {
        ...body,
        header: { ...body.header, customsDeclarationReference: cdr, lrn: declarations[49].lrn },
      });
      expect(await listed(`customsDeclarationReference=${cdr}`)).toEqual([response, id]);
    });
  });

  test("a declaration named by more messages than one lookup takes is paged exactly, with other filters too", async () => {
    await seedRows(service.db, 1_500, (i) => ({
      lrn: "LRN-MANY",
      channel: i % 100 === 7 ? "declaration_error" : "declaration_response",
    }));
    const walk = async (query: string, limit: number) => {
      const ids: number[] = [];
      for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
        const body: { items: { id: number }[]; nextCursor: string | null } = (
          await internal(service)
            .get(`/v1/messages?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`)
            .expect(200)
        ).body;
        ids.push(...body.items.map((item: { id: number }) => item.id));
        cursor = body.nextCursor;
      }
      return ids;
    };
    const all = await walk("lrn=LRN-MANY", 500);
    expect(all).toHaveLength(1_500);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    const errors = await walk("lrn=LRN-MANY&channel=declaration_error", 4);
    expect(errors).toEqual(all.filter((_, i) => (1_499 - i) % 100 === 7));
  }, 60_000);

  describe("amounts as sent", () => {
    test("16-digit and 2-decimal boundary amounts are accepted and shown with their exact digits", async () => {
      const body = withMessageId(responseH7Example);
      const text = JSON.stringify({
        ...body,
        dutiesAndTaxes: {
          ...body.dutiesAndTaxes,
          generalTaxation: { guaranteedAmount: "@1", unguaranteedAmount: "@2", totalPayableTaxAmount: "@3" },
        },
      })
        .replace('"@1"', "9999999999999999")
        .replace('"@2"', "99999999999999.99")
        .replace('"@3"', "12.50");
      const id = await post(paths.response(), text);
      const detail = await detailText(id);
      expect(detail).toContain(
        '"generalTaxation":{"guaranteedAmount":9999999999999999,"unguaranteedAmount":99999999999999.99,"totalPayableTaxAmount":12.50}',
      );
      expect(detail).toContain('"taxBase":120.4');
      expect(JSON.parse(detail)).toMatchObject({ validation: "valid", findings: [] });
    });

    test("an amount of 17 digits is refused with the path of the field", async () => {
      const body = withMessageId(responseH7Example);
      const text = JSON.stringify({
        ...body,
        dutiesAndTaxes: { generalTaxation: { guaranteedAmount: 0, unguaranteedAmount: 0, totalPayableTaxAmount: "@" } },
      }).replace('"@"', "10000000000000000");
      const answer = await postCallback(service.publicApp, paths.response(), text).expect(400);
      expect(answer.body.issues).toEqual([
        expect.objectContaining({ path: "dutiesAndTaxes.generalTaxation.totalPayableTaxAmount" }),
      ]);
    });
  });

  describe("honest labels and lengths", () => {
    test("a message on a path no channel knows is stored as unchecked, even without messageDateTime", async () => {
      const id = await post("/dh7/demandes/REQ-INV-1/invalidation", {
        header: { messageId: `inv-${Date.now()}` },
        declarations: [{ customsDeclarationReference: "CDR-INV-1", state: "INV" }],
      });
      const { body } = await internal(service).get(`/v1/messages/${id}`).expect(200);
      expect(body).toMatchObject({ channel: "unknown", validation: "unchecked", findings: [] });
      expect(await listed("validation=unchecked")).toContain(id);
      expect(await listed("customsDeclarationReference=CDR-INV-1")).toEqual([id]);
    });

    test("a 291-character messageId with emoji is accepted like any other; 292 characters are not", async () => {
      const messageId = `${Date.now()}`.padEnd(36, "x") + emoji(255);
      const id = await post(paths.error, { ...errorH7Example, header: { ...errorH7Example.header, messageId } });
      expect((await internal(service).get(`/v1/messages/${id}`).expect(200)).body.messageId).toBe(messageId);
      const answer = await postCallback(service.publicApp, paths.error, {
        ...errorH7Example,
        header: { ...errorH7Example.header, messageId: `${messageId}x` },
      }).expect(400);
      expect(answer.body.error).toBe("missing_message_id");
    });

    test("an lrn of 22 emoji is accepted and found by it; a customsRequestReference has no maximum", async () => {
      const lrn = emoji(22);
      const id = await post(paths.error, { ...withMessageId(errorH7Example), declaration: { lrn } });
      expect(await listed(`lrn=${encodeURIComponent(lrn)}`)).toEqual([id]);
      const reference = "R".repeat(300);
      const body = withMessageId(registrationH7Example);
      const registration = await post(paths.registration(reference), {
        ...body,
        request: { ...body.request, customsRequestReference: reference },
      });
      expect(await listed(`customsRequestReference=${reference}`)).toEqual([registration]);
    });
  });
});
