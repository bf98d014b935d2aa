import { expect, test } from "vitest";
import { formatHelp } from "../../../src/cli/help.js";
import { FLAG_OPTIONS, VALUE_OPTIONS } from "../../../src/cli/parse-args.js";

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
