// copyDisks with the real qemu-img on small files: each overlay reaches the target of its own
// disk index, in the asked format and allocation; targets get their final names only once every
// disk is copied; an existing file is never replaced.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { runAllowFail } from "../../../src/host/exec.js";
import { imageInfo } from "../../../src/host/qemu-img.js";
import { V2vError } from "../../../src/model/errors.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import type { OutputOptions } from "../../../src/model/types.js";
import { copyDisks, partialName } from "../../../src/pipeline/copy.js";
import type { Overlay } from "../../../src/pipeline/overlay.js";
import { convertDisk, makeRawDisk } from "../inputs/ova-fixtures.js";

const MiB = 1024 * 1024;
let src: string;
let out: string;
/** Two "converted overlays" (qcow2) and the raw images they hold, to compare targets with. */
const disk: { raw: string; qcow2: string }[] = [];

beforeAll(async () => {
  src = await mkdtemp(join(tmpdir(), "v2v-copy-src-"));
  for (const [i, marker] of ["first disk: the root filesystem", "second disk: data"].entries()) {
    const raw = join(src, `d${i}.raw`);
    await makeRawDisk(raw, (4 + i * 2) * MiB, marker, (1 + i) * MiB);
    const qcow2 = join(src, `overlay-${i}.qcow2`);
    await convertDisk(raw, qcow2, "qcow2");
    disk.push({ raw, qcow2 });
  }
});
afterAll(() => rm(src, { recursive: true, force: true }));
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "v2v-copy-out-"));
  return () => rm(out, { recursive: true, force: true });
});

const options = (o: Partial<Pick<OutputOptions, "format" | "allocation" | "compressed">> = {}): OutputOptions =>
  ({ mode: "local", storage: out, format: "raw", allocation: "sparse", compressed: false, ...o }) as OutputOptions;
const overlay = (index: number, path = disk[index]!.qcow2): Overlay => ({ index, path });

/** `qemu-img compare` exit status of a target against a raw reference: 0 identical. */
const compare = async (target: string, format: string, raw: string): Promise<number> =>
  (await runAllowFail(["qemu-img", "compare", "-f", format, "-F", "raw", target, raw])).exitCode ?? -1;

describe("copyDisks", () => {
  test("two disks: one stage line each, counted over all disks, progress ends at 100, final names only", async () => {
    const reporter = new RecordingReporter();
    const targets = [join(out, "g-sda"), join(out, "g-sdb")];
    await copyDisks([overlay(0), overlay(1)], targets, options(), reporter);
    expect(reporter.lines.filter((l) => l.type === "stage").map((l) => l.text)).toEqual(["Copying disk 1/2", "Copying disk 2/2"]);
    expect(reporter.lines.at(-1)).toEqual({ type: "progress", text: "100" });
    expect(await compare(targets[0]!, "raw", disk[0]!.raw)).toBe(0);
    expect(await compare(targets[1]!, "raw", disk[1]!.raw)).toBe(0);
    expect(targets.map((t) => existsSync(partialName(t)))).toEqual([false, false]);
  });

  test("each overlay goes to the target of its disk index, not of its place in the list", async () => {
    const targets = [join(out, "g-sda"), join(out, "g-sdb")];
    await copyDisks([overlay(1), overlay(0)], targets, options(), new RecordingReporter());
    expect((await stat(targets[0]!)).size).toBe(4 * MiB);
    expect((await stat(targets[1]!)).size).toBe(6 * MiB);
    expect(await compare(targets[0]!, "raw", disk[0]!.raw)).toBe(0);
  });

  test("a disk without a target (undefined) is not copied; the others are", async () => {
    const reporter = new RecordingReporter();
    const target = join(out, "g-sdb");
    await copyDisks([overlay(0), overlay(1)], [undefined, target], options(), reporter);
    expect(reporter.lines.filter((l) => l.type === "stage").map((l) => l.text)).toEqual(["Copying disk 2/2"]);
    expect(await compare(target, "raw", disk[1]!.raw)).toBe(0);
  });

  test("-of qcow2 writes qcow2 with the same content", async () => {
    const target = join(out, "g-sda");
    await copyDisks([overlay(0)], [target], options({ format: "qcow2" }), new RecordingReporter());
    expect((await imageInfo(target, "qcow2")).format).toBe("qcow2");
    expect((await readFile(target)).subarray(0, 4).toString("latin1")).toBe("QFI\xfb");
    expect(await compare(target, "qcow2", disk[0]!.raw)).toBe(0);
  });

  test("-oa sparse leaves the blank areas unallocated; -oa preallocated allocates the whole disk", async () => {
    const sparse = join(out, "sparse-sda");
    const full = join(out, "full-sda");
    await copyDisks([overlay(0)], [sparse], options(), new RecordingReporter());
    await copyDisks([overlay(0)], [full], options({ allocation: "preallocated" }), new RecordingReporter());
    const allocated = async (p: string): Promise<number> => (await stat(p)).blocks * 512;
    expect(await allocated(sparse)).toBeLessThan(1 * MiB);
    expect(await allocated(full)).toBeGreaterThanOrEqual(4 * MiB);
    expect(await compare(full, "raw", disk[0]!.raw)).toBe(0);
  });

  test("when a later disk fails, no disk has its final name (only .part files are left, for the cleanup)", async () => {
    const targets = [join(out, "g-sda"), join(out, "g-sdb")];
    const missing = join(src, "no-such-overlay.qcow2");
    const e = await copyDisks([overlay(0), overlay(1, missing)], targets, options(), new RecordingReporter()).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("OUTPUT");
    expect((e as V2vError).message).toMatch(new RegExp(`^copying disk 2/2 to ${targets[1]} failed \\(qemu-img: .*no-such-overlay\\.qcow2.*\\); check that -os ${out} is writable`));
    expect(targets.map((t) => existsSync(t))).toEqual([false, false]);
    expect(existsSync(partialName(targets[0]!))).toBe(true);
  });

  test("a .part already there (another run) is refused and left as it was", async () => {
    const target = join(out, "g-sda");
    await writeFile(partialName(target), "someone else's");
    await expect(copyDisks([overlay(0)], [target], options(), new RecordingReporter())).rejects.toMatchObject({ code: "OUTPUT" });
    expect(await readFile(partialName(target), "utf8")).toBe("someone else's");
    expect(existsSync(target)).toBe(false);
  });

  test("a target that appeared meanwhile is not replaced", async () => {
    const target = join(out, "g-sda");
    await writeFile(target, "not ours");
    await expect(copyDisks([overlay(0)], [target], options(), new RecordingReporter())).rejects.toThrow(/g-sda appeared while v2v was writing -os/);
    expect(await readFile(target, "utf8")).toBe("not ours");
  });
});
