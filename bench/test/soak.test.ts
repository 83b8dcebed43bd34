import { expect } from "chai";
import { levelledOff, nextSample, soakMarkdown, soakSettings, type Sample } from "../src/soak.js";

const mib = 2 ** 20;

describe("soak", () => {
  it("takes its settings from the environment, with retention unless --without-retention", () => {
    const settings = soakSettings(["node", "main.js", "--soak"], { SOAK_ORDERS: "10000", SOAK_RETENTION: "1m" });
    expect(settings).to.include({ retention: true, orders: 10_000, clients: 16, workflowRetention: "1m", recordTtlSeconds: 60 });
    expect(soakSettings(["--soak", "--without-retention"], {}).retention).to.equal(false);
  });

  it("samples the throughput since the previous sample, and the store's size", () => {
    const first = nextSample(undefined, 0, 0, 0, { keys: 1075, used_memory_bytes: 3 * mib });
    const second = nextSample(first, 15, 600, 1, { keys: 7000, used_memory_bytes: 6.5 * mib });
    expect(second).to.deep.equal({ seconds: 15, orders: 600, failed: 1, ordersPerSecond: 40, keys: 7000, usedMemoryMiB: 6.5 });
    expect(nextSample(second, 30, 1200, 1, { keys: 7100, used_memory_bytes: 7 * mib }).ordersPerSecond).to.equal(40);
  });

  it("tells a store that levels off from one that keeps growing", () => {
    const keys = (list: number[]): Sample[] =>
      list.map((k, i) => ({ seconds: i * 15, orders: i * 600, failed: 0, ordersPerSecond: 40, keys: k, usedMemoryMiB: 1 }));
    expect(levelledOff(keys([1000, 5000, 7000, 7100, 7050, 7200]))).to.equal(true);
    expect(levelledOff(keys([1000, 5000, 9000, 13000, 17000, 21000]))).to.equal(false);
    expect(levelledOff(keys([1000, 2000]))).to.equal(undefined);
    expect(soakMarkdown(soakSettings(["--soak"], {}), keys([1000, 5000, 7000, 7100]))).to.match(/levelled off/);
  });
});
