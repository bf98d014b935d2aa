// validate / plan / finalize of -o local, qemu, json and null, on temporary directories.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { jsonOutput } from "../../../src/outputs/json/json.js";
import { localOutput } from "../../../src/outputs/local/local.js";
import { nullOutput } from "../../../src/outputs/null/null.js";
import { findOvmf } from "../../../src/outputs/common/ovmf.js";
import { qemuOutput, type QemuOutputOptions } from "../../../src/outputs/qemu/qemu.js";
import { V2vError } from "../../../src/model/errors.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import type { OutputModule } from "../../../src/model/contracts.js";
import type { OutputArgs } from "../../../src/model/modes.js";
import type { OutputOptions, TargetMeta } from "../../../src/model/types.js";
import { biosVirtio, makeSource, uefiGuest } from "./meta-fixtures.js";

let dir = "";
const savedAccel = process.env["V2V_ACCEL"];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "v2v-out-"));
  process.env["V2V_ACCEL"] = "tcg"; // the qemu output must not probe KVM in a unit test
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedAccel === undefined) delete process.env["V2V_ACCEL"];
  else process.env["V2V_ACCEL"] = savedAccel;
});

const opts = (over: Partial<QemuOutputOptions> = {}): QemuOutputOptions =>
  ({ mode: "local", storage: dir, format: "raw", allocation: "sparse", compressed: false, qemuBoot: false, ...over });
const ctx = () => ({ workDir: dir, reporter: new RecordingReporter(), verbose: false });
const twoDisks = makeSource({ name: "g", disks: [0, 1].map((i) => ({ index: i, image: { kind: "checked", qemuUri: `/s${i}`, format: "raw" as const, chain: [], virtualSizeBytes: 1 }, displayName: `s${i}` })) });

async function errorOf(p: Promise<unknown>): Promise<V2vError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof V2vError)) throw new Error(`expected a V2vError, got ${String(e)}`);
  return e;
}

/** Point the meta's disk paths into the test directory. */
const inDir = (meta: TargetMeta): TargetMeta => ({ ...meta, disks: meta.disks.map((d) => ({ ...d, path: join(dir, `${meta.name}-sd${"ab"[d.index]}`) })) });

describe.each<[string, OutputModule, string]>([["local", localOutput, "xml"], ["qemu", qemuOutput, "sh"], ["json", jsonOutput, "json"]])(
  "-o %s", (mode, mod, ext) => {
    test("validate: -os is required", async () => {
      const e = await errorOf(mod.validate(opts({ storage: undefined })));
      expect(e.code).toBe("BAD_OPTION");
      expect(e.message).toBe(`-o ${mode}: -os DIR is required: the directory for the disks and NAME.${ext}`);
    });

    test("validate: -os must be an existing directory", async () => {
      expect((await errorOf(mod.validate(opts({ storage: join(dir, "nope") })))).message).toMatch(/no such directory; create it/);
      writeFileSync(join(dir, "file"), "");
      expect((await errorOf(mod.validate(opts({ storage: join(dir, "file") })))).message).toMatch(/is not a directory/);
    });

    test("validate: --compressed needs qcow2 and excludes -oa preallocated; all problems reported", async () => {
      const e = await errorOf(mod.validate(opts({ compressed: true, allocation: "preallocated" })));
      expect(e.message.split("; -o ").map((p, i) => (i === 0 ? p : `-o ${p}`))).toEqual([
        `-o ${mode}: --compressed needs -of qcow2 (only qcow2 has compressed clusters)`,
        `-o ${mode}: --compressed cannot be combined with -oa preallocated; drop one of them`,
      ]);
      await expect(mod.validate(opts({ compressed: true, format: "qcow2" }))).resolves.toBeUndefined();
    });

    test("plan: DIR/NAME-sdX per disk", async () => {
      expect((await mod.plan("g", twoDisks, opts())).diskPaths).toEqual([join(dir, "g-sda"), join(dir, "g-sdb")]);
    });

    test("plan: refuses to overwrite a disk, a dangling symlink or the metadata file", async () => {
      writeFileSync(join(dir, "g-sdb"), "");
      const e = await errorOf(mod.plan("g", twoDisks, opts()));
      expect(e.code).toBe("OUTPUT");
      expect(e.message).toBe(`-o ${mode}: ${join(dir, "g-sdb")} exists; remove it or choose another -os / -on`);
      rmSync(join(dir, "g-sdb"));
      symlinkSync("/nonexistent", join(dir, "g-sda"));
      expect((await errorOf(mod.plan("g", twoDisks, opts()))).message).toMatch(/g-sda exists/);
      rmSync(join(dir, "g-sda"));
      writeFileSync(join(dir, `g.${ext}`), "");
      expect((await errorOf(mod.plan("g", twoDisks, opts()))).message).toMatch(new RegExp(`g\\.${ext} exists`));
    });

    test("plan: a name that would escape -os is refused", async () => {
      const e = await errorOf(mod.plan("../evil", twoDisks, opts()));
      expect(e.code).toBe("BAD_OPTION");
      expect(e.message).toMatch(/-on/);
    });

    test("finalize writes only NAME.ext (atomically: no temporary file left)", async () => {
      const files = await mod.finalize(inDir(biosVirtio()), opts(), ctx());
      expect(files).toEqual([join(dir, `debian12-bios.${ext}`)]);
      expect(readFileSync(files[0]!, "utf8")).toContain("debian12-bios-sda");
      expect(readFileSync(files[0]!, "utf8")).toContain(ext === "sh" ? "#!/bin/sh -" : "debian12-bios");
      expect((await import("node:fs")).readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
    });
  },
);

test("-o qemu: the script is mode 0755; a UEFI guest gets its own NAME-VARS.fd copy", async () => {
  const ovmf = await findOvmf();
  if (!ovmf) throw new Error("OVMF is not installed: install the ovmf package (apt-get install -y ovmf)");
  const files = await qemuOutput.finalize(inDir(uefiGuest()), opts({ mode: "qemu" }), ctx());
  expect(files).toEqual([join(dir, "ubuntu-uefi-VARS.fd"), join(dir, "ubuntu-uefi.sh")]);
  expect(statSync(files[1]!).mode & 0o777).toBe(0o755);
  expect(readFileSync(files[0]!).equals(readFileSync(ovmf.vars))).toBe(true); // toEqual on 540 KB is slow
  expect(readFileSync(files[1]!, "utf8")).toContain(`file=${join(dir, "ubuntu-uefi-VARS.fd")}`);
});

test("-o qemu: plan refuses a leftover NAME-VARS.fd", async () => {
  writeFileSync(join(dir, "g-VARS.fd"), "");
  expect((await errorOf(qemuOutput.plan("g", twoDisks, opts({ mode: "qemu" })))).message).toMatch(/g-VARS\.fd exists/);
});

test("-o local: a UEFI guest's XML names the host's OVMF files", async () => {
  const ovmf = await findOvmf();
  if (!ovmf) throw new Error("OVMF is not installed: install the ovmf package (apt-get install -y ovmf)");
  const [xml] = await localOutput.finalize(inDir(uefiGuest()), opts(), ctx());
  expect(readFileSync(xml!, "utf8")).toContain(`<loader readonly="yes" type="pflash">${ovmf.code}</loader>`);
});

describe("each mode parses its own options", () => {
  const args = (over: Partial<OutputArgs> = {}): OutputArgs =>
    ({ mode: "local", storage: "/o", keys: [], compressedFlag: false, qemuBootFlag: false, printSource: false, ...over });
  const refusal = (f: () => unknown): string => { try { f(); } catch (e) { return (e as V2vError).message; } return "no error"; };

  test("--qemu-boot and -oo qemu-boot are -o qemu's alone", () => {
    expect(refusal(() => localOutput.parseOptions(args({ qemuBootFlag: true })))).toBe("--qemu-boot needs -o qemu");
    expect(refusal(() => jsonOutput.parseOptions(args({ keys: ["qemu-boot"] })))).toBe("-oo qemu-boot: not an option of -o json; valid keys: compressed (see -oo ?)");
    expect(qemuOutput.parseOptions(args({ qemuBootFlag: true })).qemuBoot).toBe(true);
    expect(qemuOutput.parseOptions(args({ keys: ["qemu-boot=false"] })).qemuBoot).toBe(false);
    expect(qemuOutput.parseOptions(args()).qemuBoot).toBe(false);
  });

  test("-os is required where disks are written, forbidden for -o null, not needed for --print-source", () => {
    expect(refusal(() => localOutput.parseOptions(args({ storage: undefined } as never)))).toBe("-o local needs -os DIR: the directory to write the guest to");
    const { storage: _s, ...noStorage } = args();
    expect(localOutput.parseOptions({ ...noStorage, printSource: true }).storage).toBeUndefined();
    expect(refusal(() => nullOutput.parseOptions(args({ mode: "null" })))).toBe("-o null writes no files: remove -os");
    expect(refusal(() => nullOutput.parseOptions({ ...noStorage, mode: "null", format: "qcow2" }))).toBe("-o null writes no disks: remove -of qcow2");
  });

  test("-of, -oa and compression are checked with the fix", () => {
    expect(refusal(() => localOutput.parseOptions(args({ format: "vmdk" })))).toBe("-of vmdk: expected raw or qcow2");
    expect(refusal(() => localOutput.parseOptions(args({ allocation: "thick" })))).toBe("-oa thick: expected sparse or preallocated");
    expect(refusal(() => localOutput.parseOptions(args({ compressedFlag: true })))).toBe("--compressed needs -of qcow2");
    expect(refusal(() => localOutput.parseOptions(args({ keys: ["compressed"] })))).toBe("-oo compressed needs -of qcow2");
    expect(localOutput.parseOptions(args({ format: "qcow2", keys: ["compressed=yes"] }))).toEqual(
      { mode: "local", storage: "/o", format: "qcow2", allocation: "sparse", compressed: true });
  });
});

describe("-o null", () => {
  const nullOpts = (over: Partial<OutputOptions> = {}): OutputOptions =>
    ({ mode: "null", format: "raw", allocation: "sparse", compressed: false, ...over });

  test("validate accepts the defaults and rejects each target option on its own line", async () => {
    await expect(nullOutput.validate(nullOpts())).resolves.toBeUndefined();
    const e = await errorOf(nullOutput.validate(nullOpts({ storage: "/x", format: "qcow2", allocation: "preallocated", compressed: true })));
    expect(e.code).toBe("BAD_OPTION");
    const lines = e.message.split("\n");
    expect(lines).toHaveLength(4);
    ["-os", "-of qcow2", "-oa preallocated", "--compressed"].forEach((opt, i) => expect(lines[i]).toContain(opt));
  });

  test("plan gives no paths and finalize writes nothing", async () => {
    expect((await nullOutput.plan("g", twoDisks, nullOpts())).diskPaths).toEqual([undefined, undefined]);
    expect(await nullOutput.finalize(biosVirtio(), nullOpts(), ctx())).toEqual([]);
    expect(existsSync(join(dir, "g.xml"))).toBe(false);
  });
});

test("-os with control characters is refused before anything else, the path shown escaped", async () => {
  const { localOutput } = await import("../../../src/outputs/local/local.js");
  const e = await localOutput.validate({ mode: "local", storage: "/tmp/x\x1b[2J\ny", format: "raw", allocation: "sparse", compressed: false })
    .then(() => undefined, (x: unknown) => x as Error);
  expect(e?.message).toBe('-o local: -os "/tmp/x\\u001b[2J\\ny" has control characters; choose a directory whose path has none');
});
