import { describe, expect, test } from "vitest";
import { debianKernels } from "../../../../src/converters/linux/debian/kernels.js";
import { compareKernelVersions } from "../../../../src/converters/linux/debian/kernel-version.js";
import {
  chooseVirtioKernel, listInstalledKernels, supportsVirtio, type InstalledKernel,
} from "../../../../src/converters/linux/kernels.js";
import {
  candidateModulePaths, decideDriverSource, isConfigBuiltin, isListedBuiltin, moduleNameOfPath, parseModulesDep,
} from "../../../../src/converters/linux/virtio-support.js";
import { FakeGuest } from "../../fakes/fake-guest.js";
import { makeDebianGuest } from "./debian-guest.js";

const V = "6.1.0-13-amd64";

describe("virtio evidence (pure)", () => {
  test("module names from paths of every compression", () => {
    expect(["a/virtio_blk.ko", "a/virtio_blk.ko.xz", "a/virtio_blk.ko.zst", "a/virtio-blk.ko.gz"].map(moduleNameOfPath))
      .toEqual(["virtio_blk", "virtio_blk", "virtio_blk", "virtio_blk"]);
  });

  test("modules.dep gives the real path first, then the usual ones", () => {
    const dep = parseModulesDep("updates/dkms/virtio_net.ko: kernel/drivers/virtio/virtio_ring.ko\n");
    expect(candidateModulePaths("virtio_net", dep)[0]).toBe("updates/dkms/virtio_net.ko");
    expect(candidateModulePaths("virtio_blk", dep)).toContain("kernel/drivers/block/virtio_blk.ko.zst");
  });

  test("built in per modules.builtin or =y in the config; =m alone is not evidence", () => {
    expect(isListedBuiltin("kernel/drivers/block/virtio_blk.ko\n", "virtio_blk")).toBe(true);
    expect(isListedBuiltin("kernel/drivers/block/virtio_blk.ko\n", "virtio_net")).toBe(false);
    expect(isConfigBuiltin("CONFIG_VIRTIO_NET=y\n", "virtio_net")).toBe(true);
    expect(isConfigBuiltin("CONFIG_VIRTIO_NET=m\n", "virtio_net")).toBe(false);
    expect(isConfigBuiltin("# CONFIG_VIRTIO_NET is not set\n", "virtio_net")).toBe(false);
    expect(decideDriverSource(false, "", "CONFIG_VIRTIO_BLK=m\n", "virtio_blk")).toBe("absent");
    expect(decideDriverSource(true, "", "", "virtio_blk")).toBe("module");
  });
});

describe("listInstalledKernels on a fake guest", () => {
  const drivers = async (g: FakeGuest) => (await listInstalledKernels(g, debianKernels))[0]?.drivers;

  test(".ko.xz modules (Debian 12)", async () => {
    expect(await drivers(makeDebianGuest({ kernels: { [V]: "ko.xz" } })))
      .toEqual({ virtio_pci: "module", virtio_blk: "module", virtio_scsi: "module", virtio_net: "module" });
  });

  test("plain .ko modules", async () => {
    expect((await drivers(makeDebianGuest({ kernels: { [V]: "ko" } })))?.virtio_blk).toBe("module");
  });

  test("modules.builtin", async () => {
    expect(await drivers(makeDebianGuest({ kernels: { [V]: "builtin-list" } })))
      .toEqual({ virtio_pci: "builtin", virtio_blk: "builtin", virtio_scsi: "absent", virtio_net: "builtin" });
  });

  test("config =y", async () => {
    expect((await drivers(makeDebianGuest({ kernels: { [V]: "config-y" } })))?.virtio_net).toBe("builtin");
  });

  test("no evidence at all", async () => {
    const ks = await listInstalledKernels(makeDebianGuest({ kernels: { [V]: "none" } }), debianKernels);
    expect(ks[0]?.drivers.virtio_blk).toBe("absent");
    expect(ks.map(supportsVirtio)).toEqual([false]);
  });

  test("a module file found through merged-/usr symlinks and only at the usual path (no modules.dep)", async () => {
    const g = new FakeGuest({
      files: {
        [`/boot/vmlinuz-${V}`]: "", [`/usr/lib/modules/${V}/kernel/drivers/block/virtio_blk.ko.zst`]: "",
        [`/usr/lib/modules/${V}/kernel/drivers/net/virtio_net.ko.zst`]: "",
      },
      symlinks: { "/lib": "usr/lib" },
    });
    const [k] = await listInstalledKernels(g, debianKernels);
    expect(k).toMatchObject({ version: V, hasModules: true, drivers: { virtio_blk: "module", virtio_net: "module", virtio_pci: "absent" } });
    expect(k?.initrd).toBeUndefined();
  });

  test("an image without /lib/modules is never chosen", async () => {
    const g = makeDebianGuest({ kernels: { "6.1.0-9-amd64": "ko.xz" } });
    g.setFile("/boot/vmlinuz-6.1.0-20-amd64", "leftover");
    const ks = await listInstalledKernels(g, debianKernels);
    expect(ks.find((k) => k.version === "6.1.0-20-amd64")?.hasModules).toBe(false);
    expect(chooseVirtioKernel(ks, compareKernelVersions)?.version).toBe("6.1.0-9-amd64");
  });
});

describe("chooseVirtioKernel", () => {
  const k = (version: string, virtio: boolean): InstalledKernel => ({
    version, vmlinuz: `/boot/vmlinuz-${version}`, hasModules: true,
    drivers: { virtio_pci: "builtin", virtio_blk: virtio ? "module" : "absent", virtio_scsi: "absent", virtio_net: virtio ? "module" : "absent" },
  });

  test("newest with virtio, by Debian order", () => {
    expect(chooseVirtioKernel([k("6.1.0-9-amd64", true), k("6.1.0-13-amd64", true), k("5.10.0-26-amd64", true)], compareKernelVersions)?.version).toBe("6.1.0-13-amd64");
    expect(chooseVirtioKernel([k("6.1.0-13-amd64", false), k("5.10.0-26-amd64", true)], compareKernelVersions)?.version).toBe("5.10.0-26-amd64");
    expect(chooseVirtioKernel([k("6.1.0-13-amd64", false)], compareKernelVersions)).toBeUndefined();
  });

  test("needs both virtio_blk and virtio_net", () => {
    const blkOnly: InstalledKernel = { ...k("6.1.0-13-amd64", true), drivers: { ...k("x", true).drivers, virtio_net: "absent" } };
    expect(chooseVirtioKernel([blkOnly], compareKernelVersions)).toBeUndefined();
  });
});
