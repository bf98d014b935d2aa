// The reference Debian 12 guest, made VMware-like and packaged as an OVA, converted by the real
// CLI (-i ova -> -o local) with real libguestfs; the converted disk is then read back read-only.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachment, parameter } from "allure-js-commons";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GuestfishGuest } from "../../src/guest/guestfish-guest.js";
import { GuestfishSession } from "../../src/guest/guestfish.js";
import { checkConverted, sha256File, type CheckResult } from "../../src/harness/checks/converted.js";
import { checkGuest } from "../../src/harness/checks/guest.js";
import { run, spawnDetached } from "../../src/host/exec.js";
import { projectRoot } from "../../src/harness/project-root.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import { ensureGuestOva } from "../../src/harness/guests/package-ova.js";
import { runV2v, type V2vRun } from "../../src/harness/matrix/run-v2v.js";

const recipe = findRecipe("debian-12-bios");

describe("v2v -i ova -o local: reference guest debian-12-bios", () => {
  let work: string;
  let out: string;
  let ova: string;
  let hashBefore: string;
  let v2v: V2vRun;
  let checks: readonly CheckResult[] = [];

  beforeAll(async () => {
    ova = (await ensureGuestOva(recipe, (m) => console.log(`images: ${m}`))).path;
    work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-images-"));
    out = join(work, "out");
    await mkdir(out);
    hashBefore = await sha256File(ova);
    v2v = await runV2v(["-i", "ova", ova, "-o", "local", "-os", out], work);
    if (v2v.exitCode === 0) {
      const disks = (await readdir(out)).filter((f) => /-sd[a-z]+$/.test(f)).map((f) => join(out, f));
      checks = (
        await checkConverted({
          output: "local",
          disks,
          metadataPath: join(out, `${recipe.name}.xml`),
          expect: {
            diskCount: 1,
            blockBus: "virtio-blk",
            firmware: "bios",
            memoryMiB: recipe.vm.memoryMiB,
            vcpus: recipe.vm.vcpus,
            nicModel: "virtio-net",
          },
          sourceHashes: { before: { [ova]: hashBefore }, after: { [ova]: await sha256File(ova) } },
        })
      ).checks;
    }
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("the CLI converts the guest and announces every stage", async () => {
    await parameter("guest", recipe.name);
    // Attach the contents now: the work directory is gone by the time Allure would copy a path.
    await attachment("v2v stdout (JSON lines)", await readFile(v2v.stdoutPath, "utf8"), "text/plain");
    await attachment("v2v stderr", await readFile(v2v.stderrPath, "utf8"), "text/plain");
    expect(v2v.exitCode, v2v.summary.error).toBe(0);
    const stages = v2v.summary.stages.map((s) => s.message);
    for (const want of [/^Setting up the source/, /^Opening the source/, /^Inspecting the source/, /^Converting .* to run on KVM/,
      /^This guest has virtio drivers installed\.$/, /^Mapping filesystem data/, /^Copying disk 1\/1$/, /^Creating output metadata/]) {
      expect(stages.some((s) => want.test(s)), `no stage matching ${want}`).toBe(true);
    }
  });

  // One test per static check, so the report shows which one failed and why.
  const names = [
    "the source is unchanged",
    "converted disk(s) written",
    "virt-xml-validate",
    "fstab",
    "root=",
    "virtio_blk",
    "other hypervisors' guest tools are removed",
  ];
  test.for(names)("static check: %s", async (fragment) => {
    const found = checks.filter((c) => c.name.includes(fragment));
    expect(found.length, `no check named like "${fragment}" among: ${checks.map((c) => c.name).join("; ")}`).toBeGreaterThan(0);
    for (const c of found) expect(c.ok, `${c.name}: ${c.detail}`).toBe(true);
  });

  // The checks must be able to fail: put the pre-conversion initramfs back on a copy of the
  // converted disk (as if the rebuild had been skipped) and the initramfs check must go red.
  test("a sabotaged copy (initramfs rebuild undone) fails the initramfs check, naming what is missing", async () => {
    expect(v2v.exitCode).toBe(0);
    const disk = (await readdir(out)).find((f) => /-sda$/.test(f))!;
    const copy = join(work, "sabotaged.raw");
    await run(["cp", "--sparse=always", join(out, disk), copy]);
    const s = await GuestfishSession.start([{ path: copy, format: "raw" }]);
    try {
      await s.cmd("mount", "/dev/sda1", "/");
      const initrd = (await s.cmd("ls", "/boot")).split("\n").find((n) => /^initrd\.img-.*-amd64$/.test(n))!;
      await s.cmd("cp", `/boot/${initrd}.pre-v2v`, `/boot/${initrd}`);
    } finally {
      await s.close();
    }
    const g = await GuestfishGuest.open([{ path: copy, format: "raw", readonly: true }]);
    try {
      const { checks: broken } = await checkGuest(g, { blockBus: "virtio-blk" });
      const initramfs = broken.find((c) => c.name.includes("initramfs"));
      expect(initramfs?.ok).toBe(false);
      expect(initramfs?.detail).toMatch(/lacks virtio_blk/);
    } finally {
      await g.close();
    }
  });

  test("every static check passes", () => {
    const failed = checks.filter((c) => !c.ok);
    expect(checks.length).toBeGreaterThan(5);
    expect(failed.map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  });
});

describe("bad input: one clear line, exit 1, nothing written", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "v2v-badinput-"));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("a missing OVA names the file", async () => {
    const out = join(work, "missing-out");
    await mkdir(out);
    const r = await runV2v(["-i", "ova", join(work, "nope.ova"), "-o", "local", "-os", out], work);
    expect(r.exitCode).toBe(1);
    expect(r.summary.error).toContain("nope.ova");
    expect(await readdir(out)).toEqual([]);
  });

  test("a blank disk (no operating system) is refused after inspection, and nothing is written", async () => {
    const blank = join(work, "blank.qcow2");
    await run(["qemu-img", "create", "-q", "-f", "qcow2", blank, "256M"]);
    const out = join(work, "blank-out");
    await mkdir(out);
    const r = await runV2v(["-i", "disk", blank, "-o", "local", "-os", out], work);
    expect(r.exitCode).toBe(1);
    expect(r.summary.error).toMatch(/no operating system/);
    expect(await readdir(out)).toEqual([]);
  });
});

describe("an interrupted run leaves nothing that looks finished", () => {
  test("SIGINT during the conversion: exit 1, a message saying so, an empty output directory", async () => {
    const ova = (await ensureGuestOva(recipe)).path;
    const work = await mkdtemp(join(tmpdir(), "v2v-interrupt-"));
    try {
      let sawConverting = false;
      const child = spawnDetached(
        [process.execPath, join(projectRoot(), "dist", "cli.js"), "-i", "ova", ova, "-o", "local", "-os", work],
        {
          timeoutMs: 20 * 60_000,
          onStdoutLine: (line) => {
            if (!sawConverting && /Converting .* to run on KVM/.test(line)) {
              sawConverting = true;
              child.kill("SIGINT");
            }
          },
        },
      );
      const r = await child.catch((e: { exitCode?: number; stderr?: string }) => e);
      expect(sawConverting, "the run never reached the conversion stage").toBe(true);
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toContain("interrupted");
      expect(await readdir(work)).toEqual([]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
