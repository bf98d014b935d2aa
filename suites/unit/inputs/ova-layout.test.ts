// -i ova: what the OVA's container and layout may hold, as Stryker found unguarded: relative
// paths, compressed or zipped archives, tar links and duplicate members, directory entries that
// are not regular files, oversized metadata, manifests v2v cannot read, several OVFs, a disk
// used twice, a declared capacity smaller than the disk, and gzip disks left for later.
import { mkdir, open, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "../../../src/host/exec.js";
import { normalizeRelative, readOvaSource } from "../../../src/inputs/ova.js";
import { V2vError } from "../../../src/model/errors.js";
import type { Source } from "../../../src/model/types.js";
import { convertDisk, makeCtx, makeOvf, makeRawDisk, makeTempDir, packTar } from "./ova-fixtures.js";

const MiB = 1024 * 1024;
const mkfifo = async (path: string): Promise<void> => void (await run(["mkfifo", path]));
let dir: string;
let qcow2: Buffer;

beforeAll(async () => {
  dir = await makeTempDir();
  await makeRawDisk(join(dir, "d.raw"), 4 * MiB, "layout disk");
  await convertDisk(join(dir, "d.raw"), join(dir, "d.qcow2"), "qcow2");
  qcow2 = await readFile(join(dir, "d.qcow2"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("BAD_INPUT");
  return (e as V2vError).message;
}

/** A directory OVA `name` with these files (content, or a qcow2 disk for "QCOW2"); returns its path. */
async function directoryOva(name: string, files: Readonly<Record<string, string | Buffer>>): Promise<string> {
  const root = join(dir, name);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(root, rel, ".."), { recursive: true });
    await writeFile(join(root, rel), content === "QCOW2" ? qcow2 : content);
  }
  return root;
}

const read = (path: string): Promise<Source> => readOvaSource({ mode: "ova", args: [path] }, makeCtx(dir));
const ovf = (href = "disk.qcow2", name: string | null = "small"): string => makeOvf([{ href }], name);

describe("normalizeRelative", () => {
  test.each([
    ["disk.vmdk", "disk.vmdk"], ["a/./b/../disk.vmdk", "a/disk.vmdk"], ["./x", "x"], ["a/..", "."], ["1:2", "1:2"],
    ["", undefined], ["/etc/passwd", undefined], ["..", undefined], ["../x", undefined], ["a/../../x", undefined],
    ["http://host/x", undefined], ["file:disk", undefined], ["c:disk", undefined], ["a+b.c-d:x", undefined],
  ])("%j -> %j", (p, expected) => {
    expect(normalizeRelative(p)).toBe(expected);
  });
});

describe("the container", () => {
  test.each([
    ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], /this OVA is a xz-compressed tar, which is not read directly/],
    ["bzip2", [0x42, 0x5a, 0x68], /a bzip2-compressed tar, which is not read directly; unpack it with "mkdir DIR && tar xf .* -C DIR"/],
    ["zstd", [0x28, 0xb5, 0x2f, 0xfd], /a zstd-compressed tar/],
  ])("a %s-compressed tar is refused with the command to unpack it", async (_what, magic, text) => {
    const f = join(dir, `packed-${magic[0]}.ova`);
    await writeFile(f, Buffer.concat([Buffer.from(magic), Buffer.alloc(1024)]));
    expect(await refusal(read(f))).toMatch(text);
  });

  test("a zip archive is refused with the unzip command", async () => {
    const f = join(dir, "zipped.ova");
    await writeFile(f, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(1024)]));
    expect(await refusal(read(f))).toBe(`${f}: this OVA is a zip archive; unpack it with "unzip ${f} -d DIR" and pass DIR to -i ova`);
  });

  test("a text file that merely starts like a zip ('P') or like gzip is not an OVA (all magic bytes must match)", async () => {
    const f = join(dir, "please.ova");
    await writeFile(f, `Please read me\n${"x".repeat(2000)}`);
    expect(await refusal(read(f))).toBe(`${f}: not an OVA: an OVA must be a tar archive or a directory`);
  });

  test("something that is neither a file nor a directory is not an OVA", async () => {
    const fifo = join(dir, "pipe.ova");
    await mkfifo(fifo);
    expect(await refusal(read(fifo))).toBe(`${fifo}: not an OVA: an OVA must be a tar archive or a directory`);
  });
});

/** A tar with ordinary files and (optionally) symlink members, written with tar-stream. */
async function tarWith(name: string, files: readonly { name: string; data?: Buffer; linkTo?: string }[]): Promise<string> {
  const path = join(dir, name);
  const p = pack();
  const done = pipeline(p, createWriteStream(path));
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (f.linkTo !== undefined) p.entry({ name: f.name, type: "symlink", linkname: f.linkTo, mtime: new Date(0) }, cb);
      else p.entry({ name: f.name, size: f.data!.length, mode: 0o644, mtime: new Date(0) }, f.data!, cb);
    });
  }
  p.finalize();
  await done;
  return path;
}

describe("tar members", () => {
  test("a member named twice is refused; absolute and climbing names are ignored, not used", async () => {
    const twice = await tarWith("twice.ova", [{ name: "vm.ovf", data: Buffer.from(ovf()) }, { name: "disk.qcow2", data: qcow2 }, { name: "./disk.qcow2", data: qcow2 }]);
    expect(await refusal(read(twice))).toBe(`${twice}: the tar holds two members named "disk.qcow2"; the OVA is corrupt or hostile, export it again`);
    const climbing = await tarWith("climbing.ova", [{ name: "vm.ovf", data: Buffer.from(ovf()) }, { name: "../disk.qcow2", data: qcow2 }, { name: "/disk.qcow2", data: qcow2 }]);
    expect(await refusal(read(climbing))).toMatch(/refers to disk file "disk\.qcow2", which is not in the OVA/);
  });

  test("a link member is never followed: as the OVF, as the disk, or as a manifest (a warning)", async () => {
    const ovfLink = await tarWith("ovf-link.ova", [{ name: "real.txt", data: Buffer.from(ovf()) }, { name: "vm.ovf", linkTo: "real.txt" }]);
    expect(await refusal(read(ovfLink))).toBe(`${ovfLink}: the OVF "vm.ovf" is a link or special file in the tar, which is never followed; put the OVF file itself in the OVA`);
    const diskLink = await tarWith("disk-link.ova", [{ name: "vm.ovf", data: Buffer.from(ovf()) }, { name: "disk.qcow2", linkTo: "/etc/passwd" }]);
    expect(await refusal(read(diskLink))).toMatch(/disk "d0" refers to "disk\.qcow2", which is a link or special file in the tar, which is never followed; put the disk file itself in the OVA/);
    const mfLink = await tarWith("mf-link.ova", [{ name: "vm.ovf", data: Buffer.from(ovf()) }, { name: "disk.qcow2", data: qcow2 }, { name: "vm.MF", linkTo: "x" }]);
    const ctx = makeCtx(dir);
    await readOvaSource({ mode: "ova", args: [mfLink] }, ctx);
    expect(ctx.reporter.lines).toEqual([
      { type: "warning", text: `${mfLink}: manifest "vm.MF" is a link or special file in the tar, which is never followed; it is not read, so no checksum is checked` },
    ]);
  });
});

describe("directory OVAs", () => {
  test("a symlink inside the directory to a file inside it is used; to a directory or a dangling one, it is not", async () => {
    const root = await directoryOva("links", { "vm.ovf": ovf("disk.qcow2"), "real/d.qcow2": "QCOW2" });
    await symlink(join(root, "real", "d.qcow2"), join(root, "disk.qcow2"));
    const src = await read(root);
    expect(src.disks[0]!.image).toMatchObject({ kind: "checked", format: "qcow2" });
    expect(JSON.stringify(src.disks[0]!.image)).toContain(join(root, "real", "d.qcow2"));

    const toDir = await directoryOva("link-to-dir", { "vm.ovf": ovf("disk.qcow2"), "sub/x": "x" });
    await symlink(join(toDir, "sub"), join(toDir, "disk.qcow2"));
    expect(await refusal(read(toDir))).toMatch(/refers to "disk\.qcow2", which is a symlink to something that is not a regular file; put the disk file itself/);

    const dangling = await directoryOva("dangling", { "vm.ovf": ovf("disk.qcow2") });
    await symlink(join(dangling, "nowhere"), join(dangling, "disk.qcow2"));
    expect(await refusal(read(dangling))).toMatch(/"disk\.qcow2", which is a symlink that resolves outside the OVA directory/);
  });

  test("a FIFO is not read: as the disk it is refused, as the manifest it only warns", async () => {
    const root = await directoryOva("fifo", { "vm.ovf": ovf("disk.qcow2") });
    await mkfifo(join(root, "disk.qcow2"));
    expect(await refusal(read(root))).toMatch(/"disk\.qcow2", which is not a regular file \(a device, pipe or socket\)/);
    const mf = await directoryOva("fifo-mf", { "vm.ovf": ovf("disk.qcow2"), "disk.qcow2": "QCOW2" });
    await mkfifo(join(mf, "vm.mf"));
    const ctx = makeCtx(dir);
    await readOvaSource({ mode: "ova", args: [mf] }, ctx);
    expect(ctx.reporter.lines.map((l) => l.text)).toEqual([`${mf}: manifest "vm.mf" is not a regular file (a device, pipe or socket); it is not read, so no checksum is checked`]);
  });

  test("files nested deeper than 8 directories are not seen", async () => {
    const deep = "a/b/c/d/e/f/g/h/i";
    const root = await directoryOva("deep", { "vm.ovf": ovf(`${deep}/disk.qcow2`), [`${deep}/disk.qcow2`]: "QCOW2" });
    expect(await refusal(read(root))).toMatch(/refers to disk file "a\/b\/c\/d\/e\/f\/g\/h\/i\/disk\.qcow2", which is not in the OVA/);
    const ok = await directoryOva("deep-ok", { "vm.ovf": ovf("a/b/c/d/e/f/g/h/disk.qcow2"), "a/b/c/d/e/f/g/h/disk.qcow2": "QCOW2" });
    expect((await read(ok)).disks).toHaveLength(1);
  });

  test("an OVF over 16 MiB is not metadata", async () => {
    const root = await directoryOva("big-ovf", {});
    await mkdir(root, { recursive: true });
    const fh = await open(join(root, "vm.ovf"), "w");
    await fh.truncate(16 * MiB + 1);
    await fh.close();
    expect(await refusal(read(root))).toBe(`${root}: "vm.ovf" is 16777217 bytes, too big to be OVA metadata; the OVA is corrupt`);
  });

  test("five .ovf files: the first four are named", async () => {
    const root = await directoryOva("five", Object.fromEntries(["a", "b", "c", "d", "e"].map((n) => [`${n}.ovf`, "<Envelope/>"])));
    const m = await refusal(read(root));
    expect(m).toMatch(/several \.ovf files \("a\.ovf", "b\.ovf", "c\.ovf", "d\.ovf"\); keep only one$/);
  });
});

describe("manifests", () => {
  test("without a manifest there is no manifest stage", async () => {
    const ctx = makeCtx(dir);
    await readOvaSource({ mode: "ova", args: [await directoryOva("no-mf", { "vm.ovf": ovf(), "disk.qcow2": "QCOW2" })] }, ctx);
    expect(ctx.reporter.lines).toEqual([]);
  });

  test("past 100 bad lines, the rest are counted in one warning; an entry climbing out is not in the OVA", async () => {
    const bad = Array.from({ length: 105 }, (_, i) => `garbage ${i}`).join("\n");
    const root = await directoryOva("bad-mf", { "vm.ovf": ovf(), "disk.qcow2": "QCOW2", "vm.mf": `${bad}\nSHA256(../outside)= ${"0".repeat(64)}\n` });
    const ctx = makeCtx(dir);
    await readOvaSource({ mode: "ova", args: [root] }, ctx);
    const warnings = ctx.reporter.lines.filter((l) => l.type === "warning").map((l) => l.text);
    expect(warnings).toHaveLength(102);
    expect(warnings[100]).toBe(`${root}: 5 more lines of manifest "vm.mf" cannot be parsed; they are ignored`);
    expect(warnings[101]).toBe(`${root}: manifest "vm.mf" lists "../outside", which is not in the OVA; its checksum is not checked`);
  });
});

describe("disks", () => {
  test("two hrefs naming the same file are refused", async () => {
    const two = makeOvf([{ href: "disk.qcow2" }, { href: "./disk.qcow2" }]);
    const root = await directoryOva("same-file", { "vm.ovf": two, "disk.qcow2": "QCOW2" });
    expect(await refusal(read(root))).toBe(`${root}: disks "d0" and "d1" both use the file "disk.qcow2"; the OVF is inconsistent`);
  });

  test("a disk bigger than the capacity the OVF declares is refused", async () => {
    const root = await directoryOva("small-capacity", { "vm.ovf": ovf().replace('ovf:capacity="4"', 'ovf:capacity="2"'), "disk.qcow2": "QCOW2" });
    expect(await refusal(read(root))).toBe(`${root}:disk.qcow2: the disk is ${4 * MiB} bytes, but the OVF declares a capacity of ${2 * MiB}; the OVA is inconsistent, export it again`);
  });

  test("an OVF without disks is refused", async () => {
    const root = await directoryOva("no-disks", { "vm.ovf": makeOvf([]) });
    expect(await refusal(read(root))).toBe(`${root}: the OVF lists no disks; there is nothing to convert`);
  });

  test("a gzip disk is left compressed, bounded by its declared capacity (+1 % + 64 MiB); without one, unbounded", async () => {
    const gz = gzipSync(qcow2);
    const root = await directoryOva("gz-dir", { "vm.ovf": makeOvf([{ href: "disk.qcow2.gz", compression: "gzip" }]), "disk.qcow2.gz": gz });
    const src = await read(root);
    expect(src.disks[0]).toStrictEqual({
      index: 0, displayName: "gz-dir:disk.qcow2.gz", controller: "scsi", virtualSizeBytes: 4 * MiB,
      image: { kind: "gzip", path: join(root, "disk.qcow2.gz"), offsetBytes: 0, sizeBytes: 0, limitBytes: Math.ceil(4 * MiB * 1.01) + 64 * MiB },
    });
    const noCap = await directoryOva("gz-nocap", {
      "vm.ovf": makeOvf([{ href: "disk.qcow2.gz", compression: "gzip" }]).replace(/ ovf:capacity="4" ovf:capacityAllocationUnits="byte \* 2\^20"/, ""),
      "disk.qcow2.gz": gz,
    });
    expect((await read(noCap)).disks[0]).toStrictEqual({
      index: 0, displayName: "gz-nocap:disk.qcow2.gz", controller: "scsi",
      image: { kind: "gzip", path: join(noCap, "disk.qcow2.gz"), offsetBytes: 0, sizeBytes: 0 },
    });
  });

  test("in a tar, a gzip disk is a window of the tar: offset and size of its member", async () => {
    const gz = gzipSync(qcow2);
    const tar = join(dir, "gz.ova");
    await packTar(tar, [{ name: "vm.ovf", data: Buffer.from(makeOvf([{ href: "disk.qcow2.gz", compression: "gzip" }])) }, { name: "disk.qcow2.gz", data: gz }]);
    const image = (await read(tar)).disks[0]!.image;
    expect(image).toMatchObject({ kind: "gzip", path: tar, sizeBytes: gz.length });
    const { offsetBytes } = image as { offsetBytes: number };
    expect((await readFile(tar)).subarray(offsetBytes, offsetBytes + gz.length).equals(gz)).toBe(true);
  });

  test("no Name: the guest is named after the OVA without its .ova suffix only", async () => {
    const root = await directoryOva("vm.ova.d", { "vm.ovf": ovf("disk.qcow2", null), "disk.qcow2": "QCOW2" });
    expect((await read(root)).name).toBe("vm.ova.d");
    const upper = await directoryOva("Guest.OVA", { "vm.ovf": ovf("disk.qcow2", null), "disk.qcow2": "QCOW2" });
    expect((await read(upper)).name).toBe("Guest");
  });
});
