// The OS directory table and the 10.0 release rules (osinfo, then build), with their fallbacks.
import { describe, expect, test } from "vitest";
import {
  ALL_OS_DIR_NAMES, archDirNames, chooseOsDir, describeWindows, osDirCandidates, windows10Release, type WindowsOs,
} from "../../../../src/converters/windows/virtio-win/os-dirs.js";

const win = (o: Partial<WindowsOs>): WindowsOs => ({ major: 10, minor: 0, variant: "server", arch: "x86_64", osinfo: "", ...o });
const all = new Set(ALL_OS_DIR_NAMES);
const names = (o: WindowsOs): string[] => osDirCandidates(o).entries.map((e) => e.names[0]!);

describe("osDirCandidates: the §5.4 table", () => {
  test.each([
    [5, 1, "client", "xp"], [5, 2, "server", "2k3"], [5, 2, "client", "2k3"],
    [6, 0, "client", "vista"], [6, 0, "server", "2k8"], [6, 1, "client", "w7"], [6, 1, "server", "2k8r2"],
    [6, 2, "client", "w8"], [6, 2, "server", "2k12"], [6, 3, "client", "w8.1"], [6, 3, "server", "2k12r2"],
  ] as const)("%i.%i %s → %s", (major, minor, variant, dir) => {
    expect(names(win({ major, minor, variant }))).toEqual([dir]);
  });

  test("an unknown version has no directory, with a note", () => {
    const c = osDirCandidates(win({ major: 6, minor: 4 }));
    expect(c.entries).toEqual([]);
    expect(c.note).toMatch(/6\.4/);
  });

  test("every long alias is known too", () => {
    for (const n of ["win2022", "win2025", "win11", "win8.1", "win2008r2", "winxp"]) expect(ALL_OS_DIR_NAMES.has(n)).toBe(true);
  });
});

describe("10.0: osinfo first, then the build number", () => {
  test.each([
    [{ variant: "client", osinfo: "win10" }, ["w10"]],
    [{ variant: "client", osinfo: "win10", build: 19045 }, ["w10"]],
    [{ variant: "client", osinfo: "win11" }, ["w11", "w10"]],
    [{ variant: "client", osinfo: "win10", build: 22631 }, ["w11", "w10"]], // Windows 11 says "Windows 10" in ProductName
    [{ variant: "client", osinfo: "", build: 22000 }, ["w11", "w10"]],
    [{ variant: "client", osinfo: "", build: 21999 }, ["w10"]],
    [{ osinfo: "win2k16" }, ["2k16"]],
    [{ osinfo: "", build: 14393 }, ["2k16"]],
    [{ osinfo: "", build: 17763 }, ["2k19"]],
    [{ osinfo: "win2k19" }, ["2k19"]],
    [{ osinfo: "", build: 20348 }, ["2k22"]],
    [{ osinfo: "win2k22" }, ["2k22"]],
    [{ osinfo: "win2k25" }, ["2k25", "2k22"]],
    [{ osinfo: "", build: 26100 }, ["2k25", "2k22"]],
    [{ osinfo: "WIN2K22" }, ["2k22"]],
    // libguestfs 1.48 says win2k16 for Server 2025: the build wins over the osinfo when known.
    [{ osinfo: "win2k16", build: 26100 }, ["2k25", "2k22"]],
    [{ osinfo: "win2k22", build: 17763 }, ["2k19"]],
  ] as const)("%o → %o", (o, dirs) => {
    expect(names(win(o as Partial<WindowsOs>))).toEqual(dirs);
  });

  test("a 10.0 server with no known osinfo and no build gets nothing, with a note", () => {
    const c = osDirCandidates(win({ osinfo: "win2k99" }));
    expect(c.entries).toEqual([]);
    expect(c.note).toMatch(/no build number/);
    expect(windows10Release(win({ osinfo: "", build: 10240 }))).toBeUndefined();
  });
});

describe("chooseOsDir against what the tree has", () => {
  test("the guest's own directory, no note", () => {
    const c = chooseOsDir(win({ osinfo: "win2k22" }), all);
    expect(c.entry?.names).toEqual(["2k22", "win2022"]);
    expect(c.names).toEqual(["2k22", "win2022"]);
    expect(c.notes).toEqual([]);
  });

  test("the long alias alone is enough", () => {
    expect(chooseOsDir(win({ osinfo: "win2k22" }), new Set(["win2022"])).entry?.names[0]).toBe("2k22");
  });

  test("2025 falls back to 2k22 when the tree has no 2k25, and says so", () => {
    const c = chooseOsDir(win({ osinfo: "win2k25" }), new Set(["2k22", "2k19"]));
    expect(c.entry?.names[0]).toBe("2k22");
    expect(c.notes.join()).toMatch(/no 2k25 directory .*using the 2k22 drivers/);
    expect(chooseOsDir(win({ osinfo: "win2k25" }), all).entry?.names[0]).toBe("2k25");
  });

  test("Windows 11 falls back to w10 when the tree has no w11", () => {
    const c = chooseOsDir(win({ variant: "client", osinfo: "win11" }), new Set(["w10"]));
    expect(c.entry?.names[0]).toBe("w10");
    expect(c.notes.join()).toMatch(/no w11 directory/);
  });

  test("2022 does not fall back to 2k19: no directory, a note", () => {
    const c = chooseOsDir(win({ osinfo: "win2k22" }), new Set(["2k19", "w10"]));
    expect(c.entry).toBeUndefined();
    expect(c.names).toEqual([]);
    expect(c.notes.join()).toMatch(/no 2k22 directory for x86_64/);
  });
});

test("architecture directories and the description", () => {
  expect(archDirNames("x86_64")).toEqual(["amd64"]);
  expect(archDirNames("i386")).toEqual(["x86", "i386"]);
  expect(describeWindows(win({ osinfo: "win2k22", build: 20348 }))).toBe("10.0 x86_64 server win2k22 (build 20348)");
});
