import { GroupQueue } from "../../src/db/group-queue";

describe("a group queue", () => {
  test("is idle only once every group queued so far is written, including those queued while one was being written", async () => {
    const written: number[][] = [];
    let release: () => void = () => {};
    const queue = new GroupQueue<number>(async (items) => {
      const group = items.splice(0, items.length);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      written.push(group);
    });
    queue.push(1);
    queue.push(2);
    let idle = false;
    const waiting = queue.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.push(3); // joins the next group, behind the one being written
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written).toEqual([[1, 2]]);
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(written).toEqual([[1, 2], [3]]);
  });

  test("with nothing queued, is idle at once", async () => {
    await expect(new GroupQueue<number>(async () => {}).idle()).resolves.toBeUndefined();
  });
});
