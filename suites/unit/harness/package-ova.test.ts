// packageOva on a small raw disk (qemu-img only, no VM): member order, streamOptimized VMDK, and a
// manifest whose digests match the members.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { run } from "../../../src/host/exec.js";
import { imageInfo } from "../../../src/host/qemu-img.js";
import { findRecipe } from "../../../src/harness/guests/recipes.js";
import { packageOva } from "../../../src/harness/guests/package-ova.js";
import { parseManifest } from "../../../src/inputs/manifest.js";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "v2v-ova-test-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("an OVA of a 64 MiB disk: ovf, mf, vmdk in that order, checksums right", async () => {
  const raw = join(dir, "g-sda.raw");
  await run(["qemu-img", "create", "-q", "-f", "raw", raw, "64M"]);
  await run(["sh", "-c", 'printf "reference guest bytes" | dd of="$1" bs=1 seek=1048576 conv=notrunc status=none', "sh", raw]);
  const recipe = findRecipe("debian-12-bios");
  const ova = join(dir, "g.ova");
  await packageOva(raw, recipe, ova);

  const list = (await run(["tar", "-tf", ova])).stdout.trim().split("\n");
  expect(list).toEqual(["debian-12-bios.ovf", "debian-12-bios.mf", "debian-12-bios-disk1.vmdk"]);
  const x = join(dir, "x");
  await run(["mkdir", "-p", x]);
  await run(["tar", "-xf", ova, "-C", x]);
  const mf = parseManifest(readFileSync(join(x, "debian-12-bios.mf"), "utf8"));
  expect(mf.badLines).toEqual([]);
  for (const e of mf.entries) {
    expect(createHash("sha256").update(readFileSync(join(x, e.file))).digest("hex"), e.file).toBe(e.digest);
  }
  const info = await imageInfo(join(x, "debian-12-bios-disk1.vmdk"));
  expect(info).toMatchObject({ format: "vmdk", vmdkSubformat: "streamOptimized", virtualSizeBytes: 64 * 1024 * 1024 });
  // The data survives the conversion.
  await run(["qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw, join(x, "debian-12-bios-disk1.vmdk")]);
  // 64 MiB is not a whole number of GiB: the capacity is stated in bytes.
  expect(readFileSync(join(x, "debian-12-bios.ovf"), "utf8")).toContain(`ovf:capacity="${64 * 1024 * 1024}" ovf:capacityAllocationUnits="byte"`);
});
