import { expect } from "chai";
import { seenTtlSeconds } from "../src/seen-ttl.js";

describe("notifications settings: the memory of kept notifications (SEEN_TTL_SECONDS)", () => {
  const day = 24 * 60 * 60;

  it("outlasts the workflow's longest wait by a day, by default", () => {
    expect(seenTtlSeconds({})).to.equal(day + 60 + day);
    expect(seenTtlSeconds({ APPROVAL_TIMEOUT_SECONDS: String(7 * day), STEP_RETRY_MAX_DELAY_SECONDS: "120" })).to.equal(7 * day + 120 + day);
  });

  it("takes a value at least that wait", () => {
    expect(seenTtlSeconds({ SEEN_TTL_SECONDS: String(day + 60) })).to.equal(day + 60);
    expect(seenTtlSeconds({ APPROVAL_TIMEOUT_SECONDS: "30", STEP_RETRY_MAX_DELAY_SECONDS: "5", SEEN_TTL_SECONDS: "60" })).to.equal(60);
  });

  it("refuses at start one shorter than the wait: a repeat could be shown twice", () => {
    expect(() => seenTtlSeconds({ SEEN_TTL_SECONDS: String(day) })).to.throw(/SEEN_TTL_SECONDS \(86400\) must be at least .* \(86460\)/);
    expect(() => seenTtlSeconds({ APPROVAL_TIMEOUT_SECONDS: String(2 * day), SEEN_TTL_SECONDS: String(day + 60) })).to.throw(/must be at least/);
  });
});
