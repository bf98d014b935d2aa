// Small guests for the reliability corpus, built in one libguestfs appliance without debootstrap:
// each filesystem has just what libguestfs inspection needs to call it a Debian root (os-release,
// fstab, /bin with a real x86_64 binary for the architecture). They are never booted: they exist
// to reach v2v's inspection and conversion paths with hostile content.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GuestfishSession } from "../../guest/guestfish.js";
import { run } from "../../host/exec.js";

export interface PhonyDisks {
  /** One disk, two partitions, a Debian-looking root on each; only the first has a dpkg database. */
  readonly twoRoots: string;
  /** A root whose /etc/fstab is a symlink to /dev/zero. */
  readonly fstabZero: string;
  /**
   * A root whose /etc/fstab and the module list of its one (fake) kernel are 64 MiB each, with
   * just enough GRUB for the converter to go and read that list.
   */
  readonly fstabHuge: string;
}

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n';

async function makeRoot(s: GuestfishSession, dev: string, hostDir: string, label: string): Promise<void> {
  await s.cmd("mkfs", "ext4", dev, `label:${label}`);
  await s.cmd("mount", dev, "/");
  for (const d of ["/etc", "/bin", "/usr/bin", "/boot", "/tmp"]) await s.cmd("mkdir-p", d);
  const osRelease = join(hostDir, "os-release");
  await writeFile(osRelease, OS_RELEASE);
  await s.cmd("upload", osRelease, "/etc/os-release");
  await s.cmd("write", "/etc/debian_version", "12.5\n");
  await s.cmd("write", "/etc/fstab", `LABEL=${label} / ext4 defaults 0 1\n`);
  await s.cmd("upload", "/bin/ls", "/bin/ls");
  await s.cmd("upload", "/bin/sh", "/bin/sh");
}

/** Build the phony disks under `dir` (about 30 s: one appliance launch). */
export async function buildPhonyDisks(dir: string): Promise<PhonyDisks> {
  const disks: PhonyDisks = { twoRoots: join(dir, "two-roots.raw"), fstabZero: join(dir, "fstab-zero.raw"), fstabHuge: join(dir, "fstab-huge.raw") };
  for (const p of Object.values(disks)) await run(["truncate", "-s", "256M", p]);
  const s = await GuestfishSession.start(Object.values(disks).map((path) => ({ path, format: "raw" as const })));
  try {
    await s.cmd("part-init", "/dev/sda", "mbr");
    await s.cmd("part-add", "/dev/sda", "p", "2048", "262143");
    await s.cmd("part-add", "/dev/sda", "p", "262144", "-2048");
    await makeRoot(s, "/dev/sda1", dir, "rootone");
    await s.cmd("mkdir-p", "/var/lib/dpkg");
    await s.cmd("write", "/var/lib/dpkg/status", "");
    await s.cmd("umount-all");
    await makeRoot(s, "/dev/sda2", dir, "roottwo");
    await s.cmd("umount-all");
    await makeRoot(s, "/dev/sdb", dir, "fstabzero");
    await s.cmd("rm", "/etc/fstab");
    await s.cmd("ln-s", "/dev/zero", "/etc/fstab");
    await s.cmd("umount-all");
    await makeRoot(s, "/dev/sdc", dir, "fstabhuge");
    await s.cmd("fallocate64", "/etc/fstab", String(64 * 1024 * 1024));
    for (const d of ["/boot/grub", "/usr/sbin", "/lib/modules/6.1.0-99-amd64"]) await s.cmd("mkdir-p", d);
    await s.cmd("write", "/boot/grub/grub.cfg", "# grub.cfg\n");
    await s.cmd("upload", "/bin/sh", "/usr/sbin/update-grub");
    await s.cmd("write", "/boot/vmlinuz-6.1.0-99-amd64", "not a kernel");
    await s.cmd("fallocate64", "/lib/modules/6.1.0-99-amd64/modules.dep", String(64 * 1024 * 1024));
    await s.cmd("umount-all");
  } finally {
    await s.close();
  }
  return disks;
}
