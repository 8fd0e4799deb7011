import fs from "node:fs";
import { databaseProviders } from "../support/databases";
import { type OutboundLoop, startOutboundLoop } from "./sandbox-harness";

describe.each(databaseProviders())(
  "submissions to the Douane sandbox, tokens from a real OAuth2 server, on %s",
  (provider) => {
    let loop: OutboundLoop;
    beforeAll(async () => {
      loop = await startOutboundLoop(provider);
    }, 60_000);
    afterAll(() => loop?.stop());

    const tokenRequests = async () => (await loop.oauth.requests()).length;
    const metric = async (name: string) => {
      const text = (await loop.api.get("/metrics").expect(200)).text;
      return Object.fromEntries(
        text
          .split("\n")
          .filter((line) => line.startsWith(name))
          .map((line) => [line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1))]),
      );
    };

    test("100 concurrent submissions share one access token, are recorded with Douane's answer, and their returns close their expectations", async () => {
      const before = await tokenRequests();
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => loop.submit(`LRN-C${i}`)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(201));
      expect(answers[7].body).toMatchObject({
        operation: "declaration",
        lrn: "LRN-C7",
        operatorRequestReference: "OP-LRN-C7",
        status: "answered",
        httpStatus: 202,
        error: null,
      });
      expect(await tokenRequests()).toBe(before + 1);
      expect([...loop.sandbox.acceptedByToken.values()]).toEqual([100]);
      expect(await metric("receiver_douane_token_requests_total")).toEqual({
        'receiver_douane_token_requests_total{outcome="issued"}': 1,
      });

      const returns = await loop.settle();
      expect(returns.map((answer) => answer.status)).toEqual(Array(200).fill(200));
      const closed = (await loop.api.get("/v1/expectations?status=closed&limit=500").expect(200)).body.items;
      expect(closed).toHaveLength(100);
      expect(closed[0]).toMatchObject({
        source: "submission",
        status: "closed",
        closedByMessageId: expect.any(Number),
      });
      const shown = await loop.api.get(`/v1/outbound/submissions/${answers[7].body.id}`).expect(200);
      expect(shown.body.requestBody).toEqual({
        header: { lrn: "LRN-C7", operatorRequestReference: "OP-LRN-C7" },
        goodsShipment: { goodsItem: [{ commodityCode: "620520" }] },
      });
      const timeline = (await loop.api.get("/v1/declarations/lrn/LRN-C7").expect(200)).body;
      expect(timeline).toMatchObject({
        lrn: "LRN-C7",
        state: "ACC",
        submissions: [{ id: answers[7].body.id, status: "answered" }],
        expectations: [{ status: "closed" }],
      });
      expect(timeline.messages.map((message: { channel: string }) => message.channel)).toEqual([
        "request_registration",
        "declaration_response",
      ]);
      expect(timeline.messages[1].customsDeclarationReference).toBe(timeline.customsDeclarationReference);
      await loop.api.get(`/v1/declarations/${timeline.customsDeclarationReference}`).expect(200);
      expect(loop.service.logText()).not.toMatch(/eyJ[A-Za-z0-9_-]{20}|Pa55word/);
    }, 120_000);

    test("a token is renewed 30 s before it expires, and Douane accepts the new one", async () => {
      const before = await tokenRequests();
      loop.advance(269_000);
      await loop.submit("LRN-R1").expect(201);
      expect(await tokenRequests()).toBe(before);
      loop.advance(2_000);
      await loop.submit("LRN-R2").expect(201);
      expect(await tokenRequests()).toBe(before + 1);
      expect(loop.sandbox.refused).toEqual([]);
    }, 60_000);

    test("a declaration of 99 items (more than the internal API's usual 64 KiB) is sent whole, and an invalidation goes to demandes/invalider", async () => {
      const goodsItem = Array.from({ length: 99 }, (_, i) => ({
        goodsItemNumber: i + 1,
        description: "x".repeat(900),
      }));
      const big = await loop.api
        .post("/v1/outbound/h7/declarations", { header: { lrn: "LRN-BIG" }, goodsShipment: { goodsItem } })
        .expect(201);
      expect(big.body).toMatchObject({ lrn: "LRN-BIG", operatorRequestReference: null, status: "answered" });
      await loop.settle(); // its returns first, so the invalidation's are the latest
      const invalidation = await loop.api
        .post("/v1/outbound/h7/invalidations", {
          request: { operatorRequestReference: "OP-INV1" },
          declaration: { lrn: "LRN-BIG" },
        })
        .expect(201);
      expect(invalidation.body).toMatchObject({
        operation: "invalidation",
        lrn: "LRN-BIG",
        operatorRequestReference: "OP-INV1",
        status: "answered",
      });
      await loop.settle();
      const timeline = (await loop.api.get("/v1/declarations/lrn/LRN-BIG").expect(200)).body;
      expect(timeline).toMatchObject({ state: "INV", expectations: [{ status: "closed" }, { status: "closed" }] });
    }, 60_000);

    test("a password changed at Douane turns status red with the reason and stops token requests; changing the file restores it without a restart", async () => {
      await loop.oauth.set({ accepted: "Changed-Pa55word!" });
      loop.advance(300_000); // the token in hand has expired
      const before = await tokenRequests();
      const refused = await loop.submit("LRN-P1").expect(503);
      expect(refused.body).toMatchObject({
        error: "credential_refused",
        submission: { status: "not_sent", error: "credential_refused", lrn: "LRN-P1" },
      });
      await loop.submit("LRN-P2").expect(503);
      expect(await tokenRequests()).toBe(before + 1);
      const status = (await loop.api.get("/v1/outbound/status").expect(200)).body;
      expect(status).toMatchObject({
        status: "red",
        enabled: true,
        token: { status: "red", state: "refused", reason: expect.stringContaining("invalid_grant") },
      });
      expect(JSON.stringify(status)).not.toContain("Pa55word");

      fs.writeFileSync(loop.passwordFile, "Changed-Pa55word!\n");
      await loop.submit("LRN-P3").expect(201);
      expect((await loop.api.get("/v1/outbound/status").expect(200)).body.token).toMatchObject({
        status: "green",
        reason: null,
      });
      expect(await loop.api.get("/v1/expectations?lrn=LRN-P1").expect(200)).toMatchObject({ body: { items: [] } }); // never sent: no return expected
    }, 60_000);

    test("Douane unreachable is answered 502 and recorded, with no return expected; no answer in time is 504 and its return is still expected", async () => {
      await loop.douaneReachable(false);
      try {
        const unreachable = await loop.submit("LRN-U1").expect(502);
        expect(unreachable.body).toMatchObject({
          error: "douane_unreachable",
          submission: { status: "unreachable", error: "ECONNREFUSED", httpStatus: null },
        });
      } finally {
        await loop.douaneReachable(true);
      }
      expect((await loop.api.get("/v1/expectations?lrn=LRN-U1").expect(200)).body.items).toEqual([]);

      loop.state.mode = "hang";
      const submitter = loop.service.outbound.submitter!;
      submitter.timeoutMs = 1_000; // OUTBOUND_REQUEST_TIMEOUT_SECONDS counts whole seconds, and the burst test needs many
      try {
        const silent = await loop.submit("LRN-U2").expect(504);
        expect(silent.body).toMatchObject({
          error: "douane_timeout",
          submission: { status: "timeout", lrn: "LRN-U2" },
        });
      } finally {
        loop.state.mode = "douane";
        submitter.timeoutMs = 60_000;
      }
      expect((await loop.api.get("/v1/expectations?lrn=LRN-U2").expect(200)).body.items).toEqual([
        expect.objectContaining({ status: "open" }),
      ]);
      expect(await metric("receiver_douane_submissions_total")).toMatchObject({
        'receiver_douane_submissions_total{operation="declaration",outcome="unreachable"}': 1,
        'receiver_douane_submissions_total{operation="declaration",outcome="timeout"}': 1,
      });
    }, 60_000);

    test("a return that never comes becomes overdue (listed, counted, yellow); a late one closes it; re-presenting is recorded once", async () => {
      loop.sandbox.holding = true;
      await loop.submit("LRN-O1").expect(201);
      await loop.submit("LRN-O2").expect(201);
      loop.sandbox.holding = false;
      await loop.settle();
      expect((await loop.api.get("/v1/expectations?lrn=LRN-O1").expect(200)).body.items[0].status).toBe("open");

      loop.advance(61 * 60_000);
      const overdue = (await loop.api.get("/v1/expectations?status=overdue&limit=500").expect(200)).body.items;
      expect(overdue.map((item: { lrn: string }) => item.lrn)).toEqual(expect.arrayContaining(["LRN-O1", "LRN-O2"]));
      expect(await metric("receiver_expectations_overdue")).toEqual({
        'receiver_expectations_overdue{api="h7"}': overdue.length,
      });
      expect((await loop.api.get("/v1/outbound/status").expect(200)).body).toMatchObject({
        status: "yellow",
        overdueExpectations: overdue.length,
      });

      const o2 = overdue.find((item: { lrn: string }) => item.lrn === "LRN-O2");
      const represented = await loop.api
        .post(`/v1/expectations/${o2.id}/represented`, { reason: "no return after Douane's incident notice" })
        .set("X-Actor", "alice")
        .expect(201);
      expect(represented.body).toMatchObject({
        status: "represented",
        representedBy: expect.stringContaining("alice"),
        representedReason: "no return after Douane's incident notice",
      });
      expect(
        (await loop.api.post(`/v1/expectations/${o2.id}/represented`, { reason: "again" }).expect(409)).body.error,
      ).toBe("already_represented");

      await loop.sandbox.releaseHeld();
      await loop.settle();
      const o1 = (await loop.api.get("/v1/expectations?lrn=LRN-O1").expect(200)).body.items[0];
      expect(o1).toMatchObject({ status: "closed", closedAt: loop.state.now.toISOString() });
      const stillOverdue = (await loop.api.get("/v1/expectations?status=overdue&limit=500").expect(200)).body.items;
      expect(stillOverdue.map((item: { lrn: string }) => item.lrn)).not.toContain("LRN-O1");
    }, 60_000);
  },
);
