import type { Express } from "express";
import request from "supertest";
import { databaseProviders } from "../support/databases";
import { internal, startTestService, TEST_TOKEN, type TestService } from "../support/service";

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method and path the Express app routes, from its router's layers (mounted routers included). */
function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const visit = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        visit(layer.handle.stack);
      }
    }
  };
  visit((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

describe.each(databaseProviders())("the internal API's OpenAPI document on %s", (provider) => {
  let service: TestService;
  let document: { paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>> };
  beforeAll(async () => {
    service = await startTestService(provider);
    document = (await internal(service).get("/v1/openapi.json").expect(200)).body;
  }, 60_000);
  afterAll(() => service?.stop());

  test("every route the internal listener serves under /v1 is in the document, and nothing else", async () => {
    const routed = registeredRoutes(service.internalApp!).filter((route) => route.split(" ")[1].startsWith("/v1/"));
    expect(routed).toEqual(
      expect.arrayContaining(["get /v1/messages", "get /v1/messages/:id/raw", "post /v1/quarantine/:id/accept"]),
    );
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(routed.map((route) => openApiPath(route)).sort());
  });

  test("every operation has a summary and documents its success and its errors", () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect({ at: `${method} ${path}`, summary: typeof operation.summary }).toEqual({
          at: `${method} ${path}`,
          summary: "string",
        });
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["400", "401"]));
      }
    }
  });

  test("the list's query parameters and answer come from the zod schemas that validate them", () => {
    const list = document.paths["/v1/messages"].get as unknown as {
      parameters: { name: string; required: boolean; schema: Record<string, unknown> }[];
      responses: Record<string, any>;
    };
    const parameter = (name: string) => list.parameters.find((candidate) => candidate.name === name);
    expect(list.parameters.map((candidate) => candidate.name)).toEqual(
      expect.arrayContaining([
        "lrn",
        "mrn",
        "customsDeclarationReference",
        "validation",
        "receivedFrom",
        "limit",
        "cursor",
      ]),
    );
    expect(parameter("validation")).toMatchObject({
      required: false,
      schema: { enum: ["valid", "invalid", "unchecked"] },
    });
    expect(parameter("limit")).toMatchObject({ required: false, schema: { maximum: 500, default: 50 } });
    const page = list.responses["200"].content["application/json"].schema;
    expect(page.properties.items.items.properties.receivedAt).toMatchObject({ type: "string", format: "date-time" });
    expect(page.properties.items.items.properties).not.toHaveProperty("rawBody");
  });

  test("the Douane-facing listener answers 404 for every documented path, even with a Douane token", async () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      const concrete = path.replace(/\{[^}]+\}/g, "1");
      for (const method of Object.keys(operations) as ("get" | "post")[]) {
        const answer = await request(service.publicApp)[method](concrete).set("Authorization", `Bearer ${TEST_TOKEN}`);
        expect({ at: `${method} ${concrete}`, status: answer.status }).toEqual({
          at: `${method} ${concrete}`,
          status: 404,
        });
      }
    }
  });
});
