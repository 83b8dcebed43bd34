import { expect } from "chai";
import { workersFor } from "../src/worker.js";

describe("workflow workers", () => {
  it("are enough to run as many work items at once as the sidecar hands out, 10 each", () => {
    expect(workersFor(40)).to.equal(4);
    expect(workersFor(41)).to.equal(5);
    expect(workersFor(10)).to.equal(1);
    expect(workersFor(0)).to.equal(1);
  });
});
