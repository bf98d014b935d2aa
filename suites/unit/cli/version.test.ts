import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { formatVersion, readVersion } from "../../../src/model/version.js";

test("the version is package.json's", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  expect(readVersion()).toBe(pkg.version);
  expect(formatVersion("1.2.3")).toBe("v2v 1.2.3\n");
  expect(formatVersion()).toBe(`v2v ${pkg.version}\n`);
});
