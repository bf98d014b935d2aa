// The reliability corpus: hostile and broken inputs, each generated here, each with the exit status
// and the words its one-line error must carry. Every case is run by the real CLI (run-case.ts),
// which also checks that nothing is left behind and that no host secret leaks.
import { createHash } from "node:crypto";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { run } from "../../host/exec.js";
import {
  encryptedQcow2, foreignFormat, qcow2WithBacking, qcow2WithDataFile, rawWithMarker, sparseVmdkZeroCapacity, vmdkDescriptor,
} from "./hostile-images.js";
import { type PhonyDisks } from "./phony-guests.js";
import { hostileOvf, manifestLines, writeTar, type HostileDisk, type HostileOvfOptions, type TarEntry } from "./hostile-ova.js";

export interface CorpusEnv {
  /** A host file hostile inputs point at; its token must never reach an output or a message. */
  readonly secretPath: string;
  readonly secretToken: string;
  /** The phony guests (built on first use, in one appliance launch, and shared by the cases). */
  readonly phonyDisks: () => Promise<PhonyDisks>;
}

export interface BuiltInput {
  /** The v2v arguments that name the input (`-i ova X`), and optionally the output part. */
  readonly args: readonly string[];
  /** Files that must be unchanged afterwards. */
  readonly sources: readonly string[];
  /** When set, replaces `-o local -os OUT`; the token OUT is replaced by the case's output dir. */
  readonly output?: readonly string[];
}

export interface CorpusCase {
  readonly name: string;
  readonly group: string;
  readonly build: (dir: string, env: CorpusEnv) => Promise<BuiltInput>;
  readonly exit: 0 | 1;
  /** Exit 1: words of the one error line. Exit 0: words of stdout. */
  readonly words: readonly RegExp[];
  /** Needs a libguestfs appliance launch (about 20 s under TCG). */
  readonly appliance?: boolean;
  /** Run with VIRT_V2V_TMPDIR on a tmpfs of this many MiB (needs root to mount). */
  readonly tmpfsMiB?: number;
  /** Put things in -os before the run (a symlink where v2v will write); returns their names. */
  readonly plant?: (out: string, env: CorpusEnv) => Promise<readonly string[]>;
}

const MiB = 1024 * 1024;
const sha256 = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

/** A small, valid qcow2 (1 MiB) to put in OVAs; it holds no OS, so a case using it must fail before inspection. */
async function smallQcow2(path: string): Promise<Buffer> {
  await run(["qemu-img", "create", "-q", "-f", "qcow2", path, "1M"]);
  return readFile(path);
}

/** A tar OVA of an OVF and members; the OVF lists `disks`. */
async function tarOva(dir: string, disks: readonly HostileDisk[], members: readonly TarEntry[], o: HostileOvfOptions = {}, name = "guest.ova"): Promise<BuiltInput> {
  const ova = join(dir, name);
  await writeTar(ova, [{ name: "guest.ovf", data: hostileOvf(disks, o) }, ...members]);
  return { args: ["-i", "ova", ova], sources: [ova] };
}

/** -i disk on a file made by `make`. */
function diskCase(name: string, file: string, make: (path: string, env: CorpusEnv, dir: string) => Promise<void>, words: RegExp[], extra: string[] = []): CorpusCase {
  return {
    name, group: "disk references", exit: 1, words,
    build: async (dir, env) => {
      const path = join(dir, file);
      await make(path, env, dir);
      return { args: ["-i", "disk", ...extra, path], sources: [path] };
    },
  };
}

const backingCase = (name: string, backing: (env: CorpusEnv) => string, words: RegExp[]): CorpusCase =>
  diskCase(name, "disk.qcow2", (p, env) => qcow2WithBacking(p, backing(env)), words);

const ovfCase = (name: string, o: HostileOvfOptions, words: RegExp[], disk: Partial<HostileDisk> = {}): CorpusCase => ({
  name, group: "OVF values", exit: 1, words,
  build: async (dir) => tarOva(dir, [{ href: "disk1.qcow2", capacityBytes: MiB, ...disk }], [{ name: "disk1.qcow2", data: await smallQcow2(join(dir, "d.qcow2")) }], o),
});

export const CORPUS: readonly CorpusCase[] = [
  // --- disk references (-i disk) ---
  backingCase("qcow2 backing file on nbd:", () => "nbd://127.0.0.1:10809/export", [/backing file/, /network location or pseudo-file/]),
  backingCase("qcow2 backing file on http:", () => "http://169.254.169.254/latest/meta-data/", [/network location or pseudo-file/]),
  backingCase("qcow2 backing file as json:", (e) => `json:{"driver":"raw","file":{"driver":"file","filename":"${e.secretPath}"}}`, [/network location or pseudo-file/]),
  backingCase("qcow2 backing file on ssh:", () => "ssh://root@192.0.2.1/var/lib/disk.img", [/network location or pseudo-file/]),
  backingCase("qcow2 backing file is a device node", () => "/dev/zero", [/not a regular file/]),
  backingCase("qcow2 backing file is missing", () => "nowhere.raw", [/does not exist/]),
  diskCase("qcow2 backing chain that loops", "a.qcow2", async (p, _e, dir) => {
    await qcow2WithBacking(p, "b.qcow2", "qcow2");
    await qcow2WithBacking(join(dir, "b.qcow2"), "a.qcow2", "qcow2");
  }, [/loops back/]),
  diskCase("qcow2 backing chain 10 deep", "top.qcow2", async (p, _e, dir) => {
    let prev = join(dir, "l0.raw");
    await rawWithMarker(prev, MiB, "x");
    for (let i = 1; i < 10; i++) {
      const next = join(dir, `l${i}.qcow2`);
      await qcow2WithBacking(next, prev, i === 1 ? "raw" : "qcow2");
      prev = next;
    }
    await qcow2WithBacking(p, prev, "qcow2");
  }, [/longer than 8/]),
  diskCase("qcow2 with an external data file on a host file", "disk.qcow2", (p, e) => qcow2WithDataFile(p, `${e.secretPath}.data`), [/external data file/]),
  diskCase("LUKS-encrypted qcow2", "disk.qcow2", (p) => encryptedQcow2(p), [/encrypted/]),
  diskCase("VMDK descriptor with a device extent", "disk.vmdk", (p) => vmdkDescriptor(p, ['RW 2048 FLAT "/dev/zero" 0']), [/extent/, /not a regular file/]),
  diskCase("VMDK descriptor with an nbd: extent", "disk.vmdk", (p) => vmdkDescriptor(p, ['RW 2048 FLAT "nbd://192.0.2.1/x" 0']), [/extent/, /network location/]),
  diskCase("sparse VMDK with capacity 0 whose descriptor names a device", "disk.vmdk", (p) => sparseVmdkZeroCapacity(p, "/dev/zero"), [/extent/, /not a regular file/]),
  diskCase("VMDK descriptor that lies about its size", "disk.vmdk", async (p, _e, dir) => {
    await rawWithMarker(join(dir, "disk-flat.vmdk"), MiB, "x");
    await vmdkDescriptor(p, ['RW 41943040 FLAT "disk-flat.vmdk" 0']);
  }, [/descriptor lies about the disk's size/]),
  diskCase("VMDK mapping a raw device (vmfsRawDeviceMap)", "disk.vmdk", (p) => vmdkDescriptor(p, ['RW 2048 VMFSRDM "disk-rdm.vmdk"'], { createType: "vmfsRawDeviceMap" }), [/maps a host device/]),
  diskCase("a zero-size disk", "empty.img", (p) => writeFile(p, ""), [/empty \(0 bytes\)/]),
  diskCase("a VDI disk", "disk.vdi", (p) => foreignFormat(p, "vdi"), [/disk format vdi is not supported/]),
  diskCase("a VHDX disk", "disk.vhdx", (p) => foreignFormat(p, "vhdx"), [/disk format vhdx is not supported/]),
  {
    name: "-i disk json: pseudo-file argument", group: "disk references", exit: 1, words: [/network locations and pseudo-files/],
    build: async (_d, e) => ({ args: ["-i", "disk", `json:{"file":{"driver":"file","filename":"${e.secretPath}"}}`], sources: [e.secretPath] }),
  },
  {
    name: "-i disk nbd: argument", group: "disk references", exit: 1, words: [/network locations and pseudo-files/],
    build: async () => ({ args: ["-i", "disk", "nbd://127.0.0.1:10809/"], sources: [] }),
  },
  {
    name: "-i disk device node argument", group: "disk references", exit: 1, words: [/not a regular file/],
    build: async () => ({ args: ["-i", "disk", "/dev/zero"], sources: [] }),
  },

  // --- OVA tar: references must be members ---
  {
    name: "OVA tar: qcow2 backing file is a host file", group: "OVA container", exit: 1, words: [/backing file/, /not a member of the OVA/],
    build: async (dir, e) => {
      await qcow2WithBacking(join(dir, "d.qcow2"), e.secretPath);
      return tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", fromFile: join(dir, "d.qcow2") }]);
    },
  },
  {
    name: "OVA tar: qcow2 backing file climbs out with ..", group: "OVA container", exit: 1, words: [/not a member of the OVA/],
    build: async (dir) => {
      await qcow2WithBacking(join(dir, "d.qcow2"), "../../../../etc/passwd");
      return tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", fromFile: join(dir, "d.qcow2") }]);
    },
  },
  {
    name: "OVA tar: VMDK descriptor naming extents", group: "OVA container", exit: 1, words: [/cannot be opened inside the archive/, /unpack the OVA/],
    build: async (dir) => {
      await vmdkDescriptor(join(dir, "d.vmdk"), ['RW 2048 FLAT "disk1-flat.vmdk" 0']);
      await rawWithMarker(join(dir, "f.raw"), MiB, "x");
      return tarOva(dir, [{ href: "disk1.vmdk" }], [{ name: "disk1.vmdk", fromFile: join(dir, "d.vmdk") }, { name: "disk1-flat.vmdk", fromFile: join(dir, "f.raw") }]);
    },
  },
  {
    name: "OVA tar: the disk is a symlink member", group: "OVA container", exit: 1, words: [/link or special file/],
    build: async (dir, e) => tarOva(dir, [{ href: "disk1.vmdk" }], [{ name: "disk1.vmdk", symlinkTo: e.secretPath }]),
  },
  {
    name: "OVA tar: two members with the same name", group: "OVA container", exit: 1, words: [/two members named "disk1\.qcow2"/],
    build: async (dir) => {
      const q = await smallQcow2(join(dir, "d.qcow2"));
      return tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", data: q }, { name: "disk1.qcow2", data: q }]);
    },
  },
  {
    name: "OVA tar: truncated", group: "OVA container", exit: 1, words: [/truncated or corrupt|corrupt or truncated/],
    build: async (dir) => {
      const built = await tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", data: Buffer.alloc(4 * MiB, 7) }]);
      const ova = built.args[2]!;
      await writeFile(ova, (await readFile(ova)).subarray(0, 2 * MiB + 700));
      return built;
    },
  },
  {
    name: "OVA tar: absolute disk href", group: "OVA container", exit: 1, words: [/points outside the OVA/],
    build: async (dir, e) => tarOva(dir, [{ href: e.secretPath }], []),
  },
  {
    name: "OVA tar: disk href climbing out", group: "OVA container", exit: 1, words: [/points outside the OVA/],
    build: async (dir) => tarOva(dir, [{ href: "../../etc/passwd" }], []),
  },
  {
    name: "OVA tar: garbage manifest with a wrong digest", group: "OVA container", exit: 1, words: [/checksum of disk1\.qcow2 does not match/],
    build: async (dir) => {
      const q = await smallQcow2(join(dir, "d.qcow2"));
      const garbage = ["\x1b[31mGARBAGE-LINE\x1b[0m", "SHA256(disk1.qcow2) = nothex", "\0\0\0"];
      const mf = manifestLines([{ name: "disk1.qcow2", sha256: sha256("not the disk") }], garbage);
      return tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", data: q }, { name: "guest.mf", data: mf }]);
    },
  },
  {
    name: "OVA tar: disk bigger than the OVF says", group: "OVA container", exit: 1, words: [/OVF declares a capacity of 1024/],
    build: async (dir) => tarOva(dir, [{ href: "disk1.qcow2", capacityBytes: 1024 }], [{ name: "disk1.qcow2", data: await smallQcow2(join(dir, "d.qcow2")) }]),
  },
  {
    name: "OVA tar: a disk file used by two disks", group: "OVA container", exit: 1, words: [/disk1\.qcow2/],
    build: async (dir) => tarOva(dir, [{ href: "disk1.qcow2", id: "a", fileId: "f1" }, { href: "disk1.qcow2", id: "b", fileId: "f2" }], [{ name: "disk1.qcow2", data: await smallQcow2(join(dir, "d.qcow2")) }]),
  },
  {
    name: "OVF: duplicate disk ids", group: "OVF values", exit: 1, words: [/vmdisk1/],
    build: async (dir) => {
      const q = await smallQcow2(join(dir, "d.qcow2"));
      return tarOva(dir, [{ href: "disk1.qcow2", id: "vmdisk1" }, { href: "disk2.qcow2", id: "vmdisk1", fileId: "file2" }],
        [{ name: "disk1.qcow2", data: q }, { name: "disk2.qcow2", data: q }], { attach: ["vmdisk1"] });
    },
  },

  {
    name: "OVF: one disk attached twice", group: "OVF values", exit: 1, words: [/vmdisk1/],
    build: async (dir) => tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", data: await smallQcow2(join(dir, "d.qcow2")) }], { attach: ["vmdisk1", "vmdisk1"] }),
  },

  // --- output directory ---
  ...([
    ["a symlink to a host file where the disk's .part goes", "hostile-sda.part"],
    ["a symlink to a host file where the disk goes", "hostile-sda"],
    ["a symlink to a host file where NAME.xml goes", "hostile.xml"],
  ] as const).map(([name, planted]): CorpusCase => ({
    name: `-os: ${name}`, group: "output directory", exit: 1, words: [new RegExp(`${planted.replace(/\./g, "\\.")}.*exists`)],
    build: async (dir, env) => {
      const built = await tarOva(dir, [{ href: "disk1.qcow2" }], [{ name: "disk1.qcow2", data: await smallQcow2(join(dir, "d.qcow2")) }]);
      return { ...built, sources: [...built.sources, env.secretPath] };
    },
    plant: async (out, env) => {
      await symlink(env.secretPath, join(out, planted));
      return [planted];
    },
  })),

  // --- decompression ---
  {
    name: "gzip bomb: inflates far past the declared capacity", group: "decompression", exit: 1, words: [/decompression bomb/],
    build: async (dir) => tarOva(dir, [{ href: "disk1.vmdk.gz", compression: "gzip", capacityBytes: MiB }], [{ name: "disk1.vmdk.gz", data: gzipSync(Buffer.alloc(256 * MiB), { level: 9 }) }]),
  },
  {
    name: "gzip disk with no declared size that would fill the temporary directory (a 1200 MiB tmpfs)", group: "decompression", exit: 1,
    words: [/would fill the temporary directory/, /VIRT_V2V_TMPDIR/], tmpfsMiB: 1200,
    build: async (dir) => {
      // 1 GiB of zeros inflates past what a 1200 MiB directory can spare once 512 MiB are kept for the overlays.
      const gz = join(dir, "zeros.gz");
      await run(["sh", "-c", 'head -c 1G /dev/zero | gzip -1 > "$1"', "sh", gz]);
      return tarOva(dir, [{ href: "disk1.img.gz", compression: "gzip", capacityBytes: null }], [{ name: "disk1.img.gz", fromFile: gz }]);
    },
  },
  {
    name: "disk marked gzip that is not", group: "decompression", exit: 1, words: [/cannot be inflated/],
    build: async (dir) => tarOva(dir, [{ href: "disk1.qcow2", compression: "gzip" }], [{ name: "disk1.qcow2", data: await smallQcow2(join(dir, "d.qcow2")) }]),
  },
  {
    name: "--print-source on a gzip OVA inflates nothing", group: "decompression", exit: 0, words: [/source name: hostile/, /disk1\.vmdk\.gz/],
    build: async (dir) => ({
      ...(await tarOva(dir, [{ href: "disk1.vmdk.gz", compression: "gzip", capacityBytes: MiB }], [{ name: "disk1.vmdk.gz", data: gzipSync(Buffer.alloc(64 * MiB)) }])),
      output: ["-o", "null", "--print-source"],
    }),
  },

  {
    name: "--print-source lists a qcow2's backing chain and opens nothing else", group: "print-source", exit: 0, words: [/backing: .*base\.raw \(raw\)/],
    build: async (dir) => {
      await rawWithMarker(join(dir, "base.raw"), MiB, "x");
      await qcow2WithBacking(join(dir, "top.qcow2"), "base.raw");
      return { args: ["-i", "disk", join(dir, "top.qcow2")], sources: [join(dir, "top.qcow2"), join(dir, "base.raw")], output: ["-o", "null", "--print-source"] };
    },
  },

  // --- OVF values ---
  ovfCase("OVF: billion laughs entities", { prolog: '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n', name: "&lol2;", raw: true }, [/DOCTYPE|entit/i]),
  ovfCase("OVF: external entity naming a host file", { prolog: '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', name: "&xxe;", raw: true }, [/DOCTYPE|entit/i]),
  ovfCase("OVF: nesting 100000 deep", { insideSystem: "<a>".repeat(100_000) + "</a>".repeat(100_000) }, [/deep|nest/i]),
  ovfCase("OVF: a 20 MB attribute value", { insideSystem: `<x y="${"A".repeat(20 * MiB)}"/>` }, [/too big|too long|bytes/i]),
  ovfCase("OVF: not well-formed", { name: "<unclosed", raw: true }, [/well-formed|XML/]),
  ovfCase("OVF: MAC address with control characters", { nics: [{ mac: "00:50:56:\x1b[2J:00:01", connection: "VM Network" }] }, [/MAC|address/i]),
  ovfCase("OVF: memory of 1 EiB", { memory: { quantity: "1073741824", units: "byte * 2^40" } }, [/memory/i]),
  ovfCase("OVF: memory in unknown units", { memory: { quantity: "4", units: "furlongs" } }, [/unit/i]),
  ovfCase("OVF: 100000 vCPUs", { vcpus: "100000" }, [/vCPU|CPU/i]),
  ovfCase("OVF: negative vCPUs", { vcpus: "-4" }, [/vCPU|CPU/i]),
  ovfCase("OVF: network name with markup and quotes", { nics: [{ mac: "00:50:56:00:00:01", connection: '"/><script>x</script>' }] }, [/network name/]),
  ovfCase("OVF: guest name with a path and escape codes", { name: "../../etc/\x1b]0;pwned\x07cron.d/x" }, [/guest name/, /-on NAME/]),

  // --- directory OVA ---
  {
    name: "directory OVA: the OVF is a symlink out", group: "directory OVA", exit: 1, words: [/resolves outside the OVA directory/],
    build: async (dir, e) => {
      const ova = join(dir, "ova");
      await mkdir(ova);
      await writeFile(join(dir, "outside.ovf"), hostileOvf([{ href: "disk1.qcow2" }]));
      await symlink(join(dir, "outside.ovf"), join(ova, "guest.ovf"));
      return { args: ["-i", "ova", ova], sources: [e.secretPath] };
    },
  },
  {
    name: "directory OVA: the disk is a symlink to a host file", group: "directory OVA", exit: 1, words: [/resolves outside the OVA directory/],
    build: async (dir, e) => {
      const ova = join(dir, "ova");
      await mkdir(ova);
      await writeFile(join(ova, "guest.ovf"), hostileOvf([{ href: "disk1.qcow2" }]));
      await symlink(e.secretPath, join(ova, "disk1.qcow2"));
      return { args: ["-i", "ova", ova], sources: [join(ova, "guest.ovf"), e.secretPath] };
    },
  },
  {
    name: "directory OVA: a symlinked folder leading to /", group: "directory OVA", exit: 1, words: [/not in the OVA/],
    build: async (dir) => {
      const ova = join(dir, "ova");
      await mkdir(ova);
      await writeFile(join(ova, "guest.ovf"), hostileOvf([{ href: "root/etc/hostname" }]));
      await symlink("/", join(ova, "root"));
      return { args: ["-i", "ova", ova], sources: [join(ova, "guest.ovf")] };
    },
  },
  {
    name: "directory OVA: manifest symlinked out, disk backing file outside", group: "directory OVA", exit: 1, words: [/resolves outside the OVA directory|not a file inside the OVA/],
    build: async (dir, e) => {
      const ova = join(dir, "ova");
      await mkdir(ova);
      await writeFile(join(ova, "guest.ovf"), hostileOvf([{ href: "disk1.qcow2" }]));
      await qcow2WithBacking(join(ova, "disk1.qcow2"), "../../../../" + e.secretPath.split("/").pop());
      await symlink(e.secretPath, join(ova, "guest.mf"));
      return { args: ["-i", "ova", ova], sources: [join(ova, "disk1.qcow2"), e.secretPath] };
    },
  },

  // --- guest content: these reach the appliance (about 30 s each) ---
  {
    name: "a blank disk (no operating system)", group: "guest content", exit: 1, words: [/no operating system/], appliance: true,
    build: async (dir) => {
      const blank = join(dir, "blank.qcow2");
      await run(["qemu-img", "create", "-q", "-f", "qcow2", blank, "256M"]);
      return { args: ["-i", "disk", blank], sources: [blank] };
    },
  },
  ...([
    ["two OSes, no --root", [], [/several operating systems/, /--root/]],
    ["two OSes, --root on a device without one", ["--root", "/dev/sdz9"], [/--root \/dev\/sdz9: no operating system there/]],
    ["two OSes, --root first (converts the first: this one has no GRUB)", ["--root", "first"], [/no \/boot\/grub\/grub\.cfg/]],
    ["two OSes, --root /dev/sda2 (no dpkg database either: a warning, then the same refusal)", ["--root", "/dev/sda2"], [/no \/boot\/grub\/grub\.cfg/]],
  ] as const).map(([name, flags, words]): CorpusCase => ({
    name, group: "guest content", exit: 1, words, appliance: true,
    build: async (_dir, env) => {
      const d = (await env.phonyDisks()).twoRoots;
      return { args: ["-i", "disk", "-if", "raw", d, ...flags], sources: [d] };
    },
  })),
  {
    name: "a guest whose /etc/fstab is a symlink to /dev/zero", group: "guest content", exit: 1, words: [/no operating system/], appliance: true,
    build: async (_dir, env) => {
      const d = (await env.phonyDisks()).fstabZero;
      return { args: ["-i", "disk", "-if", "raw", d], sources: [d] };
    },
  },
  {
    name: "a guest with an enormous /etc/fstab and module list", group: "guest content", exit: 1, words: [/more than the 32 MiB/], appliance: true,
    build: async (_dir, env) => {
      const d = (await env.phonyDisks()).fstabHuge;
      return { args: ["-i", "disk", "-if", "raw", d], sources: [d] };
    },
  },
];
