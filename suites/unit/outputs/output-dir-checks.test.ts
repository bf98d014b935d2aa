// The -os checks every directory output shares (src/outputs/common/output-dir.ts): each problem
// one sentence with its fix, all of them on one line; the guest names that cannot be file names;
// metadata written under a temporary name. Found unguarded by Stryker.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { checkTargetName, findOptionProblems, metadataFileName, metadataTempName, validateDirOutput, writeFileAtomic } from "../../../src/outputs/common/output-dir.js";
import { V2vError } from "../../../src/model/errors.js";
import type { OutputOptions } from "../../../src/model/types.js";

const spec = { name: "local", metadataSuffixes: [".xml"] } as const;
let dir = "";
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "v2v-os-")); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const opts = (over: Record<string, unknown> = {}): OutputOptions =>
  ({ mode: "local", storage: dir, format: "raw", allocation: "sparse", compressed: false, ...over }) as OutputOptions;

async function badOption(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("BAD_OPTION");
  return (e as V2vError).message;
}

describe("findOptionProblems", () => {
  test("fine options: none", () => {
    expect(findOptionProblems(spec, opts())).toEqual([]);
    expect(findOptionProblems(spec, opts({ format: "qcow2", compressed: true }))).toEqual([]);
    expect(findOptionProblems(spec, opts({ allocation: "preallocated" }))).toEqual([]);
  });

  test("each problem is one sentence naming the option and the fix", () => {
    expect(findOptionProblems(spec, opts({ storage: "" }))).toEqual(["-o local: -os DIR is required: the directory for the disks and NAME.xml"]);
    expect(findOptionProblems(spec, opts({ storage: undefined }))).toEqual(["-o local: -os DIR is required: the directory for the disks and NAME.xml"]);
    expect(findOptionProblems(spec, opts({ format: "vdi" }))).toEqual(["-o local: -of vdi is not supported; use -of raw or -of qcow2"]);
    expect(findOptionProblems(spec, opts({ allocation: "thick" }))).toEqual(["-o local: -oa thick is not supported; use -oa sparse or -oa preallocated"]);
    expect(findOptionProblems(spec, opts({ compressed: true, allocation: "preallocated", format: "qcow2" }))).toEqual([
      "-o local: --compressed cannot be combined with -oa preallocated; drop one of them",
    ]);
  });

  test("the metadata name comes from the first suffix, or none", () => {
    expect(metadataFileName({ name: "qemu", metadataSuffixes: [".sh", ".log"] }, "g")).toBe("g.sh");
    expect(metadataFileName({ name: "null", metadataSuffixes: [] }, "g")).toBe("g");
  });
});

describe("validateDirOutput", () => {
  test("an existing writable directory passes", async () => {
    await expect(validateDirOutput(spec, opts())).resolves.toBeUndefined();
  });

  test("a missing directory, a file, and several problems at once: one line joined by '; '", async () => {
    expect(await badOption(validateDirOutput(spec, opts({ storage: join(dir, "nope") })))).toBe(`-o local: -os ${join(dir, "nope")}: no such directory; create it or choose another -os`);
    writeFileSync(join(dir, "f"), "");
    expect(await badOption(validateDirOutput(spec, opts({ storage: join(dir, "f"), format: "vdi" })))).toBe(
      `-o local: -of vdi is not supported; use -of raw or -of qcow2; -o local: -os ${join(dir, "f")} is not a directory; choose a directory with -os`,
    );
  });

  test("a directory without write permission is refused (when not root, who may write anyway)", async () => {
    chmodSync(dir, 0o555);
    try {
      const p = validateDirOutput(spec, opts());
      if (process.getuid?.() === 0) await expect(p).resolves.toBeUndefined();
      else expect(await badOption(p)).toBe(`-o local: -os ${dir} is not writable; choose another -os or fix its permissions`);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

describe("checkTargetName", () => {
  test.each(["", ".", "..", "a/b", "/g", "g\n", "g\x7f", "\x1b[2J"])("%j cannot be a file name", (name) => {
    expect(() => checkTargetName(name)).toThrow(new V2vError("BAD_OPTION", `the guest name ${JSON.stringify(name)} cannot be used in file names (no "/", no control characters); choose another with -on`));
  });

  test.each(["g", "...", ".hidden", "my guest", "gäst", "a..b"])("%j can", (name) => {
    expect(() => checkTargetName(name)).not.toThrow();
  });
});

describe("writeFileAtomic", () => {
  test("writes the content with the mode asked, through a temporary name that is gone afterwards", async () => {
    const path = join(dir, "g.sh");
    await writeFileAtomic(path, "#!/bin/sh\n", 0o755);
    expect(readFileSync(path, "utf8")).toBe("#!/bin/sh\n");
    expect(statSync(path).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir)).toEqual(["g.sh"]);
    expect(metadataTempName(path)).toBe(join(dir, ".g.sh.tmp"));
  });

  test("a leftover temporary name is refused and kept (it may be another run's)", async () => {
    writeFileSync(join(dir, ".g.xml.tmp"), "other");
    await expect(writeFileAtomic(join(dir, "g.xml"), "<domain/>")).rejects.toMatchObject({ code: "OUTPUT" });
    expect(readFileSync(join(dir, ".g.xml.tmp"), "utf8")).toBe("other");
  });
});
