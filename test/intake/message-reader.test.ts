import { apisOf } from "../../src/douane/apis";
import type { ApiSettings } from "../../src/douane/registry";
import { MessageReader } from "../../src/intake/message-reader";
import { type ArrivedBody, readMessage } from "../../src/intake/read-message";
import { errorH7Example, paths, responseH7Example, withMessageId } from "../support/examples";

const settings: ApiSettings[] = [
  {
    name: "h7",
    envPrefix: "H7",
    basePath: "/dh7",
    token: "secret-h7",
    authHeader: "authorization",
    messageIdPlaces: [],
  },
  {
    name: "gamma2",
    envPrefix: "GAMMA2",
    basePath: "/gamma2",
    token: "secret-gamma2",
    authHeader: "x-token",
    messageIdPlaces: [{ pointer: ["id"] }],
  },
];
const apis = apisOf(settings);
const [h7, gamma2] = apis;

function arrived(api: typeof h7, path: string, body: string | Buffer, contentType = "application/json"): ArrivedBody {
  const { channel, pathParams } = api.contract.channelOf(path.slice(api.basePath.length));
  return { channel, pathParams, rawBody: Buffer.from(body), contentType, headers: { "content-type": contentType } };
}

/** An Error_H7 with `count` errors: 500 of them make a body of about 80 KB, read on the worker thread. */
const manyErrors = (count: number, errorType: unknown = 15) =>
  withMessageId({
    ...errorH7Example,
    error: Array.from({ length: count }, (_, i) => ({
      ...errorH7Example.error[0],
      errorType,
      errorPointer: `item[${i}]`,
    })),
  });

const bodies: [string, ArrivedBody, typeof h7?][] = [
  ["a small valid Response_H7", arrived(h7, paths.response(), JSON.stringify(withMessageId(responseH7Example)))],
  ["a large valid Error_H7", arrived(h7, paths.error, JSON.stringify(manyErrors(500)))],
  ["a large Error_H7 breaking its schema", arrived(h7, paths.error, JSON.stringify(manyErrors(500, "fifteen")))],
  [
    "a large body naming a member twice",
    arrived(
      h7,
      paths.error,
      JSON.stringify(manyErrors(500)).replace('"errorType":15', '"errorType":15,"errorType":16'),
    ),
  ],
  [
    "a large body that is not UTF-8",
    arrived(h7, paths.error, Buffer.concat([Buffer.alloc(70_000, 0x20), Buffer.from([0xff])])),
  ],
  ["a large body that is not JSON", arrived(h7, paths.error, `${JSON.stringify(manyErrors(500))},`)],
  ["a large body of the wrong type", arrived(h7, paths.error, JSON.stringify(manyErrors(500)), "text/plain")],
  [
    "a large body keyed by its hash",
    arrived(gamma2, "/gamma2/mouvements", JSON.stringify({ rows: "x".repeat(70_000) })),
    gamma2,
  ],
];

describe("a callback's body is read the same on the event loop and on the worker thread", () => {
  const offThread = new MessageReader(apis, settings, 0);
  afterAll(() => offThread.close());

  test.each(bodies)("%s", async (_name, body, api = h7) => {
    const onThread = readMessage(api, body);
    expect(await offThread.read(api, body)).toEqual(onThread);
  });

  test("every body of these tests was read off the event loop", async () => {
    const reader = new MessageReader(apis, settings, 0);
    await Promise.all(bodies.map(([, body, api = h7]) => reader.read(api, body)));
    expect(reader.readOffThread).toBe(bodies.length);
    await reader.close();
  });

  test("a body below the threshold is read on the event loop, a body from it on the worker thread", async () => {
    const reader = new MessageReader(apis, settings);
    await reader.read(h7, bodies[0][1]);
    expect(reader.readOffThread).toBe(0);
    await reader.read(h7, bodies[1][1]);
    expect(reader.readOffThread).toBe(1);
    await reader.close();
  });
});
