// dpkg's version order, applied to kernel releases.
import { describe, expect, test } from "vitest";
import { compareDebianVersions, compareKernelVersions } from "../../../../../src/converters/linux/debian/kernel-version.js";

describe("compareKernelVersions", () => {
  test("orders ABI numbers numerically, not as text", () => {
    expect(compareKernelVersions("6.1.0-13-amd64", "6.1.0-9-amd64")).toBe(1);
    expect(compareKernelVersions("6.1.0-9-amd64", "6.1.0-13-amd64")).toBe(-1);
    expect(compareKernelVersions("5.10.0-26-amd64", "6.1.0-9-amd64")).toBe(-1);
    expect(compareKernelVersions("5.15.0-101-generic", "5.15.0-91-generic")).toBe(1);
  });

  test("equal releases compare equal", () => {
    expect(compareKernelVersions("6.1.0-13-amd64", "6.1.0-13-amd64")).toBe(0);
  });

  test("a release candidate is older than the release and its revisions, newer than the previous series", () => {
    expect(compareKernelVersions("6.2.0-rc7-amd64", "6.2.0-1-amd64")).toBe(-1);
    expect(compareKernelVersions("6.2.0-rc7-amd64", "6.1.0-13-amd64")).toBe(1);
    expect(compareKernelVersions("6.2.0-rc2-amd64", "6.2.0-rc10-amd64")).toBe(-1);
  });

  test("sorting a list puts the newest first", () => {
    const list = ["5.10.0-26-amd64", "6.1.0-9-amd64", "6.2.0-rc7-amd64", "6.1.0-13-amd64"];
    expect([...list].sort((a, b) => compareKernelVersions(b, a)))
      .toEqual(["6.2.0-rc7-amd64", "6.1.0-13-amd64", "6.1.0-9-amd64", "5.10.0-26-amd64"]);
  });
});

describe("compareDebianVersions (dpkg order)", () => {
  test("tilde sorts before everything, even the end of the string", () => {
    expect(compareDebianVersions("1.0~rc1", "1.0")).toBeLessThan(0);
    expect(compareDebianVersions("1.0", "1.0a")).toBeLessThan(0);
    expect(compareDebianVersions("1.0a", "1.0+")).toBeLessThan(0); // letters before other symbols
    expect(compareDebianVersions("1.002", "1.2")).toBe(0); // leading zeros do not count
  });
});
