// Collecting from a directory tree on the host: the harness's stand-in tree, symlinks in and out
// of the tree, non-regular files, size limits, empty .inf files, a tree without the guest's OS;
// and the ISO listing parser (the ISO path itself is in suites/images/virtio-win.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { COLLECT_LIMITS, collectDrivers, walkTree } from "../../../../src/converters/windows/virtio-win/collect.js";
import type { WindowsOs } from "../../../../src/converters/windows/virtio-win/os-dirs.js";
import { run } from "../../../../src/host/exec.js";
import { parseFind0, parseStatList, regularSize } from "../../../../src/guest/iso-files.js";
import { placeholder, virtioWinTree, type VirtioWinVariant } from "../../../../src/harness/guests/windows/virtio-win.js";

const server2022: WindowsOs = { major: 10, minor: 0, variant: "server", arch: "x86_64", osinfo: "win2k22", build: 20348 };
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "v2v-vw-collect-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function writeTree(variant: VirtioWinVariant = {}): string {
  const root = join(work, "tree");
  for (const f of virtioWinTree(variant)) {
    const p = join(root, ...f.path.split("/"));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  return root;
}

describe("collectDrivers from a directory", () => {
  test("2022 x86_64: the 2k22/amd64 files, flattened, with the drivers' facts from their .inf", async () => {
    const root = writeTree();
    const stage = join(work, "stage");
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, server2022, stage);
    expect(c.osDir).toBe("2k22");
    const names = c.files.map((f) => f.name);
    for (const n of ["viostor.sys", "viostor.inf", "viostor.cat", "netkvm.inf", "netkvm.sys", "netkvmco.exe", "balloon.sys", "pvpanic.inf", "fwcfg.inf"]) {
      expect(names).toContain(n);
    }
    expect(names.some((n) => n.startsWith("qemufwcfg."))).toBe(false);
    expect(names).toEqual([...names].sort());
    expect(readFileSync(join(stage, "viostor.sys"))).toEqual(placeholder("viostor/2k22/amd64/viostor.sys"));
    for (const f of c.files) expect(f.hostPath).toBe(join(stage, f.name));
    expect(c.drivers.get("viostor")).toMatchObject({ source: "inf", classGuid: "{4D36E97B-E325-11CE-BFC1-08002BE10318}", service: "viostor" });
    expect(c.drivers.get("netkvm")?.hardwareIds).toEqual(["PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00", "PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01"]);
    expect(c.notes.join("\n")).toMatch(/qemufwcfg files are left out/);
    // The guest agent's installer is staged apart: it is not a driver file for Drivers\VirtIO.
    expect(c.qemuGa).toEqual({ name: "qemu-ga-x86_64.msi", hostPath: join(stage, "qemu-ga-x86_64.msi") });
    expect(readFileSync(c.qemuGa!.hostPath, "latin1")).toBe("stand-in MSI for x86_64\n");
    expect(names.some((n) => n.endsWith(".msi"))).toBe(false);
  });

  test("the i386 guest gets the i386 installer, even from a tree with no drivers for it", async () => {
    const root = writeTree({ osDirs: ["2k22"] });
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, { ...server2022, major: 6, minor: 1, variant: "client", arch: "i386", osinfo: "win7", build: 7601 }, join(work, "stage"));
    expect(c.files).toEqual([]);
    expect(c.qemuGa?.name).toBe("qemu-ga-i386.msi");
    expect(readFileSync(c.qemuGa!.hostPath, "latin1")).toBe("stand-in MSI for i386\n");
  });

  test("empty .inf files fall back to the well-known ids, with a note", async () => {
    const root = writeTree({ strippedInf: ["viostor"] });
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, server2022, join(work, "stage"));
    expect(c.drivers.get("viostor")).toMatchObject({ source: "well-known", hardwareIds: ["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"] });
    expect(c.drivers.get("netkvm")?.source).toBe("inf");
    expect(c.notes.join("\n")).toMatch(/viostor\.inf lists no hardware ids: using the well-known ones/);
  });

  test("a tree without the guest's OS gives no files and says so", async () => {
    const root = writeTree({ osDirs: ["w10", "2k19"] });
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, server2022, join(work, "stage"));
    expect(c.files).toEqual([]);
    expect(c.drivers.size).toBe(0);
    expect(c.notes.join("\n")).toMatch(/no 2k22 directory[\s\S]*no virtio drivers for Windows 10\.0 x86_64 server win2k22/);
  });

  test("2025 on a tree without 2k25 takes the 2k22 drivers", async () => {
    const root = writeTree({ osDirs: ["2k22"] });
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, { ...server2022, osinfo: "win2k25", build: 26100 }, join(work, "stage"));
    expect(c.osDir).toBe("2k22");
    expect(c.files.map((f) => f.name)).toContain("viostor.sys");
  });

  test("no source: nothing, and the note names where drivers were looked for", async () => {
    const c = await collectDrivers({ kind: "none", path: "", searched: ["/a.iso", "/b"] }, server2022, join(work, "stage"));
    expect(c.files).toEqual([]);
    expect(c.notes).toEqual(["no virtio drivers for Windows 10.0 x86_64 server win2k22 (build 20348): none found in /a.iso or /b"]);
  });

  test("symlinks: to a file inside the tree counts; out of the tree, to a directory, dangling do not; FIFOs are skipped", async () => {
    const root = join(work, "t");
    mkdirSync(join(root, "viostor/2k22/amd64"), { recursive: true });
    mkdirSync(join(root, "shared"), { recursive: true });
    writeFileSync(join(root, "shared/viostor.sys"), "inside");
    writeFileSync(join(work, "secret.sys"), "outside");
    symlinkSync("../../../shared/viostor.sys", join(root, "viostor/2k22/amd64/viostor.sys"));
    symlinkSync(join(work, "secret.sys"), join(root, "viostor/2k22/amd64/secret.sys"));
    symlinkSync("/etc", join(root, "viostor/2k22/amd64/etc.sys"));
    symlinkSync("nowhere", join(root, "viostor/2k22/amd64/gone.sys"));
    await run(["mkfifo", join(root, "viostor/2k22/amd64/viostor.cat")]);
    const w = await walkTree(root);
    expect(w.paths).toEqual(["shared/viostor.sys", "viostor/2k22/amd64/viostor.sys"]);
    expect(w.notes.join()).toMatch(/3 symbolic links/);
    expect(w.notes.join()).toMatch(/1 special file \(device, FIFO, socket\)/);
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, server2022, join(work, "stage"));
    expect(c.files.map((f) => f.name)).toEqual(["viostor.sys"]);
    expect(readFileSync(join(work, "stage/viostor.sys"), "utf8")).toBe("inside");
  });

  test("limits: entries, depth, file size, total size", async () => {
    const root = join(work, "t");
    const d = join(root, "a/2k22/amd64");
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "big.sys"), Buffer.alloc(2000));
    writeFileSync(join(d, "a.sys"), Buffer.alloc(600));
    writeFileSync(join(d, "b.sys"), Buffer.alloc(600));
    writeFileSync(join(d, "empty.cat"), "");
    const limits = { ...COLLECT_LIMITS, maxFileBytes: 1000, maxTotalBytes: 1000 };
    const c = await collectDrivers({ kind: "dir", path: root, searched: [root] }, server2022, join(work, "stage"), { limits });
    expect(c.files.map((f) => f.name)).toEqual(["a.sys", "empty.cat"]);
    expect(c.notes.join("\n")).toMatch(/b\.sys would take the driver files past 1000 bytes/);
    expect(c.notes.join("\n")).toMatch(/big\.sys is larger than 1000 bytes/);
    expect((await walkTree(root, { ...COLLECT_LIMITS, maxEntries: 3 })).notes.join()).toMatch(/more than 3 entries/);
    expect((await walkTree(root, { ...COLLECT_LIMITS, maxDepth: 1 })).paths).toEqual([]);
  });

  test("a name already in the staging directory is not overwritten", async () => {
    const root = writeTree({ osDirs: ["2k22"] });
    const stage = join(work, "stage");
    mkdirSync(stage);
    writeFileSync(join(stage, "viostor.sys"), "mine");
    await expect(collectDrivers({ kind: "dir", path: root, searched: [root] }, server2022, stage)).rejects.toThrow(/EEXIST/);
    expect(readFileSync(join(stage, "viostor.sys"), "utf8")).toBe("mine");
  });
});

test("parseFind0: NUL-separated names, no empty ones, a bound", () => {
  expect(parseFind0(Buffer.from("a\0b/c.sys\0\0d e\0"))).toEqual(["a", "b/c.sys", "d e"]);
  expect(parseFind0(Buffer.from("a\0b"))).toEqual(["a", "b"]);
  expect(parseFind0(Buffer.from("a\0b\0c\0"), 2)).toEqual(["a", "b"]);
  expect(parseFind0(Buffer.alloc(0))).toEqual([]);
});

test("parseStatList and regularSize: guestfish's lstatnslist printout", () => {
  const block = (i: number, ino: number, mode: number, size: number): string =>
    `[${i}] = {\n  st_dev: 2064\n  st_ino: ${ino}\n  st_mode: ${mode}\n  st_nlink: 1\n  st_size: ${size}\n  st_blksize: 2048\n}`;
  const text = [block(0, 22545, 0o100644, 116), block(1, 7, 0o40755, 2048), block(2, 9, 0o120777, 11), block(3, -1, 0, 0)].join("\n");
  const list = parseStatList(text);
  expect(list).toEqual([
    { ino: 22545, mode: 0o100644, size: 116 }, { ino: 7, mode: 0o40755, size: 2048 }, { ino: 9, mode: 0o120777, size: 11 }, { ino: -1, mode: 0, size: 0 },
  ]);
  expect(list.map(regularSize)).toEqual([116, undefined, undefined, undefined]);
  expect(regularSize(undefined)).toBeUndefined();
  expect(parseStatList("")).toEqual([]);
  expect(regularSize(parseStatList("[0] = {\n  st_ino: 5\n}")[0])).toBeUndefined();
});
