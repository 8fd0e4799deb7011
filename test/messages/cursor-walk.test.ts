import { databaseProviders } from "../support/databases";
import { paths } from "../support/examples";
import { internal, postCallback, startTestService, type TestService } from "../support/service";
import { errorMessage, seedRows } from "./messages";

const SEEDED = 3000;

describe.each(databaseProviders())("paging through thousands of messages on %s", (provider) => {
  let service: TestService;
  let seededIds: number[];
  beforeAll(async () => {
    service = await startTestService(provider);
    await seedRows(service.db, SEEDED, (i) => ({ lrn: i % 3 === 0 ? "LRN-THIRD" : null }));
    seededIds = (await service.db.message.findMany({ select: { id: true } })).map((row) => row.id);
  }, 60_000);
  afterAll(() => service?.stop());

  type Page = { items: { id: number }[]; nextCursor: string | null };
  const page = async (query: string) => (await internal(service).get(`/v1/messages?${query}`).expect(200)).body as Page;

  async function walk(query: string, onPage: () => Promise<void> = async () => {}): Promise<number[]> {
    const walked: number[] = [];
    let cursor: string | null = null;
    do {
      const answer: Page = await page(`${query}${cursor ? `&cursor=${cursor}` : ""}`);
      walked.push(...answer.items.map((item) => item.id));
      cursor = answer.nextCursor;
      await onPage();
    } while (cursor);
    return walked;
  }

  test("a walk with limit 100 while callbacks keep arriving returns every message once, in strictly decreasing order", async () => {
    expect(seededIds).toHaveLength(SEEDED);
    let walking = true;
    let arrived = 0;
    const arrivals = (async () => {
      while (walking) {
        await Promise.all(
          [1, 2, 3].map(() => postCallback(service.publicApp, paths.error, errorMessage()).expect(200)),
        );
        arrived += 3;
      }
    })();
    let pagesWithArrivals = 0;
    const walked = await walk("limit=100", async () => {
      if (arrived > 0) pagesWithArrivals++;
    });
    walking = false;
    await arrivals;

    expect(pagesWithArrivals).toBeGreaterThan(10); // the walk really ran while messages arrived
    expect(new Set(walked).size).toBe(walked.length);
    for (let i = 1; i < walked.length; i++) expect(walked[i]).toBeLessThan(walked[i - 1]);
    const walkedSet = new Set(walked);
    expect(seededIds.filter((id) => !walkedSet.has(id))).toEqual([]);

    const everything = await walk("limit=500");
    expect(everything).toHaveLength(SEEDED + arrived);
  }, 30_000);

  test("a filtered walk returns exactly the matching messages", async () => {
    const walked = await walk("lrn=LRN-THIRD&limit=77");
    expect(walked).toHaveLength(SEEDED / 3);
    expect(new Set(walked).size).toBe(walked.length);
  });

  test("the page size is 50 by default and at most 500", async () => {
    const first = await page("");
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await page("limit=500")).items).toHaveLength(500);
    await internal(service).get("/v1/messages?limit=501").expect(400);
  });
});
