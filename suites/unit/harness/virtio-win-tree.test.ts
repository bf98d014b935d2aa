// The stand-in virtio-win tree: the real layout (driver/os/arch), which OSes and arches each
// driver has, .inf texts the converter's reader understands, the variants; and the cached
// build with its ISO (xorriso), read back with xorriso's own listing.
import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseInf } from "../../../src/converters/windows/virtio-win/inf.js";
import { selectDriverFiles } from "../../../src/converters/windows/virtio-win/match.js";
import { ensureVirtioWin, infText, placeholder, TREE_DRIVERS, virtioWinTree, variantName } from "../../../src/harness/guests/windows/virtio-win.js";
import { run } from "../../../src/host/exec.js";

const tree = virtioWinTree();
const paths = tree.map((f) => f.path);
const has = (p: string): boolean => paths.includes(p);

describe("virtioWinTree", () => {
  test("the real layout: per-driver folders, OS folders, arch folders", () => {
    for (const p of ["viostor/2k22/amd64/viostor.sys", "viostor/2k22/amd64/viostor.inf", "viostor/2k22/amd64/viostor.cat", "viostor/2k22/amd64/viostor.pdb",
      "NetKVM/2k22/amd64/netkvm.inf", "NetKVM/w10/x86/netkvmco.exe", "vioserial/w7/x86/vioser.sys", "Balloon/2k25/amd64/blnsvr.exe",
      "viostor/w11/amd64/viostor.sys", "viostor/2k8R2/amd64/viostor.sys", "pvpanic/w8.1/x86/pvpanic.inf", "qemufwcfg/2k22/amd64/qemufwcfg.inf"]) {
      expect(has(p), p).toBe(true);
    }
  });

  test("x86 only for client releases up to w10", () => {
    const x86Oses = new Set(paths.filter((p) => p.split("/")[2] === "x86").map((p) => p.split("/")[1]));
    expect([...x86Oses].sort()).toEqual(["w10", "w7", "w8", "w8.1"]);
  });

  test("not every driver for every release: qxldod stops at w10/2k19, viofs and viosock start at w10/2k16, qemufwcfg stops at 2k22", () => {
    const osesOf = (folder: string): Set<string> => new Set(paths.filter((p) => p.startsWith(`${folder}/`)).map((p) => p.split("/")[1]!));
    expect(osesOf("qxldod").has("w11")).toBe(false);
    expect(osesOf("qxldod").has("2k22")).toBe(false);
    expect(osesOf("qxldod").has("w10")).toBe(true);
    expect(osesOf("viofs").has("w7")).toBe(false);
    expect(osesOf("viofs").has("w10")).toBe(true);
    expect(osesOf("viosock").has("2k12R2")).toBe(false);
    expect(osesOf("qemufwcfg").has("2k25")).toBe(false);
    expect(osesOf("fwcfg").has("2k25")).toBe(true);
  });

  test("each .inf reads back with its class GUID, ids and service", () => {
    const viostor = parseInf(tree.find((f) => f.path === "viostor/2k22/amd64/viostor.inf")!.content);
    expect(viostor).toMatchObject({
      class: "SCSIAdapter", classGuid: "{4D36E97B-E325-11CE-BFC1-08002BE10318}", provider: "Red Hat, Inc.", service: "viostor",
      hardwareIds: ["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"],
    });
    expect(viostor.driverVer).toMatch(/^\d\d\/\d\d\/\d{4},100\.\d+\.\d+\.\d+$/);
    expect(parseInf(tree.find((f) => f.path === "NetKVM/w10/x86/netkvm.inf")!.content).classGuid).toBe("{4D36E972-E325-11CE-BFC1-08002BE10318}");
    expect(parseInf(tree.find((f) => f.path === "fwcfg/2k22/amd64/fwcfg.inf")!.content).hardwareIds).toEqual(["ACPI\\VEN_QEMU&DEV_0002", "ACPI\\QEMU0002"]);
    for (const d of TREE_DRIVERS) {
      const info = parseInf(infText(d, "w10", "x86"));
      expect(info.hardwareIds, d.folder).toEqual(d.hardwareIds.map((i) => i.toUpperCase()));
      expect(info.classGuid, d.folder).toBe(d.classGuid);
    }
  });

  test(".inf texts are CRLF with the NT signature; x86 models are NTx86", () => {
    const t = infText(TREE_DRIVERS[0]!, "w10", "x86");
    expect(t).toMatch(/^\[Version\]\r\nSignature="\$WINDOWS NT\$"\r\n/m);
    expect(t).toMatch(/\[Manufacturer\]\r\n%VENDOR%=Models,NTx86\r\n/);
    expect(t.replace(/\r\n/g, "")).not.toMatch(/\n/);
  });

  test("placeholders are small, typed and name their path", () => {
    const sys = placeholder("viostor/2k22/amd64/viostor.sys");
    expect(sys.subarray(0, 2).toString()).toBe("MZ");
    expect(sys.toString("latin1")).toContain("viostor/2k22/amd64/viostor.sys");
    expect(placeholder("a.pdb").subarray(0, 24).toString()).toBe("Microsoft C/C++ MSF 7.00");
    expect(placeholder("a.cat")[0]).toBe(0x30);
    expect(Math.max(...tree.map((f) => f.content.length))).toBeLessThan(8192);
  });

  test("the converter's filter takes the 2022 x86_64 files from it", () => {
    const r = selectDriverFiles(paths, { major: 10, minor: 0, variant: "server", arch: "x86_64", osinfo: "win2k22" });
    expect(r.osDir).toBe("2k22");
    for (const n of ["viostor.sys", "vioscsi.sys", "netkvm.inf", "balloon.sys", "viorng.sys", "vioser.sys", "pvpanic.sys", "fwcfg.sys", "viosock.sys", "viofs.sys"]) {
      expect(r.files.map((f) => f.name), n).toContain(n);
    }
    expect(r.drivers.has("qemufwcfg")).toBe(false); // fwcfg is there too
    expect(r.clashes).toEqual([]);
  });

  test("strippedInf empties those .inf files only; osDirs keeps only those releases", () => {
    const s = virtioWinTree({ strippedInf: ["viostor", "NetKVM"] });
    expect(s.find((f) => f.path === "viostor/2k22/amd64/viostor.inf")!.content.length).toBe(0);
    expect(s.find((f) => f.path === "NetKVM/2k22/amd64/netkvm.inf")!.content.length).toBe(0);
    expect(s.find((f) => f.path === "Balloon/2k22/amd64/balloon.inf")!.content.length).toBeGreaterThan(0);
    const o = virtioWinTree({ osDirs: ["w10", "2k19"] });
    expect(new Set(o.filter((f) => f.path.split("/").length === 4).map((f) => f.path.split("/")[1]))).toEqual(new Set(["w10", "2k19"]));
    expect(variantName({})).toBe("virtio-win");
    expect(variantName({ strippedInf: ["viostor"], osDirs: [] })).toBe("virtio-win-stripped-os");
  });

  test("the tree is the same every time", () => {
    expect(virtioWinTree().map((f) => `${f.path}:${f.content.toString("base64")}`)).toEqual(tree.map((f) => `${f.path}:${f.content.toString("base64")}`));
  });
});

describe("ensureVirtioWin (xorriso, in a private cache)", () => {
  let cache: string;
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env["V2V_CACHE_DIR"];
    cache = mkdtempSync(join(tmpdir(), "v2v-vw-cache-"));
    process.env["V2V_CACHE_DIR"] = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env["V2V_CACHE_DIR"];
    else process.env["V2V_CACHE_DIR"] = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  test("writes the tree and an ISO of it; a second call reuses the entry", async () => {
    const variant = { osDirs: ["2k22"] };
    const b = await ensureVirtioWin(variant);
    expect(b.dir.startsWith(cache)).toBe(true);
    expect(readFileSync(join(b.dir, "viostor/2k22/amd64/viostor.sys"))).toEqual(placeholder("viostor/2k22/amd64/viostor.sys"));
    expect(existsSync(join(b.dir, "viostor/w10"))).toBe(false);
    const iso = readFileSync(b.iso);
    expect(iso.subarray(32769, 32774).toString("latin1")).toBe("CD001");
    expect(iso.subarray(32808, 32818).toString("latin1")).toBe("virtio-win");
    // xorriso's own listing: Rock Ridge keeps the names' case.
    const ls = await run(["xorriso", "-indev", b.iso, "-find", "/", "-type", "f"], { timeoutMs: 60_000 });
    const listed = ls.stdout.split("\n").filter(Boolean).map((l) => l.replace(/^'\/?|'$/g, "")).sort();
    expect(listed).toEqual(virtioWinTree(variant).map((f) => f.path).sort());
    expect(await ensureVirtioWin(variant)).toEqual(b);
  });
});
