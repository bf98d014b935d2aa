// The debian-12-bios reference guest, built (or taken from the cache) and inspected read-only with
// libguestfs: it must look like an old VMware guest that only a real conversion can move to virtio.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as allure from "allure-js-commons";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GuestfishSession } from "../../src/guest/guestfish.js";
import { run } from "../../src/host/exec.js";
import { BOOT_REPORT_UNIT_NAME } from "../../src/harness/boot/boot-report.js";
import { ensureGuestDisks, type BuiltGuest } from "../../src/harness/guests/builders.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import { ensureGuestOva } from "../../src/harness/guests/package-ova.js";
import { parseManifest } from "../../src/inputs/manifest.js";

const recipe = findRecipe("debian-12-bios");
let guest: BuiltGuest;
let g: GuestfishSession;
let scratch: string;

beforeAll(async () => {
  guest = await ensureGuestDisks(recipe, (m) => console.log(`images: ${m}`));
  console.log(`images: ${recipe.name} ${guest.built ? "built" : "from the cache"} in ${guest.seconds.toFixed(0)} s: ${guest.dir}`);
  g = await GuestfishSession.start(guest.disks.map((d) => ({ path: d.path, format: d.format, readonly: true })));
  await g.cmd("mount-ro", "/dev/sda1", "/");
  scratch = mkdtempSync(join(tmpdir(), "v2v-images-test-"));
});

afterAll(async () => {
  await g?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** fstab lines split into fields, comments and blanks dropped. */
const fstabEntries = (text: string): string[][] =>
  text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/));

describe(`reference guest ${recipe.name}`, () => {
  test("one MBR partition, ext4 labelled root", async () => {
    await allure.parameter("guest", recipe.name);
    expect(await g.cmd("part-get-parttype", "/dev/sda")).toBe("msdos");
    expect(await g.cmd("part-list", "/dev/sda")).toMatch(/part_num: 1/);
    expect(await g.cmd("vfs-type", "/dev/sda1")).toBe("ext4");
    expect(await g.cmd("vfs-label", "/dev/sda1")).toBe("root");
  });

  test("fstab names / by /dev/sda1", async () => {
    const fstab = await g.cmd("cat", "/etc/fstab");
    await allure.attachment("fstab", fstab, "text/plain");
    expect(fstabEntries(fstab)).toContainEqual(["/dev/sda1", "/", "ext4", "errors=remount-ro", "0", "1"]);
    expect(fstab).not.toMatch(/UUID=|LABEL=/);
  });

  test("grub.cfg boots the kernel with root=/dev/sda1 on the serial console", async () => {
    const cfg = await g.cmd("cat", "/boot/grub/grub.cfg");
    const linuxLines = cfg.split("\n").filter((l) => /^\s*linux\s/.test(l));
    expect(linuxLines.length).toBeGreaterThan(0);
    for (const l of linuxLines) {
      expect(l).toMatch(/\broot=\/dev\/sda1\b/);
      expect(l).toContain("console=ttyS0,115200n8");
    }
    expect(cfg).not.toMatch(/root=UUID=/);
  });

  test("the initramfs has the VMware-like drivers and no virtio_blk", async () => {
    const names = (await g.cmd("ls", "/boot")).split("\n").filter((n) => n.startsWith("initrd.img-"));
    expect(names).toHaveLength(1);
    const local = join(scratch, names[0]!);
    await g.cmd("download", `/boot/${names[0]}`, local);
    const { stdout } = await run(["lsinitramfs", local], { timeoutMs: 120_000 });
    const modules = stdout.split("\n").filter((l) => l.endsWith(".ko") || l.endsWith(".ko.xz") || l.endsWith(".ko.zst"));
    await allure.attachment("initramfs modules", modules.join("\n"), "text/plain");
    const has = (m: string): boolean => modules.some((p) => p.split("/").pop()!.startsWith(`${m}.ko`));
    for (const m of ["ata_piix", "ahci", "mptspi", "vmw_pvscsi", "sd_mod", "ext4"]) expect(has(m), m).toBe(true);
    expect(has("virtio_blk")).toBe(false);
    expect(modules.filter((p) => p.includes("virtio"))).toEqual([]);
    expect(await g.cmd("cat", "/etc/initramfs-tools/initramfs.conf")).toMatch(/^MODULES=list$/m);
  });

  test("open-vm-tools is installed (the conversion must remove it)", async () => {
    const status = await g.cmd("cat", "/var/lib/dpkg/status");
    const stanza = status.split("\n\n").find((s) => /^Package: open-vm-tools$/m.test(s));
    expect(stanza).toBeDefined();
    expect(stanza).toMatch(/^Status: install ok installed$/m);
    expect(await g.cmd("is-file", "/usr/bin/vmtoolsd")).toBe("true");
  });

  test("the boot-report service is installed and enabled", async () => {
    expect(await g.cmd("is-symlink", `/etc/systemd/system/multi-user.target.wants/${BOOT_REPORT_UNIT_NAME}`)).toBe("true");
    expect(await g.cmd("is-file", "/usr/local/sbin/v2v-boot-report")).toBe("true");
  });

  test("a second build is a cache hit", async () => {
    const again = await ensureGuestDisks(recipe);
    expect(again.built).toBe(false);
    expect(again.dir).toBe(guest.dir);
    expect(again.seconds).toBeLessThan(10);
  });

  test("the OVA: OVF first, manifest checks out, one streamOptimized disk", async () => {
    const ova = await ensureGuestOva(recipe, (m) => console.log(`images: ${m}`));
    console.log(`images: ${ova.path} ${ova.built ? `packaged in ${ova.seconds.toFixed(0)} s` : "from the cache"}`);
    const list = (await run(["tar", "-tf", ova.path])).stdout.trim().split("\n");
    expect(list).toEqual([`${recipe.name}.ovf`, `${recipe.name}.mf`, `${recipe.name}-disk1.vmdk`]);
    const mf = parseManifest((await run(["tar", "-xOf", ova.path, `${recipe.name}.mf`])).stdout);
    expect(mf.entries.map((e) => e.file)).toEqual([`${recipe.name}.ovf`, `${recipe.name}-disk1.vmdk`]);
    for (const e of mf.entries) {
      const sum = (await run(["sh", "-c", 'tar -xOf "$1" "$2" | sha256sum', "sh", ova.path, e.file], { timeoutMs: 600_000 })).stdout;
      expect(sum.split(" ")[0], e.file).toBe(e.digest);
    }
    // The embedded descriptor sits in the first sectors of a streamOptimized VMDK.
    const head = `tar -xOf "$1" "$2" | head -c 4096 | grep -a -o 'createType="[A-Za-z]*"'`;
    const vmdkHead = (await run(["sh", "-c", head, "sh", ova.path, `${recipe.name}-disk1.vmdk`])).stdout;
    expect(vmdkHead).toMatch(/createType="streamOptimized"/);
  });
});
