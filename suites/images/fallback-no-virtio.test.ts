// The emulated-devices fallback, for real: the reference guest with its virtio modules deleted
// (on a qcow2 overlay, through libguestfs) must still convert, say that it has no virtio
// drivers, and get a SATA disk and an e1000 NIC in its metadata, with fstab left on sdX.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GuestfishGuest } from "../../src/guest/guestfish-guest.js";
import { GuestfishSession } from "../../src/guest/guestfish.js";
import { ensureGuestDisks } from "../../src/harness/guests/builders.js";
import { readLibvirtXmlFacts } from "../../src/harness/checks/meta.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import { runV2v, type V2vRun } from "../../src/harness/matrix/run-v2v.js";
import { createOverlay, imageInfo } from "../../src/host/qemu-img.js";

describe("a guest whose kernel has no virtio drivers falls back to emulated devices", () => {
  let work: string;
  let out: string;
  let v2v: V2vRun;
  let xml = "";

  beforeAll(async () => {
    const guest = await ensureGuestDisks(findRecipe("debian-12-bios"));
    work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-fallback-"));
    const source = join(work, "source.qcow2");
    // A harness-built reference disk (trusted), so a plain backing path is fine here.
    await createOverlay(source, guest.disks[0]!.path, "raw", (await imageInfo(guest.disks[0]!.path, "raw")).virtualSizeBytes);
    const s = await GuestfishSession.start([{ path: source, format: "qcow2" }]);
    try {
      await s.cmd("mount", "/dev/sda1", "/");
      await s.cmd("glob", "rm-f", "/lib/modules/*/kernel/drivers/block/virtio_blk.ko*");
      await s.cmd("glob", "rm-f", "/lib/modules/*/kernel/drivers/net/virtio_net.ko*");
    } finally {
      await s.close();
    }
    out = join(work, "out");
    await mkdir(out);
    v2v = await runV2v(["-i", "disk", source, "-o", "local", "-os", out, "-on", "emulated"], work);
    if (v2v.exitCode === 0) xml = await readFile(join(out, "emulated.xml"), "utf8");
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("the conversion succeeds and says the guest has no virtio drivers", () => {
    expect(v2v.exitCode, v2v.summary.error).toBe(0);
    expect(v2v.summary.stages.map((s) => s.message)).toContain("This guest does not have virtio drivers installed.");
    expect(v2v.summary.warnings.join("\n")).toMatch(/no installed kernel has virtio_blk and virtio_net/);
  });

  test("the metadata names emulated devices: a SATA disk and an e1000 NIC, no virtio device but the guest agent's port", () => {
    const facts = readLibvirtXmlFacts(xml);
    expect(facts.diskBuses).toEqual(["sata"]);
    expect(facts.nicModels).toEqual(["e1000"]);
    // As in virt-v2v, the qemu-ga channel (a virtio-serial port) is always there; a guest without
    // the driver leaves it unused. Nothing else may be virtio: no disk, NIC, rng or balloon.
    const withoutAgent = xml
      .replace(/<controller type="virtio-serial" model="virtio"\/>/, "")
      .replace(/<channel type="unix">\s*<target type="virtio" name="org\.qemu\.guest_agent\.0"\/>\s*<\/channel>/, "");
    expect(withoutAgent).not.toBe(xml);
    expect(withoutAgent).not.toMatch(/virtio/);
  });

  test("fstab still names /dev/sda1, which is right on SATA", async () => {
    const disk = (await readdir(out)).find((f) => /-sda$/.test(f));
    expect(disk).toBeDefined();
    const g = await GuestfishGuest.open([{ path: join(out, disk!), format: "raw", readonly: true }]);
    try {
      const roots = await g.inspectRoots();
      await g.mountRoot(roots[0]!);
      expect(await g.readFile("/etc/fstab")).toMatch(/^\/dev\/sda1\s+\/\s/m);
    } finally {
      await g.close();
    }
  });
});
