import { expect, test } from "vitest";
import { listCapabilities } from "../../../src/cli/capabilities.js";
import { parseArgs } from "../../../src/cli/parse-args.js";

test("--machine-readable alone selects the capability list", () => {
  expect(parseArgs(["--machine-readable"])).toEqual({ kind: "capabilities" });
});

test("capability lines: program, implemented modes, converters, options", () => {
  expect(listCapabilities()).toEqual([
    "v2v", "v2v-ts", "input:disk", "input:ova", "output:local", "output:qemu", "output:null", "output:json", "output:kubevirt",
    "convert:linux", "convert:windows", "colours-option", "machine-readable", "print-source",
  ]);
  // Derived from the registry: a converter or mode added there appears here.
  expect(listCapabilities({ inputs: [], outputs: [], converters: [{ name: "linux" }, { name: "windows" }] })).toContain("convert:windows");
});
