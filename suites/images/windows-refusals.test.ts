// Windows guests v2v must refuse before writing anything, converted by the real CLI: a BitLocker
// C: (built with BitLocker's signatures over the volume header, so libblkid types it "BitLocker"
// and inspection finds no Windows) and a dynamic disk (every MBR partition typed 0x42). Each must
// exit 1 with one line naming the partition, its source disk and the fix, leave -os empty and the
// source's bytes unchanged.
//
// What the dynamic-disk guest proves, and what it does not: libguestfs 1.48 reads MBR 0x42 as the
// LDM data type and leaves such partitions out of inspection, so this refusal comes from
// inspection finding no root (src/guest/inspect.ts). The guest has no LDM database, so ldmtool
// maps no /dev/mapper/ldm_vol_* volume; the converter's refusal of a root found on such a volume
// is proven by the unit tests (suites/unit/converters/windows/system-volume.test.ts) only.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { attachment, parameter } from "allure-js-commons";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sha256File } from "../../src/harness/checks/converted.js";
import { ensureGuestDisks } from "../../src/harness/guests/builders.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import { runV2v, type V2vRun } from "../../src/harness/matrix/run-v2v.js";

const log = (m: string): void => console.log(`images: ${m}`);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-images-refusals-"));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface Refusal {
  readonly v2v: V2vRun;
  readonly disk: string;
  readonly written: readonly string[];
  readonly before: string;
  readonly after: string;
}

/** Build (or reuse) the guest, run v2v -i disk -o local on it, and record what it left. */
async function refuse(name: string): Promise<Refusal> {
  const disk = (await ensureGuestDisks(findRecipe(name), log)).disks[0]!.path;
  const out = join(work, name);
  const logs = join(work, `${name}-logs`);
  await mkdir(out);
  await mkdir(logs);
  const before = await sha256File(disk);
  const v2v = await runV2v(["-i", "disk", disk, "-o", "local", "-os", out], logs);
  await parameter("guest", name);
  await attachment("v2v stdout (JSON lines)", await readFile(v2v.stdoutPath, "utf8"), "text/plain");
  await attachment("v2v stderr", await readFile(v2v.stderrPath, "utf8"), "text/plain");
  return { v2v, disk, written: await readdir(out), before, after: await sha256File(disk) };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The checks every refusal must pass, whatever the guest. */
function expectRefused(r: Refusal, line: RegExp): void {
  expect(r.v2v.exitCode, r.v2v.summary.error).toBe(1);
  expect(r.v2v.summary.error).toMatch(line);
  expect(r.v2v.summary.error).not.toContain("\n");
  expect(r.written).toEqual([]);
  expect(r.after).toBe(r.before);
}

describe("a BitLocker-encrypted C: (windows-2022-bitlocker)", () => {
  test("is refused in one line naming partition 3 of the source disk and manage-bde -off; -os empty, source unchanged", async () => {
    const r = await refuse("windows-2022-bitlocker");
    const disk = escape(r.disk);
    expectRefused(r, new RegExp(`^inspection found no operating system on ${disk}, and partition 3 of disk ${disk} \\(/dev/sda3\\) is encrypted with BitLocker`));
    expect(r.v2v.summary.error).toContain('run "manage-bde -off C:"');
    expect(r.v2v.summary.error).toContain("suspending BitLocker is not enough");
  });
});

describe("the system volume on a dynamic disk (windows-7-dynamic)", () => {
  test("is refused in one line naming partitions 1 and 2 of the source disk and the fix; -os empty, source unchanged", async () => {
    const r = await refuse("windows-7-dynamic");
    const disk = escape(r.disk);
    // libguestfs 1.48: no root (see the header), so the inspection's line.
    expectRefused(r, new RegExp(
      `^inspection found no operating system on ${disk}, and partition 1 of disk ${disk} \\(/dev/sda1\\) and partition 2 of disk ${disk} \\(/dev/sda2\\) belong to a Windows dynamic disk`,
    ));
    expect(r.v2v.summary.error).toContain("make it a basic disk on the source");
  });
});
