// Disk references in untrusted images: every file an image names is checked before qemu sees it,
// and qemu is handed an explicit chain. Images are crafted with qemu-img and byte patches.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "../../../../src/host/exec.js";
import { createOverlay } from "../../../../src/host/qemu-img.js";
import { openImage } from "../../../../src/inputs/image/open-image.js";
import type { ImagePlace } from "../../../../src/inputs/image/place.js";
import { directoryResolver, localFileResolver } from "../../../../src/inputs/image/resolvers.js";
import { V2vError } from "../../../../src/model/errors.js";
import {
  encryptedQcow2, foreignFormat, qcow2WithBacking, qcow2WithDataFile, rawWithMarker, sparseVmdkZeroCapacity, vmdkDescriptor,
} from "../../../../src/harness/reliability/hostile-images.js";

let dir: string;
let secret: string;
const SECRET = "HOST-SECRET-5f1d2c";
const MiB = 1024 * 1024;

const place = (path: string): ImagePlace => ({ kind: "file", path, label: path });

async function refused(path: string, pattern: RegExp, resolver = localFileResolver): Promise<void> {
  const e = await openImage(place(path), resolver).catch((x: unknown) => x);
  expect(e, `expected ${path} to be refused`).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("BAD_INPUT");
  expect((e as V2vError).message).toMatch(pattern);
  expect((e as V2vError).message).not.toContain(SECRET);
}

/** What qemu reads through the explicit chain, as the backing of an overlay (as the pipeline does). */
async function readThroughOverlay(qemuUri: string, format: "raw" | "qcow2" | "vmdk", size: number): Promise<Buffer> {
  const ov = join(dir, `ov-${Math.random().toString(36).slice(2)}.qcow2`);
  const out = `${ov}.raw`;
  await createOverlay(ov, qemuUri, format, size);
  await run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", ov, out]);
  const data = await readFile(out);
  await rm(ov, { force: true });
  await rm(out, { force: true });
  return data;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "v2v-check-image-"));
  secret = join(dir, "host-secret.txt");
  await writeFile(secret, `${SECRET}\n`.repeat(100_000));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("qcow2 backing files", () => {
  test("a legitimate chain of local files is followed and handed to qemu explicitly", async () => {
    const base = join(dir, "base.raw");
    await rawWithMarker(base, MiB, "BASE-MARKER");
    const top = join(dir, "top.qcow2");
    await qcow2WithBacking(top, "base.raw", "raw", MiB);
    const { image } = await openImage(place(top), localFileResolver);
    expect(image.chain.map((l) => [l.label, l.format])).toEqual([[top, "qcow2"], [base, "raw"]]);
    expect(JSON.parse(image.qemuUri.slice(5))).toEqual({
      driver: "qcow2",
      file: { driver: "file", filename: top },
      backing: { driver: "raw", file: { driver: "file", filename: base } },
    });
    const data = await readThroughOverlay(image.qemuUri, image.format, image.virtualSizeBytes);
    expect(data.subarray(65536, 65536 + 11).toString()).toBe("BASE-MARKER");
  });

  test.each([
    ["nbd:", "nbd://127.0.0.1:10809/export", /network location or pseudo-file/],
    ["http:", "http://169.254.169.254/latest/meta-data", /network location or pseudo-file/],
    ["json:", 'json:{"driver":"file","filename":"/etc/shadow"}', /network location or pseudo-file/],
    ["ssh:", "ssh://attacker@example.com/x.img", /network location or pseudo-file/],
    ["a device node", "/dev/zero", /not a regular file/],
    ["a missing file", "nowhere.raw", /does not exist/],
  ])("a backing file that is %s is refused", async (_what, backing, pattern) => {
    const top = join(dir, `bad-${Math.random().toString(36).slice(2)}.qcow2`);
    await qcow2WithBacking(top, backing);
    await refused(top, pattern);
  });

  test("a host file named as backing is refused for an OVA directory, and never read", async () => {
    const ova = join(dir, "ova-dir");
    await mkdir(ova);
    const top = join(ova, "disk.qcow2");
    await qcow2WithBacking(top, secret);
    await refused(top, /backing file ".*host-secret\.txt" is not a file inside the OVA/, directoryResolver(ova, "ova-dir"));
    await qcow2WithBacking(join(ova, "rel.qcow2"), "../host-secret.txt");
    await refused(join(ova, "rel.qcow2"), /resolves outside the OVA directory/, directoryResolver(ova, "ova-dir"));
    await symlink(secret, join(ova, "inside-link.raw"));
    await qcow2WithBacking(join(ova, "via-link.qcow2"), "inside-link.raw");
    await refused(join(ova, "via-link.qcow2"), /resolves outside the OVA directory/, directoryResolver(ova, "ova-dir"));
  });

  test("a chain that loops, or is longer than 8, is refused", async () => {
    const a = join(dir, "loop-a.qcow2");
    const b = join(dir, "loop-b.qcow2");
    await qcow2WithBacking(a, "loop-b.qcow2", "qcow2");
    await qcow2WithBacking(b, "loop-a.qcow2", "qcow2");
    await refused(a, /loops back/);
    let prev = join(dir, "deep-0.raw");
    await rawWithMarker(prev, MiB, "x");
    for (let i = 1; i <= 10; i++) {
      const next = join(dir, `deep-${i}.qcow2`);
      await qcow2WithBacking(next, prev, i === 1 ? "raw" : "qcow2");
      prev = next;
    }
    await refused(prev, /longer than 8/);
  });

  test("an external data file and encryption are refused", async () => {
    await qcow2WithDataFile(join(dir, "datafile.qcow2"), join(dir, "datafile.raw"));
    await refused(join(dir, "datafile.qcow2"), /external data file/);
    await encryptedQcow2(join(dir, "enc.qcow2"));
    await refused(join(dir, "enc.qcow2"), /encrypted/);
  });

  test("-if raw on a file with a qcow2 header: read as raw, its backing never opened", async () => {
    const top = join(dir, "looks-qcow2.img");
    await qcow2WithBacking(top, secret);
    const { image } = await openImage(place(top), localFileResolver, "raw");
    expect(image.format).toBe("raw");
    expect(image.chain).toHaveLength(1);
  });
});

describe("VMDK extents and parents", () => {
  test("a monolithicFlat descriptor with its extent beside it is accepted, listing the extent", async () => {
    const d = join(dir, "flat");
    await mkdir(d);
    await rawWithMarker(join(d, "disk-flat.vmdk"), MiB, "FLAT-MARKER");
    await vmdkDescriptor(join(d, "disk.vmdk"), ['RW 2048 FLAT "disk-flat.vmdk" 0']);
    const { image } = await openImage(place(join(d, "disk.vmdk")), directoryResolver(d, "flat"));
    expect(image.chain).toEqual([{ label: join(d, "disk.vmdk"), format: "vmdk", extents: ["disk-flat.vmdk"] }]);
    const data = await readThroughOverlay(image.qemuUri, image.format, image.virtualSizeBytes);
    expect(data.subarray(65536, 65536 + 11).toString()).toBe("FLAT-MARKER");
  });

  test.each([
    ["an absolute host path", (s: string) => `RW 2048 FLAT "${s}" 0`, /not a file inside the OVA/],
    ["a path climbing out", () => 'RW 2048 FLAT "../host-secret.txt" 0', /resolves outside the OVA directory/],
    ["a device", () => 'RW 2048 FLAT "/dev/sda" 0', /not a file inside the OVA/],
    ["a raw device mapping", () => 'RW 2048 VMFSRDM "rdm.vmdk"', /VMFSRDM, which is not supported/],
  ])("an extent that is %s is refused", async (_what, line, pattern) => {
    const d = await mkdtemp(join(dir, "ext-"));
    await vmdkDescriptor(join(d, "disk.vmdk"), [line(secret)]);
    await refused(join(d, "disk.vmdk"), pattern, directoryResolver(d, "ova"));
  });

  test("-i disk: an extent may be a local file, but never a device or a network location", async () => {
    const d = await mkdtemp(join(dir, "ext-local-"));
    await vmdkDescriptor(join(d, "dev.vmdk"), ['RW 2048 FLAT "/dev/zero" 0']);
    await refused(join(d, "dev.vmdk"), /not a regular file/);
    await vmdkDescriptor(join(d, "net.vmdk"), ['RW 2048 FLAT "nbd://10.0.0.1/x" 0']);
    await refused(join(d, "net.vmdk"), /network location/);
  });

  test("a descriptor that lies about its extent's size is refused", async () => {
    const d = await mkdtemp(join(dir, "liar-"));
    await rawWithMarker(join(d, "small-flat.vmdk"), MiB, "x");
    await vmdkDescriptor(join(d, "disk.vmdk"), ['RW 4194304 FLAT "small-flat.vmdk" 0']);
    await refused(join(d, "disk.vmdk"), /the descriptor says it holds 2147483648; the descriptor lies/, directoryResolver(d, "ova"));
  });

  test("a device-mapping createType is refused", async () => {
    const d = await mkdtemp(join(dir, "rdm-"));
    await vmdkDescriptor(join(d, "disk.vmdk"), ['RW 2048 FLAT "x-flat.vmdk" 0'], { createType: "vmfsRaw" });
    await refused(join(d, "disk.vmdk"), /maps a host device/, directoryResolver(d, "ova"));
  });

  test("a sparse VMDK with capacity 0 is read as the descriptor qemu would see, and its extent checked", async () => {
    const d = await mkdtemp(join(dir, "zerocap-"));
    await sparseVmdkZeroCapacity(join(d, "disk.vmdk"), secret);
    await refused(join(d, "disk.vmdk"), /extent ".*host-secret\.txt" is not a file inside the OVA/, directoryResolver(d, "ova"));
  });

  test("a parent (snapshot delta) outside the OVA is refused", async () => {
    const d = await mkdtemp(join(dir, "parent-"));
    await rawWithMarker(join(d, "delta-flat.vmdk"), MiB, "x");
    await vmdkDescriptor(join(d, "disk.vmdk"), ['RW 2048 FLAT "delta-flat.vmdk" 0'], { parent: secret });
    await refused(join(d, "disk.vmdk"), /parent disk \(parentFileNameHint\) ".*host-secret\.txt"/, directoryResolver(d, "ova"));
  });
});

describe("formats and sizes", () => {
  test.each(["vpc", "vdi", "qed", "vhdx"] as const)("%s is refused, naming the format", async (fmt) => {
    const f = join(dir, `foreign.${fmt}`);
    await foreignFormat(f, fmt);
    await refused(f, /disk format .* is not supported/);
  });

  test("an empty file is refused", async () => {
    await writeFile(join(dir, "empty.img"), "");
    await refused(join(dir, "empty.img"), /empty \(0 bytes\)/);
  });

  test("a file declared qcow2 that is not is refused", async () => {
    await rawWithMarker(join(dir, "plain.raw"), MiB, "x");
    const e = await openImage(place(join(dir, "plain.raw")), localFileResolver, "qcow2").catch((x: unknown) => x);
    expect((e as V2vError).message).toMatch(/not a qcow2 image, but it was declared as one/);
  });
});
