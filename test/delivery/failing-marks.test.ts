import { failingMarks, type Outcome } from "../../src/delivery/record";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute));
const outcome = (destinationId: number, status: Outcome["status"], minute: number): Outcome => ({
  deliveryId: minute,
  destinationId,
  at: at(minute),
  result: { status: status === "delivered" ? 204 : 500, error: null, durationMs: 1, response: null },
  status,
  nextAttemptAt: at(minute + 5),
});

describe("the failing mark a group of attempts leaves on each destination", () => {
  test("failures alone mark the destination failing since the first, keeping an earlier mark", () => {
    const marks = failingMarks([outcome(1, "pending", 1), outcome(1, "failed", 2)]);
    expect(marks.get(1)).toEqual({ failingSince: at(1), keepEarlier: true });
  });

  test("a success clears the mark, and a failure after it starts a new one from that failure", () => {
    expect(failingMarks([outcome(1, "pending", 1), outcome(1, "delivered", 2)]).get(1)).toEqual({
      failingSince: null,
      keepEarlier: false,
    });
    expect(
      failingMarks([outcome(1, "pending", 1), outcome(1, "delivered", 2), outcome(1, "pending", 3)]).get(1),
    ).toEqual({ failingSince: at(3), keepEarlier: false });
  });

  test("each destination is marked from its own attempts only", () => {
    const marks = failingMarks([outcome(1, "delivered", 1), outcome(2, "pending", 2)]);
    expect(marks.get(1)).toEqual({ failingSince: null, keepEarlier: false });
    expect(marks.get(2)).toEqual({ failingSince: at(2), keepEarlier: true });
  });
});
