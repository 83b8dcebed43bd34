import { expect } from "chai";
import { percentile, ratio, summarize } from "../src/stats.js";

describe("latency summaries", () => {
  it("takes percentiles by nearest rank: always one of the samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(sorted, 50)).to.equal(50);
    expect(percentile(sorted, 99)).to.equal(99);
    expect(percentile(sorted, 100)).to.equal(100);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([], 50)).to.equal(undefined);
  });

  it("summarizes unsorted samples, rounded to whole milliseconds", () => {
    expect(summarize([30.4, 10.2, 20.6])).to.deep.equal({ count: 3, p50: 21, p95: 30, p99: 30, max: 30 });
    expect(summarize([])).to.deep.equal({ count: 0, p50: undefined, p95: undefined, p99: undefined, max: undefined });
  });

  it("gives ratios to the baseline with two decimals, none without a baseline", () => {
    expect(ratio(28, 20)).to.equal(1.4);
    expect(ratio(1, 3)).to.equal(0.33);
    expect(ratio(5, 0)).to.equal(undefined);
    expect(ratio(undefined, 2)).to.equal(undefined);
  });
});
