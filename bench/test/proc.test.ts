import { expect } from "chai";
import { cpuBetween, cpuTicks, peakRssKb, readUsage } from "../src/proc.js";

describe("/proc figures", () => {
  it("reads utime + stime from a stat line, even when the command name has spaces and parentheses", () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = "4242 (node (a) b) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 11 0 100 0";
    expect(cpuTicks(stat)).to.equal(1234 + 567);
  });

  it("reads the peak resident set (VmHWM) from a status text", () => {
    expect(peakRssKb("Name:\tnode\nVmPeak:\t  900000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n")).to.equal(51200);
    expect(() => peakRssKb("Name:\tkthreadd\n")).to.throw(/VmHWM/);
  });

  it("measures this very process, and nothing for one that is gone", () => {
    const usage = readUsage(process.pid)!;
    expect(usage.cpuSeconds).to.be.greaterThan(0);
    expect(usage.peakRssMiB).to.be.greaterThan(10);
    expect(readUsage(2 ** 22 + 1)).to.equal(undefined); // above Linux's largest pid
  });

  it("gives the CPU each process used between two snapshots", () => {
    const before = new Map([
      ["a", { cpuSeconds: 1, peakRssMiB: 5 }],
      ["gone", { cpuSeconds: 3, peakRssMiB: 5 }],
    ]);
    const after = new Map([
      ["a", { cpuSeconds: 3.456, peakRssMiB: 6 }],
      ["new", { cpuSeconds: 1, peakRssMiB: 5 }],
    ]);
    expect([...cpuBetween(before, after)]).to.deep.equal([["a", 2.46]]);
  });
});
