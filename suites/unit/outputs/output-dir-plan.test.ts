// Every name a run may write in -os is planned, and any of them existing refuses the run.
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { plannedFileNames, planDirOutput, writeFileAtomic } from "../../../src/outputs/common/output-dir.js";
import { localOutput } from "../../../src/outputs/local/local.js";
import { qemuOutput, type QemuOutputOptions } from "../../../src/outputs/qemu/qemu.js";
import { makeSource } from "./meta-fixtures.js";

let dir = "";
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "v2v-plan-")); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const opts = (over: Partial<QemuOutputOptions> = {}): QemuOutputOptions =>
  ({ mode: "local", storage: dir, format: "raw", allocation: "sparse", compressed: false, qemuBoot: false, ...over });
const twoDisks = makeSource({ name: "g", disks: [0, 1].map((i) => ({ index: i, image: { kind: "checked" as const, qemuUri: `/s${i}`, format: "raw" as const, chain: [], virtualSizeBytes: 1 }, displayName: `s${i}` })) });

test("plannedFileNames: disks and their .part, the metadata and its temporary name, the output's extras", () => {
  expect(plannedFileNames(localOutput.spec, "g", [0, 1])).toEqual(["g-sda", "g-sda.part", "g-sdb", "g-sdb.part", "g.xml", ".g.xml.tmp"]);
  expect(plannedFileNames(qemuOutput.spec, "g", [0], ["g-VARS.fd", "g-qemu.log"])).toEqual(["g-sda", "g-sda.part", "g.sh", ".g.sh.tmp", "g-VARS.fd", "g-qemu.log"]);
});

test.each(["g-sdb.part", ".g.xml.tmp"])("plan refuses a leftover %s", async (name) => {
  writeFileSync(join(dir, name), "");
  await expect(planDirOutput(localOutput.spec, "g", twoDisks, opts())).rejects.toThrow(`-o local: ${join(dir, name)} exists; remove it or choose another -os / -on`);
});

test("-o qemu --qemu-boot: the boot log is planned too (a symlink there is refused)", async () => {
  symlinkSync("/etc/passwd", join(dir, "g-qemu.log"));
  await expect(qemuOutput.plan("g", twoDisks, opts({ mode: "qemu", qemuBoot: true }))).rejects.toThrow(/g-qemu\.log exists/);
  // Without --qemu-boot there is no log: the same directory is accepted, and the plan names the disks.
  await expect(qemuOutput.plan("g", twoDisks, opts({ mode: "qemu" }))).resolves.toEqual({ diskPaths: [join(dir, "g-sda"), join(dir, "g-sdb")] });
});

test("writeFileAtomic never replaces a file that appeared at the final name, and leaves no temporary", async () => {
  symlinkSync("/etc/hostname", join(dir, "g.xml"));
  await expect(writeFileAtomic(join(dir, "g.xml"), "<domain/>")).rejects.toMatchObject({ code: "OUTPUT" });
  expect(readdirSync(dir)).toEqual(["g.xml"]);
});
