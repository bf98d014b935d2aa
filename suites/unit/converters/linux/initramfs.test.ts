import { describe, expect, test } from "vitest";
import { debianFamily } from "../../../../src/converters/linux/debian/family.js";
import { dracutVirtioConf } from "../../../../src/converters/linux/dracut.js";
import { rebuildInitramfs } from "../../../../src/converters/linux/initramfs.js";
import { listInstalledKernels } from "../../../../src/converters/linux/kernels.js";
import { StepLog } from "../../../../src/converters/step-log.js";
import { V2vError } from "../../../../src/model/errors.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import { FakeGuest } from "../../fakes/fake-guest.js";
import { makeDebianGuest } from "./debian-guest.js";

const V = "6.1.0-13-amd64";

describe("rebuildInitramfs on a fake guest", () => {
  const run = async (g: FakeGuest) => {
    const log = new StepLog(new RecordingReporter());
    const [k] = await listInstalledKernels(g, debianFamily.kernels);
    await rebuildInitramfs(g, k!, debianFamily, log);
    return log;
  };

  test("backs up, lists the modules, switches MODULES=dep, runs update-initramfs -u", async () => {
    const g = makeDebianGuest({ initramfsConf: "MODULES=dep\nCOMPRESS=zstd\n" });
    g.setFile("/etc/initramfs-tools/conf.d/modules", "MODULES=dep\n");
    const log = await run(g);
    expect(g.ops.filter((o) => !o.startsWith("write"))).toEqual([
      `cp /boot/initrd.img-${V} /boot/initrd.img-${V}.pre-v2v`, `command update-initramfs -u -k ${V}`,
    ]);
    expect(g.file("/etc/initramfs-tools/initramfs.conf")).toBe("MODULES=most\nCOMPRESS=zstd\n");
    expect(g.file("/etc/initramfs-tools/conf.d/modules")).toBe("MODULES=most\n");
    expect(g.file("/etc/initramfs-tools/modules")).toContain("ext4\n# virtio drivers for the KVM target, added by v2v\nvirtio_pci\n");
    expect(log.changes).toEqual([
      `kept the previous initramfs as /boot/initrd.img-${V}.pre-v2v`,
      "added virtio_pci, virtio_blk, virtio_scsi, virtio_net to /etc/initramfs-tools/modules",
      `changed MODULES=dep to MODULES=most in /etc/initramfs-tools/initramfs.conf: "dep" would pick the conversion appliance's drivers, not the target's`,
      `changed MODULES=dep to MODULES=most in /etc/initramfs-tools/conf.d/modules: "dep" would pick the conversion appliance's drivers, not the target's`,
      `rebuilt /boot/initrd.img-${V} with virtio_pci, virtio_blk, virtio_scsi, virtio_net`,
    ]);
    expect(g.calls[0]?.timeoutMs).toBeGreaterThanOrEqual(10 * 60_000);
  });

  test("no initrd yet: update-initramfs -c, no backup", async () => {
    const g = makeDebianGuest();
    g.files.delete(`/boot/initrd.img-${V}`);
    await run(g);
    expect(g.commandTexts).toEqual([`update-initramfs -c -k ${V}`]);
    expect(g.file(`/boot/initrd.img-${V}.pre-v2v`)).toBeUndefined();
  });

  test("update_initramfs=no: mkinitramfs directly", async () => {
    const g = makeDebianGuest();
    g.setFile("/etc/initramfs-tools/update-initramfs.conf", "update_initramfs=no\n");
    await run(g);
    expect(g.commandTexts).toEqual([`mkinitramfs -o /boot/initrd.img-${V} ${V}`]);
    expect(g.file(`/boot/initrd.img-${V}`)).toMatch(/^rebuilt initrd with .*virtio_blk/);
  });

  test("dracut guests: the virtio drivers go into a dracut.conf.d drop-in, then a rebuild without host-only mode", async () => {
    const g = makeDebianGuest();
    await g.rmRf("/etc/initramfs-tools");
    g.files.delete("/usr/sbin/update-initramfs");
    g.setFile("/usr/bin/dracut", "");
    g.on(/^dracut /, (c, guest) => { guest.setFile(c.argv[3]!, `dracut image with ${guest.file("/etc/dracut.conf.d/60-v2v-virtio.conf")}`); });
    const log = await run(g);
    const conf = '# virtio drivers for the KVM target, added by v2v: the root disk is on virtio there.\nadd_drivers+=" virtio_pci virtio_blk virtio_scsi virtio_net "\n';
    expect(g.file("/etc/dracut.conf.d/60-v2v-virtio.conf")).toBe(conf);
    expect(g.file(`/boot/initrd.img-${V}`)).toBe(`dracut image with ${conf}`);
    expect(g.commandTexts).toEqual([`dracut --force --no-hostonly /boot/initrd.img-${V} ${V}`]);
    expect(log.changes).toContain("added virtio_pci, virtio_blk, virtio_scsi, virtio_net to dracut's configuration in /etc/dracut.conf.d/60-v2v-virtio.conf");
  });

  test("dracut: a drop-in that already says the same is not rewritten", async () => {
    const g = makeDebianGuest();
    await g.rmRf("/etc/initramfs-tools");
    g.files.delete("/usr/sbin/update-initramfs");
    g.setFile("/usr/bin/dracut", "");
    g.setFile("/etc/dracut.conf.d/60-v2v-virtio.conf", dracutVirtioConf(["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net"]));
    g.on(/^dracut /, (c, guest) => { guest.setFile(c.argv[3]!, "image"); });
    const log = await run(g);
    expect(g.ops.some((o) => o.startsWith("write /etc/dracut.conf.d"))).toBe(false);
    expect(log.changes.some((c) => c.includes("dracut's configuration"))).toBe(false);
  });

  test("neither tool: CONVERSION error that says what to install", async () => {
    const g = makeDebianGuest();
    g.files.delete("/usr/sbin/update-initramfs");
    const err = await run(g).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).message).toContain("install initramfs-tools");
  });

  test("a command that succeeds without writing the image is an error", async () => {
    const g = makeDebianGuest();
    g.files.delete(`/boot/initrd.img-${V}`);
    g.on("update-initramfs", () => "");
    const err = await run(g).catch((e: unknown) => e);
    expect((err as V2vError).code).toBe("CONVERSION");
    expect((err as V2vError).message).toContain(`/boot/initrd.img-${V}`);
  });
});
