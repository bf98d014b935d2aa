import { expect, test } from "vitest";
import { formatHelp } from "../../../src/cli/help.js";
import { FLAG_OPTIONS, VALUE_OPTIONS } from "../../../src/cli/parse-args.js";
import { INPUTS, OUTPUTS } from "../../../src/pipeline/registry.js";

const HIDDEN = new Set(["--debug-gc"]);

test("--help names every option the parser accepts", () => {
  const help = formatHelp();
  const missing = [...VALUE_OPTIONS, ...FLAG_OPTIONS].filter((o) => !HIDDEN.has(o) && !new RegExp(`(^|[\\s,/])${o}\\b`, "m").test(help));
  expect(missing).toEqual([]);
});

test("--help says -i and -o are required", () => {
  expect(formatHelp()).toMatch(/-i and -o are both required/);
});

test("--help text matches the golden file", async () => {
  await expect(formatHelp()).toMatchFileSnapshot("./golden/help.txt");
});

test("--help lists every registered mode with its own help line, and only those", () => {
  const help = formatHelp();
  for (const m of [...INPUTS, ...OUTPUTS]) expect(help).toContain(m.spec.help);
  const fake = { ...OUTPUTS[0]!, spec: { ...OUTPUTS[0]!.spec, name: "fancy", aliases: [], help: "write a fancy thing", keys: [{ key: "shiny", kind: "string" as const, help: "how shiny" }] } };
  const withFake = formatHelp(INPUTS, [...OUTPUTS, fake]);
  expect(withFake).toMatch(/^ {2}-o fancy +write a fancy thing$/m);
  expect(withFake).toMatch(/^ {2}-oo shiny=VALUE +how shiny \(-o fancy only\)$/m);
});
