// Selecting a guest's files from a virtio-win tree's paths: arch and OS directories, extensions,
// flattening, clashes, the fallbacks and the qemufwcfg rule.
import { describe, expect, test } from "vitest";
import { osDirsPresent, pathComponents, selectDriverFiles } from "../../../../src/converters/windows/virtio-win/match.js";
import type { WindowsOs } from "../../../../src/converters/windows/virtio-win/os-dirs.js";

const os = (o: Partial<WindowsOs>): WindowsOs => ({ major: 10, minor: 0, variant: "server", arch: "x86_64", osinfo: "win2k22", ...o });

/** A small tree in the real ISO's layout: <Driver>/<os>/<arch>/<files>. */
function tree(drivers: Record<string, string[]>, oses: string[], arches = ["amd64", "x86"]): string[] {
  const out: string[] = [];
  for (const [folder, files] of Object.entries(drivers)) {
    for (const o of oses) for (const a of arches) for (const f of files) out.push(`${folder}/${o}/${a}/${f}`);
  }
  return out;
}

const DRIVERS = {
  viostor: ["viostor.inf", "viostor.sys", "viostor.cat", "viostor.pdb"],
  NetKVM: ["netkvm.inf", "netkvm.sys", "netkvm.cat", "netkvmco.exe", "README.txt"],
  Balloon: ["balloon.inf", "balloon.sys", "balloon.cat", "blnsvr.exe"],
};

describe("selectDriverFiles", () => {
  const paths = tree(DRIVERS, ["w10", "2k19", "2k22"]);

  test("x86_64 2022: only 2k22/amd64, flattened and lowercased, sorted, other extensions left out", () => {
    const r = selectDriverFiles(paths, os({}));
    expect(r.osDir).toBe("2k22");
    expect(r.files.map((f) => f.name)).toEqual([
      "balloon.cat", "balloon.inf", "balloon.sys", "blnsvr.exe", "netkvm.cat", "netkvm.inf", "netkvm.sys", "netkvmco.exe",
      "viostor.cat", "viostor.inf", "viostor.pdb", "viostor.sys",
    ]);
    expect(r.files.every((f) => f.from.includes("/2k22/amd64/"))).toBe(true);
    expect(r.files.find((f) => f.name === "netkvm.sys")?.from).toBe("NetKVM/2k22/amd64/netkvm.sys");
    expect([...r.drivers].sort()).toEqual(["balloon", "netkvm", "viostor"]);
    expect(r.clashes).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  test("i386 Windows 10: x86, never amd64; i386 works as the arch directory too", () => {
    const r = selectDriverFiles(paths, os({ variant: "client", osinfo: "win10", arch: "i386" }));
    expect(r.files.length).toBe(12);
    expect(r.files.every((f) => f.from.includes("/w10/x86/"))).toBe(true);
    const legacy = selectDriverFiles(["viostor/w10/i386/viostor.sys"], os({ variant: "client", osinfo: "win10", arch: "i386" }));
    expect(legacy.files).toEqual([{ from: "viostor/w10/i386/viostor.sys", name: "viostor.sys" }]);
    expect(selectDriverFiles(["viostor/w10/x86/viostor.sys"], os({ variant: "client", osinfo: "win10" })).files).toEqual([]);
  });

  test("the OS directory must be a whole component: 2k22 does not match 2k22x nor w2k22", () => {
    const r = selectDriverFiles(["a/2k22x/amd64/a.sys", "a/w2k22/amd64/b.sys", "a/amd64/2k22/c.sys", "A/Win2022/AMD64/D.SYS"], os({}));
    expect(r.files.map((f) => f.name)).toEqual(["c.sys", "d.sys"]);
  });

  test("the arch must be a directory, not the file name or part of a name", () => {
    const r = selectDriverFiles(["a/2k22/amd64.sys", "a/2k22/amd64x/b.sys", "amd64/2k22/ok.inf"], os({}));
    expect(r.files.map((f) => f.name)).toEqual(["ok.inf"]);
    expect([...r.drivers]).toEqual(["ok"]);
  });

  test("backslashes separate components too", () => {
    expect(selectDriverFiles(["viostor\\2k22\\amd64\\viostor.sys"], os({})).files.map((f) => f.name)).toEqual(["viostor.sys"]);
  });

  test("2025 falls back to 2k22 when the tree has no 2k25, with a note; uses 2k25 when present", () => {
    const r = selectDriverFiles(paths, os({ osinfo: "win2k25" }));
    expect(r.osDir).toBe("2k22");
    expect(r.files.every((f) => f.from.includes("/2k22/amd64/"))).toBe(true);
    expect(r.notes.join()).toMatch(/no 2k25 directory/);
    const with25 = selectDriverFiles([...paths, "viostor/2k25/amd64/viostor.sys"], os({ osinfo: "", build: 26100 }));
    expect(with25.osDir).toBe("2k25");
    expect(with25.files).toEqual([{ from: "viostor/2k25/amd64/viostor.sys", name: "viostor.sys" }]);
  });

  test("Windows 11 takes w11, else w10 with a note", () => {
    const w11 = os({ variant: "client", osinfo: "win11" });
    expect(selectDriverFiles(paths, w11).osDir).toBe("w10");
    expect(selectDriverFiles(paths, w11).notes.join()).toMatch(/no w11 directory/);
    const r = selectDriverFiles([...paths, ...tree({ viostor: ["viostor.sys"] }, ["w11"], ["amd64"])], w11);
    expect(r.osDir).toBe("w11");
    expect(r.files.map((f) => f.from)).toEqual(["viostor/w11/amd64/viostor.sys"]);
  });

  test("w11 present only for x86 does not count for an x86_64 guest", () => {
    const r = selectDriverFiles([...paths, "viostor/w11/x86/viostor.sys"], os({ variant: "client", osinfo: "win11" }));
    expect(r.osDir).toBe("w10");
  });

  test("a tree without the guest's OS gives nothing, with a note", () => {
    const r = selectDriverFiles(tree(DRIVERS, ["w10", "2k19"]), os({}));
    expect(r.files).toEqual([]);
    expect(r.drivers.size).toBe(0);
    expect(r.osDir).toBeUndefined();
    expect(r.notes.join()).toMatch(/no 2k22 directory/);
  });

  test("a clash keeps the path that sorts first, whatever the input order, and reports it", () => {
    const a = ["zz/2k22/amd64/common.dll", "Aa/2k22/amd64/COMMON.DLL", "mm/2k22/amd64/common.dll"];
    for (const order of [a, [...a].reverse()]) {
      const r = selectDriverFiles(order, os({}));
      expect(r.files).toEqual([{ from: "Aa/2k22/amd64/COMMON.DLL", name: "common.dll" }]);
      expect(r.clashes).toEqual([
        { name: "common.dll", kept: "Aa/2k22/amd64/COMMON.DLL", dropped: "mm/2k22/amd64/common.dll" },
        { name: "common.dll", kept: "Aa/2k22/amd64/COMMON.DLL", dropped: "zz/2k22/amd64/common.dll" },
      ]);
      expect(r.notes).toHaveLength(2);
    }
  });

  test("qemufwcfg.* is dropped when fwcfg.inf is there too, kept otherwise", () => {
    const fw = tree({ fwcfg: ["fwcfg.inf", "fwcfg.sys", "fwcfg.cat"], qemufwcfg: ["qemufwcfg.inf", "qemufwcfg.cat"] }, ["2k22", "2k12"], ["amd64"]);
    const r = selectDriverFiles(fw, os({}));
    expect(r.files.map((f) => f.name)).toEqual(["fwcfg.cat", "fwcfg.inf", "fwcfg.sys"]);
    expect([...r.drivers]).toEqual(["fwcfg"]);
    expect(r.notes.join()).toMatch(/qemufwcfg files are left out/);
    const only = selectDriverFiles(fw.filter((p) => !p.startsWith("fwcfg/")), os({}));
    expect(only.files.map((f) => f.name)).toEqual(["qemufwcfg.cat", "qemufwcfg.inf"]);
    expect([...only.drivers]).toEqual(["qemufwcfg"]);
  });

  test("names that are not plain file names are skipped with a note", () => {
    const r = selectDriverFiles(["a/2k22/amd64/bad name.sys", "a/2k22/amd64/.hidden.sys", "a/2k22/amd64/ok.sys"], os({}));
    expect(r.files.map((f) => f.name)).toEqual(["ok.sys"]);
    expect(r.notes.join()).toMatch(/2 driver files skipped/);
  });
});

test("osDirsPresent counts only driver files under the guest's arch", () => {
  expect([...osDirsPresent(["a/w10/amd64/x.sys", "a/w11/x86/x.sys", "a/2k25/amd64/readme.txt", "a/2k19/amd64/"], "x86_64")]).toEqual(["w10"]);
  expect(pathComponents("/A//b/./C.sys")).toEqual(["a", "b", "c.sys"]);
});
