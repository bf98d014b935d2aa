// Property-based fuzzing of parseManifest: arbitrary text, manifest-shaped lines mixed with
// garbage, huge and many lines. Always a result (it never throws), linear in time, whose bad line
// numbers are real, ascending, at most 100, and whose entries are well-formed.
import fc from "fast-check";
import { describe, test } from "vitest";
import { MANIFEST_LIMITS, parseManifest, type ParsedManifest } from "../../../src/inputs/manifest.js";
import { expectBounded, fuzzParameters } from "./fuzz-budget.js";

/** What every result must satisfy, given the text it came from. */
function checkResult(text: string, m: ParsedManifest): void {
  const fail = (why: string): never => { throw new Error(why); };
  const lines = text.split("\n");
  const nonBlank = lines.filter((l) => !/^[ \t\r\v\f]*$/.test(l)).length;
  if (m.badLines.length > MANIFEST_LIMITS.listedBadLines) fail(`${m.badLines.length} bad line numbers listed`);
  if (m.badLineCount < m.badLines.length) fail("badLineCount below the listed numbers");
  if (m.entries.length + m.badLineCount !== nonBlank) fail(`${m.entries.length} entries + ${m.badLineCount} bad lines != ${nonBlank} non-blank lines`);
  if (m.entries.length > MANIFEST_LIMITS.lines) fail("more entries than lines read");
  m.badLines.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > lines.length) fail(`bad line number ${n} outside 1..${lines.length}`);
    if (i > 0 && n <= m.badLines[i - 1]!) fail("bad line numbers not ascending");
    if (/^[ \t\r\v\f]*$/.test(lines[n - 1]!)) fail(`blank line ${n} reported as bad`);
  });
  for (const e of m.entries) {
    const hex = e.algorithm === "sha1" ? 40 : 64;
    if (!new RegExp(`^[0-9a-f]{${hex}}$`).test(e.digest)) fail(`entry digest ${JSON.stringify(e.digest)}`);
    if (e.file === "" || e.file.length > MANIFEST_LIMITS.lineChars) fail(`entry file of ${e.file.length} characters`);
  }
}

async function checkParse(text: string): Promise<void> {
  const outcome = await expectBounded(() => parseManifest(text));
  if (outcome.error) throw new Error(`parseManifest threw ${outcome.error.message}; it returns bad lines instead`);
  checkResult(text, outcome.result!);
}

const HEX = fc.constantFrom(..."0123456789abcdefABCDEF");
const LINE = fc.oneof(
  fc.tuple(fc.constantFrom("SHA1", "SHA256", "SHA-1", "SHA-256", "sha1", "MD5", "SHA512"), fc.string({ maxLength: 30 }), fc.constantFrom("= ", "=", " = ", "==", ""), fc.string({ unit: HEX, minLength: 0, maxLength: 70 }))
    .map(([alg, file, eq, hex]) => `${alg}(${file})${eq}${hex}`),
  fc.string({ maxLength: 80, unit: "binary" }),
  fc.constantFrom("", " ", "\t", "\r", "(((((((((((((((", `SHA1(${")".repeat(3000)})= ${"a".repeat(40)}`),
  fc.integer({ min: MANIFEST_LIMITS.lineChars - 2, max: MANIFEST_LIMITS.lineChars * 3 }).map((n) => `SHA1(${"x".repeat(n)})= ${"a".repeat(40)}`),
);
const MANIFESTS = fc.array(fc.tuple(LINE, fc.constantFrom("\n", "\r\n")), { maxLength: 40 })
  .map((ls) => ls.map(([l, end]) => l + end).join(""));
const HUGE = fc.tuple(fc.integer({ min: 9_990, max: 12_000 }), fc.constantFrom("x\n", `SHA1(f)= ${"a".repeat(40)}\n`, "\n", " \n"), fc.string({ maxLength: 200_000, unit: fc.constantFrom("(", ")", "S", "=", " ", "a") }))
  .map(([n, line, tail]) => line.repeat(n) + tail);

describe("parseManifest fuzzing: always a well-formed result, in bounded time and memory", () => {
  test("arbitrary strings", async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: "binary", maxLength: 5000 }), checkParse), fuzzParameters());
  });

  test("manifest-shaped lines mixed with garbage, long lines, CRLF", async () => {
    await fc.assert(fc.asyncProperty(MANIFESTS, checkParse), fuzzParameters());
  });

  test("about 10000 lines and more, with a huge last line", async () => {
    await fc.assert(fc.asyncProperty(HUGE, checkParse), { ...fuzzParameters(), numRuns: Math.min(50, fuzzParameters().numRuns ?? 50) });
  });
});
