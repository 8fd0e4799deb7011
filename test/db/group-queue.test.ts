import { GroupQueue } from "../../src/db/group-queue";

/** A queue whose groups each wait for their own release; `started()` resolves when the next group is being written
 *  (no timing guess: on a loaded machine a timer can fire before the queue's setImmediate). */
function releasedByHand() {
  const written: number[][] = [];
  const groups: { release: () => void }[] = [];
  let groupStarted: () => void = () => {};
  const started = () => new Promise<void>((resolve) => (groupStarted = resolve));
  const queue = new GroupQueue<number>(async (items) => {
    const group = items.splice(0, items.length);
    await new Promise<void>((resolve) => {
      groups.push({ release: resolve });
      groupStarted();
    });
    written.push(group);
  });
  return { queue, written, groups, started };
}

describe("a group queue", () => {
  test("is idle only once every group queued so far is written, including those queued while one was being written", async () => {
    const { queue, written, groups, started } = releasedByHand();
    let writing = started();
    queue.push(1);
    queue.push(2);
    let idle = false;
    const waiting = queue.idle().then(() => {
      idle = true;
    });
    await writing;
    queue.push(3); // joins the next group, behind the one being written
    writing = started();
    groups[0].release();
    await writing;
    expect(written).toEqual([[1, 2]]);
    expect(idle).toBe(false);
    groups[1].release();
    await waiting;
    expect(written).toEqual([[1, 2], [3]]);
  });

  test("takes the next group as soon as the one before is written, without waiting for the event loop's next turn", async () => {
    const { queue, groups, started } = releasedByHand();
    let writing = started();
    queue.push(1);
    await writing;
    queue.push(2);
    writing = started();
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    groups[0].release();
    await writing;
    expect(turned).toBe(false);
    groups[1].release();
    await queue.idle();
  });

  test("with nothing queued, is idle at once", async () => {
    await expect(new GroupQueue<number>(async () => {}).idle()).resolves.toBeUndefined();
  });
});
