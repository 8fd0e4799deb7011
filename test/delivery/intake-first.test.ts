import { IntakeFirst, INTAKE_COMMITS_PER_DELIVERY_TURN as TURN } from "../../src/delivery/intake-first";

const commit = (gate: IntakeFirst, times: number) => {
  for (let i = 0; i < times; i++) gate.intakeCommitted();
};

const settles = async (promise: Promise<void>, withinMs: number) =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs)),
  ]);

describe("delivery transactions make way for the intake", () => {
  test("with the intake idle, a delivery transaction begins at once", async () => {
    expect(await settles(new IntakeFirst().turn(), 5)).toBe(true);
  });

  test("while messages are being committed, a delivery transaction waits for a few intake commits", async () => {
    const gate = new IntakeFirst();
    gate.intakeCommitted();
    const turn = gate.turn();
    commit(gate, TURN - 2);
    expect(await settles(turn, 5)).toBe(false);
    gate.intakeCommitted();
    expect(await settles(turn, 5)).toBe(true);
  });

  test("the next one waits for as many more, and two waiting take one turn each", async () => {
    const gate = new IntakeFirst();
    gate.intakeCommitted();
    const first = gate.turn();
    const second = gate.turn();
    commit(gate, TURN - 1);
    expect(await settles(first, 5)).toBe(true);
    expect(await settles(second, 5)).toBe(false);
    commit(gate, TURN - 1);
    expect(await settles(second, 5)).toBe(false);
    gate.intakeCommitted();
    expect(await settles(second, 5)).toBe(true);
  });

  test("once the intake pauses, waiting ones go without more commits", async () => {
    const gate = new IntakeFirst();
    gate.intakeCommitted();
    const turn = gate.turn();
    expect(await settles(turn, 5)).toBe(false);
    expect(await settles(turn, 200)).toBe(true);
  });
});
