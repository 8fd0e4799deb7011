import { IntakeFirst } from "../../src/delivery/intake-first";

const settles = async (promise: Promise<void>, withinMs: number) =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs)),
  ]);

describe("delivery transactions make way for the intake", () => {
  test("with the intake idle, a delivery transaction begins at once", async () => {
    expect(await settles(new IntakeFirst().turn(), 5)).toBe(true);
  });

  test("while messages are being committed, a delivery transaction waits for three intake commits", async () => {
    const gate = new IntakeFirst();
    gate.intakeCommitted();
    const turn = gate.turn();
    gate.intakeCommitted();
    expect(await settles(turn, 5)).toBe(false);
    gate.intakeCommitted();
    expect(await settles(turn, 5)).toBe(true);
  });

  test("the next one waits for three more, and two waiting take one turn each", async () => {
    const gate = new IntakeFirst();
    gate.intakeCommitted();
    const first = gate.turn();
    const second = gate.turn();
    gate.intakeCommitted();
    gate.intakeCommitted();
    expect(await settles(first, 5)).toBe(true);
    expect(await settles(second, 5)).toBe(false);
    for (let i = 0; i < 3; i++) gate.intakeCommitted();
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
