// External guests (a user's own image): the recipe schema and its resolution, the matrix file that
// declares them, the checks before use (missing file, sha256, format, self-contained), the disks
// the negative control boots, and the pure verdicts on what was inspected and booted.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NEGATIVE_CONTROL_BOOTED } from "../../../src/harness/boot/boot-checks.js";
import type { BootResult } from "../../../src/harness/boot/boot.js";
import {
  checkExpectedOs, checkExternalNegativeControl, checkWindowsBoot, expectsTpm, hadVmwareTools, readConvertedJson, type ConvertedInspection,
} from "../../../src/harness/checks/external.js";
import {
  DEFAULT_BOOT_TIMEOUT_SECONDS, externalRecipeSchema, negativeControlTimeoutSeconds, resolveExternalRecipe, type ExternalRecipe,
} from "../../../src/harness/guests/external.js";
import { unconvertedDisks, verifyExternalImage } from "../../../src/harness/guests/external-image.js";
import { loadMatrix, parseMatrix, type MatrixRegistry } from "../../../src/harness/matrix/load.js";
import { judgeCell } from "../../../src/harness/matrix/run-cell.js";
import { buildExternalV2vArgs } from "../../../src/harness/matrix/run-external.js";
import { makeRawDisk, packTar } from "../inputs/ova-fixtures.js";

const ROOT = join(import.meta.dirname, "../../..");
const REG: MatrixRegistry = { guests: new Map([["debian-12-bios", "bios"]] as const), inputs: ["disk", "ova"], outputs: ["local", "json"] };
const HASH = "ab".repeat(32);

const decl = (over: Record<string, unknown> = {}): unknown => ({
  kind: "external", name: "win2022-eval", path: "img/server.qcow2", format: "qcow2", sha256: HASH.toUpperCase(),
  expect: { osType: "windows", major: 10, minor: 0, productName: "Server 2022" }, ...over,
});

describe("the recipe of an external guest", () => {
  test("resolves: a relative path from the matrix file's directory, sha256 in lower case, Windows' long default timeout", () => {
    const r = resolveExternalRecipe(externalRecipeSchema.parse(decl()), "/home/u/v2v");
    expect(r).toEqual({
      kind: "external", name: "win2022-eval", path: "/home/u/v2v/img/server.qcow2", format: "qcow2", sha256: HASH,
      expect: { osType: "windows", major: 10, minor: 0, productName: "Server 2022" }, bootTimeoutSeconds: 3600,
    });
  });

  test("a Linux image defaults to 900 s; a stated timeout, firmware and virtioWin are kept", () => {
    const linux = resolveExternalRecipe(externalRecipeSchema.parse(decl({ expect: { osType: "linux" } })), "/d") as ExternalRecipe;
    expect(linux.bootTimeoutSeconds).toBe(DEFAULT_BOOT_TIMEOUT_SECONDS.linux);
    expect(linux.bootTimeoutSeconds).toBe(900);
    const w = resolveExternalRecipe(externalRecipeSchema.parse(decl({ bootTimeoutSeconds: 7200, firmware: "uefi", virtioWin: "vw.iso" })), "/d") as ExternalRecipe;
    expect(w).toMatchObject({ bootTimeoutSeconds: 7200, firmware: "uefi", virtioWin: "/d/vw.iso" });
  });

  test("a relative path without a base directory is a sentence naming it", () => {
    expect(resolveExternalRecipe(externalRecipeSchema.parse(decl()))).toBe('guest "win2022-eval": path "img/server.qcow2" is relative; give an absolute path');
  });

  test("the negative control's bound is shorter than the boot's, and never longer", () => {
    expect(negativeControlTimeoutSeconds({ expect: { osType: "windows" }, bootTimeoutSeconds: 3600 })).toBe(1200);
    expect(negativeControlTimeoutSeconds({ expect: { osType: "linux" }, bootTimeoutSeconds: 900 })).toBe(420);
    expect(negativeControlTimeoutSeconds({ expect: { osType: "windows" }, bootTimeoutSeconds: 300 })).toBe(300);
  });
});

describe("a matrix file that declares external guests", () => {
  const file = (guest: string, groups = "  - guests: [win2022-eval]\n    inputs: [disk]\n    outputs: [json]\n"): string =>
    `guests:\n${guest}defaults:\n  expect: { boots: true, blockBus: virtio-blk }\ngroups:\n${groups}`;
  const GUEST = `  - kind: external\n    name: win2022-eval\n    path: /img/server.qcow2\n    format: qcow2\n    sha256: ${HASH}\n    expect: { osType: windows, productName: Server 2022 }\n`;
  const errorOf = (text: string): string => {
    try {
      parseMatrix(text, "my.yaml", REG, "/home/u");
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };

  test("cells name the guest, carry its recipe, and leave the firmware to the conversion when the recipe does", () => {
    const m = parseMatrix(file(GUEST), "my.yaml", REG, "/home/u");
    expect(m.cells).toHaveLength(1);
    const c = m.cells[0]!;
    expect(c).toMatchObject({ name: "win2022-eval/i-disk/o-json", guest: "win2022-eval", input: "disk", output: "json", negativeControl: true });
    expect(c.recipe).toMatchObject({ kind: "external", path: "/img/server.qcow2", format: "qcow2", bootTimeoutSeconds: 3600 });
    expect(c.expect.firmware).toBeUndefined();
    const uefi = parseMatrix(file(`${GUEST}    firmware: uefi\n`), "my.yaml", REG, "/home/u");
    expect(uefi.cells[0]!.expect.firmware).toBe("uefi");
  });

  test("each wrong field is a line of the file with the fix", () => {
    const cases: [string, string][] = [
      [GUEST.replace("    format: qcow2\n", ""), "my.yaml:2: guests[0].format: format is missing: a disk image needs raw, qcow2 or vmdk (an OVA is a file ending .ova)"],
      [GUEST.replace("/img/server.qcow2", "/img/server.ova"), "my.yaml:5: guests[0].format: an .ova needs no format (its OVF says); remove format"],
      [GUEST.replace(HASH, "abc"), "my.yaml:6: guests[0].sha256: must be 64 hex digits: the first word of `sha256sum FILE`"],
      [GUEST.replace(HASH, "1".repeat(64)), "my.yaml:6: guests[0].sha256: must be written in quotes: YAML reads a hash made of digits as a number"],
      [GUEST.replace("osType: windows", "osType: windows, minor: 0"), "my.yaml:7: guests[0].expect.minor: expect.minor needs expect.major"],
      [`${GUEST}    bootTimeoutSeconds: 5\n`, "my.yaml:8: guests[0].bootTimeoutSeconds: must be at least 60"],
      [`${GUEST}    memory: 4096\n`, "my.yaml:8: guests[0].memory: unknown field; remove it or check its spelling (see src/harness/matrix/schema.ts)"],
      [GUEST.replace("name: win2022-eval", "name: debian-12-bios"), 'my.yaml:3: guest "debian-12-bios" is a reference guest\'s name; give your image another name'],
    ];
    for (const [guest, message] of cases) expect(errorOf(file(guest)).split("\n")).toContain(message);
    expect(errorOf(file(GUEST.replace("osType: windows", "osType: linux") + "    virtioWin: /vw\n"))).toContain("virtioWin applies to Windows images only");
    expect(errorOf(file(GUEST + GUEST))).toContain('guest "win2022-eval" is declared twice; rename one');
  });

  test("an external guest is read with the input its file needs, converted to json, and never a refusal cell", () => {
    const wrong = errorOf(file(GUEST, "  - guests: [win2022-eval]\n    inputs: [disk, ova]\n    outputs: [json, local]\n"));
    expect(wrong).toContain('my.yaml:11: guest "win2022-eval" is a qcow2 disk image, read with -i disk only; list inputs: [disk] for it');
    expect(wrong).toContain("is converted with -o json only (its inspection is checked against the recipe's expect); list outputs: [json] for it");
    const refused = errorOf(file(GUEST, "  - guests: [win2022-eval]\n    inputs: [disk]\n    outputs: [json]\n    expect: { boots: false, reason: r, refused: x }\n"));
    expect(refused).toContain("expect.refused is for reference guests");
  });

  test("the shipped example loads against the real registries: two Windows guests, disk and OVA, absolute paths", async () => {
    const m = await loadMatrix("external.example", ROOT);
    expect(m.cells.map((c) => [c.name, c.recipe?.format, c.recipe?.bootTimeoutSeconds, c.negativeControl])).toEqual([
      ["win2022-eval/i-disk/o-json", "qcow2", 3600, true],
      ["win2019-vsphere/i-ova/o-json", undefined, 3600, true],
    ]);
    for (const c of m.cells) expect(c.recipe?.path.startsWith("/")).toBe(true);
  });
});

describe("before use: the image is the one the recipe names", () => {
  let dir: string;
  let raw: string;
  let rawHash: string;
  const recipe = (over: Partial<ExternalRecipe>): ExternalRecipe => ({
    kind: "external", name: "mine", path: raw, format: "raw", sha256: rawHash, expect: { osType: "linux" }, bootTimeoutSeconds: 900, ...over,
  });
  const messageOf = (p: Promise<unknown>): Promise<string> => p.then(() => "", (e: Error) => e.message);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "v2v-external-"));
    raw = join(dir, "disk.raw");
    await makeRawDisk(raw, 1024 * 1024, "external");
    rawHash = createHash("sha256").update(await readFile(raw)).digest("hex");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("a matching raw image passes and gives its hash", async () => {
    await expect(verifyExternalImage(recipe({}))).resolves.toEqual({ path: raw, sha256: rawHash });
  });

  test("a missing file: one line naming the file and the fix", async () => {
    const m = await messageOf(verifyExternalImage(recipe({ path: join(dir, "nope.qcow2") })));
    expect(m).toBe(`external guest "mine": ${join(dir, "nope.qcow2")} does not exist; fix "path:" in the matrix file, or put the image there`);
  });

  test("a directory is not an image", async () => {
    expect(await messageOf(verifyExternalImage(recipe({ path: dir })))).toContain("is not a regular file");
  });

  test("a sha256 mismatch: one line with both hashes, before the image's bytes are interpreted", async () => {
    let hashed = 0;
    const m = await messageOf(verifyExternalImage(recipe({ sha256: HASH, format: "qcow2" }), async () => { hashed++; return rawHash; }));
    expect(hashed).toBe(1);
    expect(m).toBe(`external guest "mine": ${raw} has sha256 ${rawHash}, not ${HASH} as the recipe says: it is not the image the recipe names (changed, truncated or another file); fix "path:", or, if you trust this file, set "sha256:" to the output of sha256sum`);
    expect(m).not.toContain("\n");
  });

  test("the stated format is checked against the bytes, never probed", async () => {
    expect(await messageOf(verifyExternalImage(recipe({ format: "qcow2" })))).toContain("this is not a qcow2 image, but it was declared as one");
  });

  test("an OVA's uncompressed disk members are booted in place (a window of the tar), in tar order", async () => {
    const ova = join(dir, "vm.ova");
    const disk = await readFile(raw);
    await packTar(ova, [{ name: "vm.ovf", data: Buffer.from("<Envelope/>") }, { name: "vm-disk1.img", data: disk }, { name: "vm-disk2.vmdk.gz", data: Buffer.from("x") }]);
    const disks = await unconvertedDisks(recipe({ path: ova, format: undefined }));
    expect(disks).toEqual([{ path: ova, format: "raw", window: { offsetBytes: 1536, sizeBytes: disk.length } }]);
    const inTar = (await readFile(ova)).subarray(1536, 1536 + disk.length);
    expect(inTar.equals(disk)).toBe(true);
    const bare = join(dir, "bare.ova");
    await packTar(bare, [{ name: "vm.ovf", data: Buffer.from("<Envelope/>") }]);
    expect(await messageOf(unconvertedDisks(recipe({ path: bare, format: undefined })))).toContain("holds no uncompressed disk member");
  });
});

describe("what v2v found, and what the boots showed", () => {
  let windows: ConvertedInspection;
  beforeAll(async () => {
    windows = readConvertedJson(await readFile(join(ROOT, "suites/unit/fixtures/outputs/windows-2022.json"), "utf8")).inspection;
  });

  test("NAME.json of -o json is read by the harness's own reader", async () => {
    const f = readConvertedJson(await readFile(join(ROOT, "suites/unit/fixtures/outputs/windows-2022.json"), "utf8"));
    expect(f).toMatchObject({ firmware: "uefi", machine: "q35", memoryMiB: 4096, vcpus: 2, tpm: false, disks: [{ path: "/var/tmp/out/win2022-sda", format: "raw" }] });
    expect(f.inspection).toMatchObject({ osType: "windows", distro: "windows", major: 10, minor: 0, productName: "Windows Server 2022 Standard", firmware: "uefi" });
    expect(() => readConvertedJson('{"firmware":"uefi"}')).toThrow(/^NAME\.json: machine: /);
    expect(() => readConvertedJson("not json")).toThrow(/^NAME\.json is not JSON/);
  });

  test("the expectation passes when every stated field matches (product name: a substring, any case)", () => {
    const c = checkExpectedOs({ osType: "windows", distro: "windows", major: 10, minor: 0, productName: "server 2022" }, windows);
    expect(c.ok).toBe(true);
    expect(c.detail).toBe('inspection found windows windows 10.0 "Windows Server 2022 Standard" (win2k22)');
  });

  test("each stated field that differs is named, with what inspection found", () => {
    expect(checkExpectedOs({ osType: "linux" }, windows)).toMatchObject({ ok: false, detail: expect.stringMatching(/^os type is windows: inspection found/) });
    expect(checkExpectedOs({ osType: "windows", major: 6, minor: 1 }, windows).detail).toMatch(/^major version is 10; minor version is 0:/);
    expect(checkExpectedOs({ osType: "windows", minor: 3, major: 10 }, windows).detail).toMatch(/^minor version is 0:/);
    expect(checkExpectedOs({ osType: "windows", distro: "debian" }, windows).detail).toMatch(/^distro is windows:/);
    expect(checkExpectedOs({ osType: "windows", productName: "Server 2019" }, windows)).toMatchObject({ ok: false, detail: expect.stringMatching(/^product name lacks "Server 2019"/) });
  });

  test("Windows 11 expects a TPM; VMware Tools are found among the applications", () => {
    expect(expectsTpm(windows)).toBe(false);
    expect(expectsTpm({ ...windows, osinfo: "win11", productName: "Windows 10 Pro" })).toBe(true);
    expect(expectsTpm({ ...windows, productName: "Windows 11 Pro" })).toBe(true);
    expect(hadVmwareTools(windows)).toBe(false);
    expect(hadVmwareTools({ ...windows, applications: ["7-Zip", "VMware Tools"] })).toBe(true);
  });

  const boot = (over: Partial<BootResult>): BootResult => ({ outcome: "reported", seconds: 1234, serialLogPath: "s.log", qemuArgv: [], ...over });
  const LINE = "V2V-BOOT-REPORT disk=viostor nic=netkvm services=netkvm,viostor";

  test("Windows boot: the report line on COM1 with the system disk on viostor", () => {
    expect(checkWindowsBoot(boot({ reportLine: LINE }), { bootDriver: "viostor" }).map((c) => c.ok)).toEqual([true, true]);
    expect(checkWindowsBoot(boot({ reportLine: LINE }), { bootDriver: "vioscsi" }).map((c) => c.ok)).toEqual([true, false]);
    const ahci = checkWindowsBoot(boot({ reportLine: "V2V-BOOT-REPORT disk=storahci nic=e1iexpress services=" }), { bootDriver: "viostor" });
    expect(ahci.map((c) => [c.ok, c.detail])).toEqual([[true, "after 1234 s: V2V-BOOT-REPORT disk=storahci nic=e1iexpress services="], [false, "disk=storahci"]]);
    expect(checkWindowsBoot(boot({ reportLine: "V2V-BOOT-REPORT disk=storahci nic=e1iexpress services=" }), { bootDriver: undefined }).map((c) => c.ok)).toEqual([true, true]);
    expect(checkWindowsBoot(boot({ reportLine: LINE }), { bootDriver: undefined })[1]!.ok).toBe(false);
  });

  test("Windows boot: a timeout or a malformed line fails", () => {
    expect(checkWindowsBoot(boot({ outcome: "timeout" }), { bootDriver: "viostor" })).toEqual([
      { name: "boot: the converted Windows guest writes its V2V-BOOT-REPORT line on COM1", ok: false, detail: "timeout after 1234 s" },
    ]);
    expect(checkWindowsBoot(boot({ reportLine: "V2V-BOOT-REPORT root=/dev/vda1 kernel=6.1" }), { bootDriver: "viostor" })[0]).toMatchObject({ ok: false, detail: expect.stringContaining("a malformed report") });
  });

  test("negative control: a report fails the cell as proving nothing; a reset or a silent bound passes; qemu not running fails", () => {
    const reported = checkExternalNegativeControl(boot({ reportLine: LINE }), "windows", "");
    expect(reported.ok).toBe(false);
    expect(judgeCell([reported]).reason).toBe(NEGATIVE_CONTROL_BOOTED);
    const reset = checkExternalNegativeControl(boot({ outcome: "failed", failureLine: "qemu exited before the guest reported (see the serial log)", seconds: 95 }), "windows", "");
    expect(reset).toMatchObject({ ok: true, detail: expect.stringContaining("the guest reset") });
    expect(checkExternalNegativeControl(boot({ outcome: "timeout", seconds: 1200 }), "windows", "").ok).toBe(true);
    const noQemu = checkExternalNegativeControl(boot({ outcome: "failed", seconds: 1 }), "windows", "qemu-system-x86_64: -drive driver=vmdk: Could not open '/disks/0/x.ova': No such file\n");
    expect(noQemu).toMatchObject({ ok: false, detail: expect.stringContaining("qemu did not run the unconverted image") });
    expect(checkExternalNegativeControl(boot({ outcome: "failed", failureLine: "Gave up waiting for root file system device" }), "linux", "Begin: ...\n").ok).toBe(true);
  });
});

test("v2v argv: the stated format as -if for a disk image, -i ova for an OVA, always -o json, then the cell's options", () => {
  const r: ExternalRecipe = { kind: "external", name: "x", path: "/i/s.qcow2", format: "qcow2", sha256: HASH, expect: { osType: "windows" }, bootTimeoutSeconds: 3600 };
  expect(buildExternalV2vArgs({ options: ["-v"] }, r, "/w/out")).toEqual(["-i", "disk", "-if", "qcow2", "/i/s.qcow2", "-o", "json", "-os", "/w/out", "-v"]);
  const { format: _, ...ova } = { ...r, path: "/i/vm.ova" };
  expect(buildExternalV2vArgs({ options: [] }, ova, "/w/out")).toEqual(["-i", "ova", "/i/vm.ova", "-o", "json", "-os", "/w/out"]);
});

test("loadMatrix reads a user's file from anywhere and resolves a relative image path from that file's directory", async () => {
  const dir = await mkdtemp(join(tmpdir(), "v2v-external-matrix-"));
  try {
    await writeFile(join(dir, "mine.yaml"), `guests:\n  - { kind: external, name: deb, path: deb.raw, format: raw, sha256: ${HASH}, expect: { osType: linux } }\n` +
      "groups:\n  - { guests: [deb], inputs: [disk], outputs: [json], expect: { boots: true, blockBus: virtio-blk } }\n");
    const m = await loadMatrix(join(dir, "mine.yaml"), ROOT);
    expect(m.cells[0]!.recipe?.path).toBe(join(dir, "deb.raw"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
