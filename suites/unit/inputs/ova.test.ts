import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ovaInput, readOvaSource } from "../../../src/inputs/ova.js";
import { renderSource } from "../../../src/inputs/print-source.js";
import { indexTar } from "../../../src/inputs/tar-index.js";
import { runAllowFail } from "../../../src/host/exec.js";
import { createOverlay } from "../../../src/host/qemu-img.js";
import { V2vError } from "../../../src/model/errors.js";
import type { CheckedSourceImage, SourceDisk } from "../../../src/model/types.js";
import { inflateDisks } from "../../../src/inputs/image/inflate.js";

/** The checked image of a disk (fails the test when it is still compressed). */
function checked(d: SourceDisk): CheckedSourceImage {
  if (d.image.kind !== "checked") throw new Error(`disk ${d.index} is ${d.image.kind}`);
  return d.image;
}
import {
  convertDisk, makeCtx, makeManifest, makeOvf, makeRawDisk, makeTempDir, packTar, readFixture, sha1, FIXTURES, type TarEntry,
} from "./ova-fixtures.js";

const MiB = 1024 * 1024;

let dir: string;
let raw1: string;
let raw2: string;
let vmdk1: Buffer;
let vmdk2: Buffer;
let qcow2: Buffer;
let ovfText: string;

beforeAll(async () => {
  dir = await makeTempDir();
  raw1 = join(dir, "one.raw");
  raw2 = join(dir, "two.raw");
  await makeRawDisk(raw1, 4 * MiB, "disk one: root filesystem", 3 * MiB);
  await makeRawDisk(raw2, 2 * MiB, "disk two: data");
  await convertDisk(raw1, join(dir, "one.vmdk"), "vmdk");
  await convertDisk(raw2, join(dir, "two.vmdk"), "vmdk");
  await convertDisk(raw1, join(dir, "one.qcow2"), "qcow2");
  vmdk1 = await readFile(join(dir, "one.vmdk"));
  vmdk2 = await readFile(join(dir, "two.vmdk"));
  qcow2 = await readFile(join(dir, "one.qcow2"));
  ovfText = await readFixture("vmware-efi-two-disks.ovf");
});
const workDirs: string[] = [];
afterAll(() => Promise.all([dir, ...workDirs].map((d) => rm(d, { recursive: true, force: true }))));

/** A fresh work directory and context per test. */
async function newCtx() {
  const workDir = await makeTempDir("v2v-work-");
  workDirs.push(workDir);
  return makeCtx(workDir);
}

function vmwareEntries(): TarEntry[] {
  return [
    { name: "testvm.ovf", data: Buffer.from(ovfText) },
    { name: "testvm-disk1.vmdk", data: vmdk1 },
    { name: "testvm-disk2.vmdk", data: vmdk2 },
  ];
}

async function writeOva(name: string, entries: TarEntry[], manifest?: string): Promise<string> {
  const path = join(dir, name);
  await packTar(path, manifest === undefined ? entries : [...entries, { name: name.replace(/\.ova$/, ".mf"), data: Buffer.from(manifest) }]);
  return path;
}

/** `qemu-img compare` exit code: 0 identical, 1 different. */
async function compareImages(a: string, aFormat: string, b: string): Promise<number> {
  return (await runAllowFail(["qemu-img", "compare", "-f", aFormat, "-F", "raw", a, b])).exitCode;
}

async function expectError(p: Promise<unknown>, code: string, text: RegExp): Promise<V2vError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(V2vError);
  expect((err as V2vError).code).toBe(code);
  expect((err as V2vError).message).toMatch(text);
  return err as V2vError;
}

describe("tar OVA exported by vSphere (2 streamOptimized disks, manifest)", () => {
  test("reads the source, disks in place through json: windows at the member offsets", async () => {
    const entries = vmwareEntries();
    const ova = await writeOva("testvm.ova", entries, makeManifest(entries));
    const ctx = await newCtx();
    const src = await ovaInput.readSource({ mode: "ova", args: [ova] }, ctx);

    expect(ovaInput.spec.name).toBe("ova");
    expect(renderSource(src)).toBe(await readFile(join(FIXTURES, "ova-tar.print-source.expected"), "utf8"));

    const members = await indexTar(ova);
    for (const [i, d] of src.disks.entries()) {
      const member = members.find((m) => m.name === `testvm-disk${i + 1}.vmdk`)!;
      const img = checked(d);
      expect(img.format).toBe("vmdk");
      expect(JSON.parse(img.qemuUri.slice("json:".length))).toEqual({
        driver: "vmdk",
        file: { driver: "raw", offset: member.dataOffset, size: Math.ceil(member.sizeBytes / 512) * 512, file: { driver: "file", filename: ova } },
        backing: null,
      });
    }
    expect(src.disks.map((d) => d.virtualSizeBytes)).toEqual([4 * MiB, 2 * MiB]);

    // Nothing was extracted; the manifest was checked once, silently.
    expect(await readdir(ctx.workDir)).toEqual([]);
    expect(ctx.reporter.lines.filter((l) => l.type === "stage").map((l) => l.text)).toEqual(["Checking the OVA manifest"]);
    expect(ctx.reporter.lines.filter((l) => l.type === "warning")).toEqual([]);
  });

  test("the json: URL gives the member's data, directly and as the backing file of an overlay", async () => {
    const ova = await writeOva("data.ova", vmwareEntries());
    const ctx = await newCtx();
    const src = await readOvaSource({ mode: "ova", args: [ova] }, ctx);
    const [d1, d2] = (src.disks as [SourceDisk, SourceDisk]).map(checked) as [CheckedSourceImage, CheckedSourceImage];
    expect(await compareImages(d1.qemuUri, d1.format, raw1)).toBe(0);
    expect(await compareImages(d2.qemuUri, d2.format, raw2)).toBe(0);
    expect(await compareImages(d1.qemuUri, d1.format, raw2)).toBe(1); // the check can fail

    const overlay = join(ctx.workDir, "overlay.qcow2");
    await createOverlay(overlay, d1.qemuUri, d1.format, d1.virtualSizeBytes);
    expect(await compareImages(overlay, "qcow2", raw1)).toBe(0);
  });

  test("a checksum mismatch is CHECKSUM naming the OVA and the file", async () => {
    const entries = vmwareEntries();
    const manifest = makeManifest(entries).replace(/SHA256\(testvm-disk2\.vmdk\)= \w+/, `SHA256(testvm-disk2.vmdk)= ${"0".repeat(64)}`);
    const ova = await writeOva("bad.ova", entries, manifest);
    await expectError(readOvaSource({ mode: "ova", args: [ova] }, await newCtx()), "CHECKSUM", /bad\.ova: corrupt OVA: checksum of testvm-disk2\.vmdk does not match/);
  });

  test("unparseable manifest lines and listed-but-missing files only warn", async () => {
    const entries = vmwareEntries();
    const manifest = `${makeManifest(entries)}SHA1(gone.vmdk)= ${sha1("x")}\r\nthis is not a digest line\r\n`;
    const ova = await writeOva("warn.ova", entries, manifest);
    const ctx = await newCtx();
    await readOvaSource({ mode: "ova", args: [ova] }, ctx);
    const warnings = ctx.reporter.lines.filter((l) => l.type === "warning").map((l) => l.text);
    expect(warnings).toEqual([
      expect.stringMatching(/warn\.ova: line \d+ of manifest "warn\.mf" cannot be parsed/),
      expect.stringMatching(/gone\.vmdk.*not in the OVA/),
    ]);
  });

  test("a disk href missing from the tar is BAD_INPUT naming it", async () => {
    const ova = await writeOva("nodisk.ova", vmwareEntries().slice(0, 2));
    await expectError(readOvaSource({ mode: "ova", args: [ova] }, await newCtx()), "BAD_INPUT", /nodisk\.ova: .*"testvm-disk2\.vmdk".*not in the OVA/);
  });

  test("no Name in the OVF: named after the file, with a warning", async () => {
    const ova = await writeOva("unnamed-guest.ova", [
      { name: "vm.ovf", data: Buffer.from(makeOvf([{ href: "d.qcow2" }], null)) },
      { name: "d.qcow2", data: qcow2 },
    ]);
    const ctx = await newCtx();
    const src = await readOvaSource({ mode: "ova", args: [ova] }, ctx);
    expect(src.name).toBe("unnamed-guest");
    expect(checked(src.disks[0]!).format).toBe("qcow2");
    expect(ctx.reporter.lines.filter((l) => l.type === "warning").map((l) => l.text).join("\n")).toMatch(/no VirtualSystem\/Name/);
  });
});

describe("raw disk bigger than 1 MiB inside the tar", () => {
  test("is read in place as raw, and the manifest after it is still found and checked", async () => {
    const rawBytes = await readFile(raw2);
    const ovf = Buffer.from(makeOvf([{ href: "big.img" }]));
    const entries = [{ name: "vm.ovf", data: ovf }, { name: "big.img", data: rawBytes }];
    const ova = await writeOva("big.ova", entries, makeManifest(entries));
    const ctx = await newCtx();
    const src = await readOvaSource({ mode: "ova", args: [ova] }, ctx);
    const d = checked(src.disks[0]!);
    expect(d.format).toBe("raw");
    expect(d.virtualSizeBytes).toBe(2 * MiB);
    expect(await compareImages(d.qemuUri, d.format, raw2)).toBe(0);
    expect(ctx.reporter.lines.filter((l) => l.type === "stage").length).toBe(1);

    const corrupt = [entries[0]!, { name: "big.img", data: Buffer.concat([rawBytes.subarray(0, MiB), Buffer.alloc(MiB, 1)]) }];
    const bad = await writeOva("big-bad.ova", corrupt, makeManifest(entries));
    await expectError(readOvaSource({ mode: "ova", args: [bad] }, await newCtx()), "CHECKSUM", /checksum of big\.img/);
  });
});

describe("gzip-compressed disk inside the tar", () => {
  test("is left compressed by readSource (so --print-source inflates nothing), then inflated into the work directory and checked", async () => {
    const ova = await writeOva("gz.ova", [
      { name: "vm.ovf", data: Buffer.from(makeOvf([{ href: "disk.vmdk.gz", compression: "gzip" }])) },
      { name: "disk.vmdk.gz", data: gzipSync(vmdk1) },
    ]);
    const ctx = await newCtx();
    const src = await readOvaSource({ mode: "ova", args: [ova] }, ctx);
    expect(src.disks[0]!.image.kind).toBe("gzip");
    expect(await readdir(ctx.workDir)).toEqual([]);
    const d = checked((await inflateDisks(src, ctx)).disks[0]!);
    expect(d.qemuUri).toContain(ctx.workDir);
    expect(d.format).toBe("vmdk");
    expect(await compareImages(d.qemuUri, d.format, raw1)).toBe(0);
  });

  test("a disk marked gzip that is not is BAD_INPUT", async () => {
    const ova = await writeOva("notgz.ova", [
      { name: "vm.ovf", data: Buffer.from(makeOvf([{ href: "disk.vmdk", compression: "gzip" }])) },
      { name: "disk.vmdk", data: vmdk1 },
    ]);
    const ctx = await newCtx();
    await expectError(inflateDisks(await readOvaSource({ mode: "ova", args: [ova] }, ctx), ctx), "BAD_INPUT", /gzip-compressed, but it cannot be inflated/);
  });
});

describe("directory OVA", () => {
  test("is used in place, with the OVF in a subfolder and a manifest beside it", async () => {
    const root = join(dir, "unpacked");
    await mkdir(join(root, "export", "disks"), { recursive: true });
    const ovf = makeOvf([{ href: "disks/root.qcow2" }]);
    await writeFile(join(root, "export", "vm.ovf"), ovf);
    await writeFile(join(root, "export", "disks", "root.qcow2"), qcow2);
    await writeFile(join(root, "export", "vm.mf"), makeManifest([{ name: "vm.ovf", data: Buffer.from(ovf) }, { name: "disks/root.qcow2", data: qcow2 }]));
    const ctx = await newCtx();
    const src = await readOvaSource({ mode: "ova", args: [root] }, ctx);
    const file = join(root, "export", "disks", "root.qcow2");
    expect(src.disks).toEqual([{
      index: 0,
      image: {
        kind: "checked",
        qemuUri: `json:${JSON.stringify({ driver: "qcow2", file: { driver: "file", filename: file }, backing: null })}`,
        format: "qcow2",
        chain: [{ label: `${root}:export/disks/root.qcow2`, format: "qcow2" }],
        virtualSizeBytes: 4 * MiB,
      },
      displayName: "unpacked:export/disks/root.qcow2", controller: "scsi", virtualSizeBytes: 4 * MiB,
    }]);
    expect(ctx.reporter.lines.filter((l) => l.type === "stage").length).toBe(1);
    expect(existsSync(join(ctx.workDir, "ova"))).toBe(false); // nothing extracted for a directory
  });

  test("an href climbing out of the directory is refused", async () => {
    const root = join(dir, "escape");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "vm.ovf"), makeOvf([{ href: "../one.qcow2" }]));
    await expectError(readOvaSource({ mode: "ova", args: [root] }, await newCtx()), "BAD_INPUT", /"\.\.\/one\.qcow2" points outside the OVA/);
  });

  test("a symlink leading out of the directory is refused", async () => {
    const root = join(dir, "symlinked");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "vm.ovf"), makeOvf([{ href: "disk.qcow2" }]));
    await symlink(join(dir, "one.qcow2"), join(root, "disk.qcow2"));
    await expectError(readOvaSource({ mode: "ova", args: [root] }, await newCtx()), "BAD_INPUT", /outside the OVA directory/);
  });

  test("no .ovf, or two, is BAD_INPUT", async () => {
    const none = join(dir, "empty-dir");
    await mkdir(none, { recursive: true });
    await expectError(readOvaSource({ mode: "ova", args: [none] }, await newCtx()), "BAD_INPUT", /no \.ovf file/);
    const two = join(dir, "two-ovf");
    await mkdir(join(two, "b"), { recursive: true });
    await writeFile(join(two, "a.ovf"), "<Envelope/>");
    await writeFile(join(two, "b", "c.ovf"), "<Envelope/>");
    await expectError(readOvaSource({ mode: "ova", args: [two] }, await newCtx()), "BAD_INPUT", /several \.ovf files \(.*a\.ovf.*b\/c\.ovf/);
  });
});

describe("not an OVA", () => {
  test("a text file is BAD_INPUT naming it", async () => {
    const f = join(dir, "readme.ova");
    await writeFile(f, "hello\n".repeat(200));
    await expectError(readOvaSource({ mode: "ova", args: [f] }, await newCtx()), "BAD_INPUT", /readme\.ova: not an OVA: .*tar archive or a directory/);
  });

  test("a corrupt tar (valid first header, truncated) is BAD_INPUT", async () => {
    const ova = await writeOva("cut.ova", vmwareEntries());
    const bytes = await readFile(ova);
    await writeFile(ova, bytes.subarray(0, 4096));
    await expectError(readOvaSource({ mode: "ova", args: [ova] }, await newCtx()), "BAD_INPUT", /cut\.ova: tar member "testvm\.ovf" .* does not fit in the file .*truncated or corrupt/);
  });

  test("a gzip-compressed tar is refused with the command to unpack it", async () => {
    const ova = await writeOva("plain.ova", vmwareEntries());
    const gz = join(dir, "packed.tar.gz");
    await writeFile(gz, gzipSync(await readFile(ova)));
    await expectError(readOvaSource({ mode: "ova", args: [gz] }, await newCtx()), "BAD_INPUT", /gzip-compressed tar.*tar xf/);
  });

  test("a missing path is BAD_INPUT; two arguments are BAD_INPUT", async () => {
    await expectError(readOvaSource({ mode: "ova", args: [join(dir, "nowhere.ova")] }, await newCtx()), "BAD_INPUT", /nowhere\.ova: no such file or directory/);
    await expectError(readOvaSource({ mode: "ova", args: ["a.ova", "b.ova"] }, await newCtx()), "BAD_INPUT", /exactly one/);
  });
});
